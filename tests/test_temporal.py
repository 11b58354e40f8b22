"""Times and dates read into values: nlukit.temporal and Entity.resolved from parse."""
from __future__ import annotations

import datetime
import re
from typing import Any

import numpy as np
import pytest

from nlukit.errors import InputError
from nlukit.nlu import NLU
from nlukit.temporal import check_today, period_before, resolve, resolve_date, resolve_time

WED = datetime.date(2026, 11, 25)
SUN = datetime.date(2026, 11, 22)
MON, SAT = datetime.date(2026, 11, 16), datetime.date(2026, 11, 21)   # in SUN's week


@pytest.mark.parametrize("text,value", [
    ("오후 3시", "15:00"), ("오후 세 시 반", "15:30"), ("오전 7시 10분", "07:10"), ("아침 일곱 시", "07:00"),
    ("새벽 두시", "02:00"), ("저녁 여섯 시 삼십 분", "18:30"), ("밤 11시", "23:00"), ("밤 열두 시", "00:00"),
    ("밤 1시", "01:00"), ("낮 12시", "12:00"), ("점심 1시", "13:00"), ("오전 12시", "00:00"),
    ("오후 12시 30분", "12:30"), ("13시", "13:00"), ("0시", "00:00"), ("정오", "12:00"), ("자정", "00:00"),
    ("21:45", "21:45"), ("오후 9:30", "21:30"), ("오후 3시 정각", "15:00"), ("오후 3시쯤", "15:00"),
])
def test_should_read_times_of_day_with_their_part_of_day(text: str, value: str) -> None:
    got = resolve_time(text)
    assert got is not None and got["kind"] == "time" and got["value"] == value
    assert (got["hour"], got["minute"]) == tuple(int(x) for x in value.split(":"))
    assert "ambiguous" not in got


@pytest.mark.parametrize("text,candidates", [("세 시", ["03:00", "15:00"]), ("3시 반", ["03:30", "15:30"]),
                                             ("열두 시", ["12:00", "00:00"]), ("9:30", ["09:30", "21:30"])])
def test_should_offer_both_readings_of_an_hour_said_without_morning_or_afternoon(
        text: str, candidates: list[str]) -> None:
    got = resolve_time(text)
    assert got is not None and got["ambiguous"] is True
    assert got["candidates"] == candidates and got["value"] == candidates[0]


@pytest.mark.parametrize("text,minutes,iso", [("5분 뒤", 5, "PT5M"), ("삼십 분 후", 30, "PT30M"),
                                              ("두 시간 뒤", 120, "PT2H"), ("한 시간 반 후", 90, "PT1H30M"),
                                              ("1시간 10분 뒤", 70, "PT1H10M")])
def test_should_read_delays_as_durations(text: str, minutes: int, iso: str) -> None:
    assert resolve_time(text) == {"kind": "duration", "minutes": minutes, "value": iso}


@pytest.mark.parametrize("text,value,candidates", [
    ("3시 5분 전", "02:55", ["02:55", "14:55"]), ("10시 10분 전", "09:50", ["09:50", "21:50"]),
    ("세 시 십 분 전", "02:50", ["02:50", "14:50"]), ("12시 5분 전", "11:55", ["11:55", "23:55"]),
])
def test_should_read_minutes_to_the_hour(text: str, value: str, candidates: list[str]) -> None:
    got = resolve_time(text)
    assert got["value"] == value and got["candidates"] == candidates
    assert resolve_time("오후 3시 5분 전")["value"] == "14:55" and resolve_time("3시 0분 전") is None


@pytest.mark.parametrize("text", ["내일", "25시", "오전 15시", "3시 75분", "0분 뒤", "서울", "", "오후"])
def test_should_give_none_for_what_is_not_a_time(text: str) -> None:
    assert resolve_time(text) is None


@pytest.mark.parametrize("text,today,value", [
    ("오늘", WED, "2026-11-25"), ("내일", WED, "2026-11-26"), ("낼모레", WED, "2026-11-27"),
    ("글피", WED, "2026-11-28"), ("수요일", WED, "2026-11-25"), ("화욜", WED, "2026-12-01"),
    ("이번 주 금요일", WED, "2026-11-27"), ("다음 주 월요일", WED, "2026-11-30"),
    ("다다음주 수요일", WED, "2026-12-09"), ("이틀 뒤", WED, "2026-11-27"), ("10일 후", WED, "2026-12-05"),
    ("일주일 뒤", WED, "2026-12-02"), ("2주 후", WED, "2026-12-09"), ("12월 25일", WED, "2026-12-25"),
    ("삼월 일 일", WED, "2027-03-01"), ("2027년 1월 3일", WED, "2027-01-03"), ("12/24", WED, "2026-12-24"),
    ("2026-12-01", WED, "2026-12-01"), ("30일", WED, "2026-11-30"), ("20일", WED, "2026-12-20"),
    ("크리스마스", WED, "2026-12-25"), ("어린이날", WED, "2027-05-05"), ("내일 오후", WED, "2026-11-26"),
    ("오늘 밤", WED, "2026-11-25"), ("내일", datetime.date(2026, 12, 31), "2027-01-01"),
    ("금요일", SUN, "2026-11-27"), ("다음 주 금요일", SUN, "2026-11-27"), ("말일", WED, "2026-11-30"),
    ("말일", datetime.date(2028, 2, 3), "2028-02-29"),
])
def test_should_resolve_dates_from_today(text: str, today: datetime.date, value: str) -> None:
    got = resolve_date(text, today)
    assert got == {"kind": "date", "value": value}


