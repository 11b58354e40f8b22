r"""The pattern grammar: intents, slots, alternations, particles and annotated examples.

One pattern per line, grouped under ``@intent`` headers (a header may repeat; the
blocks merge). ``#`` starts a comment to the end of the line.

* ``{type}`` / ``{type:role}`` — a slot filled with a dictionary value of ``type``;
* ``(a|b|)`` — an alternation; an empty alternative makes it optional; they nest;
* a particle pair right after a slot (``은/는``, ``이/가``, ``(으)로``, ``(이)랑`` ...)
  takes the form that fits the filled value (:mod:`nlukit.korean`); so does a pair
  opening an alternation after a slot (``{location}(은/는|)``), a pair after an
  alternation (``(서울|부산)은/는``: the chosen word) and after a literal word. A pair
  with nothing or a space before it (``{location} 은/는``) is a located PatternError;
* ``[서울](location)`` / ``[부산](location:destination)`` — an annotated real example,
  its value canonicalised through the dictionary when known;
* ``\{ \} \( \) \| \@ \# \[ \] \\`` — escapes for the special characters.

>>> p = parse_patterns('''@train_ticket
... {location:origin}에서 {location:destination}(으)로 (가는 |)기차 (예매|예약)해줘
... ''', entity_types=["location"])
>>> t = p.intents["train_ticket"][0]
>>> t.id, [s.entity + ":" + s.role for s in t.slots()]
('train_ticket#0', ['location:origin', 'location:destination'])
>>> d = {"location": {"서울": [], "부산": ["부산시"]}}
>>> [text for text, _ in expand(t, d)][:3]
['서울에서 서울로 가는 기차 예매해줘', '서울에서 서울로 가는 기차 예약해줘', '서울에서 서울로 기차 예매해줘']
>>> count_expansions(t.seq, d)
36
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

from ..errors import InputError, PatternError
from ..korean import choose_particle, final_consonant, is_particle_pair, match_particle
from ..types import Span
from .dictionary import Dictionary, is_side_file

__all__ = ["Alt", "Fixed", "Pair", "Patterns", "Slot", "Template", "count_expansions", "expand",
           "load_patterns", "parse_patterns"]

_ESCAPABLE = set("{}()|@#[]\\")
_SPECIAL = set("{}()|@#[]\\")
_NAME_RE = re.compile(r"[^\W\d][\w-]*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Slot:
    """``{entity}`` or ``{entity:role}``, with the particle pair written right after it."""

    entity: str
    role: str | None
    pair: str | None = None


@dataclass(frozen=True, slots=True)
class Fixed:
    """An annotated example ``[text](entity:role)``: fixed surface, canonical ``value``."""

    text: str
    entity: str
    role: str | None
    value: str


@dataclass(frozen=True, slots=True)
class Pair:
    """A particle pair resolved against the text written just before it (an alternation's word)."""

    pair: str
    column: int = field(default=0, compare=False)  # 1-based, for errors


@dataclass(frozen=True, slots=True)
class Alt:
    """``(a|b|)``: one of the options (each a sequence) is chosen."""

    options: tuple[Seq, ...]


Node = str | Slot | Fixed | Alt | Pair
Seq = tuple[Node, ...]


@dataclass(frozen=True)
class Template:
    """One pattern line: ``id`` is ``intent#index`` (index within the merged intent)."""

    intent: str
    index: int
    seq: Seq
    path: str
    line: int
    source: str

    @property
    def id(self) -> str:
        return f"{self.intent}#{self.index}"

    def slots(self) -> list[Slot | Fixed]:
        """Every slot and annotated entity in the template, in order, alternations included."""
        out: list[Slot | Fixed] = []

        def walk(seq: Seq) -> None:
            for n in seq:
                if isinstance(n, (Slot, Fixed)):
                    out.append(n)
                elif isinstance(n, Alt):
                    for o in n.options:
                        walk(o)
        walk(self.seq)
        return out

    def entity_types(self) -> set[str]:
        return {s.entity for s in self.slots()}


@dataclass
class Patterns:
    """Templates by intent (in order of first appearance), the files read and any warnings."""

    intents: dict[str, list[Template]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def templates(self) -> list[Template]:
        return [t for ts in self.intents.values() for t in ts]

    def entity_types(self) -> set[str]:
        return {e for t in self.templates() for e in t.entity_types()}

    def digest(self) -> str:
        """sha256 over intents and their pattern lines: equal patterns, equal digests."""
        import hashlib
        h = hashlib.sha256()
        for intent, ts in self.intents.items():
            h.update(f"@{intent}\n".encode())
            for t in ts:
                h.update(f"{t.source}\n".encode())
        return h.hexdigest()

    def to_text(self) -> str:
        """One pattern file holding every intent and its lines (what a dataset and a bundle keep).

        Parsing it back gives the same intents, templates and template ids, hence the same digest.
        """
        out: list[str] = []
        for intent, ts in self.intents.items():
            out.append(f"@{intent}")
            out.extend(t.source for t in ts)
            out.append("")
        return "\n".join(out)


def _match_pair(line: str, i: int) -> str | None:
    """The pair at ``line[i:]``; ``(이)랑은/는`` is ``(이)랑`` then ``은/는``, not ``(이)랑은``."""
    pair = match_particle(line, i)
    if pair is not None and pair.startswith("("):
        for k in range(4, len(pair)):
            if match_particle(line, i + k) is not None:
                return pair[:k]
    return pair


class _LineParser:
    """Recursive descent over one pattern line, with 1-based columns in errors."""

    def __init__(self, path: str, lineno: int, line: str, known: Sequence[str] | None,
                 dictionary: Dictionary | None) -> None:
        self.path, self.lineno, self.line = path, lineno, line
        self.known = known
        self.dictionary = dictionary
        self.i = 0
        self.warnings: list[str] = []

    def error(self, message: str, column: int | None = None, hint: str = "") -> PatternError:
        col = (self.i if column is None else column) + 1
        return PatternError(self.path, self.lineno, col, message, self.line.rstrip(), hint)

    def parse(self) -> Seq:
        seq = self.seq(top=True)
        if self.i < len(self.line) and self.line[self.i] != "#":  # pragma: no cover
            raise self.error(f"unexpected {self.line[self.i]!r}")
        self.check_pairs(seq, frozenset({"start"}))
        return seq

    def check_pairs(self, seq: Seq, before: frozenset[str]) -> frozenset[str]:
        """What can end the text before each node ("start", "space", "word"); a Pair needs "word"."""
        state = before
        for n in seq:
            if isinstance(n, str):
                if n[-1].isspace():
                    state = frozenset({"space"})
                elif final_consonant(n) is not None:
                    state = frozenset({"word"})
                elif any(c.isalnum() for c in n):
                    state = frozenset({"unreadable"})
                # punctuation only (``/``, ``!``): the pair reads what came before it
            elif isinstance(n, (Slot, Fixed)):
                state = frozenset({"word"})
            elif isinstance(n, Pair):
                if "start" in state:
                    raise self.error(f"particle pair {n.pair!r} has no word before it"
                                     f"{' in some alternative' if len(state) > 1 else ''}; write it right "
                                     f"after a slot or word, e.g. {{location}}{n.pair}", n.column - 1)
                if "space" in state:
                    raise self.error(f"particle pair {n.pair!r} is separated by a space from the word before "
                                     f"it; attach it: {{location}}{n.pair}, not {{location}} {n.pair}",
                                     n.column - 1)
                if "unreadable" in state:
                    raise self.error(f"particle pair {n.pair!r} follows a word with no Korean reading; "
                                     "write the fitting particle itself", n.column - 1)
            else:
                state = frozenset().union(*(self.check_pairs(o, state) for o in n.options))
        return state

    def seq(self, top: bool) -> Seq:
        nodes: list[Node] = []
        text: list[str] = []
        line = self.line

        def flush() -> None:
            if text:
                nodes.append(_SPACES.sub(" ", "".join(text)))
                text.clear()
        while self.i < len(line):
            ch = line[self.i]
            if ch == "\\":
                text.append(self.escape())
            elif ch == "#":
                break  # comment to the end of the line
            elif ch == "{":
                flush()
                nodes.append(self.slot())
                pair = _match_pair(line, self.i)
                if pair is not None:
                    slot = nodes[-1]
                    assert isinstance(slot, Slot)
                    nodes[-1] = Slot(slot.entity, slot.role, pair)
                    self.i += len(pair)
                elif line.startswith("(", self.i):
                    self.check_particle_alternation()
            elif ch == "[":
                flush()
                fixed = self.fixed()
                nodes.append(fixed)
                pair = _match_pair(line, self.i)
                if pair is not None:
                    nodes.append(choose_particle(fixed.text, pair))
                    self.i += len(pair)
            elif ch == "(":
                flush()
                pair = _match_pair(line, self.i)
                if pair is not None:  # (으)로, (이)랑 ...: not an alternation
                    nodes.append(Pair(pair, self.i + 1))
                    self.i += len(pair)
                else:
                    nodes.append(self.alt())
            elif ch in "|)":
                if top:
                    what = "'|' outside parentheses" if ch == "|" else "unmatched ')'"
                    raise self.error(f"{what}; write \\{ch} for a literal {ch!r}")
                break
            elif ch == "}":
                raise self.error("unmatched '}'; write \\} for a literal '}'")
            elif ch == "]":
                raise self.error("unmatched ']'; write \\] for a literal ']'")
            elif ch == "@":
                raise self.error("'@' inside a pattern; intent headers start a line (@intent), "
                                 "write \\@ for a literal '@'")
            else:
                pair = _match_pair(line, self.i)
                if pair is not None:  # 은/는 after a word or opening an alternation
                    flush()
                    nodes.append(Pair(pair, self.i + 1))
                    self.i += len(pair)
                    continue
                text.append(ch)
                self.i += 1
        flush()
        return tuple(nodes)

    def escape(self) -> str:
        nxt = self.line[self.i + 1] if self.i + 1 < len(self.line) else ""
        if nxt not in _ESCAPABLE or not nxt:
            shown = f"'\\{nxt}'" if nxt else "'\\' at the end of the line"
            raise self.error(f"bad escape {shown}; only \\{{ \\}} \\( \\) \\| \\@ \\# \\[ \\] \\\\ "
                             "are escapes, write \\\\ for a backslash")
        self.i += 2
        return nxt

    def name(self, what: str, end: str) -> tuple[str, int]:
        start = self.i
        j = self.line.find(end, start)
        if j < 0:
            raise self.error(f"unclosed {what}", start - 1)
        return self.line[start:j], j

    def slot(self) -> Slot:
        open_at = self.i
        self.i += 1
        j = self.i
        while j < len(self.line) and self.line[j] not in "}{()|[]#":
            j += 1
        if j >= len(self.line) or self.line[j] != "}":
            raise self.error("unclosed '{': a slot is written {type} or {type:role}", open_at)
        body = self.line[self.i:j].strip()
        if not body:
            raise self.error("empty slot '{}': name an entity type, e.g. {location}", open_at)
        entity, _, role = body.partition(":")
        entity, role = entity.strip(), role.strip()
        if not _NAME_RE.fullmatch(entity):
            raise self.error(f"bad entity type name {entity!r} in slot; use letters, digits, '_' or '-'",
                             open_at)
        if ":" in body and not _NAME_RE.fullmatch(role):
            raise self.error(f"bad role name {role!r} in slot {{{body}}}; write {{type:role}}, "
                             "e.g. {location:origin}", open_at)
        self.check_entity(entity, open_at)
        self.i = j + 1
        return Slot(entity, role or None)

    def check_particle_alternation(self) -> None:
        """Warn about ``{food}(을|를)``: an alternation picks at random, a pair fits the value."""
        end = self.line.find(")", self.i)
        options = self.line[self.i + 1:end].split("|") if end > 0 else []
        if len(options) == 2 and all(options) and is_particle_pair("/".join(options)):
            pair = "/".join(options)
            self.warnings.append(
                f"{self.path}:{self.lineno}:{self.i + 1}: ({'|'.join(options)}) after a slot picks either "
                f"form at random; write {pair} to choose the form that fits the value")

    def check_entity(self, entity: str, column: int) -> None:
        if self.known is not None and entity not in self.known:
            known = ", ".join(sorted(self.known)) or "none"
            hint = self.dictionary.misread_type(entity) if self.dictionary is not None else None
            raise self.error(f"unknown entity type {entity!r} (known: {known})", column, hint or "")

    def fixed(self) -> Fixed:
        open_at = self.i
        self.i += 1
        chars: list[str] = []
        while True:
            if self.i >= len(self.line):
                raise self.error("unclosed '[': an annotated example is written [text](entity)", open_at)
            ch = self.line[self.i]
            if ch == "\\":
                chars.append(self.escape())
                continue
            if ch == "]":
                break
            if ch in "{}()|[#@":
                raise self.error(f"{ch!r} inside an annotated example [text](entity); "
                                 f"write \\{ch} for a literal {ch!r}")
            chars.append(ch)
            self.i += 1
        text = _SPACES.sub(" ", "".join(chars)).strip()
        if not text:
            raise self.error("empty annotated text '[]'; write [서울](location)", open_at)
        self.i += 1
        if self.i >= len(self.line) or self.line[self.i] != "(":
            raise self.error("expected '(entity)' right after ']' of an annotated example, "
                             "e.g. [서울](location)")
        label_at = self.i
        j = self.line.find(")", self.i)
        if j < 0:
            raise self.error("unclosed '(' after an annotated example", label_at)
        body = self.line[self.i + 1:j].strip()
        entity, _, role = body.partition(":")
        entity, role = entity.strip(), role.strip()
        if not _NAME_RE.fullmatch(entity) or (":" in body and not _NAME_RE.fullmatch(role)):
            raise self.error(f"bad annotation ({body}); write (entity) or (entity:role)", label_at)
        self.check_entity(entity, label_at + 1)
        self.i = j + 1
        value = text
        if self.dictionary is not None:
            value = self.dictionary.canonical(entity, text) or text
        return Fixed(text, entity, role or None, value)

    def alt(self) -> Alt:
        open_at = self.i
        self.i += 1
        options: list[Seq] = []
        while True:
            options.append(self.seq(top=False))
            if self.i >= len(self.line) or self.line[self.i] == "#":
                raise self.error("unclosed '(': an alternation is written (a|b|c)", open_at)
            ch = self.line[self.i]
            self.i += 1
            if ch == ")":
                break
        if len(options) == 1 and not options[0]:
            raise self.error("empty alternation '()'; write (a|b), or (a|) for an optional part", open_at)
        return Alt(tuple(options))


def parse_patterns(text: str, path: str = "<patterns>", *, entity_types: Iterable[str] | None = None,
                   dictionary: Dictionary | None = None, into: Patterns | None = None) -> Patterns:
    """Parse pattern text. Unknown slot types are errors when ``entity_types`` or ``dictionary`` is given."""
    known: list[str] | None = None
    if entity_types is not None:
        known = list(entity_types)
    elif dictionary is not None:
        known = dictionary.entity_types
    pats = into if into is not None else Patterns()
    pats.files.append(path)
    intent: str | None = None
    header_at: dict[str, tuple[int, str]] = {}
    seen: dict[tuple[str, Seq], str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = unicodedata.normalize("NFC", raw.lstrip("\ufeff"))
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = len(line) - len(line.lstrip())
        if stripped.startswith("@"):
            body = stripped[1:].split("#", 1)[0].strip()
            if not _NAME_RE.fullmatch(body):
                raise PatternError(path, lineno, lead + 2,
                                   f"bad intent name {body!r}; write @name with letters, digits, "
                                   "'_' or '-', e.g. @weather", line.rstrip())
            intent = body
            pats.intents.setdefault(intent, [])
            header_at.setdefault(intent, (lineno, line.rstrip()))
            continue
        if intent is None:
            raise PatternError(path, lineno, lead + 1, "pattern before any @intent header; "
                               "start the file with a line like @weather", line.rstrip())
        parser = _LineParser(path, lineno, line, known, dictionary)
        seq = parser.parse()
        pats.warnings.extend(parser.warnings)
        wide = line.find("\uff5b") + 1 or line.find("\uff5d") + 1
        if wide:  # a Korean IME in full-width mode: ｛location｝ would be generated as it stands
            pats.warnings.append(f"{path}:{lineno}:{wide}: full-width braces '\uff5b\uff5d' are plain text, "
                                 "not a slot; write a slot with ASCII braces, e.g. {location}")
        seq = _trim(seq)
        if not seq:
            continue  # only a comment after spaces
        key = (intent, seq)
        if key in seen:
            pats.warnings.append(f"{path}:{lineno}: duplicate pattern in @{intent} (same as {seen[key]}); "
                                 "it is kept once")
            continue
        seen[key] = f"{path}:{lineno}"
        ts = pats.intents[intent]
        ts.append(Template(intent, len(ts), seq, path, lineno, stripped))
    for name, (lineno, line) in header_at.items():
        if not pats.intents[name]:
            raise PatternError(path, lineno, 1, f"intent @{name} has no patterns; add at least one "
                               "line below the header or remove it", line)
    return pats


def _trim(seq: Seq) -> Seq:
    """Drop leading/trailing whitespace-only text of a top-level sequence."""
    nodes = list(seq)
    if nodes and isinstance(nodes[0], str):
        nodes[0] = nodes[0].lstrip()
        if not nodes[0]:
            nodes.pop(0)
    if nodes and isinstance(nodes[-1], str):
        nodes[-1] = nodes[-1].rstrip()
        if not nodes[-1]:
            nodes.pop()
    return tuple(nodes)


def load_patterns(path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
                  dictionary: Dictionary | None = None, entity_types: Iterable[str] | None = None) -> Patterns:
    """Read a pattern file, every ``*.txt`` of a folder in sorted order (hidden and Office lock
    files skipped), or a list of such paths; intents merge."""
    paths = [os.fspath(path)] if isinstance(path, (str, os.PathLike)) else [os.fspath(p) for p in path]
    if not paths:
        raise InputError("no pattern path given; pass a *.txt file or a folder of them")
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(os.path.join(p, f) for f in os.listdir(p) if f.lower().endswith(".txt")
                           and not is_side_file(f) and os.path.isfile(os.path.join(p, f)))
            if not found:
                raise InputError(f"pattern folder {p} holds no *.txt file; add e.g. weather.txt "
                                 "with '@weather' and patterns below it")
            files.extend(found)
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise InputError(f"pattern path {p} does not exist; pass a *.txt file or a folder of them")
    pats = Patterns()
    for f in files:
        try:
            with open(f, "rb") as fh:
                utf16 = fh.read(2) in (b"\xff\xfe", b"\xfe\xff")
            if utf16:  # Notepad's "Unicode", Excel's "Unicode text"
                with open(f, encoding="utf-16") as fh:
                    text = fh.read()
                pats.warnings.append(f"{f}: read as UTF-16; save pattern files as UTF-8")
            else:
                with open(f, encoding="utf-8") as fh:
                    text = fh.read()
        except UnicodeDecodeError as exc:
            try:
                with open(f, "rb") as fh:
                    raw = fh.read()
                line = raw[:exc.start].count(b"\n") + 1
                text = raw.decode("cp949")
                pats.warnings.append(f"{f}: read as cp949 (byte {exc.start} on line {line} is not UTF-8); "
                                     "save pattern files as UTF-8")
            except UnicodeDecodeError:
                raise PatternError(f, line, 1, "not UTF-8 text; save the pattern file as UTF-8") from exc
        parse_patterns(text, f, entity_types=entity_types, dictionary=dictionary, into=pats)
    if not pats.intents:
        raise PatternError(files[0], 1, 1, "no @intent found; start with a header like @weather")
    folded: dict[str, str] = {}
    for name in pats.intents:
        same = folded.setdefault(name.casefold(), name)
        if same != name:
            at = pats.intents[name][0]
            pats.warnings.append(f"{at.path}:{at.line}: intent @{name} differs from @{same} only in case; "
                                 "they are two intents — write one name if they are one")
    first: dict[Seq, Template] = {}
    for t in pats.templates():
        other = first.setdefault(t.seq, t)
        if other.intent != t.intent:
            pats.warnings.append(f"{t.path}:{t.line}: the same pattern as {other.path}:{other.line} of "
                                 f"@{other.intent}, here in @{t.intent}: a sentence keeps one intent, so "
                                 "the two share its sentences; keep the pattern in one intent")
    return pats


def count_expansions(seq: Seq, dictionary: Mapping[str, Mapping[str, Sequence[str]]]) -> int:
    """How many sentences ``seq`` expands to (slot = every value and synonym of its type)."""
    total = 1
    for n in seq:
        if isinstance(n, Slot):
            vals = dictionary.get(n.entity, {})
            total *= sum(1 + len(s) for s in vals.values())
        elif isinstance(n, Alt):
            total *= sum(count_expansions(o, dictionary) for o in n.options)
    return total


Piece = str | Pair | tuple[str, str, str | None, str]  # text, a pair, or (surface, entity, role, value)


def _pieces(seq: Seq, dictionary: Mapping[str, Mapping[str, Sequence[str]]]) -> Iterator[list[Piece]]:
    choices: list[list[list[Piece]]] = []
    for n in seq:
        if isinstance(n, (str, Pair)):
            choices.append([[n]])
        elif isinstance(n, Fixed):
            choices.append([[(n.text, n.entity, n.role, n.value)]])
        elif isinstance(n, Slot):
            opts: list[list[Piece]] = []
            for value, syns in dictionary.get(n.entity, {}).items():
                for surface in (value, *syns):
                    p: list[Piece] = [(surface, n.entity, n.role, value)]
                    if n.pair:
                        p.append(choose_particle(surface, n.pair))
                    opts.append(p)
            choices.append(opts)
        else:
            choices.append([p for o in n.options for p in _pieces(o, dictionary)])
    for combo in product(*choices):
        yield [p for part in combo for p in part]


def assemble(pieces: Iterable[Piece]) -> tuple[str, list[Span]]:
    """Join pieces into a sentence with single spaces, recording entity spans."""
    out: list[str] = []
    spans: list[Span] = []
    length = 0
    last_space = True
    for p in pieces:
        if isinstance(p, Pair):
            p = choose_particle("".join(out), p.pair)  # read from the end of the text so far
        if isinstance(p, str):
            if last_space:
                p = p.lstrip(" ")
            if not p:
                continue
            out.append(p)
            length += len(p)
            last_space = p[-1] == " "
        else:
            surface, entity, role, value = p
            spans.append(Span(length, length + len(surface), entity, value, role))
            out.append(surface)
            length += len(surface)
            last_space = False
    text = "".join(out)
    if text.endswith(" "):
        text = text.rstrip(" ")
    return text, spans


def expand(template: Template, dictionary: Mapping[str, Mapping[str, Sequence[str]]] | Dictionary
           ) -> Iterator[tuple[str, list[Span]]]:
    """Every sentence of ``template`` in order (the full product: use on small templates only)."""
    d = dictionary.entities if isinstance(dictionary, Dictionary) else dictionary
    for pieces in _pieces(template.seq, d):
        yield assemble(pieces)
