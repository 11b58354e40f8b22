"""A part of the day (오후, 저녁) on the demo bot: alone it names no day, so a model that tags it
as a date fills no date slot (``서울 오후 날씨`` is today's). The parser is the stand-in of
test_bot.py, told what the demo model tags."""
from __future__ import annotations

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


def tagged(text: str, intent: str, *values: tuple[str, str, str]) -> ParseResult:
    """``text`` parsed as ``intent`` with each (entity, value, surface) tagged where it is said."""
    ents = []
    for entity, value, surface in values:
        start = text.index(surface)
        ents.append(Entity(entity, value, surface, start, start + len(surface), 0.9))
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
