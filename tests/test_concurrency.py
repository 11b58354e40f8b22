"""Many sessions at once through gunicorn (2 workers) sharing sessions in a real Redis.

Given ``nlukit.server`` under gunicorn with two worker processes and the Redis
session store, when many threads each hold their own multi-turn conversation over
HTTP, one new connection per request (so turns of one session land on both
workers), some of them as KakaoTalk users through the skill route, then every
session ends with exactly its own slots: none lost, none crossed.
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.importorskip("gunicorn")
pytest.importorskip("redis")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "fixtures", "bot"))
from redis_server import redis_server  # noqa: E402,F401  (a pytest fixture)
from test_server_fakes import CITIES, start_gunicorn  # noqa: E402

ROOT = os.path.dirname(HERE)


def chat(base: str, session_id: str, text: str) -> tuple[dict[str, Any], str]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/chat", body=json.dumps({"session_id": session_id, "text": text}),
                     headers={"Content-Type": "application/json", "Connection": "close"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        assert resp.status == 200, body
        return body, resp.getheader("X-Worker-Pid") or ""
    finally:
        conn.close()


def kakao(base: str, user: str, text: str) -> tuple[dict[str, Any], str]:
    """One KakaoTalk utterance through the skill route, answered as ``chat`` answers."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    payload = {"userRequest": {"utterance": text, "timezone": "Asia/Seoul",
                               "user": {"id": user, "type": "botUserKey"}}}
    try:
        conn.request("POST", "/kakao/skill", body=json.dumps(payload),
                     headers={"Content-Type": "application/json", "Connection": "close"})
        resp = conn.getresponse()
        body = json.loads(resp.read())
        assert resp.status == 200 and body["version"] == "2.0", body
        reply = "".join(o["simpleText"]["text"] for o in body["template"]["outputs"])
        return {"reply": reply}, resp.getheader("X-Worker-Pid") or ""
    finally:
        conn.close()


@pytest.mark.slow
@pytest.mark.redis
def test_should_keep_every_session_whole_across_two_workers(redis_server: Any) -> None:  # noqa: F811
    # a worker holding 4 connections stops accepting, so both workers get turns
    proc, base, lines = start_gunicorn(redis_server.url, workers=2, threads=4,
                                       extra=("--worker-connections", "4"))
    pids: set[str] = set()
    pids_lock = threading.Lock()

    def conversation(n: int) -> list[tuple[str, str, dict[str, str]]]:
        """Three bookings in one session; returns (expected, got) per booking."""
        sid = f"load-{n}"
        out = []
        for k in range(3):
            origin = CITIES[(n + k) % len(CITIES)]
            destination = CITIES[(n + 2 * k + 1) % len(CITIES)]
            if destination == origin:
                destination = CITIES[(n + 2 * k + 2) % len(CITIES)]
            if n % 3 == 2:  # every third user talks through KakaoTalk's skill route
                first, p1 = kakao(base, sid, "기차 예매해줘")
                assert first["reply"] == "어디에서 출발하세요?", (sid, first)
                second, p2 = kakao(base, sid, origin)
                assert second["reply"] == "어디로 가세요?", (sid, second)
                third, p3 = kakao(base, sid, destination)
                booked = third["reply"].startswith(f"{origin}에서 {destination}")
                third = {"state": "complete" if booked else third["reply"],
                         "slots": {"origin": origin, "destination": destination} if booked else {}}
            else:
                first, p1 = chat(base, sid, "기차 예매해줘")
                assert first["state"] == "ask_slot" and first["slots"] == {}, (sid, first)
                second, p2 = chat(base, sid, origin)
                assert second["slots"] == {"origin": origin}, (sid, second)
                third, p3 = chat(base, sid, destination)
            with pids_lock:
                pids.update((p1, p2, p3))
            out.append((third["state"], f"{origin}>{destination}", third["slots"]))
        return out

    def warm_up(n: int) -> str:
        try:
            return chat(base, f"warm-up-{n}", "안녕")[1]
        except (OSError, AssertionError):
            time.sleep(0.1)
            return ""

    try:
        # wait until both workers answer: on a loaded machine the second one may still be
        # booting when the first serves, and then every turn would go to the first
        deadline = time.monotonic() + 90
        seen: set[str] = set()
        with ThreadPoolExecutor(max_workers=24) as pool:
            while len(seen - {""}) < 2 and time.monotonic() < deadline:
                seen.update(pool.map(warm_up, range(24)))
        assert len(seen - {""}) == 2, f"the second worker never answered ({seen})"
        with ThreadPoolExecutor(max_workers=24) as pool:
            results = list(pool.map(conversation, range(24)))
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
    for n, bookings in enumerate(results):
        for state, expected, slots in bookings:
            origin, destination = expected.split(">")
            assert state == "complete", (n, expected, slots)
            assert slots == {"origin": origin, "destination": destination}, (n, expected, slots)
    assert len(pids - {""}) == 2, f"all turns went to one worker ({pids}); sharing not exercised"
    assert code == 0, "".join(lines)
    assert "Traceback" not in "".join(lines)
