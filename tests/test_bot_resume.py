"""A question asked in the middle of a request (``탕수육 얼마예요?`` while an order is read back or a
count asked): a ``resume`` scenario with slots or an action answers it from that one message, then the
request under way is asked again, its items and counts kept and the question's values left out of it.
The parser stands in for a trained one: ``price`` for 얼마, ``order`` for 주문/주세요/포장, menu items
by dictionary (counts are read by the bot after their item)."""
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

MENU = {"짜장면": ["짜장"], "짬뽕": [], "탕수육": [], "김밥": []}


class _Parser:
    fallback_intent = "fallback"
    intents = ("order", "price")
    entity_types = ("menu", "quantity", "method")
    resolve = {"quantity": "count"}

    def __init__(self):
        self.dictionary = StandInDictionary({"menu": MENU})

    def parse(self, text, today=None):
        found = []
        for s, v in sorted(((w, m) for m, syn in MENU.items() for w in (m, *syn)), key=lambda x: -len(x[0])):
            i = text.find(s)
            while i >= 0:
                if not any(e.start < i + len(s) and i < e.end for e in found):
                    found.append(Entity("menu", s, v, i, i + len(s), 0.9))
                i = text.find(s, i + 1)
        for w in ("포장", "배달"):
            if w in text:
                found.append(Entity("method", w, w, text.index(w), text.index(w) + 2, 0.9))
        found.sort(key=lambda e: e.start)
        if "얼마" in text:
            intent = IntentScore("price", 0.9)
        elif any(w in text for w in ("주문", "주세요", "포장")):
            intent = IntentScore("order", 0.9)
        else:
            intent = IntentScore("fallback", 0.3)
        return ParseResult(text=text, intent=intent, entities=tuple(found), ranking=(intent,))


ORDER = {"intent": "order", "follow_up": False, "confirm": "{menu} {quantity} 주문할까요?",
         "action": "bot_actions:take_order",
         "slot": [{"entity": "menu", "values": "dictionary", "multiple": True, "prompt": "어떤 메뉴로 드릴까요?"},
                  {"entity": "quantity", "counts": "menu", "prompt": "{menu}은/는 몇 개 드릴까요?"}]}
PRICE = {"intent": "price", "action": "bot_actions:price", "resume": True,
         "slot": [{"entity": "menu", "required": False, "multiple": True}]}


def _bot(*scenarios):
    p = _Parser()
    return Bot(p, parse_scenarios({"scenario": list(scenarios)}, "<test>", p.intents, p.entity_types))


def test_should_answer_a_price_at_the_read_back_and_read_the_order_back_again():
    # the price was answered and the order dropped: 네 then said yes to nothing
    bot = _bot(ORDER, PRICE)
    assert bot.handle("s", "짜장면 2개, 짬뽕 1개 주세요").reply == "짜장면 2개, 짬뽕 1개 주문할까요?"
    bot_actions.CALLS.clear()
    turn = bot.handle("s", "탕수육 얼마예요?")
    assert (turn.reply, turn.state, turn.intent) == (
        "탕수육 18,000원이에요. 짜장면 2개, 짬뽕 1개 주문할까요?", "confirm", "order")
    assert [c[0] for c in bot_actions.CALLS] == [{"menu": "탕수육"}]   # the price's own values, once
    bot_actions.CALLS.clear()
    done = bot.handle("s", "네")
    assert (done.reply, done.state) == ("짜장면 2, 짬뽕 1 주문 완료", "complete")   # 탕수육 not added
    slots, context = bot_actions.CALLS[0]
    assert [(i["menu"], i["quantity"]) for i in context["items"]] == [("짜장면", "2개"), ("짬뽕", "1개")]


def test_should_answer_a_price_while_a_count_is_asked_and_take_the_count_after():
    bot = _bot(ORDER, PRICE)
    assert bot.handle("c", "짜장면 두 개랑 짬뽕 주세요").reply == "짬뽕은 몇 개 드릴까요?"
    turn = bot.handle("c", "짜장면이랑 탕수육 얼마예요")
    assert (turn.reply, turn.state) == ("짜장면 6,000원이에요.\n탕수육 18,000원이에요.\n짬뽕은 몇 개 드릴까요?", "ask_slot")
    assert bot.handle("c", "세 개요").reply == "짜장면 2개, 짬뽕 3개 주문할까요?"
    # asked at once, the menu itself (no item named: the optional slot left empty)
    turn = bot.handle("c", "얼마예요?")
    assert turn.reply.startswith("메뉴: 짜장면 6,000원") and turn.reply.endswith("짜장면 2개, 짬뽕 3개 주문할까요?")
    assert bot.handle("c", "네").reply == "짜장면 2, 짬뽕 3 주문 완료"


def test_should_let_a_price_question_that_must_ask_take_over():
    # the menu required: 얼마예요? alone asks which one, and the order gives way to it
    asks = {**PRICE, "slot": [{"entity": "menu", "multiple": True, "prompt": "어떤 메뉴 가격이요?"}]}
    bot = _bot(ORDER, asks)
    bot.handle("m", "짜장면 2개 주세요")
    turn = bot.handle("m", "얼마예요?")
    assert (turn.reply, turn.state, turn.intent) == ("어떤 메뉴 가격이요?", "ask_slot", "price")
    assert bot.handle("m", "짬뽕").reply == "짬뽕 7,500원이에요."
    # without resume a price answered at once takes over too, as before
    bot = _bot(ORDER, {k: v for k, v in PRICE.items() if k != "resume"})
    bot.handle("t", "짜장면 2개 주세요")
    turn = bot.handle("t", "탕수육 얼마예요?")
    assert (turn.reply, turn.state) == ("탕수육 18,000원이에요.", "complete")
    assert bot.session("t")["intent"] is None


def test_should_take_values_of_the_order_said_with_the_question_but_not_the_item_priced_nor_its_count():
    # 배달 said with the price question was lost with the order
    method = {"entity": "method", "values": ["포장", "배달"], "prompt": "포장과 배달 중에 어떻게 해 드릴까요?"}
    order = {**ORDER, "confirm": "{menu} {method} 주문할까요?", "slot": [*ORDER["slot"], method]}
    bot = _bot(order, PRICE)
    assert bot.handle("d", "짜장면 2개 주세요").reply == "포장과 배달 중에 어떻게 해 드릴까요?"
    turn = bot.handle("d", "배달로 하고 탕수육 얼마예요?")
    assert (turn.reply, turn.state) == ("탕수육 18,000원이에요. 짜장면 2개 배달 주문할까요?", "confirm")
    turn = bot.handle("d", "탕수육 3개 얼마예요?")   # 탕수육 and its count stay the question's
    assert (turn.reply, turn.state) == ("탕수육 18,000원이에요. 짜장면 2개 배달 주문할까요?", "confirm")
    assert bot.handle("d", "네").reply == "짜장면 2 주문 완료"
