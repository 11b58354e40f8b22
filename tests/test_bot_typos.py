"""A value misspelled by a jamo inside a full request (``[bot] typo_fix``): ``내일 부샨 날씨 어때``.

The parser is the deterministic stand-in (tests/fixtures/bot/bot_standin.py): it tags only
dictionary surfaces, so a misspelled word is one the model did not tag, unless a test gives
the parse the model would (an override).
"""
from __future__ import annotations

import os
import sys
import tomllib

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import DICTIONARY, StandInDictionary, StandInParser, parse_result  # noqa: E402

from nlukit.bot import Bot  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.types import Entity  # noqa: E402

SCENARIOS = os.path.join(HERE, "scenarios.toml")


def make_bot(overrides=None, dictionary=None, **settings) -> Bot:
    """The bot of tests/test_bot.py, its trip's slots with particles and a destination that must
    differ from the origin (as in the demo), the restaurant's food optional and 김치찌개 only."""
    parser = StandInParser(overrides=overrides)
    if dictionary is not None:
        parser.dictionary = StandInDictionary(dictionary)
    with open(SCENARIOS, "rb") as f:
        data = tomllib.load(f)
    data["bot"].update(settings)
    slots = {s["intent"]: s.get("slot", []) for s in data["scenario"]}
    slots["train_ticket"][0]["particles"] = ["에서", "부터"]
    slots["train_ticket"][1].update(particles=["(으)로", "까지"], differs_from="origin",
                                    invalid="출발지와 같은 곳이에요.")
    slots["restaurant"][1].update(values=["김치찌개"], required=False)
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))


# ------------------------------------------------------------------ a value the model tagged

def test_should_read_a_misspelled_value_the_model_tagged_as_the_dictionary_value_it_misspells():
    said = "내일 부샨 날씨 어때"
    tagged = parse_result(said, "weather", 0.95, Entity("date", "내일", "내일", 0, 2, 0.9),
                          Entity("location", "부샨", "부샨", 3, 5, 0.9))
    turn = make_bot({said: tagged}).handle("t1", said)
    assert turn.state == "complete" and turn.reply == "내일 부산의 날씨를 알려드릴게요."
    assert turn.slots["location"] == "부산"
    shown = [e for e in turn.parse.entities if e.entity == "location"]
    assert [(e.text, e.value, e.start, e.end) for e in shown] == [("부샨", "부산", 3, 5)]   # typed text kept


def test_should_grow_a_tagged_piece_of_a_misspelled_word_to_the_word_without_its_particle():
    said = "부샨으로 가는 기차 내일"   # the model tagged 부 of 부샨으로 as where to
    tagged = parse_result(said, "train_ticket", 0.95,
                          Entity("location", "부", "부", 0, 1, 0.6, "destination"),
                          Entity("date", "내일", "내일", 11, 13, 0.9))
    turn = make_bot({said: tagged}).handle("t2", said)
    assert turn.slots == {"destination": "부산", "date": "내일"} and turn.state == "ask_slot"
    assert [(e.text, e.value) for e in turn.parse.entities][0] == ("부샨", "부산")


def test_should_leave_a_tagged_value_that_is_a_word_in_its_own_right_or_two_jamo_off():
    said, other = "모래 서울 날씨", "부쌴 날씨 알려줘"   # 모래 (sand) is a word; 부쌴 is two jamo from 부산
    a = parse_result(said, "weather", 0.95, Entity("date", "모래", "모래", 0, 2, 0.9),
                     Entity("location", "서울", "서울", 3, 5, 0.9))
    b = parse_result(other, "weather", 0.95, Entity("location", "부쌴", "부쌴", 0, 2, 0.9))
    control = "서울 오눌 날씨"   # 눌 for 늘: one jamo, no word
    c = parse_result(control, "weather", 0.95, Entity("location", "서울", "서울", 0, 2, 0.9),
                     Entity("date", "오눌", "오눌", 3, 5, 0.9))
    bot = make_bot({said: a, other: b, control: c})
    assert bot.handle("t3", said).slots["date"] == "모래"
    assert bot.handle("t4", other).slots["location"] == "부쌴"
    assert bot.handle("t5", control).slots["date"] == "오늘"


# ------------------------------------------------------------------ a word the model did not tag

