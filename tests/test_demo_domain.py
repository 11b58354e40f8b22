"""The shipped demo domain (``patterns/`` and ``dicts/``) is valid and rich enough to train on.

These tests read the shipped files with a small self-contained reader (header lines,
slots, alternations, annotated examples) so they guard the domain on their own; the
``generate`` tests at the end run the real grammar and generator over the same files.
"""
from __future__ import annotations

import csv
import itertools
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATTERNS = os.path.join(ROOT, "patterns")
DICTS = os.path.join(ROOT, "dicts")

CORE_INTENTS = {"greeting", "weather", "restaurant", "train_ticket", "alarm", "music"}
OPTIONAL_INTENTS = {"goodbye", "thanks"}
ENTITY_TYPES = {"location", "date", "time", "food", "song", "artist"}
MIN_PATTERNS = 15
MIN_VALUES = 50
# The slots each intent must use somewhere (DESIGN and the shared interface 7).
REQUIRED_SLOTS = {
    "weather": {"location", "date"},
    "restaurant": {"location", "food"},
    "train_ticket": {"location:origin", "location:destination", "date", "time"},
    "alarm": {"date", "time"},
    "music": {"song", "artist"},
}
ROLES = {"location": {"origin", "destination"}}

SLOT_RE = re.compile(r"(?<!\\)\{([^{}:]*)(?::([^{}]*))?\}")
ANNOTATION_RE = re.compile(r"(?<!\\)\[([^\]]+)\]\(([^():]+)(?::([^()]+))?\)")


@dataclass
class PatternLine:
    path: str
    line: int
    intent: str
    text: str
    annotated: bool

    @property
    def where(self) -> str:
        return f"{os.path.relpath(self.path, ROOT)}:{self.line}"


@dataclass
class Domain:
    lines: list[PatternLine] = field(default_factory=list)
    # entity -> canonical value -> synonyms
    dicts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def by_intent(self) -> dict[str, list[PatternLine]]:
        out: dict[str, list[PatternLine]] = defaultdict(list)
        for ln in self.lines:
            out[ln.intent].append(ln)
        return out

    def surfaces(self, entity: str) -> set[str]:
        return {s for v, syns in self.dicts[entity].items() for s in [v, *syns]}


def _strip_comment(line: str) -> str:
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])
            i += 2
            continue
        if line[i] == "#":
            break
        out.append(line[i])
        i += 1
    return "".join(out).strip()


def read_patterns(folder: str) -> tuple[list[PatternLine], list[str]]:
    """Read every ``*.txt`` of ``folder``: ``@intent`` headers and the lines under them."""
    lines: list[PatternLine] = []
    problems: list[str] = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(folder, name)
        intent: str | None = None
        with open(path, encoding="utf-8") as fh:
            for n, raw in enumerate(fh, 1):
                text = _strip_comment(raw.rstrip("\n"))
                if not text:
                    continue
                if text.startswith("@"):
                    intent = text[1:].strip()
                    if not re.fullmatch(r"[a-z][a-z0-9_]*", intent):
                        problems.append(f"{path}:{n}: bad intent name {intent!r}")
                    continue
                if intent is None:
                    problems.append(f"{path}:{n}: pattern before any @intent header")
                    continue
                lines.append(PatternLine(path, n, intent, text, bool(ANNOTATION_RE.search(text))))
    return lines, problems


def read_dicts(folder: str) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    """Read every long-form ``*.csv`` of ``folder`` (``entity,value,synonyms``)."""
    dicts: dict[str, dict[str, list[str]]] = defaultdict(dict)
    problems: list[str] = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".csv"):
            continue
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        if rows[0] != ["entity", "value", "synonyms"]:
            problems.append(f"{path}: header is {rows[0]!r}, expected entity,value,synonyms")
            continue
        for n, row in enumerate(rows[1:], 2):
            if len(row) != 3:
                problems.append(f"{path}:{n}: expected 3 columns, got {len(row)}: {row!r}")
                continue
            entity, value, syns = (c.strip() for c in row)
            if not value or value != row[1]:
                problems.append(f"{path}:{n}: empty value or stray spaces in {row[1]!r}")
            if value in dicts[entity]:
                problems.append(f"{path}:{n}: duplicate value {entity}/{value}")
            dicts[entity][value] = [s.strip() for s in syns.split("|") if s.strip()]
    return dict(dicts), problems


