"""Example scenario actions for the demo domain (``action = "nlukit.bot.actions:play_music"``).

An action gets the scenario's filled slots (canonical values; optional slots that were
not given are absent) and a context dict (``session_id``, ``intent``, ``text``,
``parse``, ``turns``, ``today``: the user's date, ``now``: the user's date and time when known
(:meth:`nlukit.bot.Bot.handle`), else None, ``part_of_day``: the part of the day said for the
request (``아침`` of ``아침에 깨워줘`` … ``7시`` or of ``아침 7시``), else None, ``resolved``: what each time or date slot
means, :attr:`nlukit.bot.Turn.resolved`, ``multiple``: every value of a ``multiple = true`` slot
given several, the action being called once per value, ``every``: then each value's slots and readings,
``[{"slots": ..., "resolved": ...}, ...]`` in the order said, else ``[]``) and returns the reply. Anything it raises becomes the polite
``action_error`` reply of the ``[bot]`` table and is logged; the bot never crashes.
A slot holds text (``오후 3시 30분``, ``다음 주 금요일``); :func:`set_alarm` shows how an
action turns times and dates into values with :mod:`nlukit.temporal`.

>>> play_music({"artist": "아이유", "song": "밤편지"}, {})
'아이유의 「밤편지」를 재생할게요.'
>>> play_music({"song": "좋은 날"}, {})
'「좋은 날」을 재생할게요.'
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from ..temporal import resolve_date, resolve_time
from .scenario import render_template

__all__ = ["play_music", "set_alarm"]

_WEEKDAY_NAMES = "월화수목금토일"
#: the small hours (새벽, before 6:00) said in the evening (from 18:00) are the night ahead:
#: 오늘 새벽 2시 at 23:00 rings in three hours, not "already past"
_SMALL_HOURS_END = 6
#: a part of the day alone, which a tagger may give as the date (새벽 | 2시)
_PART_OF_DAY = re.compile(r"새벽|아침|낮|저녁|밤|오전|오후")
_EVENING = 18
#: the parts of the day that name the morning: 아침 7시 said in the evening is the coming morning's
_MORNING = ("새벽", "아침")
#: this morning said in so many words (오늘 아침), which in the evening has passed
_THIS_MORNING = re.compile(r"(?<![가-힣])오늘\s?아침")


def play_music(slots: Mapping[str, str], context: Mapping[str, Any]) -> str:
    """Say what will play from whichever of ``song`` and ``artist`` the user named.

    >>> play_music({"artist": "방탄소년단"}, {})
    '방탄소년단의 노래를 재생할게요.'
    >>> play_music({}, {})
    '요즘 인기 있는 노래를 재생할게요.'
    """
    song, artist = slots.get("song", ""), slots.get("artist", "")
    if song and artist:
        return render_template("{artist}의 「{song}」을/를 재생할게요.", {"artist": artist, "song": song})
    if song:
        return render_template("「{song}」을/를 재생할게요.", {"song": song})
    if artist:
        return render_template("{artist}의 노래를 재생할게요.", {"artist": artist})
    return "요즘 인기 있는 노래를 재생할게요."


def _spoken_time(hour: int, minute: int) -> str:
    """``15, 30`` → ``오후 3시 30분``; midnight and noon as 밤 12시 and 낮 12시."""
    part = "밤" if hour == 0 else "오전" if hour < 12 else "낮" if hour == 12 else "오후"
    h = hour % 12 or 12
    return f"{part} {h}시" + (f" {minute}분" if minute else "")


def set_alarm(slots: Mapping[str, str], context: Mapping[str, Any]) -> str:
    """Confirm an alarm with the exact day and time the slots mean.

    ``context["today"]`` (a :class:`datetime.date`) sets what ``내일`` means; by default
    this machine's date. A time said without 오전/오후 keeps the user's words; a delay
    (``30분 뒤``) is confirmed as such; what cannot be read is repeated as typed.

    >>> today = {"today": datetime.date(2026, 11, 25)}
    >>> set_alarm({"date": "내일", "time": "오후 3시 30분"}, today)
    '11월 26일 (목) 오후 3시 30분에 알람을 맞췄어요.'
    >>> set_alarm({"date": "오늘", "time": "30분 뒤"}, today)
    '30분 뒤에 알람을 맞췄어요.'
    >>> set_alarm({"date": "다음 주 월요일", "time": "6시"}, today)
    '11월 30일 (월) 6시에 알람을 맞췄어요.'
    >>> set_alarm({"date": "이번 주말", "time": "정오"}, today)
    '이번 주말 낮 12시에 알람을 맞췄어요.'
    >>> set_alarm({"date": "내일 저녁", "time": "7시"}, today)
    '11월 26일 (목) 오후 7시에 알람을 맞췄어요.'

    A day already gone sets nothing and says so (on a Sunday, 이번 주 토요일 was yesterday):

    >>> set_alarm({"date": "이번 주 토요일", "time": "8시"}, {"today": datetime.date(2026, 11, 22)})
    '11월 21일 (토)은 이미 지난 날이에요. 다른 날을 말씀해 주세요.'

    With ``context["now"]`` (a :class:`datetime.datetime`, the user's), a time of today already
    past rings the next day, as an alarm clock does, and the reply says so; an hour said without
    오전/오후 is the next one to come:

    >>> at3pm = {"today": datetime.date(2026, 11, 25), "now": datetime.datetime(2026, 11, 25, 15, 0)}
    >>> set_alarm({"date": "오늘", "time": "오전 7시"}, at3pm)
    '오전 7시는 이미 지나서 11월 26일 (목) 오전 7시에 알람을 맞췄어요.'
    >>> set_alarm({"date": "오늘", "time": "7시"}, at3pm)
    '11월 25일 (수) 오후 7시에 알람을 맞췄어요.'
    >>> set_alarm({"date": "오늘", "time": "2시 반"}, at3pm)
    '11월 26일 (목) 오전 2시 30분에 알람을 맞췄어요.'
    >>> set_alarm({"date": "오늘", "time": "자정"}, at3pm)   # tonight's: said as without now
    '11월 25일 (수) 밤 12시에 알람을 맞췄어요.'

    Late in the evening, the small hours of 오늘 (새벽 2시) are the coming night's, not past:

    >>> at11pm = {"today": datetime.date(2026, 11, 25), "now": datetime.datetime(2026, 11, 25, 23, 0)}
    >>> set_alarm({"date": "오늘", "time": "새벽 2시"}, at11pm)
    '11월 26일 (목) 오전 2시에 알람을 맞췄어요.'
    >>> set_alarm({"date": "새벽", "time": "2시"}, at11pm)   # the part of the day tagged as the date
    '11월 26일 (목) 오전 2시에 알람을 맞췄어요.'

    So is the morning said in the evening (아침 7시, or 아침에 깨워줘 … 7시: ``context["part_of_day"]``):
    it rings the coming morning, said without "already passed", which 오전 7시 still says:

    >>> set_alarm({"date": "오늘", "time": "오전 7시"}, {**at11pm, "part_of_day": "아침"})
    '11월 26일 (목) 오전 7시에 알람을 맞췄어요.'
    >>> set_alarm({"date": "오늘", "time": "오전 7시"}, at11pm)
    '오전 7시는 이미 지나서 11월 26일 (목) 오전 7시에 알람을 맞췄어요.'

    ... and so does 오늘 아침 7시 said in the evening, a morning gone (``context["texts"]``):

    >>> set_alarm({"date": "오늘", "time": "오전 7시"}, {**at11pm, "part_of_day": "아침", "texts": ["오늘 아침 7시 알람"]})
    '오전 7시는 이미 지나서 11월 26일 (목) 오전 7시에 알람을 맞췄어요.'

    Before dawn the bot has already put the day meant in the date slot (내일 아침 7시 at 01:00:
    ``11월 26일 아침``, :func:`nlukit.temporal.small_hours_day`):

    >>> at1am = {"today": datetime.date(2026, 11, 26), "now": datetime.datetime(2026, 11, 26, 1, 0)}
    >>> set_alarm({"date": "11월 26일 아침", "time": "7시"}, at1am)
    '11월 26일 (목) 오전 7시에 알람을 맞췄어요.'

    Two values of one request that come to the same moment (``context["every"]``: 오늘 오후 3시랑 내일
    오후 3시 at 15:00, today's past) are one alarm: each gets the same reply, the one that says which
    time had passed, and the bot says it once:

    >>> every = [{"slots": {"date": "오늘", "time": "오후 3시"}}, {"slots": {"date": "내일", "time": "오후 3시"}}]
    >>> set_alarm({"date": "내일", "time": "오후 3시"}, {**at3pm, "every": every})
    '오후 3시는 이미 지나서 11월 26일 (목) 오후 3시에 알람을 맞췄어요.'
    """
    reply, at, _ = _alarm(slots, context)
    every = [e for e in context.get("every") or () if isinstance(e, Mapping) and isinstance(e.get("slots"), Mapping)]
    if at is None or len(every) < 2:
        return reply
    same = [got for got in (_alarm(e["slots"], {**context, "resolved": e.get("resolved") or {}}) for e in every)
            if got[1] == at]
    if len(same) < 2:
        return reply
    return next((r for r, _, passed in same if passed), same[0][0])


def _alarm(slots: Mapping[str, str], context: Mapping[str, Any]) -> tuple[str, tuple[str, int, int] | None, bool]:
    """:func:`set_alarm`'s reply for one value, the moment the alarm rings (the day in ISO form, the hour
    and the minute; None when no exact moment is read: a delay, a range of days, an hour said
    without 오전/오후 on another day, a day gone) and whether the reply says the time had passed."""
    when = slots.get("time", "")
    date_text = slots.get("date", "오늘")
    # the tagger may have kept 오후 with the date (내일 오후 | 세 시): read the time after it
    time = resolve_time(when, before=date_text) if when else None
    known = (context.get("resolved") or {}).get("time")
    if time is not None and time.get("ambiguous") and known and known.get("kind") == "time" \
            and not known.get("ambiguous"):
        time = known  # a bare answer (오후 | 세 시): the parser read the 오후 typed before the span
    if time is not None and time["kind"] == "duration":
        return render_template("{time}에 알람을 맞췄어요.", {"time": when}), None, False
    date = resolve_date(date_text, context.get("today"))
    if date is None and _PART_OF_DAY.fullmatch(date_text.strip()):
        # 새벽 | 2시 with the part of the day tagged as the date: today's, read with the time above
        date = resolve_date("오늘", context.get("today"))
    if date is not None and date["kind"] == "date":
        d = datetime.date.fromisoformat(date["value"])
        day = _day(d)
        if date.get("past"):
            return f"{day}은 이미 지난 날이에요. 다른 날을 말씀해 주세요.", None, False
    else:
        day = date_text   # a range (이번 주말) or unread: the user's words
    now = context.get("now")
    if isinstance(now, datetime.datetime) and date is not None and date["kind"] == "date" \
            and time is not None and time["kind"] == "time" and d == now.date():
        said = _PART_OF_DAY.match(when.strip())   # 아침 7시 as typed, when the bot gives no part
        part = context.get("part_of_day") or (said.group(0) if said else None)
        texts = context.get("texts") or [context.get("text") or ""]
        if part == "아침" and any(_THIS_MORNING.search(str(t)) for t in texts):
            part = None   # 오늘 아침 7시 said at 23:00: this morning's, gone (not 오늘 새벽 2시: the night ahead)
        return _next_to_come(d, time, now, part)
    at = None
    if time is not None and not time.get("ambiguous"):
        when = _spoken_time(time["hour"], time["minute"])
        if date is not None and date["kind"] == "date" and time["kind"] == "time":
            at = (d.isoformat(), int(time["hour"]), int(time["minute"]))
    return render_template("{day} {time}에 알람을 맞췄어요.", {"day": day, "time": when}), at, False


def _day(d: datetime.date) -> str:
    return f"{d.month}월 {d.day}일 ({_WEEKDAY_NAMES[d.weekday()]})"


def _at(d: datetime.date, hour: int, minute: int) -> str:
    """The day and time of ``hour:minute`` on ``d`` as set_alarm says them: a time after midnight
    (밤 12시, 밤 12시 30분) on the evening before, as 오늘 자정 is said with today's date."""
    evening = d - datetime.timedelta(days=1) if hour == 0 else d
    return f"{_day(evening)} {_spoken_time(hour, minute)}"


def _next_to_come(d: datetime.date, time: Mapping[str, Any], now: datetime.datetime, part: str | None = None
                  ) -> tuple[str, tuple[str, int, int], bool]:
    """The alarm of a time of today ``d``: the first of its readings (07:00 or 19:00 for 7시) not
    past ``now``, else the first reading on the next day, said to have passed when it was not
    ambiguous (nor midnight, which today's evening comes before, nor the small hours said in the
    evening: 오늘 새벽 2시 at 23:00 is the night ahead, nor a morning hour said in the evening with
    the ``part`` of the day 아침 or 새벽: 아침 7시 at 23:00 is the coming morning's)."""
    readings = [tuple(int(x) for x in c.split(":")) for c in time.get("candidates") or ()] \
        if time.get("ambiguous") else [(int(time["hour"]), int(time["minute"]))]
    readings = sorted(readings) or [(int(time["hour"]), int(time["minute"]))]
    for hour, minute in readings:
        if (hour, minute) > (now.hour, now.minute):
            return f"{_at(d, hour, minute)}에 알람을 맞췄어요.", (d.isoformat(), hour, minute), False
    hour, minute = readings[0]
    tomorrow = d + datetime.timedelta(days=1)
    if time.get("ambiguous") or hour == 0 or (now.hour >= _EVENING and (
            hour < _SMALL_HOURS_END or (part in _MORNING and hour < 12))):
        # 오늘 자정: tonight's midnight, not this morning's; 오늘 새벽 2시 and 아침 7시 at 23:00: the coming ones
        return f"{_at(tomorrow, hour, minute)}에 알람을 맞췄어요.", (tomorrow.isoformat(), hour, minute), False
    spoken = _spoken_time(hour, minute)
    return render_template("{time}은/는 이미 지나서 {day} {time}에 알람을 맞췄어요.",
                           {"time": spoken, "day": _day(tomorrow)}), (tomorrow.isoformat(), hour, minute), True
