"""The REST server: a Flask app factory over a loaded model and a chatbot.

:func:`create_app` loads the model once (per process) and serves

====================  ==========================================================
``POST /parse``        ``{"text"[, "today"]}`` → :meth:`ParseResult.to_dict` (also at
                       Rasa's ``POST /model/parse``); ``today`` (``YYYY-MM-DD``,
                       the user's date) anchors relative dates like ``내일``
``POST /chat``         ``{"session_id", "text"[, "today"]}`` → ``Turn.to_dict()``
``DELETE /chat/<id>``  forget a session
``POST /kakao/skill``  a KakaoTalk channel's skill (Kakao i Open Builder, :mod:`nlukit.kakao`):
                       the bot's turn for ``userRequest.utterance``, one session per user
``GET /health``        liveness (always 200 while the process answers)
``GET /version``       package version and the loaded model's meta
``POST /admin/reload`` reload the model's ``current`` version (bearer token)
``GET /openapi.json``  the OpenAPI 3 description of all of the above
``GET /``              the web chat page (``nlukit/static``)
====================  ==========================================================

Every error is JSON ``{"error": {"code", "message"}}``; no HTML error page ever
leaves the server. Status choices, documented in ``/openapi.json``:

- 400 ``bad_json`` / ``invalid_utf8``: the body is not parseable UTF-8 JSON;
- 401 ``unauthorized``: ``/admin/reload`` without the right bearer token, ``/kakao/skill``
  without the skill token when one is configured;
- 404 ``not_found``: unknown route, and ``/admin/reload`` when no admin token is
  configured (the route is then disabled and indistinguishable from absent);
- 405 ``method_not_allowed`` (with an ``Allow`` header);
- 413 ``body_too_large`` (over ``max_content_length`` bytes) and
  ``text_too_long`` (``text`` over ``max_text_length`` characters): in both cases
  the client must send less (``/kakao/skill`` answers an utterance over the limit with a
  200 skill answer instead, ``kakao_too_long_text``: the KakaoTalk user sees a reply, not an error);
- 415 ``unsupported_media_type``: not ``application/json`` (UTF-8);
- 422 ``invalid_field``: body not an object, a field missing or of the wrong
  type, a bad ``session_id`` (1–128 of ``A-Z a-z 0-9 . _ : -``, not starting with
  ``.``);
- 503 ``model_not_loaded`` / ``chat_not_configured`` / ``store_unavailable``;
- 500 ``internal_error``: logged with its traceback, answered without one.

No request names a file on the server: session ids are validated, the reload
route takes no path, and static files are a fixed list.
"""
from __future__ import annotations

import datetime
import hmac
import json
import logging
import os
import queue
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import BUNDLE_FORMAT_VERSION, __version__
from .errors import InputError, NlukitError, SessionStoreError, TextTooLongError

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask, Response

log = logging.getLogger("nlukit.server")

#: Settings :func:`create_app` understands; ``settings=`` overrides any of them.
DEFAULT_SETTINGS: dict[str, Any] = {
    "max_content_length": 64 * 1024,   # bytes of request body
    "max_text_length": 1000,           # characters of "text"
    "max_session_id_length": 128,
    "admin_token": None,               # None: read the env var named below
    "admin_token_env": "NLUKIT_ADMIN_TOKEN",
    "kakao_token": None,               # None: read the env var named below; unset: no check
    "kakao_token_env": "NLUKIT_KAKAO_TOKEN",
    "kakao_wait": 3.5,                 # seconds a Kakao turn may take before the callback answers it
    "kakao_wait_text": "잠시만 기다려 주세요.",
    # a KakaoTalk user cannot read an HTTP error: an utterance over max_text_length gets this answer
    "kakao_too_long_text": "메시지가 너무 길어요. {limit}자 이내로 나눠서 보내 주세요.",
    "kakao_callback_hosts": (".kakao.com", ".kakaoenterprise.com"),  # https hosts a callback may go to
    "store_url": None,                 # None / "memory://" / "redis://host:port/db"
    "torch_threads": 1,                # per process; 0 leaves torch's default
    "restart_workers_on_reload": True,  # under gunicorn, SIGHUP the master after a reload
    "max_batch": 16,                   # concurrent parses per model call; 1 turns batching off
    "parse_timeout": 60.0,             # seconds a request waits for its parse (503 after)
    "cors_origins": (),                # origins whose pages may call the API ("*": any)
    "turn_log": None,                  # a JSONL file: one line per chat turn (nlukit review)
}

#: Env var the gunicorn config sets in each worker: the master's pid.
GUNICORN_MASTER_ENV = "NLUKIT_GUNICORN_MASTER_PID"
#: Env var ``nlukit serve`` sets for its workers: a file holding the version directory the
#: server last loaded well, which a worker (re)started on a broken ``current`` loads instead
SERVING_FILE_ENV = "NLUKIT_SERVING_FILE"

_SESSION_ID = re.compile(r"[A-Za-z0-9_:\-][A-Za-z0-9._:\-]*")
STATIC_DIR = Path(__file__).with_name("static")
# The only files the server ever sends from disk: name -> mimetype.
STATIC_FILES = {"index.html": "text/html", "chat.js": "text/javascript", "chat.css": "text/css"}

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 408: "request_timeout",
               411: "length_required", 413: "body_too_large", 414: "uri_too_long",
               415: "unsupported_media_type", 416: "range_not_satisfiable",
               422: "invalid_field", 429: "too_many_requests", 431: "headers_too_large",
               500: "internal_error", 501: "not_implemented", 503: "service_unavailable"}


class ApiError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


class _Pending:
    """One text waiting for its parse in a :class:`BatchingParser`."""

    __slots__ = ("text", "done", "result", "error")

    def __init__(self, text: str) -> None:
        self.text = text
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None


_STOP = object()


