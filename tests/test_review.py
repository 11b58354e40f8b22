"""``nlukit review`` over a hand-written turn log: what fell back, what was unsure, which questions users left."""
from __future__ import annotations

import json
import os

import pytest

from nlukit.bot.review import draft_patterns, review
from nlukit.cli import main
from nlukit.errors import PatternError
from nlukit.generate.grammar import expand, parse_patterns

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
TINY = os.path.join(FIXTURE, "tiny.toml")
QUICK = ["--set", "intent.epochs=4", "--set", "tagger.epochs=4", "--set", "word2vec.epochs=2"]


def turn(minute: int, session: str, text: str, state: str, *, intent: str = "fallback", conf: float = 0.8,
         fallback: bool = False, scenario: str | None = None, slot: str | None = None,
         before: tuple[str, str | None] | None = None, guess: tuple[str, float] | None = None,
         entities: list | None = None) -> dict:
    ranking = [[intent, conf]] if intent != "fallback" else ([list(guess)] if guess else [])
    return {"v": 1, "ts": f"2026-11-22T10:{minute:02d}:00.000Z", "session": session, "text": text,
            "truncated": False, "intent": intent, "confidence": conf, "ranking": ranking,
            "fallback": fallback, "entities": entities or [], "state": state, "scenario": scenario,
            "slot": slot, "before": {"scenario": before[0], "slot": before[1], "confirming": before[1] is None}
            if before else None, "model": {"name": "demo", "version": "1"}}


GANGNEUNG = [{"entity": "location", "role": None, "value": "강릉", "text": "강릉", "start": 0, "end": 2}]

LOG = [
    # three sessions type the same request, spelled three ways: not understood
    turn(0, "s1", "강릉 가는 버스 있어?", "fallback", fallback=True, guess=("train_ticket", 0.31),
         entities=GANGNEUNG),
    turn(1, "s2", "강릉가는 버스 있어", "fallback", fallback=True, guess=("train_ticket", 0.35)),
    turn(2, "s2", "강릉 가는 버스 있어?", "fallback", fallback=True, guess=("weather", 0.2),
         entities=GANGNEUNG),
    turn(3, "s3", "ㅋㅋㅋ", "fallback", fallback=True),
    # a train booking: a town the dictionary lacks, then the user asks for the weather instead
    turn(4, "s4", "기차 예매해줘", "ask_slot", intent="train_ticket", conf=0.95, scenario="train_ticket",
         slot="origin"),
    turn(5, "s4", "강릉", "ask_slot", fallback=True, scenario="train_ticket", slot="origin",
         before=("train_ticket", "origin"), guess=("weather", 0.1)),
    turn(6, "s4", "날씨 알려줘", "ask_slot", intent="weather", conf=0.9, scenario="weather", slot="location",
         before=("train_ticket", "origin")),
    # a booking cancelled at the destination question
    turn(7, "s5", "기차 예매해줘", "ask_slot", intent="train_ticket", conf=0.9, scenario="train_ticket",
         slot="origin"),
    turn(8, "s5", "서울", "ask_slot", scenario="train_ticket", slot="destination",
         before=("train_ticket", "origin")),
    turn(9, "s5", "취소", "cancelled", scenario="train_ticket", before=("train_ticket", "destination")),
    # acted on with an unsure intent; the bare answer after it is not listed (its intent decides nothing)
    turn(10, "s6", "날씨는", "ask_slot", intent="weather", conf=0.62, scenario="weather", slot="location"),
    turn(11, "s6", "부산", "complete", intent="weather", conf=0.3, scenario="weather",
         before=("weather", "location")),
    # an alarm question the user came back to only after the session expired
    turn(12, "s7", "알람 맞춰줘", "ask_slot", intent="alarm", conf=0.9, scenario="alarm", slot="time"),
    turn(50, "s7", "안녕", "complete", intent="greeting", conf=0.99, scenario="greeting"),
]


