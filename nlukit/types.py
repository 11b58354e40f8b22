"""Core value types shared by every step: tokens, dataset examples and parse results.

All are frozen dataclasses except :class:`Token`, an immutable named tuple; offsets are character offsets into the original text,
end exclusive.

>>> e = Entity(entity="location", value="서울", text="서울시", start=0, end=3, confidence=0.98)
>>> e.to_dict()["confidence_entity"]
0.98
>>> r = ParseResult(text="서울시 날씨", intent=IntentScore("weather", 0.9), entities=(e,),
...                 ranking=(IntentScore("weather", 0.9), IntentScore("alarm", 0.1)))
>>> r.to_dict()["intent"]
{'name': 'weather', 'confidence': 0.9}
"""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from itertools import repeat
from typing import Any, NamedTuple


def _setters(cls: type, *names: str) -> tuple[Any, ...]:
    """The ``__set__`` of each named slot of ``cls``: writes a frozen class's field at C speed
    (``object.__setattr__`` looks the attribute up first)."""
    return tuple(cls.__dict__[name].__set__ for name in names)


def _getstate(self: Any) -> dict[str, Any]:
    """Pickled state of a slotted result class: its fields by name, as when it kept an instance dict."""
    return {f.name: getattr(self, f.name) for f in fields(self)}


def _setstate(self: Any, state: Any) -> None:
    """Restore :func:`_getstate` (or the ``(dict, slots)`` pair of a pickle of another layout)."""
    if isinstance(state, tuple) and len(state) == 2:
        state = {**(state[0] or {}), **(state[1] or {})}
    for name, value in state.items():
        object.__setattr__(self, name, value)


class Token(NamedTuple):
    """A morpheme: its surface, part of speech and ``[start, end)`` in the text.

    Immutable like the dataclasses here, but a named tuple: a sentence has a dozen
    tokens and building them is on every parse's path (a tuple is built 3-4 times
    faster than a frozen dataclass).
    """

    surface: str
    pos: str
    start: int
    end: int


@dataclass(frozen=True)
class Span:
    """A labelled entity span inside a dataset example."""

    start: int
    end: int
    entity: str
    value: str
    role: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "entity": self.entity,
                "role": self.role, "value": self.value}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Span:
        return cls(start=int(d["start"]), end=int(d["end"]), entity=str(d["entity"]),
                   value=str(d.get("value", "")), role=d.get("role"))


@dataclass(frozen=True)
class Example:
    """One labelled sentence: the lossless JSONL record of a dataset."""

    text: str
    intent: str
    entities: tuple[Span, ...] = ()
    template: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "intent": self.intent,
                "entities": [s.to_json() for s in self.entities], "template": self.template}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Example:
        return cls(text=str(d["text"]), intent=str(d["intent"]),
                   entities=tuple(Span.from_json(s) for s in d.get("entities", [])),
                   template=d.get("template"))


@dataclass(frozen=True, init=False, slots=True, weakref_slot=True)
class IntentScore:
    """An intent name with its calibrated confidence in ``[0, 1]``."""

    name: str
    confidence: float

    def __init__(self, name: str, confidence: float) -> None:
        # every parse builds one per intent: fields in slots (no instance dict to build, walk
        # and free), written through their slots' own setters, as a frozen class allows
        _set_name(self, name)
        _set_confidence(self, confidence)

    __getstate__ = _getstate
    __setstate__ = _setstate

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": self.confidence}


_set_name, _set_confidence = _setters(IntentScore, "name", "confidence")


def _build_intent_scores(names: list[str], confidences: list[float]) -> list[IntentScore]:
    """``[IntentScore(n, c) for n, c in zip(names, confidences)]`` with no Python call per score: the
    objects made, then each slot written, in C loops (what ``__init__`` writes; a batch parse builds
    one score per intent per text)."""
    if len(names) != len(confidences):
        raise ValueError(f"{len(names)} names for {len(confidences)} confidences")
    scores = list(map(object.__new__, repeat(IntentScore, len(names))))
    deque(map(_set_name, scores, names), maxlen=0)
    deque(map(_set_confidence, scores, confidences), maxlen=0)
    return scores


@dataclass(frozen=True, init=False)
class Entity:
    """An entity found in a parsed text.

    ``value`` is the canonical dictionary value (``서울시`` → ``서울``); ``text`` is the
    surface exactly as typed, ``text == original[start:end]``. ``resolved`` is what a
    time or a date means (``{"kind": "time", "hour": 15, "minute": 30, "value": "15:30"}``,
    see :mod:`nlukit.temporal`), None for other entities and for what cannot be read.
    """

    entity: str
    value: str
    text: str
    start: int
    end: int
    confidence: float
    role: str | None = None
    resolved: Mapping[str, Any] | None = field(default=None, hash=False)

    def __init__(self, entity: str, value: str, text: str, start: int, end: int,
                 confidence: float, role: str | None = None,
                 resolved: Mapping[str, Any] | None = None) -> None:
        # the instance dict written directly (eight slot setters, as IntentScore has, cost more)
        d = self.__dict__
        d["entity"] = entity
        d["value"] = value
        d["text"] = text
        d["start"] = start
        d["end"] = end
        d["confidence"] = confidence
        d["role"] = role
        d["resolved"] = resolved

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "start": self.start, "end": self.end,
                "value": self.value, "confidence_entity": self.confidence,
                "role": self.role, "text": self.text, "extractor": "nlukit",
                "resolved": None if self.resolved is None else
                {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in self.resolved.items()}}


@dataclass(frozen=True, init=False)
class ParseResult:
    """What :meth:`NLU.parse` returns. ``intent`` is None only for an empty text."""

    text: str
    intent: IntentScore | None
    entities: tuple[Entity, ...] = ()
    ranking: tuple[IntentScore, ...] = field(default_factory=tuple)

    def __init__(self, text: str, intent: IntentScore | None, entities: tuple[Entity, ...] = (),
                 ranking: tuple[IntentScore, ...] = ()) -> None:
        d = self.__dict__
        d["text"] = text
        d["intent"] = intent
        d["entities"] = entities
        d["ranking"] = ranking

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``POST /parse``: Rasa's ``/model/parse`` names plus nlukit's own."""
        return {"text": self.text,
                "intent": self.intent.to_dict() if self.intent else None,
                "entities": [e.to_dict() for e in self.entities],
                "intent_ranking": [s.to_dict() for s in self.ranking]}
