"""`nlukit evaluate` without --split scores the split the model holds out."""
from __future__ import annotations

import os

import pytest

import nlukit
from nlukit.cli import main

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
TINY = os.path.join(FIXTURE, "tiny.toml")
QUICK = ["intent.epochs=2", "tagger.epochs=2", "word2vec.epochs=1"]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("models")
    return {name: nlukit.train(FIXTURE, str(out / name), config=TINY, progress=False,
                               overrides=QUICK + [f"train.include_test={str(ship).lower()}"])
            for name, ship in (("plain", False), ("shipped", True))}


def test_a_model_trained_with_include_test_is_scored_on_valid_by_default(
        models: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    # the README's own flow (train --include-test, then evaluate) scored the test split the model
    # was taught: 1.0 everywhere, under a slice named unseen_templates
    assert main(["evaluate", models["shipped"], FIXTURE]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("split              valid (n=")
    assert "trained on the test split" in err and "--split test" in err
    assert "not held out" not in err


def test_a_model_held_out_from_test_is_scored_on_test_and_split_is_obeyed(
        models: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", models["plain"], FIXTURE]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("split              test (n=") and err == ""
    assert main(["evaluate", models["shipped"], FIXTURE, "--split", "test"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("split              test (n=") and "not held out" in err
