"""A cancel that names the request under way (다 취소할게요, 예매 취소해줘) and starting over
(처음부터 다시), whatever intent the model reads in them.

The parser is a deterministic stand-in (tests/fixtures/bot/bot_standin.py); each override
makes the model read the turn as another request, surely, as a real model did.
"""
from __future__ import annotations

import os
import sys

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser, parse_result  # noqa: E402

from nlukit.bot import Bot  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402

# each read surely as a greeting (in the ordering bot, 주문 취소할게요 read as its order_cancel)
OTHER = ("다 취소할게요", "예매 취소할게요", "기차 예매 그냥 취소해 주세요", "처음부터 다시", "다시 할게요",
         "처음부터 다시 예매할게요", "어제 예매한 거 취소할게요", "알람 취소해줘", "다 됐어요")


def booking_bot() -> Bot:
    parser = StandInParser(overrides={t: parse_result(t, "greeting", 0.95) for t in OTHER})
    data = {"bot": {"cancel": ["취소", "됐어"], "cancel_reply": "취소했어요."}, "scenario": [
        {"intent": "greeting", "response": "안녕하세요!"},
        {"intent": "train_ticket", "title": "기차 예매",
         "confirm": "{origin}에서 {destination}(으)로 가는 기차를 예매할까요?",
         "response": "{origin}에서 {destination}(으)로 가는 기차를 예매했어요.",
         "slot": [{"entity": "location", "role": "origin", "prompt": "어디에서 출발하세요?"},
                  {"entity": "location", "role": "destination", "prompt": "어디로 가세요?"}]}]}
    return Bot(parser, parse_scenarios(data, intents=parser.intents, entity_types=parser.entity_types))


def test_should_cancel_the_request_under_way_on_a_cancel_that_names_it_or_all():
    for said in ("다 취소할게요", "예매 취소할게요", "기차 예매 그냥 취소해 주세요"):
        bot = booking_bot()
        assert bot.handle("a", "서울에서 부산으로 가는 기차").state == "confirm"   # at the read-back
        turn = bot.handle("a", said)
        assert (turn.state, turn.reply) == ("cancelled", "취소했어요."), said
        assert bot.session("a")["intent"] is None
        assert bot.handle("b", "기차 예매해줘").state == "ask_slot"               # while a slot is asked
        assert bot.handle("b", said).state == "cancelled", said


def test_should_leave_a_cancel_naming_something_else_or_a_done_to_the_model():
    for said in ("어제 예매한 거 취소할게요", "알람 취소해줘", "다 됐어요"):
        bot = booking_bot()
        bot.handle("a", "서울에서 부산으로 가는 기차")
        turn = bot.handle("a", said)
        assert turn.state != "cancelled", said


def test_should_start_the_request_under_way_over_on_starting_again():
    for said in ("처음부터 다시", "다시 할게요", "처음부터 다시 예매할게요"):
        bot = booking_bot()
        bot.handle("a", "서울에서 부산으로 가는 기차")
        turn = bot.handle("a", said)
        assert (turn.state, turn.intent, turn.slots) == ("ask_slot", "train_ticket", {}), said
        assert turn.reply == "네, 처음부터 다시 할게요. 어디에서 출발하세요?"
        assert bot.handle("a", "대구").reply == "어디로 가세요?"
        assert bot.handle("a", "광주").reply == "대구에서 광주로 가는 기차를 예매할까요?"
    bot = booking_bot()
    assert bot.handle("b", "처음부터 다시").reply == "안녕하세요!"   # nothing under way: the model's
