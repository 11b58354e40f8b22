"""Orders of several items, each with its own count (짜장면 두 개 짬뽕 하나): a count slot with
``counts = "menu"`` pairs each count with its item, and the scenario answers once, for the order.
The parser stands in for a trained one: keyword intents, menu items by dictionary, counts tagged
only where a test says the model tagged them (the bot reads the others after their item)."""
from __future__ import annotations

import dataclasses
import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import bot_actions  # noqa: E402
from bot_standin import StandInDictionary  # noqa: E402

from nlukit.bot import Bot  # noqa: E402
from nlukit.bot.scenario import parse_scenarios  # noqa: E402
from nlukit.errors import ScenarioError  # noqa: E402
from nlukit.temporal import resolve  # noqa: E402
from nlukit.types import Entity, IntentScore, ParseResult  # noqa: E402

MENU = {"짜장면": ["짜장"], "짬뽕": [], "탕수육": [], "아메리카노": ["아아"], "라떼": [], "김밥": [], "라면": []}


class _Parser:
    """``order`` when the text says 주문/주세요/포장, else fallback; menu items by longest dictionary
    match; counts only those listed in ``counts`` for the text (the tagger's own reading)."""

    fallback_intent = "fallback"
    intents = ("order",)
    entity_types = ("menu", "quantity")
    resolve = {"quantity": "count"}

    def __init__(self, counts=None):
        self.counts = counts or {}
        self.dictionary = StandInDictionary({"menu": MENU})

    def parse(self, text, today=None):
        found = []
        surfaces = sorted(((s, v) for v, syn in MENU.items() for s in (v, *syn)), key=lambda x: -len(x[0]))
        taken = []
        for s, v in surfaces:
            i = text.find(s)
            while i >= 0:
                if not any(a < i + len(s) and i < b for a, b in taken):
                    taken.append((i, i + len(s)))
                    found.append(Entity("menu", s, v, i, i + len(s), 0.9))
                i = text.find(s, i + 1)
        for surface in self.counts.get(text, ()):
            i = text.index(surface)
            found.append(Entity("quantity", surface, surface, i, i + len(surface), 0.9, None, resolve("count", surface)))
        if "우동" in text:   # the tagger's guess of a menu item the dictionary lacks
            i = text.index("우동")
            found.append(Entity("menu", "우동", "우동", i, i + 2, 0.9))
        found.sort(key=lambda e: e.start)
        sure = any(w in text for w in ("주문", "주세요", "포장"))
        intent = IntentScore("order", 0.9) if sure else IntentScore("fallback", 0.3)
        return ParseResult(text=text, intent=intent, entities=tuple(found), ranking=(intent,))


def _order(quantity=None, **scenario):
    return {"intent": "order", "follow_up": False,
            "confirm": "{menu} {quantity} 주문할까요?", "response": "{menu} {quantity} 주문 받았어요.",
            "slot": [{"entity": "menu", "values": "dictionary", "multiple": True, "prompt": "어떤 메뉴로 드릴까요?",
                      "invalid": "'{value}'은/는 메뉴에 없어요."},
                     {"entity": "quantity", "counts": "menu", "prompt": "{menu}은/는 몇 개 드릴까요?",
                      **({"default": "1개"} if quantity is None else quantity)}],
            **scenario}


def _bot(counts=None, *scenarios):
    p = _Parser(counts)
    return Bot(p, parse_scenarios({"scenario": list(scenarios or (_order(),))}, "<test>", p.intents, p.entity_types))