@pytest.mark.parametrize("said,slots", [
    ("서을 날씨 알려줘", {"location": "서울", "date": "오늘"}),
    ("내일 부샨 날씨", {"location": "부산", "date": "내일"}),
    ("서을은 날씨 어때", {"location": "서울", "date": "오늘"}),     # a particle after it
    ("매일 부샨 날씨", {"location": "부산", "date": "오늘"}),       # 매일 is a word: no 내일
    ("모래 서을 날씨", {"location": "서울", "date": "오늘"}),       # 모래 (sand) is no 모레
])
def test_should_fill_a_missing_slot_from_a_misspelled_word_the_model_did_not_tag(said, slots):
    turn = make_bot().handle("w1", said)
    assert turn.state == "complete" and turn.slots == slots


@pytest.mark.parametrize("said,slots", [
    ("서울에서 부샨 가는 기차 내일", {"origin": "서울", "destination": "부산", "date": "내일"}),
    ("부샨에서 서울 가는 기차 내일", {"origin": "부산", "destination": "서울", "date": "내일"}),
    ("내일 서을에서 부샨으로 가는 기차", {"origin": "서울", "destination": "부산", "date": "내일"}),
    ("내일 부샨까지 서을부터 기차", {"origin": "서울", "destination": "부산", "date": "내일"}),
])
def test_should_give_a_misspelled_word_the_slot_its_particle_names(said, slots):
    turn = make_bot().handle("r1", said)
    assert turn.slots == slots


def test_should_correct_a_misspelled_word_only_for_a_slot_still_missing():
    bot = make_bot()
    first = bot.handle("m1", "서울 날씨 알려줘 부샨")   # the location is filled: 부샨 is left alone
    assert first.slots["location"] == "서울"
    turn = bot.handle("m2", "기차 예매해줘")
    assert turn.state == "ask_slot"
    turn = bot.handle("m2", "서을에서 출발하는 기차요")   # more than a bare answer: still read
    assert turn.slots == {"origin": "서울"}


def test_should_never_read_an_ordinary_word_as_a_value_it_is_one_jamo_from():
    # values one jamo from everyday words: the rule of a misspelled answer would take them
    ordinary = {"날씨": "날시", "기차": "기챠", "알람": "알란", "노래": "노레", "시간": "시칸", "예매": "예메",
                "내일": "매일"}
    bot = make_bot(dictionary={**DICTIONARY, "location": {v: [] for v in ordinary.values()}})
    index = bot._index["location"]
    for word, value in ordinary.items():
        assert index.closest(word) == value
        assert bot._typo(word, index) is None, word
    assert bot._typo("매일은", index) is None
    forms = make_bot(dictionary={**DICTIONARY, "artist": {"보아": []}, "song": {"좋니": []}})   # 보자, 봇아, 좋네
    assert [forms._typo(w, forms._index[t]) for w, t in (("보자", "artist"), ("봇아", "artist"), ("좋네", "song"))] \
        == [None, None, None]
    assert forms._typo("뵤아", forms._index["artist"]) == (2, "보아")
    assert bot._typo("날쉬", index) == (2, "날시")     # not a word: a typo of the value
    turn = bot.handle("o1", "내일 기차 예매")            # 기차: no location
    assert turn.slots == {"date": "내일"} and turn.state == "ask_slot"


def test_should_not_correct_a_word_two_values_are_equally_close_to_nor_one_two_jamo_off():
    bot = make_bot(dictionary={**DICTIONARY, "location": {"부산": [], "부안": [], "서울": []}})
    turn = bot.handle("e1", "부잔 날씨 알려줘")    # 부산 or 부안?
    assert "location" not in turn.slots and turn.state == "ask_slot"
    turn = bot.handle("e2", "부쌴 날씨 알려줘")    # two jamo from 부산
    assert "location" not in turn.slots
    assert bot.handle("e3", "서을 날씨 알려줘").slots["location"] == "서울"   # control


def test_should_not_correct_a_word_two_missing_types_claim():
    dictionary = {**DICTIONARY, "location": {"부산": []}, "date": {"부상": [], "내일": []}}
    turn = make_bot(dictionary=dictionary).handle("c1", "부삳 날씨")   # 부산 (location) or 부상 (date)?
    assert "location" not in turn.slots
    alone = make_bot(dictionary={**DICTIONARY, "location": {"부산": []}}).handle("c2", "부삳 날씨")
    assert alone.slots["location"] == "부산"


# ------------------------------------------------------------------ the slot's checks