class BatchingParser:
    """A parser whose concurrent ``parse`` calls share the model's ``parse_batch`` calls.

    One thread runs the model. Requests that arrive while it computes a batch wait and
    form the next batch; there is no timer, so a lone request is parsed at once and
    batches grow only under load (a batch of 8 costs far less than 8 single parses).
    Results are the wrapped parser's: ``parse_batch`` must equal ``parse`` one by one.
    Every other attribute (``intents``, ``dictionary``, ``meta``...) is the wrapped one's.
    """

    def __init__(self, parser: Any, max_batch: int = 16, timeout: float = 60.0) -> None:
        self.parser = parser
        self.max_batch = max(1, int(max_batch))
        self.timeout = timeout
        self.batches = 0
        self.items = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    def __getattr__(self, name: str) -> Any:
        if name == "parser":  # not set yet (e.g. during unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.parser, name)

    def parse(self, text: str, **options: Any) -> Any:
        """The wrapped parser's result for ``text``, computed in a shared batch.

        A call with options (``today=...``) is parsed on its own, outside the batches.
        """
        if not isinstance(text, str) or options:
            return self.parser.parse(text, **options)  # its own error for a non-string
        pending = _Pending(text)
        with self._lock:
            direct = self._closed
            if not direct:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, daemon=True,
                                                    name="nlukit-batcher")
                    self._thread.start()
                self._queue.put(pending)
        if direct:
            return self.parser.parse(text)
        if not pending.done.wait(self.timeout):
            raise ApiError(503, "overloaded",
                           f"the model did not answer within {self.timeout:g} s; retry later")
        if pending.error is not None:
            raise pending.error
        return pending.result

    def parse_batch(self, texts: Any) -> Any:
        return self.parser.parse_batch(texts)

    def close(self) -> None:
        """Finish the queued texts, then stop the thread; later calls parse directly."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._thread is not None:
                self._queue.put(_STOP)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)
            self._compute(batch)
            if stop:
                return

    def _compute(self, batch: list[_Pending]) -> None:
        try:
            if len(batch) == 1:
                batch[0].result = self.parser.parse(batch[0].text)
            else:
                results = self.parser.parse_batch([p.text for p in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"parse_batch returned {len(results)} results "
                                       f"for {len(batch)} texts")
                for p, r in zip(batch, results, strict=True):
                    p.result = r
        except BaseException as exc:  # noqa: BLE001 - isolate the failing text
            if len(batch) == 1:
                batch[0].error = exc
            else:
                for p in batch:
                    try:
                        p.result, p.error = self.parser.parse(p.text), None
                    except BaseException as one:  # noqa: BLE001
                        p.error = one
        finally:
            self.batches += 1
            self.items += len(batch)
            for p in batch:
                p.done.set()


@dataclass(frozen=True)
class _Runtime:
    """What one request uses: swapped as a whole by a reload, never mutated."""

    nlu: Any | None
    bot: Any | None
    loaded_at: float


class _Service:
    """The process-wide state behind the routes: model, bot, settings."""

    def __init__(self, model_path: str | None, nlu: Any, scenarios: Any, store: Any,
                 bot: Any, settings: dict[str, Any]) -> None:
        self.model_path = model_path
        self.scenarios = scenarios
        self.settings = settings
        self._store = store
        self._injected_bot = bot
        self._lock = threading.Lock()
        self.turn_log = None
        self.loaded_dir: str | None = None   # the version directory last loaded
        if settings.get("turn_log"):
            from .bot.turnlog import TurnLog
            self.turn_log = TurnLog(settings["turn_log"])   # one per process, kept across reloads
        if nlu is None and model_path is not None:
            try:
                nlu = self._load_model(model_path)
            except Exception as exc:
                # a worker gunicorn restarts (killed, timed out) while `current` names a version
                # /admin/reload refused: serve the version the server serves, not stop it all
                good = _last_good_version(model_path)
                if good is None:
                    raise
                log.error("the model's current version did not load (%s); this worker serves %s, "
                          "the version this server last loaded, until a reload succeeds", exc, good)
                nlu = self._load_model(good)
        nlu = self._batching(nlu)
        self.runtime = _Runtime(nlu, self._make_bot(nlu), time.time())
        if self.loaded_dir is not None:
            _remember_good_version(self.loaded_dir)

    def _batching(self, nlu: Any) -> Any:
        if nlu is None or int(self.settings["max_batch"]) <= 1 or not hasattr(nlu, "parse_batch"):
            return nlu
        return BatchingParser(nlu, int(self.settings["max_batch"]),
                              float(self.settings["parse_timeout"]))

    # -- building -------------------------------------------------------------------
    def _load_model(self, path: str) -> Any:
        threads = int(self.settings.get("torch_threads") or 0)
        if threads > 0:
            import torch
            torch.set_num_threads(threads)
        import nlukit
        nlu = nlukit.load(path)
        # the version directory it came from, for a worker restarted on a broken `current`
        version = (getattr(nlu, "meta", None) or {}).get("version")
        loaded = os.path.join(path, str(version)) if version else ""
        self.loaded_dir = loaded if loaded and os.path.isdir(loaded) else None
        return nlu

    def store(self) -> Any:
        if self._store is None:
            from .bot.store import open_store
            self._store = open_store(self.settings.get("store_url"))
        return self._store

    def _make_bot(self, nlu: Any) -> Any:
        if self._injected_bot is not None:
            return self._injected_bot
        if self.scenarios is None or nlu is None:
            return None
        from .bot import Bot
        scenarios = self.scenarios
        if isinstance(scenarios, (str, os.PathLike)):
            from .bot import load_scenarios
            scenarios = load_scenarios(os.fspath(scenarios), intents=list(nlu.intents),
                                       entity_types=list(nlu.entity_types))
        elif hasattr(scenarios, "check"):  # loaded elsewhere: still must fit this model
            scenarios.check(list(nlu.intents), list(nlu.entity_types))
        return Bot(nlu, scenarios, store=self.store(), log=self.turn_log)

    def reload(self) -> tuple[_Runtime, _Runtime]:
        """Load the model's ``current`` version; on any failure the old one stays."""
        if self.model_path is None:
            raise ApiError(409, "no_model_path",
                           "this server was given an in-memory model, not a model directory; "
                           "restart it with a model directory to use /admin/reload")
        with self._lock:
            old = self.runtime
            nlu = self._batching(self._load_model(self.model_path))
            try:
                bot = self._make_bot(nlu)
            except BaseException:
                if isinstance(nlu, BatchingParser):
                    nlu.close()
                raise
            self.runtime = _Runtime(nlu, bot, time.time())
            if self.loaded_dir is not None:
                _remember_good_version(self.loaded_dir)
            if isinstance(old.nlu, BatchingParser):
                old.nlu.close()
            return old, self.runtime


