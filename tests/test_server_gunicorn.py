"""HTTP edges that only a real gunicorn shows: chunked bodies, unparseable requests.

Given the server under gunicorn with nlukit's config, when a client sends a chunked
body over the size limit, a request gunicorn cannot parse, or oversized headers,
then the answer is the JSON error shape with the right status, never a silently
cut body or gunicorn's HTML page.
"""
from __future__ import annotations

import http.client
import json
import signal
import socket
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("gunicorn")

from test_server_fakes import start_gunicorn  # noqa: E402


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    proc, url, lines = start_gunicorn(workers=1, threads=2)
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "".join(lines)


def _addr(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def post_chunked(base: str, pieces: list[bytes]) -> tuple[int, Any, str]:
    conn = http.client.HTTPConnection(*_addr(base), timeout=30)
    try:
        conn.request("POST", "/parse", body=iter(pieces), encode_chunked=True,
                     headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read()), resp.getheader("Content-Type") or ""
    finally:
        conn.close()


def raw(base: str, data: bytes) -> tuple[bytes, bytes]:
    with socket.create_connection(_addr(base), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return head, body


@pytest.mark.slow
def test_should_refuse_a_chunked_body_over_the_limit_instead_of_cutting_it(base: str) -> None:
    # 100 kB in 1 kB chunks, no Content-Length: werkzeug alone would cut it at 64 kB
    status, body, ctype = post_chunked(base, [b'{"text": "'] + [b"a" * 1024] * 100 + [b'"}'])
    assert (status, body["error"]["code"]) == (413, "body_too_large"), body
    assert ctype.startswith("application/json")
    status, body, _ = post_chunked(base, [b'{"text": "', "서울 날씨".encode(), b'"}'])
    assert status == 200 and body["intent"]["name"] == "weather"


@pytest.mark.slow
@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GARBAGE\r\n\r\n", 400, "bad_request"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431,
     "headers_too_large"),
    (b"POST /parse HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "bad_request"),
])
def test_should_answer_requests_gunicorn_cannot_parse_in_json(base: str, request_bytes: bytes,
                                                              status: int, code: str) -> None:
    head, body = raw(base, request_bytes)
    assert head.startswith(f"HTTP/1.1 {status}".encode()), head
    assert b"Content-Type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]