def _alternatives(text: str, i: int = 0, depth: int = 0) -> tuple[list[str], int]:
    """Expand ``(a|b|)`` alternations (nested) of ``text`` from ``i``; return strings and the end."""
    seqs: list[list[str]] = [[""]]
    branches: list[list[str]] = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            seqs.append([text[i + 1]])
            i += 2
        elif ch == "(":
            inner, i = _alternatives(text, i + 1, depth + 1)
            seqs.append(inner)
        elif ch == "|" and depth:
            branches.append(["".join(p) for p in itertools.product(*seqs)])
            seqs = [[""]]
            i += 1
        elif ch == ")" and depth:
            branches.append(["".join(p) for p in itertools.product(*seqs)])
            return [s for b in branches for s in b], i + 1
        else:
            seqs.append([ch])
            i += 1
    if depth:
        raise ValueError(f"unclosed '(' in {text!r}")
    return ["".join(p) for p in itertools.product(*seqs)], i


def expand(text: str) -> list[str]:
    return _alternatives(text)[0]


@pytest.fixture(scope="module")
def domain() -> Domain:
    lines, p1 = read_patterns(PATTERNS)
    dicts, p2 = read_dicts(DICTS)
    return Domain(lines, dicts, p1 + p2)


def _slots(ln: PatternLine) -> list[tuple[str, str | None]]:
    found = [(m.group(1), m.group(2)) for m in SLOT_RE.finditer(ln.text)]
    found += [(m.group(2), m.group(3)) for m in ANNOTATION_RE.finditer(ln.text)]
    return found


def test_should_read_every_shipped_file_without_problems(domain: Domain) -> None:
    # Given the shipped files, When they are read, Then no header, row or encoding problem shows
    assert domain.problems == []
    assert domain.lines and domain.dicts


def test_should_ship_the_demo_intents_each_with_enough_patterns(domain: Domain) -> None:
    per_intent = domain.by_intent()
    assert CORE_INTENTS <= set(per_intent), f"missing intents: {CORE_INTENTS - set(per_intent)}"
    assert set(per_intent) <= CORE_INTENTS | OPTIONAL_INTENTS
    templates = {i: [ln for ln in lns if not ln.annotated] for i, lns in per_intent.items()}
    thin = {i: len(t) for i, t in templates.items() if len(t) < MIN_PATTERNS}
    assert thin == {}, f"intents with fewer than {MIN_PATTERNS} templates: {thin}"


def test_should_not_repeat_a_pattern_line_within_an_intent(domain: Domain) -> None:
    seen: dict[tuple[str, str], str] = {}
    dupes = []
    for ln in domain.lines:
        key = (ln.intent, ln.text)
        if key in seen:
            dupes.append(f"{ln.where} repeats {seen[key]}")
        seen[key] = ln.where
    assert dupes == []


def test_should_have_exactly_the_agreed_entity_types_with_enough_values(domain: Domain) -> None:
    assert set(domain.dicts) == ENTITY_TYPES
    small = {e: len(v) for e, v in domain.dicts.items() if len(v) < MIN_VALUES}
    assert small == {}, f"entity types with fewer than {MIN_VALUES} values: {small}"


def test_should_map_every_surface_to_one_canonical_value(domain: Domain) -> None:
    # a synonym listed under two values (or equal to another value) makes `value` ambiguous
    clashes = []
    for entity, values in domain.dicts.items():
        owner: dict[str, str] = {}
        for value, syns in values.items():
            for s in [value, *syns]:
                if s in owner and owner[s] != value:
                    clashes.append(f"{entity}: {s!r} belongs to {owner[s]!r} and {value!r}")
                owner.setdefault(s, value)
            if len(set(syns)) != len(syns) or value in syns:
                clashes.append(f"{entity}/{value}: repeated synonym {syns}")
    assert clashes == []


def test_should_only_use_slot_types_and_roles_that_exist(domain: Domain) -> None:
    bad = []
    for ln in domain.lines:
        for entity, role in _slots(ln):
            if entity not in domain.dicts:
                bad.append(f"{ln.where}: unknown entity type {entity!r}")
            elif role is not None and role not in ROLES.get(entity, set()):
                bad.append(f"{ln.where}: unexpected role {entity}:{role}")
    assert bad == []


def test_should_use_the_agreed_slots_in_each_intent(domain: Domain) -> None:
    used: dict[str, set[str]] = defaultdict(set)
    for ln in domain.lines:
        for entity, role in _slots(ln):
            used[ln.intent].add(entity if role is None else f"{entity}:{role}")
    for intent, needed in REQUIRED_SLOTS.items():
        assert needed <= used[intent], f"{intent} never uses {needed - used[intent]}"
    # train_ticket locations always carry a role, so origin and destination never blur
    assert "location" not in used["train_ticket"]
    for intent in {"greeting", "goodbye", "thanks"} & set(used):
        assert used[intent] == set(), f"{intent} should have no slots, uses {used[intent]}"


