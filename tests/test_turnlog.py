"""The turn log: ``Bot(log=...)`` appends one JSON line per turn, safely, and never at the user's expense."""
from __future__ import annotations

import hashlib
import io
import json
import logging
import multiprocessing
import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser  # noqa: E402

from nlukit.bot import Bot, load_scenarios  # noqa: E402
from nlukit.bot.turnlog import MAX_TEXT, TurnLog, read_turns  # noqa: E402
from nlukit.cli import main  # noqa: E402
from nlukit.errors import InputError  # noqa: E402

SCENARIOS = os.path.join(HERE, "scenarios.toml")


def make_bot(log, parser=None, clock=None) -> Bot:
    parser = parser or StandInParser()
    kw = {"clock": clock} if clock is not None else {}
    return Bot(parser, load_scenarios(SCENARIOS, parser.intents, parser.entity_types), log=log, **kw)


def lines(path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(x) for x in fh]


def test_should_write_one_line_per_turn_with_what_a_review_needs(tmp_path):
    # Given a bot logging to a file (the clock at 1000 s after the epoch)
    path = tmp_path / "logs" / "turns.jsonl"
    bot = make_bot(str(path), clock=lambda: 1000.0)
    # When a user asks for a train, answers with a town the bot does not know, then with one it knows
    for text in ("기차 예매해줘", "강릉", "서울에서요"):
        bot.handle("user-1", text)
    # Then three JSON lines, in order, say what happened
    recs = lines(path)
    assert [r["text"] for r in recs] == ["기차 예매해줘", "강릉", "서울에서요"]
    first, missed, answered = recs
    assert first["ts"] == "1970-01-01T00:16:40.000Z"
    assert (first["intent"], first["confidence"], first["fallback"]) == ("train_ticket", 0.9, False)
    assert (first["state"], first["scenario"], first["slot"], first["before"]) == (
        "ask_slot", "train_ticket", "origin", None)
    # the unknown town was not understood: the question was asked again
    assert (missed["fallback"], missed["state"], missed["slot"]) == (True, "ask_slot", "origin")
    assert missed["before"] == {"scenario": "train_ticket", "slot": "origin", "confirming": False}
    assert answered["fallback"] is False and answered["slot"] == "destination"
    assert answered["entities"] == [{"entity": "location", "role": "origin", "value": "서울", "text": "서울",
                                     "start": 0, "end": 2}]
    assert all(r["v"] == 1 and r["truncated"] is False and r["model"] is None for r in recs)


def test_should_hash_the_session_id_unless_the_raw_id_is_asked_for(tmp_path):
    hashed, raw, salted = tmp_path / "h.jsonl", tmp_path / "r.jsonl", tmp_path / "s.jsonl"
    make_bot(str(hashed)).handle("010-1234-5678", "안녕")
    make_bot(TurnLog(raw, raw_session_ids=True)).handle("010-1234-5678", "안녕")
    make_bot(TurnLog(salted, salt="s3cret")).handle("010-1234-5678", "안녕")
    [h], [r], [s] = lines(hashed), lines(raw), lines(salted)
    assert h["session"] == hashlib.sha256(b"010-1234-5678").hexdigest()[:16]
    assert "010-1234-5678" not in hashed.read_text(encoding="utf-8") and "session_id" not in h
    assert r["session"] == h["session"] and r["session_id"] == "010-1234-5678"
    assert s["session"] == hashlib.sha256(b"s3cret010-1234-5678").hexdigest()[:16]


def test_should_cap_long_texts_and_say_so(tmp_path):
    path = tmp_path / "t.jsonl"
    make_bot(str(path)).handle("u", "가" * (MAX_TEXT + 500))
    [rec] = lines(path)
    assert rec["text"] == "가" * MAX_TEXT and rec["truncated"] is True


def test_should_name_the_model_version_that_answered(tmp_path):
    parser = StandInParser()
    parser.meta = {"name": "demo", "version": "20261122-101500", "config": {"big": "not logged"}}
    path = tmp_path / "t.jsonl"
    make_bot(str(path), parser=parser).handle("u", "안녕")
    assert lines(path)[0]["model"] == {"name": "demo", "version": "20261122-101500"}


