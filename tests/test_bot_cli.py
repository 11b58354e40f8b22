"""``nlukit chat``: a conversation scripted through stdin, with a stand-in model."""
from __future__ import annotations

import io
import json
import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser  # noqa: E402

from nlukit.cli import main  # noqa: E402

SCENARIOS = os.path.join(HERE, "scenarios.toml")


@pytest.fixture
def standin_model(monkeypatch):
    import nlukit.nlu

    loaded: list[str] = []

    def fake_load(path, **kw):
        loaded.append(path)
        return StandInParser()

    monkeypatch.setattr(nlukit.nlu, "load", fake_load)
    return loaded


def run_chat(monkeypatch, capsys, stdin: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["chat", "models/x", "--scenarios", SCENARIOS, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_should_print_one_reply_per_piped_line(monkeypatch, capsys, standin_model):
    code, out, _ = run_chat(monkeypatch, capsys, "기차 예매해줘\n부산\n\n서울역\n모레\n")
    assert code == 0 and standin_model == ["models/x"]
    assert out.splitlines() == ["어디에서 출발하세요?", "부산에서 어디로 가세요?", "언제 출발하세요?",
                                "모레 부산에서 서울역으로 가는 기차를 예매할게요."]


def test_should_obey_reset_and_quit_in_a_piped_conversation(monkeypatch, capsys, standin_model):
    code, out, _ = run_chat(monkeypatch, capsys, "기차 예매해줘\n/reset\n부산\n/quit\n서울역\n")
    assert code == 0
    # /reset forgot the asked origin, so 부산 alone is not understood; nothing after /quit is read
    assert out.splitlines()[:2] == ["어디에서 출발하세요?", "(대화를 처음부터 시작합니다)"]
    assert len(out.splitlines()) == 3 and "부산에서" not in out


def test_should_print_each_turn_as_chat_json(monkeypatch, capsys, standin_model):
    code, out, err = run_chat(monkeypatch, capsys, "날씨 알려줘\n광주\n", "--json", "--debug")
    turns = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [t["state"] for t in turns] == ["ask_slot", "complete"]
    assert turns[1]["reply"] == "오늘 광주의 날씨를 알려드릴게요."
    assert turns[1]["slots"] == {"location": "광주", "date": "오늘"}
    assert set(turns[0]) == {"reply", "state", "intent", "slots", "missing", "parse", "resolved", "choices", "multiple", "requests"}
    assert "[ask_slot] intent=weather" in err


def test_should_print_one_line_and_exit_1_on_a_bad_scenario_file(monkeypatch, capsys, standin_model, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[scenario]]\nintent = "weather"\nresponse = "{locaton}"\n', encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO("안녕\n"))
    code = main(["chat", "models/x", "--scenarios", str(bad)])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == (f"nlukit: error: {bad}: scenario[0].response: names slot {{locaton}} that the "
                           "scenario does not have (slots: none)")


def test_should_refuse_an_unknown_store_url(monkeypatch, capsys, standin_model):
    code, out, err = run_chat(monkeypatch, capsys, "안녕\n", "--store", "mongodb://x")
    assert code == 1 and out == ""
    assert "unknown session store 'mongodb://x'" in err


def test_should_reset_and_quit_on_commands_in_the_interactive_chat(monkeypatch):
    from nlukit.bot import Bot, load_scenarios
    from nlukit.cli.chat import chat

    parser = StandInParser()
    bot = Bot(parser, load_scenarios(SCENARIOS, parser.intents, parser.entity_types))
    typed = iter(["기차 예매해줘", "/reset", "부산", "/quit", "never read"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    out = io.StringIO()
    assert chat(bot, "me", io.StringIO(), out, interactive=True) == 2
    assert out.getvalue().splitlines() == ["봇> 어디에서 출발하세요?", "(대화를 처음부터 시작합니다)",
                                           "봇> 잘 이해하지 못했어요."]


def test_should_count_relative_dates_from_the_today_given(monkeypatch, capsys) -> None:
    import datetime

    import nlukit.nlu
    parsers: list[StandInParser] = []

    def fake_load(path, **kw):
        parsers.append(StandInParser())
        return parsers[-1]

    monkeypatch.setattr(nlukit.nlu, "load", fake_load)
    code, out, _ = run_chat(monkeypatch, capsys, "날씨 알려줘\n광주\n", "--today", "2026-12-24")
    assert code == 0 and parsers[0].todays == [datetime.date(2026, 12, 24)] * 2
    with pytest.raises(SystemExit):
        run_chat(monkeypatch, capsys, "", "--today", "12/24")
    assert "'12/24' is not a date; write it as YYYY-MM-DD" in capsys.readouterr().err


def test_should_show_the_answers_the_bot_expects_in_the_interactive_chat(monkeypatch) -> None:
    from nlukit.bot import Bot, load_scenarios
    from nlukit.cli.chat import chat

    parser = StandInParser()
    bot = Bot(parser, load_scenarios(SCENARIOS, parser.intents, parser.entity_types))
    typed = iter(["맛집 알려줘", "서울", "짜장면", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    out = io.StringIO()
    chat(bot, "me", io.StringIO(), out, interactive=True)
    lines = out.getvalue().splitlines()
    # the food slot lists its values: offered under its question, nothing under the others
    assert lines == ["봇> 어느 동네에서 찾을까요?", "봇> 어떤 음식이 좋으세요?", "    (짜장면 / 김치찌개)",
                     "봇> 서울 짜장면 맛집을 찾아볼게요."]