def _last_good_version(model_path: str) -> str | None:
    """The version directory of ``model_path`` this server last loaded well, if it keeps one."""
    name = os.environ.get(SERVING_FILE_ENV)
    if not name:
        return None
    try:
        with open(name, encoding="utf-8") as f:
            good = f.read().strip()
    except OSError:
        return None
    store = os.path.realpath(model_path)
    if not good or os.path.dirname(os.path.realpath(good)) != store or not os.path.isdir(good):
        return None
    return good


def _remember_good_version(version_dir: str) -> None:
    name = os.environ.get(SERVING_FILE_ENV)
    if not name:
        return
    try:
        tmp = f"{name}.{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(os.path.abspath(version_dir))
        os.replace(tmp, name)
    except OSError as exc:  # a warning, not a failure: only a restarted worker's fallback is lost
        log.warning("cannot record the served model version in %s: %s", name, exc)


# -- request helpers ---------------------------------------------------------------------
def _json_body() -> dict[str, Any]:
    """The request body as a JSON object, or an :class:`ApiError` naming what is wrong."""
    from flask import request

    mimetype = request.mimetype
    if mimetype != "application/json" and not (mimetype.startswith("application/")
                                               and mimetype.endswith("+json")):
        shown = request.content_type or "none"
        raise ApiError(415, "unsupported_media_type",
                       f"Content-Type must be application/json (got {shown}); "
                       "send a UTF-8 JSON object")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, "unsupported_media_type",
                       f"charset {charset!r} is not supported; JSON must be UTF-8")
    raw = request.get_data(cache=False)  # 413 from werkzeug when Content-Length is over the limit
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # a chunked body is cut at the limit rather than refused: refuse it here
        raise ApiError(413, "body_too_large",
                       f"the body reaches the limit of {limit} bytes; send a smaller request")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_utf8",
                       f"the body is not valid UTF-8 (byte {exc.start}); encode the JSON as UTF-8"
                       ) from None
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        detail = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        digits = re.search(r"value has (\d+) digits", detail)
        if digits and "int_max_str_digits" in detail:  # Python's advice is for the server, not the client
            detail = (f"a number has {digits.group(1)} digits, more than "
                      f"{sys.get_int_max_str_digits()} can be read; send it as a string")
        raise ApiError(400, "bad_json", f"the body is not valid JSON: {detail}") from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_field",
                       f"the body must be a JSON object, not {_json_type(body)}")
    return body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _text_field(body: dict[str, Any], settings: dict[str, Any], name: str = "text") -> str:
    if name not in body:
        raise ApiError(422, "invalid_field", f'the field "{name}" is missing; send {{"{name}": "..."}}')
    text = body[name]
    if not isinstance(text, str):
        raise ApiError(422, "invalid_field",
                       f'the field "{name}" must be a string, not {_json_type(text)}')
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ApiError(422, "invalid_field",
                       f'"{name}" holds an unpaired surrogate (\\u{ord(text[exc.start]):04x}) at '
                       f"character {exc.start}; send valid Unicode") from None
    limit = int(settings["max_text_length"])
    if len(text) > limit:
        raise ApiError(413, "text_too_long",
                       f'"{name}" has {len(text)} characters; the limit is {limit}')
    return text


def _today_field(body: dict[str, Any]) -> datetime.date | None:
    """The optional ``today`` of a parse request: the user's date, ``YYYY-MM-DD``."""
    if body.get("today") is None:
        return None
    value = body["today"]
    if not isinstance(value, str):
        raise ApiError(422, "invalid_field",
                       f'the field "today" must be a date string "YYYY-MM-DD", not {_json_type(value)}')
    try:
        if len(value) != 10:
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "invalid_field",
                       f'the field "today" is {value[:40]!r}; send the user\'s date as "YYYY-MM-DD", '
                       'e.g. "2026-11-22"') from None


def check_session_id(session_id: Any, settings: dict[str, Any] | None = None) -> str:
    """Validate a session id: 1–128 of ``A-Z a-z 0-9 . _ : -``, not starting with ``.``."""
    limit = int((settings or DEFAULT_SETTINGS)["max_session_id_length"])
    if not isinstance(session_id, str):
        raise ApiError(422, "invalid_field",
                       f'the field "session_id" must be a string, not {_json_type(session_id)}')
    if not session_id:
        raise ApiError(422, "invalid_field", '"session_id" must not be empty')
    if len(session_id) > limit:
        raise ApiError(422, "invalid_field",
                       f'"session_id" has {len(session_id)} characters; the limit is {limit}')
    if not _SESSION_ID.fullmatch(session_id):
        raise ApiError(422, "invalid_field",
                       '"session_id" may only hold letters A-Z a-z, digits and . _ : - '
                       "and must not start with a dot")
    return session_id


def _nlukit_error(exc: NlukitError) -> ApiError:
    if isinstance(exc, TextTooLongError):
        return ApiError(413, "text_too_long", exc.message)
    if isinstance(exc, InputError):
        return ApiError(422, "invalid_field", exc.message)
    if isinstance(exc, SessionStoreError):
        return ApiError(503, "store_unavailable", exc.message)
    return ApiError(500, "internal_error", f"{type(exc).__name__}: {exc.message}")