@pytest.mark.parametrize("text,tagged,read_back", [
    ("짜장면 두 개 짬뽕 하나 주세요", ["두 개"], "짜장면 2개, 짬뽕 1개 주문할까요?"),
    ("짜장면 두 개 짬뽕 하나 주세요", [], "짜장면 2개, 짬뽕 1개 주문할까요?"),          # no count tagged
    ("아메리카노 2잔이랑 라떼 한 잔 주세요", ["2잔", "한 잔"], "아메리카노 2잔, 라떼 1잔 주문할까요?"),
    ("김밥 3줄, 라면 2개 주세요", [], "김밥 3줄, 라면 2개 주문할까요?"),
    ("짜장면은 두 개 짬뽕은 세 개 주세요", [], "짜장면 2개, 짬뽕 3개 주문할까요?"),
    ("두 잔 라떼랑 아메리카노 한 잔 주세요", ["두 잔"], "라떼 2잔, 아메리카노 1잔 주문할까요?"),   # a count before
    ("짜장면이랑 짬뽕 하나 주세요", [], "짜장면 1개, 짬뽕 1개 주문할까요?"),   # no count: the default
    ("짜장 두 개 주세요", [], "짜장면 2개 주문할까요?"),   # one item: as without counts
])
def test_should_pair_each_item_with_the_count_said_with_it(text, tagged, read_back):
    # only the first item and its count were taken: 짜장면 2개 포장 주문할까요?, 짬뽕 silently dropped
    bot = _bot({text: tagged})
    turn = bot.handle("s", text)
    assert (turn.reply, turn.state) == (read_back, "confirm")


@pytest.mark.parametrize("text,tagged,read_back", [
    ("짜장면이랑 짬뽕 두 개씩 주세요", [], "짜장면 2개, 짬뽕 2개 주문할까요?"),
    ("짜장면이랑 짬뽕 하나씩 주세요", ["하나"], "짜장면 1개, 짬뽕 1개 주문할까요?"),
    ("탕수육 하나 짜장면이랑 짬뽕 두 개씩 주세요", [], "탕수육 1개, 짜장면 2개, 짬뽕 2개 주문할까요?"),
    # listed with 도, or with a word of the item's before the and (author15 had these; lost in the merge)
    ("짜장면도 짬뽕도 하나씩 주세요", ["하나"], "짜장면 1개, 짬뽕 1개 주문할까요?"),
    ("짜장면 곱빼기랑 짬뽕 두 개씩 주세요", [], "짜장면 2개, 짬뽕 2개 주문할까요?"),
    ("짜장면 곱빼기랑 짬뽕과 탕수육 하나씩 주세요", [], "짜장면 1개, 짬뽕 1개, 탕수육 1개 주문할까요?"),
])
def test_should_give_each_item_of_a_list_the_count_said_with_ssik(text, tagged, read_back):
    # 하나씩 paired with the last item only: 짜장면 was asked (no default) or took the default 1개
    bot = _bot({text: tagged}, _order(quantity={}))
    turn = bot.handle("s", text)
    assert (turn.reply, turn.state) == (read_back, "confirm")


def test_should_read_a_count_typed_right_before_its_request_word():
    # 짬뽕세개주세요, all run together: the untagged 세개 was not read, 짬뽕 took the default 1개
    text = "짜장면두개짬뽕세개주세요"
    turn = _bot({text: ["두개"]}).handle("s", text)
    assert (turn.reply, turn.state) == ("짜장면 2개, 짬뽕 3개 주문할까요?", "confirm")


@pytest.mark.parametrize("tagged", [[], ["한 줄"]])
def test_should_add_an_item_counted_in_jul_at_the_read_back(tagged):
    # 줄, the counter of 김밥, was read as 줄여 (fewer): '한 줄 추가'는 처리할 수 없어요 and 김밥 asked
    bot = _bot({"김밥도 한 줄 추가요": tagged})
    assert bot.handle("s", "짜장면 두 개 주세요").reply == "짜장면 2개 주문할까요?"
    turn = bot.handle("s", "김밥도 한 줄 추가요")
    assert (turn.reply, turn.state) == ("짜장면 2개, 김밥 1줄 주문할까요?", "confirm")
    # fewer is still fewer: 줄여 after the counter 줄
    assert bot.handle("s", "김밥 한 줄 더요").reply == "짜장면 2개, 김밥 2줄 주문할까요?"
    assert bot.handle("s", "김밥 한 줄 줄여주세요").reply == "짜장면 2개, 김밥 1줄 주문할까요?"


def test_should_answer_once_for_the_order_and_give_an_action_each_item_with_its_count():
    sc = _order()
    del sc["response"]
    bot = _bot({}, {**sc, "action": "bot_actions:take_order"})
    bot.handle("s", "짜장면 두 개 짬뽕 하나 주세요")
    bot_actions.CALLS.clear()
    done = bot.handle("s", "네")
    assert (done.reply, done.state) == ("짜장면 2, 짬뽕 1 주문 완료", "complete")
    assert len(bot_actions.CALLS) == 1   # one order, not one call per item
    slots, context = bot_actions.CALLS[0]
    assert slots == {"menu": "짜장면, 짬뽕", "quantity": "2개, 1개"}
    assert [(i["menu"], i["quantity"], i["resolved"]["unit"]) for i in context["items"]] == [
        ("짜장면", "2개", "개"), ("짬뽕", "1개", "개")]
    assert done.slots == {"menu": "짜장면, 짬뽕", "quantity": "2개, 1개"}


