"""Kochat training data read for ``nlukit import`` (the same project as from Rasa).

Kochat (github.com/hyunwoongko/kochat) keeps one CSV per intent, named after it, with the
header ``question,label``: the label gives a tag per space-separated word of the question,
BIOES or BIO (``S-LOCATION``, ``B-LOCATION E-LOCATION``, ``O``)::

    question,label
    월요일 인제 비오니,S-DATE S-LOCATION O
    강원도 춘천 가는데 오늘 날씨 알려줘,B-LOCATION E-LOCATION O S-DATE O O

Entity types are lower-cased (``LOCATION`` → ``location``). Kochat tags whole words, so
a word may carry its particle (``서울에서`` tagged ``S-LOCATION``); nlukit spans never hold
one, so a particle is cut off the end of an entity: a particle of two syllables or more
(``에서``, ``으로``, ``까지`` ...) always, a one-syllable one (``은``, ``에``, ``로`` ...) only
when what is left is tagged alone elsewhere in the data (``부산`` in ``부산은`` when ``부산``
appears on its own), and never 도, which ends names (``제주도``, ``울릉도``) more often than
it is "also". Neighbouring words of one type tagged one by one (``이번 주`` as ``S-DATE
S-DATE``, as older Kochat data does) are one value. Files whose every label is ``OOD``
(Kochat's out-of-distribution data) are left out and listed: nlukit's fallback learns from
generated nonsense instead.
"""
from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable

from ..errors import InputError
from .dictionary import ENTITY_NAME_RE, decode_file
from .rasa import Mention, RasaData

_LONG_PARTICLES = ("에서부터", "으로부터", "에서는", "에서도", "으로는", "이랑", "에서", "으로", "에게", "한테",
                   "까지", "부터", "처럼", "보다", "하고")
# 도 is left out: on a tagged word it is far more often a name's own syllable (제주도, 울릉도,
# 경기도 next to 제주, 울릉, 경기 tagged alone) than the particle "also"
_SHORT_PARTICLES = ("은", "는", "이", "가", "을", "를", "에", "의", "로", "와", "과", "랑", "만")
_TAG = re.compile(r"(?:([BIESL])-)?(.+)")
_PUNCT = ".,!?~;:'\"…"


def is_kochat_csv(path: str) -> bool:
    """Whether ``path`` is a CSV whose header is Kochat's ``question,label``."""
    if not path.lower().endswith(".csv"):
        return False
    try:
        with open(path, "rb") as fh:
            raw = fh.read(400)
    except OSError:
        return False
    utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")   # Excel's "Unicode text"
    head = raw.decode("utf-16" if utf16 else "utf-8-sig", errors="replace")   # the rest may be cp949
    return [c.strip().lower() for c in head.splitlines()[0].split(",")] == ["question", "label"] if head else False


def kochat_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[str]]:
    """Split ``paths`` (files or folders) into Kochat CSVs and everything else."""
    kochat: list[str] = []
    other: list[str] = []
    for p in map(os.fspath, paths):
        if os.path.isdir(p):
            found = sorted(os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs)
            csvs = [f for f in found if is_kochat_csv(f)]
            kochat += csvs
            if not csvs or any(f.lower().endswith((".yml", ".yaml", ".json", ".md")) for f in found):
                other.append(p)
        elif is_kochat_csv(p):
            kochat.append(p)
        else:
            other.append(p)
    return kochat, other


def _rows(path: str) -> list[tuple[int, str, str]]:
    text, _ = decode_file(path, "Kochat file", InputError)   # cp949: Excel on a Korean Windows
    rows = []
    for n, row in enumerate(csv.reader(io.StringIO(text)), 1):
        if n == 1 or not any(c.strip() for c in row):
            continue
        if len(row) != 2:
            raise InputError(f"{path}:{n}: {len(row)} columns; a Kochat row is question,label "
                             "(quote a question holding a comma)")
        rows.append((n, row[0].strip(), row[1].strip()))
    return rows


