"""Korean times and dates as values a program can use: ``오후 세 시 반`` → 15:30.

An entity tagger finds *where* a time or a date is; an alarm or a booking also needs
*which* one. :func:`resolve_time` and :func:`resolve_date` read the surface (number
words included, through :func:`nlukit.numerals.digits`) and give a small dict, or None
when they cannot read it; :meth:`nlukit.NLU.parse` puts that dict in
``Entity.resolved`` for the entity types named ``time`` and ``date`` (see ``resolve``
in :func:`nlukit.load`). Amounts of won (:func:`resolve_money`) and counts of people and
things (:func:`resolve_count`: ``네 명``, ``넷이서``, ``두 개``) are read here too.

Times::

    {"kind": "time", "hour": 15, "minute": 30, "value": "15:30"}
    {"kind": "time", "hour": 3, "minute": 0, "value": "03:00", "ambiguous": True,
     "candidates": ["03:00", "15:00"]}        # 세 시: morning or afternoon is not said
    {"kind": "duration", "minutes": 90, "value": "PT1H30M"}   # 한 시간 반 뒤

Dates are relative to ``today`` (a :class:`datetime.date`; the caller's, because "내일"
depends on where the user is)::

    {"kind": "date", "value": "2026-11-23"}
    {"kind": "date_range", "start": "2026-11-28", "end": "2026-11-29",
     "value": "2026-11-28/2026-11-29"}         # 이번 주말

A week runs Monday to Sunday (ISO 8601). A bare weekday (``금요일``) is the next one
from today, today included; ``이번 주 금요일`` is this week's and ``다음 주 금요일`` next
week's, even when that is already past (asked on a Sunday, ``이번 주 금요일`` was two
days ago): a date or range that ends before today says ``"past": True``, so a bot can
ask again rather than book yesterday. A range that began before today and has not ended
keeps the dates said and says ``"partly_past": True`` (``이번 주말`` asked on a Sunday is
Saturday to Sunday, Saturday gone; ``이번 주`` on a Wednesday, ``이번 달`` after the 1st):
one searching a diary wants the whole range, one booking starts at today — the caller
clips, the resolver does not guess. A month and day (``3월 1일``) is this year's
unless it is already past, then next year's; a bare day (``15일``) likewise within this
month or the next; ``말일`` is this month's last day. A day of a named month or year is
that one, past or not, like ``이번 주 금요일``: ``다음 달 3일`` (담달, 다다음 달, 지난달,
이번 달/이달), ``이달 말`` / ``다음 달 말일`` (the month's last day), ``내년 1월 1일`` (올해,
내후년, 작년 ...); a day the month does not have (``다음 달 31일`` asked in October) is None,
never the month after's. Lunar holidays (설날, 추석) are not read.

>>> import datetime
>>> today = datetime.date(2026, 11, 25)                      # a Wednesday
>>> resolve_time("오후 세 시 반")["value"], resolve_time("밤 열두 시")["value"]
('15:30', '00:00')
>>> resolve_date("내일", today)["value"], resolve_date("다음 주 금요일", today)["value"]
('2026-11-26', '2026-12-04')
>>> resolve_date("이번 주말", today)["value"], resolve_date("3월 1일", today)["value"]
('2026-11-28/2026-11-29', '2027-03-01')
>>> resolve_date("다음 달 삼 일", today)["value"], resolve_date("이달 말", today)["value"]
('2026-12-03', '2026-11-30')
"""
from __future__ import annotations

import datetime as _dt
import re
from functools import lru_cache
from typing import Any

from .errors import InputError
from .numerals import approx_count, approx_money, count, count_change, count_text, digits, money, money_text

__all__ = ["DAWN", "KINDS", "RESOLVERS", "check_today", "in_part_of_day", "parts_of_day", "period_before", "resolve",
           "resolve_count", "resolve_date", "resolve_money", "resolve_time", "small_hours_day"]


def check_today(today: object) -> _dt.date | None:
    """``today`` as a date (None stays None): a datetime counts as its date; anything
    else is an :class:`~nlukit.errors.InputError` naming the fix.

    >>> check_today(_dt.datetime(2026, 11, 25, 10, 30))
    datetime.date(2026, 11, 25)
    >>> check_today("2026-11-25")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nlukit.errors.InputError: today must be a datetime.date, got str '2026-11-25'; pass today=datetime.date(2026, 11, 25) ...
    """
    if today is None or type(today) is _dt.date:
        return today  # type: ignore[return-value]
    if isinstance(today, _dt.datetime):
        return today.date()
    if isinstance(today, _dt.date):
        return today
    shown = repr(today)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    got = f"today must be a datetime.date, got {type(today).__name__} {shown}"
    if isinstance(today, str):
        try:
            d = _dt.date.fromisoformat(today.strip())
        except ValueError:
            pass
        else:
            raise InputError(f"{got}; pass today=datetime.date({d.year}, {d.month}, {d.day}) "
                             "(datetime.date.fromisoformat reads that string)")
    raise InputError(f"{got}; pass e.g. today=datetime.date(2026, 11, 25) "
                     "(or datetime.date.fromisoformat('2026-11-25'))")


