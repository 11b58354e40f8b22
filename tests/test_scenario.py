"""Scenario files: loading, validation errors that name file and key, template rendering, the demo file."""
from __future__ import annotations

import csv
import datetime
import glob
import os
import re
import sys

import pytest

from nlukit.bot import load_scenarios, render_template
from nlukit.bot.actions import set_alarm
from nlukit.errors import InputError, ScenarioError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "scenarios", "demo.toml")
HERE = os.path.join(os.path.dirname(__file__), "fixtures", "bot")

GOOD_SLOT = """
[[scenario]]
intent = "weather"
response = "{location} 날씨"
[[scenario.slot]]
entity = "location"
prompt = "어디요?"
"""


def write(tmp_path, text: str) -> str:
    path = tmp_path / "bot.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


# ------------------------------------------------------------------ validation

def test_should_name_file_and_key_of_an_unknown_entity_type(tmp_path):
    path = write(tmp_path, GOOD_SLOT + """
[[scenario]]
intent = "train_ticket"
response = "{origin}"
[[scenario.slot]]
entity = "locaton"
role = "origin"
prompt = "어디에서요?"
""")
    with pytest.raises(ScenarioError) as err:
        load_scenarios(path, intents=["weather", "train_ticket"], entity_types=["location", "date"])
    assert str(err.value) == (f"{path}: scenario[1].slot[0].entity: unknown entity type 'locaton' "
                              "(known: date, location)")


def test_should_name_file_and_key_of_an_unknown_intent(tmp_path):
    path = write(tmp_path, GOOD_SLOT)
    with pytest.raises(ScenarioError, match=re.escape(f"{path}: scenario[0].intent: unknown intent "
                                                      "'weather' (known: alarm, music)")):
        load_scenarios(path, intents=["music", "alarm"])


@pytest.mark.parametrize("body, key, cause", [
    ('[[scenario]]\nintent = "a"\nresponse = "{destination}(으)로"\n'
     '[[scenario.slot]]\nentity = "location"\nrole = "origin"\nprompt = "?"\n',
     "scenario[0].response", "names slot {destination} that the scenario does not have (slots: origin)"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "location"\n',
     "scenario[0].slot[0].prompt", "a required slot needs a prompt"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "location"\nprompt = "?"\n'
     '[[scenario.slot]]\nentity = "location"\nprompt = "?"\n',
     "scenario[0].slot[1]", "a second slot named 'location'"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "time"\nprompt = "?"\n'
     'pattern = "([0-9]+"\n',
     "scenario[0].slot[0].pattern", "invalid regular expression"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "date"\nprompt = "?"\n'
     'promt = "?"\n',
     "scenario[0].slot[0].promt", "unknown key"),
    ('[[scenario]]\nintent = "a"\naction = "no_such_module_xyz:run"\n',
     "scenario[0].action", "cannot import module 'no_such_module_xyz'"),
    ('[[scenario]]\nintent = "a"\naction = "os.path"\n',
     "scenario[0].action", "is not 'package.module:function'"),
    ('[[scenario]]\nintent = "a"\n', "scenario[0]", "needs a 'response' template or an 'action'"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "date"\n'
     'default = "오늘"\nrequired = true\nprompt = "?"\n',
     "scenario[0].slot[0].required", "a slot with a default is optional"),
    ('[bot]\nconfidence_threshold = 1.5\n[[scenario]]\nintent = "a"\nresponse = "x"\n',
     "bot.confidence_threshold", "must be a number between 0 and 1, got 1.5"),
    ('[bot]\nfallback = []\n[[scenario]]\nintent = "a"\nresponse = "x"\n',
     "bot.fallback", "must be a non-empty string or list of strings"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario]]\nintent = "a"\nresponse = "y"\n',
     "scenario[1].intent", "intent 'a' already has a scenario"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "location"\nprompt = "?"\n'
     'unmarked = true\n',
     "scenario[0].slot[0].unmarked", "the only slot of type 'location'"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "location"\nrole = "from"\n'
     'prompt = "?"\nunmarked = true\n[[scenario.slot]]\nentity = "location"\nrole = "to"\nprompt = "?"\n'
     'unmarked = true\n',
     "scenario[0].slot[1].unmarked", "another slot of type 'location' is already 'unmarked'"),
    ('[bot]\nstop_over = "{place}은/는 빼요."\n[[scenario]]\nintent = "a"\nresponse = "x"\n',
     "bot.stop_over", "may only name {value}, not {place}"),
    ('[[scenario]]\nintent = "a"\nresponse = "x"\n[[scenario.slot]]\nentity = "location"\nprompt = "?"\n'
     'unmarked = "yes"\n',
     "scenario[0].slot[0].unmarked", "must be true or false"),
])
def test_should_report_each_kind_of_mistake_with_file_key_and_cause(tmp_path, body, key, cause):
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError) as err:
        load_scenarios(path)
    assert f"{path}: {key}: " in str(err.value)
    assert cause in str(err.value)


