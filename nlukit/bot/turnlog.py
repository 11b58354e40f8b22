"""The turn log: one JSON line per handled turn, for learning what users typed that the bot missed.

Opt in with ``Bot(..., log="logs/turns.jsonl")`` (or a :class:`TurnLog`); read the lines
back with :func:`read_turns` and summarise them with ``nlukit review`` (:mod:`nlukit.bot.review`).

A line (keys always present; ``session_id`` only with ``raw_session_ids=True``)::

    {"v": 1, "ts": "2026-11-22T15:19:20.123Z", "session": "9f86d081884c7d65",
     "text": "강릉 가는 버스 있어?", "truncated": false,
     "intent": "fallback", "confidence": 0.62, "ranking": [["train_ticket", 0.38], ...],
     "fallback": true, "entities": [{"entity": "location", "role": null, "value": "강릉",
     "text": "강릉", "start": 0, "end": 2}], "state": "fallback", "scenario": null, "slot": null,
     "before": null, "model": {"name": "demo", "version": "20261122-151920"}}

- ``session`` is the first 16 hex digits of sha256(salt + session id): logs leave the
  server, and a chat id may be a phone number or an account name. An unsalted hash of a
  guessable id can be reversed by trying ids, so pass a secret ``salt`` where that matters.
- ``fallback`` is true when the bot did not understand the text: a fallback reply, alone or
  before the question asked again. ``state`` is the turn's state (:data:`~nlukit.bot.STATES`);
  ``scenario`` and ``slot`` say what the turn left under way (``slot``: the slot just asked);
  ``before`` what was under way when the text came (``{"scenario", "slot", "confirming"}``, or null).
- ``text`` is capped at :data:`MAX_TEXT` characters (``truncated``); entity spans are
  offsets into the text as typed. Numbers of 9 digits or more (account, card, phone numbers)
  are written with ``*`` for each digit (:class:`TurnLog` ``mask_numbers``).

Several processes (gunicorn workers) may append to one file: the file is opened with
``O_APPEND`` and each line goes out in one ``os.write`` of its bytes, which the kernel
appends whole on a local filesystem (not on NFS). The file is reopened when it is moved
away (log rotation). A log that cannot be written never breaks a conversation: the bot
logs one warning and goes on (see :meth:`TurnLog.write`).
"""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import InputError

__all__ = ["FORMAT_VERSION", "MASK_DIGITS", "MAX_TEXT", "BadLine", "TurnLog", "TurnWriter", "hash_session",
           "mask_numbers", "open_turn_log", "read_turns", "turn_record"]

log = logging.getLogger("nlukit.bot")

FORMAT_VERSION = 1
#: texts longer than this are cut (``"truncated": true``)
MAX_TEXT = 1000
#: intents of the ranking kept in a line: the model's guesses for a text it fell back on
RANKING = 3
HASH_DIGITS = 16


class TurnWriter(Protocol):
    """What the bot writes turns to: :class:`TurnLog`, or your own (a queue, a database)."""

    def write(self, record: Mapping[str, Any]) -> None: ...


def hash_session(session_id: str, salt: str = "") -> str:
    """The logged form of a session id: sha256 of ``salt + session_id``, 16 hex digits.

    >>> hash_session("user-1")
    'c6c289e49e9c05b2'
    """
    return hashlib.sha256((salt + session_id).encode("utf-8")).hexdigest()[:HASH_DIGITS]