def test_should_say_the_order_in_the_response_and_the_total_where_the_count_stands_alone():
    sc = _order(response="{menu} 주문 받았어요. 모두 {quantity}예요.")
    bot = _bot({}, sc)
    bot.handle("s", "짜장면 두 개 짬뽕 하나 주세요")
    assert bot.handle("s", "네").reply == "짜장면 2개, 짬뽕 1개 주문 받았어요. 모두 3개예요."


def test_should_ask_the_count_of_each_item_said_without_one_when_the_count_has_no_default():
    bot = _bot({}, _order(quantity={}))
    turn = bot.handle("s", "짜장면 두 개랑 짬뽕 주세요")
    assert (turn.reply, turn.state) == ("짬뽕은 몇 개 드릴까요?", "ask_slot")
    turn = bot.handle("s", "세 개요")
    assert (turn.reply, turn.state) == ("짜장면 2개, 짬뽕 3개 주문할까요?", "confirm")
    # both without: asked one after the other
    bot.handle("t", "짜장면이랑 짬뽕 주세요")
    assert bot.handle("t", "하나요").reply == "짬뽕은 몇 개 드릴까요?"
    assert bot.handle("t", "둘이요").reply == "짜장면 1개, 짬뽕 2개 주문할까요?"


def test_should_refuse_a_rough_count_for_its_item_and_ask_that_item_again():
    bot = _bot({})
    turn = bot.handle("s", "짜장면 두세 개 짬뽕 하나 주세요")
    assert turn.state == "ask_slot"
    assert turn.reply == "'두세 개'는 정확한 수가 아니에요. 정확한 수로 말씀해 주세요. 짜장면은 몇 개 드릴까요?"
    assert turn.slots == {"menu": "짜장면, 짬뽕"}   # no count shown for the one asked
    assert bot.handle("s", "두 개요").reply == "짜장면 2개, 짬뽕 1개 주문할까요?"


def test_should_keep_a_count_said_before_any_item_for_the_item_said_next():
    bot = _bot({"두 개 주문할게요": ["두 개"], "두 개요": ["두 개"]})
    assert bot.handle("s", "두 개 주문할게요").reply == "어떤 메뉴로 드릴까요?"
    assert bot.handle("s", "짬뽕이요").reply == "짬뽕 2개 주문할까요?"
    # said while the item is asked: kept, the question asked again without a fallback reply
    assert bot.handle("t", "주문할게요").reply == "어떤 메뉴로 드릴까요?"
    assert (bot.handle("t", "두 개요").reply, bot.handle("t", "짬뽕이요").reply) == (
        "어떤 메뉴로 드릴까요?", "짬뽕 2개 주문할까요?")


@pytest.mark.parametrize("change,read_back", [
    ("짬뽕은 빼주세요", "짜장면 2개 주문할까요?"),
    ("짬뽕 빼고요", "짜장면 2개 주문할까요?"),
    ("짜장면 하나 더요", "짜장면 3개, 짬뽕 1개 주문할까요?"),
    ("짜장면 한 개 빼줘", "짜장면 1개, 짬뽕 1개 주문할까요?"),
    ("탕수육도 하나요", "짜장면 2개, 짬뽕 1개, 탕수육 1개 주문할까요?"),
    ("탕수육도 하나 추가요", "짜장면 2개, 짬뽕 1개, 탕수육 1개 주문할까요?"),   # a new item: one, not the default and one
    ("짬뽕은 세 개로 해주세요", "짜장면 2개, 짬뽕 3개 주문할까요?"),
    ("짬뽕 말고 탕수육이요", "짜장면 2개, 탕수육 1개 주문할까요?"),
])
def test_should_change_the_order_at_its_read_back(change, read_back):
    bot = _bot({})
    assert bot.handle("s", "짜장면 두 개 짬뽕 하나 주세요").reply == "짜장면 2개, 짬뽕 1개 주문할까요?"
    turn = bot.handle("s", change)
    assert (turn.reply, turn.state) == (read_back, "confirm")