def _check_text(text: object, func: str, name: str = "text") -> str:
    """``text`` if a str, "" for None (nothing to read); anything else is an InputError."""
    if isinstance(text, str):
        return text
    if text is None:
        return ""
    raise InputError(f"{func}() takes {name} as a str, got {type(text).__name__}; pass the "
                     f"words typed (e.g. {_EXAMPLES.get(func, '오후 세 시')!r})")


_EXAMPLES = {"resolve_date": "내일", "resolve_money": "5만 원", "resolve_count": "네 명"}

# ---------------------------------------------------------------- times

# a period word and how it turns a 12-hour clock hour into a 24-hour one
_AM, _PM = "am", "pm"
_PERIODS = {"새벽": _AM, "아침": _AM, "오전": _AM, "am": _AM, "a.m.": _AM,
            "낮": "day", "점심": "day", "오후": _PM, "저녁": _PM, "pm": _PM, "p.m.": _PM, "밤": "night"}
_NAMED = {"정오": (12, 0), "자정": (0, 0)}
_PART_OF_DAY = "새벽|아침|오전|낮|점심|오후|저녁|밤"   # the Korean keys of _PERIODS, as a regex
_TIME = re.compile(
    rf"^(?P<period>{_PART_OF_DAY}|am|a\.m\.|pm|p\.m\.)?"
    r"(?:(?P<hour>\d{1,2})시(?:(?P<minute>\d{1,2})분(?P<before>전)?|(?P<half>반))?(?:정각)?|"
    r"(?P<hh>\d{1,2}):(?P<mm>\d{2}))"
    r"(?P<suffix>am|pm)?(?:쯤|경|정도)?$")
_DURATION = re.compile(r"^(?:(?P<hours>\d+)시간)?(?:(?P<minutes>\d+)분)?(?:쯤|정도)?(?:뒤|후|있다가|이따가?)$")


_PERIOD_BEFORE = re.compile(rf"(?:^|\s)({_PART_OF_DAY})\s*$")
_PERIOD_AFTER = re.compile(rf"(.+?)({_PART_OF_DAY})")   # a date with a part of the day kept: 내일오후


def period_before(text: str, start: int) -> str | None:
    """The part-of-day word (``오후``, ``저녁`` ...) that ends right before ``start``, if any.

    A tagger may leave it out of a time's span (``저녁 [여섯 시]``) or give it to the
    date before (``[내일 오후] [세 시]``); :func:`resolve_time` (``before=``) uses it to
    read an hour that alone would be ambiguous.

    >>> period_before("내일 오후 세 시", 6), period_before("세 시", 0), period_before("한밤 세 시", 3)
    ('오후', None, None)
    """
    m = _PERIOD_BEFORE.search(text, 0, start)
    return m.group(1) if m else None


#: a part of the day said as a word: alone or with a particle after it (아침에, 아침엔, 저녁부터,
#: 밤까지), before a number (아침7시) or after a day typed without a space (내일아침, 오늘밤); never
#: inside another word (아침밥, 저녁밥, 밤새, 오전반, 낮잠, 한밤중)
_PART_WORD = re.compile(
    rf"(?:(?<![가-힣])|(?<=오늘)|(?<=내일)|(?<=모레)|(?<=어제)|(?<=글피)|(?<=낼)|(?<=일)|(?<=욜))"
    rf"({_PART_OF_DAY})"
    r"(?=(?:에는|에도|에만|에|엔|은|는|이|가|을|를|도|만|부터|까지|쯤|께|경|중에|으로|로|이나|나|이요|요|"
    r"마다|때|무렵|시간)?(?![가-힣]))")
#: the hours each part of the day may name (0-23): 아침 7시 is 07:00, 아침 12시 no time of the morning
_PART_HOURS = {"새벽": range(0, 7), "아침": range(5, 12), "오전": range(0, 12), "낮": range(11, 17),
               "점심": range(11, 15), "오후": range(12, 24), "저녁": range(17, 24),
               "밤": (*range(19, 24), *range(0, 5))}


