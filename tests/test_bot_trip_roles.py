"""Origin or destination by what is said around a place (train-ticket defects found in review):
a place ruled out with its particle (서울에서 말고 대전에서), a verb of getting off or on after a
place (대구에서 내릴게요, 대전에서 탈게요), and a stop on the way (대전 거쳐, 대전 경유). The parser is
the deterministic stand-in (tests/fixtures/bot/bot_standin.py); overrides play the demo model's
parses (no role, or the wrong one)."""
from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser, parse_result  # noqa: E402

from nlukit.bot import Bot  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.types import Entity  # noqa: E402

TRIP = {"scenario": [
    {"intent": "train_ticket", "response": "{date} {origin}에서 {destination}(으)로 예매했어요.",
     "confirm": "{date} {origin}에서 {destination}(으)로 예매할까요?",
     "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?",
               "particles": ["에서", "부터", "출발"], "names": ["출발지", "출발"]},
              {"entity": "location", "role": "destination", "prompt": "어디로 가세요?",
               "particles": ["(으)로", "까지", "도착"], "names": ["목적지", "도착"], "differs_from": "origin",
               "unmarked": True},
              {"entity": "date", "prompt": "언제 출발하세요?"}]}]}


def tagged(text: str, intent: str, *places: tuple[str, str | None]) -> tuple[str, object]:
    """``text`` parsed as ``intent`` with each (place, role) tagged where it is first said."""
    ents = [Entity("location", p, p, text.index(p), text.index(p) + len(p), 0.8, role=r) for p, r in places]
    if text.startswith("내일"):
        ents.insert(0, Entity("date", "내일", "내일", 0, 2, 0.9))
    return text, parse_result(text, intent, 0.9 if intent == "train_ticket" else 0.4, *ents)


def trip_bot(*said: tuple[str, object]) -> Bot:
    parser = StandInParser(overrides=dict(said))
    return Bot(parser, parse_scenarios(TRIP, intents=parser.intents, entity_types=parser.entity_types))


@pytest.mark.parametrize("start, said, origin, destination", [
    # the demo model tags both places without a role; the ruled-out one is the origin held
    ("내일 서울에서 부산으로 가는 기차", "서울에서 말고 대구에서", "대구", "부산"),
    ("내일 부산에서 서울로 가는 기차", "부산에서 말고 광주에서", "광주", "서울"),
    ("내일 서울에서 부산으로 가는 기차", "부산으로 말고 광주로", "서울", "광주"),
    ("내일 서울에서 부산으로 가는 기차", "서울에서말고 대구에서", "대구", "부산"),
])
def test_should_change_the_slot_holding_a_value_ruled_out_with_its_particle(start, said, origin, destination):
    old, new = said.split()[0][:2], said.split()[-1][:2]
    bot = trip_bot(tagged(said, "train_ticket", (old, None), (new, None)))
    assert bot.handle("r1", start).state == "confirm"
    turn = bot.handle("r1", said)
    assert turn.state == "confirm", turn.reply
    assert turn.reply.startswith(f"내일 {origin}에서 {destination}")
    assert turn.slots["origin"] == origin and turn.slots["destination"] == destination


@pytest.mark.parametrize("said, role, origin, destination", [
    ("대구에서 내릴게요", None, "서울", "대구"),
    ("대구에서 하차할게요", "origin", "서울", "대구"),   # the demo model even tags it the origin
    ("대구에서 내려요", None, "서울", "대구"),
    ("광주에서 탈게요", None, "광주", "부산"),
    ("광주에서 승차할게요", "destination", "광주", "부산"),
])
def test_should_take_a_place_one_gets_off_at_for_the_destination_and_gets_on_at_for_the_origin(
        said, role, origin, destination):
    bot = trip_bot(tagged(said, "goodbye", (said[:2], role)))
    bot.handle("v1", "내일 서울에서 부산으로 가는 기차")
    turn = bot.handle("v1", said)
    assert turn.state == "confirm", turn.reply
    assert (turn.slots["origin"], turn.slots["destination"]) == (origin, destination)


def test_should_ask_where_from_when_the_place_to_get_off_at_is_said_first():
    bot = trip_bot(tagged("대구에서 내릴게요", "goodbye", ("대구", None)))
    bot.handle("v2", "기차 예매해줘")
    turn = bot.handle("v2", "대구에서 내릴게요")
    assert turn.state == "ask_slot" and turn.reply == "어디에서 출발하세요?"
    assert turn.slots == {"destination": "대구"}