def test_should_mix_patterns_with_and_without_slots(domain: Domain) -> None:
    for intent, lns in domain.by_intent().items():
        if intent not in REQUIRED_SLOTS:
            continue
        with_slots = sum(bool(_slots(ln)) for ln in lns)
        assert with_slots >= MIN_PATTERNS // 2, intent
        assert with_slots < len(lns) or intent == "music" or intent == "restaurant", intent


def test_should_include_annotated_examples_with_known_values(domain: Domain) -> None:
    annotated = [ln for ln in domain.lines if ln.annotated]
    assert {ln.intent for ln in annotated} >= set(REQUIRED_SLOTS)
    for ln in annotated:
        for m in ANNOTATION_RE.finditer(ln.text):
            assert m.group(1) in domain.surfaces(m.group(2)), f"{ln.where}: {m.group(1)!r} not in dicts"


def test_should_balance_parentheses_and_braces_in_every_pattern(domain: Domain) -> None:
    for ln in domain.lines:
        expansions = expand(ln.text)  # raises on an unclosed '('
        assert expansions, ln.where
        stray = [s for s in expansions if re.search(r"(?<!\\)[()]", s)]
        assert stray == [], f"{ln.where}: unbalanced ')' in {ln.text!r}"


def test_should_not_write_dictionary_values_as_plain_text(domain: Domain) -> None:
    # A value written literally (e.g. "오늘 날씨") would be tagged O in one sentence and
    # date in another: the tagger learns contradictions. Values belong in slots.
    surfaces = sorted({s for e in domain.dicts for s in domain.surfaces(e) if len(s) >= 2}, key=len)
    found = []
    for ln in domain.lines:
        if ln.annotated:
            continue
        for sentence in expand(SLOT_RE.sub("\x00", ln.text)):
            hits = [s for s in surfaces if any(s in part for part in sentence.split("\x00"))]
            if hits:
                found.append(f"{ln.where}: {sentence.replace(chr(0), '{…}')!r} contains {hits}")
                break
    assert found == []


def test_should_cover_every_kind_of_value_ending_for_particle_choice(domain: Domain) -> None:
    # particle pairs must be exercised after a consonant, a vowel, ㄹ, a digit and a Latin letter
    def ending(s: str) -> str:
        ch = s[-1]
        if "가" <= ch <= "힣":
            final = (ord(ch) - 0xAC00) % 28
            return "vowel" if final == 0 else "rieul" if final == 8 else "consonant"
        if ch.isdigit():
            return "digit"
        return "latin" if ch.isascii() and ch.isalpha() else "other"

    for entity in ("location", "song", "artist", "food", "date"):
        kinds = {ending(s) for s in domain.surfaces(entity)}
        assert {"vowel", "consonant", "rieul"} <= kinds, f"{entity}: {kinds}"
    assert {"vowel", "consonant", "digit"} <= {ending(s) for s in domain.surfaces("time")}
    every = {ending(s) for e in domain.dicts for s in domain.surfaces(e)}
    assert {"vowel", "consonant", "rieul", "digit", "latin"} <= every
    for entity in ("location", "song", "artist"):
        assert "latin" in {ending(s) for s in domain.surfaces(entity)}, entity


def test_should_list_a_train_station_but_not_a_train_type_as_location(domain: Domain) -> None:
    locations = domain.surfaces("location")
    assert {"서울역", "부산역", "서울", "서울시", "서울특별시"} <= locations
    assert not {"KTX", "SRT", "ktx", "srt"} & locations
    assert domain.dicts["location"]["서울"] == ["서울시", "서울특별시"]
    assert "낼" in domain.dicts["date"]["내일"] and "담주" in domain.dicts["date"]["다음 주"]
    assert "자장면" in domain.dicts["food"]["짜장면"]
    assert {"BTS", "방탄"} <= set(domain.dicts["artist"]["방탄소년단"])


def test_should_load_cleanly_with_the_real_dictionary_reader(domain: Domain) -> None:
    # Given the shipped dicts/, When nlukit reads them, Then every file is long-form UTF-8,
    # nothing is warned about, and synonyms normalise to the canonical value
    from nlukit.generate.dictionary import load_dictionaries

    d = load_dictionaries(DICTS)
    assert d.warnings == []
    assert {(os.path.basename(s.path), s.encoding, s.form) for s in d.sources} == {
        (f"{e}.csv", "utf-8", "long") for e in ENTITY_TYPES}
    assert d.to_json() == domain.dicts
    assert d.canonical("location", "서울특별시") == "서울"
    assert d.canonical("date", "담주") == "다음 주"
    assert d.canonical("artist", "BTS") == "방탄소년단"
    assert d.canonical("time", "19:00") == "오후 7시"
    assert d.canonical("location", "KTX") is None