def parts_of_day(text: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` of each part of the day said in ``text`` as a word of its own
    (``아침에 깨워줘``, ``내일 새벽``, ``오늘밤``), not inside another word (``아침밥``, ``밤새``,
    ``오전반``).

    >>> parts_of_day("내일 아침에 깨워줘"), parts_of_day("내일 아침밥 먹고 9시"), parts_of_day("오늘밤 밤새 일해")
    ([('아침', 3, 5)], [], [('밤', 2, 3)])
    """
    return [(m.group(1), m.start(1), m.end(1)) for m in _PART_WORD.finditer(text or "")
            if not (m.group(1) == "낮" and text[m.end(1):m.end(1) + 1] in ("은", "을"))]   # 낮은 가격: low


def in_part_of_day(part: str, time: dict[str, Any] | None) -> dict[str, Any] | None:
    """The reading of an hour said without 오전/오후 (``time``, ambiguous: ``7시``) in the part of
    the day ``part`` said apart from it (``아침에 깨워줘`` ... ``7시``), or None when ``time`` is no
    such hour or ``part`` names none of its readings (아침 and 8시 at night).

    >>> in_part_of_day("아침", resolve_time("7시")), in_part_of_day("저녁", resolve_time("7시 반"))["value"]
    ({'kind': 'time', 'hour': 7, 'minute': 0, 'value': '07:00'}, '19:30')
    >>> in_part_of_day("새벽", resolve_time("12시"))["value"], in_part_of_day("아침", resolve_time("12시"))
    ('00:00', None)
    """
    hours = _PART_HOURS.get(part)
    if hours is None or not isinstance(time, dict) or time.get("kind") != "time" or not time.get("ambiguous"):
        return None
    fits = []
    for c in time.get("candidates") or ():
        try:
            hour, minute = (int(x) for x in str(c).split(":"))
        except ValueError:
            return None
        if hour in hours:
            fits.append((hour, minute))
    if len(fits) != 1:
        return None
    hour, minute = fits[0]
    return {"kind": "time", "hour": hour, "minute": minute, "value": _clock(hour, minute)}


def _hour24(hour: int, period: str | None) -> int | None:
    """The 24-hour hour of a clock hour said with a period word, or None if unreadable."""
    if period is None:
        return hour
    if hour > 12:       # "오후 15시": the period adds nothing; a morning word contradicts it
        return hour if period in (_PM, "day", "night") else None
    if period == _AM:
        return 0 if hour == 12 else hour
    if period == _PM:
        return 12 if hour == 12 else hour + 12
    if period == "day":  # 낮/점심: 12 is noon, 1 to 6 the afternoon, 7 to 11 the morning
        return hour if hour >= 7 else 12 if hour == 12 else hour + 12
    # 밤: 12 is midnight, 1 to 4 after it, 5 to 11 the evening
    return 0 if hour == 12 else hour if hour <= 4 else hour + 12


def _clock(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


def _resolve_time(key: str) -> tuple[tuple[str, Any], ...] | None:
    named = _NAMED.get(key)
    if named is not None:
        return (("kind", "time"), ("hour", named[0]), ("minute", named[1]), ("value", _clock(*named)))
    m = _DURATION.match(key)
    if m and (m.group("hours") or m.group("minutes")):
        minutes = int(m.group("hours") or 0) * 60 + int(m.group("minutes") or 0)
        if not minutes:
            return None
        h, mi = divmod(minutes, 60)
        iso = "PT" + (f"{h}H" if h else "") + (f"{mi}M" if mi else "")
        return (("kind", "duration"), ("minutes", minutes), ("value", iso))
    m = _TIME.match(key)
    if not m:
        return None
    if m.group("hh") is not None:
        hour, minute = int(m.group("hh")), int(m.group("mm"))
    else:
        hour = int(m.group("hour"))
        minute = 30 if m.group("half") else int(m.group("minute") or 0)
    period = _PERIODS.get(m.group("period") or m.group("suffix") or "")
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    if hour == 24:
        hour = 0
    h24 = _hour24(hour, period)
    if h24 is None:
        return None
    before = 0
    if m.group("before"):   # 3시 5분 전: 2:55
        before, minute = minute, 0
        if not before:
            return None
    h, mi = divmod((h24 * 60 + minute - before) % 1440, 60)
    out: tuple[tuple[str, Any], ...] = (("kind", "time"), ("hour", h), ("minute", mi), ("value", _clock(h, mi)))
    if period is None and 1 <= hour <= 12:
        # the hour alone does not say morning or afternoon (세 시): both are offered
        other = (hour + 12) % 24 if hour != 12 else 0
        candidates = [divmod((x * 60 + minute - before) % 1440, 60) for x in (hour, other)]
        out += (("ambiguous", True), ("candidates", tuple(_clock(*c) for c in candidates)))
    return out


def _key(text: str) -> str:
    return "".join(digits(text.strip()).split()).lower()


# the same surfaces come back all the time (내일, 오후 3시): read each once
@lru_cache(maxsize=8192)
def _time_of(text: str) -> tuple[tuple[str, Any], ...] | None:
    return _resolve_time(_key(text))


@lru_cache(maxsize=8192)
def _date_of(text: str, today: _dt.date) -> tuple[tuple[str, Any], ...] | None:
    key = _key(text)
    try:
        got = _resolve_date(key, today)
        if got is None:  # a part of the day the tagger kept with the date: 내일 오후, 오늘 밤
            m = _PERIOD_AFTER.fullmatch(key)
            if m:
                got = _resolve_date(m.group(1), today)
        if got is None:
            got = _range_of(key, today)
    except (ValueError, OverflowError):   # past year 9999 (100000개월 후, 9999년 12월): no date
        return None
    return got


_RANGE = re.compile(r"^(?P<a>.+?)(?:부터|~|에서)(?P<b>.+?)(?:까지)?$")
_MAX_ROLL_DAYS = 20   # a bare end day before the start day rolls into the next month up to this long
_BARE_DAY = re.compile(r"^(?P<day>\d{1,2})일$")
_BARE_WEEKDAY = re.compile(r"^(?P<weekday>[월화수목금토일])(?:요일|욜)$")
_BARE_MONTH_DAY = re.compile(r"^(?P<month>\d{1,2})월(?P<day>\d{1,2})일$")


def _range_of(key: str, today: _dt.date) -> tuple[tuple[str, Any], ...] | None:
    """``12월 24일부터 26일까지``, ``월요일~수요일``, ``내일부터 모레까지``: the days from one to the
    other, the second read after the first (26일 in the first's month, 수요일 the first on or
    after it); None unless both are single days, the second not before the first."""
    m = _RANGE.match(key)
    if not m:
        return None
    a = dict(_resolve_date(m["a"], today) or ())
    if a.get("kind") != "date":
        return None
    start = _dt.date.fromisoformat(a["value"])
    b_key = m["b"]
    end: _dt.date | None
    if (d := _BARE_DAY.match(b_key)) is not None:
        end = _safe_date(start.year, start.month, int(d["day"]))
        if end is not None and end < start:   # 28일부터 3일까지: over the month's end, a short stay
            end = _safe_date(*_month(start, 1), int(d["day"]))
            if end is not None and (end - start).days > _MAX_ROLL_DAYS:
                return None   # 26일부터 24일까지: backwards, not a month less two days
    elif (d := _BARE_WEEKDAY.match(b_key)) is not None:
        end = start + _dt.timedelta(days=(_WEEKDAYS[d["weekday"]] - start.weekday()) % 7)
    elif (d := _BARE_MONTH_DAY.match(b_key)) is not None:
        end = _safe_date(start.year, int(d["month"]), int(d["day"]))
        if end is not None and end < start and int(d["month"]) < start.month:   # 12월 30일부터 1월 2일까지
            end = _safe_date(start.year + 1, int(d["month"]), int(d["day"]))
    else:
        b = dict(_resolve_date(b_key, today) or ())
        end = _dt.date.fromisoformat(b["value"]) if b.get("kind") == "date" else None
    if end is None or end < start:
        return None
    return _span(start, end, today)


def resolve_time(text: str, before: str = "") -> dict[str, Any] | None:
    """A time of day (or a delay: ``30분 뒤``) read from ``text``, or None.

    ``before`` is what was typed before the time (the text up to its span, or the date
    slot): an hour that alone is ambiguous is read with the part-of-day word ending it
    (:func:`period_before`), so ``세 시`` after ``내일 오후`` is 15:00.

    >>> resolve_time("오전 7시")["value"], resolve_time("저녁 여섯 시 반")["value"], resolve_time("13:05")["value"]
    ('07:00', '18:30', '13:05')
    >>> t = resolve_time("세시"); t["hour"], t["ambiguous"], t["candidates"]
    (3, True, ['03:00', '15:00'])
    >>> resolve_time("한 시간 반 뒤"), resolve_time("내일"), resolve_time("세 시", before="내일 오후 ")["value"]
    ({'kind': 'duration', 'minutes': 90, 'value': 'PT1H30M'}, None, '15:00')

    ``None`` or an empty text gives None, like any text it cannot read (a slot not
    filled); ``before=None`` is ``""``. Another type is an :class:`~nlukit.errors.InputError`.
    """
    text = _check_text(text, "resolve_time")
    before = _check_text(before, "resolve_time", "before")
    if not text:
        return None
    got = _time_of(text)
    if got is not None and before and ("ambiguous", True) in got:
        period = period_before(before, len(before))
        if period is not None:
            got = _time_of(f"{period} {text}") or got
    return None if got is None else {k: list(v) if isinstance(v, tuple) else v for k, v in got}


# ---------------------------------------------------------------- dates

_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
_OFFSETS = {"오늘": 0, "금일": 0, "당일": 0, "내일": 1, "낼": 1, "명일": 1, "모레": 2, "내일모레": 2,
            "낼모레": 2, "글피": 3, "어제": -1, "어저께": -1, "그제": -2, "그저께": -2}
_MONTHS_WORDS = {"한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6}
_DAYS_WORDS = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7, "열흘": 10,
               "일주일": 7, "보름": 15}
_HOLIDAYS = {"신정": (1, 1), "새해첫날": (1, 1), "새해": (1, 1), "발렌타인데이": (2, 14),
             "밸런타인데이": (2, 14), "삼일절": (3, 1), "3.1절": (3, 1), "식목일": (4, 5), "어린이날": (5, 5),
             "어버이날": (5, 8), "현충일": (6, 6), "제헌절": (7, 17), "광복절": (8, 15), "개천절": (10, 3),
             "한글날": (10, 9), "크리스마스": (12, 25), "성탄절": (12, 25), "크리스마스이브": (12, 24)}
_WEEK = r"(?P<week>이번주|금주|다음주|담주|다다음주|지난주|저번주)"
_WEEKDAY = r"(?P<weekday>[월화수목금토일])(?:요일|욜)"
_MONTH = r"(?P<rel>이번|이|다음|담|다다음|지난|저번)달"
_MONTH_SHIFT = {"이번": 0, "이": 0, "다음": 1, "담": 1, "다다음": 2, "지난": -1, "저번": -1}
_YEAR_SHIFT = {"올해": 0, "금년": 0, "내년": 1, "명년": 1, "내후년": 2, "작년": -1, "지난해": -1, "재작년": -2}
_DATE_PATTERNS = (
    ("weekday", re.compile(rf"^{_WEEK}?{_WEEKDAY}$")),
    ("weekend", re.compile(rf"^(?:{_WEEK}|(?P<rel>이번|다음|담|다다음|지난|저번))?주말$")),
    ("week", re.compile(rf"^{_WEEK}$")),
    ("weekdays", re.compile(rf"^{_WEEK}?평일$")),
    ("month", re.compile(rf"^{_MONTH}$")),
    ("month_rel_day", re.compile(rf"^{_MONTH}(?:(?P<day>\d{{1,2}})일|(?P<end>말|말일|마지막날))$")),
    ("year_rel_day", re.compile(r"^(?P<yrel>올해|금년|내년|명년|내후년|작년|지난해|재작년)"
                                r"(?P<month>\d{1,2})월(?P<day>\d{1,2})일$")),
    ("in_days", re.compile(r"^(?:(?P<n>\d+)일|(?P<word>하루|이틀|사흘|나흘|닷새|엿새|이레|열흘|보름|일주일))"
                           r"(?:뒤|후|있다가)$")),
    ("in_weeks", re.compile(r"^(?P<n>\d+)주(?:일)?(?:뒤|후)$")),
    ("in_months", re.compile(r"^(?:(?P<n>\d+)(?:개월|달)|(?P<word>한|두|세|네|다섯|여섯)달)(?:뒤|후|있다가)$")),
    ("month_day", re.compile(r"^(?:(?P<year>\d{4})년)?(?P<month>\d{1,2})월(?P<day>\d{1,2})일$")),
    # 2026-12-01, 2026/12/01, 2026.12.01 and the written 2026. 12. 1. (spaces are gone here)
    ("iso", re.compile(r"^(?P<year>\d{4})(?:-(?P<m1>\d{1,2})-|/(?P<m2>\d{1,2})/|\.(?P<m3>\d{1,2})\.)"
                       r"(?P<day>\d{1,2})(?(m3)\.?)$")),
    ("slash", re.compile(r"^(?P<month>\d{1,2})(?:/(?P<day>\d{1,2})|\.(?P<dday>\d{1,2})\.?)$")),   # 12/25, 12.25(.)
    ("year_month", re.compile(r"^(?:(?P<year>\d{4})년|(?P<yrel>올해|금년|내년|명년|내후년|작년|지난해|재작년))?"
                              r"(?P<month>\d{1,2})월(?:달|중)?$")),
    ("day", re.compile(r"^(?P<day>\d{1,2})일$")),
)
_WEEK_SHIFT = {None: 0, "이번주": 0, "금주": 0, "다음주": 1, "담주": 1, "다다음주": 2, "지난주": -1, "저번주": -1}


def _day(d: _dt.date, today: _dt.date) -> tuple[tuple[str, Any], ...]:
    out: tuple[tuple[str, Any], ...] = (("kind", "date"), ("value", d.isoformat()))
    return out + (("past", True),) if d < today else out


def _span(a: _dt.date, b: _dt.date, today: _dt.date) -> tuple[tuple[str, Any], ...]:
    out: tuple[tuple[str, Any], ...] = (("kind", "date_range"), ("start", a.isoformat()),
                                        ("end", b.isoformat()), ("value", f"{a.isoformat()}/{b.isoformat()}"))
    if b < today:
        return out + (("past", True),)
    return out + (("partly_past", True),) if a < today else out


def _safe_date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def _month(today: _dt.date, shift: int) -> tuple[int, int]:
    """(year, month) of the month ``shift`` months from today's."""
    y, mo = divmod(today.year * 12 + today.month - 1 + shift, 12)
    return y, mo + 1


def _last_day(year: int, month: int) -> _dt.date:
    y, mo = divmod(year * 12 + month, 12)   # the first of the month after, less a day
    return _dt.date(y, mo + 1, 1) - _dt.timedelta(days=1)


def _resolve_date(key: str, today: _dt.date) -> tuple[tuple[str, Any], ...] | None:
    if key in _OFFSETS:
        return _day(today + _dt.timedelta(days=_OFFSETS[key]), today)
    if key in _HOLIDAYS:
        month, day = _HOLIDAYS[key]
        d = _dt.date(today.year, month, day)
        return _day(d if d >= today else _dt.date(today.year + 1, month, day), today)
    if key in ("말일", "월말"):   # the last day of this month (이번 달 말일: month_rel_day)
        return _day(_last_day(today.year, today.month), today)
    monday = today - _dt.timedelta(days=today.weekday())
    for name, rx in _DATE_PATTERNS:
        m = rx.match(key)
        if not m:
            continue
        g = m.groupdict()
        if name in ("weekday", "weekend", "week", "weekdays"):
            week = g.get("week") or (g["rel"] + "주" if g.get("rel") else None)
            start = monday + _dt.timedelta(weeks=_WEEK_SHIFT[week])
            if name == "weekday":
                wd = _WEEKDAYS[g["weekday"]]
                if g.get("week") is None:   # the next one, today included
                    return _day(today + _dt.timedelta(days=(wd - today.weekday()) % 7), today)
                return _day(start + _dt.timedelta(days=wd), today)
            if name == "weekend":
                return _span(start + _dt.timedelta(days=5), start + _dt.timedelta(days=6), today)
            if name == "weekdays":
                return _span(start, start + _dt.timedelta(days=4), today)
            return _span(start, start + _dt.timedelta(days=6), today)
        if name == "month":
            y, mo = _month(today, _MONTH_SHIFT[g["rel"]])
            return _span(_dt.date(y, mo, 1), _last_day(y, mo), today)
        if name == "month_rel_day":   # 다음 달 3일, 이달 말: that month's, even when past
            y, mo = _month(today, _MONTH_SHIFT[g["rel"]])
            d = _last_day(y, mo) if g["end"] else _safe_date(y, mo, int(g["day"]))
            return None if d is None else _day(d, today)   # 31일 in a 30-day month: None
        if name == "year_rel_day":    # 내년 1월 1일: that year's, even when past
            d = _safe_date(today.year + _YEAR_SHIFT[g["yrel"]], int(g["month"]), int(g["day"]))
            return None if d is None else _day(d, today)
        if name == "in_days":
            n = int(g["n"]) if g["n"] else _DAYS_WORDS[g["word"]]
            return _day(today + _dt.timedelta(days=n), today)
        if name == "in_weeks":
            return _day(today + _dt.timedelta(weeks=int(g["n"])), today)
        if name == "in_months":   # 한 달 뒤: the same day, or the month's last when it has none
            y, mo = _month(today, int(g["n"]) if g["n"] else _MONTHS_WORDS[g["word"]])
            return _day(min(_dt.date(y, mo, 1) + _dt.timedelta(days=today.day - 1), _last_day(y, mo)), today)
        if name == "year_month":  # 12월, 내년 1월: the whole month; a past one named alone is next year's
            month = int(g["month"])
            if not 1 <= month <= 12:
                return None
            if g["year"] or g["yrel"]:
                year = int(g["year"]) if g["year"] else today.year + _YEAR_SHIFT[g["yrel"]]
            else:
                year = today.year + (month < today.month)
            return _span(_dt.date(year, month, 1), _last_day(year, month), today)
        if name in ("month_day", "iso", "slash"):
            month = int(g.get("month") or g.get("m1") or g.get("m2") or g.get("m3"))
            day = int(g.get("day") or g["dday"])
            if g.get("year"):
                d = _safe_date(int(g["year"]), month, day)
                return None if d is None else _day(d, today)
            d = _safe_date(today.year, month, day)
            if d is not None and d < today:
                d = _safe_date(today.year + 1, month, day)
            return None if d is None else _day(d, today)
        if name == "day":
            day = int(g["day"])
            d = _safe_date(today.year, today.month, day)
            if d is None or d < today:
                d = _safe_date(*_month(today, 1), day)
            return None if d is None else _day(d, today)
    return None


def resolve_date(text: str, today: _dt.date | None = None) -> dict[str, Any] | None:
    """A date or a range of dates read from ``text``, relative to ``today``; or None.

    >>> import datetime
    >>> today = datetime.date(2026, 11, 22)   # a Sunday
    >>> [resolve_date(t, today)["value"] for t in ("모레", "금요일", "다음 주 금요일", "사흘 뒤", "25일")]
    ['2026-11-24', '2026-11-27', '2026-11-27', '2026-11-25', '2026-11-25']
    >>> resolve_date("이번 주 금요일", today)
    {'kind': 'date', 'value': '2026-11-20', 'past': True}
    >>> resolve_date("이번 주말", today)
    {'kind': 'date_range', 'start': '2026-11-21', 'end': '2026-11-22', 'value': '2026-11-21/2026-11-22', 'partly_past': True}
    >>> resolve_date("다음 달", today)["value"], resolve_date("크리스마스", today)["value"]
    ('2026-12-01/2026-12-31', '2026-12-25')
    >>> resolve_date("2월 30일", today), resolve_date("세 시", today), resolve_date("내일 저녁", today)["value"]
    (None, None, '2026-11-23')

    ``today`` is a :class:`datetime.date`, by default this machine's; a
    :class:`datetime.datetime` counts as its date, anything else (``"2026-11-25"``) is an
    :class:`~nlukit.errors.InputError` (:func:`check_today`). ``None`` or an empty text
    gives None, like any text it cannot read; another type is an InputError.
    """
    text = _check_text(text, "resolve_date")
    today = check_today(today)
    if not text:
        return None
    got = _date_of(text, today or _dt.date.today())
    return None if got is None else dict(got)


#: before this hour (05:00) the night is not over: ``내일 아침`` is the morning ahead, as people say it
DAWN = 5
_TOMORROW = re.compile(rf"(?:내일|낼|명일)(?P<part>{_PART_OF_DAY})?")
_MORNING = ("새벽", "아침", "오전")


def small_hours_day(date_text: str, now: _dt.datetime | None, time: dict[str, Any] | None = None,
                    after: str = "") -> _dt.date | None:
    """The day ``내일`` means when said in the small hours (``now`` before :data:`DAWN`), or None
    when ``date_text`` is no bare ``내일`` (낼, 명일; a part of the day may follow) or it is not
    the small hours.

    Up at 01:00, one who says ``내일 아침 7시`` means the morning ahead, six hours away, not the
    one after it: 내일 with a time of the morning (said with 새벽, 아침 or 오전, in the date,
    right ``after`` it or in ``time``; or an hour before noon that ``time`` reads so) is
    ``now``'s own day, when that time has not passed. Otherwise it is the next day as written,
    which a bot had better read back as a date, the user not being sure which one is meant.

    >>> at1am = _dt.datetime(2026, 11, 23, 1, 0)
    >>> small_hours_day("내일 아침", at1am), small_hours_day("내일", at1am, resolve_time("오전 7시"))
    (datetime.date(2026, 11, 23), datetime.date(2026, 11, 23))
    >>> small_hours_day("내일", at1am), small_hours_day("내일", at1am, resolve_time("7시"))   # which 7시?
    (datetime.date(2026, 11, 24), datetime.date(2026, 11, 24))
    >>> small_hours_day("내일 아침", _dt.datetime(2026, 11, 23, 9, 0)), small_hours_day("모레", at1am)
    (None, None)
    """
    if not isinstance(now, _dt.datetime) or now.hour >= DAWN or not isinstance(date_text, str):
        return None
    m = _TOMORROW.fullmatch("".join(date_text.split()))
    if m is None:
        return None
    today, tomorrow = now.date(), now.date() + _dt.timedelta(days=1)
    said = (after or "").lstrip()
    part = m["part"] or next((w for w, at, _ in parts_of_day(said)[:1] if at == 0 and w in _MORNING), None)
    if part is not None and part not in _MORNING:   # 내일 저녁: the next day as written
        return tomorrow
    clock = time if isinstance(time, dict) and time.get("kind") == "time" else None
    if clock is not None and clock.get("ambiguous"):   # 7시: the morning's when 아침 was said
        morning = [c for c in clock.get("candidates") or () if int(str(c)[:2]) < 12]
        clock = {"hour": int(morning[0][:2]), "minute": int(morning[0][3:5])} if part and morning else None
    if clock is not None:
        hour, minute = int(clock["hour"]), int(clock["minute"])
        if not (part or 1 <= hour < 12) or (hour, minute) <= (now.hour, now.minute):
            return tomorrow   # 내일 밤 12시, or a morning time already past (내일 새벽 1시 at 01:30)
        return today
    return today if part else tomorrow


# entity type -> what reads it; nlukit.load(resolve=...) chooses which types get which
RESOLVERS = {"time": "time", "date": "date", "amount": "money", "money": "money", "count": "count",
             "quantity": "count", "party_size": "count", "headcount": "count"}
KINDS = ("time", "date", "money", "count")


def resolve_money(text: str) -> dict[str, Any] | None:
    """An amount of won read from ``text`` (:func:`nlukit.numerals.money`), or None: ``value`` the
    number, ``text`` the amount written as a bank writes it back.

    An amount said not exactly (``5만원 이하``, ``5만원 정도``, ``2~3만원``;
    :func:`nlukit.numerals.approx_money`) has ``"approx": True``, the ``qualifier`` typed, ``min``
    and/or ``max`` where a bound is said, and ``value`` None for a range: never one exact amount.

    >>> resolve_money("오만 원"), resolve_money("만 오천 원")["text"], resolve_money("5만원 정도")["approx"]
    ({'kind': 'money', 'value': 50000, 'currency': 'KRW', 'text': '50,000원'}, '15,000원', True)
    >>> resolve_money("5000")["text"], resolve_money("2"), resolve_money("오"), resolve_money("2~3만원")["text"]
    ('5,000원', None, None, '20,000원~30,000원')
    """
    text = _check_text(text, "resolve_money")
    n = money(text)
    # an amount says so: 원, a unit (5만, 오천) or three digits; a bare 2 (a count named amount) is none
    if not _SAYS_MONEY.search(text):
        return None
    if n is None:
        rough = approx_money(text)
        if rough is None:
            return None
        said = (f"{money_text(rough['value'])} {rough['qualifier']}" if rough["value"] is not None
                else f"{money_text(rough['min'])}~{money_text(rough['max'])}")   # type: ignore[arg-type]
        return {"kind": "money", **rough, "currency": "KRW", "text": said}
    return {"kind": "money", "value": n, "currency": "KRW", "text": money_text(n)}


_SAYS_MONEY = re.compile(r"[원₩￦십백천만억조]|KRW|krw|\d[\d,]{2,}")


def resolve_count(text: str) -> dict[str, Any] | None:
    """How many people or things ``text`` says (:func:`nlukit.numerals.count`), or None: ``value``
    the number, ``unit`` the counter (``명`` for people however counted: 명, 분, 사람, 4인, 혼자,
    넷이서; ``개``, ``잔``, ``인분`` ... as typed; None for a number said alone, ``넷``) and ``text``
    the count written one way for a read-back (``4명``).

    A count said not exactly (``5명 정도``, ``약 다섯 명``, ``10명 이상``, ``4~5명``, ``네다섯 명``;
    :func:`nlukit.numerals.approx_count`) has ``"approx": True`` and the ``qualifier`` typed, ``min``
    and/or ``max`` where a bound is said, and ``value`` None for a range, as :func:`resolve_money`
    gives them. Zero and large counts are read as said (``0명``, ``10000명``): whether a party of
    that size is welcome is the bot's to say (a bot slot refuses 0). A count said as a change to one
    held (``한 명 더``, ``두 명 추가``; ``한 명 빼줘``; :func:`nlukit.numerals.count_change`) has ``delta``,
    the number to add (negative: to take away); a bot slot holding a count adds it.

    >>> resolve_count("네 명"), resolve_count("넷이서")["text"], resolve_count("혼자요")["value"]
    ({'kind': 'count', 'value': 4, 'unit': '명', 'text': '4명'}, '4명', 1)
    >>> resolve_count("두 개")["text"], resolve_count("셋"), resolve_count("세종")
    ('2개', {'kind': 'count', 'value': 3, 'unit': None, 'text': '3'}, None)
    >>> resolve_count("4~5명")
    {'kind': 'count', 'value': None, 'approx': True, 'qualifier': '~', 'min': 4, 'max': 5, 'unit': '명', 'text': '4~5명'}
    >>> resolve_count("5명 정도")["text"], resolve_count("약 다섯 명")["text"], resolve_count("네다섯 명")["text"]
    ('5명 정도', '약 5명', '4~5명')
    >>> resolve_count("한 명 더")
    {'kind': 'count', 'value': 1, 'unit': '명', 'delta': 1, 'text': '1명 더'}
    """
    text = _check_text(text, "resolve_count")
    got = count(text)
    if got is not None:
        return {"kind": "count", "value": got[0], "unit": got[1], "text": count_text(*got)}
    rough = approx_count(text)
    if rough is None:
        change = count_change(text)
        if change is None:
            return None
        delta, unit = change
        said = f"{count_text(abs(delta), unit)} {'더' if delta > 0 else '빼고'}"
        return {"kind": "count", "value": abs(delta), "unit": unit, "delta": delta, "text": said}
    unit = rough["unit"]
    if rough["value"] is None:
        said = f"{rough['min']:,}~{count_text(rough['max'], unit)}"   # type: ignore[arg-type]
    elif rough["qualifier"] in _COUNT_BEFORE:
        said = f"{rough['qualifier']} {count_text(rough['value'], unit)}"   # type: ignore[arg-type]
    else:   # 5명 정도, 5명쯤 (쯤 is written on)
        space = "" if rough["qualifier"] == "쯤" else " "
        said = f"{count_text(rough['value'], unit)}{space}{rough['qualifier']}"   # type: ignore[arg-type]
    return {"kind": "count", **rough, "text": said}


# the rough words and bounds said before a count
_COUNT_BEFORE = ("약", "대략", "대충", "얼추", "거의", "한", "최대", "많아야", "최소", "적어도")


def resolve(kind: str, text: str, today: _dt.date | None = None, before: str = ""
            ) -> dict[str, Any] | None:
    """``resolve_time`` (with ``before``), ``resolve_date``, ``resolve_money`` or ``resolve_count``
    by name (``"time"``, ``"date"``, ``"money"``, ``"count"``)."""
    if kind == "time":
        return resolve_time(text, before)
    if kind == "date":
        return resolve_date(text, today)
    if kind == "money":
        return resolve_money(text)
    if kind == "count":
        return resolve_count(text)
    raise ValueError(f"unknown resolver {kind!r}; use 'time', 'date', 'money' or 'count'")
