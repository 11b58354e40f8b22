"""Session stores: where the bot keeps each conversation's state between turns.

One small interface (:class:`SessionStore`): ``get`` / ``set`` (with a time to live) /
``delete``, ``lock(session_id)`` for mutual exclusion of one session's turns, and an
atomic read-modify-write ``update``. States are JSON-able dicts and are stored as JSON
text, so a caller never shares a mutable object with the store.

- :class:`MemoryStore` (``memory://``, the default): one process; expiry and a size cap
  with least-recently-used eviction.
- :class:`RedisStore` (``redis://host:port/db``): several server processes share
  sessions; TTL through Redis expiry, keys under a prefix, the per-session lock is a
  Redis lock (``SET NX PX`` released by a Lua compare-and-delete) and ``update`` is a
  ``WATCH``/``MULTI`` transaction retried on conflict.

>>> s = open_store("memory://?max_sessions=2")
>>> s.set("a", {"slots": {"date": "내일"}}, ttl=60)
>>> s.get("a")["slots"]
{'date': '내일'}
>>> s.delete("a"), s.delete("a")
(True, False)
"""
from __future__ import annotations

import json
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit, urlunsplit

from ..errors import SessionStoreError

__all__ = ["MemoryStore", "RedisStore", "SessionStore", "open_store"]

State = dict[str, Any]
Updater = Callable[[State | None], State | None]


class SessionStore(Protocol):
    """Where session states live; every method is safe to call from several threads."""

    def get(self, session_id: str) -> State | None: ...

    def set(self, session_id: str, state: State, ttl: float) -> None: ...

    def delete(self, session_id: str) -> bool: ...

    def lock(self, session_id: str) -> Any:
        """A context manager held while one turn of ``session_id`` reads and writes its state."""
        ...

    def update(self, session_id: str, fn: Updater, ttl: float) -> State | None:
        """Atomically replace the state with ``fn(state)``; None from ``fn`` deletes it."""
        ...