def test_should_report_every_problem_of_a_file_at_once(tmp_path):
    path = write(tmp_path, '[[scenario]]\nintent = "x"\nresponse = "{a} {b}"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenarios(path, intents=["weather"])
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{path}: scenario[0].") for line in lines)


def test_should_name_the_line_of_a_toml_syntax_error(tmp_path):
    path = write(tmp_path, '[[scenario]]\nintent = "weather\n')
    with pytest.raises(ScenarioError, match=re.escape(path) + r": invalid TOML: .*line 2"):
        load_scenarios(path)


def test_should_say_how_to_fix_a_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="scenario file not found; pass the path of a .toml file"):
        load_scenarios(tmp_path / "nope.toml")


# ------------------------------------------------------------------ templates

@pytest.mark.parametrize("template, values, expected", [
    ("{location}은/는 맑아요.", {"location": "서울"}, "서울은 맑아요."),
    ("{location}은/는 맑아요.", {"location": "부산역"}, "부산역은 맑아요."),
    ("{location}은/는 맑아요.", {"location": "제주"}, "제주는 맑아요."),
    ("{destination}(으)로 가요.", {"destination": "부산"}, "부산으로 가요."),
    ("{destination}(으)로 가요.", {"destination": "광주"}, "광주로 가요."),      # ㄹ: 로
    ("{destination}(으)로 가요.", {"destination": "서울역"}, "서울역으로 가요."),
    ("{destination}(으)로 가요.", {"destination": "서울"}, "서울로 가요."),
    ("{food}을/를 찾을게요.", {"food": "짜장면"}, "짜장면을 찾을게요."),
    ("{food}이/가 좋아요.", {"food": "피자"}, "피자가 좋아요."),
    ("{artist}(이)랑 {song}", {"artist": "BTS", "song": "봄날"}, "BTS랑 봄날"),
    ("'{value}'은/는 몰라요.", {"value": "대전"}, "'대전'은 몰라요."),
    ("{date} {time} {origin}에서", {"date": "내일", "time": "", "origin": "서울"}, "내일 서울에서"),
    ("{x}은/는 {{literal}}", {"x": "7시"}, "7시는 {literal}"),
])
def test_should_fit_the_particle_after_each_slot_to_its_value(template, values, expected):
    assert render_template(template, values) == expected