# -- the app -------------------------------------------------------------------------------
def create_app(model_path: str | None = None, *, nlu: Any = None, scenarios: Any = None,
               store: Any = None, settings: dict[str, Any] | None = None,
               bot: Any = None) -> Flask:
    """Build the Flask app; the model is loaded here, once, never per request.

    ``model_path`` is a bundle (a version directory or a folder with ``current``);
    ``nlu`` is an already loaded parser instead (anything with ``parse``, ``intents``,
    ``entity_types``, ``dictionary``, ``meta``). ``scenarios`` is a scenario file or a
    loaded ``Scenarios``; without it ``/chat`` answers 503. ``store`` is a session store
    (default: ``settings["store_url"]``, memory). ``bot`` injects a ready chatbot.
    """
    from flask import Flask, request
    from werkzeug.exceptions import HTTPException

    unknown = set(settings or {}) - set(DEFAULT_SETTINGS)
    if unknown:
        raise InputError(f"unknown server settings {sorted(unknown)}; "
                         f"known: {sorted(DEFAULT_SETTINGS)}")
    conf = {**DEFAULT_SETTINGS, **(settings or {})}
    for name in ("admin_token", "kakao_token"):
        if conf[name] is None and conf[f"{name}_env"]:
            conf[name] = os.environ.get(conf[f"{name}_env"]) or None
    service = _Service(model_path, nlu, scenarios, store, bot, conf)

    app = Flask("nlukit.server", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = int(conf["max_content_length"])
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["nlukit"] = service

    def answer(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        try:
            body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate somewhere: escape it rather than fail
            body = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        resp = app.response_class(body, status=status, mimetype="application/json")
        for k, v in (headers or {}).items():
            resp.headers[k] = v
        return resp

    def error(status: int, code: str, message: str,
              headers: dict[str, str] | None = None) -> Response:
        return answer({"error": {"code": code, "message": message}}, status, headers)

    def need_nlu() -> Any:
        nlu_ = service.runtime.nlu
        if nlu_ is None:
            raise ApiError(503, "model_not_loaded",
                           "no model is loaded; start the server with a model directory")
        return nlu_

    def need_bot() -> Any:
        rt = service.runtime
        if rt.bot is None:
            if rt.nlu is None:
                need_nlu()
            raise ApiError(503, "chat_not_configured",
                           "no scenarios are loaded; start the server with --scenarios FILE")
        return rt.bot

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error(exc.status, exc.code, exc.message, exc.headers)

    @app.errorhandler(NlukitError)
    def _nlukit(exc: NlukitError) -> Response:
        api = _nlukit_error(exc)
        if api.status >= 500:
            app.logger.error("%s %s failed: %s", request.method, request.path, exc)
        return _api_error(api)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        if status < 400:  # redirects (e.g. a missing trailing slash) stay redirects
            return exc
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        message = exc.description or exc.name
        if status == 404:
            message = f"no route {request.path!r}; see GET /openapi.json for the routes"
        elif status == 405:
            allowed = headers.get("Allow", "")
            message = f"{request.method} is not allowed on {request.path}; use {allowed}"
        elif status == 413:
            message = (f"the body is over the limit of {app.config['MAX_CONTENT_LENGTH']} bytes; "
                       "send a smaller request")
        return error(status, _HTTP_CODES.get(status, f"http_{status}"), message, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("%s %s failed", request.method, request.path)
        return error(500, "internal_error",
                     "the server failed on this request; the error is in its log")

    cors = {str(o).rstrip("/") for o in conf["cors_origins"] or ()}

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        origin = request.headers.get("Origin")
        if cors and origin and not request.path.startswith("/admin/") and (
                "*" in cors or origin.rstrip("/") in cors):
            resp.headers["Access-Control-Allow-Origin"] = "*" if "*" in cors else origin
            resp.headers.add("Vary", "Origin")
            if request.method == "OPTIONS":
                resp.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
                resp.headers["Access-Control-Allow-Headers"] = "Content-Type"
                resp.headers["Access-Control-Max-Age"] = "600"
        return resp

    # -- routes -------------------------------------------------------------------------
    @app.post("/parse")
    @app.post("/model/parse")  # Rasa's path, so a Rasa client switches by changing the host
    def parse() -> Response:
        body = _json_body()
        text = _text_field(body, conf)
        today = _today_field(body)
        nlu = need_nlu()
        return answer((nlu.parse(text, today=today) if today else nlu.parse(text)).to_dict())

    @app.post("/chat")
    def chat() -> Response:
        body = _json_body()
        if "session_id" not in body:
            raise ApiError(422, "invalid_field",
                           'the field "session_id" is missing; send {"session_id": "...", "text": "..."}')
        session_id = check_session_id(body["session_id"], conf)
        text = _text_field(body, conf)
        today = _today_field(body)
        bot = need_bot()
        return answer((bot.handle(session_id, text, today=today) if today
                       else bot.handle(session_id, text)).to_dict())

    @app.post("/kakao/skill")
    def kakao_skill() -> Response:
        from . import kakao
        token = conf["kakao_token"]
        if token:
            given = request.headers.get("X-Nlukit-Token") or request.args.get("token") or ""
            if not hmac.compare_digest(given.encode(), str(token).encode()):
                raise ApiError(401, "unauthorized",
                               "this skill needs its token: end the skill URL in Kakao i Open "
                               "Builder with ?token=<token>, or send the header X-Nlukit-Token")
        skill = kakao.read_request(_json_body())
        if len(skill.utterance) > int(conf["max_text_length"]):   # an answer the user can read
            limit = int(conf["max_text_length"])
            return answer(kakao.text_response(str(conf["kakao_too_long_text"]).replace("{limit}", f"{limit:,}")))
        _text_field({"userRequest.utterance": skill.utterance}, conf, "userRequest.utterance")
        bot = need_bot()
        settings = getattr(bot, "settings", None)
        affirm = _preferred(getattr(settings, "affirm", ()), "네")
        deny = _preferred(getattr(settings, "deny", ()), "아니요")
        callback = skill.callback_url
        if callback and not kakao.callback_allowed(callback, conf["kakao_callback_hosts"]):
            app.logger.warning("Kakao callback URL on a host not in kakao_callback_hosts %s, not used: %s",
                               list(conf["kakao_callback_hosts"]), callback[:200])
            callback = None
        if not callback:
            turn = bot.handle(skill.session_id, skill.utterance, today=skill.today, now=skill.now)
            return answer(kakao.skill_response(turn, affirm, deny))
        # callbacks on: wait a while for the turn, then let the callback URL take its answer
        done, lock, box = threading.Event(), threading.Lock(), {}

        def run_turn() -> None:
            try:
                turn = bot.handle(skill.session_id, skill.utterance, today=skill.today, now=skill.now)
                box["answer"] = kakao.skill_response(turn, affirm, deny)
            except Exception as exc:  # noqa: BLE001 - raised to the request, or logged and apologised for
                box["error"] = exc
            with lock:
                box["finished"] = True
                late = box.get("late", False)
            done.set()
            if late:
                _post_late(str(callback), box)

        threading.Thread(target=run_turn, name="kakao-turn", daemon=True).start()
        done.wait(float(conf["kakao_wait"]))
        with lock:
            box["late"] = late = not box.get("finished")
        if late:
            return answer(kakao.waiting_response(str(conf["kakao_wait_text"])))
        if "error" in box:
            raise box["error"]
        return answer(box["answer"])

    def _post_late(url: str, box: dict[str, Any]) -> None:
        """The answer of a turn that outlasted ``kakao_wait``, posted to the callback URL."""
        from . import kakao
        if "error" in box:
            app.logger.error("a Kakao turn failed after the waiting answer: %r", box["error"])
            reply = getattr(getattr(service.runtime.bot, "settings", None), "action_error", None)
            box["answer"] = kakao.text_response(reply or "죄송해요, 요청을 처리하지 못했어요.")
        try:
            kakao.post_callback(url, box["answer"])
        except (OSError, ValueError) as exc:
            app.logger.error("posting the Kakao callback answer failed: %s", exc)

    @app.delete("/chat/<session_id>")
    def forget(session_id: str) -> Response:
        check_session_id(session_id, conf)
        forgotten = bool(need_bot().forget(session_id))
        return answer({"session_id": session_id, "forgotten": forgotten})

    @app.get("/health")
    def health() -> Response:
        rt = service.runtime
        return answer({"status": "ok", "model_loaded": rt.nlu is not None,
                       "chat": rt.bot is not None})

    @app.get("/version")
    def version() -> Response:
        rt = service.runtime
        meta = getattr(rt.nlu, "meta", None) if rt.nlu is not None else None
        return answer({"nlukit_version": __version__,
                       "bundle_format_version": BUNDLE_FORMAT_VERSION,
                       "model": _jsonable(meta),
                       "loaded_at": _iso(rt.loaded_at) if rt.nlu is not None else None})

    @app.post("/admin/reload")
    def reload() -> Response:
        token = conf["admin_token"]
        if not token:
            raise ApiError(404, "not_found",
                           "no route '/admin/reload'; it is disabled until an admin token is "
                           f"configured (env {conf['admin_token_env']})")
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(),
                                                                  str(token).encode()):
            raise ApiError(401, "unauthorized",
                           "send the admin token as 'Authorization: Bearer <token>'",
                           {"WWW-Authenticate": 'Bearer realm="nlukit-admin"'})
        try:
            old, new = service.reload()
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure keeps the old model serving
            app.logger.error("reload failed, the old model keeps serving: %s", exc)
            reason = exc.message if isinstance(exc, NlukitError) else f"{type(exc).__name__}: {exc}"
            # 503, not 500: the request is fine and the server still serves; what is
            # unavailable is the model on disk, until its `current` is fixed or rolled back
            raise ApiError(503, "reload_failed",
                           f"the new model did not load, the old one keeps serving: {reason}; fix the "
                           "model folder's current version (or roll back: nlukit versions MODEL --use "
                           "previous) and POST /admin/reload again"
                           ) from None
        restarted = _restart_other_workers() if conf["restart_workers_on_reload"] else False
        return answer({"status": "reloaded", "model": _model_id(new.nlu),
                       "previous": _model_id(old.nlu), "workers_restarting": restarted})

    @app.get("/openapi.json")
    def openapi() -> Response:
        return answer(openapi_spec(conf))

    @app.get("/")
    def index() -> Response:
        return _static("index.html")

    @app.get("/static/<name>")
    def static_file(name: str) -> Response:
        if name not in STATIC_FILES:
            raise ApiError(404, "not_found", f"no static file {name!r}")
        return _static(name)

    def _static(name: str) -> Response:
        data = (STATIC_DIR / name).read_bytes()
        resp = app.response_class(data, mimetype=STATIC_FILES[name])
        resp.headers["Content-Security-Policy"] = (
            "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'")
        resp.headers["Cache-Control"] = "no-cache"
        return resp

    return app


def _preferred(phrases: Any, first: str) -> tuple[str, ...]:
    """``phrases`` with ``first`` in front when the bot accepts it (the button to show)."""
    phrases = tuple(phrases or ())
    return (first, *phrases) if first in phrases else phrases


def _restart_other_workers() -> bool:
    """Under gunicorn, ask the master to replace every worker (they load ``current``)."""
    master = os.environ.get(GUNICORN_MASTER_ENV)
    if not master or not master.isdigit() or int(master) != os.getppid():
        return False
    os.kill(int(master), signal.SIGHUP)
    return True


def _model_id(nlu: Any) -> dict[str, Any] | None:
    if nlu is None:
        return None
    meta = getattr(nlu, "meta", None) or {}
    return {"name": meta.get("name"), "version": meta.get("version"),
            "created": meta.get("created")}


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def _jsonable(value: Any) -> Any:
    """The meta as JSON: anything json cannot write becomes its ``str``."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# -- OpenAPI -------------------------------------------------------------------------------
def openapi_spec(settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI 3.0 document of every route, body, answer and error shape."""
    from .bot.dialogue import STATES
    conf = {**DEFAULT_SETTINGS, **(settings or {})}
    max_text = int(conf["max_text_length"])
    max_sid = int(conf["max_session_id_length"])

    def ref(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/schemas/{name}"}

    def ok(schema: str, description: str) -> dict[str, Any]:
        return {"description": description,
                "content": {"application/json": {"schema": ref(schema)}}}

    def err(description: str) -> dict[str, Any]:
        return {"$ref": f"#/components/responses/{description}"}

    body_errors = {"400": err("BadJson"), "413": err("TooLarge"), "415": err("UnsupportedMediaType"),
                   "422": err("InvalidField"), "500": err("InternalError")}
    session_id = {"type": "string", "minLength": 1, "maxLength": max_sid,
                  "pattern": "^[A-Za-z0-9_:-][A-Za-z0-9._:-]*$"}

    def json_body(schema: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": ref(schema)}}}

    def error_response(description: str, codes: list[str]) -> dict[str, Any]:
        return {"description": f"{description} (error codes: {', '.join(codes)})",
                "content": {"application/json": {"schema": ref("Error")}}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "nlukit", "version": __version__,
                 "description": "Korean NLU parsing and a slot-filling chatbot. Every error is "
                                "{\"error\": {\"code\", \"message\"}}."},
        "paths": {
            "/parse": {"post": {
                "summary": "Parse a text: intent, ranking and entities (Rasa /model/parse names).",
                "operationId": "parse", "requestBody": json_body("ParseRequest"),
                "responses": {"200": ok("ParseResult", "the parse"), **body_errors,
                              "503": err("Unavailable")}}},
            "/model/parse": {"post": {
                "summary": "The same as POST /parse, at Rasa's path.",
                "operationId": "parse_rasa", "requestBody": json_body("ParseRequest"),
                "responses": {"200": ok("ParseResult", "the parse"), **body_errors,
                              "503": err("Unavailable")}}},
            "/chat": {"post": {
                "summary": "One chatbot turn in a session.", "operationId": "chat",
                "requestBody": json_body("ChatRequest"),
                "responses": {"200": ok("Turn", "the bot's answer"), **body_errors,
                              "503": err("Unavailable")}}},
            "/kakao/skill": {"post": {
                "summary": "A KakaoTalk channel's skill server (Kakao i Open Builder, skill "
                           "v2.0): the bot's turn for userRequest.utterance, one session per "
                           "userRequest.user.id, relative dates read in userRequest.timezone "
                           "(default Asia/Seoul). Protected when a Kakao token is configured "
                           "(?token= or X-Nlukit-Token).",
                "operationId": "kakao_skill", "requestBody": json_body("KakaoSkillRequest"),
                "responses": {"200": ok("KakaoSkillResponse", "the answer KakaoTalk shows"),
                              **body_errors,
                              "401": error_response("missing or wrong skill token",
                                                    ["unauthorized"]),
                              "503": err("Unavailable")}}},
            "/chat/{session_id}": {"delete": {
                "summary": "Forget a session.", "operationId": "forget",
                "parameters": [{"name": "session_id", "in": "path", "required": True,
                                "schema": session_id}],
                "responses": {"200": ok("Forgotten", "whether the session existed"),
                              "422": err("InvalidField"), "503": err("Unavailable"),
                              "500": err("InternalError")}}},
            "/health": {"get": {
                "summary": "Liveness; 200 while the process answers.", "operationId": "health",
                "responses": {"200": ok("Health", "the process is up")}}},
            "/version": {"get": {
                "summary": "Package version and the loaded model's meta.", "operationId": "version",
                "responses": {"200": ok("Version", "versions")}}},
            "/admin/reload": {"post": {
                "summary": "Load the model directory's `current` version; the old model keeps "
                           "serving if it fails. Disabled (404) when no admin token is configured. "
                           "Under gunicorn the other workers are restarted to load it too.",
                "operationId": "reload", "security": [{"bearer": []}],
                "responses": {"200": ok("Reloaded", "the new model serves"),
                              "401": error_response("missing or wrong bearer token",
                                                    ["unauthorized"]),
                              "404": error_response("reload disabled (no admin token)",
                                                    ["not_found"]),
                              "409": error_response("the server has no model directory",
                                                    ["no_model_path"]),
                              "500": error_response("an unexpected error", ["internal_error"]),
                              "503": error_response("the new model failed to load; the old one "
                                                    "keeps serving (fix or roll back `current`, "
                                                    "then reload again)",
                                                    ["reload_failed"])}}},
            "/openapi.json": {"get": {
                "summary": "This document.", "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3 document",
                                      "content": {"application/json": {"schema":
                                                                        {"type": "object"}}}}}}},
            "/": {"get": {
                "summary": "The web chat page.", "operationId": "index",
                "responses": {"200": {"description": "HTML page",
                                      "content": {"text/html": {"schema": {"type": "string"}}}}}}},
            "/static/{name}": {"get": {
                "summary": "The chat page's script and style (a fixed list).",
                "operationId": "static",
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "schema": {"type": "string",
                                           "enum": sorted(STATIC_FILES)}}],
                "responses": {"200": {"description": "the file"},
                              "404": error_response("not one of the page's files",
                                                    ["not_found"])}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "BadJson": error_response("the body is not UTF-8 JSON",
                                          ["bad_json", "invalid_utf8"]),
                "TooLarge": error_response(
                    f"body over {conf['max_content_length']} bytes or text over {max_text} "
                    "characters", ["body_too_large", "text_too_long"]),
                "UnsupportedMediaType": error_response("Content-Type is not application/json "
                                                       "in UTF-8", ["unsupported_media_type"]),
                "InvalidField": error_response("valid JSON of the wrong shape: not an object, "
                                               "a field missing, a wrong type, a bad session_id",
                                               ["invalid_field"]),
                "Unavailable": error_response(
                    "no model, no scenarios, the session store is down, or the model is overloaded",
                    ["model_not_loaded", "chat_not_configured", "store_unavailable", "overloaded"]),
                "InternalError": error_response("an unexpected failure, logged",
                                                ["internal_error"]),
            },
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"type": "string", "example": "invalid_field"},
                        "message": {"type": "string"}}}}},
                "ParseRequest": {"type": "object", "required": ["text"], "properties": {
                    "text": {"type": "string", "maxLength": max_text,
                             "example": "내일 서울 날씨 어때"},
                    "today": {"type": "string", "format": "date", "nullable": True,
                              "description": "the user's date; relative dates (내일) are "
                                             "resolved from it (default: the server's)",
                              "example": "2026-11-22"}}},
                "ChatRequest": {"type": "object", "required": ["session_id", "text"],
                                "properties": {"session_id": session_id,
                                               "text": {"type": "string", "maxLength": max_text},
                                               "today": {"type": "string", "format": "date",
                                                         "nullable": True,
                                                         "example": "2026-11-22"}}},
                "IntentScore": {"type": "object", "required": ["name", "confidence"], "properties": {
                    "name": {"type": "string"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1}}},
                "Entity": {"type": "object",
                           "required": ["entity", "start", "end", "value", "confidence_entity"],
                           "properties": {
                               "entity": {"type": "string"},
                               "role": {"type": "string", "nullable": True},
                               "start": {"type": "integer", "minimum": 0},
                               "end": {"type": "integer", "minimum": 0},
                               "text": {"type": "string"},
                               "value": {"type": "string"},
                               "confidence_entity": {"type": "number"},
                               "extractor": {"type": "string"},
                               "resolved": {
                                   "type": "object", "nullable": True,
                                   "description": "a time, date, amount or count entity's meaning: "
                                                  "kind time (hour, minute, value HH:MM, ambiguous, "
                                                  "candidates), duration (minutes, value ISO "
                                                  "8601), date (value YYYY-MM-DD, past), "
                                                  "date_range (start, end, value start/end, past "
                                                  "or partly_past when it began before today), "
                                                  "money (value in won, currency KRW, text; approx, "
                                                  "qualifier, min, max when not exact) or count "
                                                  "(value, unit such as 명 or 개, text; approx, "
                                                  "qualifier, min, max when not exact, delta for "
                                                  "a change such as 한 명 더)",
                                   "properties": {"kind": {"type": "string", "enum": [
                                       "time", "duration", "date", "date_range", "money", "count"]},
                                                  "value": {"description": "a string for times and "
                                                            "dates, an integer for amounts and "
                                                            "counts, null for a range",
                                                            "nullable": True}}}}},
                "ParseResult": {"type": "object",
                                "required": ["text", "intent", "entities", "intent_ranking"],
                                "properties": {
                                    "text": {"type": "string"},
                                    "intent": {"allOf": [ref("IntentScore")], "nullable": True},
                                    "entities": {"type": "array", "items": ref("Entity")},
                                    "intent_ranking": {"type": "array",
                                                       "items": ref("IntentScore")}}},
                "Turn": {"type": "object",
                         "required": ["reply", "state", "intent", "slots", "missing", "parse", "resolved",
                                      "choices", "multiple", "requests"],
                         "properties": {
                             "reply": {"type": "string"},
                             "state": {"type": "string",
                                       "enum": list(STATES)},
                             "intent": {"type": "string", "nullable": True},
                             "slots": {"type": "object",
                                       "additionalProperties": {"type": "string"}},
                             "missing": {"type": "array", "items": {"type": "string"}},
                             "resolved": {"type": "object", "description":
                                          "per filled time, date, money or count slot, what it "
                                          "means (as an entity's resolved: kind time/duration/"
                                          "date/date_range/money/count, value ...), read for the "
                                          "request's today",
                                          "additionalProperties": {"type": "object"}},
                             "choices": {"type": "array", "items": {"type": "string"},
                                         "description": "the answers the asked slot allows, when "
                                                        "its scenario lists them (values = [...]), or the "
                                                        "values said together for a one-value slot, to pick one"},
                             "multiple": {"type": "object", "description":
                                          "per multiple slot given several values, all of them in the "
                                          "order said (slots then holds them joined with ', ')",
                                          "additionalProperties": {"type": "array",
                                                                   "items": {"type": "string"}}},
                             "requests": {"type": "array", "description":
                                          "a message of several requests (기차 예매하고 부산 날씨도 "
                                          "알려줘): one entry per request in the order said; the turn's "
                                          "state, intent and slots are those of the one still under "
                                          "way, else the last answered; empty for one request",
                                          "items": {"type": "object",
                                                    "required": ["text", "intent", "state", "reply"],
                                                    "properties": {
                                                        "text": {"type": "string"},
                                                        "intent": {"type": "string", "nullable": True},
                                                        "state": {"type": "string",
                                                                  "enum": [*STATES, "queued"]},
                                                        "reply": {"type": "string"}}}},
                             "parse": {"allOf": [ref("ParseResult")], "nullable": True}}},
                "KakaoSkillRequest": {
                    "type": "object", "required": ["userRequest"],
                    "description": "Kakao i Open Builder's SkillPayload; only these fields are read",
                    "properties": {"userRequest": {
                        "type": "object", "required": ["utterance", "user"], "properties": {
                            "utterance": {"type": "string", "maxLength": max_text},
                            "timezone": {"type": "string", "example": "Asia/Seoul"},
                            "callbackUrl": {"type": "string",
                                            "description": "present when the block has callbacks on"},
                            "user": {"type": "object", "required": ["id"], "properties": {
                                "id": {"type": "string",
                                       "description": "the botUserKey"}}}}}}},
                "KakaoSkillResponse": {
                    "type": "object", "required": ["version"],
                    "description": "the turn's answer in template; or, for a turn longer than "
                                   "kakao_wait with callbacks on, useCallback with data.text, the "
                                   "answer then being posted to userRequest.callbackUrl",
                    "properties": {
                        "version": {"type": "string", "enum": ["2.0"]},
                        "useCallback": {"type": "boolean"},
                        "data": {"type": "object", "properties": {"text": {"type": "string"}}},
                        "template": {"type": "object", "required": ["outputs"], "properties": {
                            "outputs": {"type": "array", "minItems": 1, "maxItems": 3, "items": {
                                "type": "object", "properties": {"simpleText": {
                                    "type": "object", "required": ["text"], "properties": {
                                        "text": {"type": "string", "maxLength": 1000}}}}}},
                            "quickReplies": {"type": "array", "maxItems": 10, "items": {
                                "type": "object", "required": ["label", "action", "messageText"],
                                "properties": {
                                    "label": {"type": "string", "maxLength": 14},
                                    "action": {"type": "string", "enum": ["message"]},
                                    "messageText": {"type": "string"}}}}}}}},
                "Forgotten": {"type": "object", "required": ["session_id", "forgotten"],
                              "properties": {"session_id": {"type": "string"},
                                             "forgotten": {"type": "boolean"}}},
                "Health": {"type": "object", "required": ["status"], "properties": {
                    "status": {"type": "string", "enum": ["ok"]},
                    "model_loaded": {"type": "boolean"}, "chat": {"type": "boolean"}}},
                "Version": {"type": "object", "required": ["nlukit_version"], "properties": {
                    "nlukit_version": {"type": "string"},
                    "bundle_format_version": {"type": "integer"},
                    "model": {"type": "object", "nullable": True,
                              "description": "the bundle's meta.json"},
                    "loaded_at": {"type": "string", "nullable": True}}},
                "ModelId": {"type": "object", "nullable": True, "properties": {
                    "name": {"type": "string", "nullable": True},
                    "version": {"type": "string", "nullable": True},
                    "created": {"type": "string", "nullable": True}}},
                "Reloaded": {"type": "object", "required": ["status", "model"], "properties": {
                    "status": {"type": "string", "enum": ["reloaded"]},
                    "model": ref("ModelId"), "previous": ref("ModelId"),
                    "workers_restarting": {"type": "boolean"}}},
            },
        },
    }


