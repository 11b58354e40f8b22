"""Amounts of money: read however typed (5만원, 오만 원, 50,000원, 3천5백원, 만 오천 원), resolved
to a number and said back one way by the bot, so a transfer bot confirms the amount it sends."""
from __future__ import annotations

import pytest

from nlukit.bot import Bot
from nlukit.bot.scenario import parse_scenarios
from nlukit.errors import InputError
from nlukit.nlu import _check_resolve, _money_span
from nlukit.numerals import money, money_text, money_words
from nlukit.temporal import resolve
from nlukit.types import Entity, IntentScore, ParseResult


@pytest.mark.parametrize("text,amount", [
    ("5만원", 50_000), ("5만 원", 50_000), ("오만 원", 50_000), ("50,000원", 50_000), ("50000", 50_000),
    ("3천5백원", 3_500), ("삼천오백 원", 3_500), ("만 오천 원", 15_000), ("만원", 10_000),
    ("2만 5천원", 25_000), ("이만오천원", 25_000), ("십이만 원", 120_000), ("백만원", 1_000_000),
    ("1억", 100_000_000), ("1억 2천만 원", 120_000_000), ("₩1,234", 1_234), ("천만 원", 10_000_000),
    ("7만 3천원", 73_000), ("1,000,000원", 1_000_000),
])
def test_should_read_an_amount_typed_in_digits_words_or_both(text, amount):
    assert money(text) == amount


@pytest.mark.parametrize("text", ["5만원 정도", "이체", "천천히", "5,00원", "원", "", "두 개", "만억", "십백", "15천원"])
def test_should_read_nothing_that_is_not_an_amount_alone(text):
    assert money(text) is None


def test_should_write_an_amount_back_as_a_bank_does():
    assert [money_text(n) for n in (50_000, 3_500, 120_000_000)] == ["50,000원", "3,500원", "120,000,000원"]
    assert [money_words(n) for n in (50_000, 15_000, 120_000_000)] == ["5만 원", "1만 5,000원", "1억 2,000만 원"]


def test_should_resolve_entity_types_named_amount_or_money_as_won():
    assert resolve("money", "오만 원") == {"kind": "money", "value": 50_000, "currency": "KRW", "text": "50,000원"}
    assert _check_resolve(None, ["amount", "recipient"]) == {"amount": "money"}
    assert _check_resolve({"price": "money"}, ["price"]) == {"price": "money"}
    with pytest.raises(InputError, match="'time', 'date', 'money' or 'count'"):
        _check_resolve({"price": "won"}, ["price"])


@pytest.mark.parametrize("text,tagged,whole", [
    ("엄마한테 만 오천 원 보내줘", "오천 원", "만 오천 원"),      # was read as 5,000원
    ("엄마한테 5만 3천원을 보내줘", "5만", "5만 3천원"),
    ("엄마한테 이만 원", "만 원", "이만 원"),
    ("1억 2천만 원 이체", "2천만 원", "1억 2천만 원"),
    ("삼촌한테 만 원", "만 원", "만 원"),                          # 삼촌한테 is no number
    ("5만원 이체해줘", "5만원", "5만원"),                          # 이체 is no 이 (2)
])
def test_should_grow_an_amount_the_tagger_cut_short_over_its_number_words(text, tagged, whole):
    a = text.index(tagged)
    s, e = _money_span(text, a, a + len(tagged), 0, len(text))
    assert text[s:e] == whole


# ------------------------------------------------------------------ the bot says it back

class _Parser:
    """Keyword intents; entities given per text; amounts resolved as nlukit.load does."""

    fallback_intent = "fallback"
    intents = ("transfer",)
    entity_types = ("amount", "recipient")
    resolve = {"amount": "money"}

    def __init__(self, entities):
        self.entities = entities

    def parse(self, text, today=None):
        found = []
        for etype, surface in self.entities.get(text, ()):
            start = text.index(surface)
            found.append(Entity(etype, surface, surface, start, start + len(surface), 0.9, None,
                                resolve("money", surface) if etype == "amount" else None))
        intent = IntentScore("transfer", 0.9) if ("보내" in text or "송금" in text) else IntentScore("fallback", 0.3)
        return ParseResult(text=text, intent=intent, entities=tuple(found), ranking=(intent,))