@pytest.mark.parametrize("first,change,read_back", [
    ("짜장면 두 개 주세요", "아니 짬뽕 두 개로", "짬뽕 2개 주문할까요?"),
    ("짜장면 두 개 주세요", "아니 짬뽕으로 주세요", "짬뽕 2개 주문할까요?"),   # one item for one: its count kept
    ("짜장면 두 개 짬뽕 하나 주세요", "아니 탕수육 하나만요", "탕수육 1개 주문할까요?"),
    ("짜장면 두 개 주세요", "짬뽕도 주세요", "짜장면 2개, 짬뽕 1개 주문할까요?"),
    ("짜장면 두 개 주세요", "짬뽕으로 바꿔주세요", "짬뽕 2개 주문할까요?"),   # one item for one, no no: its count kept
    ("짜장면 두 개 주세요", "짬뽕으로 할게요", "짬뽕 2개 주문할까요?"),
    ("짜장면 두 개 짬뽕 하나 주세요", "세 개로요", "짜장면 2개, 짬뽕 3개 주문할까요?"),   # the last item said
    ("짜장면 두 개 짬뽕 하나 주세요", "하나 더요", "짜장면 2개, 짬뽕 2개 주문할까요?"),
])
def test_should_take_a_no_and_items_as_the_order_and_a_count_alone_as_the_last_items(first, change, read_back):
    bot = _bot({})
    bot.handle("s", first)
    assert bot.handle("s", change).reply == read_back


def test_should_take_no_count_from_a_word_the_tagger_tagged_as_one():
    # a tiny model tagged the 은 of 짬뽕은 빼주세요 as a quantity: 짜장면's count was refused and asked
    bot = _bot({"짬뽕은 빼주세요": ["은"]})
    bot.handle("s", "짜장면 두 개 짬뽕 하나 주세요")
    assert bot.handle("s", "짬뽕은 빼주세요").reply == "짜장면 2개 주문할까요?"


def test_should_say_the_count_in_a_follow_up_as_without_counts():
    # 탕수육은? after an order answered: the read-back's {menu} {quantity} said 탕수육 without its count
    sc = _order(follow_up=True)
    del sc["confirm"]
    bot = _bot({}, sc)
    assert bot.handle("s", "짜장면 두 개 짬뽕 하나 주세요").reply == "짜장면 2개, 짬뽕 1개 주문 받았어요."
    turn = bot.handle("s", "탕수육은?")
    assert (turn.reply, turn.state) == ("탕수육 2개 주문 받았어요.", "complete")   # the last count kept, as for any slot


class _MethodParser(_Parser):
    """The order parser, with 포장 and 배달 tagged as a ``method``."""

    entity_types = ("menu", "quantity", "method")

    def parse(self, text, today=None):
        got = super().parse(text, today)
        said = [Entity("method", w, w, text.index(w), text.index(w) + 2, 0.9) for w in ("포장", "배달") if w in text]
        return ParseResult(text=text, intent=got.intent, ranking=got.ranking,
                           entities=tuple(sorted((*got.entities, *said), key=lambda e: e.start)))


def test_should_keep_every_item_in_a_follow_up_that_names_no_item():
    # 배달로요 after the order answered ran it again with 짜장면 2개 alone: 짬뽕 was lost
    sc = _order(follow_up=True, response="{menu} {quantity} [{method} ]주문 받았어요.")
    del sc["confirm"]
    sc["slot"].append({"entity": "method", "required": False})
    p = _MethodParser({})
    bot = Bot(p, parse_scenarios({"scenario": [sc]}, "<test>", p.intents, p.entity_types))
    assert bot.handle("s", "짜장면 두 개 짬뽕 하나 주세요").reply == "짜장면 2개, 짬뽕 1개 주문 받았어요."
    turn = bot.handle("s", "배달로요")
    assert (turn.reply, turn.state) == ("짜장면 2개, 짬뽕 1개 배달 주문 받았어요.", "complete")
    # an item named anew is the order, as before: 탕수육 with the last count
    assert bot.handle("s", "탕수육은?").reply == "탕수육 2개 배달 주문 받았어요."


