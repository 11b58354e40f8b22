"""Expand patterns and dictionaries into a labelled dataset, streamed to disk.

The full product of alternations and slot values explodes, so sentences are
*sampled under control*:

* every intent gets the same target (``per_intent``), split into train/valid/test;
* within an intent the templates take turns (round robin), so a template with a
  million expansions does not drown one with ten; a template that runs out of new
  sentences drops out and the others fill its share;
* slot values come from a shuffled deck per entity type, so every dictionary value
  is used once before any is used twice (synonyms take turns within a value);
* duplicate sentences are dropped (first wins, also across intents);
* one seed makes every output file byte-identical.

Splits (recorded in ``dataset.json``): ``sentence`` (random), ``template`` (valid and
test come from held-out templates of each intent, chosen so that each part sees every
entity label the intent uses wherever train can keep it too) and ``value`` (valid and test use
held-out dictionary values, never seen in train).

The dataset directory is written to a temporary sibling and renamed at the end, so
an error leaves nothing behind and an existing directory is replaced only with
``force``.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import shutil
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _encode_basestring
from typing import Any

from ..bundle import is_bundle, is_store
from ..errors import InputError, OutputExistsError, PatternError, raise_if_stopped
from ..korean import choose_particle
from ..numerals import spell
from .dictionary import Dictionary, load_dictionaries
from .grammar import Fixed, Pair, Patterns, Seq, Slot, Template, count_expansions, expand, load_patterns

__all__ = ["generate", "format_summary", "SPLIT_MODES", "AUGMENTATIONS"]

SPLIT_MODES = ("template", "sentence", "value")
AUGMENTATIONS = ("spacing", "numerals")
PARTS = ("train", "valid", "test")
FORMAT = 1
PATTERNS_FILE = "patterns.txt"  # the patterns as one file, kept for retraining
#: enumerate a template completely (instead of sampling) when it has at most this many sentences
ENUMERATE_LIMIT = 20000
#: a sampled template drops out after this many duplicate draws in a row
MAX_MISSES = 60
#: share of sentences given a spacing variant when ``augment`` includes "spacing"
SPACING_RATE = 0.5
#: share of sentences with counted digits in an entity (``3시``, ``25일``) that get them
#: written as number words (``세 시``, ``이십오 일``) when ``augment`` includes "numerals"
NUMERALS_RATE = 0.3
#: fewer train templates than this and an intent falls back to the sentence split
MIN_TRAIN_TEMPLATES = 3

Span5 = tuple[int, int, str, "str | None", str]  # start, end, entity, role, value


# --------------------------------------------------------------------------- sampling
class _Deck:
    """Values of one entity type dealt in shuffled rounds; synonyms take turns per value."""

    __slots__ = ("forms", "order", "pos", "rng", "turn")

    def __init__(self, values: dict[str, list[str]], rng: random.Random) -> None:
        self.forms = {v: (v, *syns) for v, syns in values.items()}
        self.order = list(self.forms)
        self.pos = len(self.order)
        self.rng = rng
        self.turn = dict.fromkeys(self.forms, 0)

    def deal(self, avoid: set[str]) -> tuple[str, str]:
        for _ in range(4):
            if self.pos >= len(self.order):
                self.rng.shuffle(self.order)
                self.pos = 0
            value = self.order[self.pos]
            self.pos += 1
            if value not in avoid or len(self.order) == 1:
                break
        forms = self.forms[value]
        k = self.turn[value]
        self.turn[value] = k + 1
        return forms[k % len(forms)], value


def _compile(seq: Seq, values: dict[str, dict[str, list[str]]]) -> tuple[tuple[Any, ...], int]:
    """Turn a grammar sequence into tagged tuples (with expansion counts) for fast sampling.

    Literal text keeps a left-stripped copy and whether it ends in a space, so the
    sampler can keep single spaces without looking at the text again.
    """
    out: list[Any] = []
    total = 1
    for n in seq:
        if isinstance(n, str):
            out.append((0, n, n.lstrip(" "), n.endswith(" "), len(n), len(n.lstrip(" "))))
        elif isinstance(n, Slot):
            surfaces = tuple((f, v) for v, syns in values.get(n.entity, {}).items() for f in (v, *syns))
            out.append((1, n.entity, n.role, n.pair, surfaces))
            total *= len(surfaces)
        elif isinstance(n, Fixed):
            out.append((2, n.text, n.entity, n.role, n.value))
        elif isinstance(n, Pair):  # resolved against the text before it (grammar checked there is a word)
            out.append((4, n.pair))
        else:
            options = tuple(_compile(o, values) for o in n.options)
            count = sum(c for _, c in options)
            out.append((3, options, count))
            total *= count
    return tuple(out), total


class _Sampler:
    """Draws sentences of one template.

    A small template is enumerated without materialising it: a shuffled permutation
    of expansion indices (4 bytes each) is decoded one at a time. A large one is
    sampled at random, its slots dealt from the shared value decks.
    """

    def __init__(self, template: Template, decks: dict[str, _Deck], values: dict[str, dict[str, list[str]]],
                 rng: random.Random, expected: int) -> None:
        self.template = template
        self.tid = template.id
        self.decks = decks
        self.rng = rng
        self.code, self.count = _compile(template.seq, values)
        self.misses = 0
        self.queue: array[int] | None = None
        if self.count <= min(ENUMERATE_LIMIT, max(4 * expected, 64)):
            order = list(range(self.count))
            rng.shuffle(order)
            order.reverse()
            self.queue = array("I", order)

    def draw(self) -> tuple[str, list[Span5]] | None:
        """A sentence, or None when the template is exhausted."""
        out: list[str] = []
        spans: list[Span5] = []
        state = [0, True]  # length so far, output ends in a space (or is empty)
        if self.queue is not None:
            if not self.queue:
                return None
            _emit(self.code, self.queue.pop(), out, spans, state, None, None, None)
        else:
            _emit(self.code, None, out, spans, state, self.decks, self.rng, set())
        text = "".join(out)
        if state[1] and text:
            text = text.rstrip(" ")
        return text, spans


def _emit(code: tuple[Any, ...], index: int | None, out: list[str], spans: list[Span5], state: list[Any],
          decks: dict[str, _Deck] | None, rng: random.Random | None, used: set[str] | None) -> None:
    """Emit one sentence of ``code`` into ``out`` and ``spans``.

    With an ``index``: expansion number ``index`` (the order of :func:`grammar.expand`),
    enumerating a template. With ``index`` None: a random expansion, alternations picked
    with ``rng`` and slots dealt from ``decks``, avoiding values already ``used`` in the
    sentence. One loop serves both so that the two cannot drift apart; the only branches
    on the mode are at slots and alternations.
    """
    if index is not None:  # the choice of each slot and alternation, last node first
        picks: list[int] = []
        for node in reversed(code):
            if node[0] == 1:
                index, pick = divmod(index, len(node[4]))
            elif node[0] == 3:
                index, pick = divmod(index, node[2])
            else:
                continue
            picks.append(pick)
    for node in code:
        kind = node[0]
        if kind == 0:
            if state[1]:
                if not node[5]:
                    continue
                out.append(node[2])
                state[0] += node[5]
            else:
                out.append(node[1])
                state[0] += node[4]
            state[1] = node[3]
        elif kind == 1:
            if used is None:
                surface, value = node[4][picks.pop()]
            else:
                surface, value = decks[node[1]].deal(used)  # type: ignore[index]
                used.add(value)
            start = state[0]
            end = start + len(surface)
            spans.append((start, end, node[1], node[2], value))
            out.append(surface)
            if node[3] is not None:
                particle = choose_particle(surface, node[3])
                out.append(particle)
                end += len(particle)
            state[0] = end
            state[1] = False
        elif kind == 2:
            start = state[0]
            end = start + len(node[1])
            spans.append((start, end, node[2], node[3], node[4]))
            out.append(node[1])
            state[0] = end
            state[1] = False
        elif kind == 4:
            _pair(node[1], out, state)
        elif used is None:
            i = picks.pop()
            for sub, count in node[1]:
                if i < count:
                    _emit(sub, i, out, spans, state, None, None, None)
                    break
                i -= count
        else:
            options = node[1]
            _emit(options[int(rng.random() * len(options))][0], None, out, spans, state,  # type: ignore[union-attr]
                  decks, rng, used)


def _pair(pair: str, out: list[str], state: list[Any]) -> None:
    """Append the form of ``pair`` that fits the text written so far (read from its end)."""
    particle = choose_particle(out[-1] if out[-1][-1:].isalnum() else "".join(out), pair)
    out.append(particle)
    state[0] += len(particle)
    state[1] = False


def _respace(text: str, spans: list[Span5], rng: random.Random) -> tuple[str, list[Span5]]:
    """One spacing variant Korean users type: drop a space, or detach a particle from an entity."""
    inside: set[int] = set()
    for s, e, *_ in spans:
        inside.update(range(s, e))
    ops: list[tuple[int, int]] = [(i, -1) for i, c in enumerate(text) if c == " " and i not in inside]
    ops += [(e, 1) for s, e, *_ in spans if e < len(text) and text[e] != " " and e not in inside]
    if not ops:
        return text, spans
    at, delta = ops[int(rng.random() * len(ops))]
    if delta < 0:
        text = text[:at] + text[at + 1:]
        spans = [(s - 1 if s > at else s, e - 1 if e > at else e, ent, role, val) for s, e, ent, role, val in spans]
    else:
        text = text[:at] + " " + text[at:]
        spans = [(s + 1 if s >= at else s, e + 1 if e > at else e, ent, role, val) for s, e, ent, role, val in spans]
    return text, spans


def _spell_numbers(text: str, spans: list[Span5], rng: random.Random) -> tuple[str, list[Span5]] | None:
    """The sentence with the counted digits inside its entities written as Korean number
    words (``오후 3시 반`` → ``오후 세 시 반``, spaced or not), spans kept exact; None
    when no entity has any. The value stays the dictionary's: the counter still ends the
    span, so the particle after it still fits."""
    if not any(c.isdigit() for c in text):
        return None
    space = rng.random() < 0.5
    out, new_spans, pos, shift, changed = [], [], 0, 0, False
    for s, e, ent, role, val in sorted(spans):
        surface = spell(text[s:e], space)
        changed = changed or surface != text[s:e]
        out += (text[pos:s], surface)
        new_spans.append((s + shift, s + shift + len(surface), ent, role, val))
        shift += len(surface) - (e - s)
        pos = e
    if not changed:
        return None
    out.append(text[pos:])
    return "".join(out), new_spans


# --------------------------------------------------------------------------- dedup
_KEY_BITS = (1 << 55) - 1
_USED = 1 << 63


class _SeenTable:
    """Which sentences were written, and by which intent, in 16-32 bytes per sentence.

    An open-addressing table of 64-bit words in an ``array('Q')``, kept at most half
    full: the top bit marks a used slot, the next 55 bits are a blake2b digest of the
    text, the low 8 bits the intent index. A dict of digests costs ~90 bytes per
    sentence; this table is 16 MB at one million sentences and 256 MB at ten
    million. Digest collisions (2^-55 per pair) are deterministic, so outputs stay
    byte-identical.
    """

    __slots__ = ("mask", "n", "table")

    def __init__(self, size: int = 1 << 16) -> None:
        self.table = array("Q", bytes(8 * size))
        self.mask = size - 1
        self.n = 0

    def add(self, text: str, owner: int) -> int | None:
        """Record ``text`` for intent ``owner``; the earlier owner if it was seen already."""
        key = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=7).digest(),
                             "little") & _KEY_BITS
        t, mask = self.table, self.mask
        i = key & mask
        while True:
            v = t[i]
            if not v:
                t[i] = _USED | (key << 8) | (owner & 0xFF)
                self.n += 1
                if 2 * self.n > mask:
                    self._grow()
                return None
            if (v >> 8) & _KEY_BITS == key:
                return v & 0xFF
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self.table
        size = 2 * len(old)
        self.table = t = array("Q", bytes(8 * size))
        self.mask = mask = size - 1
        for v in old:
            if v:
                i = (v >> 8) & mask
                while t[i]:
                    i = (i + 1) & mask
                t[i] = v

    def __len__(self) -> int:
        return self.n


# --------------------------------------------------------------------------- IOB output
class _IobWriter:
    """Tokenise with the shared tokenizer and emit IOB2 CSV rows, splitting at entity edges.

    For MeCab this calls the tagger directly (no per-token objects), with the same
    alignment as :class:`nlukit.text.MecabTokenizer`; the result equals
    ``iob_tags(split_at(tokenize(text), cuts), spans)`` (checked by the tests).
    """

    def __init__(self, tokenizer: str) -> None:
        from ..text import MecabTokenizer, get_tokenizer
        self.tok = get_tokenizer(tokenizer)
        self.fast = isinstance(self.tok, MecabTokenizer)
        if self.fast:
            self.pairs = self.tok.pairs  # type: ignore[attr-defined]
        self.split_spans = 0
        self.spans = 0

    def tokens(self, text: str) -> list[tuple[str, str, int, int]]:
        if not self.fast:
            return [(t.surface, t.pos, t.start, t.end) for t in self.tok.tokenize(text)]
        toks = []
        find = text.find
        pos = 0
        for surface, tag in self.pairs(text):
            at = find(surface, pos)
            if at < 0:
                continue
            pos = at + len(surface)
            toks.append((surface, tag, at, pos))
        return toks

    def rows(self, sid: int, text: str, spans: Sequence[Span5]) -> str:
        """IOB2 CSV rows ``sentence_id,token,pos,tag`` of one sentence."""
        prefix = f"{sid},"
        quote = "," in text or '"' in text
        if not self.fast or quote:
            return self._rows(prefix, text, spans, self.tokens(text), quote)
        pairs = self.pairs(text)
        if not spans:  # MeCab surfaces are substrings in order: no offsets needed
            return "".join([f"{prefix}{w},{p},O\n" for w, p in pairs])
        # one pass: offsets and tags; a token crossing an entity edge sends us the slow way
        lines = []
        find = text.find
        pos = k = 0
        last = len(spans) - 1
        s, e, ent, role, _ = spans[0]
        label = f"{ent}:{role}" if role else ent
        for w, p in pairs:
            at = find(w, pos)
            if at < 0:
                continue
            pos = at + len(w)
            while at >= e and k < last:
                k += 1
                s, e, ent, role, _ = spans[k]
                label = f"{ent}:{role}" if role else ent
            if pos <= s or at >= e:
                lines.append(f"{prefix}{w},{p},O\n")
            elif at >= s and pos <= e:
                lines.append(f"{prefix}{w},{p},{'B-' if at == s else 'I-'}{label}\n")
            else:
                return self._rows(prefix, text, spans, self.tokens(text), quote)
        self.spans += len(spans)
        return "".join(lines)

    def _rows(self, prefix: str, text: str, spans: Sequence[Span5], toks: list[tuple[str, str, int, int]],
              quote: bool) -> str:
        """The general route: split tokens at entity edges, then tag."""
        if not spans:
            if quote:
                return "".join(f"{prefix}{_csv_cell(t[0])},{t[1]},O\n" for t in toks)
            return "".join([f"{prefix}{t[0]},{t[1]},O\n" for t in toks])
        self.spans += len(spans)
        starts = {t[2] for t in toks}
        ends = {t[3] for t in toks}
        cuts = set()
        for sp in spans:
            if sp[0] not in starts or sp[1] not in ends:
                self.split_spans += 1
                cuts.add(sp[0])
                cuts.add(sp[1])
        if cuts:
            toks = _split(toks, cuts)
        lines = []
        k, n = 0, len(spans)
        s, e, ent, role, _ = spans[0]
        label = f"{ent}:{role}" if role else ent
        for surface, pos, ts, te in toks:
            while ts >= e and k < n - 1:
                k += 1
                s, e, ent, role, _ = spans[k]
                label = f"{ent}:{role}" if role else ent
            if ts < e and te > s:
                tag = ("B-" if ts <= s else "I-") + label
            else:
                tag = "O"
            if quote:
                surface = _csv_cell(surface)
            lines.append(f"{prefix}{surface},{pos},{tag}\n")
        return "".join(lines)


def _csv_cell(cell: str) -> str:
    if "," in cell or '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _json_str(s: str) -> str:
    """A JSON string literal exactly as ``json.dumps(s, ensure_ascii=False)`` writes it."""
    return _encode_basestring(s)


def _split(toks: list[tuple[str, str, int, int]], cuts: set[int]) -> list[tuple[str, str, int, int]]:
    out = []
    for surface, pos, ts, te in toks:
        inner = sorted(c for c in cuts if ts < c < te)
        if not inner:
            out.append((surface, pos, ts, te))
            continue
        prev = ts
        for c in inner + [te]:
            out.append((surface[prev - ts:c - ts], pos, prev, c))
            prev = c
    return out


# --------------------------------------------------------------------------- planning
@dataclass
class _Stream:
    """Sentences of one intent for one part (or all parts, for the sentence split)."""

    intent: str
    part: str  # "train" | "valid" | "test" | "all"
    samplers: list[_Sampler]
    budget: int
    assignment: bytearray | None = None
    made: int = 0
    turn: int = 0
    done: bool = False
    shortfall: int = 0  # sentences a held-out part could not make, handed to train


@dataclass
class _Plan:
    streams: list[_Stream] = field(default_factory=list)
    held_out_templates: dict[str, list[str]] = field(default_factory=dict)  # part -> ids
    held_out_values: dict[str, list[str]] = field(default_factory=dict)
    sentence_split_intents: list[str] = field(default_factory=list)
    template_part: dict[str, str] = field(default_factory=dict)


def _part_sizes(n: int, valid_ratio: float, test_ratio: float) -> dict[str, int]:
    v = round(n * valid_ratio)
    t = round(n * test_ratio)
    return {"train": n - v - t, "valid": v, "test": t}


def _check_args(per_intent: int, split: str, valid_ratio: float, test_ratio: float,
                augment: Sequence[str]) -> None:
    if not isinstance(per_intent, int) or isinstance(per_intent, bool) or per_intent < 1:
        raise InputError(f"per_intent must be a positive whole number, got {per_intent!r}")
    if split not in SPLIT_MODES:
        raise InputError(f"unknown split mode {split!r}; choose one of {', '.join(SPLIT_MODES)}")
    for name, r in (("valid_ratio", valid_ratio), ("test_ratio", test_ratio)):
        if not isinstance(r, (int, float)) or not 0 <= r < 1:
            raise InputError(f"{name} must be a number in [0, 1), got {r!r}")
    if valid_ratio + test_ratio >= 1:
        raise InputError(f"valid_ratio + test_ratio = {valid_ratio + test_ratio:g} leaves nothing to "
                         "train on; keep their sum below 1 (e.g. 0.1 and 0.1)")
    for a in augment:
        if a not in AUGMENTATIONS:
            raise InputError(f"unknown augmentation {a!r}; choose from {', '.join(AUGMENTATIONS)}")


def _labels(t: Template) -> frozenset[str]:
    """The entity labels (``entity`` or ``entity:role``) a template can produce."""
    return frozenset(f"{s.entity}:{s.role}" if s.role else s.entity for s in t.slots())


def _hold_out(order: list[Template], n_test: int, n_valid: int) -> tuple[list[Template], list[Template]]:
    """Pick test then valid templates from ``order`` so each part covers every label it can.

    Greedy set cover: each pick is the template adding the most labels the part still
    lacks, ties broken by ``order`` (shuffled, able-to-fill first); a template is only
    taken while the templates left for train still produce every label of the intent
    (train coverage comes first). Once a part covers what it can, picks follow ``order``.
    """
    labels = {t.id: _labels(t) for t in order}
    every = frozenset().union(*labels.values())
    taken: set[str] = set()
    providers = Counter(lab for t in order for lab in labels[t.id])  # untaken templates per label
    # Where the scans for the first safe and the first free template in order resume: templates
    # are only ever taken and providers only drop, so one skipped stays skipped (linear, not
    # quadratic, in the number of templates: 100,000 pattern lines took minutes).
    cursor = {"safe": 0, "free": 0}

    def keeps_train_covered(t: Template) -> bool:
        return all(providers[lab] > 1 for lab in labels[t.id])

    def first(kind: str) -> Template | None:
        i = cursor[kind]
        while i < len(order) and (order[i].id in taken or (kind == "safe" and not keeps_train_covered(order[i]))):
            i += 1
        cursor[kind] = i
        return order[i] if i < len(order) else None

    def pick(n: int) -> list[Template]:
        chosen: list[Template] = []
        lacking = set(every)
        for _ in range(n):
            free = (t for t in order if t.id not in taken)
            if not lacking:  # the part covers what it can: the first safe template in order
                best = first("safe") or first("free")
            else:
                pool = list(free)
                safe = [t for t in pool if keeps_train_covered(t)] or pool
                best = max(safe, key=lambda t: len(labels[t.id] & lacking)) if safe else None  # first of ties
            if best is None:
                break
            if not labels[best.id] & lacking:
                lacking.clear()  # nothing left can add a lacking label: stop scanning for one
            chosen.append(best)
            taken.add(best.id)
            providers.subtract(labels[best.id])
            lacking -= labels[best.id]
        return chosen

    test = pick(n_test)
    return test, pick(n_valid)


def _plan(patterns: Patterns, dictionary: Dictionary, per_intent: int, seed: int, split: str,
          valid_ratio: float, test_ratio: float) -> _Plan:
    plan = _Plan()
    values = dictionary.to_json()
    sizes = _part_sizes(per_intent, valid_ratio, test_ratio)
    groups: dict[str, dict[str, dict[str, list[str]]]] = {"train": values, "held": values}
    if split == "value":
        train_vals: dict[str, dict[str, list[str]]] = {}
        held_vals: dict[str, dict[str, list[str]]] = {}
        for ent in dictionary.entity_types:
            vals = list(values[ent])
            n_hold = max(1, round(len(vals) * (valid_ratio + test_ratio))) if vals else 0
            if valid_ratio + test_ratio == 0 or len(vals) - n_hold < 2:
                train_vals[ent], held_vals[ent] = values[ent], values[ent]
                continue
            held = set(random.Random(f"{seed}:held-values:{ent}").sample(vals, n_hold))
            plan.held_out_values[ent] = [v for v in vals if v in held]
            train_vals[ent] = {v: s for v, s in values[ent].items() if v not in held}
            held_vals[ent] = {v: s for v, s in values[ent].items() if v in held}
        groups = {"train": train_vals, "held": held_vals}
    decks = {g: {ent: _Deck(vals, random.Random(f"{seed}:deck:{g}:{ent}")) for ent, vals in gv.items() if vals}
             for g, gv in groups.items()}
    plan.held_out_templates = {"valid": [], "test": []}

    def sampler(t: Template, group: str, expected: int) -> _Sampler:
        return _Sampler(t, decks[group], groups[group], random.Random(f"{seed}:sample:{t.id}:{group}"),
                        expected)

    for intent, templates in patterns.intents.items():
        rng = random.Random(f"{seed}:split:{intent}")
        by_part: dict[str, list[Template]] | None = None
        if split == "template" and valid_ratio + test_ratio > 0:
            n_valid = max(1, round(len(templates) * valid_ratio)) if valid_ratio > 0 else 0
            n_test = max(1, round(len(templates) * test_ratio)) if test_ratio > 0 else 0
            if len(templates) - n_valid - n_test >= MIN_TRAIN_TEMPLATES:
                order = list(templates)
                rng.shuffle(order)
                # a held-out template must be able to fill its share: prefer those that can
                need = max(-(-sizes["valid"] // max(1, n_valid)), -(-sizes["test"] // max(1, n_test)))
                order.sort(key=lambda t: count_expansions(t.seq, values) < need)
                test_t, valid_t = _hold_out(order, n_test, n_valid)
                held = {t.id for t in test_t + valid_t}
                by_part = {"train": [t for t in templates if t.id not in held],
                           "valid": sorted(valid_t, key=lambda t: t.index),
                           "test": sorted(test_t, key=lambda t: t.index)}
                plan.held_out_templates["valid"] += [t.id for t in by_part["valid"]]
                plan.held_out_templates["test"] += [t.id for t in by_part["test"]]
        elif split == "value" and plan.held_out_values:
            held_ents = set(plan.held_out_values)

            def has_held_fixed(t: Template) -> bool:
                return any(isinstance(s, Fixed) and s.value in plan.held_out_values.get(s.entity, ())
                           for s in t.slots())
            train_t = [t for t in templates if not has_held_fixed(t)]
            eval_t = [t for t in templates if t.entity_types() & held_ents]
            if train_t and eval_t:
                by_part = {"train": train_t, "valid": eval_t, "test": eval_t}
        if by_part is None:
            if split != "sentence" and valid_ratio + test_ratio > 0:
                plan.sentence_split_intents.append(intent)
            # an intent that expands to fewer sentences than its share (an FAQ answer's two
            # questions) splits what it can make, so train always gets most of them: the
            # per_intent shares would put both of two sentences in valid, and training stops
            made = sum(count_expansions(t.seq, values) for t in templates)
            part_sizes = sizes if made >= per_intent else _part_sizes(made, valid_ratio, test_ratio)
            assignment = bytearray([0] * part_sizes["train"] + [1] * part_sizes["valid"]
                                   + [2] * part_sizes["test"])
            rng.shuffle(assignment)  # type: ignore[arg-type]
            assignment += bytearray(per_intent - len(assignment))  # any more: train
            per_t = -(-per_intent // len(templates))
            plan.streams.append(_Stream(intent, "all", [sampler(t, "train", per_t) for t in templates],
                                        per_intent, assignment))
            for t in templates:
                plan.template_part[t.id] = "all"
            continue
        for part in PARTS:
            if not sizes[part] and part != "train":
                continue
            ts = by_part[part]
            group = "train" if part == "train" else "held"
            per_t = -(-sizes[part] // max(1, len(ts)))
            plan.streams.append(_Stream(intent, part, [sampler(t, group, per_t) for t in ts], sizes[part]))
            for t in ts:
                prev = plan.template_part.get(t.id)
                plan.template_part[t.id] = part if prev in (None, part) else "valid+test"
    return plan


# --------------------------------------------------------------------------- writing
def _inside(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (symbolic links resolved)."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _a_model_in(folder: str) -> str | None:
    """``folder`` or the first folder under it that is a model store or version, else None."""
    for here, dirs, _files in os.walk(folder):
        if is_bundle(here) or is_store(here):
            return here
        dirs.sort()
    return None


def _prepare_out(out: str, force: bool, inputs: Sequence[str] = ()) -> str:
    """A staging folder beside ``out``, after refusing an ``out`` that cannot or must not be replaced.

    With ``force`` a whole folder is replaced, so ``out`` may not hold the files the dataset is
    generated from (``-o patterns``), the working folder (``-o .``) nor a trained model (``-o model``):
    that would delete them.
    """
    if not out.strip():
        raise InputError("the output path is empty; name a new folder for the dataset, e.g. -o data")
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise OutputExistsError(f"output {out} exists and is not a directory; remove it or choose another path")
    if os.path.exists(out) and not force:
        raise OutputExistsError(f"output {out} already exists; pass force=True (--force) to replace it "
                                "or choose another directory")
    if os.path.exists(out):
        held = [p for p in inputs if _inside(p, out)]
        if held:
            raise OutputExistsError(f"output {out} holds {held[0]}, which this dataset is generated from; "
                                    "replacing it would delete your patterns or dictionaries — choose "
                                    "another output folder, e.g. -o data")
        if _inside(os.getcwd(), out):
            raise OutputExistsError(f"output {out} is the current folder or holds it; replacing it would "
                                    "delete it — choose a new folder inside it, e.g. -o data")
        model = _a_model_in(out)
        if model is not None:
            where = "is" if model == out else f"holds one ({model}),"
            raise OutputExistsError(f"output {out} {where} a trained model (current or meta.json); "
                                    "replacing it would delete the model — choose another output folder, "
                                    "e.g. -o data")
    parent = os.path.dirname(out)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as exc:
        blocker = parent
        while not os.path.exists(blocker) and os.path.dirname(blocker) != blocker:
            blocker = os.path.dirname(blocker)
        why = (f"{blocker} is a file" if os.path.isfile(blocker)
               else f"{exc.strerror} ({exc.filename})")
        raise OutputExistsError(f"cannot make the output folder {out}: {why}; choose another path") from exc
    try:
        return tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.tmp-", dir=parent)
    except OSError as exc:  # the parent takes no folder: read-only, no permission, /proc
        raise OutputExistsError(f"cannot make the output folder {out}: {parent} cannot be written to "
                                f"({exc.strerror}); choose another path") from None


def _commit(tmp: str, out: str) -> None:
    out = os.path.abspath(out)
    old = None
    if os.path.exists(out):
        old = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.old-", dir=os.path.dirname(out))
        os.rmdir(old)
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except OSError:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _dump(path: str, obj: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def generate(patterns: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Patterns,
             dicts: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Dictionary,
             out: str | os.PathLike[str], *, per_intent: int = 300, seed: int = 13,
             split: str = "template", valid_ratio: float = 0.1, test_ratio: float = 0.1,
             augment: Sequence[str] = (), force: bool = False, progress: bool = True,
             tokenizer: str = "mecab") -> dict[str, Any]:
    r"""Generate a dataset directory from patterns and dictionaries; return the report.

    ``patterns``/``dicts`` are paths (file or folder), lists of them, or already-loaded objects.
    ``per_intent`` counts all three splits together; ``valid_ratio``/``test_ratio`` of it
    go to valid/test. ``augment=("spacing",)`` gives about half the sentences one
    spacing change (a space dropped outside entities, or a particle detached from
    its entity) within the same budget, spans kept exact; ``"numerals"`` writes the
    counted digits inside the entities of about 30 % of the sentences as Korean number
    words (``오후 3시 반`` → ``오후 세 시 반``), values unchanged. The report is also written
    to ``report.json`` (plus ``out``, ``seconds`` and ``sentences_per_second`` here).

    Files: ``{train,valid,test}.jsonl`` (one :class:`~nlukit.types.Example` per line),
    ``*.iob.csv`` (``sentence_id,token,pos,tag``; the id is the 0-based line of the
    sentence in the split's JSONL; tokens are the tokenizer's morphemes, split where an
    entity edge falls inside one), ``*.txt`` (one sentence a line), ``dataset.json``,
    ``dictionary.json``, ``report.json`` and ``patterns.txt`` (every pattern line used, one file,
    so that a model trained on the dataset can be retrained from new dictionaries).

    >>> import os, tempfile
    >>> from nlukit.generate.grammar import parse_patterns
    >>> tmp = tempfile.TemporaryDirectory()
    >>> out = os.path.join(tmp.name, "data")
    >>> p = parse_patterns("@greet\n안녕(하세요|)\n@weather\n{city} 날씨 (어때|알려줘)\n", "p.txt")
    >>> d = Dictionary.from_json({"city": {"서울": [], "부산": ["부산시"]}})
    >>> r = generate(p, d, out, per_intent=4, split="sentence", valid_ratio=0, test_ratio=0, progress=False)
    >>> r["sentences"]["total"], r["per_intent"]["greet"]["total"], r["per_intent"]["weather"]["total"]
    (6, 2, 4)
    >>> sorted(os.listdir(out))[:4]
    ['dataset.json', 'dictionary.json', 'patterns.txt', 'report.json']
    >>> tmp.cleanup()
    """
    from .. import __version__
    started = time.perf_counter()
    augment = (augment,) if isinstance(augment, str) else tuple(augment)   # augment="spacing": one
    _check_args(per_intent, split, valid_ratio, test_ratio, augment)
    # an empty folder is no entity types (an imported FAQ); patterns with slots then name unknown types
    dictionary = dicts if isinstance(dicts, Dictionary) else load_dictionaries(dicts, allow_empty=True)
    if isinstance(patterns, Patterns):
        pats = patterns
        for t in pats.templates():
            for s in t.slots():
                if s.entity not in dictionary.entities:
                    raise PatternError(t.path, t.line, 1, f"unknown entity type {s.entity!r} (known: "
                                       f"{', '.join(dictionary.entity_types)})", t.source,
                                       dictionary.misread_type(s.entity) or "")
    else:
        pats = load_patterns(patterns, dictionary=dictionary)
    for t in pats.templates():
        for s in t.slots():
            if isinstance(s, Slot) and not dictionary.entities.get(s.entity):
                raise PatternError(t.path, t.line, 1, f"entity type {s.entity!r} has no values in the "
                                   "dictionaries; add values for it", t.source)
    plan = _plan(pats, dictionary, per_intent, seed, split, valid_ratio, test_ratio)
    iob = _IobWriter(tokenizer)
    out_s = os.fspath(out)
    tmp = _prepare_out(out_s, force, [*pats.files, *(src.path for src in dictionary.sources)])
    try:
        report = _write(tmp, pats, dictionary, plan, iob, per_intent=per_intent, seed=seed, split=split,
                        valid_ratio=valid_ratio, test_ratio=test_ratio, augment=augment,
                        progress=progress, tokenizer=tokenizer, version=__version__)
        raise_if_stopped()  # a swallowed SIGTERM still replaces nothing
        _commit(tmp, out_s)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    report["out"] = os.path.abspath(out_s)
    report["seconds"] = round(seconds, 3)
    report["sentences_per_second"] = round(report["sentences"]["total"] / seconds, 1) if seconds else None
    return report


def _write(tmp: str, pats: Patterns, dictionary: Dictionary, plan: _Plan, iob: _IobWriter, *,
           per_intent: int, seed: int, split: str, valid_ratio: float, test_ratio: float,
           augment: tuple[str, ...], progress: bool, tokenizer: str, version: str) -> dict[str, Any]:
    files = {}
    for part in PARTS:
        files[part] = (open(os.path.join(tmp, f"{part}.jsonl"), "w", encoding="utf-8", buffering=1 << 20),
                       open(os.path.join(tmp, f"{part}.iob.csv"), "w", encoding="utf-8", buffering=1 << 20),
                       open(os.path.join(tmp, f"{part}.txt"), "w", encoding="utf-8", buffering=1 << 20))
        files[part][1].write("sentence_id,token,pos,tag\n")
    sid = dict.fromkeys(PARTS, 0)
    per_intent_counts = {i: dict.fromkeys(PARTS, 0) for i in pats.intents}
    per_template = {t.id: 0 for t in pats.templates()}
    uses: dict[str, dict[str, int]] = {e: dict.fromkeys(v, 0) for e, v in dictionary.entities.items()}
    labels: set[str] = set()
    tails: dict[tuple[str, str | None, str], str] = {}  # JSON of a span after its offsets
    span_uses: dict[tuple[str, str | None, str], int] = {}
    seen = _SeenTable()
    intent_index = {name: k for k, name in enumerate(pats.intents)}
    dups = cross = 0
    spacing = "spacing" in augment
    numerals = "numerals" in augment
    aug_rng = random.Random(f"{seed}:augment")
    num_rng = random.Random(f"{seed}:numerals")  # its own stream: the spacing draws stay as they were
    esc = _json_str
    intent_json = {i: esc(i) for i in pats.intents}
    template_json = {t.id: esc(t.id) for t in pats.templates()}
    total = sum(s.budget for s in plan.streams)
    bar = None
    if progress and total >= 5000:
        from tqdm import tqdm
        bar = tqdm(total=total, unit="sent", desc="generate", mininterval=0.5, leave=False)
    pending = 0
    try:
        active = list(plan.streams)
        train_of = {st.intent: st for st in plan.streams if st.part == "train"}
        while active:
            still = []
            for st in active:
                sampler_list = st.samplers
                sentence = None
                while sampler_list:
                    k = st.turn % len(sampler_list)
                    smp = sampler_list[k]
                    got = smp.draw()
                    if got is None:
                        sampler_list.pop(k)
                        continue
                    text, spans = got
                    if numerals and num_rng.random() < NUMERALS_RATE:
                        text, spans = _spell_numbers(text, spans, num_rng) or (text, spans)
                    if spacing and aug_rng.random() < SPACING_RATE:
                        text, spans = _respace(text, spans, aug_rng)
                    owner = seen.add(text, intent_index[st.intent])
                    if owner is not None:
                        dups += 1
                        if owner != intent_index[st.intent]:
                            cross += 1
                        if smp.queue is None:
                            smp.misses += 1
                            if smp.misses >= MAX_MISSES:
                                sampler_list.pop(k)
                        continue
                    smp.misses = 0
                    st.turn = k + 1
                    sentence = (text, spans, smp.tid)
                    break
                if sentence is None:
                    st.done = True
                    tr = train_of.get(st.intent)
                    if st.part in ("valid", "test") and tr is not None and not tr.done:
                        # keep the intent's total: train takes what a held-out part cannot make
                        st.shortfall = st.budget - st.made
                        tr.budget += st.shortfall
                        if tr.made >= tr.budget - st.shortfall:
                            still.append(tr)  # it had already met its old budget
                    continue
                text, spans, tid = sentence
                part = st.part if st.assignment is None else PARTS[st.assignment[st.made]]
                jf, cf, tf = files[part]
                ents = []
                for s, e, ent, role, value in spans:
                    key = (ent, role, value)
                    tail = tails.get(key)
                    if tail is None:
                        tail = tails[key] = (f'"entity": {esc(ent)}, "role": '
                                             f'{esc(role) if role is not None else "null"}, '
                                             f'"value": {esc(value)}}}')
                        labels.add(f"{ent}:{role}" if role else ent)
                    ents.append(f'{{"start": {s}, "end": {e}, {tail}')
                    span_uses[key] = span_uses.get(key, 0) + 1
                # byte-identical to json.dumps(Example.to_json(), ensure_ascii=False) (tested)
                jf.write(f'{{"text": {esc(text)}, "intent": {intent_json[st.intent]}, "entities": '
                         f'[{", ".join(ents)}], "template": {template_json[tid]}}}\n')
                tf.write(text + "\n")
                cf.write(iob.rows(sid[part], text, spans))
                sid[part] += 1
                per_intent_counts[st.intent][part] += 1
                per_template[tid] += 1
                st.made += 1
                if st.made < st.budget:
                    still.append(st)
                pending += 1
                if bar is not None and pending >= 1024:
                    bar.update(pending)
                    pending = 0
            active = still
    finally:
        if bar is not None:
            bar.update(pending)
            bar.close()
        for fs in files.values():
            for f in fs:
                f.close()
    return _finish(tmp, pats, dictionary, plan, per_intent=per_intent, seed=seed, split=split,
                   valid_ratio=valid_ratio, test_ratio=test_ratio, augment=augment, tokenizer=tokenizer,
                   version=version, counts=per_intent_counts, per_template=per_template,
                   uses=_value_uses(uses, span_uses),
                   labels=labels, dups=dups, cross=cross, iob=iob, distinct=len(seen))


def _value_uses(uses: dict[str, dict[str, int]], span_uses: dict[tuple[str, str | None, str], int]
                ) -> dict[str, dict[str, int]]:
    """Uses per entity value (roles merged), dictionary order first, then values met only in examples."""
    for (ent, _, value), n in span_uses.items():
        counts = uses.setdefault(ent, {})
        counts[value] = counts.get(value, 0) + n
    return uses


#: particles a value written as plain text may carry (엘리베이터가, 헬스장으로)
_PLAIN_PARTICLES = ("에서", "으로", "이랑", "하고", "까지", "부터", "에게", "한테", "로", "에", "은", "는", "이", "가",
                    "을", "를", "의", "도", "만", "랑", "과", "와")
#: sentences of a template looked at for values written as plain text
PLAIN_LOOK = 200
#: templates named in that warning at most
PLAIN_SHOWN = 8


def _with_particle(word: str, bare: str) -> bool:
    """True when MeCab reads ``word`` as ``bare`` and a particle after it (서울로: 서울 + 로, 헬스장으로:
    헬스 + 장 + 으로), not as a word of its own (고양이) or a verb with its ending (보아도: 보 + 아도);
    True when MeCab cannot be had (the warning as before)."""
    try:
        from ..text import MecabTokenizer
        pairs = list(MecabTokenizer().pairs(word))
    except Exception:  # noqa: BLE001 - a warning's check, never a reason to fail
        return True
    return len(pairs) >= 2 and pairs[-1][1].startswith("J") and "".join(p[0] for p in pairs[:-1]).lower() == bare


def _plain_surface(words: list[str], index: Mapping[str, str], longest: int) -> str | None:
    """The first dictionary surface (a key of ``index``, of at most ``longest`` words) that ``words``
    write as plain text, as a word of its own or with a particle; the longest at each place."""
    for i in range(len(words)):
        for n in range(min(longest, len(words) - i), 0, -1):
            said = " ".join(words[i:i + n])
            if said in index:
                return said
            bare = next((said[:-len(p)] for p in _PLAIN_PARTICLES if said.endswith(p)), None)
            if bare in index and _with_particle(said, bare):
                return bare   # 고양이 (a cat) is no 고양 (a location) with 이, 보아도 no 보아 with 도
    return None


def _plain_values(pats: Patterns, dictionary: Dictionary) -> list[str]:
    """A warning per template that writes a dictionary surface as plain text, a word of its own or
    with a particle (``엘리베이터 점검 언제 해요`` with 엘리베이터 a complaint value): the tagger is taught
    the word as that type in one sentence and as no entity in another (docs/patterns.md)."""
    index: dict[str, str] = {}
    for entity in dictionary.entity_types:
        for surface in dictionary.surfaces(entity):
            if len(surface.replace(" ", "")) >= 2:
                index.setdefault(surface.lower(), entity)
    if not index:
        return []
    longest = max(key.count(" ") + 1 for key in index)
    holes = {entity: {"\x00": []} for entity in dictionary.entity_types}
    found: list[str] = []
    for t in pats.templates():
        hit = None
        for text, spans in itertools.islice(expand(t, holes), PLAIN_LOOK):
            for sp in reversed(spans):   # slots and annotated values ([서울](location)) are no plain text
                text = text[:sp.start] + "\x00" + text[sp.end:]
            surface = next(filter(None, (_plain_surface(chunk.split(), index, longest)
                                         for chunk in text.lower().split("\x00"))), None)
            if surface is not None:
                hit = (surface, index[surface], text.replace("\x00", "{…}"))
                break
        if hit:
            found.append(f"{t.path}:{t.line}: @{t.intent} writes {hit[0]!r}, a {hit[1]} value, as plain text "
                         f"({hit[2]!r}): the tagger learns it both as {hit[1]} and as no entity; write the slot "
                         f"{{{hit[1]}}} or leave the word out")
    if len(found) > PLAIN_SHOWN:
        found[PLAIN_SHOWN:] = [f"{len(found) - PLAIN_SHOWN} more pattern line(s) write dictionary values as plain text"]
    return found


def _finish(tmp: str, pats: Patterns, dictionary: Dictionary, plan: _Plan, *, per_intent: int, seed: int,
            split: str, valid_ratio: float, test_ratio: float, augment: tuple[str, ...], tokenizer: str,
            version: str, counts: dict[str, dict[str, int]], per_template: dict[str, int],
            uses: dict[str, dict[str, int]], labels: set[str], dups: int, cross: int, iob: _IobWriter,
            distinct: int) -> dict[str, Any]:
    values = dictionary.to_json()
    warnings: list[str] = []
    totals = {i: sum(c.values()) for i, c in counts.items()}
    for intent, n in totals.items():
        if n < per_intent:
            ts = pats.intents[intent]
            size = sum(count_expansions(t.seq, values) for t in ts)
            held = sum(count_expansions(t.seq, values) for t in ts
                       if plan.template_part.get(t.id) in ("valid", "test"))
            where = f", {held} of them in held-out templates" if held else ""
            warnings.append(f"intent {intent!r} is starved: {n} of {per_intent} sentences (its {len(ts)} "
                            f"patterns expand to {size} sentences{where}); add patterns or dictionary values")
    for st in plan.streams:
        if st.shortfall:
            warnings.append(f"intent {st.intent!r}: {st.part} has {st.made} of {st.made + st.shortfall} "
                            f"sentences, its held-out {'templates' if split == 'template' else 'values'} "
                            f"expand to no more; train took the other {st.shortfall}")
    if totals:
        smallest, largest = min(totals.values()), max(totals.values())
        if largest > 3 * smallest:
            small = min(totals, key=totals.__getitem__)
            big = max(totals, key=totals.__getitem__)
            warnings.append(f"intents are imbalanced: {big!r} has {largest} sentences, {small!r} only "
                            f"{smallest} (over 3x); enrich the small intents' patterns or lower --per-intent")
    for part in ("valid", "test"):
        ratio = valid_ratio if part == "valid" else test_ratio
        for intent, c in counts.items():
            if ratio > 0 and c[part] == 0:
                warnings.append(f"intent {intent!r} has no {part} sentences; add patterns so some can be "
                                "held out")
    if plan.sentence_split_intents:
        warnings.append(f"split {split!r} fell back to a sentence split for intents with too few "
                        f"templates or no held-out values: {', '.join(plan.sentence_split_intents)}")
    unused = {e: [v for v, n in u.items() if n == 0] for e, u in uses.items()}
    unused = {e: v for e, v in unused.items() if v}
    used_types = pats.entity_types()
    unused = {e: v for e, v in unused.items() if e in used_types}
    if unused:
        n = sum(len(v) for v in unused.values())
        warnings.append(f"{n} dictionary value(s) never used (budget too small or held out of a split): "
                        + ", ".join(f"{e}: {len(v)}" for e, v in sorted(unused.items())))
    warnings.extend(_plain_values(pats, dictionary))
    parts_total = {p: sum(c[p] for c in counts.values()) for p in PARTS}
    split_info = {"mode": split, "valid_ratio": valid_ratio, "test_ratio": test_ratio,
                  "held_out_templates": plan.held_out_templates["valid"] + plan.held_out_templates["test"],
                  "held_out_templates_by_part": plan.held_out_templates,
                  "held_out_values": plan.held_out_values,
                  "sentence_split_intents": plan.sentence_split_intents}
    manifest = {"format": FORMAT, "nlukit_version": version, "seed": seed, "tokenizer": tokenizer,
                "split": split_info, "intents": list(pats.intents), "entity_types": dictionary.entity_types,
                "labels": sorted(labels), "per_intent": per_intent, "augment": list(augment),
                "counts": parts_total, "dictionary_digest": dictionary.digest(),
                "patterns_digest": pats.digest()}
    report = {
        "sentences": {"total": sum(parts_total.values()), **parts_total},
        "per_intent": {i: {**c, "total": totals[i], "target": per_intent} for i, c in counts.items()},
        "per_template": {t.id: {"sentences": per_template[t.id], "split": plan.template_part.get(t.id, "none"),
                                "expansions": count_expansions(t.seq, values), "file": t.path,
                                "line": t.line, "pattern": t.source} for t in pats.templates()},
        "value_uses": uses,
        "unused_values": unused,
        "duplicates_dropped": dups,
        "cross_intent_duplicates": cross,
        "distinct_sentences": distinct,
        "spans": {"total": iob.spans, "not_on_token_boundary": iob.split_spans,
                  "share_not_on_token_boundary": round(iob.split_spans / iob.spans, 4) if iob.spans else 0.0},
        "split": split_info,
        "warnings": warnings,
        "dictionary": {"files": [{"path": s.path, "encoding": s.encoding, "form": s.form, "values": s.values}
                                 for s in dictionary.sources], "warnings": list(dictionary.warnings)},
        "patterns": {"files": pats.files, "warnings": list(pats.warnings)},
    }
    _dump(os.path.join(tmp, "dataset.json"), manifest)
    _dump(os.path.join(tmp, "dictionary.json"), values)
    _dump(os.path.join(tmp, "report.json"), report)
    with open(os.path.join(tmp, PATTERNS_FILE), "w", encoding="utf-8") as fh:
        fh.write(pats.to_text())
    return report


def format_summary(report: dict[str, Any], top: int = 0) -> str:
    """The printed summary of a generation report (what ``nlukit generate`` shows)."""
    s = report["sentences"]
    lines = [f"{s['total']} sentences (train {s['train']}, valid {s['valid']}, test {s['test']}), "
             f"split by {report['split']['mode']}"]
    width = max((len(i) for i in report["per_intent"]), default=6)
    lines.append(f"  {'intent':<{width}}  train  valid   test  total/target  templates")
    by_intent: dict[str, list[int]] = {}
    for tid, t in report["per_template"].items():
        by_intent.setdefault(tid.rsplit("#", 1)[0], []).append(t["sentences"])
    for intent, c in report["per_intent"].items():
        tc = by_intent.get(intent, [])
        spread = f"{len(tc)} ({min(tc)}-{max(tc)} each)" if tc else "0"
        lines.append(f"  {intent:<{width}}  {c['train']:>5}  {c['valid']:>5}  {c['test']:>5}  "
                     f"{c['total']:>5}/{c['target']:<6}  {spread}")
    uses = [n for u in report["value_uses"].values() for n in u.values()]
    n_unused = sum(len(v) for v in report["unused_values"].values())
    if uses:
        lines.append(f"dictionary values: {len(uses)}, used {len(uses) - n_unused}, uses per value "
                     f"min {min(uses)} / max {max(uses)}")
    sp = report["spans"]
    lines.append(f"duplicates dropped: {report['duplicates_dropped']} "
                 f"(across intents: {report['cross_intent_duplicates']}); entity spans: {sp['total']}, "
                 f"not on token boundaries: {sp['not_on_token_boundary']} "
                 f"({100 * sp['share_not_on_token_boundary']:.1f}%, split in the IOB files)")
    for f in report["dictionary"]["files"]:
        lines.append(f"dictionary {f['path']}: {f['encoding']}, {f['form']} form, {f['values']} values")
    for w in report["dictionary"]["warnings"] + report["patterns"]["warnings"] + report["warnings"]:
        lines.append(f"warning: {w}")
    if "out" in report:
        lines.append(f"wrote {report['out']} in {report['seconds']:.1f}s "
                     f"({report['sentences_per_second']:.0f} sentences/s)")
    return "\n".join(lines)
