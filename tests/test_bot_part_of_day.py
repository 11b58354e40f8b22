"""Dates and parts of the day on the demo bot: a part of the day alone (오후, 저녁) names no day, so
a model that tags it as a date fills no date slot (``서울 오후 날씨`` is today's); two times each
said right after its own date (``오늘 저녁 9시랑 내일 아침 7시``) are two alarms, each on its
date. The parser is the stand-in of test_bot.py, told what the demo model tags."""
from __future__ import annotations

import datetime
import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser  # noqa: E402

from nlukit.bot import Bot  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.types import Entity, IntentScore, ParseResult  # noqa: E402

WEATHER = {"intent": "weather", "response": "{date} {location}의 날씨를 알려드릴게요.",
           "slot": [{"entity": "location", "prompt": "어느 지역 날씨를 알려드릴까요?", "multiple": True},
                    {"entity": "date", "default": "오늘"}]}


def tagged(text: str, intent: str, *values: tuple) -> ParseResult:
    """``text`` parsed as ``intent`` with each (entity, value, surface[, resolved]) tagged where it
    is said (the first place not taken yet)."""
    ents: list[Entity] = []
    for entity, value, surface, *resolved in values:
        start = text.index(surface)
        while any(e.start == start for e in ents):
            start = text.index(surface, start + 1)
        ents.append(Entity(entity, value, surface, start, start + len(surface), 0.9, None,
                           resolved[0] if resolved else None))
    ents.sort(key=lambda e: e.start)
    return ParseResult(text=text, intent=IntentScore(intent, 0.9), entities=tuple(ents),
                       ranking=(IntentScore(intent, 0.9),))


def bot(overrides: dict[str, ParseResult]) -> Bot:
    p = StandInParser(overrides)
    return Bot(p, parse_scenarios({"scenario": [WEATHER]}, intents=p.intents, entity_types=p.entity_types))


@pytest.mark.parametrize("text, part", [
    ("서울 오후 날씨", "오후"), ("오후 서울 날씨", "오후"), ("저녁에 서울 날씨", "저녁에"), ("서울 아침 날씨", "아침"),
])
def test_should_fill_no_date_with_a_part_of_the_day_alone(text, part):
    # Given a model that tags the part of the day as a date (the demo's does: 서울 오후 날씨)
    b = bot({text: tagged(text, "weather", ("location", "서울", "서울"), ("date", part.rstrip("에"), part))})
    # Then the date keeps its default: the part of the day names no day
    turn = b.handle("u", text)
    assert turn.reply == "오늘 서울의 날씨를 알려드릴게요."
    assert turn.slots["date"] == "오늘"


@pytest.mark.parametrize("text, date, said", [
    ("내일 저녁 서울 날씨", "내일 저녁", "내일"), ("오늘 오후 서울 날씨", "오늘 오후", "오늘"),
])
def test_should_keep_a_date_said_with_a_part_of_the_day(text, date, said):
    # Given a date with a part of the day (a guard: this holds without the fix too)
    b = bot({text: tagged(text, "weather", ("location", "서울", "서울"), ("date", date, date))})
    # Then it is the date
    assert b.handle("u", text).reply.startswith(said)


ALARM = {"intent": "alarm", "action": "bot_actions:said_day",
         "slot": [{"entity": "time", "prompt": "몇 시요?", "multiple": True}, {"entity": "date", "default": "오늘"}]}


def hour(h: int) -> dict:
    return {"kind": "time", "hour": h, "minute": 0, "value": f"{h:02d}:00"}


def alarm_bot(text: str, *values: tuple) -> Bot:
    p = StandInParser({text: tagged(text, "alarm", *values)})
    p.resolve = {"time": "time", "date": "date"}
    return Bot(p, parse_scenarios({"scenario": [ALARM]}, intents=p.intents, entity_types=p.entity_types))


def test_should_set_each_time_on_the_date_said_right_before_it():
    # review two14: 오늘 저녁 9시랑 내일 아침 7시 알람 set the 9시 alarm only on the demo model (the date
    # between the times joined no list, and the second time was dropped without a word)
    text = "오늘 저녁 9시랑 내일 아침 7시 알람"
    b = alarm_bot(text, ("date", "오늘", "오늘"), ("time", "9시", "9시", hour(21)),
                  ("date", "내일", "내일"), ("time", "오전 7시", "아침 7시", hour(7)))
    turn = b.handle("u", text)
    assert turn.reply == "오늘 오후 9시\n내일 오전 7시"
    assert turn.multiple == {"time": ["오후 9시", "오전 7시"]}