@pytest.mark.parametrize("text,today,value", [
    ("다음 달 3일", WED, "2026-12-03"), ("담달 3일", WED, "2026-12-03"), ("다음달 삼 일", WED, "2026-12-03"),
    ("다음 달 31일", WED, "2026-12-31"), ("이번 달 30일", WED, "2026-11-30"), ("이달 말", WED, "2026-11-30"),
    ("이번 달 말일", WED, "2026-11-30"), ("다음 달 말", WED, "2026-12-31"), ("다음 달 마지막 날", WED, "2026-12-31"),
    ("다다음 달 1일", WED, "2027-01-01"), ("다음 달 말", datetime.date(2027, 1, 10), "2027-02-28"),
    ("다음 달 29일", datetime.date(2028, 1, 10), "2028-02-29"), ("다음 달 15일", datetime.date(2026, 12, 5), "2027-01-15"),
    ("내년 1월 1일", WED, "2027-01-01"), ("내년 일월 일 일", WED, "2027-01-01"), ("올해 12월 25일", WED, "2026-12-25"),
    ("명년 3월 1일", WED, "2027-03-01"), ("내후년 3월 1일", WED, "2028-03-01"),
])
def test_should_resolve_days_of_a_month_or_year_said_relative_to_today(
        text: str, today: datetime.date, value: str) -> None:
    assert resolve_date(text, today) == {"kind": "date", "value": value}


@pytest.mark.parametrize("text,value", [("지난달 5일", "2026-10-05"), ("저번 달 31일", "2026-10-31"),
                                        ("이번 달 15일", "2026-11-15"), ("작년 5월 5일", "2025-05-05"),
                                        ("올해 3월 1일", "2026-03-01")])
def test_should_mark_a_day_of_a_named_month_or_year_past_rather_than_move_it(text: str, value: str) -> None:
    # the month or year is said: 이번 달 15일 asked on the 25th is not next month's 15th
    assert resolve_date(text, WED) == {"kind": "date", "value": value, "past": True}


@pytest.mark.parametrize("text,today", [("이번 달 31일", WED), ("다음 달 31일", datetime.date(2026, 10, 15)),
                                        ("다음 달 29일", datetime.date(2027, 1, 10)), ("다음 달 32일", WED),
                                        ("내년 2월 29일", WED), ("올해 13월 1일", WED), ("다음 달 0일", WED)])
def test_should_give_none_for_a_day_the_month_does_not_have(text: str, today: datetime.date) -> None:
    # no roll-over into the month after
    assert resolve_date(text, today) is None


@pytest.mark.parametrize("text,today,start,end", [
    ("이번 주말", WED, "2026-11-28", "2026-11-29"), ("주말", WED, "2026-11-28", "2026-11-29"),
    ("다음 주말", WED, "2026-12-05", "2026-12-06"), ("이번 주", MON, "2026-11-16", "2026-11-22"),
    ("평일", MON, "2026-11-16", "2026-11-20"),
    ("다음 달", WED, "2026-12-01", "2026-12-31"), ("다음 달", datetime.date(2026, 12, 5), "2027-01-01", "2027-01-31"),
    ("다다음 달", WED, "2027-01-01", "2027-01-31"), ("이달", datetime.date(2026, 12, 1), "2026-12-01", "2026-12-31"),
    ("이번 주말", SAT, "2026-11-21", "2026-11-22"),   # ranges that begin today: nothing past
])
def test_should_resolve_weeks_weekends_and_months_to_ranges(text: str, today: datetime.date,
                                                           start: str, end: str) -> None:
    assert resolve_date(text, today) == {"kind": "date_range", "start": start, "end": end,
                                         "value": f"{start}/{end}"}


def test_should_mark_a_date_already_past_instead_of_moving_it() -> None:
    # asked on a Sunday, this week's Friday was two days ago: said so, not silently moved
    assert resolve_date("이번 주 금요일", SUN) == {"kind": "date", "value": "2026-11-20", "past": True}
    assert resolve_date("어제", WED) == {"kind": "date", "value": "2026-11-24", "past": True}
    assert resolve_date("지난주", WED)["past"] is True
    assert "past" not in resolve_date("평일", WED)  # the range is not over yet