def test_should_wait_when_asked_to_whatever_the_tagger_tagged_in_it():
    # the tagger read 잠깐만 as a menu item: '잠깐만'은 메뉴에 없어요, instead of waiting
    class Tagging(_Parser):
        def parse(self, text, today=None):
            got = super().parse(text, today)
            if not text.startswith("잠깐만"):
                return got
            return ParseResult(text=text, intent=got.intent, ranking=got.ranking,
                               entities=(Entity("menu", "잠깐만", "잠깐만", 0, 3, 0.8),))
    p = Tagging({})
    bot = Bot(p, parse_scenarios({"scenario": [_order()]}, "<test>", p.intents, p.entity_types))
    assert bot.handle("s", "짜장면 두 개 주세요").reply == "짜장면 2개 주문할까요?"
    turn = bot.handle("s", "잠깐만요")
    assert (turn.reply, turn.state) == ("네, 천천히 말씀해 주세요. 짜장면 2개 주문할까요?", "confirm")


@pytest.mark.parametrize("tagged", ["108-", "108-1905", None])
def test_should_take_the_pattern_match_a_tagged_piece_of_it_lies_in(tagged):
    # 108-1905 at the read-back was read as a rough count ('108-1905'는 정확한 수가 아니에요) and the
    # count asked, whether the tagger tagged 108- (refused by the address pattern), all of it or nothing
    class Partial(_Parser):
        entity_types = ("menu", "quantity", "address")

        def parse(self, text, today=None):
            got = super().parse(text, today)
            if "-" not in text or tagged is None:
                return got
            return ParseResult(text=text, intent=got.intent, ranking=got.ranking,
                               entities=(*got.entities, Entity("address", tagged, tagged, 0, len(tagged), 0.7)))
    sc = _order(confirm="{menu} {quantity}[ {address}(으)로] 주문할까요?")
    sc["slot"].append({"entity": "address", "required": False, "pattern": r"\d{1,4}-\d{1,4}"})
    p = Partial({})
    bot = Bot(p, parse_scenarios({"scenario": [sc]}, "<test>", p.intents, p.entity_types))
    assert bot.handle("s", "짜장면 두 개 주세요").reply == "짜장면 2개 주문할까요?"
    turn = bot.handle("s", "108-1905")
    assert (turn.reply, turn.state) == ("짜장면 2개 108-1905로 주문할까요?", "confirm")


def test_should_name_an_item_the_menu_lacks_and_take_the_others():
    bot = _bot({})
    turn = bot.handle("s", "짜장면 두 개 우동 하나 주세요")   # the tagger's 우동, not on the menu
    assert (turn.reply, turn.state) == ("'우동'은 메뉴에 없어요. 짜장면 2개 주문할까요?", "confirm")


@pytest.mark.parametrize("text", ["짜장면 하나랑 마라탕 하나 주세요", "마라탕 두 개랑 짜장면 하나 주세요",
                                  "짜장면 하나 마라탕은 세 개 주세요"])
def test_should_name_an_untagged_item_said_with_a_count_that_the_menu_lacks(text):
    # 마라탕, which the model did not tag, was dropped without a word (or its count went to 짜장면)
    bot = _bot({}, _order(quantity={}))
    turn = bot.handle("s", text)
    assert (turn.reply, turn.state) == ("'마라탕'은 메뉴에 없어요. 짜장면 1개 주문할까요?", "confirm")
    # a word of the scenario's own sentences (주문) or a listed item before a count is no such item
    assert bot.handle("t", "짜장면 두 개 주문 하나 더 주세요").reply == "짜장면 2개 주문할까요?"
    assert bot.handle("u", "짜장면 두 개 짬뽕 하나 주세요").reply == "짜장면 2개, 짬뽕 1개 주문할까요?"
    # nor is a word said right after an item, about it
    assert _bot({}).handle("v", "짜장면 곱빼기 하나 주세요").reply == "짜장면 1개 주문할까요?"


def test_should_keep_one_item_and_one_count_as_before_without_counts():
    # a scenario without counts: unchanged (the first item and its count)
    plain = _order()
    plain["slot"] = [dict(plain["slot"][0]), {"entity": "quantity", "default": "1개"}]
    one = _bot({"짜장면 두 개 주세요": ["두 개"]}, plain)
    assert one.handle("s", "짜장면 두 개 주세요").reply == "짜장면 2개 주문할까요?"
    assert one.handle("s", "네").reply == "짜장면 2개 주문 받았어요."