SCENARIOS = {"scenario": [{
    "intent": "transfer", "follow_up": False,
    "confirm": "{recipient}님께 {amount}을/를 보낼까요?",
    "response": "{recipient}님께 {amount}을/를 보냈어요.",
    "slot": [{"entity": "recipient", "prompt": "누구에게 보낼까요?"},
             {"entity": "amount", "prompt": "얼마를 보낼까요?"}]}]}


def _bot(entities):
    parser = _Parser(entities)
    return Bot(parser, parse_scenarios(SCENARIOS, "<test>", parser.intents, parser.entity_types))


def test_should_confirm_an_amount_written_one_way_however_it_was_typed():
    bot = _bot({"엄마한테 오만 원 보내줘": [("recipient", "엄마"), ("amount", "오만 원")],
                "아니 3천5백원으로": [("amount", "3천5백원")]})
    turn = bot.handle("s1", "엄마한테 오만 원 보내줘")
    assert (turn.reply, turn.state) == ("엄마님께 50,000원을 보낼까요?", "confirm")
    assert turn.slots["amount"] == "50,000원"
    turn = bot.handle("s1", "아니 3천5백원으로")
    assert turn.reply == "엄마님께 3,500원을 보낼까요?"
    done = bot.handle("s1", "네")
    assert done.state == "complete" and done.resolved["amount"] == {
        "kind": "money", "value": 3_500, "currency": "KRW", "text": "3,500원"}


def test_should_take_an_amount_said_alone_when_asked_for_it():
    # 오천 alone is tagged as nothing: the question asked says it is the amount
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")]})
    assert bot.handle("s2", "엄마한테 송금해줘").state == "ask_slot"
    turn = bot.handle("s2", "오천 원이요")
    assert (turn.reply, turn.state) == ("엄마님께 5,000원을 보낼까요?", "confirm")
    bot.handle("s3", "엄마한테 송금해줘")
    assert bot.handle("s3", "만 오천").reply == "엄마님께 15,000원을 보낼까요?"


def test_should_read_an_amount_the_tagger_missed_so_a_correction_said_in_one_breath_counts():
    # the model tagged 3만원 but not the 5만원 after 아니: the transfer read back 30,000원
    bot = _bot({"엄마한테 3만원 아니 5만원 보내줘": [("recipient", "엄마"), ("amount", "3만원")]})
    turn = bot.handle("s4", "엄마한테 3만원 아니 5만원 보내줘")
    assert (turn.reply, turn.state) == ("엄마님께 50,000원을 보낼까요?", "confirm")
    # two amounts said together for the one amount: asked which, never the first taken
    bot = _bot({"엄마한테 5만원이랑 3만원 보내줘": [("recipient", "엄마"), ("amount", "5만원")]})
    turn = bot.handle("s5", "엄마한테 5만원이랑 3만원 보내줘")
    assert turn.state == "ask_slot" and turn.choices == ["50,000원", "30,000원"]


def test_should_not_read_a_lone_syllable_answer_as_an_amount():
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")]})
    bot.handle("s6", "엄마한테 송금해줘")
    for text in ("오", "이요", "오!"):
        assert bot.handle("s6", text).state == "ask_slot", text   # 오 is no 5원
    assert bot.handle("s6", "5000").reply == "엄마님께 5,000원을 보낼까요?"
    assert resolve("money", "2") is None   # a count named amount is no 2원


# ------------------------------------------------------------------ review12: misreadings