def _utc(ts: float) -> str:
    t = datetime.datetime.fromtimestamp(ts, tz=datetime.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def turn_record(*, ts: float, session: str, text: str, parse: Any, fallback: bool, state: str,
                scenario: str | None, slot: str | None, before: Mapping[str, Any] | None,
                model: Mapping[str, Any] | None, session_id: str | None = None) -> dict[str, Any]:
    """One log line as a dict (``parse`` a :class:`~nlukit.types.ParseResult` or None)."""
    intent = getattr(parse, "intent", None)
    ranking = getattr(parse, "ranking", None) or ()
    rec: dict[str, Any] = {"v": FORMAT_VERSION, "ts": _utc(ts), "session": session}
    if session_id is not None:
        rec["session_id"] = session_id
    rec.update({
        "text": text[:MAX_TEXT], "truncated": len(text) > MAX_TEXT,
        "intent": intent.name if intent is not None else None,
        "confidence": round(float(intent.confidence), 4) if intent is not None else None,
        "ranking": [[s.name, round(float(s.confidence), 4)] for s in ranking[:RANKING]],
        "fallback": bool(fallback),
        "entities": [{"entity": e.entity, "role": e.role, "value": e.value, "text": e.text[:MAX_TEXT],
                      "start": e.start, "end": e.end} for e in getattr(parse, "entities", None) or ()],
        "state": state, "scenario": scenario, "slot": slot,
        "before": dict(before) if before else None,
        "model": dict(model) if model else None,
    })
    return rec


#: a number of this many digits or more is masked in the log: phone (11), account (10-14), card (16)
#: and resident registration (13) numbers; amounts written with commas (1,000,000원) are not one number
MASK_DIGITS = 9
_NUMBER = re.compile(r"(?<![\d,.])\d(?:[- ]?\d)*(?![\d,])")


def mask_numbers(text: str) -> str:
    """``text`` with each digit of a number of :data:`MASK_DIGITS` digits or more (hyphens or
    single spaces between its groups allowed) written as ``*``; the length is kept, so offsets hold.

    >>> mask_numbers("110-123-456789로 5만원 보내줘"), mask_numbers("010 1234 5678"), mask_numbers("1,000,000원")
    ('***-***-******로 5만원 보내줘', '*** **** ****', '1,000,000원')
    """
    def star(m: re.Match[str]) -> str:
        got = m.group(0)
        return re.sub(r"\d", "*", got) if sum(c.isdigit() for c in got) >= MASK_DIGITS else got
    return _NUMBER.sub(star, text) if text else text


def masked(record: Mapping[str, Any]) -> dict[str, Any]:
    """A turn record with the numbers of its texts (the text, each entity's text and value) masked."""
    rec = dict(record)
    if isinstance(rec.get("text"), str):
        rec["text"] = mask_numbers(rec["text"])
    if isinstance(rec.get("entities"), list):
        rec["entities"] = [{**e, **{k: mask_numbers(e[k]) for k in ("text", "value") if isinstance(e.get(k), str)}}
                           if isinstance(e, dict) else e for e in rec["entities"]]
    return rec


class TurnLog:
    """Appends turn records to a JSONL file, one ``os.write`` per line, safe across processes.

    ``raw_session_ids`` keeps the session id as given (``session_id``) beside its hash;
    ``salt`` is prepended before hashing. ``mask_numbers`` (on by default) writes every digit of
    a number of :data:`MASK_DIGITS` digits or more in the texts as ``*`` (:func:`mask_numbers`):
    account, card and phone numbers typed to a bank bot stay out of the log. The file and its
    folder are created when missing.
    """

    def __init__(self, path: str | os.PathLike[str], *, raw_session_ids: bool = False,
                 salt: str = "", mask_numbers: bool = True) -> None:
        self.path = os.fspath(path)
        self.mask_numbers = bool(mask_numbers)
        if not self.path:
            raise InputError("the turn log path is empty; pass a file such as logs/turns.jsonl")
        self.raw_session_ids = bool(raw_session_ids)
        self.salt = salt
        self._fd: int | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TurnLog({self.path!r}, raw_session_ids={self.raw_session_ids})"

    def write(self, record: Mapping[str, Any]) -> None:
        """Append one record as one line; raises OSError when the file cannot be written."""
        if self.mask_numbers:
            record = masked(record)
        data = (json.dumps(record, ensure_ascii=False, separators=(", ", ": "), default=str)
                + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            n = os.write(fd, data)
            while n < len(data):   # only a full disk or a signal makes a regular file's write short
                n += os.write(fd, data[n:])

    def _open(self) -> int:
        """The open descriptor, reopened after a fork or when the file was moved or deleted."""
        fd = self._fd
        if fd is not None and self._pid == os.getpid():
            try:
                now, mine = os.stat(self.path), os.fstat(fd)
                if (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
                    return fd
            except FileNotFoundError:
                pass
        self.close()
        folder = os.path.dirname(self.path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                           0o640)
        self._pid = os.getpid()
        return self._fd

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None and self._pid == os.getpid():
            try:
                os.close(fd)
            except OSError:
                pass

    def __del__(self) -> None:  # pragma: no cover - best effort
        self.close()


def open_turn_log(log: str | os.PathLike[str] | TurnWriter | None) -> TurnWriter | None:
    """``Bot(log=...)``: a path becomes a :class:`TurnLog`; a writer is used as it is."""
    if log is None:
        return None
    if isinstance(log, (str, os.PathLike)):
        return TurnLog(log)
    if isinstance(log, io.IOBase) or not callable(getattr(log, "write", None)):
        raise InputError(f"log must be a file path or a TurnLog, got {type(log).__name__}; "
                         "pass e.g. log='logs/turns.jsonl'")
    return log


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class BadLine:
    """A line of a log that is not a turn record: where, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


_REQUIRED = {"ts": str, "session": str, "text": str, "state": str}


def _check(rec: Any) -> str | None:
    if not isinstance(rec, dict):
        return f"a JSON {type(rec).__name__}, not an object"
    for key, typ in _REQUIRED.items():
        if not isinstance(rec.get(key), typ):
            return f"no {key!r} string: not a turn record"
    if "fallback" in rec and not isinstance(rec["fallback"], bool):
        return "'fallback' is not true or false"
    conf = rec.get("confidence")
    if conf is not None and not isinstance(conf, (int, float)):
        return "'confidence' is not a number"
    return None


def read_turns(paths: Sequence[str | os.PathLike[str]], bad: list[BadLine] | None = None
               ) -> Iterator[dict[str, Any]]:
    """The turn records of JSONL logs, in file order; lines that are not records go to ``bad``.

    Raises :class:`InputError` for a missing file, and for a file in which not one line is a
    record (not a turn log at all: a model folder, a CSV ...). Each record gets ``_where``
    (``file:line``).
    """
    for p in paths:
        path = os.fspath(p)
        if os.path.isdir(path):
            raise InputError(f"{path} is a folder; pass the turn log files in it "
                             f"(e.g. {os.path.join(path, '*.jsonl')})")
        if not os.path.exists(path):
            raise InputError(f"turn log {path} does not exist; pass the file given to "
                             "Bot(log=...) or nlukit chat --log")
        here: list[BadLine] = []
        good = 0
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw.rstrip(b"\r\n").decode("utf-8-sig" if n == 1 else "utf-8"))
                except UnicodeDecodeError as exc:
                    here.append(BadLine(path, n, f"not UTF-8 (byte {exc.start})"))
                    continue
                except ValueError as exc:
                    reason = "cut short (no newline at the end)" if not raw.endswith(b"\n") else "not JSON"
                    here.append(BadLine(path, n, f"{reason}: {exc}"))
                    continue
                why = _check(rec)
                if why is not None:
                    here.append(BadLine(path, n, why))
                    continue
                good += 1
                rec["_where"] = f"{path}:{n}"
                yield rec
        if here and not good:
            raise InputError(f"{path} is not a turn log: none of its {len(here)} lines is a turn "
                             f"record ({here[0]}); pass the JSONL file written by Bot(log=...) "
                             "or nlukit chat --log")
        if bad is not None:
            bad.extend(here)