def test_should_check_a_corrected_value_as_any_value_of_the_slot():
    bot = make_bot()
    turn = bot.handle("v1", "서울에서 서을로 가는 기차 내일")   # the destination may not be the origin
    assert turn.slots.get("origin") == "서울" and "destination" not in turn.slots
    assert "출발지와 같은 곳이에요." in turn.reply
    turn = bot.handle("v2", "서울 짜쟝면 맛집")   # 짜장면 is not one of the slot's values
    assert turn.slots == {"location": "서울"} == bot.handle("v4", "서울 짜장면 맛집").slots   # as spelled right
    turn = bot.handle("v3", "서울 김치찌게 맛집")   # 김치찌개 is
    assert turn.slots == {"location": "서울", "food": "김치찌개"}


def test_should_not_correct_misspelled_values_with_typo_fix_off():
    said = "내일 부샨 날씨 어때"
    tagged = parse_result(said, "weather", 0.95, Entity("location", "부샨", "부샨", 3, 5, 0.9))
    bot = make_bot({said: tagged}, typo_fix=False)
    assert bot.handle("f1", said).slots["location"] == "부샨"
    assert "location" not in bot.handle("f2", "서을 날씨 알려줘").slots
    assert make_bot().settings.typo_fix is True


def test_should_say_once_that_typo_fix_is_off_when_mecab_cannot_read_words(monkeypatch, caplog):
    # Given no MeCab (a broken install): every word counts as real, so nothing is corrected; a
    # log line says so once, with the fix, instead of switching the feature off in silence
    from nlukit.bot import dialogue

    def broken(name):
        raise RuntimeError("no mecab-ko-dic")

    monkeypatch.setattr(dialogue, "get_tokenizer", broken)
    bot = make_bot()
    with caplog.at_level("WARNING", logger="nlukit.bot"):
        assert "location" not in bot.handle("m1", "서을 날씨 알려줘").slots
        bot.handle("m2", "대젼 날씨 알려줘")
    said = [r.getMessage() for r in caplog.records if "typo_fix is off" in r.getMessage()]
    assert len(said) == 1 and "no mecab-ko-dic" in said[0] and "typo_fix = false" in said[0]


def test_should_grow_a_span_the_model_cut_inside_a_misspelled_word_and_retype_a_value_of_another_type():
    said = "내일 사울역으로 가는 기차"   # the model tagged 울역 of 사울역으로 (서울역)
    cut = parse_result(said, "train_ticket", 0.95, Entity("date", "내일", "내일", 0, 2, 0.9),
                       Entity("location", "울역", "울역", 4, 6, 0.6, "destination"))
    other = "방탄 봄닐 틀어줘"   # 봄닐 tagged as an artist: it misspells the song 봄날
    wrong = parse_result(other, "music", 0.95, Entity("artist", "방탄소년단", "방탄", 0, 2, 0.9),
                         Entity("artist", "봄닐", "봄닐", 3, 5, 0.7))
    bot = make_bot({said: cut, other: wrong})
    turn = bot.handle("g1", said)
    assert turn.slots == {"date": "내일", "destination": "서울역"}
    assert [(e.entity, e.text, e.value, e.start) for e in turn.parse.entities][1] == ("location", "사울역", "서울역", 3)
    turn = bot.handle("g2", other)
    assert [(e.entity, e.text, e.value) for e in turn.parse.entities][1] == ("song", "봄닐", "봄날")
    assert turn.slots == {"artist": "방탄소년단", "song": "봄날"}


def test_should_read_a_misspelled_value_in_a_follow_up_and_in_one_request_of_several():
    bot = make_bot()
    assert bot.handle("u1", "서울 날씨 알려줘").slots["location"] == "서울"
    turn = bot.handle("u1", "부샨은?")   # a follow-up replaces the value: any slot of its type is open
    assert turn.state == "complete" and turn.slots["location"] == "부산"
    turn = bot.handle("u2", "서울에서 부샨 가는 기차 예매하고 부샨 날씨도 알려줘")
    weather = [r for r in turn.requests if r["intent"] == "weather"]
    assert "부산의 날씨" in weather[0]["reply"]   # its own value, not the trip's 서울


def test_should_split_one_request_said_twice_when_the_second_says_a_misspelled_value_of_its_own():
    # 서울 날씨 알려주고 부샨 날씨도 알려줘: the weather twice, each with its own place; the misspelled
    # 부샨 is the second's value, so the message is two answers, not 서울's weather alone
    turn = make_bot().handle("u", "서울 날씨 알려주고 부샨 날씨도 알려줘")
    assert turn.reply == "오늘 서울의 날씨를 알려드릴게요.\n오늘 부산의 날씨를 알려드릴게요."
    assert [r["text"] for r in turn.requests] == ["서울 날씨 알려주고", "부샨 날씨도 알려줘"]