def routes_of(app: Flask) -> dict[str, set[str]]:
    """Every route of ``app`` in OpenAPI path syntax with its methods (for tests and docs)."""
    out: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        methods = {m.lower() for m in (rule.methods or set())} - {"head", "options"}
        out.setdefault(path, set()).update(methods)
    return out



# -- serving -------------------------------------------------------------------------------
def check_model_dir(model_path: str, scenarios: str | None = None) -> dict[str, Any]:
    """Fail early, in one line, when the model or the scenarios cannot serve; return the meta.

    Runs in the serving parent before any worker starts, without torch: the bundle's
    meta and file digests, then the scenarios against the model's intents and types.
    """
    from .bundle import check_bundle, resolve
    from .errors import BundleError

    if not os.path.exists(model_path):
        raise BundleError(f"model directory {model_path!r} does not exist; train one with "
                          f"`nlukit train DATA -o {model_path}`")
    if not os.path.isdir(model_path):
        raise BundleError(f"{model_path!r} is a file; give the model directory "
                          "(a version directory or a folder with `current`)")
    meta = check_bundle(resolve(model_path), verify=True)
    if scenarios is not None:
        from .bot import load_scenarios
        load_scenarios(scenarios, intents=meta.get("intents"), entity_types=meta.get("entity_types"))
    return meta