@pytest.mark.parametrize("text,today,start,end", [
    ("이번 주말", SUN, "2026-11-21", "2026-11-22"), ("주말", SUN, "2026-11-21", "2026-11-22"),
    ("이번 주", WED, "2026-11-23", "2026-11-29"), ("평일", WED, "2026-11-23", "2026-11-27"),
    ("이번 달", WED, "2026-11-01", "2026-11-30"), ("이달", datetime.date(2026, 11, 30), "2026-11-01", "2026-11-30"),
])
def test_should_mark_a_range_begun_before_today_partly_past_and_keep_its_dates(
        text: str, today: datetime.date, start: str, end: str) -> None:
    # asked on a Sunday, 이번 주말 is still Saturday and Sunday: the caller decides whether
    # Saturday matters (a diary search) or not (a booking starts today)
    assert resolve_date(text, today) == {"kind": "date_range", "start": start, "end": end,
                                         "value": f"{start}/{end}", "partly_past": True}


def test_should_say_past_or_partly_past_never_both() -> None:
    assert resolve_date("지난 주말", SUN) == {"kind": "date_range", "start": "2026-11-14", "end": "2026-11-15",
                                           "value": "2026-11-14/2026-11-15", "past": True}
    assert "partly_past" not in resolve_date("이번 주말", SAT)       # begins today
    assert "partly_past" not in resolve_date("다음 주", SUN)         # begins tomorrow
    got = resolve_date("이번 주", SUN)                               # ends today: not past yet
    assert got["partly_past"] is True and "past" not in got


@pytest.mark.parametrize("text,value", [
    ("2026. 12. 25.", "2026-12-25"), ("2026.12.25", "2026-12-25"), ("2027.1.3.", "2027-01-03"),
    ("2026/12/01", "2026-12-01"), ("12.25", "2026-12-25"), ("12.24.", "2026-12-24"), ("3.1", "2027-03-01"),
    ("3.1절", "2027-03-01"), ("한 달 뒤", "2026-12-25"), ("두 달 후", "2027-01-25"), ("3개월 뒤", "2027-02-25"),
])
def test_should_read_dates_written_with_dots_and_months_from_now(text: str, value: str) -> None:
    # the written Korean date (2026. 12. 25.), the texting one (12.25), and 한 달 뒤
    assert resolve_date(text, WED) == {"kind": "date", "value": value}


def test_should_keep_a_month_from_now_inside_a_shorter_month() -> None:
    assert resolve_date("한 달 뒤", datetime.date(2027, 1, 31)) == {"kind": "date", "value": "2027-02-28"}


@pytest.mark.parametrize("text,start,end", [
    ("12월", "2026-12-01", "2026-12-31"), ("12월 중", "2026-12-01", "2026-12-31"),
    ("10월", "2027-10-01", "2027-10-31"),                      # gone this year: next year's
    ("내년 2월", "2027-02-01", "2027-02-28"), ("2028년 2월", "2028-02-01", "2028-02-29"),
    ("12월 24일부터 26일까지", "2026-12-24", "2026-12-26"), ("24일~26일", "2026-12-24", "2026-12-26"),
    ("28일부터 3일까지", "2026-11-28", "2026-12-03"), ("금요일부터 월요일까지", "2026-11-27", "2026-11-30"),
    ("다음 주 월요일부터 수요일까지", "2026-11-30", "2026-12-02"), ("내일부터 모레까지", "2026-11-26", "2026-11-27"),
    ("12월 30일부터 1월 2일까지", "2026-12-30", "2027-01-02"), ("12/24~12/26", "2026-12-24", "2026-12-26"),
])
def test_should_read_a_named_month_and_a_from_to_span_as_ranges(text: str, start: str, end: str) -> None:
    # a hotel or rental bot gets 12월 24일부터 26일까지 as one value: the days from one to the other
    assert resolve_date(text, WED) == {"kind": "date_range", "start": start, "end": end, "value": f"{start}/{end}"}


@pytest.mark.parametrize("text", ["모레부터 내일까지", "내일부터", "서울에서 부산", "다음 주부터 금요일까지",
                                  "13월", "2026.13.1", "3.5.7", "2026-12.25", "12월 26일부터 12월 24일까지",
                                  "12월 26일부터 24일까지", "100000개월 후", "9999년 12월", "99999999일 뒤",
                                  "1999999주 후"])
def test_should_give_none_for_a_range_backwards_or_half_said_and_for_no_date(text: str) -> None:
    assert resolve_date(text, WED) is None