@pytest.mark.parametrize("slot,message", [
    ({"counts": "size"}, "names slot 'size', which is not another slot"),
    ({"counts": "quantity"}, "names slot 'quantity', which is not another slot"),
    ({"counts": "menu", "prompt": None}, "asks the count of an item said with none"),
])
def test_should_refuse_a_counts_key_that_names_no_item_slot_or_has_no_prompt(slot, message):
    sc = _order()
    sc["slot"][1] = {k: v for k, v in {**sc["slot"][1], **slot}.items() if v is not None}
    with pytest.raises(ScenarioError, match=message):
        parse_scenarios({"scenario": [sc]}, "<test>")


def test_should_refuse_counting_an_item_slot_that_takes_one_value():
    sc = _order()
    sc["slot"][0] = {k: v for k, v in sc["slot"][0].items() if k != "multiple"}
    with pytest.raises(ScenarioError, match="needs multiple = true on 'menu'"):
        parse_scenarios({"scenario": [sc]}, "<test>")


# ------------------------------------------------------------------ over a tiny trained model

ORDER_PATTERNS = """\
@order
{menu} {quantity} (포장|주세요|포장해주세요|주문할게요)
{menu} {quantity} {menu} {quantity} (포장|주세요|포장해주세요)
{menu} {quantity}(이랑|하고) {menu} {quantity} (주세요|포장해주세요)
{menu}(이랑|하고) {menu} (주세요|포장해주세요)
{menu} (주세요|포장해주세요|포장이요)
(포장|주문)(할게요|하려고요|이요)

@greeting
(안녕하세요|안녕|반가워요)
"""
ORDER_DICT = """\
entity,value,synonyms
menu,짜장면,자장면|짜장
menu,짬뽕,
menu,탕수육,
menu,볶음밥,
quantity,1개,한 개|하나
quantity,2개,두 개|둘
quantity,3개,세 개|셋
"""


@pytest.fixture(scope="module")
def order_nlu(tmp_path_factory: pytest.TempPathFactory):
    import torch

    import nlukit

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("order")
    (root / "patterns").mkdir()
    (root / "patterns" / "order.txt").write_text(ORDER_PATTERNS, encoding="utf-8")
    (root / "dicts").mkdir()
    (root / "dicts" / "menu.csv").write_text(ORDER_DICT, encoding="utf-8")
    nlukit.generate(str(root / "patterns"), str(root / "dicts"), str(root / "data"), per_intent=120, seed=13,
                    split="sentence", progress=False)
    fixture = os.path.join(os.path.dirname(__file__), "fixtures", "model", "tiny.toml")
    nlukit.train(str(root / "data"), str(root / "model"), config=fixture, progress=False)
    return nlukit.load(str(root / "model"))


@pytest.mark.slow
def test_should_take_an_order_of_items_each_with_its_count_over_a_trained_model(order_nlu):
    sc = _order(confirm="{menu} {quantity} 포장할까요?", response="{menu} {quantity} 포장 주문 받았어요.")
    bot = Bot(order_nlu, parse_scenarios({"scenario": [sc, {"intent": "greeting", "response": "안녕하세요!"}]},
                                         "<test>", order_nlu.intents, order_nlu.entity_types))
    for sid, text, read_back in [
        ("a", "짜장면 두 개 짬뽕 하나 포장", "짜장면 2개, 짬뽕 1개 포장할까요?"),
        ("b", "짬뽕 세 개랑 탕수육 하나 주세요", "짬뽕 3개, 탕수육 1개 포장할까요?"),
        ("c", "짜장이랑 볶음밥 포장해주세요", "짜장면 1개, 볶음밥 1개 포장할까요?"),
    ]:
        turn = bot.handle(sid, text)
        assert (turn.reply, turn.state) == (read_back, "confirm"), (text, turn.parse.to_dict())
    assert bot.handle("a", "짬뽕은 빼주세요").reply == "짜장면 2개 포장할까요?"   # the tiny tagger's 은: a count
    assert bot.handle("a", "하나 더요").reply == "짜장면 3개 포장할까요?"
    done = bot.handle("a", "네")
    assert (done.reply, done.state) == ("짜장면 3개 포장 주문 받았어요.", "complete")


