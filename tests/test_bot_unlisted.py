"""A value said for a slot with a closed list of values that the list lacks, which the model never
tags (it never saw it): ``수영장 예약해줘`` at an apartment office bot whose facilities are 헬스장, 골프장 …
was asked which facility as if nothing was said. The noun said where the value would be (the
request's object, or the answer to the slot's question) is refused with the slot's ``invalid`` reply,
and the question lists the values. The parser is the deterministic stand-in; overrides play a model
that reads the intent and tags nothing."""
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

ORDER = {"scenario": [{
    "intent": "restaurant", "title": "음식 주문", "confirm": "{food}을/를 주문할까요?", "response": "{food} 주문했어요.",
    "slot": [{"entity": "food", "values": "dictionary", "prompt": "어떤 음식을 주문하시겠어요? (짜장면, 김치찌개)",
              "invalid": "'{value}'은/는 주문할 수 없어요."}]}]}
ASK = "어떤 음식을 주문하시겠어요? (짜장면, 김치찌개)"


def order_bot(*texts: str) -> Bot:
    parser = StandInParser(overrides={t: parse_result(t, "restaurant", 0.9) for t in texts})
    return Bot(parser, parse_scenarios(ORDER, intents=parser.intents, entity_types=parser.entity_types))


@pytest.mark.parametrize("text, value", [
    ("라면 주문해줘", "라면"),                 # ends as 짜장면 does: a food
    ("짬뽕을 주문하고 싶어요", "짬뽕"),        # the object of 주문하다, said with 을
    ("라면 좀 주문할래요", "라면"),
    ("해물짬뽕을 주문할래요", "해물짬뽕"),     # a run of nouns, one word (해물 + 짬뽕)
])
def test_should_refuse_a_value_the_list_lacks_said_as_the_object_of_the_request(text, value):
    bot = order_bot(text)
    turn = bot.handle("a", text)
    assert turn.state == "ask_slot" and turn.slots == {}
    assert turn.reply == f"'{value}'은/는 주문할 수 없어요. {ASK}".replace("은/는", "은" if value[-1] in "뽕면" else "는")


@pytest.mark.parametrize("answer", ["짬뽕", "짬뽕이요", "짬뽕으로 해줘"])
def test_should_refuse_a_value_the_list_lacks_said_to_the_slots_question(answer):
    bot = order_bot("주문할게요", answer)
    assert bot.handle("b", "주문할게요").reply == ASK
    turn = bot.handle("b", answer)
    assert turn.state == "ask_slot" and turn.reply == f"'짬뽕'은 주문할 수 없어요. {ASK}"


@pytest.mark.parametrize("text", [
    "주문 좀 해줘",        # the request's own word
    "음식 주문해줘",        # a word of the scenario's own sentences (its prompt, its title)
    "내일 주문해줘",        # a date
    "저녁 주문해줘",        # a part of the day
    "추가 주문해줘",        # bare, and nothing like a listed value: a kind of order, not the food
    "빨리 주문해줘",
])
def test_should_ask_plainly_when_no_word_stands_for_the_value(text):
    # guards (they hold without the rule too): ordinary words around a request are no value refused
    bot = order_bot(text)
    turn = bot.handle("c", text)
    assert turn.state == "ask_slot" and turn.reply == ASK


@pytest.mark.parametrize("text", ["짜장면 주문해줘", "짜장멘 주문해줘"])
def test_should_take_a_listed_value_as_before(text):
    # a guard: a listed value, or one misspelled by a jamo (typo_fix), is no value the list lacks
    bot = order_bot(text)
    assert bot.handle("d", text).reply == "짜장면을 주문할까요?"