def test_should_mark_a_month_begun_before_today_partly_past() -> None:
    assert resolve_date("11월", WED) == {"kind": "date_range", "start": "2026-11-01", "end": "2026-11-30",
                                         "value": "2026-11-01/2026-11-30", "partly_past": True}
    assert resolve_date("작년 12월", WED)["past"] is True


@pytest.mark.parametrize("text", ["2월 30일", "13월 1일", "세 시", "서울", "", "다음", "내일모레글피"])
def test_should_give_none_for_what_is_not_a_date(text: str) -> None:
    assert resolve_date(text, WED) is None


def test_should_read_a_day_this_month_or_the_next_only() -> None:
    jan31 = datetime.date(2027, 1, 31)
    assert resolve_date("31일", jan31) == {"kind": "date", "value": "2027-01-31"}
    assert resolve_date("30일", jan31) is None   # 30 January is past and February has no 30th


@pytest.mark.parametrize("today,fix", [
    ("2026-11-25", r"got str '2026-11-25'; pass today=datetime\.date\(2026, 11, 25\)"),
    ("11/25", r"got str '11/25'; pass e\.g\. today=datetime\.date\("),
    (20261125, r"got int 20261125; pass e\.g\. today=datetime\.date\("),
])
def test_should_refuse_a_today_that_is_not_a_date_naming_the_fix(today: object, fix: str) -> None:
    with pytest.raises(InputError, match="^today must be a datetime.date, " + fix):
        resolve_date("내일", today)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="today must be"):
        resolve("date", "내일", today)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="today must be"):
        resolve_date("", today)  # type: ignore[arg-type]  # even with nothing to read


def test_should_read_a_datetime_today_as_its_date() -> None:
    now = datetime.datetime(2026, 11, 25, 23, 59)
    assert resolve_date("내일", now) == {"kind": "date", "value": "2026-11-26"}
    assert resolve_date("이번 주말", now) == resolve_date("이번 주말", WED)
    assert check_today(now) == WED and check_today(WED) is WED and check_today(None) is None


def test_should_give_none_for_no_text_and_refuse_other_types() -> None:
    assert resolve_time(None) is None and resolve_date(None, WED) is None  # type: ignore[arg-type]
    assert resolve("time", None) is None and resolve_date("   ", WED) is None  # type: ignore[arg-type]
    assert resolve_time("세 시", before=None)["ambiguous"] is True  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"resolve_time\(\) takes text as a str, got int"):
        resolve_time(3)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"resolve_date\(\) takes text as a str, got bytes"):
        resolve_date("내일".encode(), WED)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"resolve_time\(\) takes before as a str, got list"):
        resolve_time("세 시", before=["오후"])  # type: ignore[arg-type]


def test_should_find_the_part_of_day_typed_before_a_span() -> None:
    assert period_before("내일 오후 세 시", 6) == "오후"
    assert period_before("저녁  여섯 시", 4) == "저녁"
    assert period_before("세 시", 0) is None
    assert period_before("한밤 세 시", 3) is None         # inside another word
    assert period_before("오후에 세 시", 4) is None        # not right before


# ---------------------------------------------------------------- through NLU.parse

class _Intent:
    labels_ = ["alarm", "weather"]
    threshold_ = 0.0

    def predict_proba(self, items: list[Any]) -> Any:
        return np.tile([0.9, 0.1], (len(items), 1))


class _Tagger:
    """Tags the listed surfaces wherever they occur."""

    def __init__(self, surfaces: dict[str, str]) -> None:
        self.surfaces = surfaces

    def predict(self, items: list[Any], *, validate: bool = True) -> list[list[Any]]:
        out = []
        for text, _ in items:
            spans = [(m.start(), m.end(), etype, None, 0.9)
                     for s, etype in self.surfaces.items() for m in re.finditer(re.escape(s), text)]
            out.append(sorted(spans))
        return out


DICT = {"time": {"오후 3시 30분": ["오후 3시 반"], "3시": ["세 시"]}, "date": {"내일": ["낼"]},
        "location": {"서울": []}}


def _nlu(surfaces: dict[str, str], **kw: Any) -> NLU:
    return NLU(_Intent(), _Tagger(surfaces), DICT, **kw)


def test_should_put_the_meaning_of_times_and_dates_in_parse_results() -> None:
    nlu = _nlu({"낼": "date", "오후 세 시 반": "time", "서울": "location"})
    r = nlu.parse("낼 오후 세 시 반 서울", today=WED)
    by = {e.entity: e for e in r.entities}
    assert by["date"].value == "내일" and by["date"].resolved == {"kind": "date", "value": "2026-11-26"}
    assert by["time"].value == "오후 3시 30분"
    assert by["time"].resolved == {"kind": "time", "hour": 15, "minute": 30, "value": "15:30"}
    assert by["location"].resolved is None
    d = r.to_dict()["entities"]
    assert [e["resolved"] for e in d] == [{"kind": "date", "value": "2026-11-26"},
                                          {"kind": "time", "hour": 15, "minute": 30, "value": "15:30"},
                                          None]
    # batched: the same, with one today for all
    assert nlu.parse_batch(["낼 오후 세 시 반 서울"] * 3, today=WED) == [r] * 3


