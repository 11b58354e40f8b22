"""Conversation tests (stories): the file format, its errors, and running them against a bot."""
from __future__ import annotations

import datetime
import io
import json
import os
import sys

import pytest

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from bot_standin import StandInParser  # noqa: E402

from nlukit.bot import Bot, load_scenarios, load_stories, run_stories  # noqa: E402
from nlukit.bot.stories import parse_stories  # noqa: E402
from nlukit.cli import main  # noqa: E402
from nlukit.errors import ScenarioError  # noqa: E402

SCENARIOS = os.path.join(HERE, "scenarios.toml")
STORIES = """
[[story]]
name = "trip"
turns = [
  ["기차 예매해줘", "어디에서 출발하세요?", "ask_slot"],
  ["광주", "광주에서 어디로", "ask_slot"],
  ["서울", "", "ask_slot"],
  ["내일", "내일 광주에서 서울로 가는 기차를 예매할게요.", "complete"],
]

[[story]]
name = "weather, as tables"
today = "2026-12-24"
[[story.turn]]
user = "날씨 알려줘"
state = "ask_slot"
[[story.turn]]
user = "부산"
intent = "weather"
slots = { location = "부산", date = "오늘" }
"""


def bot() -> Bot:
    parser = StandInParser()
    return Bot(parser, load_scenarios(SCENARIOS, parser.intents, parser.entity_types))


def test_should_pass_stories_the_bot_follows_each_in_a_fresh_session(tmp_path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(STORIES, encoding="utf-8")
    b = bot()
    b.handle("story-0", "기차 예매해줘")   # the user's own sessions are not touched or used
    results = run_stories(b, load_stories(path))
    assert [(r.story.name, r.passed) for r in results] == [("trip", True), ("weather, as tables", True)]
    assert b.parser.todays[-2:] == [datetime.date(2026, 12, 24)] * 2   # the story's today
    assert b.session("story-0")["slots"] == {} and b.session("story-0")["asked"] == "origin"
    assert len(results[0].transcript) == 4 and "[complete]" in results[0].transcript[-1]


@pytest.mark.parametrize("turn,failure", [
    ('["날씨 알려줘", "어느 동네", "ask_slot"]', "the reply should contain '어느 동네'"),
    ('["날씨 알려줘", "", "complete"]', "the state should be 'complete', was 'ask_slot'"),
    ('{user = "서울 날씨", intent = "train_ticket"}', "the intent should be 'train_ticket', was 'weather'"),
    ('{user = "서울 날씨", slots = {location = "부산"}}', "slot 'location' should be '부산', was '서울'"),
])
def test_should_fail_a_story_at_its_first_miss_saying_what_differed(turn: str, failure: str) -> None:
    stories = parse_stories(__import__("tomllib").loads(f'[[story]]\nname = "x"\nturns = [{turn}, ["안녕"]]\n'))
    [result] = run_stories(bot(), stories)
    assert not result.passed and failure in result.failure and len(result.transcript) == 1


def test_should_name_every_problem_of_a_story_file_with_its_key(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[story]]\nname = "a"\ntoday = "12/24"\nturns = [["안녕", "x", "done"], [1], {text = "hi"}]\n'
                    '[[story]]\nname = "a"\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_stories(path)
    msg = str(err.value)
    assert f"{path}: story[0].today: '12/24' is not a date; write it as YYYY-MM-DD" in msg
    assert "story[0].turns[0].state: unknown state 'done' (one of complete, ask_slot, confirm" in msg
    assert "story[0].turns[1]: must be [user, reply, state] (1 to 3 strings), got [1]" in msg
    assert "story[0].turns[2].text: unknown key" in msg and "story[0].turns[2].user: the user's text is missing" in msg
    assert "story[1].name: a second story named 'a'" in msg and "story[1]: no turns" in msg
    with pytest.raises(ScenarioError, match="story file not found"):
        load_stories(tmp_path / "none.toml")


def test_should_run_stories_from_the_chat_command_and_fail_when_one_fails(tmp_path, monkeypatch, capsys) -> None:
    import nlukit.nlu
    monkeypatch.setattr(nlukit.nlu, "load", lambda path, **kw: StandInParser())
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(STORIES, encoding="utf-8")
    bad.write_text(STORIES.replace('"내일 광주에서 서울로', '"모레 광주에서 서울로'), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["chat", "m", "--scenarios", SCENARIOS, "--stories", str(good)]) == 0
    out = capsys.readouterr().out
    assert "PASS  trip (4 turns)" in out and "2 stories: 2 passed, 0 failed" in out
    assert main(["chat", "m", "--scenarios", SCENARIOS, "--stories", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  trip — turn '내일': the reply should contain '모레 광주에서 서울로" in out
    assert "  > 내일\n    내일 광주에서 서울로 가는 기차를 예매할게요.  [complete]" in out
    assert main(["chat", "m", "--scenarios", SCENARIOS, "--stories", str(bad), "--json"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["story"], r["passed"]) for r in rows] == [("trip", False), ("weather, as tables", True)]


def test_should_read_a_story_the_same_wordings_wherever_it_stands_in_the_file():
    from nlukit.bot.scenario import parse_scenarios
    parser = StandInParser()
    bot = Bot(parser, parse_scenarios({"scenario": [
        {"intent": "weather", "response": [f"{{location}} 날씨 {k}번" for k in range(1, 8)],
         "slot": [{"entity": "location", "prompt": "어디요?"}]}]}))
    stories = parse_stories({"story": [{"name": f"s{k}", "turns": [["서울 날씨 어때", "", "complete"]] * 3}
                                       for k in range(6)]})
    forward = {r.story.name: r.transcript for r in run_stories(bot, stories)}
    backward = {r.story.name: r.transcript for r in run_stories(bot, stories[::-1])}
    assert forward == backward
    assert len({tuple(t) for t in forward.values()}) > 1          # the stories do not all read one wording


@pytest.mark.parametrize("turn,failure", [
    # the slot is named dept, not department: the story said only "was None", which reads as the
    # bot failing to fill it
    ('{user = "날씨 알려줘", slots = {origin = "부산"}}',
     "slot 'origin' should be '부산', was None (scenario 'weather' has no slot 'origin'; its slots: date, location)"),
    ('{user = "안녕", slots = {city = "부산"}}', "was None (no scenario has a slot 'city'; the slots: "),
    ('{user = "날씨 알려줘", slots = {location = "부산"}}', "slot 'location' should be '부산', was None"),
])
def test_a_story_slot_no_scenario_has_is_named_as_such(turn: str, failure: str) -> None:
    stories = parse_stories(__import__("tomllib").loads(f'[[story]]\nname = "x"\nturns = [{turn}]\n'))
    [result] = run_stories(bot(), stories)
    assert not result.passed and failure in result.failure
    if "location" in turn:
        assert result.failure.endswith("was None")


def test_a_problem_of_a_story_turn_table_is_named_as_the_file_writes_it(tmp_path) -> None:
    # [[story.turn]] with state = "asking" was reported as story[0].turns[0].state, a key the file lacks
    path = tmp_path / "bad.toml"
    path.write_text('[[story]]\nname = "a"\n[[story.turn]]\nuser = "안녕"\n[[story.turn]]\nuser = "x"\n'
                    'state = "asking"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"story\[0\]\.turn\[1\]\.state: unknown state 'asking'"):
        load_stories(path)