@pytest.mark.parametrize("text,tagged", [
    ("짜장면 두 개하고 짬뽕 한 개 주세요", ["두 개", "한 개"]),   # 개하고: a count and an and, no clause ended
    ("짜장면 두개하고 짬뽕 한개 주세요", ["두개", "한개"]),
])
def test_should_keep_an_item_whose_count_is_joined_to_the_next_by_hago(text, tagged):
    # 두 개하고 read as a clause said in passing left 짜장면 out: 짬뽕 2개 주문할까요?
    bot = _bot({text: tagged})
    assert bot.handle("hago", text).reply == "짜장면 2개, 짬뽕 1개 주문할까요?"


@pytest.mark.parametrize("text,tagged,read_back", [
    ("짜장면이랑 짬뽕 두 개씩 주세요", ["두 개"], "짜장면 2개, 짬뽕 2개 주문할까요?"),
    ("짜장면, 짬뽕, 탕수육 하나씩 주세요", [], "짜장면 1개, 짬뽕 1개, 탕수육 1개 주문할까요?"),
    ("라떼 한 잔 짜장면이랑 짬뽕 두 개씩 주세요", [], "라떼 1잔, 짜장면 2개, 짬뽕 2개 주문할까요?"),
])
def test_should_give_a_count_said_with_ssik_to_each_item_listed_before_it(text, tagged, read_back):
    # 씩 is each: 짜장면이랑 짬뽕 두 개씩 was 짜장면 1개 (the default), 짬뽕 2개
    bot = _bot({text: tagged}, _order({}))   # no default: an item left without a count would be asked
    assert bot.handle("ssik", text).reply == read_back


@pytest.mark.parametrize("answer", ["하나씩이요", "하나씩 주세요"])
def test_should_give_a_count_with_ssik_to_every_item_whose_count_is_asked(answer):
    # 하나씩이요 to 짜장면은 몇 개 드릴까요? with 짬뽕 said without a count too: one each, not 짬뽕 asked next
    bot = _bot({answer: ["하나"]}, _order({}))   # the tagger's 하나 (씩 after it)
    assert bot.handle("ask-ssik", "짜장면이랑 짬뽕 주세요").reply == "짜장면은 몇 개 드릴까요?"
    assert bot.handle("ask-ssik", answer).reply == "짜장면 1개, 짬뽕 1개 주문할까요?"


def test_should_take_one_more_of_a_counter_jul_as_one():
    # 김밥 한 줄 더 주세요 with no count held: the counter 줄 read as 줄여 (a change of a count none told)
    one = {"intent": "order", "follow_up": False, "confirm": "{menu} {quantity} 주문할까요?", "response": "주문했어요.",
           "slot": [{"entity": "menu", "values": "dictionary", "prompt": "어떤 메뉴로 드릴까요?"},
                    {"entity": "quantity", "prompt": "몇 개 드릴까요?"}]}
    bot = _bot({"김밥 한 줄 더 주세요": ["한 줄 더"], "김밥 한 줄 줄여 주세요": ["한 줄 줄여"]}, one)
    assert bot.handle("jul", "김밥 한 줄 더 주세요").reply == "김밥 1줄 주문할까요?"
    assert bot.handle("jul", "취소").state == "cancelled"
    # a change said with 줄여 still asks the count in all, none being told
    assert bot.handle("jul", "김밥 한 줄 줄여 주세요").reply.startswith("지금 몇 줄인지 몰라서")
    bot = _bot({"김밥 한 줄 더 주세요": ["한 줄 더"]})
    assert bot.handle("jul2", "김밥 한 줄 더 주세요").reply == "김밥 1줄 주문할까요?"


@pytest.mark.parametrize("tagged", [["하나 빼"], []])
def test_should_leave_out_an_item_whose_last_one_is_taken_off(tagged):
    # 짬뽕 하나 빼주세요 with one 짬뽕 was refused ('하나 빼'는 처리할 수 없어요) and its count asked
    bot = _bot({"짜장면 두 개 짬뽕 하나 주세요": ["두 개"], "짬뽕 하나 빼주세요": tagged})
    assert bot.handle("off", "짜장면 두 개 짬뽕 하나 주세요").reply == "짜장면 2개, 짬뽕 1개 주문할까요?"
    assert bot.handle("off", "짬뽕 하나 빼주세요").reply == "짜장면 2개 주문할까요?"


