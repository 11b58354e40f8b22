"""What to act on in turn logs (``nlukit review``): texts the bot missed, unsure turns, questions left.

>>> r = review_records([
...     {"ts": "2026-11-22T10:00:00.000Z", "session": "a", "text": "강릉 가는 버스?", "state": "fallback",
...      "fallback": True, "intent": "fallback", "confidence": 0.6},
...     {"ts": "2026-11-22T10:00:05.000Z", "session": "b", "text": "강릉 가는 버스 ", "state": "fallback",
...      "fallback": True, "intent": "fallback", "confidence": 0.7}])
>>> [(g.text, g.count, g.sessions) for g in r.fell_back]
[('강릉 가는 버스?', 2, 2)]

- **fell back**: turns the bot did not understand (``"fallback": true`` in the log), grouped by
  the text with case, spaces and punctuation aside, most frequent first, with the number of
  sessions that typed it, the model's best real guess, and the question it answered when it
  came while the bot was asking for a slot (then the dictionary may miss a value);
- **low confidence**: turns the bot acted on with an intent below ``below`` (answers to the
  question asked are left out: their intent does not decide anything);
- **abandoned**: per scenario and asked slot (or its confirmation question), how often the
  question was asked and how often the user left it: no reply in the log (or only after the
  session expired), a new request, a cancel, or the bot gave up (``max_turns``);
- **totals**: turns, sessions, fallback rate, the time span.

:func:`recheck` parses the texts that fell back with another model; :func:`draft_patterns`
writes them as a pattern file that is refused until someone names each intent.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .turnlog import BadLine, read_turns

__all__ = ["Abandoned", "Review", "TextGroup", "draft_patterns", "group_key", "recheck", "review",
           "review_records", "DRAFT_INTENT", "DEFAULT_BELOW"]

#: the default of ``--below``: intents acted on below this are listed as unsure
DEFAULT_BELOW = 0.7
#: the intent header of a draft pattern file; not a valid intent name, so the file is
#: refused (``bad intent name '???'``, with file and line) until each is replaced
DRAFT_INTENT = "???"
_NON_WORD = re.compile(r"[\W_]+")
_SPECIAL = re.compile(r"([{}()\[\]|@#\\])")
_NAME = re.compile(r"[^\W\d][\w-]*")   # an entity type or role, as the pattern grammar reads it
REASONS = ("no_reply", "new_request", "cancelled", "gave_up")


def group_key(text: str) -> str:
    """How texts are grouped: NFKC, lower case, letters and digits only (the model memory's rule).

    >>> group_key("강릉 가는 버스 있어?"), group_key("강릉가는버스 있어"), group_key("^^;")
    ('강릉가는버스있어', '강릉가는버스있어', '^^;')
    """
    t = unicodedata.normalize("NFKC", text).lower()
    return _NON_WORD.sub("", t) or " ".join(t.split())


@dataclass
class TextGroup:
    """Turns whose texts are the same but for case, spaces and punctuation."""

    key: str
    text: str                      # the most frequent spelling
    count: int
    sessions: int
    guess: str | None = None       # the model's most frequent best real intent for these turns
    guess_confidence: float | None = None
    asked: str | None = None       # "scenario · slot" when most of them answered that question
    truncated: bool = False
    example: dict[str, Any] | None = None   # one record of the most frequent spelling
    now: dict[str, Any] | None = None       # recheck(): the other model's reading

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "count": self.count, "sessions": self.sessions, "guess": self.guess,
                "guess_confidence": self.guess_confidence, "asked": self.asked,
                "truncated": self.truncated, "now": self.now}


@dataclass
class Abandoned:
    """A question of a scenario (a slot's prompt, or ``confirm``) and how often users left it."""

    scenario: str
    slot: str | None               # None: the confirmation question
    asked: int = 0
    left: Counter[str] = field(default_factory=Counter)

    @property
    def name(self) -> str:
        return f"{self.scenario} · {self.slot if self.slot is not None else '(confirm)'}"

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "slot": self.slot, "asked": self.asked,
                "left": sum(self.left.values()), **{r: self.left.get(r, 0) for r in REASONS}}


@dataclass
class Review:
    """Everything ``nlukit review`` prints; :meth:`to_dict` is its ``--json``."""

    files: list[str]
    turns: int = 0
    sessions: int = 0
    fallbacks: int = 0
    first: str | None = None
    last: str | None = None
    below: float = DEFAULT_BELOW
    fell_back: list[TextGroup] = field(default_factory=list)
    low_confidence: list[TextGroup] = field(default_factory=list)
    abandoned: list[Abandoned] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    rechecked_with: str | None = None

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.turns if self.turns else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"files": list(self.files), "turns": self.turns, "sessions": self.sessions,
                "fallbacks": self.fallbacks, "fallback_rate": round(self.fallback_rate, 4),
                "first": self.first, "last": self.last, "below": self.below,
                "fell_back": [g.to_dict() for g in self.fell_back],
                "low_confidence": [g.to_dict() for g in self.low_confidence],
                "abandoned": [a.to_dict() for a in self.abandoned],
                "bad_lines": [{"file": b.path, "line": b.line, "reason": b.reason} for b in self.bad_lines],
                "rechecked_with": self.rechecked_with}