@pytest.mark.parametrize("text,surface,value", [
    ("3시 반에 깨워줘", "3시 반", "03:30"), ("아니 3시 반으로", "3시 반", "03:30"), ("세 시 십오 분에 알람", "세 시 십오 분", "03:15"),
    ("3시 15분까지 가는 기차", "3시 15분", "03:15"), ("3시반", "3시반", "03:30"),
    ("3시 5분 전에 깨워줘", "3시 5분 전", "02:55"),   # five to three, not 3:05
])
def test_should_take_the_minutes_after_an_hour_the_tagger_ended_at_si(text: str, surface: str, value: str) -> None:
    # Given a tagger that ends the time at 시 (the demo dictionary lists 6시 반 but not 3시 반):
    # the alarm was set for 3:00 when 3:30 was asked
    nlu = _nlu({"3시": "time", "세 시": "time"})
    [time] = nlu.parse(text, today=WED).entities
    assert (time.text, time.resolved["value"]) == (surface, value)
    assert text[time.start:time.end] == surface
    assert nlu.parse_batch([text] * 3, today=WED) == [nlu.parse(text, today=WED)] * 3


@pytest.mark.parametrize("text", ["3시 반찬 알람", "3시 반대편", "3시 분위기"])
def test_should_leave_an_hour_alone_when_the_next_word_only_starts_like_minutes(text: str) -> None:
    [time] = _nlu({"3시": "time"}).parse(text, today=WED).entities
    assert time.text == "3시" and time.resolved["value"] == "03:00"


def test_should_join_two_dates_the_tagger_split_into_one_range() -> None:
    # 12월 24일부터 26일까지: the tagger's two date spans; the bot got the first day only
    nlu = _nlu({"12월 24일": "date", "26일": "date", "내일": "date", "모레": "date", "서울": "location"})
    [date, place] = nlu.parse("12월 24일부터 26일까지 서울 날씨", today=WED).entities
    assert (date.text, date.start, date.end) == ("12월 24일부터 26일", 0, 13)   # 까지 stays out, a particle
    assert date.resolved == {"kind": "date_range", "start": "2026-12-24", "end": "2026-12-26",
                             "value": "2026-12-24/2026-12-26"} and place.value == "서울"
    assert [e.text for e in nlu.parse("내일 ~ 모레 서울", today=WED).entities] == ["내일 ~ 모레", "서울"]
    assert nlu.parse_batch(["12월 24일부터 26일까지 서울 날씨"] * 3, today=WED)[0].entities[0].text == "12월 24일부터 26일"
    # two dates that are no range stay two: backwards, or not joined by 부터/~/에서
    assert [e.text for e in nlu.parse("모레부터 내일까지", today=WED).entities] == ["모레", "내일"]
    assert [e.text for e in nlu.parse("내일 서울 모레", today=WED).entities] == ["내일", "서울", "모레"]


def test_should_join_a_date_and_the_untagged_day_after_its_buteo_into_one_range() -> None:
    # lead: on the demo model 12월 24일부터 26일까지 서울 날씨 tagged 12월 24일 alone (26일 untagged):
    # the weather of the 24th was given for three days asked
    nlu = _nlu({"12월 24일": "date", "12월 26일": "date", "서울": "location"})
    for text in ("12월 24일부터 26일까지 서울 날씨", "12월 24일부터 26일까지 날씨"):
        date = nlu.parse(text, today=WED).entities[0]
        assert (date.text, date.start, date.end) == ("12월 24일부터 26일", 0, 13)
        assert date.resolved["kind"] == "date_range" and date.resolved["end"] == "2026-12-26"
        assert nlu.parse_batch([text] * 3, today=WED)[2].entities[0].text == "12월 24일부터 26일"
    assert nlu.parse("12월 24일에서 이십육일 사이 날씨", today=WED).entities[0].resolved["end"] == "2026-12-26"
    # not a range backwards, nor a day that is part of something else
    assert [e.text for e in nlu.parse("12월 24일부터 3일간 서울", today=WED).entities] == ["12월 24일", "서울"]
    assert nlu.parse("12월 26일부터 24일까지", today=WED).entities[0].text == "12월 26일"


