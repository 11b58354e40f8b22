"""The shipped demo bot, trained as `make demo` trains it, holds the conversations of
stories/demo.toml (the ones README shows): confirmation, follow-ups, number words."""
from __future__ import annotations

import os

import pytest

import nlukit
from nlukit.bot import Bot, load_scenarios, load_stories, run_stories

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.slow


def test_should_hold_every_demo_story_when_trained_as_make_demo_trains(tmp_path) -> None:
    # Given the demo bot made as the Makefile makes it (300 sentences per intent, seed 13,
    # the test split taught too)
    data, model = tmp_path / "data", tmp_path / "model"
    nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), str(data), seed=13,
                    progress=False)
    nlukit.train(str(data), str(model), overrides=["train.include_test=true", "train.threads=2"], progress=False)
    nlu = nlukit.load(str(model))
    bot = Bot(nlu, load_scenarios(os.path.join(ROOT, "scenarios", "demo.toml"), nlu.intents, nlu.entity_types))
    # Then every story passes
    results = run_stories(bot, load_stories(os.path.join(ROOT, "stories", "demo.toml")))
    failed = [f"{r.story.name}: {r.failure}\n" + "\n".join(r.transcript) for r in results if not r.passed]
    assert len(results) >= 5 and failed == []