def check_bind(host: str, port: int) -> None:
    """Fail in one line when ``host:port`` cannot be listened on (in use, not an address here).

    gunicorn would retry five times, logging each, and end with "Can't connect"; Flask's
    server prints its own two lines. Port 0 (any free port) is not checked.
    """
    import errno
    import socket

    from .errors import InputError

    if port == 0:
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"--host {host!r} is not an address of this machine ({reason}); give one "
                         "such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn and Flask do
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} on {host} is in use by another program; stop it, "
                                 "or pick another port with --port") from None
            if exc.errno == errno.EACCES:
                raise InputError(f"no permission to listen on port {port}; ports below 1024 need "
                                 "root: pick another with --port (e.g. 8000)") from None
            raise InputError(f"cannot listen on {host} port {port} ({exc.strerror}); check --host "
                             "and --port") from None


def serve(model_path: str | None, *, scenarios: str | None = None, host: str = "127.0.0.1",
          port: int = 8000, workers: int = 2, threads: int | None = None,
          settings: dict[str, Any] | None = None, dev: bool = False,
          access_log: bool = False) -> int:
    """Serve ``create_app(model_path, ...)`` with gunicorn (or Flask's server when ``dev``).

    Each gunicorn worker builds the app, and so loads the model, once. SIGTERM stops
    cleanly: workers finish their requests, then the process exits 0.
    """
    if scenarios is not None and not os.path.isfile(scenarios):
        from .errors import ScenarioError
        what = "is a folder" if os.path.isdir(scenarios) else "does not exist"
        raise ScenarioError(f"scenario file {scenarios!r} {what}; give a TOML file "
                            "such as scenarios/demo.toml")
    if model_path is not None:
        check_model_dir(model_path, scenarios)
    store_url = (settings or {}).get("store_url")
    if scenarios is not None and store_url:
        from .bot.store import open_store
        open_store(store_url)  # a Redis that is down is one line here, not a worker crash
    check_bind(host, port)
    if dev:
        return _serve_dev(model_path, scenarios, host, port, settings)
    return _serve_gunicorn(model_path, scenarios, host, port, workers, threads, settings,
                           access_log)