def test_should_read_an_ambiguous_hour_with_the_part_of_day_left_out_of_its_span() -> None:
    nlu = _nlu({"내일 오후": "date", "세 시": "time"})
    r = nlu.parse("내일 오후 세 시에 깨워줘", today=WED)
    date, time = r.entities
    assert date.resolved == {"kind": "date", "value": "2026-11-26"}
    assert time.value == "3시" and time.resolved["value"] == "15:00" and "ambiguous" not in time.resolved
    alone = nlu.parse("세 시에 깨워줘").entities[0].resolved
    assert alone["ambiguous"] is True and alone["candidates"] == ["03:00", "15:00"]


def test_should_resolve_the_types_chosen_and_refuse_unknown_resolvers() -> None:
    nlu = _nlu({"내일": "date", "세 시": "time"}, resolve={"date": "date"})
    r = nlu.parse("내일 세 시", today=WED)
    assert [e.resolved is None for e in r.entities] == [False, True]
    none = _nlu({"내일": "date"}, resolve={})
    assert none.parse("내일", today=WED).entities[0].resolved is None
    with pytest.raises(InputError, match="use 'time', 'date', 'money' or 'count'"):
        _nlu({}, resolve={"date": "datetime"})


def test_should_count_relative_dates_from_todays_date_by_default() -> None:
    nlu = _nlu({"내일": "date"})
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    assert nlu.parse("내일").entities[0].resolved == {"kind": "date", "value": tomorrow}
    assert nlu.parse_batch(["내일"] * 3)[2].entities[0].resolved["value"] == tomorrow


def test_should_resolve_an_amount_the_words_around_make_not_exact_as_approx() -> None:
    # 5만원 tagged in 5만원 이하로 보내줘 resolved to exactly 50,000원: the bound was lost
    nlu = NLU(_Intent(), _Tagger({"5만원": "amount", "3만원": "amount"}), {**DICT, "amount": {}})
    [amount] = nlu.parse("5만원 이하로 보내줘").entities
    assert amount.text == "5만원" and amount.resolved == {
        "kind": "money", "value": 50_000, "approx": True, "qualifier": "이하", "max": 50_000,
        "currency": "KRW", "text": "50,000원 이하"}
    [amount] = nlu.parse("2~3만원 보내줘").entities
    assert (amount.resolved["value"], amount.resolved["min"], amount.resolved["max"]) == (None, 20_000, 30_000)
    [amount] = nlu.parse("5만원 보내줘").entities
    assert amount.resolved == {"kind": "money", "value": 50_000, "currency": "KRW", "text": "50,000원"}


@pytest.mark.parametrize("surfaces,text,surface,value,day", [
    ({"삼일": "date"}, "십이월 삼일 서울 날씨", "십이월 삼일", "12월 3일", "2026-12-03"),     # the month left out
    ({"십일": "date"}, "시월 이십일에 부산", "시월 이십일", "10월 20일", "2027-10-20"),     # and the day cut inside
    ({"육일": "date"}, "유월 육일 알람", "유월 육일", "6월 6일", "2027-06-06"),
    ({"십이월": "date", "삼일": "date"}, "십이월 삼일 서울 날씨", "십이월 삼일", "12월 3일", "2026-12-03"),  # tagged apart
    ({"3일": "date"}, "12월 3일 서울 날씨", "12월 3일", "12월 3일", "2026-12-03"),
    ({"십이월 삼일": "date"}, "십이월 삼일 서울 날씨", "십이월 삼일", "12월 3일", "2026-12-03"),
])
def test_should_read_a_month_and_day_said_in_words_as_in_digits(surfaces, text, surface, value, day) -> None:
    # left13: 십이월 삼일 lost its month (the tagger took 삼일 alone: December only by chance),
    # 시월 이십일 became the 10th of the month
    nlu = _nlu({**surfaces, "서울": "location", "부산": "location"})
    date = nlu.parse(text, today=WED).entities[0]
    assert (date.text, date.value, date.resolved) == (surface, value, {"kind": "date", "value": day})
    assert text[date.start:date.end] == surface
    assert nlu.parse_batch([text] * 2, today=WED) == [nlu.parse(text, today=WED)] * 2