@pytest.mark.parametrize("text,amount", [
    ("010 1234 5678 5만원", None), ("1 5000원", None), ("5 3", None),       # digits apart: several numbers
    ("5천 5000원", None), ("1만 15000원", None),                              # was 10,000 and 25,000
    ("0만원", None),                                                          # was 10,000 (만원)
    ("5.5만원", 55_000), ("1.5억", 150_000_000), ("0.5만원", 5_000),          # a decimal before a unit
    ("3. 5만원", None), ("5.5원", None), ("1.00005만원", None),
    ("1억 5000만", 150_000_000), ("5만 5천 500원", 55_500),
])
def test_should_not_run_separate_numbers_together_nor_add_a_number_to_a_smaller_unit(text, amount):
    assert money(text) == amount


@pytest.mark.parametrize("text,found", [
    ("010 1234 5678 5만원 보내줘", ["5만원"]),      # was 101,234,567,850,000원
    ("계좌 3333 01 5만원", ["5만원"]),               # was 33,330,150,000원
    ("사원에게 보내줘", []), ("조원에게 보내줘", []),  # staff, team member: not 4원, not 1조원
    ("구원 받았어", []), ("이원 씨한테 만원", ["만원"]),
    ("엄마한테 5.5만원", ["5.5만원"]), ("천원만", ["천원"]),
])
def test_should_find_amounts_in_text_without_words_or_numbers_that_are_none(text, found):
    from nlukit.numerals import amounts_in
    assert [text[a:b] for a, b in amounts_in(text)] == found


@pytest.mark.parametrize("text,tagged,whole", [
    ("엄마한테 5.5만원 보내줘", "5만원", "5.5만원"),    # was sent as 50,000원
    ("엄마한테 0.5만원 보내줘", "5만원", "0.5만원"),    # smaller than the part: grown all the same
    ("엄마한테 15000원", "5000원", "15000원"),
    ("엄마한테 -5000원 보내줘", "5000원", "-5000원"),  # unread, so refused, never 5,000원
    ("엄마한테 1,5만원 보내줘", "5만원", "1,5만원"),
    ("엄마한테15만원 보내줘", "만원", "15만원"),      # glued to the word before: was 만원 (10,000원)
    ("엄마한테15만원 보내줘", "5만원", "15만원"),     # was 50,000원
])
def test_should_never_keep_the_part_of_an_amount_after_a_cut_inside_its_number(text, tagged, whole):
    a = text.rindex(tagged)
    s, e = _money_span(text, a, a + len(tagged), 0, len(text))
    assert text[s:e] == whole


def test_should_not_fill_an_amount_from_a_word_ending_in_won():
    bot = _bot({"사원에게 송금해줘": [], "조원에게 송금해줘": []})
    assert "amount" not in bot.handle("s7", "사원에게 송금해줘").slots
    assert "amount" not in bot.handle("s8", "조원에게 송금해줘").slots
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")]})
    bot.handle("s9", "엄마한테 송금해줘")
    assert bot.handle("s9", "010 1234 5678 5만원").slots.get("amount") == "50,000원"


@pytest.mark.parametrize("answer,amount", [
    ("오천만", "50,000,000원"), ("백만", "1,000,000원"), ("십만", "100,000원"), ("5만", "50,000원"),
    ("1억 5천만", "150,000,000원"), ("오천만 보내줘", "50,000,000원"), ("만원만", "10,000원"),
])
def test_should_read_a_bare_amount_ending_in_man_as_ten_thousands_not_as_only(answer, amount):
    # the ending 만 (only) was taken off first: 오천만 was sent as 5,000원, 백만 as 100원
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")]})
    bot.handle("s10", "엄마한테 송금해줘")
    assert bot.handle("s10", answer).slots.get("amount") == amount


def test_should_grow_an_amount_cut_inside_its_word():
    text = "엄마한테 오천만 보내줘"
    a = text.index("오천")
    s, e = _money_span(text, a, a + 2, 0, len(text))
    assert text[s:e] == "오천만"      # was 5,000원


