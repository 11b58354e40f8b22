"""Number words read as digits before counters, and the value lookup that uses them."""
from __future__ import annotations

import pytest

from nlukit.nlu import Canonicalizer
from nlukit.numerals import digits, native_number, sino_number


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