@pytest.mark.parametrize("surfaces,text,surface,value,day", [
    ({"이십구일": "date"}, "이월 이십구일 알람", "이월 이십구일", "2월 29일", None),   # no 2월 29일 in 2027
    ({"구일": "date"}, "이월 이십구일 알람", "이월 이십구일", "2월 29일", None),
    ({"삼십일일": "date"}, "사월 삼십일일 날씨", "사월 삼십일일", "4월 31일", None),
    ({"이일": "date"}, "삼월 삼십이일 날씨", "삼월 삼십이일", "3월 32일", None),         # cut inside the day too
    ({"삼월 삼일": "date"}, "십삼월 삼일 날씨", "십삼월 삼일", "13월 3일", None),      # cut inside its month
    ({"이십구일": "date"}, "이천이십팔년 이월 이십구일 알람", "이천이십팔년 이월 이십구일", "이천이십팔년 이월 이십구일",
     {"kind": "date", "value": "2028-02-29"}),                                       # with its year, one
    ({"이십구일": "date"}, "2028년 이월 이십구일 알람", "2028년 이월 이십구일", "2028년 이월 이십구일",
     {"kind": "date", "value": "2028-02-29"}),
])
def test_should_read_a_month_and_day_in_words_with_no_such_date_as_the_digits_are(surfaces, text, surface, value,
                                                                                  day) -> None:
    # review13: 이월 이십구일 (the tagger taking 이십구일 alone) was this month's 29th, an alarm set for
    # 11월 29일, where 2월 29일 is no date (2027 is no leap year); 사월 삼십일일 was 12월 31일,
    # 십삼월 삼일 3월 3일; a year said before the month was left out
    nlu = _nlu({**surfaces, "서울": "location"})
    date = nlu.parse(text, today=WED).entities[0]
    assert (date.text, date.value, date.resolved) == (surface, value, day)
    assert nlu.parse_batch([text] * 2, today=WED) == [nlu.parse(text, today=WED)] * 2


@pytest.mark.parametrize("text,surface", [("십이월에 삼일 동안", "삼일"), ("서울 삼일 날씨", "삼일"),
                                          ("토요일 날씨", "요일"), ("일이월 삼일 날씨", "삼일"),
                                          ("구월동 삼일 날씨", "삼일")])
def test_should_leave_a_day_alone_when_no_month_or_number_is_said_right_before_it(text, surface) -> None:
    [date] = [e for e in _nlu({surface: "date", "서울": "location"}).parse(text, today=WED).entities
              if e.entity == "date"]
    assert date.text == surface


def test_should_find_a_part_of_the_day_only_as_a_word_of_its_own() -> None:
    from nlukit.temporal import parts_of_day
    assert [w for w, _, _ in parts_of_day("아침에 깨워줘 아침엔 오늘밤 내일아침7시 저녁부터 새벽")] \
        == ["아침", "아침", "밤", "아침", "저녁", "새벽"]
    assert parts_of_day("아침밥 저녁밥 밤새 오전반 낮잠 한밤중에 낮은 가격") == []


def test_should_read_an_hour_without_its_half_in_a_part_of_the_day_said_apart() -> None:
    from nlukit.temporal import in_part_of_day
    said = [("아침", "7시"), ("새벽", "4시"), ("저녁", "7시 반"), ("밤", "11시"), ("밤", "1시"), ("오후", "12시"),
            ("새벽", "12시"), ("아침", "12시"), ("저녁", "2시"), ("아침", "오후 3시"), ("아침", "30분 뒤")]
    assert [(in_part_of_day(p, resolve_time(t)) or {}).get("value") for p, t in said] \
        == ["07:00", "04:00", "19:30", "23:00", "01:00", "12:00", "00:00", None, None, None, None]
    assert in_part_of_day("아침", resolve_time("7시")) == {"kind": "time", "hour": 7, "minute": 0, "value": "07:00"}


def test_should_not_take_breakfast_after_tomorrow_for_the_morning_before_dawn() -> None:
    from nlukit.temporal import small_hours_day
    at1am = datetime.datetime(2026, 11, 25, 1, 0)
    assert small_hours_day("내일", at1am, None, " 아침에 9시") == datetime.date(2026, 11, 25)
    assert small_hours_day("내일", at1am, None, " 아침밥 먹고 9시") == datetime.date(2026, 11, 26)


@pytest.mark.parametrize("text,asked", [("몇시인지 몰라요", "몇시"), ("몇 시에 오는지는 몰라요", "몇 시"),
                                        ("며칠에 와요?", "며칠"), ("몇일인지 몰라", "몇일"),
                                        ("언제 오는지 몰라요", "언제"), ("무슨 요일 쉬어요?", "무슨 요일")])
def test_should_take_no_time_or_date_from_a_word_that_asks_for_one(text: str, asked: str) -> None:
    # author14: a visitor's car bot asked 몇시인지 몰라요 at its confirmation read back
    # "내일 몇시에 방문 차량으로 등록할까요?": the tagger tagged the asking word as the time
    nlu = _nlu({asked: "time" if "시" in asked else "date", "내일": "date", "3시": "time"})
    assert nlu.parse(text, today=WED).entities == ()
    assert nlu.parse_batch([text] * 2, today=WED)[1].entities == ()
    # a time or date said is still read, and so is one the dictionary lists
    both = nlu.parse("내일 3시 " + text, today=WED).entities
    assert [(e.text, e.resolved["value"]) for e in both] == [("내일", "2026-11-26"), ("3시", "03:00")]
    listed = NLU(_Intent(), _Tagger({"언제든": "time"}), {"time": {"언제든": []}}).parse("언제든 와요")
    assert [e.value for e in listed.entities] == ["언제든"]


