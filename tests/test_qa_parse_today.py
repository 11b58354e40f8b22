"""parse(today=...) takes a date: a wrong type is an InputError, a datetime counts as its date.

Before: today="2026-11-25" (the REST field's form) crashed with a TypeError from date
arithmetic, only on texts holding a date; a datetime gave values like 2026-11-26T10:00:00.
"""
from __future__ import annotations

import datetime
import os
import shutil

import pytest

import nlukit
from nlukit.errors import InputError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
TINY = os.path.join(FIXTURE, "tiny.toml")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlu(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("data") / "fit"
    shutil.copytree(FIXTURE, d)
    shutil.copy(d / "train.jsonl", d / "valid.jsonl")
    store = tmp_path_factory.mktemp("models") / "tiny"
    nlukit.train(str(d), str(store), config=TINY, progress=False)
    return nlukit.load(str(store))


@pytest.mark.parametrize("today", ["2026-11-25", 20261125])
def test_should_refuse_a_today_that_is_not_a_date(nlu, today):
    with pytest.raises(InputError, match="today"):
        nlu.parse("내일 서울 날씨", today=today)
    for texts in (["내일 서울 날씨"], ["내일 서울 날씨"] * 5):  # one by one, and the batched path
        with pytest.raises(InputError, match="today"):
            nlu.parse_batch(texts, today=today)


def test_should_read_a_datetime_as_its_date(nlu):
    now = datetime.datetime(2026, 11, 25, 10, 30)
    r = nlu.parse("내일 서울 날씨", today=now)
    dates = [e.resolved for e in r.entities if e.entity == "date"]
    assert dates == [{"kind": "date", "value": "2026-11-26"}]
    batch = nlu.parse_batch(["내일 서울 날씨"] * 5, today=now)
    assert all([e.resolved for e in b.entities if e.entity == "date"] == dates for b in batch)