def test_should_change_the_amount_said_as_from_one_to_another():
    # 5만원에서 3만원으로 바꿔줘 at the confirmation kept 50,000원: the change was read as one only
    # with a slot's name before it and a held value typed as the user typed it, not as read back
    for text in ("5만원에서 3만원으로 바꿔줘", "금액을 오만 원에서 3만원으로 바꿔줘", "5만원을 3만원으로 바꿔줘"):
        bot = _bot({"엄마한테 5만원 보내줘": [("recipient", "엄마"), ("amount", "5만원")], text: []})
        bot.handle("s11", "엄마한테 5만원 보내줘")
        assert bot.handle("s11", text).slots["amount"] == "30,000원", text


@pytest.mark.parametrize("text", ["3만원에서 5만원 사이", "엄마한테 3만원에서 5만원 사이로 보내줘"])
def test_should_ask_which_of_two_amounts_however_they_are_joined(text):
    # 3만원에서 5만원 사이 confirmed 30,000원: two amounts not joined by 이랑 or a comma, the first taken
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")], text: [("recipient", "엄마")] if "엄마" in text else []})
    if not text.startswith("엄마"):
        bot.handle("s12", "엄마한테 송금해줘")
    turn = bot.handle("s12", text)
    assert turn.state == "ask_slot" and turn.choices == ["30,000원", "50,000원"]


# ------------------------------------------------------------------ money12: Korean conventions

@pytest.mark.parametrize("text,amount", [
    ("2만5", 25_000), ("2만 5천", 25_000), ("2만5천원", 25_000), ("이만오", 25_000),    # 2만5 was 20,005
    ("3억 5천", 350_000_000), ("1억2", 120_000_000), ("1억 5000", 150_000_000),      # was 300,005,000...
    ("3천5", 3_500), ("삼천오", 3_500), ("2만5천5", 25_500), ("십이만 오", 125_000),
    ("2만 500", 20_500), ("5백5", 505), ("1억 2천만 5백", 120_000_500),               # read as written
    ("2만5원", None), ("3억 5천원", None), ("1억 20", None),                          # unclear: unread
])
def test_should_read_a_bare_number_after_a_unit_as_the_next_unit_down(text, amount):
    assert money(text) == amount


@pytest.mark.parametrize("text,rough", [
    ("5만원 이하", {"value": 50_000, "qualifier": "이하", "max": 50_000}),
    ("5만원 미만", {"value": 50_000, "qualifier": "미만", "max": 50_000}),
    ("5만원 넘게", {"value": 50_000, "qualifier": "넘게", "min": 50_000}),
    ("5만원 이상", {"value": 50_000, "qualifier": "이상", "min": 50_000}),
    ("오만 원 정도", {"value": 50_000, "qualifier": "정도"}), ("5만원쯤", {"value": 50_000, "qualifier": "쯤"}),
    ("5만원 내외", {"value": 50_000, "qualifier": "내외"}),
    # were the exact 50,000원: a bound said in words, softened (좀 넘게) or negated (안 되게)
    ("5만원 안 되게", {"value": 50_000, "qualifier": "안 되게", "max": 50_000}),
    ("5만원 좀 넘게", {"value": 50_000, "qualifier": "넘게", "min": 50_000}),
    ("2~3만원", {"value": None, "qualifier": "~", "min": 20_000, "max": 30_000}),
    ("2-3만원", {"value": None, "qualifier": "-", "min": 20_000, "max": 30_000}),
    ("2, 3만원", {"value": None, "qualifier": ",", "min": 20_000, "max": 30_000}),
    ("2만에서 3만원 사이", {"value": None, "qualifier": "에서", "min": 20_000, "max": 30_000}),
])
def test_should_resolve_an_amount_said_not_exactly_as_approx_never_as_one_amount(text, rough):
    got = resolve("money", text)   # was None (5만원 이하) or 30,000원 once the tagger took 3만원
    assert got is not None and got["approx"] is True and got["kind"] == "money"
    assert {k: got[k] for k in rough} == rough and set(got) - set(rough) == {"kind", "approx", "currency", "text"}


