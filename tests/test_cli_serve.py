"""`nlukit serve`'s defaults, without starting a server: ``nlukit.server.serve`` is replaced."""
from __future__ import annotations

from typing import Any

import pytest

from nlukit.cli import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_serve(model: str, **kw: Any) -> int:
        calls.append({"model": model, **kw})
        return 0

    monkeypatch.setattr("nlukit.server.serve", fake_serve)
    return calls


def test_a_bot_on_the_memory_store_gets_one_worker_by_default(served: list[dict[str, Any]],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # with 2 workers, each keeping its own sessions, the turns of one conversation alternate
    # between them: the second turn of a booking forgot the first (curl POST /chat, session u1)
    assert main(["serve", "m", "--scenarios", "s.toml"]) == 0
    assert served[-1]["workers"] == 1
    err = capsys.readouterr().err
    assert "1 worker" in err and "--store redis://" in err and "warning" not in err


def test_two_workers_stay_the_default_where_no_session_is_kept_in_memory(served: list[dict[str, Any]]) -> None:
    assert main(["serve", "m"]) == 0   # /parse only: no sessions
    assert served[-1]["workers"] == 2
    assert main(["serve", "m", "--scenarios", "s.toml", "--store", "redis://localhost:6379/0"]) == 0
    assert served[-1]["workers"] == 2


def test_workers_asked_for_are_kept_and_warned_about(served: list[dict[str, Any]],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "m", "--scenarios", "s.toml", "--workers", "3"]) == 0
    assert served[-1]["workers"] == 3
    assert "warning: 3 workers with the in-memory session store" in capsys.readouterr().err


@pytest.mark.parametrize("threads", ["0", "-2"])
def test_threads_below_one_are_refused_in_one_line(served: list[dict[str, Any]], threads: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    # gunicorn's gthread worker failed to boot with a traceback (max_workers must be greater than 0)
    assert main(["serve", "m", "--threads", threads]) == 1
    err = capsys.readouterr().err
    assert f"nlukit: error: --threads must be at least 1, not {threads}" in err
    assert not served


def test_a_worker_count_far_over_the_cores_is_refused_in_one_line(served: list[dict[str, Any]],
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # --workers 100000 forked worker after worker, each loading the model: the machine's load
    # went past 300 before the command could be stopped
    import os
    limit = max(8, 4 * (os.cpu_count() or 1))
    assert main(["serve", "m", "--workers", str(limit + 1)]) == 1
    err = capsys.readouterr().err
    assert f"nlukit: error: --workers must be at most {limit}" in err and not served
    assert main(["serve", "m", "--workers", str(limit)]) == 0
