"""Shared pytest fixtures. Area-specific fixtures live next to their tests."""
from __future__ import annotations

import os

import pytest

# Tests run on the CPU with two threads at most, whatever the machine has.
os.environ.setdefault("OMP_NUM_THREADS", "2")


@pytest.fixture
def fixtures_dir() -> str:
    return os.path.join(os.path.dirname(__file__), "fixtures")