@pytest.mark.parametrize("change,tagged,read_back", [
    ("두 개씩으로 해주세요", ["두 개"], "짜장면 2개, 짬뽕 2개 주문할까요?"),
    ("다 두 개로 해주세요", ["두 개"], "짜장면 2개, 짬뽕 2개 주문할까요?"),
    ("두 개로 해주세요", ["두 개"], "짜장면 1개, 짬뽕 2개 주문할까요?"),   # no 씩, no 다: the last item's, as before
])
def test_should_give_every_item_held_a_count_said_with_ssik_at_the_read_back(change, tagged, read_back):
    # 짜장면 1개, 짬뽕 1개 read back, 두 개씩으로 해주세요 changed 짬뽕 alone (짜장면 1개, 짬뽕 2개)
    bot = _bot({"짜장면 하나 짬뽕 하나 주세요": [], change: tagged})
    assert bot.handle("each", "짜장면 하나 짬뽕 하나 주세요").reply == "짜장면 1개, 짬뽕 1개 주문할까요?"
    assert bot.handle("each", change).reply == read_back


def test_should_keep_every_item_in_the_turns_slots_when_the_read_back_is_denied():
    # 아니요 to 짜장면 2개, 짬뽕 1개 주문할까요?: Turn.slots showed 짜장면 2개 alone (the order itself kept both)
    bot = _bot({"짜장면 두 개 짬뽕 하나 주세요": []})
    shown = bot.handle("no", "짜장면 두 개 짬뽕 하나 주세요").slots
    assert shown == {"menu": "짜장면, 짬뽕", "quantity": "2개, 1개"}
    turn = bot.handle("no", "아니요")
    assert (turn.state, turn.slots) == ("confirm", shown)
    assert bot.handle("no", "네").reply == "짜장면 2개, 짬뽕 1개 주문 받았어요."


class _OneSpan(_Parser):
    """The tagger's reading of two items said with a space only as one item (the author15 bot's model)."""

    def parse(self, text, today=None):
        got = super().parse(text, today)
        menu = [e for e in got.entities if e.entity == "menu"]
        if len(menu) < 2 or text[menu[0].end:menu[1].start] != " ":
            return got
        one = Entity("menu", text[menu[0].start:menu[1].end], text[menu[0].start:menu[1].end], menu[0].start,
                     menu[1].end, 0.9)
        return dataclasses.replace(got, entities=tuple(sorted((one, *(e for e in got.entities if e not in menu[:2])),
                                                              key=lambda e: e.start)))


@pytest.mark.parametrize("text,read_back", [
    ("짜장면 짬뽕 하나씩 주세요", "짜장면 1개, 짬뽕 1개 주문할까요?"),
    ("짬뽕 짜장면 두 개씩 주세요", "짬뽕 2개, 짜장면 2개 주문할까요?"),
    ("짜장면 짬뽕 주세요", "짜장면 1개, 짬뽕 1개 주문할까요?"),   # the default 1개 each
])
def test_should_read_two_listed_items_tagged_as_one_as_both(text, read_back):
    # '짜장면 짬뽕'은 메뉴에 없어요: two items said with a space, tagged as one span no menu lists, were refused
    p = _OneSpan({text: []})
    bot = Bot(p, parse_scenarios({"scenario": [_order()]}, "<test>", p.intents, p.entity_types))
    assert bot.handle("one-span", text).reply == read_back


def test_should_add_an_item_said_with_the_counter_jul_and_its_particle():
    # 줄이 read as 줄이다 (fewer) with no 김밥 held: '한 줄이 더'는 처리할 수 없어요, 김밥's count asked
    more = "김밥도 한 줄이 더 주세요"
    bot = _bot({"라면 하나 주세요": [], more: ["한 줄이 더"]})
    assert bot.handle("jul", "라면 하나 주세요").reply == "라면 1개 주문할까요?"
    assert bot.handle("jul", more).reply == "라면 1개, 김밥 1줄 주문할까요?"