@pytest.mark.parametrize("text,tagged,whole", [
    ("엄마한테 5만원 이하로 보내줘", "5만원", "5만원 이하"), ("2~3만원 보내줘", "3만원", "2~3만원"),
    ("2만에서 3만원 사이로", "3만원", "2만에서 3만원 사이"), ("엄마한테 2, 3만원", "3만원", "2, 3만원"),
    ("5만원 좀 넘게 보내줘", "5만원", "5만원 좀 넘게"), ("5만원 안 되게 보내줘", "5만원", "5만원 안 되게"),
    ("3만원에서 5만원 사이", "5만원", None), ("회사에서 5만원", "5만원", None), ("1,5만원", "5만원", None),
    ("3만원, 5만원", "5만원", None), ("3만원~5만원", "5만원", "3만원~5만원"), ("3만원~5만원", "3만원", "3만원~5만원"),
    ("2만~3만원 사이", "2만", "2만~3만원 사이"), ("5만원-3만원", "5만원", None),
])
def test_should_find_the_words_that_make_an_amount_not_exact(text, tagged, whole):
    from nlukit.numerals import amount_extent
    a = text.rindex(tagged)
    span = amount_extent(text, a, a + len(tagged))
    assert (text[span[0]:span[1]] if span else None) == whole


@pytest.mark.parametrize("said,tagged", [
    ("엄마한테 5만원 이하로 보내줘", "5만원"), ("엄마한테 5만원 정도 보내줘", "5만원"),
    ("엄마한테 2~3만원 보내줘", "3만원"), ("엄마한테 2, 3만원 보내줘", None),
    ("엄마한테 2만에서 3만원 사이로 보내줘", None), ("엄마한테 5만원 넘게 보내줘", "5만원"),
    ("엄마한테 3만원~5만원 보내줘", None),                       # was 30,000원: only 3만원 found
])
def test_should_ask_for_the_exact_amount_rather_than_fill_one_said_roughly(said, tagged):
    # 5만원 이하 filled 50,000원, 2~3만원 30,000원: an amount never exact was sent as one
    bot = _bot({said: [("recipient", "엄마")] + ([("amount", tagged)] if tagged else []),
                "5만원 정도": [], "5만원": []})
    turn = bot.handle("r1", said)
    assert turn.state == "ask_slot" and "amount" not in turn.slots
    assert "정확한 금액" in turn.reply and turn.reply.endswith("얼마를 보낼까요?")
    turn = bot.handle("r1", "5만원 정도")            # said alone to the question: asked again too
    assert turn.state == "ask_slot" and "amount" not in turn.slots and "'5만원 정도'" in turn.reply
    assert bot.handle("r1", "5만원").slots["amount"] == "50,000원"


@pytest.mark.parametrize("said,tagged", [("엄마한테 -5000원 보내줘", "-5000원"), ("엄마한테 -5000원 보내줘", "5000원"),
                                         ("엄마한테 마이너스 5만원 보내줘", "5만원")])
def test_should_refuse_a_negative_amount_with_the_invalid_reply(said, tagged):
    # -5000원 was taken as typed (or as 5,000원 when the tagger left out the minus) and confirmed
    bot = _bot({said: [("recipient", "엄마"), ("amount", tagged)]})
    turn = bot.handle("n1", said)
    assert turn.state == "ask_slot" and "amount" not in turn.slots
    assert turn.reply.startswith("죄송해요, '") and "처리할 수 없어요" in turn.reply
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")], "-5000원": []})
    bot.handle("n2", "엄마한테 송금해줘")
    turn = bot.handle("n2", "-5000원")              # alone to the question: was "잘 이해하지 못했어요"
    assert turn.reply == "죄송해요, '-5000원'은 처리할 수 없어요. 얼마를 보낼까요?"


