"""Number words read as digits before counters, and the value lookup that uses them."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nlukit.nlu import Canonicalizer
from nlukit.numerals import digits, native_number, native_word, sino_number, sino_word, spell, spoken_digits

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text,expected", [
    ("세 시", "3시"), ("세시에 깨워줘", "3시에 깨워줘"), ("열두 시", "12시"), ("열한시", "11시"),
    ("오후 네 시 반", "오후 4시 30분"), ("두시반", "2시 30분"), ("한 시간 반 뒤", "1시간 30분 뒤"),
    ("스물세 살", "23살"), ("스무 살", "20살"), ("다섯 명이서", "5명이서"), ("세 번째", "3번째"),
    ("삼십 분 뒤", "30분 뒤"), ("오 분 후", "5분 후"), ("십오 초", "15초"), ("이십오 일", "25일"),
    ("삼월 일 일", "3월 1일"), ("유월", "6월"), ("시월 삼일", "10월 3일"), ("일주일 뒤", "1주일 뒤"),
    ("이호선", "2호선"), ("천 원", "1000원"), ("3 시 반", "3시 30분"), ("12시", "12시"),
])
def test_should_write_number_words_before_counters_as_digits(text: str, expected: str) -> None:
    assert digits(text) == expected


@pytest.mark.parametrize("text", [
    "세종시에서 한강까지", "네 시작할게요", "삼일절", "이분이 누구야", "오세요", "네 알겠어요",
    "이번 주 토요일", "한 시장", "오전", "구월동", "",
])
def test_should_leave_words_that_only_start_like_numbers_alone(text: str) -> None:
    assert digits(text) == text


@pytest.mark.parametrize("word,value", [("한", 1), ("열두", 12), ("스물다섯", 25), ("서른", 30),
                                        ("아흔아홉", 99), ("스무", 20), ("스무세", None), ("셋", None),
                                        ("", None)])
def test_should_read_native_numbers_as_said_before_a_counter(word: str, value: int | None) -> None:
    assert native_number(word) == value


@pytest.mark.parametrize("word,value", [("일", 1), ("십", 10), ("이십오", 25), ("백일", 101),
                                        ("천구백팔십", 1980), ("이삼", None), ("십백", None), ("", None),
                                        ("세", None)])
def test_should_read_sino_korean_numbers(word: str, value: int | None) -> None:
    assert sino_number(word) == value


def test_should_find_dictionary_times_typed_with_number_words() -> None:
    c = Canonicalizer({"time": {"오후 3시 30분": ["오후 3시 반", "15:30"], "3시": ["세 시"],
                                "오전 7시": ["아침 7시"], "30분 뒤": []}})
    assert c("time", "오후 세 시 반") == "오후 3시 30분"
    assert c("time", "오후 세시 삼십분") == "오후 3시 30분"
    assert c("time", "세시") == "3시"
    assert c("time", "아침 일곱 시") == "오전 7시"
    assert c("time", "삼십 분 뒤") == "30분 뒤"
    assert c("time", "오후 네 시") == "오후 네 시"      # not in the dictionary: as typed
    assert c("location", "세 시") == "세 시"            # another type's values are not searched


def test_should_prefer_a_surface_listed_as_typed_over_its_digit_reading() -> None:
    # "새벽 두 시" and "새벽 2시" read the same; each, typed as listed, is its own value
    c = Canonicalizer({"time": {"2시": [], "새벽 두 시": [], "새벽 2시": ["새벽녘"]}})
    assert c("time", "새벽 두 시") == "새벽 두 시"
    assert c("time", "새벽 2시") == "새벽 2시"
    assert c("time", "두 시") == "2시"


@pytest.mark.parametrize("text,space,expected", [
    ("오후 3시 30분", True, "오후 세 시 삼십 분"), ("오후 3시 반", False, "오후 세시 반"),
    ("12시", True, "열두 시"), ("1시간 뒤", True, "한 시간 뒤"), ("20살", True, "스무 살"),
    ("21살", False, "스물한살"), ("5분 뒤", False, "오 분 뒤"), ("25분 뒤", False, "이십오분 뒤"),
    ("12월 25일", True, "십이월 이십오 일"), ("6월", True, "유월"), ("10월 3일", False, "시월 삼일"),
    ("1주일 뒤", False, "일주일 뒤"), ("2명 예약", True, "두 명 예약"), ("3시에 깨워줘", True, "세 시에 깨워줘"),
])
def test_should_spell_counted_digits_as_korean_number_words(text: str, space: bool, expected: str) -> None:
    assert spell(text, space) == expected


@pytest.mark.parametrize("text", ["13시", "21:45", "2026-12-01", "12/24", "0시", "KTX 101", "3시작", "ktx2", ""])
def test_should_leave_digits_no_number_word_reads(text: str) -> None:
    # 13시 and later are not said with native numbers; uncounted digits have no word
    assert spell(text) == text


def test_should_read_every_number_it_spells_back_to_the_same_number() -> None:
    assert all(native_number(native_word(n)) == n for n in range(1, 100))
    assert all(sino_number(sino_word(n)) == n for n in range(1, 10_000))
    assert native_word(0) is None and native_word(100) is None and sino_word(10_000) is None


def test_should_spell_every_shipped_dictionary_form_so_that_digits_reads_it_back() -> None:
    forms = []
    for path in sorted((ROOT / "dicts").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                forms += [row["value"], *filter(None, (row["synonyms"] or "").split("|"))]
    spelled = [(f, spell(f, space)) for f in forms for space in (True, False)]
    changed = [(f, w) for f, w in spelled if w != f]
    assert len(changed) > 100  # the time and date dictionaries are mostly counted digits
    assert [(f, w) for f, w in changed if digits(w) != digits(f)] == []
    assert all(not any(c.isdigit() for c in w) for f, w in changed if ":" not in f and "시" in f
               and int(f.split("시")[0].split()[-1]) <= 12)


@pytest.mark.parametrize("text,expected", [
    ("이공이육일일이삼 공공공일이삼", "20261123 000123"), ("이 공 이 육", "2026"), ("공일공", "010"),
    ("영일영 일이삼사", "010 1234"), ("일이삼이요", "123이요"), ("주문번호 이공이육-일일이삼이에요", "주문번호 2026-1123이에요"),
    ("2026 일일이삼", "2026 1123"),
    # words, or fewer than three digits: as said
    ("이사 가요", "이사 가요"), ("오일 교환", "오일 교환"), ("사이즈 이요", "사이즈 이요"), ("네 이", "네 이"),
])
def test_should_write_digits_read_out_one_by_one_as_digits(text, expected):
    got, where = spoken_digits(text)
    assert got == expected
    assert len(where) == len(got) + 1 and where[-1] == len(text)
    # each digit points at the syllable it was read from
    assert all(text[where[i]] in "공영빵일이삼사오육륙칠팔구0123456789" for i, ch in enumerate(got) if ch.isdigit())


def test_should_fill_an_order_number_asked_for_with_its_digits_read_out():
    # 이공이육일일이삼 공공공일이삼, the order number asked for, fell back: no digits in it
    from nlukit.bot import Bot
    from nlukit.bot.scenario import parse_scenarios
    from nlukit.types import IntentScore, ParseResult

    class Parser:
        fallback_intent, intents, entity_types = "fallback", ("cancel",), ("order_no",)

        def parse(self, text, today=None):
            intent = IntentScore("cancel" if "취소" in text else "fallback", 0.9 if "취소" in text else 0.3)
            return ParseResult(text=text, intent=intent, entities=(), ranking=(intent,))

    sc = parse_scenarios({"scenario": [{"intent": "cancel", "confirm": "주문번호 {order_no} 주문을 취소할까요?",
                                        "response": "취소했어요.", "slot": [{
                                            "entity": "order_no", "prompt": "주문번호를 알려 주세요.",
                                            "pattern": r"\d{4}\s?\d{4}[- ]?\d{5,6}"}]}]},
                         "<test>", Parser.intents, Parser.entity_types)
    bot = Bot(Parser(), sc)
    for sid, said, read in [("a", "이공이육일일이삼 공공공일이삼이요", "20261123 000123"),
                            ("b", "이 공 이 육 일 일 이 삼 공 공 공 일 이 삼", "20261123000123"),
                            ("c", "20261123-공공공일이삼", "20261123-000123"),
                            # read in groups of three (공공공 일이삼): the pattern takes no space there
                            ("e", "이공이육 일일이삼 공공공 일이삼이요", "20261123000123")]:
        assert bot.handle(sid, "주문 취소요").reply == "주문번호를 알려 주세요."
        turn = bot.handle(sid, said)
        assert (turn.reply, turn.state) == (f"주문번호 {read} 주문을 취소할까요?", "confirm")
    # not asked for, digits read out are words as said: nothing is filled from them
    assert bot.handle("d", "이공이육일일이삼 공공공일이삼 주문 취소").state == "ask_slot"