def _serve_dev(model_path: str | None, scenarios: str | None, host: str, port: int,
               settings: dict[str, Any] | None) -> int:
    import sys

    app = create_app(model_path, scenarios=scenarios, settings=settings)

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    print(f"nlukit: development server (not for production); chat page at "
          f"http://{host}:{server.server_port}/", flush=True)
    try:
        server.serve_forever()
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.server_close()
        print("nlukit: stopped", file=sys.stderr, flush=True)
    return 0


def _serve_gunicorn(model_path: str | None, scenarios: str | None, host: str, port: int,
                    workers: int, threads: int | None, settings: dict[str, Any] | None,
                    access_log: bool = False) -> int:
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf

    options = gunicorn_conf.settings()
    options["bind"] = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    options["workers"] = workers
    if threads is not None:
        options["threads"] = threads
    if access_log:
        options["accesslog"] = "-"

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return create_app(model_path, scenarios=scenarios, settings=settings)

    master = os.getpid()
    serving_file = None
    if model_path is not None:
        import tempfile

        from .bundle import resolve
        fd, serving_file = tempfile.mkstemp(prefix="nlukit-serving-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(os.path.abspath(resolve(model_path)))
        os.environ[SERVING_FILE_ENV] = serving_file
    try:
        Application(prog="nlukit serve").run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if os.getpid() != master:  # a worker leaving: gunicorn's exit, nothing to add
            raise
        if code in (3, 4):  # gunicorn's WORKER_BOOT_ERROR / APP_LOAD_ERROR
            import sys
            print("nlukit: error: the workers could not build the app (see the log above)",
                  file=sys.stderr)
        return code
    finally:
        if serving_file is not None and os.getpid() == master:
            os.environ.pop(SERVING_FILE_ENV, None)
            try:
                os.unlink(serving_file)
            except OSError:
                pass
    return 0