@pytest.mark.parametrize("said", ["서울 말고 부샨 날씨 알려줘", "서울 아니 부샨 날씨 알려줘",
                                  "서울 아 아니 부샨 날씨 알려줘", "서울 날씨 어때 아니 부샨"])
def test_should_read_a_misspelled_value_that_replaces_a_value_ruled_out_right_before_it(said):
    # 서울 말고 부샨: 서울 is taken back, so its slot is open for the misspelled 부산 after it (not
    # asked again, and above all not 서울's weather for 서울 아니 부샨)
    turn = make_bot().handle("u", said)
    assert turn.state == "complete" and turn.slots["location"] == "부산"


def test_should_read_a_misspelled_destination_that_replaces_one_ruled_out():
    turn = make_bot().handle("u", "내일 서울에서 대구 말고 부샨으로 가는 기차 예매해줘")
    assert (turn.slots["origin"], turn.slots["destination"]) == ("서울", "부산")


# ------------------------------------------------------------------ the intent of the text as corrected

def test_should_take_the_intent_of_the_corrected_text_when_the_model_is_surer_of_it():
    said, fixed = "부샨에서 출발할게요", "부산에서 출발할게요"   # the misspelling led the model to a greeting
    misread = parse_result(said, "greeting", 0.65, Entity("location", "부샨", "부샨", 0, 2, 0.6, "origin"))
    right = parse_result(fixed, "train_ticket", 0.85, Entity("location", "부산", "부산", 0, 2, 0.9, "origin"))
    bot = make_bot({said: misread, fixed: right})
    seen: list[str] = []
    parse = bot.parser.parse
    bot.parser.parse = lambda text, **kw: seen.append(text) or parse(text, **kw)
    turn = bot.handle("r1", said)
    assert turn.intent == "train_ticket" and turn.state == "ask_slot" and turn.slots == {"origin": "부산"}
    assert [(e.text, e.value, e.start, e.end) for e in turn.parse.entities] == [("부샨", "부산", 0, 2)]
    assert turn.parse.text == said and seen == [said, fixed]   # one parse more, offsets in the text as typed
    # less sure of the corrected text: the first reading stands; no correction: no second parse
    bot = make_bot({said: misread, fixed: parse_result(fixed, "train_ticket", 0.5)})
    assert bot.handle("r2", said).intent == "greeting"
    bot = make_bot({"부산에서 출발할게요": misread})
    seen.clear()
    parse = bot.parser.parse
    bot.parser.parse = lambda text, **kw: seen.append(text) or parse(text, **kw)
    bot.handle("r3", "부산 날씨")
    assert seen == ["부산 날씨"]


# ------------------------------------------------------------------ a misspelled value glued to the next word

@pytest.mark.parametrize("said,slots", [
    ("낼 부샨날씨", {"location": "부산", "date": "내일"}),
    ("서을날씨 알려줘", {"location": "서울", "date": "오늘"}),
    ("부샨날씨는 어때", {"location": "부산", "date": "오늘"}),
])
def test_should_read_a_misspelled_value_typed_without_a_space_before_a_word(said, slots):
    turn = make_bot().handle("g1", said)
    assert turn.state == "complete" and turn.slots == slots


def test_should_not_read_a_word_in_its_own_right_before_a_glued_word_as_a_value():
    # 매일 is a word (no 내일), 서울 as typed is no typo, 부샨 before no word MeCab knows is left
    bot = make_bot()
    assert bot.handle("g2", "매일날씨 알려줘").state == "ask_slot"
    assert bot.handle("g3", "서울날씨 알려줘").slots["location"] == "서울"
    assert bot.handle("g4", "부샨뚊뛺 날씨").state == "ask_slot"


def test_should_not_read_the_discourse_word_mal_with_the_copula_as_a_misspelled_date():
    # review: 부산 말이야 filled the date with 말일 (말이 + 야, one jamo from 말일); 말이야, 말이에요,
    # 말이요 are 말 with the copula, what one says to point at the value before it
    bot = make_bot(dictionary={**DICTIONARY, "date": {**DICTIONARY["date"], "말일": []}})
    index = bot._index["date"]
    assert [bot._typo(w, index) for w in ("말이야", "말이에요", "말이요", "말인데")] == [None] * 4
    assert bot.handle("m1", "날씨 알려줘").state == "ask_slot"
    turn = bot.handle("m1", "부산 말이야")
    assert turn.state == "complete" and turn.slots == {"location": "부산", "date": "오늘"}
    assert bot._typo("부샨이요", bot._index["location"]) == (2, "부산")   # a misspelled value with 이요 still is one