def test_should_not_read_coming_down_from_a_place_as_getting_off_there():
    # 서울에서 내려와서: came down from 서울, the origin still
    bot = trip_bot(tagged("내일 서울에서 내려와서 부산 가는 기차", "train_ticket", ("서울", None), ("부산", "destination")))
    turn = bot.handle("v3", "내일 서울에서 내려와서 부산 가는 기차")
    assert (turn.slots.get("origin"), turn.slots.get("destination")) == ("서울", "부산"), turn.reply


@pytest.mark.parametrize("said, places, slots, state", [
    # the demo model tags the stop the destination (or the origin): it fills neither
    ("내일 서울에서 광주 거쳐 부산으로 가는 기차", (("서울", "origin"), ("광주", "destination"), ("부산", "destination")),
     {"date": "내일", "origin": "서울", "destination": "부산"}, "confirm"),
    ("내일 서울에서 광주에 들러 부산으로 가는 기차", (("서울", "origin"), ("광주", "destination"), ("부산", "destination")),
     {"date": "내일", "origin": "서울", "destination": "부산"}, "confirm"),
    ("내일 광주 경유 부산행 기차", (("광주", "origin"), ("부산", "destination")),
     {"date": "내일", "destination": "부산"}, "ask_slot"),
    ("내일 서울에서 광주를 경유해서 부산 가는 기차", (("서울", "origin"), ("광주", None), ("부산", "destination")),
     {"date": "내일", "origin": "서울", "destination": "부산"}, "confirm"),
])
def test_should_fill_no_slot_with_a_stop_on_the_way(said, places, slots, state):
    bot = trip_bot(tagged(said, "train_ticket", *places))
    turn = bot.handle("s1", said)
    assert turn.state == state and turn.slots == slots, turn.reply
    # and says so, before the question or the read-back
    stop = "광주는" if "광주" in said else "대전은"
    assert turn.reply.startswith(f"경유지는 지정할 수 없어서 {stop} 빼고 진행할게요. ")
    if state == "ask_slot":
        assert turn.reply.endswith(" 어디에서 출발하세요?")


def test_should_keep_a_value_before_a_word_like_a_stop_over_that_is_none():
    # 들려줘 (let me hear) is no 들러; and a type with one slot has no stop-over to leave out
    two = {"scenario": [{"intent": "music", "response": "{song} 틀어요.",
                         "slot": [{"entity": "song", "prompt": "무슨 노래요?"}]},
                        *TRIP["scenario"]]}
    parser = StandInParser()
    bot = Bot(parser, parse_scenarios(two, intents=parser.intents, entity_types=parser.entity_types))
    assert bot.handle("k1", "봄날 들려줘 노래").reply == "봄날 틀어요."


@pytest.mark.parametrize("said, places, slots, reply", [
    # a place said alone with no particle, 출발/도착 or role: where the user wants to go
    ("기차 예매해줘 부산", (("부산", None),), {"destination": "부산"}, "어디에서 출발하세요?"),
    ("부산 기차 예매해줘", (("부산", None),), {"destination": "부산"}, "어디에서 출발하세요?"),
    # marked by the model's role or by a particle: as marked
    ("부산 가는 기차", (("부산", "destination"),), {"destination": "부산"}, "어디에서 출발하세요?"),
    ("서울에서 기차 예매해줘", (("서울", "origin"),), {"origin": "서울"}, "어디로 가세요?"),
    ("기차 예매해줘 서울에서", (("서울", None),), {"origin": "서울"}, "어디로 가세요?"),
    ("기차 예매해줘 부산 출발", (("부산", None),), {"origin": "부산"}, "어디로 가세요?"),
])
def test_should_take_a_lone_unmarked_place_for_the_slot_that_takes_it(said, places, slots, reply):
    bot = trip_bot(tagged(said, "train_ticket", *places))
    turn = bot.handle("u1", said)
    assert turn.state == "ask_slot" and turn.slots == slots and turn.reply == reply


def test_should_ask_the_unmarked_slot_question_first_only_as_ordered():
    # the answer to the question asked fills it, unmarked or not: 기차 예매해줘 | 부산 is where from
    bot = trip_bot()
    assert bot.handle("u2", "기차 예매해줘").reply == "어디에서 출발하세요?"
    turn = bot.handle("u2", "부산")
    assert turn.slots == {"origin": "부산"} and turn.reply == "어디로 가세요?"
    # and with the destination held, a lone place is the origin still missing
    bot.handle("u3", "부산으로 가는 기차")
    assert bot.handle("u3", "서울").slots == {"destination": "부산", "origin": "서울"}