def review(paths: Sequence[str | os.PathLike[str]], *, below: float = DEFAULT_BELOW) -> Review:
    """Read turn logs (:func:`~nlukit.bot.turnlog.read_turns`) and summarise them."""
    bad: list[BadLine] = []
    records = list(read_turns(paths, bad))
    out = review_records(records, below=below)
    out.files = [os.fspath(p) for p in paths]
    out.bad_lines = bad
    return out


def _best_guess(rec: Mapping[str, Any]) -> tuple[str, float] | None:
    for item in rec.get("ranking") or ():
        if (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
                and item[0] != "fallback" and isinstance(item[1], (int, float))):
            return item[0], float(item[1])
    intent, conf = rec.get("intent"), rec.get("confidence")
    if isinstance(intent, str) and intent != "fallback" and isinstance(conf, (int, float)):
        return intent, float(conf)
    return None


def _asked(rec: Mapping[str, Any]) -> str | None:
    before = rec.get("before")
    if not isinstance(before, dict) or not before.get("scenario"):
        return None
    slot = before.get("slot")
    return f"{before['scenario']} · {slot if slot else '(confirm)'}"


def _groups(records: Iterable[dict[str, Any]]) -> list[TextGroup]:
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_key[group_key(r["text"])].append(r)
    groups = []
    for key, recs in by_key.items():
        spellings = Counter(" ".join(r["text"].split()) for r in recs)
        text = spellings.most_common(1)[0][0]
        example = next(r for r in recs if " ".join(r["text"].split()) == text)
        guesses = [g for g in map(_best_guess, recs) if g is not None]
        guess = Counter(g[0] for g in guesses).most_common(1)[0][0] if guesses else None
        confs = [c for g, c in guesses if g == guess]
        asked = Counter(_asked(r) for r in recs).most_common(1)[0]
        groups.append(TextGroup(
            key, text, len(recs), len({r["session"] for r in recs}), guess,
            round(sum(confs) / len(confs), 4) if confs else None,
            asked[0] if asked[0] is not None and asked[1] * 2 > len(recs) else None,
            any(r.get("truncated") for r in recs), example))
    groups.sort(key=lambda g: (-g.count, -g.sessions, g.text))
    return groups


def _is_answer(rec: Mapping[str, Any]) -> bool:
    before = rec.get("before")
    return (isinstance(before, dict) and before.get("scenario") is not None
            and rec.get("scenario") == before.get("scenario")
            and rec.get("state") in ("ask_slot", "confirm", "complete"))


def review_records(records: Sequence[dict[str, Any]], *, below: float = DEFAULT_BELOW) -> Review:
    """The review of turn records already read (in any order: they are sorted by time, stably)."""
    recs = sorted(records, key=lambda r: r["ts"])
    out = Review(files=[], below=below, turns=len(recs))
    out.sessions = len({r["session"] for r in recs})
    out.first, out.last = (recs[0]["ts"], recs[-1]["ts"]) if recs else (None, None)
    fell = [r for r in recs if r.get("fallback")]
    out.fallbacks = len(fell)
    out.fell_back = _groups(fell)
    out.low_confidence = _groups(
        r for r in recs if not r.get("fallback") and isinstance(r.get("confidence"), (int, float))
        and r.get("intent") not in (None, "fallback") and r["confidence"] < below and not _is_answer(r))
    out.abandoned = _abandoned(recs)
    return out


def _abandoned(recs: Sequence[dict[str, Any]]) -> list[Abandoned]:
    table: dict[tuple[str, str | None], Abandoned] = {}
    pending: dict[str, tuple[str, str | None]] = {}   # session -> the question left open

    def question(key: tuple[str, str | None]) -> Abandoned:
        if key not in table:
            table[key] = Abandoned(*key)
        return table[key]

    for r in recs:
        sid, state, scenario = r["session"], r["state"], r.get("scenario")
        open_q = pending.pop(sid, None)
        if open_q is not None:
            reason = None
            before = r.get("before")
            if not isinstance(before, dict) or not before.get("scenario"):
                reason = "no_reply"      # the session expired before the user came back
            elif before.get("scenario") != open_q[0]:
                reason = None            # turns missing from the log: nothing to say
            elif state == "cancelled":
                reason = "cancelled"
            elif scenario is not None and scenario != open_q[0]:
                reason = "new_request"
            elif state == "fallback":
                reason = "gave_up"       # max_turns
            if reason is not None:
                question(open_q).left[reason] += 1
        if state in ("ask_slot", "confirm") and scenario:
            key = (scenario, r.get("slot") if state == "ask_slot" else None)
            if key != open_q:
                question(key).asked += 1
            pending[sid] = key
    for open_q in pending.values():
        question(open_q).left["no_reply"] += 1
    return sorted(table.values(), key=lambda a: (-sum(a.left.values()), -a.asked, a.name))


