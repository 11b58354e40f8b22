"""gunicorn settings for ``nlukit serve`` (also usable as ``gunicorn -c python:nlukit.gunicorn_conf``).

Threaded workers (``gthread``) keep HTTP connections alive; each worker process
loads the model once, when gunicorn builds the app in it. torch runs one thread per
worker so that N workers use N cores rather than fighting over them. The hooks
tell each worker its master's pid, so ``POST /admin/reload`` can ask the master
(SIGHUP) to replace every worker with one that loads the new ``current`` model.
"""
from __future__ import annotations

import os
from typing import Any

bind = "127.0.0.1:8000"
workers = 2
worker_class = "gthread"
threads = 8
# A worker silent for this long is killed and replaced; parsing takes milliseconds.
timeout = 60
# On SIGTERM, workers get this long to finish the requests in flight.
graceful_timeout = 10
keepalive = 5
# Request line and header limits (bodies are limited by the app's MAX_CONTENT_LENGTH).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
# Each worker loads its own model (no fork after torch is imported).
preload_app = False
accesslog = None
errorlog = "-"
loglevel = "info"
proc_name = "nlukit"
# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl),
# shared by every server that user runs; nlukit does not use it.
control_socket_disable = True


def post_fork(server: Any, worker: Any) -> None:
    """In the new worker: one torch thread, the master's pid for /admin/reload, JSON errors."""
    from gunicorn import util

    from .server import GUNICORN_MASTER_ENV

    os.environ[GUNICORN_MASTER_ENV] = str(server.pid)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    util.write_error = write_json_error  # gunicorn's own 400s (bad HTTP) as JSON, not HTML


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to a request it cannot parse, in nlukit's error shape."""
    import json

    from gunicorn import util

    from .server import _HTTP_CODES

    code = _HTTP_CODES.get(int(status_int), f"http_{status_int}")
    body = json.dumps({"error": {"code": code, "message": f"{reason}: {mesg}".strip(": ")}}
                      ).encode("utf-8")
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


def when_ready(server: Any) -> None:
    """Print where the chat page is, once the sockets listen."""
    for listener in server.LISTENERS:
        url = str(listener)
        if url.startswith("http://"):
            print(f"nlukit: serving; chat page at {url}/ (API: {url}/openapi.json)", flush=True)
        else:
            print(f"nlukit: serving at {url}", flush=True)


def on_reload(server: Any) -> None:
    server.log.info("reloading: replacing workers so they load the model's current version")


#: The names above that are gunicorn settings (the hooks included).
SETTINGS = ("bind", "workers", "worker_class", "threads", "timeout", "graceful_timeout",
            "keepalive", "limit_request_line", "limit_request_fields", "limit_request_field_size",
            "preload_app", "accesslog", "errorlog", "loglevel", "proc_name", "control_socket_disable",
            "post_fork", "when_ready", "on_reload")


def settings() -> dict[str, Any]:
    """The settings of this module as a dict for a gunicorn application's ``cfg.set``."""
    return {name: globals()[name] for name in SETTINGS}