@pytest.mark.parametrize("template, values, expected", [
    # an optional part: written when its slots have values, left out whole with its space when one is empty
    ("{dept} [{doctor} 선생님으로] 예약할까요?", {"dept": "내과", "doctor": "김민수"}, "내과 김민수 선생님으로 예약할까요?"),
    ("{dept} [{doctor} 선생님으로] 예약할까요?", {"dept": "내과", "doctor": ""}, "내과 예약할까요?"),
    # a particle after ] fits the part, or the word before it when the part is left out
    ("{dept}[ {doctor} 선생님](으)로 예약할까요?", {"dept": "내과", "doctor": "김민수"}, "내과 김민수 선생님으로 예약할까요?"),
    ("{dept}[ {doctor} 선생님](으)로 예약할까요?", {"dept": "내과", "doctor": ""}, "내과로 예약할까요?"),
    ("{dept}[ {doctor} 선생님](으)로 예약할까요?", {"dept": "치과", "doctor": ""}, "치과로 예약할까요?"),
    ("{dept}[ {doctor} 선생님]이/가 좋아요", {"dept": "피부과", "doctor": ""}, "피부과가 좋아요"),
    ("[{date} ]{origin}에서 출발", {"date": "", "origin": "서울"}, "서울에서 출발"),
    ("예매할까요?[ ({time} 출발)]", {"time": ""}, "예매할까요?"),
    # parts side by side, each with its own space: the text's space stays when the first is left out
    ("예약을 [{date} ][{time} ][{n}(으)로 ]변경할까요?", {"date": "", "time": "", "n": ""}, "예약을 변경할까요?"),
    ("예약을 [{date} ][{time} ][{n}(으)로 ]변경할까요?", {"date": "", "time": "8시", "n": ""}, "예약을 8시 변경할까요?"),
    ("예약을 [{date} ][{time} ][{n}(으)로 ]변경할까요?", {"date": "", "time": "", "n": "1명"}, "예약을 1명으로 변경할까요?"),
    ("예약을 [{date} ][{time} ][{n}(으)로 ]변경할까요?", {"date": "내일", "time": "", "n": "5명"},
     "예약을 내일 5명으로 변경할까요?"),
    # ... a particle after them fits the word before them when both are left out; what clings to
    # the word before (, .) closes the space a part left out leaves
    ("{place} [{date} ][{time} ]을/를 볼까요?", {"place": "홍대점", "date": "", "time": ""}, "홍대점을 볼까요?"),
    ("{place} [{date}][{time}]은/는 어때요?", {"place": "서울", "date": "", "time": ""}, "서울은 어때요?"),
    ("{place} [{time}](으)로 할까요?", {"place": "홍대점", "time": ""}, "홍대점으로 할까요?"),
    ("{place} [{date}][, {time}] 예약", {"place": "홍대점", "date": "", "time": "8시"}, "홍대점, 8시 예약"),
    ("{place} [{date}][. {time}] 예약", {"place": "홍대점", "date": "", "time": "8시"}, "홍대점. 8시 예약"),
    ("{place} [{date}]. 예약", {"place": "홍대점", "date": ""}, "홍대점. 예약"),
    # brackets without a slot are text; [[ and ]] are brackets
    ("[안내] {x}은/는 맑아요", {"x": "서울"}, "[안내] 서울은 맑아요"),
    ("[[{x}]]은/는 맑아요", {"x": "서울"}, "[서울]은 맑아요"),
])
def test_should_leave_out_an_optional_part_whose_slot_is_empty(template, values, expected):
    assert render_template(template, values) == expected


@pytest.mark.parametrize("template, cause", [
    ("{dept} [{doctor} 선생님으로 예약할까요?", "is not closed: end it with ']'"),
    ("[{dept} [{doctor}] 예약]", "holds another '['"),
    ("{doctor}] 선생님", "closes no optional part: open the part with '['"),
])
def test_should_name_the_file_key_and_fix_of_an_optional_part_written_wrong(tmp_path, template, cause):
    body = GOOD_SLOT.replace('response = "{location} 날씨"', f'response = "{{location}} 날씨"\nconfirm = "{template}"')
    body = body.replace("{dept}", "{location}").replace("{doctor}", "{location}")
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError) as err:
        load_scenarios(path)
    said = str(err.value)
    assert said.startswith(f"{path}: scenario[0].confirm: ") and cause in said
    assert "write '[[' for a bracket" in said or "write ']]' for a bracket" in said


def test_should_refuse_to_render_a_slot_without_a_value():
    with pytest.raises(ScenarioError, match=r"names slot \{origin\} but it has no value"):
        render_template("{origin}에서", {})


# ------------------------------------------------------------------ the demo file