def recheck(rv: Review, parser: Any, *, threshold: float = 0.5, name: str | None = None) -> int:
    """Parse each text that fell back with ``parser`` (another model); fills ``TextGroup.now``.

    Understood means an intent other than the fallback at ``threshold`` or above (the bot's
    default ``confidence_threshold``). Returns the number of texts now understood.
    """
    from ..errors import NlukitError

    fallback = getattr(parser, "fallback_intent", "fallback")
    n = 0
    for g in rv.fell_back:
        if g.truncated:
            g.now = {"error": "the logged text was cut at 1000 characters"}
            continue
        try:
            p = parser.parse(g.text)
        except NlukitError as exc:
            g.now = {"error": str(exc)}
            continue
        it = p.intent
        ok = it is not None and it.name != fallback and it.confidence >= threshold
        g.now = {"intent": it.name if it is not None else None,
                 "confidence": round(float(it.confidence), 4) if it is not None else None,
                 "understood": ok,
                 "entities": [{"entity": e.entity, "role": e.role, "value": e.value, "text": e.text,
                               "start": e.start, "end": e.end} for e in p.entities]}
        n += ok
    rv.rechecked_with = name or getattr(parser, "path", None) or type(parser).__name__
    return n


def _escape(text: str) -> str:
    """Pattern text that means ``text`` literally: specials escaped, whitespace and control
    characters one space."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))


def _annotated(text: str, entities: Iterable[Mapping[str, Any]]) -> str:
    """``text`` as a pattern line, its entities marked ``[서울](location:origin)``.

    >>> print(_annotated("서울에서  강릉(동해) 가는 기차", [{"entity": "location", "role": "origin",
    ...     "text": "서울", "start": 0, "end": 2}]))
    [서울](location:origin)에서 강릉\\(동해\\) 가는 기차
    """
    out, at = [], 0
    for e in sorted(entities, key=lambda e: (e.get("start", 0), -e.get("end", 0))):
        s, t, kind, role = e.get("start"), e.get("end"), e.get("entity"), e.get("role")
        if (not isinstance(s, int) or not isinstance(t, int) or s < at or t <= s or t > len(text)
                or text[s:t] != e.get("text") or not text[s:t].strip()
                or not (isinstance(kind, str) and _NAME.fullmatch(kind))
                or not (role is None or isinstance(role, str) and _NAME.fullmatch(role))):
            continue
        out.append(_escape(text[at:s]))
        out.append(f"[{_escape(text[s:t])}]({kind}{':' + role if role else ''})")
        at = t
    out.append(_escape(text[at:]))
    return "".join(out).strip()


def draft_patterns(rv: Review, *, today: str = "") -> str:
    """The texts that fell back as a draft pattern file, under ``# 검토 필요`` headers.

    Each section's header is ``@???``: not an intent name, so ``nlukit generate`` refuses the
    file (``bad intent name '???'``, with its line) until each is replaced by an intent
    (``@weather``) and lines that are no request are deleted. Sections follow the model's best
    guess; entities the model found are marked (``[강릉](location)``), special characters escaped.
    """
    sources = ", ".join(rv.files) or "turn log"
    lines = [f"# 검토 필요 — nlukit review 초안{' ' + today if today else ''} ({sources})",
             f"# 봇이 이해하지 못한 문장 {len(rv.fell_back)}개 (모두 {rv.fallbacks}번), 많이 나온 순서입니다.",
             f"# 각 @{DRAFT_INTENT} 를 알맞은 의도(@weather 등)로 바꾸고, 요청이 아닌 줄은 지우세요.",
             f"# @{DRAFT_INTENT} 가 하나라도 남아 있으면 nlukit generate 가 이 파일을 거부합니다.",
             "# [값](유형) 표시는 로그에 기록된 모델의 개체명입니다. 맞는지 확인하세요.",
             "# 슬롯 질문에 대한 답으로 온 문장은 사전에 그 값이 없어서일 수 있습니다 (dicts/*.csv)."]
    by_guess: dict[str | None, list[TextGroup]] = defaultdict(list)
    skipped = 0
    for g in rv.fell_back:
        if g.truncated or not g.text.strip():
            skipped += 1
            continue
        by_guess[g.guess].append(g)
    if skipped:
        lines.append(f"# 1000자에서 잘린 문장 {skipped}개는 넣지 않았습니다.")
    for guess, groups in sorted(by_guess.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        lines += ["", f"# 검토 필요: 모델의 추측 {guess}" if guess else "# 검토 필요: 모델의 추측 없음",
                  f"@{DRAFT_INTENT}"]
        for g in groups:
            ex = g.example or {}
            line = _annotated(str(ex.get("text", g.text)), ex.get("entities") or ())
            note = [f"{g.count}번", f"세션 {g.sessions}개"]
            if g.asked:
                note.append(f"{g.asked} 질문의 답")
            if g.now and g.now.get("understood"):
                note.append(f"새 모델: {g.now['intent']} {g.now['confidence']:.2f}")
            lines.append(f"{line}    # {', '.join(note)}")
    return "\n".join(lines) + "\n"