@pytest.mark.parametrize("text,date,time,value", [
    ("헬스장 내일 7시 예약", "내일", "7시", "07:00"), ("낼 2시에 와요", "낼", "2시", "02:00"),
    ("오늘 밤 9시 예약", "오늘", "밤 9시", "21:00"), ("12월 3일 오후 3시에 와요", "12월 3일", "오후 3시", "15:00"),
])
def test_should_cut_a_time_span_run_over_the_date_before_it_into_both(text: str, date: str, time: str,
                                                                     value: str) -> None:
    # author14: an apartment bot's 헬스장 내일 7시 예약 was tagged [내일 7시](time), a time read as
    # none, and the bot asked "며칠에 이용하시겠어요?" for the date just said
    nlu = _nlu({"내일 7시": "time", "낼 2시": "time", "오늘 밤 9시": "time", "12월 3일 오후 3시": "time"})
    r = nlu.parse(text, today=WED)
    assert [(e.entity, e.text) for e in r.entities] == [("date", date), ("time", time)]
    assert r.entities[0].resolved["kind"] == "date" and r.entities[1].resolved["value"] == value
    assert all(text[e.start:e.end] == e.text for e in r.entities)
    assert nlu.parse_batch([text] * 2, today=WED) == [r] * 2


def test_should_leave_a_time_span_whole_when_it_reads_as_a_time_or_holds_no_date() -> None:
    nlu = _nlu({"오후 3시 반": "time", "3시 점심": "time", "저녁 7시": "time"})
    assert [e.text for e in nlu.parse("오후 3시 반 알람", today=WED).entities] == ["오후 3시 반"]
    assert [e.text for e in nlu.parse("3시 점심 알람", today=WED).entities] == ["3시 점심"]
    assert [(e.entity, e.text) for e in nlu.parse("저녁 7시 알람", today=WED).entities] == [("time", "저녁 7시")]
    # no type read as dates: nothing to cut into
    alone = NLU(_Intent(), _Tagger({"내일 7시": "time"}), {"time": {"7시": []}}, resolve={"time": "time"})
    assert [e.text for e in alone.parse("내일 7시 알람", today=WED).entities] == ["내일 7시"]


@pytest.mark.parametrize("text,tagged", [("부산 무슨 요일에 비 와?", "요일"), ("몇 분 뒤에 알람 맞춰줘", "분 뒤"),
                                         ("몇시간 뒤에 깨워줘", "시간 뒤"), ("서울 어느 요일에 비 와", "요일")])
def test_should_take_no_time_or_date_from_a_span_begun_after_the_word_asking_for_it(text: str, tagged: str) -> None:
    # review14b: the demo's tagger began the span after the asking word (무슨 | 요일, 몇 | 분 뒤):
    # 부산 무슨 요일에 비 와? read back "요일 부산의 날씨를 알려드릴게요.", 몇 분 뒤에 알람 맞춰줘
    # "'분 뒤'는 아직 지원하지 않아요."
    nlu = _nlu({tagged: "date" if "요일" in tagged else "time", "내일": "date", "3시": "time"})
    assert nlu.parse(text, today=WED).entities == ()
    # a time or date said after such a word is still read (몇 번이고 내일 3시)
    both = nlu.parse("무슨 일이 있어도 내일 3시 " + text, today=WED).entities
    assert [e.text for e in both] == ["내일", "3시"]


def test_should_read_no_place_or_time_from_a_number_said_with_its_counter() -> None:
    # review14: 두 명 기차 예매해줘 booked a train to 두 on the demo model (두 tagged a location, 2명
    # a time): a number with its counter, or one right after it, is a count of people or things
    nlu = _nlu({"두": "location", "세 장": "location", "2명": "time", "서울": "location", "10분": "time"})
    assert [e.value for e in nlu.parse("두 명 서울 가는 기차", today=WED).entities] == ["서울"]
    assert nlu.parse("2명 예매해줘", today=WED).entities == ()
    assert nlu.parse("세 장 예매해줘", today=WED).entities == ()
    # a place name, listed or not, and a time's minutes stay
    assert [e.value for e in _nlu({"두류": "location"}).parse("두류 가는 기차", today=WED).entities] == ["두류"]
    # a type the dictionary has no values of (people, not resolved) may be a count
    people = NLU(_Intent(), _Tagger({"두 명": "people"}), {**DICT, "people": {}}, resolve={})
    assert [e.value for e in people.parse("두 명 예약", today=WED).entities] == ["두 명"]
    assert [e.value for e in nlu.parse("10분 뒤에 깨워줘", today=WED).entities] == ["10분"]
