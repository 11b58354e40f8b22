"""`nlukit train | parse | info | evaluate` end to end on the fixture, through nlukit.cli.main."""
from __future__ import annotations

import io
import json
import os
import shutil

import pytest

from nlukit.cli import main

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(FIXTURE, "tiny.toml")
QUICK = ["--set", "intent.epochs=4", "--set", "tagger.epochs=4", "--set", "word2vec.epochs=2"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = str(tmp_path_factory.mktemp("cli") / "m")
    assert main(["train", FIXTURE, "-o", out, "--config", TINY, "--no-progress", *QUICK]) == 0
    return out


def test_should_train_print_a_summary_and_refuse_to_overwrite(model: str, capsys) -> None:
    assert os.path.islink(os.path.join(model, "current"))
    assert main(["train", FIXTURE, "-o", model, "--config", TINY, "--no-progress", *QUICK]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nlukit: error:") and "--force" in err and err.count("\n") == 1


def test_should_parse_one_text_as_json(model: str, capsys) -> None:
    assert main(["parse", model, "서울시 낼 날씨 알려줘", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["text"] == "서울시 낼 날씨 알려줘"
    assert set(out) == {"text", "intent", "entities", "intent_ranking"}
    assert {r["name"] for r in out["intent_ranking"]} == {"greeting", "train_ticket", "weather"}


def test_should_resolve_dates_from_the_today_given(model: str, capsys) -> None:
    # a training sentence, so the tiny model tags 내일 as a date
    assert main(["parse", model, "서울 내일 날씨 알려줘", "--json", "--today", "2026-11-25"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(e["entity"], e["resolved"]) for e in out["entities"]] == [
        ("location", None), ("date", {"kind": "date", "value": "2026-11-26"})]
    assert main(["parse", model, "서울 내일 날씨 알려줘", "--today", "2026-12-31"]) == 0
    assert "= 2027-01-01" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["parse", model, "서울 내일 날씨", "--today", "2026-13-01"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_should_parse_stdin_lines_into_jsonl(model: str, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("안녕하세요\n\n서울 날씨 어때\n"))
    assert main(["parse", model, "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    rows = [json.loads(x) for x in lines]
    assert [r["text"] for r in rows] == ["안녕하세요", "", "서울 날씨 어때"]
    assert rows[1]["intent"] is None


def test_should_answer_an_over_long_stdin_line_with_an_error_row(model: str, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("안녕하세요\n" + "가" * 1001 + "\n서울 날씨\n"))
    assert main(["parse", model, "-"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and rows[0]["intent"] and rows[2]["intent"]
    assert rows[1]["error"]["code"] == "E002" and "1000" in rows[1]["error"]["message"]


def test_should_answer_a_line_that_is_not_utf8_with_an_error_row_in_its_place(model: str, capsys,
                                                                               monkeypatch) -> None:
    raw = "\ufeff안녕하세요\n".encode() + b"\xff\xfe bad\n" + "서울 날씨\n".encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="surrogateescape"))
    assert main(["parse", model, "-"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r.get("text") for r in rows] == ["안녕하세요", None, "서울 날씨"]   # a BOM is not text
    assert rows[1] == {"line": 2, "error": {"code": "invalid_utf8", "message":
                       "line 2 is not valid UTF-8 (byte 0xff at byte 0); save the input as UTF-8"}}


def test_should_show_info_and_verify_files(model: str, capsys) -> None:
    assert main(["info", model, "--verify"]) == 0
    out = capsys.readouterr().out
    assert "tokenizer    mecab" in out and "(current)" in out and "verified" in out
    meta = json.load(open(os.path.join(model, "current", "meta.json"), encoding="utf-8"))
    kind = meta["config"]["intent"]["kind"]
    assert f"models       intent {kind}" in out and f"fallback below {meta['intent_threshold']:.3f}" in out
    assert "tagger BiLSTM-CRF over morphemes" in out
    memory = json.load(open(os.path.join(model, "current", "memory.json"), encoding="utf-8"))
    assert f"memory       {len(memory)} taught sentences" in out and meta["memory_sentences"] == len(memory)
    assert main(["info", model, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tag_scheme"] == "IOB2"


def test_should_evaluate_and_write_both_reports(model: str, tmp_path, capsys) -> None:
    out = tmp_path / "rep"
    assert main(["evaluate", model, FIXTURE, "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "intent accuracy" in text and "slice unseen_templates" in text
    rep = json.load(open(out / "report.json", encoding="utf-8"))
    assert rep["n"] == 6 and rep["split"] == "test"
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_should_warn_when_the_scored_split_is_not_held_out_or_not_the_models(model: str, tmp_path, capsys) -> None:
    import shutil
    assert main(["evaluate", model, FIXTURE, "--split", "train", "-o", str(tmp_path / "t")]) == 0
    err = capsys.readouterr().err
    assert "nlukit: warning: the model was trained on the train split" in err and "--split test" in err
    assert "was trained on the train split" in (tmp_path / "t" / "report.html").read_text(encoding="utf-8")
    # a split the model only memorised is scored as if never seen, and says so
    assert main(["evaluate", model, FIXTURE, "--split", "valid"]) == 0
    out, err = capsys.readouterr()
    assert "memory off for its sentences (the model memorised them)" in out and err == ""
    # a dataset whose intents the model never saw: each such sentence counts as an error, said so
    other = tmp_path / "other"
    shutil.copytree(FIXTURE, other)
    rows = [json.loads(line) for line in open(other / "test.jsonl", encoding="utf-8")]
    rows[0]["intent"] = "refund"
    (other / "test.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                      encoding="utf-8")
    assert main(["evaluate", model, str(other)]) == 0
    err = capsys.readouterr().err
    assert "1 of 6 sentences are of intents the model does not know (refund)" in err
    assert "memorised" not in err   # another dataset: its splits are not the model's
    # --set only makes sense with --folds: refused, not silently ignored
    assert main(["evaluate", model, FIXTURE, "--set", "intent.epochs=3"]) == 1
    assert "--set changes the models --folds trains" in capsys.readouterr().err


def test_should_cross_validate_with_folds(model: str, tmp_path, capsys) -> None:
    out = tmp_path / "cv"
    assert main(["evaluate", model, FIXTURE, "--folds", "2", "-o", str(out)]) == 0
    rep = json.load(open(out / "cv_report.json", encoding="utf-8"))
    assert rep["folds"] == 2 and rep["n"] == 39 and len(rep["per_fold"]) == 2
    assert sum(f["n"] for f in rep["per_fold"]) == 39
    assert "intent_accuracy" in capsys.readouterr().out


def test_should_fail_with_one_line_for_a_missing_model(tmp_path, capsys) -> None:
    assert main(["parse", str(tmp_path / "none"), "안녕"]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "nlukit train" in err and err.count("\n") == 1


def test_should_print_the_resolved_config(capsys) -> None:
    assert main(["train", FIXTURE, "-o", "unused", "--set", "intent.epochs=9", "--print-config"]) == 0
    out = capsys.readouterr().out
    assert "[intent]" in out and "epochs = 9" in out and not os.path.exists("unused")


@pytest.mark.slow
def test_should_leave_no_staging_folder_when_training_is_terminated(tmp_path) -> None:
    import signal
    import subprocess
    import sys
    import time
    data = tmp_path / "fit"
    shutil.copytree(FIXTURE, data)
    shutil.copy(data / "train.jsonl", data / "valid.jsonl")
    out = tmp_path / "model"
    proc = subprocess.Popen([sys.executable, "-m", "nlukit", "train", str(data), "-o", str(out), "--no-progress",
                             "--set", "tagger.epochs=500", "--set", "tagger.patience=500"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and any(p.name.startswith(".tmp-") for p in out.iterdir())):
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    proc.send_signal(signal.SIGTERM)      # timeout, kill, a container stopping
    assert proc.wait(timeout=60) == 143
    assert not out.exists() or not any(p.name.startswith(".tmp-") for p in out.iterdir())


def test_should_stop_at_the_next_epoch_when_the_terminate_signal_was_swallowed(tmp_path, monkeypatch) -> None:
    # a SIGTERM handled while the main thread runs a __del__ or a gc callback is printed and
    # dropped by Python; the recorded request still stops the training and commits nothing
    from nlukit import errors
    monkeypatch.setattr(errors, "_stop_requests", [15])
    out = tmp_path / "model"
    with pytest.raises(errors.Terminated) as exc:
        main(["train", FIXTURE, "-o", str(out), "--config", TINY, "--no-progress", *QUICK])
    assert exc.value.code == 143
    assert not out.exists()


def test_should_commit_no_model_when_the_stop_came_after_the_last_epoch(tmp_path, monkeypatch) -> None:
    import nlukit
    from nlukit import errors
    monkeypatch.setattr(errors, "_stop_requests", [])

    def swallowed(meta, report, comps, results) -> None:
        try:
            errors.request_stop(15)
        except errors.Terminated:
            pass
    out = tmp_path / "model"
    with pytest.raises(errors.Terminated):
        nlukit.train(FIXTURE, str(out), config=TINY, overrides=QUICK[1::2], progress=False,
                     before_commit=swallowed)
    assert not out.exists()


@pytest.mark.parametrize("item, shown", [
    ("train.threads=99999999999999999999", "train.threads"),   # torch: OverflowError traceback
    ("intent.threads=-1", "intent.threads"),                    # torch: RuntimeError traceback
    ("tagger.threads=100000", "tagger.threads"),                # torch: a crash or a hang
    ("word2vec.workers=99999999999999999999", "word2vec.workers"),  # gensim: hangs
    ("train.workers=-5", "train.workers"),
])
def test_should_refuse_a_thread_or_worker_count_no_machine_runs_in_one_line(
        tmp_path, capsys, item: str, shown: str) -> None:
    out = str(tmp_path / "m")
    assert main(["train", FIXTURE, "-o", out, "--no-progress", "--set", item]) == 1
    err = capsys.readouterr().err
    assert err.startswith("nlukit: error: ") and err.count("\n") == 1, err
    assert shown in err and "Traceback" not in err
    assert not os.path.exists(out)