def test_should_go_on_talking_when_the_log_cannot_be_written(tmp_path, caplog):
    # Given a log path whose folder is a file, and a writer that always fails
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")

    class Broken:
        def write(self, record):
            raise RuntimeError("disk on fire")

    for log in (str(blocker / "turns.jsonl"), Broken()):
        bot = make_bot(log)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="nlukit.bot"):
            # When the user talks for three turns
            turns = [bot.handle("u", t) for t in ("기차 예매해줘", "서울", "부산")]
        # Then the conversation is the same as without a log, and one warning names the log
        assert [t.state for t in turns] == ["ask_slot", "ask_slot", "ask_slot"]
        assert turns[-1].slots == {"origin": "서울", "destination": "부산"}
        warnings = [r for r in caplog.records if "turn log" in r.getMessage()]
        assert len(warnings) == 1


def test_should_start_a_new_file_when_the_log_was_rotated(tmp_path):
    path = tmp_path / "t.jsonl"
    bot = make_bot(str(path))
    bot.handle("u", "안녕")
    os.rename(path, tmp_path / "t.jsonl.1")      # logrotate moves the file away
    bot.handle("u", "날씨 알려줘")
    assert [r["text"] for r in lines(tmp_path / "t.jsonl.1")] == ["안녕"]
    assert [r["text"] for r in lines(path)] == ["날씨 알려줘"]


def test_should_refuse_an_open_file_as_the_log():
    with pytest.raises(InputError, match="file path or a TurnLog"):
        make_bot(io.StringIO())


def _talk_a_lot(path: str, worker: int, n: int, barrier) -> None:
    bot = make_bot(path)
    barrier.wait()
    for i in range(n):
        # lines of 1-3 kB and more: a writer that buffered and flushed in chunks would cut them
        bot.handle(f"w{worker}-{i % 7}", f"{worker}:{i} " + "기차 예매 " * (60 + 40 * (i % 5)))


def test_should_never_split_a_line_when_several_processes_append_at_once(tmp_path):
    path = str(tmp_path / "shared.jsonl")
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(3)
    procs = [ctx.Process(target=_talk_a_lot, args=(path, w, 400, barrier)) for w in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    bad: list = []
    recs = list(read_turns([path], bad))
    assert bad == []
    assert sorted(r["text"].split(" ", 1)[0] for r in recs) == sorted(
        f"{w}:{i}" for w in range(3) for i in range(400))


def test_should_log_the_turns_of_nlukit_chat(tmp_path, monkeypatch, capsys):
    import nlukit.nlu

    monkeypatch.setattr(nlukit.nlu, "load", lambda path, **kw: StandInParser())
    monkeypatch.setattr(sys, "stdin", io.StringIO("기차 예매해줘\n/reset\n뭐라고\n"))
    path = tmp_path / "chat.jsonl"
    assert main(["chat", "models/x", "--scenarios", SCENARIOS, "--log", str(path)]) == 0
    recs = lines(path)
    assert [(r["text"], r["state"], r["fallback"]) for r in recs] == [
        ("기차 예매해줘", "ask_slot", False), ("뭐라고", "fallback", True)]
    assert recs[0]["session"] == hashlib.sha256(b"cli").hexdigest()[:16]


def test_should_mask_account_card_and_phone_numbers_in_the_log(tmp_path):
    # a bank bot's users type account and phone numbers; the log (which leaves the server for
    # review) kept them in clear. Amounts stay readable, offsets hold (one * per digit)
    path = tmp_path / "t.jsonl"
    bot = make_bot(str(path))
    bot.handle("u", "110-123-456789 계좌로 1,000,000원 보내줘")
    bot.handle("u", "제 번호는 010 1234 5678 이고 카드는 1234567812345678")
    first, second = lines(path)
    assert first["text"] == "***-***-****** 계좌로 1,000,000원 보내줘"
    assert second["text"] == "제 번호는 *** **** **** 이고 카드는 ****************"
    assert "456789" not in path.read_text(encoding="utf-8")
    # kept when asked for
    raw = tmp_path / "raw.jsonl"
    make_bot(TurnLog(raw, mask_numbers=False)).handle("u", "110-123-456789")
    assert lines(raw)[0]["text"] == "110-123-456789"