def _dumps(state: State) -> str:
    try:
        return json.dumps(state, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise SessionStoreError(f"session state is not JSON-serialisable ({exc}); "
                                "keep only str, numbers, lists and dicts in it") from None


def _loads(raw: str | bytes, where: str) -> State:
    try:
        state = json.loads(raw)
    except ValueError as exc:
        raise SessionStoreError(f"corrupted session state in {where} ({exc}); "
                                "delete the session to start over") from None
    if not isinstance(state, dict):
        raise SessionStoreError(f"session state in {where} is not a JSON object; "
                                "delete the session to start over")
    return state


class MemoryStore:
    """Sessions in this process's memory, expiring after their TTL, at most ``max_sessions``.

    When full, the least recently used session is dropped. ``clock`` is injectable for tests.
    """

    def __init__(self, max_sessions: int = 10000, clock: Callable[[], float] = time.monotonic) -> None:
        if max_sessions < 1:
            raise SessionStoreError(f"max_sessions must be at least 1, got {max_sessions}")
        self.max_sessions = max_sessions
        self._clock = clock
        self._data: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._mutex = threading.Lock()
        self._locks: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self._locks_mutex = threading.Lock()

    def __len__(self) -> int:
        with self._mutex:
            self._purge()
            return len(self._data)

    def _purge(self) -> None:
        now = self._clock()
        for sid in [k for k, (exp, _) in self._data.items() if exp <= now]:
            del self._data[sid]

    def _get_raw(self, session_id: str) -> str | None:
        item = self._data.get(session_id)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._data[session_id]
            return None
        self._data.move_to_end(session_id)
        return item[1]

    def _set_raw(self, session_id: str, raw: str, ttl: float) -> None:
        self._data[session_id] = (self._clock() + ttl, raw)
        self._data.move_to_end(session_id)
        if len(self._data) > self.max_sessions:
            self._purge()
            while len(self._data) > self.max_sessions:
                self._data.popitem(last=False)

    def get(self, session_id: str) -> State | None:
        with self._mutex:
            raw = self._get_raw(session_id)
        return None if raw is None else _loads(raw, f"session {session_id!r}")

    def set(self, session_id: str, state: State, ttl: float) -> None:
        raw = _dumps(state)
        with self._mutex:
            self._set_raw(session_id, raw, ttl)

    def delete(self, session_id: str) -> bool:
        with self._mutex:
            item = self._data.pop(session_id, None)
            return item is not None and item[0] > self._clock()

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        with self._locks_mutex:
            lk = self._locks.get(session_id)
            if lk is None:
                lk = threading.Lock()
                self._locks[session_id] = lk
        with lk:  # the strong reference held here keeps the lock alive while in use
            yield

    def update(self, session_id: str, fn: Updater, ttl: float) -> State | None:
        with self._mutex:
            raw = self._get_raw(session_id)
            new = fn(None if raw is None else _loads(raw, f"session {session_id!r}"))
            if new is None:
                self._data.pop(session_id, None)
            else:
                self._set_raw(session_id, _dumps(new), ttl)
            return new


def _redact(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


class RedisStore:
    """Sessions in Redis, shared by every process that opens the same URL and prefix."""

    def __init__(self, url: str = "redis://localhost:6379/0", prefix: str = "nlukit:session:",
                 lock_timeout: float = 30.0, wait_timeout: float = 10.0, client: Any = None) -> None:
        self.url = url
        self.prefix = prefix
        self.lock_timeout = lock_timeout
        self.wait_timeout = wait_timeout
        if client is None:
            try:
                import redis
            except ImportError:
                raise SessionStoreError("the Redis store needs redis-py; run: pip install 'nlukit[server]' "
                                        "(or pip install redis), or use the memory store") from None
            try:
                client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
            except ValueError as exc:
                raise SessionStoreError(f"bad Redis URL {_redact(url)!r} ({exc}); "
                                        "write it like redis://localhost:6379/0") from None
        self._r = client
        self._call(self._r.ping)

    def _key(self, session_id: str) -> str:
        return self.prefix + session_id

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return fn(*args, **kwargs)
        except redis.exceptions.ConnectionError as exc:
            raise SessionStoreError(
                f"cannot reach Redis at {_redact(self.url)} ({exc}); start redis-server there, "
                "fix the URL given with --store, or use --store memory://") from None
        except redis.exceptions.RedisError as exc:
            raise SessionStoreError(f"Redis at {_redact(self.url)} failed: {exc}") from None

    def get(self, session_id: str) -> State | None:
        raw = self._call(self._r.get, self._key(session_id))
        return None if raw is None else _loads(raw, f"Redis key {self._key(session_id)!r}")

    def set(self, session_id: str, state: State, ttl: float) -> None:
        self._call(self._r.set, self._key(session_id), _dumps(state).encode("utf-8"),
                   px=max(1, int(ttl * 1000)))

    def delete(self, session_id: str) -> bool:
        return bool(self._call(self._r.delete, self._key(session_id)))

    def ttl(self, session_id: str) -> float | None:
        """Seconds the session has left, or None when it does not exist."""
        ms = self._call(self._r.pttl, self._key(session_id))
        return None if ms is None or ms < 0 else ms / 1000.0

    @contextmanager
    def lock(self, session_id: str) -> Iterator[None]:
        import redis

        lk = self._r.lock(self._key(session_id) + ":lock", timeout=self.lock_timeout,
                          blocking_timeout=self.wait_timeout, sleep=0.005)
        acquired = self._call(lk.acquire)
        if not acquired:
            raise SessionStoreError(f"session {session_id!r} is busy: another turn held its lock for "
                                    f"over {self.wait_timeout:g}s; retry the request")
        try:
            yield
        finally:
            try:
                lk.release()
            except redis.exceptions.LockError:
                pass  # it expired (a turn longer than lock_timeout); nothing left to release
            except redis.exceptions.ConnectionError as exc:
                raise SessionStoreError(f"cannot reach Redis at {_redact(self.url)} ({exc}); "
                                        "start redis-server there or fix --store") from None

    def update(self, session_id: str, fn: Updater, ttl: float) -> State | None:
        import redis

        key = self._key(session_id)
        deadline = time.monotonic() + self.wait_timeout

        def attempt() -> tuple[bool, State | None]:
            with self._r.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    new = fn(None if raw is None else _loads(raw, f"Redis key {key!r}"))
                    pipe.multi()
                    if new is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, _dumps(new).encode("utf-8"), px=max(1, int(ttl * 1000)))
                    pipe.execute()
                    return True, new
                except redis.exceptions.WatchError:
                    return False, None

        while True:
            done, new = self._call(attempt)
            if done:
                return new
            if time.monotonic() > deadline:
                raise SessionStoreError(f"session {session_id!r} changed too often to update it "
                                        f"within {self.wait_timeout:g}s; retry the request")
            time.sleep(0.001)


def open_store(url: str | None = None) -> MemoryStore | RedisStore:
    """A store from a URL: None or ``memory://`` (``?max_sessions=N``) → :class:`MemoryStore`;
    ``redis://`` / ``rediss://`` / ``unix://`` (``?prefix=...``) → :class:`RedisStore`."""
    if url is None or url == "" or url == "memory://":
        return MemoryStore()
    if not isinstance(url, str):
        raise SessionStoreError(f"store URL must be a string, got {type(url).__name__}")
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "memory":
        try:
            return MemoryStore(max_sessions=int(query.get("max_sessions", 10000)))
        except ValueError:
            raise SessionStoreError(f"bad max_sessions in {url!r}; use memory://?max_sessions=1000") from None
    if parts.scheme in ("redis", "rediss", "unix"):
        prefix = query.pop("prefix", "nlukit:session:")
        rest = "&".join(f"{k}={v}" for k, v in query.items())
        return RedisStore(urlunsplit(parts._replace(query=rest)), prefix=prefix)
    raise SessionStoreError(f"unknown session store {_redact(url)!r}; use memory:// or "
                            "redis://host:6379/0")