def _spans(words: list[str], tags: list[str], where: str) -> list[tuple[int, int, str]]:
    """Word spans ``(first, last + 1, type)`` of BIOES/BIO tags."""
    spans: list[tuple[int, int, str]] = []
    open_: tuple[int, str] | None = None
    for i, tag in enumerate(tags):
        if tag == "O":
            if open_:
                spans.append((open_[0], i, open_[1]))
            open_ = None
            continue
        m = _TAG.fullmatch(tag)
        prefix, kind = (m.group(1) or "S", m.group(2).lower()) if m else ("S", tag.lower())
        if not ENTITY_NAME_RE.fullmatch(kind):
            raise InputError(f"{where}: tag {tag!r} of word {words[i]!r} names no entity type")
        if prefix in ("B", "S") or open_ is None or open_[1] != kind:
            if open_:
                spans.append((open_[0], i, open_[1]))
            open_ = (i, kind)
        if prefix in ("E", "S", "L"):
            spans.append((open_[0], i + 1, kind))
            open_ = None
    if open_:
        spans.append((open_[0], len(tags), open_[1]))
    return spans


def _join_adjacent(spans: list[tuple[int, int, str]], words: list[str],
                   alone: set[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Spans of one type with no word between them as one (``이번 주`` tagged ``S-DATE S-DATE``):
    two slots side by side (``{date} {date}``) would generate nonsense. Two values each tagged
    alone elsewhere stay two (``서울 부산`` when 서울 and 부산 are values of their own)."""
    out: list[tuple[int, int, str]] = []
    for a, b, kind in spans:
        if out and out[-1][1] == a and out[-1][2] == kind and not (
                (kind, " ".join(words[out[-1][0]:a])) in alone and (kind, " ".join(words[a:b])) in alone):
            out[-1] = (out[-1][0], b, kind)
        else:
            out.append((a, b, kind))
    return out


def read_kochat(paths: Iterable[str]) -> RasaData:
    """Kochat CSVs (one per intent) as the examples ``nlukit import`` writes out."""
    data = RasaData()
    raw: list[tuple[str, str, list[tuple[int, int, str]], list[str], str]] = []
    merged = 0
    for path in paths:
        rows = _rows(path)
        if rows and all(label.upper() == "OOD" for _, _, label in rows):
            data.notes.append(f"{path}: out-of-distribution data ({len(rows)} questions) is not used; "
                              "nlukit's fallback learns from generated nonsense")
            continue
        intent = os.path.splitext(os.path.basename(path))[0].strip()
        if not ENTITY_NAME_RE.fullmatch(intent):
            raise InputError(f"{path}: the file name {intent!r} is the intent's name and must be a word "
                             "(letters, digits, _ and -); rename the file")
        for n, question, label in rows:
            words, tags = question.split(), label.split()
            if len(words) != len(tags):
                raise InputError(f"{path}:{n}: {len(words)} words but {len(tags)} labels in {question!r}; "
                                 "give one label per space-separated word")
            raw.append((intent, question, _spans(words, tags, f"{path}:{n}"), words, f"{path}:{n}"))
    # the values tagged as one span somewhere (부산 of 부산 날씨): particles and neighbours are judged by them
    alone = {(kind, " ".join(words[a:b]).rstrip(_PUNCT)) for _, _, spans, words, _ in raw for a, b, kind in spans
             if not any(k == kind and (e == a or s == b) for s, e, k in spans)}
    for i, (intent, question, spans, words, where) in enumerate(raw):
        joined = _join_adjacent(spans, words, alone)
        if len(joined) < len(spans):
            merged += 1
            raw[i] = (intent, question, joined, words, where)
    for intent, _, spans, words, _ in raw:
        text = " ".join(words)
        starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
        mentions = []
        for a, b, kind in spans:
            start, end = starts[a], starts[b - 1] + len(words[b - 1])
            while end > start + 1 and unicodedata.category(text[end - 1]).startswith("P"):
                end -= 1   # 인제, / 서울? : the word's punctuation is no part of the value
            surface = text[start:end]
            for particle in _LONG_PARTICLES + _SHORT_PARTICLES:
                stem = surface[:-len(particle)]
                if surface.endswith(particle) and stem.strip() and (
                        particle in _LONG_PARTICLES or (kind, stem) in alone):
                    end -= len(particle)
                    surface = stem
                    break
            mentions.append(Mention(start, end, kind, None, surface))
        data.intents.setdefault(intent, []).append((text, mentions))
    if merged:
        data.notes.append(f"{merged} questions tag neighbouring words of one type separately (이번 주 as "
                          "S-DATE S-DATE): each such run is one value")
    if not data.intents:
        raise InputError(f"no Kochat questions in {', '.join(paths)}; a Kochat file is a CSV with the header "
                         "question,label, one per intent")
    return data

