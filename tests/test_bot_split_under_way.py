"""A message of two requests while one is under way, one of them going on with it (``탕수육
얼마예요? 배달로 할게요`` while an order asks how to take it): that part reaches the order under way,
borrowing nothing from the other, and the question is answered. The parser stands in for a trained
one: ``price`` for 얼마, ``order`` for 주문/주세요/할게요, menu items and methods by word."""
from __future__ import annotations

import os
import sys

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import bot_actions  # noqa: E402
from bot_standin import StandInDictionary  # noqa: E402

from nlukit.bot import Bot  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.types import Entity, IntentScore, ParseResult  # noqa: E402

MENU = {"짜장면": [], "짬뽕": [], "탕수육": []}


class _Parser:
    fallback_intent = "fallback"
    intents = ("order", "price")
    entity_types = ("menu", "quantity", "method")
    resolve = {"quantity": "count"}

    def __init__(self):
        self.dictionary = StandInDictionary({"menu": MENU})

    def parse(self, text, today=None):
        found = [Entity(kind, w, w, text.index(w), text.index(w) + len(w), 0.9)
                 for kind, words in (("menu", MENU), ("method", ("포장", "배달"))) for w in words if w in text]
        found.sort(key=lambda e: e.start)
        # the whole message reads as an order, as the trained model read it (탕수육 borrowed then)
        intent = IntentScore("order", 0.9) if any(w in text for w in ("주세요", "할게요")) \
            else IntentScore("price", 0.9) if "얼마" in text else IntentScore("fallback", 0.3)
        return ParseResult(text=text, intent=intent, entities=tuple(found), ranking=(intent,))


ORDER = {"intent": "order", "follow_up": False, "confirm": "{menu} {quantity} {method} 주문할까요?",
         "action": "bot_actions:take_order",
         "slot": [{"entity": "menu", "values": "dictionary", "multiple": True, "prompt": "어떤 메뉴로 드릴까요?"},
                  {"entity": "quantity", "counts": "menu", "prompt": "{menu}은/는 몇 개 드릴까요?"},
                  {"entity": "method", "values": ["포장", "배달"], "prompt": "포장과 배달 중에 어떻게 해 드릴까요?"}]}
PRICE = {"intent": "price", "action": "bot_actions:price", "resume": True,
         "slot": [{"entity": "menu", "required": False}]}


def test_should_give_the_order_under_way_the_part_going_on_with_it_and_answer_the_question():
    p = _Parser()
    bot = Bot(p, parse_scenarios({"scenario": [ORDER, PRICE]}, "<test>", p.intents, p.entity_types))
    assert bot.handle("s", "짜장면 2개 짬뽕 1개 주세요").reply == "포장과 배달 중에 어떻게 해 드릴까요?"
    turn = bot.handle("s", "탕수육 얼마예요? 배달로 할게요")
    assert (turn.reply, turn.state) == ("탕수육 18,000원이에요.\n짜장면 2개, 짬뽕 1개 배달 주문할까요?", "confirm")
    assert "queue" not in bot.session("s")   # no new order of 탕수육 waiting
    bot_actions.CALLS.clear()
    assert bot.handle("s", "네").reply == "짜장면 2, 짬뽕 1 주문 완료"
    assert bot_actions.CALLS[0][0]["method"] == "배달"
