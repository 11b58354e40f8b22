"""Stand-ins for the server tests: a rule-based parser and a gunicorn app factory.

No tests live here. ``FakeNLU`` has the parser interface the server and the bot use
(``parse``, ``parse_batch``, ``intents``, ``entity_types``, ``dictionary``, ``meta``)
and answers instantly, so HTTP tests measure the server, not a model. ``make_app()``
is what the gunicorn subprocesses of the concurrency, browser and shutdown tests
load (``PYTHONPATH=tests``, ``test_server_fakes:make_app()``); it reads its options
from ``NLUKIT_TEST_*`` environment variables.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
from typing import Any

from nlukit.errors import TextTooLongError
from nlukit.types import Entity, IntentScore, ParseResult

CITIES = ("서울", "부산", "대구", "대전", "광주", "인천", "울산", "수원")
SYNONYMS = {"서울시": "서울", "부산시": "부산"}
DATES = ("오늘", "내일", "모레")
INTENT_WORDS = (("기차", "train_ticket"), ("예매", "train_ticket"), ("날씨", "weather"),
                ("안녕", "greeting"))

# The scenarios the real Bot runs in these tests (written to a temp file).
SCENARIOS_TOML = """
[bot]
confidence_threshold = 0.5

[[scenario]]
intent = "greeting"
response = "안녕하세요! 무엇을 도와드릴까요?"

[[scenario]]
intent = "weather"
response = "{date} {location} 날씨를 알려드릴게요."
[[scenario.slot]]
entity = "location"
prompt = "어느 지역 날씨를 알려드릴까요?"
[[scenario.slot]]
entity = "date"
default = "오늘"

[[scenario]]
intent = "train_ticket"
response = "{origin}에서 {destination}(으)로 가는 기차를 예매할게요."
[[scenario.slot]]
entity = "location"
role = "origin"
prompt = "어디에서 출발하세요?"
[[scenario.slot]]
entity = "location"
role = "destination"
prompt = "어디로 가세요?"
"""


class FakeDictionary:
    """The slice of ``nlukit.generate.dictionary.Dictionary`` a bot may use."""

    def __init__(self) -> None:
        self.entities: dict[str, dict[str, list[str]]] = {
            "location": {c: [s for s, v in SYNONYMS.items() if v == c] for c in CITIES},
            "date": {d: [] for d in DATES}}

    @property
    def entity_types(self) -> list[str]:
        return sorted(self.entities)

    def canonical(self, entity: str, surface: str) -> str | None:
        for value, syns in self.entities.get(entity, {}).items():
            if surface == value or surface in syns:
                return value
        return None

    def surfaces(self, entity: str) -> list[str]:
        return [s for v, syns in self.entities.get(entity, {}).items() for s in (v, *syns)]

    def to_json(self) -> dict[str, dict[str, list[str]]]:
        return self.entities


class FakeNLU:
    """A keyword parser: intent by keyword, cities and dates by string match.

    A city right before ``에서`` is the origin, before ``으로``/``로`` the destination.
    """

    intents = ("greeting", "train_ticket", "weather")
    entity_types = ("date", "location")
    fallback_intent = "fallback"
    resolve = {"date": "date"}   # as nlukit.load names them: the bot reads what its dates mean

    def __init__(self, version: str = "1", max_text_length: int = 1000,
                 fail_on: str | None = None) -> None:
        self.meta: dict[str, Any] = {"name": "fake", "version": version, "created": "2026-11-21",
                                     "intents": list(self.intents)}
        self.dictionary = FakeDictionary()
        self.max_text_length = max_text_length
        self.fail_on = fail_on
        self.calls = 0
        self.todays: list[Any] = []   # the today= of each parse call
        self._lock = threading.Lock()

    def parse(self, text: str, today: Any = None) -> ParseResult:
        with self._lock:
            self.calls += 1
            self.todays.append(today)
        if self.fail_on is not None and self.fail_on in text:
            raise RuntimeError("boom: secret internal detail")
        if len(text) > self.max_text_length:
            raise TextTooLongError(f"text has {len(text)} characters; the limit is "
                                   f"{self.max_text_length}")
        if not text.strip():
            return ParseResult(text=text, intent=None)
        entities = []
        surfaces = sorted((*CITIES, *SYNONYMS), key=len, reverse=True)
        taken: set[int] = set()
        for surface in surfaces:
            for m in re.finditer(re.escape(surface), text):
                if taken & set(range(m.start(), m.end())):
                    continue
                taken |= set(range(m.start(), m.end()))
                after = text[m.end():]
                role = ("origin" if after.startswith("에서")
                        else "destination" if re.match(r"(으)?로", after) else None)
                entities.append(Entity("location", SYNONYMS.get(surface, surface), surface,
                                       m.start(), m.end(), 0.99, role))
        for d in DATES:
            for m in re.finditer(d, text):
                entities.append(Entity("date", d, d, m.start(), m.end(), 0.98))
        entities.sort(key=lambda e: e.start)
        name = next((i for w, i in INTENT_WORDS if w in text), None)
        if name is None:
            intent = IntentScore("fallback", 0.3)
            ranking = tuple(IntentScore(i, 0.1) for i in self.intents)
        else:
            intent = IntentScore(name, 0.95)
            ranking = (intent, *(IntentScore(i, 0.025) for i in self.intents if i != name))
        return ParseResult(text=text, intent=intent, entities=tuple(entities), ranking=ranking)

    def parse_batch(self, texts: list[str]) -> list[ParseResult]:
        return [self.parse(t) for t in texts]


def scenarios_file(directory: str | None = None) -> str:
    """Write :data:`SCENARIOS_TOML` to a file and return its path."""
    directory = directory or tempfile.mkdtemp(prefix="nlukit-scen-")
    path = os.path.join(directory, "scenarios.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(SCENARIOS_TOML)
    return path


def make_app() -> Any:
    """The gunicorn factory of the subprocess tests (``test_server_fakes:make_app()``)."""
    from nlukit.server import create_app

    store_url = os.environ.get("NLUKIT_TEST_STORE") or None
    app = create_app(nlu=FakeNLU(), scenarios=scenarios_file(),
                     settings={"store_url": store_url, "torch_threads": 0})

    @app.after_request
    def _worker(resp: Any) -> Any:  # which worker process answered
        resp.headers["X-Worker-Pid"] = str(os.getpid())
        return resp

    return app


def start_gunicorn(store_url: str = "", workers: int = 2, threads: int = 4,
                   extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen[str], str, list[str]]:
    """Run gunicorn with nlukit's config over :func:`make_app`; return (process, base URL, log)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, root]),
           "NLUKIT_TEST_STORE": store_url, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:nlukit.gunicorn_conf",
         "--bind", "127.0.0.1:0", "--workers", str(workers), "--threads", str(threads), *extra,
         "test_server_fakes:make_app()"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = re.search(r"chat page at (http://[^/\s]+)/", line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(60)
    if not found:
        proc.kill()
        proc.wait()
        raise AssertionError("gunicorn did not start:\n" + "".join(lines))
    return proc, found[0], lines