def test_should_keep_the_same_hour_on_two_dates_and_pair_by_position():
    text = "내일 7시랑 모레 7시 알람"
    b = alarm_bot(text, ("date", "내일", "내일"), ("time", "7시", "7시"), ("date", "모레", "모레"), ("time", "7시", "7시"))
    assert b.handle("u", text).reply == "내일 7시\n모레 7시"


def test_should_keep_one_date_for_a_list_of_times_said_after_it():
    # a guard (holds without the fix): 내일 7시랑 8시 is two times of 내일
    text = "내일 7시랑 8시 알람"
    b = alarm_bot(text, ("date", "내일", "내일"), ("time", "7시", "7시"), ("time", "8시", "8시"))
    assert b.handle("u", text).reply == "내일 7시\n내일 8시"


def test_should_keep_a_list_whose_first_time_the_tagger_cut_from_its_part_of_the_day():
    # 저녁 9시랑 10시 set the 9시 alarm only on the demo model: the list held 오후 9시, the slot 9시
    text = "저녁 9시랑 10시 알람"
    b = alarm_bot(text, ("time", "9시", "9시", hour(21)), ("time", "10시", "10시", hour(22)))
    turn = b.handle("u", text)
    assert turn.multiple == {"time": ["오후 9시", "오후 10시"]}
    assert turn.reply == "오늘 오후 9시\n오늘 오후 10시"


def test_should_not_pair_dates_with_times_for_a_slot_of_one_time():
    # a guard: a one-value time slot keeps what it did (the first date and time), asking no choice
    text = "오늘 저녁 9시랑 내일 아침 7시 알람"
    p = StandInParser({text: tagged(text, "alarm", ("date", "오늘", "오늘"), ("time", "9시", "9시", hour(21)),
                                    ("date", "내일", "내일"), ("time", "오전 7시", "아침 7시", hour(7)))})
    p.resolve = {"time": "time", "date": "date"}
    one = {**ALARM, "slot": [{"entity": "time", "prompt": "몇 시요?"}, {"entity": "date", "default": "오늘"}]}
    b = Bot(p, parse_scenarios({"scenario": [one]}, intents=p.intents, entity_types=p.entity_types))
    assert b.handle("u", text).choices == []


def demo_alarm_bot(text: str, *values: tuple) -> Bot:
    p = StandInParser({text: tagged(text, "alarm", *values)})
    p.resolve = {"time": "time", "date": "date"}
    demo = {**ALARM, "action": "nlukit.bot.actions:set_alarm"}
    return Bot(p, parse_scenarios({"scenario": [demo]}, intents=p.intents, entity_types=p.entity_types))


@pytest.mark.parametrize("text, at, reply", [
    # at 15:00 today's 오후 3시 has passed and rings tomorrow: the same moment as 내일 오후 3시, one alarm
    ("오늘 오후 3시랑 내일 오후 3시 알람", 15, "오후 3시는 이미 지나서 11월 24일 (화) 오후 3시에 알람을 맞췄어요."),
    ("내일 오후 3시랑 오늘 오후 3시 알람", 15, "오후 3시는 이미 지나서 11월 24일 (화) 오후 3시에 알람을 맞췄어요."),
    # at 14:00 they are two moments, two alarms
    ("오늘 오후 3시랑 내일 오후 3시 알람", 14,
     "11월 23일 (월) 오후 3시에 알람을 맞췄어요.\n11월 24일 (화) 오후 3시에 알람을 맞췄어요."),
])
def test_should_set_one_alarm_for_two_times_that_come_to_the_same_moment(text, at, reply):
    first, second = text.split("랑 ")
    b = demo_alarm_bot(text, ("date", first[:2], first[:2]), ("time", "오후 3시", "오후 3시", hour(15)),
                       ("date", second[:2], second[:2]), ("time", "오후 3시", "오후 3시", hour(15)))
    turn = b.handle("u", text, now=datetime.datetime(2026, 11, 23, at, 0))
    assert turn.reply == reply
