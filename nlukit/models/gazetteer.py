"""Dictionary matching for the entity tagger: longest matches of dictionary surfaces.

A :class:`Gazetteer` holds every value and synonym of each entity type and finds, left
to right, the longest surface that starts on a token start; Latin letters match in any
case (``bts`` finds ``BTS``). Its matches give the
tagger two things: cut points (so ``서울에서`` splits into ``서울`` + ``에서`` even when
MeCab keeps them together) and per-token B/I-of-type features.

>>> g = Gazetteer({"location": {"서울": ["서울시"], "부산": []}, "date": {"내일": ["낼"]}})
>>> g.find("서울시에서 낼", token_starts=[0, 3, 6])
[(0, 3, ('location',)), (6, 7, ('date',))]
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import InputError
from ..text import fold_ascii_case
from ..types import Token

Match = tuple[int, int, tuple[str, ...]]


class Gazetteer:
    """Surfaces (values and synonyms) of each entity type, matched longest-first."""

    def __init__(self, dictionary: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
                 min_length: int = 1) -> None:
        if dictionary is None:
            dictionary = {}
        if not isinstance(dictionary, Mapping):
            raise InputError(f"a dictionary must be a mapping {{entity: {{value: [synonyms]}}}}, "
                             f"got {type(dictionary).__name__}")
        self.min_length = int(min_length)
        self.entity_types: list[str] = sorted(dictionary)
        self._types: dict[str, set[str]] = {}
        for entity in self.entity_types:
            values = dictionary[entity]
            if not isinstance(values, Mapping):
                raise InputError(f"dictionary entry {entity!r} must map values to synonym lists, "
                                 f"got {type(values).__name__}")
            for value, synonyms in values.items():
                for surface in [value, *(synonyms or [])]:
                    # texts reach the tagger NFC-normalised (nlukit.text.normalize); Latin
                    # letters match in any case (bts, Bts, BTS), one character for one
                    surface = fold_ascii_case(unicodedata.normalize("NFC", str(surface)).strip())
                    if len(surface) >= self.min_length:
                        self._types.setdefault(surface, set()).add(entity)
        self._tuples = {s: tuple(sorted(t)) for s, t in self._types.items()}
        # what find() scans: surfaces of two or more characters by their first two,
        # longest first, and the one-character surfaces
        self._by_two: dict[str, list[str]] = {}
        for surface in self._types:
            if len(surface) >= 2:
                self._by_two.setdefault(surface[:2], []).append(surface)
        for lst in self._by_two.values():
            lst.sort(key=len, reverse=True)
        self._single = frozenset(s for s in self._types if len(s) == 1)
        self._first = frozenset(s[0] for s in self._types)   # where a match can start

    def __len__(self) -> int:
        return len(self._types)

    def holds(self, ch: str) -> bool:
        """True when a surface holds the character ``ch`` (computed once per character)."""
        cache = self.__dict__.setdefault("_holds", {})
        got = cache.get(ch)
        if got is None:
            got = cache[ch] = any(ch in s for s in self._types)
        return got

    def begins(self, prefix: str) -> bool:
        """True when a surface starts with ``prefix`` (in lower-case Latin letters, as
        :func:`fold_ascii_case` gives it): a match from where ``prefix`` starts can reach
        past it only then (the set of every surface's prefixes is built once).

        >>> g = Gazetteer({"facility": {"헬스장": ["GX룸"]}})
        >>> g.begins("헬스"), g.begins("헬스장"), g.begins("헬스에"), g.begins("gx")
        (True, True, False, True)
        """
        prefixes = self.__dict__.get("_prefixes")
        if prefixes is None:
            prefixes = self.__dict__["_prefixes"] = frozenset(
                s[:k] for s in self._types for k in range(1, len(s) + 1))
        return prefix in prefixes

    def find(self, text: str, token_starts: Iterable[int] | None = None,
             exclude: frozenset[str] | set[str] = frozenset()) -> list[Match]:
        """Longest, non-overlapping matches ``(start, end, types)`` scanning left to right.

        A match must start at one of ``token_starts`` (anywhere when None), so a value
        is not found inside an unrelated word's middle; it may end inside a token
        (``서울에서`` as one token), and the tagger splits tokens at match boundaries.
        Surfaces in ``exclude`` are skipped (leave-one-out features at training time).
        """
        if not self._types or not text:
            return []
        text = fold_ascii_case(text)
        if exclude:  # training only: the surfaces hidden from this sentence
            exclude = {fold_ascii_case(x) for x in exclude}
        positions = range(len(text)) if token_starts is None else sorted(set(token_starts))
        return self._scan(text, positions, exclude)

    def _scan(self, text: str, positions: Iterable[int], exclude: frozenset[str] | set[str] = frozenset()
             ) -> list[Match]:
        """:meth:`find` on a text already in lower-case Latin letters (:func:`fold_ascii_case`),
        from ``positions`` given in increasing order without repeats (a tokenizer's token
        starts are), and ``exclude`` folded too: what a caller that folded the text
        already skips doing twice."""
        by_two, single, types, first = self._by_two, self._single, self._tuples, self._first
        n = len(text)
        out: list[Match] = []
        reached = 0
        if not exclude:
            # each group's surfaces as one alternation, longest first: the first that matches is
            # the one the loop below would take, tried in C
            alternatives = self.__dict__.get("_alternatives")
            if alternatives is None:
                alternatives = self.__dict__["_alternatives"] = {
                    two: re.compile("|".join(map(re.escape, surfaces))) for two, surfaces in by_two.items()}
            get = alternatives.get
            for i in positions:
                if i < reached or i >= n or text[i] not in first:
                    continue
                pattern = get(text[i:i + 2])
                m = pattern.match(text, i) if pattern is not None else None
                if m is not None:
                    reached = m.end()
                    out.append((i, reached, types[m.group()]))
                else:
                    ch = text[i]
                    if ch in single:
                        reached = i + 1
                        out.append((i, reached, types[ch]))
            return out
        startswith = text.startswith
        for i in positions:
            if i < reached or i >= n or text[i] not in first:
                continue
            # the longest surface first: those of 2+ characters sharing the next two,
            # then the one-character surface
            for surface in by_two.get(text[i:i + 2], ()):
                if startswith(surface, i) and surface not in exclude:
                    reached = i + len(surface)
                    out.append((i, reached, types[surface]))
                    break
            else:
                ch = text[i]
                if ch in single and ch not in exclude:
                    reached = i + 1
                    out.append((i, reached, types[ch]))
        return out

    def _scan_codes(self, text: str, codes: np.ndarray, positions: np.ndarray) -> list[Match]:
        """:meth:`_scan` from ``positions`` (increasing, an array), ``codes`` the code points of
        ``text``: the positions where no surface can start (no surface of two or more characters
        begins with the two characters there, and the one there is no surface) are left out with
        arrays first, as the loop would pass them by without a match."""
        keys = self.__dict__.get("_two_keys")
        if keys is None:
            keys = self.__dict__["_two_keys"] = (
                np.array(sorted((ord(k[0]) << 21) | ord(k[1]) for k in self._by_two), dtype=np.int64),
                np.array(sorted(ord(c) for c in self._single), dtype=np.int64))
        two, single = keys
        if not len(positions):
            return []
        nxt = np.zeros(len(positions), dtype=np.int64)
        inside = positions + 1 < len(codes)
        nxt[inside] = codes[positions[inside] + 1]
        here = codes[positions].astype(np.int64)
        key = (here << 21) | nxt
        at = np.minimum(np.searchsorted(two, key), max(len(two) - 1, 0))
        hit = two[at] == key if len(two) else np.zeros(len(key), dtype=bool)
        if len(single):
            hit |= np.isin(here, single)
        return self._scan(text, positions[hit].tolist())

    def to_json(self) -> dict[str, Any]:
        """``{entity: [surfaces]}``: enough to rebuild the matcher."""
        by_type: dict[str, list[str]] = {e: [] for e in self.entity_types}
        for surface, types in self._types.items():
            for t in types:
                by_type[t].append(surface)
        return {"min_length": self.min_length,
                "surfaces": {e: sorted(v) for e, v in by_type.items()}}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Gazetteer:
        surfaces = obj["surfaces"]
        return cls({e: {s: [] for s in v} for e, v in surfaces.items()},
                   min_length=int(obj.get("min_length", 1)))


def match_features(tokens: Sequence[Token], matches: Sequence[Match],
                   entity_types: Sequence[str]) -> np.ndarray:
    """Per token, a 0/1 vector ``[B-type..., I-type..., outside]`` from the matches covering it.

    ``outside`` is 1 for a token that no match covers. Tokens must already be split
    at the match boundaries. Without entity types the vector is empty.
    """
    k = len(entity_types)
    feats = np.zeros((len(tokens), 2 * k + 1 if k else 0), dtype=np.float32)
    if not k:
        return feats
    feats[:, 2 * k] = 1.0
    if not matches:
        return feats
    index = {e: i for i, e in enumerate(entity_types)}
    j = 0
    for ti, tok in enumerate(tokens):
        while j < len(matches) and matches[j][1] <= tok.start:
            j += 1
        if j < len(matches) and matches[j][0] <= tok.start and tok.end <= matches[j][1]:
            s, _, types = matches[j]
            off = 0 if tok.start == s else k
            for t in types:
                if t in index:
                    feats[ti, off + index[t]] = 1.0
                    feats[ti, 2 * k] = 0.0
    return feats