def test_should_take_casual_shorthand_said_to_the_amount_question():
    bot = _bot({"엄마한테 송금해줘": [("recipient", "엄마")]})
    bot.handle("c1", "엄마한테 송금해줘")
    assert bot.handle("c1", "2만5").slots["amount"] == "25,000원"    # was 20,005원


@pytest.mark.parametrize("said,tagged,amount", [
    ("만원 더", [("amount", "만원")], "60,000원"), ("만원 더", [], "60,000원"),      # was 10,000원 (replaced)
    ("5만원 더", [], "100,000원"), ("만원 더 보내줘", [], "60,000원"),
    ("5천원 덜", [], "45,000원"), ("아니 만원 빼고", [], "40,000원"),
    ("아니 3만원으로", [("amount", "3만원")], "30,000원"),                            # a plain change replaces
])
def test_should_add_or_take_off_an_amount_said_with_more_or_less_from_the_one_held(said, tagged, amount):
    bot = _bot({"엄마한테 5만원 보내줘": [("recipient", "엄마"), ("amount", "5만원")], said: tagged})
    bot.handle("m1", "엄마한테 5만원 보내줘")
    turn = bot.handle("m1", said)
    assert turn.state == "confirm" and turn.slots["amount"] == amount
    assert turn.reply == f"엄마님께 {amount}을 보낼까요?"


def test_should_refuse_taking_off_more_than_is_held_and_read_more_as_the_amount_with_none_held():
    bot = _bot({"엄마한테 5만원 보내줘": [("recipient", "엄마"), ("amount", "5만원")], "10만원 덜": []})
    bot.handle("m2", "엄마한테 5만원 보내줘")
    turn = bot.handle("m2", "10만원 덜")
    assert turn.slots["amount"] == "50,000원" and turn.reply.startswith("죄송해요, '10만원 덜'")
    bot = _bot({"엄마한테 5만원 더 보내줘": [("recipient", "엄마"), ("amount", "5만원")]})
    assert bot.handle("m3", "엄마한테 5만원 더 보내줘").slots["amount"] == "50,000원"   # nothing held to add to


@pytest.mark.parametrize("text,tagged,whole", [
    ("엄마한테 2만5 보내줘", "2만", "2만5"), ("엄마한테 3억 5천 보내줘", "3억", "3억 5천"),   # were 20,000원, 3억원
    ("엄마한테 3천5 보내줘", "3천", "3천5"), ("2만5로 해줘", "2만", "2만5"),
    ("2만 이체해줘", "2만", "2만"), ("2만 3명", "2만", "2만"), ("5만원 2개", "5만원", "5만원"),
])
def test_should_grow_an_amount_over_the_shorthand_number_after_its_unit(text, tagged, whole):
    a = text.index(tagged)
    s, e = _money_span(text, a, a + len(tagged), 0, len(text))
    assert text[s:e] == whole


@pytest.mark.parametrize("said,tagged", [
    ("엄마한테 3만원~5만원 보내줘", ["3만원", "5만원"]),
    ("엄마한테 2만에서 3만원 사이로 보내줘", ["2만", "3만원"]),   # was 20,000원 filled with a note
    ("엄마한테 2만에서 3만원 사이로 보내줘", ["2만"]),
])
def test_should_ask_for_the_exact_amount_when_both_ends_of_a_range_are_tagged(said, tagged):
    bot = _bot({said: [("recipient", "엄마")] + [("amount", t) for t in tagged]})
    turn = bot.handle("b1", said)
    assert turn.state == "ask_slot" and "amount" not in turn.slots
    assert turn.reply.startswith("'") and "정확한 금액이 아니에요" in turn.reply