# --------------------------------------------------------------------------------------------
# The real grammar and generator over the shipped files (what `make demo` runs).

HANGUL_FIRST, HANGUL_LAST = "가", "힣"


def _final(surface: str) -> str | None:
    """'' after a vowel, 'ㄹ' after ㄹ, 'C' after another final consonant; None if not Hangul."""
    ch = surface[-1]
    if not HANGUL_FIRST <= ch <= HANGUL_LAST:
        return None
    jong = (ord(ch) - 0xAC00) % 28
    return "" if jong == 0 else "ㄹ" if jong == 8 else "C"


# attached particle → the finals it may follow
PARTICLE_FITS = {"으로": {"C"}, "로": {"", "ㄹ"}, "은": {"C", "ㄹ"}, "는": {""}, "을": {"C", "ㄹ"},
                 "를": {""}, "이": {"C", "ㄹ"}, "가": {""}, "랑": {""}, "라는": {""}}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> str:
    from nlukit.generate import generate

    out = tmp_path_factory.mktemp("demo") / "data"
    generate(PATTERNS, DICTS, out, per_intent=300, seed=13, progress=False)
    return str(out)


def test_should_parse_every_shipped_line_with_the_real_grammar(domain: Domain) -> None:
    from nlukit.generate.dictionary import load_dictionaries
    from nlukit.generate.grammar import load_patterns

    pats = load_patterns(PATTERNS, dictionary=load_dictionaries(DICTS))
    assert pats.warnings == []
    ours = {i: len(lns) for i, lns in domain.by_intent().items()}
    assert {i: len(ts) for i, ts in pats.intents.items()} == ours
    roles = {(s.entity, s.role) for t in pats.intents["train_ticket"] for s in t.slots()}
    assert {("location", "origin"), ("location", "destination")} <= roles


def test_should_generate_a_balanced_dataset_with_every_intent_and_entity(generated: str) -> None:
    # Given the shipped domain, When `nlukit generate` runs with the Makefile's settings,
    # Then every intent fills its target, every split has every intent, no value is unused,
    # and nothing is warned about
    import json

    from nlukit.dataset import load_dataset

    ds = load_dataset(generated)
    with open(os.path.join(generated, "report.json"), encoding="utf-8") as fh:
        report = json.load(fh)
    assert report["warnings"] == []
    assert report["unused_values"] == {}
    assert {i: c["total"] for i, c in report["per_intent"].items()} == {i: 300 for i in ds.intents}
    assert CORE_INTENTS <= set(ds.intents)
    for part in (ds.train, ds.valid, ds.test):
        assert {ex.intent for ex in part} == set(ds.intents)
    train_labels = {s.entity if s.role is None else f"{s.entity}:{s.role}"
                    for ex in ds.train for s in ex.entities}
    assert train_labels == (ENTITY_TYPES - {"location"}) | {
        "location", "location:origin", "location:destination"}
    # the held-out templates (valid + test) still exercise every entity type
    assert {s.entity for ex in ds.valid + ds.test for s in ex.entities} == ENTITY_TYPES
    # no grammar character leaks into a sentence (an unresolved 은/는, a stray bracket); a slash
    # between digits is a date the dictionary lists (12/25)
    leaks = [ex.text for ex in ds.train + ds.valid + ds.test
             if re.search(r"[{}()\[\]\\@#]|(?<!\d)/|/(?!\d)", ex.text)]
    assert leaks == []
    # spans the tokenizer cuts through stay rare (the tagger splits tokens at them)
    assert report["spans"]["share_not_on_token_boundary"] < 0.05


def test_should_attach_the_particle_that_fits_each_generated_value(generated: str) -> None:
    from nlukit.dataset import read_jsonl

    checked, wrong = 0, []
    for part in ("train", "valid", "test"):
        for ex in read_jsonl(os.path.join(generated, f"{part}.jsonl")):
            for s in ex.entities:
                final = _final(ex.text[s.start:s.end])
                rest = ex.text[s.end:]
                particle = next((p for p in sorted(PARTICLE_FITS, key=len, reverse=True)
                                 if rest.startswith(p) and not rest.startswith(p + "서")), None)
                if final is None or particle is None:
                    continue
                checked += 1
                if final not in PARTICLE_FITS[particle]:
                    wrong.append(f"{ex.text!r} ({ex.template})")
    assert checked >= 100
    assert wrong == []
