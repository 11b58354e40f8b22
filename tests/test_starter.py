"""``nlukit init``: the starter project is written whole or not at all, and makes a working bot."""
from __future__ import annotations

import csv
import os

import pytest

import nlukit
from nlukit.bot import Bot, load_scenarios, load_stories, run_stories
from nlukit.cli import main
from nlukit.errors import InputError, OutputExistsError
from nlukit.generate.grammar import expand, load_patterns
from nlukit.starter import TEMPLATE, create_project

FILES = ["README.md", "dicts/menu.csv", "dicts/options.csv", "patterns/cafe.txt", "scenarios.toml", "stories.toml"]


def test_should_write_the_starter_project_and_say_what_to_run_next(tmp_path, capsys) -> None:
    assert main(["init", str(tmp_path / "mybot")]) == 0
    out = capsys.readouterr().out
    assert sorted(create_project(tmp_path / "again")) == FILES
    assert f"created {tmp_path / 'mybot'}/" in out and "nlukit train data -o model --include-test" in out
    readme = (tmp_path / "mybot" / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# mybot:") and "--stories stories.toml" in readme
    assert [p for p in os.listdir(tmp_path) if p.startswith(".")] == []   # no staging folder left


def test_should_quote_a_folder_with_a_space_in_the_cd_it_suggests(tmp_path, monkeypatch, capsys) -> None:
    # Given a project folder named with a space (내 봇, my bot)
    import shlex
    import subprocess
    monkeypatch.chdir(tmp_path)
    assert main(["init", "내 봇"]) == 0
    cd = next(line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("cd "))
    readme = (tmp_path / "내 봇" / "README.md").read_text(encoding="utf-8")
    # Then the printed and the README's cd both reach it in a shell (cd 내 봇 fails: too many arguments)
    assert cd == "cd '내 봇'" and "\ncd '내 봇'\n" in readme
    done = subprocess.run(["sh", "-c", f"{cd} && pwd"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip().endswith("내 봇")
    assert shlex.split(cd) == ["cd", "내 봇"]


def test_should_never_write_into_a_folder_that_holds_something(tmp_path, capsys) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not an empty folder"):
        create_project(tmp_path / "mine")
    assert os.listdir(tmp_path / "mine") == ["notes.txt"]
    assert main(["init", str(tmp_path / "mine")]) == 1
    assert "choose a new folder name (nothing was written)" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert sorted(create_project(tmp_path / "empty")) == FILES   # an empty folder is fine
    # a link to nowhere is in the way too (it was a NotADirectoryError traceback)
    os.symlink(tmp_path / "nowhere", tmp_path / "dangling")
    with pytest.raises(OutputExistsError, match="not an empty folder"):
        create_project(tmp_path / "dangling")
    assert os.path.islink(tmp_path / "dangling") and not os.path.exists(tmp_path / "nowhere")


def test_should_say_clearly_when_the_folder_cannot_be_made_there(tmp_path, capsys) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    for bad in (tmp_path / "afile" / "bot", "/proc/nlukit-none/bot"):
        with pytest.raises(InputError, match="nothing was written"):
            create_project(bad)
        assert main(["init", str(bad)]) == 1
        assert "cannot create" in capsys.readouterr().err
    with pytest.raises(InputError, match="name a new folder"):
        create_project("")
    assert os.listdir(tmp_path) == ["afile"]


def test_should_not_write_a_dictionary_value_as_plain_text_in_the_starter_patterns() -> None:
    # a value written literally is tagged O there and an entity elsewhere: the tagger learns
    # contradictions (라떼 in a thanks pattern once cost the starter its 라떼 주세요)
    surfaces = set()
    for name in os.listdir(os.path.join(TEMPLATE, "dicts")):
        with open(os.path.join(TEMPLATE, "dicts", name), encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                surfaces |= {s for s in (row["value"], *(row["synonyms"] or "").split("|")) if len(s) >= 2}
    particles = ("", "은", "는", "이", "가", "을", "를", "로", "으로", "도", "만", "이랑", "하고")
    one_value = {"menu": {"아메리카노": []}, "temp": {"아이스": []}, "count": {"1잔": []}}
    found = []
    for t in load_patterns(os.path.join(TEMPLATE, "patterns", "cafe.txt")).templates():
        for text, spans in expand(t, one_value):
            for sp in spans:   # the slots and annotated values blanked: what is left is literal
                text = text[:sp.start] + " " * (sp.end - sp.start) + text[sp.end:]
            found += [(t.line, w) for w in text.split() for s in surfaces for p in particles if w == s + p]
    assert found == []


@pytest.mark.slow
def test_should_make_a_bot_that_holds_its_own_conversation_tests(tmp_path) -> None:
    # Given the starter as a user runs it: generate, train (the model to ship), then the stories
    root = tmp_path / "mybot"
    create_project(root)
    report = nlukit.generate(str(root / "patterns"), str(root / "dicts"), str(root / "data"), progress=False)
    assert report["warnings"] == []        # no starved or imbalanced intent out of the box
    nlukit.train(str(root / "data"), str(root / "model"), overrides=["train.include_test=true"], progress=False)
    nlu = nlukit.load(str(root / "model"))
    bot = Bot(nlu, load_scenarios(str(root / "scenarios.toml"), nlu.intents, nlu.entity_types))
    results = run_stories(bot, load_stories(str(root / "stories.toml")))
    assert [(r.story.name, r.failure) for r in results if not r.passed] == []


def test_should_point_to_the_scenario_guide_without_a_placeholder_address() -> None:
    # the starter's scenarios.toml opened with "가이드: https://github.com/... docs/scenarios.md":
    # an address with its middle left out, which no one can open
    for root, _, files in os.walk(TEMPLATE):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8") as fh:
                assert "/..." not in fh.read(), name


def test_should_title_the_starter_requests_but_not_its_greetings() -> None:
    sc = load_scenarios(os.path.join(TEMPLATE, "scenarios.toml"), ["greeting", "order", "hours", "thanks"],
                        ["menu", "temp", "count"])
    assert {k: s.title for k, s in sc.scenarios.items()} == {
        "greeting": None, "order": "음료 주문", "hours": "영업시간 안내", "thanks": None}