def write_log(path, records, extra: str = "") -> str:
    with open(path, "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        fh.write(extra)
    return str(path)


def test_should_group_what_fell_back_and_count_turns_and_sessions(tmp_path):
    # Given a log written out of order (two workers' files merged), so the review sorts by time
    path = write_log(tmp_path / "t.jsonl", LOG[::-1])
    rv = review([path])
    assert (rv.turns, rv.sessions, rv.fallbacks) == (14, 7, 5)
    assert rv.fallback_rate == pytest.approx(5 / 14)
    assert [(g.text, g.count, g.sessions) for g in rv.fell_back] == [
        ("강릉 가는 버스 있어?", 3, 2), ("ㅋㅋㅋ", 1, 1), ("강릉", 1, 1)]
    top = rv.fell_back[0]
    assert (top.guess, top.guess_confidence, top.asked) == ("train_ticket", 0.33, None)
    assert rv.fell_back[2].asked == "train_ticket · origin"


def test_should_list_unsure_turns_the_bot_acted_on_but_not_answers_to_its_questions(tmp_path):
    rv = review([write_log(tmp_path / "t.jsonl", LOG)], below=0.7)
    assert [(g.text, g.guess, g.guess_confidence) for g in rv.low_confidence] == [("날씨는", "weather", 0.62)]
    assert review([write_log(tmp_path / "u.jsonl", LOG)], below=0.6).low_confidence == []


def test_should_count_questions_left_per_scenario_and_slot(tmp_path):
    rv = review([write_log(tmp_path / "t.jsonl", LOG)])
    left = {a.name: (a.asked, dict(a.left)) for a in rv.abandoned}
    assert left == {
        "train_ticket · origin": (2, {"new_request": 1}),       # s5's origin was answered
        "train_ticket · destination": (1, {"cancelled": 1}),
        "weather · location": (2, {"no_reply": 1}),             # s4 never answered; s6 did
        "alarm · time": (1, {"no_reply": 1}),                   # back only after the session expired
    }


def test_should_report_bad_lines_with_file_and_line_and_go_on(tmp_path, capsys):
    path = write_log(tmp_path / "t.jsonl", LOG[:2], extra='{"ts": "x"}\nnot json\n'
                     + json.dumps(LOG[2], ensure_ascii=False) + '\n{"ts": "2026-11-22T10:')
    assert main(["review", path]) == 0
    out = capsys.readouterr().out
    assert "3 bad lines, skipped:" in out
    assert f"{path}:3: no 'session' string: not a turn record" in out
    assert f"{path}:4: not JSON" in out
    assert f"{path}:6: cut short (no newline at the end)" in out
    assert "turns 3 · sessions 2 · fell back 3 (100.0 %)" in out
    assert "      3        2  train_ticket 0.33  강릉 가는 버스 있어?" in out


def test_should_print_one_line_naming_the_cause_and_fix_when_a_log_is_missing_or_not_a_log(tmp_path, capsys):
    assert main(["review", str(tmp_path / "nope.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err == f"nlukit: error: turn log {tmp_path / 'nope.jsonl'} does not exist; pass the file given " \
                  "to Bot(log=...) or nlukit chat --log\n"
    csv = tmp_path / "dict.csv"
    csv.write_text("entity,value\nlocation,서울\n", encoding="utf-8")
    assert main(["review", str(csv)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"nlukit: error: {csv} is not a turn log: none of its 2 lines is a turn record")
    assert "pass the JSONL file written by Bot(log=...)" in err and err.count("\n") == 1


def test_should_write_the_same_review_as_json(tmp_path, capsys):
    path = write_log(tmp_path / "t.jsonl", LOG)
    assert main(["review", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["turns"], out["sessions"], out["fallbacks"]) == (14, 7, 5)
    assert out["fell_back"][0]["text"] == "강릉 가는 버스 있어?" and out["fell_back"][0]["sessions"] == 2
    assert {(a["scenario"], a["slot"], a["left"], a["cancelled"]) for a in out["abandoned"]} >= {
        ("train_ticket", "destination", 1, 1)}


def test_should_draft_a_pattern_file_that_is_refused_until_each_intent_is_named(tmp_path, capsys):
    # Given a log whose missed texts hold pattern characters and a marked entity
    special = turn(30, "s9", "(급함) 강릉 #1 버스 @터미널", "fallback", fallback=True, guess=("train_ticket", 0.4),
                   entities=[{"entity": "location", "role": None, "value": "강릉", "text": "강릉",
                              "start": 5, "end": 7}])
    path = write_log(tmp_path / "t.jsonl", [*LOG, special])
    draft = tmp_path / "patterns" / "review.txt"
    # When the review writes the draft
    assert main(["review", path, "--patterns", str(draft)]) == 0
    text = draft.read_text(encoding="utf-8")
    assert text.startswith("# 검토 필요")
    assert "[강릉](location) 가는 버스 있어?    # 3번, 세션 2개" in text
    assert "강릉    # 1번, 세션 1개, train_ticket · origin 질문의 답" in text
    assert r"\(급함\) [강릉](location) \#1 버스 \@터미널" in text
    # Then the pattern reader refuses it at the first placeholder, naming file and line
    with pytest.raises(PatternError, match=r"review.txt:\d+:2: bad intent name '\?\?\?'"):
        parse_patterns(text, str(draft))
    # and once each @??? names an intent, it reads, and each line means what the user typed
    pats = parse_patterns(text.replace("@???", "@train_ticket"), str(draft), entity_types=["location"])
    sentences = {s for t in pats.templates() for s, _ in expand(t, {"location": {"강릉": []}})}
    assert {"강릉 가는 버스 있어?", "(급함) 강릉 #1 버스 @터미널", "ㅋㅋㅋ", "강릉"} == sentences
    # and an existing draft is not overwritten without --force
    assert main(["review", path, "--patterns", str(draft)]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["review", path, "--patterns", str(draft), "--force"]) == 0


def test_should_sort_draft_sections_by_the_models_guess(tmp_path):
    text = draft_patterns(review([write_log(tmp_path / "t.jsonl", LOG)]))
    sections = [s.splitlines()[0] for s in text.split("\n\n")[1:]]
    assert sections == ["# 검토 필요: 모델의 추측 train_ticket", "# 검토 필요: 모델의 추측 weather",
                        "# 검토 필요: 모델의 추측 없음"]


@pytest.mark.slow
def test_should_show_which_missed_texts_a_new_model_understands(tmp_path, capsys):
    # Given a model trained on the fixture (안녕하세요 is one of its greetings)
    model = str(tmp_path / "m")
    assert main(["train", FIXTURE, "-o", model, "--config", TINY, "--no-progress", *QUICK]) == 0
    capsys.readouterr()
    log = [turn(0, "a", "안녕하세요!", "fallback", fallback=True), turn(1, "b", "안녕하세요", "fallback", fallback=True),
           turn(2, "c", "ㅋㅋㅋ", "fallback", fallback=True)]
    path = write_log(tmp_path / "t.jsonl", log)
    # When the review re-parses what fell back with it
    assert main(["review", path, "--model", model, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    now = {g["text"]: g["now"] for g in out["fell_back"]}
    # Then the greeting is understood now and laughter alone still is not
    assert now["안녕하세요!"]["intent"] == "greeting" and now["안녕하세요!"]["understood"] is True
    assert now["ㅋㅋㅋ"]["understood"] is False and now["ㅋㅋㅋ"]["intent"] == "fallback"
    assert main(["review", path, "--model", model]) == 0
    assert f"With {model}: 1 of 2 texts understood (2 of 3 turns)" in capsys.readouterr().out


def test_should_not_pass_control_characters_from_user_texts_to_the_terminal(tmp_path, capsys):
    # a user typed an escape sequence: printed as is, it would recolour (or retitle) the reviewer's terminal
    path = write_log(tmp_path / "t.jsonl", [turn(0, "a", "\x1b[2J지워졌지?", "fallback", fallback=True)])
    assert main(["review", path]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and r"\x1b[2J지워졌지?" in out
    assert "\x1b" not in draft_patterns(review([path]))