@pytest.mark.parametrize("said, places, slots", [
    # written solid: the demo model tags 대전경유부산 as one destination, or 대전경유 as the origin
    ("내일 서울에서 광주경유부산 기차", (("서울", "origin"), ("광주경유부산", "destination")),
     {"date": "내일", "origin": "서울", "destination": "부산"}),
    ("내일 서울에서 광주경유 부산 기차", (("서울", "origin"), ("광주경유", "origin"), ("부산", "destination")),
     {"date": "내일", "origin": "서울", "destination": "부산"}),
    ("내일 서울에서 광주경유부산", (("서울", "origin"), ("광주", None), ("부산", None)),
     {"date": "내일", "origin": "서울", "destination": "부산"}),
    ("내일 서울에서 광주거쳐부산 가는 기차", (("서울", "origin"), ("광주", None), ("부산", "destination")),
     {"date": "내일", "origin": "서울", "destination": "부산"}),
])
def test_should_read_a_stop_over_written_solid_as_via_it_to_the_place_after(said, places, slots):
    bot = trip_bot(tagged(said, "train_ticket", *places))
    turn = bot.handle("w1", said)
    assert turn.state == "confirm" and turn.slots == slots, turn.reply
    assert turn.reply == "경유지는 지정할 수 없어서 광주는 빼고 진행할게요. 내일 서울에서 부산으로 예매할까요?"


def test_should_say_a_stop_over_left_out_of_an_answer_instead_of_not_understanding_it():
    # 광주 경유로 해주세요 while the date is asked: no fallback, the stop-over said to be left out once
    bot = trip_bot(tagged("광주 경유로 해주세요", "goodbye", ("광주", None)),
                   tagged("광주경유부산", "goodbye", ("광주", None), ("부산", None)))
    bot.handle("w2", "서울에서 부산으로 가는 기차")
    turn = bot.handle("w2", "광주 경유로 해주세요")
    assert turn.state == "ask_slot" and turn.reply == "경유지는 지정할 수 없어서 광주는 빼고 진행할게요. 언제 출발하세요?"
    assert bot.handle("w2", "내일").reply == "내일 서울에서 부산으로 예매할까요?"
    # to where to go: 부산, via 광주
    bot.handle("w3", "서울에서 기차 예매해줘")
    turn = bot.handle("w3", "광주경유부산")
    assert turn.slots == {"origin": "서울", "destination": "부산"}
    assert turn.reply == "경유지는 지정할 수 없어서 광주는 빼고 진행할게요. 언제 출발하세요?"


@pytest.mark.parametrize("setting, reply", [
    ("{value}을/를 거치는 기차는 아직 없어요.", "광주를 거치는 기차는 아직 없어요. 내일 서울에서 부산으로 예매할까요?"),
    ("", "내일 서울에서 부산으로 예매할까요?"),
])
def test_should_say_the_stop_over_left_out_in_the_bots_own_words_or_not_at_all(setting, reply):
    said = "내일 서울에서 광주 거쳐 부산으로 가는 기차"
    parser = StandInParser(overrides=dict([tagged(said, "train_ticket", ("서울", "origin"), ("광주", None),
                                                  ("부산", "destination"))]))
    bot = Bot(parser, parse_scenarios({"bot": {"stop_over": setting}, **TRIP}, intents=parser.intents,
                                      entity_types=parser.entity_types))
    assert bot.handle("w4", said).reply == reply


@pytest.mark.parametrize("said, role", [("부산에서 출발이요", None), ("부산에서요", "origin")])
def test_should_move_a_place_taken_unmarked_when_it_is_said_to_be_where_from(said, role):
    # 기차 예매 부산 took 부산 for where to go; 부산에서 출발이요 says otherwise: it was refused as
    # 출발지와 같은 곳이에요 (the same as an origin none held), now it is the origin and where to is asked
    bot = trip_bot(tagged("기차 예매해줘 부산", "train_ticket", ("부산", None)),
                   tagged(said, "train_ticket", ("부산", role)))
    assert bot.handle("m1", "기차 예매해줘 부산").slots == {"destination": "부산"}
    turn = bot.handle("m1", said)
    assert turn.state == "ask_slot" and turn.slots == {"origin": "부산"} and turn.reply == "어디로 가세요?"


@pytest.mark.parametrize("said", ["광주 경유요", "광주 경유할게요", "광주 들를게요"])
def test_should_hear_a_short_stop_over_answer(said):
    # 광주 경유요 while the date is asked fell back (죄송해요, 잘 이해하지 못했어요)
    bot = trip_bot(tagged(said, "goodbye", ("광주", None)))
    bot.handle("w5", "서울에서 부산으로 가는 기차")
    turn = bot.handle("w5", said)
    assert turn.state == "ask_slot" and turn.reply == "경유지는 지정할 수 없어서 광주는 빼고 진행할게요. 언제 출발하세요?"