def demo_domain() -> tuple[list[str], list[str], dict[str, list[tuple[str, str]]]]:
    """Intents from patterns/*.txt headers, entity types and (value, synonyms) rows from dicts/*.csv."""
    intents: set[str] = set()
    for path in glob.glob(os.path.join(ROOT, "patterns", "*.txt")):
        with open(path, encoding="utf-8-sig") as fh:
            intents.update(line[1:].strip() for line in fh if line.startswith("@"))
    rows: dict[str, list[tuple[str, str]]] = {}
    for path in glob.glob(os.path.join(ROOT, "dicts", "*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                rows.setdefault(r["entity"], []).append((r["value"], r.get("synonyms") or ""))
    return sorted(intents), sorted(rows), rows


@pytest.mark.skipif(not glob.glob(os.path.join(ROOT, "patterns", "*.txt")), reason="demo domain not present")
def test_should_cover_every_demo_intent_and_use_only_demo_entity_types():
    intents, entity_types, _ = demo_domain()
    scenarios = load_scenarios(DEMO, intents, entity_types)
    assert set(scenarios.intents) == set(intents)
    assert scenarios.entity_types == {"location", "date", "time", "food", "song", "artist"}
    train = scenarios["train_ticket"]
    assert [(s.entity, s.role) for s in train.slots[:2]] == [("location", "origin"), ("location", "destination")]


@pytest.mark.skipif(not glob.glob(os.path.join(ROOT, "dicts", "time.csv")), reason="demo domain not present")
def test_should_accept_every_canonical_demo_time_in_the_alarm_pattern():
    _, _, rows = demo_domain()
    pattern = load_scenarios(DEMO)["alarm"].slot("time").pattern
    refused = [value for value, _ in rows["time"] if not pattern.fullmatch(value)]
    assert refused == []
    # and the times the parser reads that the dictionary does not list (3시 5분 전 is 02:55)
    assert [t for t in ("오후 4시 10분", "3시 5분 전", "7시 반", "30분 뒤") if not pattern.fullmatch(t)] == []
    # hours and minutes from now (한 시간 반 뒤에 깨워줘 was refused as unsupported)
    assert [t for t in ("1시간 반 뒤", "1시간 30분 후", "2시간 뒤") if not pattern.fullmatch(t)] == []


def test_should_ask_the_demo_destination_without_an_origin_left_dangling():
    # the destination asked with no origin yet read "에서 어디로 가세요?" (left14 saw it after 두 명 부산)
    prompt = load_scenarios(DEMO)["train_ticket"].slot("destination").prompt
    assert render_template(prompt, {"origin": ""}) == "어디로 가세요?"
    assert render_template(prompt, {"origin": "서울"}) == "서울에서 어디로 가세요?"


def test_should_run_the_demo_action_from_the_demo_file():
    sc = load_scenarios(DEMO)["music"]
    assert sc.action_fn({"artist": "아이유", "song": "밤편지"}, {}) == "아이유의 「밤편지」를 재생할게요."


def test_should_confirm_every_demo_time_as_a_clock_time_in_the_alarm_action():
    import datetime
    _, _, rows = demo_domain()
    alarm = load_scenarios(DEMO)["alarm"].action_fn
    today = {"today": datetime.date(2026, 11, 25)}
    assert alarm({"date": "내일", "time": "오후 3시 30분"}, today) == \
        "11월 26일 (목) 오후 3시 30분에 알람을 맞췄어요."
    from nlukit.temporal import resolve_time
    for value, _ in rows["time"]:   # every time of the demo dictionary is read, none repeated raw
        assert resolve_time(value) is not None, value
        reply = alarm({"date": "오늘", "time": value}, today)
        assert reply.startswith("11월 25일 (수) ") or reply == f"{value}에 알람을 맞췄어요.", reply
        assert reply.endswith("에 알람을 맞췄어요.")


def test_should_import_test_actions_given_as_module_function(monkeypatch):
    monkeypatch.syspath_prepend(HERE)
    sc = load_scenarios(os.path.join(HERE, "scenarios.toml"))["music"]
    assert sc.action == "bot_actions:play_music" and callable(sc.action_fn)


# the demo alarm action keeps the 오전/오후 typed before a bare answer's time span
ALARM_TODAY = datetime.date(2026, 11, 25)


def _context(resolved):
    # the bot hands an action what each slot means: the parser's reading of the span it filled
    return {"today": ALARM_TODAY, "resolved": {"time": resolved}}


def test_should_confirm_the_afternoon_typed_before_a_bare_time_answer():
    # Given the bot asked 몇 시에? and the user answered 오후 세 시; the tagger spanned only 세 시
    # (slot value 3시) and the parse resolved it with the 오후 before it to 15:00
    ctx = _context({"kind": "time", "hour": 15, "minute": 0, "value": "15:00"})
    # When the action confirms the alarm
    reply = set_alarm({"time": "3시", "date": "오늘"}, ctx)
    # Then it says 오후 3시, as the user asked, not the ambiguous 3시
    assert reply == "11월 25일 (수) 오후 3시에 알람을 맞췄어요."


def test_should_keep_a_time_said_without_a_part_of_day_as_typed():
    ctx = _context({"kind": "time", "hour": 3, "minute": 0, "value": "03:00",
                    "ambiguous": True, "candidates": ["03:00", "15:00"]})
    assert set_alarm({"time": "3시", "date": "오늘"}, ctx) == "11월 25일 (수) 3시에 알람을 맞췄어요."


def test_an_action_module_beside_the_scenario_file_is_named_with_the_folder_to_run_from(tmp_path, monkeypatch):
    # clinic_actions.py beside scenarios.toml, nlukit chat run from the folder above: the error said
    # only "check the module path ... (PYTHONPATH)", not which folder that is
    bot = tmp_path / "clinic"
    bot.mkdir()
    (bot / "clinic_actions_xyz.py").write_text("def book(slots, context):\n    return 'ok'\n", encoding="utf-8")
    (bot / "scenarios.toml").write_text('[[scenario]]\nintent = "book"\naction = "clinic_actions_xyz:book"\n',
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as e:
        load_scenarios(os.path.join("clinic", "scenarios.toml"), intents=["book"])
    assert f"clinic_actions_xyz is in {bot}, the scenario file's folder" in str(e.value)
    assert f"PYTHONPATH={bot}" in str(e.value)
    # a module found nowhere keeps the general advice
    (bot / "scenarios.toml").write_text('[[scenario]]\nintent = "book"\naction = "nowhere_xyz:book"\n',
                                        encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"check the module path and that it is importable \(PYTHONPATH"):
        load_scenarios(os.path.join("clinic", "scenarios.toml"), intents=["book"])


def test_an_action_module_in_the_folder_nlukit_runs_from_is_found_without_pythonpath(tmp_path, monkeypatch):
    # the `nlukit` command is a console script: its sys.path holds its bin folder, not the current
    # folder, so bank_actions.py in the folder it ran from was "not found" although the docs (and the
    # error itself: "run nlukit from there") said the current folder is on the path
    (tmp_path / "bank_actions_cwd_xyz.py").write_text("def transfer(slots, context):\n    return 'ok'\n",
                                                      encoding="utf-8")
    (tmp_path / "scenarios.toml").write_text(
        '[[scenario]]\nintent = "transfer"\naction = "bank_actions_cwd_xyz:transfer"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(tmp_path))])
    scenarios = load_scenarios("scenarios.toml", intents=["transfer"])
    assert scenarios["transfer"].action_fn({}, {}) == "ok"


def test_an_action_function_misspelled_is_named_with_the_module_s_functions(tmp_path, monkeypatch):
    (tmp_path / "bank_actions_fn_xyz.py").write_text(
        "def transfer(slots, context):\n    return 'ok'\n\ndef balance(slots):\n    return 'ok'\n", encoding="utf-8")
    (tmp_path / "scenarios.toml").write_text(
        '[[scenario]]\nintent = "transfer"\naction = "bank_actions_fn_xyz:transfr"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match=r"has no function 'transfr'; its functions: balance, transfer"):
        load_scenarios("scenarios.toml", intents=["transfer"])


def test_should_read_double_brackets_inside_an_optional_part_as_brackets():
    # review12: [[ and ]] inside a part were written as typed ('x [[참고]]', 'x]]')
    from nlukit.korean import render
    assert render("[{a} [[참고]]]", {"a": "x"}) == "x [참고]"
    assert render("[{a}]]]", {"a": "x"}) == "x]"
    assert render("[{a} [[참고]]] 끝", {"a": ""}) == "끝"
    # a value of spaces alone is none: the part goes
    assert render("{dept}[ {doctor} 선생님](으)로 예약할까요?", {"dept": "내과", "doctor": "  "}) == "내과로 예약할까요?"
    # a part left open by a ]] says why
    with pytest.raises(InputError, match=r"'\]\]' is a bracket"):
        render("[{a}]]", {"a": "x"})
