"""Concurrent requests of one process share model calls (BatchingParser), never answers.

Given a parser whose batch call is slow, when many threads post different texts at
once, then the texts are parsed in shared batches, each request gets the parse of
its own text, and one failing text fails only its own request.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.importorskip("flask")

from test_server_fakes import CITIES, FakeNLU  # noqa: E402

from nlukit.server import BatchingParser, create_app  # noqa: E402


class SlowBatchNLU(FakeNLU):
    """Each model call takes 30 ms, whatever the batch size; records batch sizes."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.sizes: list[int] = []
        self.active = 0
        self.max_active = 0
        self._guard = threading.Lock()

    def _call(self, texts: list[str]) -> list[Any]:
        with self._guard:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.sizes.append(len(texts))
        try:
            time.sleep(0.03)
            return [FakeNLU.parse(self, t) for t in texts]
        finally:
            with self._guard:
                self.active -= 1

    def parse(self, text: str) -> Any:
        return self._call([text])[0]

    def parse_batch(self, texts: list[str]) -> list[Any]:
        return self._call(list(texts))


def _texts(n: int) -> list[str]:
    return [f"{CITIES[i % len(CITIES)]}에서 {CITIES[(i + 3) % len(CITIES)]}로 기차 {i}번" for i in range(n)]


def test_should_batch_concurrent_parses_and_answer_each_its_own_text() -> None:
    nlu = SlowBatchNLU()
    app = create_app(nlu=nlu, settings={"max_batch": 8})
    texts = _texts(32)

    def one(text: str) -> Any:
        resp = app.test_client().post("/parse", json={"text": text})
        assert resp.status_code == 200
        return resp.get_json()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(one, texts))
    elapsed = time.perf_counter() - t0
    for text, answer in zip(texts, answers, strict=True):
        assert answer == FakeNLU().parse(text).to_dict()
    assert sum(nlu.sizes) == 32
    assert max(nlu.sizes) > 1 and max(nlu.sizes) <= 8
    assert len(nlu.sizes) < 32
    assert nlu.max_active == 1  # one thread runs the model
    assert elapsed < 32 * 0.03  # faster than one call per request


def test_should_parse_a_lone_request_at_once_without_waiting_for_a_batch() -> None:
    nlu = SlowBatchNLU()
    client = create_app(nlu=nlu, settings={"max_batch": 8}).test_client()
    t0 = time.perf_counter()
    assert client.post("/parse", json={"text": "안녕"}).status_code == 200
    assert time.perf_counter() - t0 < 0.5
    assert nlu.sizes == [1]


def test_should_fail_only_the_request_whose_text_fails_in_a_batch() -> None:
    nlu = SlowBatchNLU(fail_on="폭탄")
    app = create_app(nlu=nlu, settings={"max_batch": 8})
    texts = _texts(15) + ["폭탄 기차"]

    def one(text: str) -> int:
        return int(app.test_client().post("/parse", json={"text": text}).status_code)

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = dict(zip(texts, pool.map(one, texts), strict=True))
    assert statuses.pop("폭탄 기차") == 500
    assert set(statuses.values()) == {200}


def test_should_call_the_model_directly_when_batching_is_off() -> None:
    nlu = SlowBatchNLU()
    app = create_app(nlu=nlu, settings={"max_batch": 1})
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda t: app.test_client().post("/parse", json={"text": t}), _texts(8)))
    assert nlu.sizes == [1] * 8
    assert nlu.max_active > 1  # request threads call the model themselves


def test_should_finish_queued_texts_then_stop_its_thread_on_close() -> None:
    parser = BatchingParser(SlowBatchNLU(), max_batch=4)
    results: list[Any] = []
    threads = [threading.Thread(target=lambda t=t: results.append(parser.parse(t)))
               for t in _texts(6)]
    for t in threads:
        t.start()
    time.sleep(0.01)
    parser.close()
    for t in threads:
        t.join(5)
    assert len(results) == 6
    assert parser._thread is not None
    parser._thread.join(2)
    assert not parser._thread.is_alive()
    # after close, a parse still answers (directly)
    assert parser.parse("서울 날씨").intent.name == "weather"
    assert parser.intents == FakeNLU.intents  # everything else is the wrapped parser's
