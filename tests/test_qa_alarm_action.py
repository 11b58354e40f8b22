"""The demo alarm action keeps the 오전/오후 the user typed before a bare answer's time span."""
from __future__ import annotations

import datetime

from nlukit.bot.actions import set_alarm

TODAY = datetime.date(2026, 11, 25)


def _context(text, start, end, value, resolved):
    ent = {"entity": "time", "start": start, "end": end, "value": value, "text": text[start:end],
           "role": None, "resolved": resolved}
    return {"today": TODAY, "text": text, "parse": {"text": text, "entities": [ent]}}


def test_should_confirm_the_afternoon_typed_before_a_bare_time_answer():
    # Given the bot asked 몇 시에? and the user answered 오후 세 시; the tagger spanned only 세 시
    # (slot value 3시) and the parse resolved it with the 오후 before it to 15:00
    ctx = _context("오후 세 시", 3, 6, "3시", {"kind": "time", "hour": 15, "minute": 0, "value": "15:00"})
    # When the action confirms the alarm
    reply = set_alarm({"time": "3시", "date": "오늘"}, ctx)
    # Then it says 오후 3시, as the user asked, not the ambiguous 3시
    assert reply == "11월 25일 (수) 오후 3시에 알람을 맞췄어요."


def test_should_keep_a_time_said_without_a_part_of_day_as_typed():
    ctx = _context("세 시", 0, 3, "3시", {"kind": "time", "hour": 3, "minute": 0, "value": "03:00",
                                         "ambiguous": True, "candidates": ["03:00", "15:00"]})
    assert set_alarm({"time": "3시", "date": "오늘"}, ctx) == "11월 25일 (수) 3시에 알람을 맞췄어요."


def test_should_ignore_a_resolved_time_of_another_value():
    ctx = _context("오후 네 시", 3, 6, "4시", {"kind": "time", "hour": 16, "minute": 0, "value": "16:00"})
    assert set_alarm({"time": "3시", "date": "오늘"}, ctx) == "11월 25일 (수) 3시에 알람을 맞췄어요."