def test_should_take_a_misspelled_answer_for_the_listed_value():
    # 광쥬 (MeCab: two nouns) answering a closed list of places is 광주 misspelled, no place the list lacks
    stay = {"scenario": [{"intent": "weather", "title": "숙소 예약", "confirm": "{location} 숙소를 예약할까요?",
                          "response": "예약했어요.", "slot": [{"entity": "location", "values": "dictionary",
                                                              "prompt": "어느 도시요?"}]}]}
    parser = StandInParser(overrides={"숙소 예약할게요": parse_result("숙소 예약할게요", "weather", 0.9)})
    bot = Bot(parser, parse_scenarios(stay, intents=parser.intents, entity_types=parser.entity_types))
    assert bot.handle("f", "숙소 예약할게요").reply == "어느 도시요?"
    assert bot.handle("f", "광쥬").reply == "광주 숙소를 예약할까요?"
    assert bot.handle("g", "숙소 예약할게요").reply == "어느 도시요?"
    assert bot.handle("g", "울산이요").reply == "죄송해요, '울산'은 처리할 수 없어요. 어느 도시요?"


def test_should_leave_a_word_of_another_request_to_that_request():
    # 날씨요 while the food is asked, read surely as the weather: that request, not a food refused
    two = {"scenario": [*ORDER["scenario"], {"intent": "weather", "response": "날씨예요."}]}
    parser = StandInParser(overrides={"주문할게요": parse_result("주문할게요", "restaurant", 0.9)})
    bot = Bot(parser, parse_scenarios(two, intents=parser.intents, entity_types=parser.entity_types))
    bot.handle("e", "주문할게요")
    turn = bot.handle("e", "날씨요")
    assert turn.intent == "weather" and turn.reply == "날씨예요."


BOOK = {"scenario": [{
    "intent": "restaurant", "title": "식당 예약", "confirm": "{location} {date} 예약할까요?", "response": "예약했어요.",
    "slot": [{"entity": "location", "values": "dictionary", "prompt": "어느 지점으로 예약할까요?",
              "invalid": "'{value}' 지점은 없어요."},
             {"entity": "date", "prompt": "언제 오세요?"}]}]}


@pytest.mark.parametrize("text", ["창가 자리를 예약하고 싶어요", "회식을 예약하려고요", "모임을 예약하고 싶어요"])
def test_should_not_refuse_the_object_of_a_booking_that_asks_more_than_the_list(text):
    # a booking asking a date too books a 자리, a 회식: no branch the list lacks ('자리' 지점은 없어요)
    parser = StandInParser(overrides={text: parse_result(text, "restaurant", 0.9)})
    bot = Bot(parser, parse_scenarios(BOOK, intents=parser.intents, entity_types=parser.entity_types))
    turn = bot.handle("h", text)
    assert turn.state == "ask_slot" and turn.reply == "어느 지점으로 예약할까요?"


@pytest.mark.parametrize("answer", ["아무거나요", "아무거나", "나중에요", "다음에요"])
def test_should_not_refuse_an_answer_that_names_no_value(answer):
    # 아무거나요 was refused as '아무거'는 주문할 수 없어요 (MeCab reads 아무거 + a copula), 나중에요 as '나중'
    bot = order_bot("주문할게요", answer)
    bot.handle("i", "주문할게요")
    turn = bot.handle("i", answer)
    assert turn.state == "ask_slot" and turn.reply.endswith(ASK) and "주문할 수 없어요" not in turn.reply


@pytest.mark.parametrize("text", ["제품을 주문하고 싶어요", "물건을 주문하고 싶어요", "택배를 주문할래요"])
def test_should_not_refuse_a_noun_that_names_the_thing_in_general(text):
    # 제품을 교환하고 싶어요 at a shop was refused as '제품'은 저희 쇼핑몰 상품이 아니에요: a word for any product
    bot = order_bot(text)
    turn = bot.handle("j", text)
    assert turn.state == "ask_slot" and turn.reply == ASK


@pytest.mark.parametrize("answer", ["전부요", "추천이요", "처음이요"])
def test_should_not_refuse_an_answer_that_names_all_or_none(answer):
    bot = order_bot("주문할게요", answer)
    bot.handle("k", "주문할게요")
    turn = bot.handle("k", answer)
    assert turn.state == "ask_slot" and turn.reply.endswith(ASK) and "주문할 수 없어요" not in turn.reply
