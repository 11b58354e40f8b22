"""The runtime: a loaded model bundle that turns texts into :class:`ParseResult` s.

Example (needs a trained bundle, so not run as a doctest)::

    import nlukit
    nlu = nlukit.load("models/demo")
    nlu.parse("내일 서울에서 부산으로 가는 기차 예매해줘").intent.name   # 'train_ticket'

The text is normalised once (:func:`nlukit.text.normalize`), tokenised once with the
tokenizer the bundle was trained with, and the same tokens go to the intent
classifier and the entity tagger. Models return numbers; only this module builds
results: entity spans are mapped back to the caller's original offsets and their
values canonicalised through the bundle's dictionary.

When the best intent scores below the threshold the intent model chose on
validation data, ``intent`` is ``fallback`` with confidence ``1 - best score`` (how
sure the model is that nothing matched); ``ranking`` still lists the real intents.
"""
from __future__ import annotations

import copy
import datetime
import gc
import operator
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import repeat
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Protocol

from .errors import BundleError, InputError, ModelError, TextTooLongError
from .numerals import COUNTERS, amount_extent, approx_count, count, count_extent, digits, money
from .temporal import KINDS, RESOLVERS, check_today, resolve
from .text import Normalized, fold_ascii_case, get_tokenizer, normalize
from .types import Entity, IntentScore, ParseResult, Token, _build_intent_scores

if TYPE_CHECKING:  # pragma: no cover
    from .generate.dictionary import Dictionary

FALLBACK_INTENT = "fallback"
DEFAULT_MAX_TEXT_LENGTH = 1000

Item = tuple[str, list[Token]]
RawSpan = tuple[int, int, str, "str | None", float]


class IntentModel(Protocol):
    labels_: list[str]
    threshold_: float

    def predict_proba(self, items: list[Item]) -> Any: ...


class TaggerModel(Protocol):
    def predict(self, items: list[Item], *, validate: bool = True) -> list[list[RawSpan]]: ...


_ENTITY_OF = operator.itemgetter(2)   # of a raw span (start, end, entity, role, confidence)


def _surface_key(s: str) -> str:
    return "".join(s.split()).lower()


_NON_WORD = re.compile(r"[\W_]+")
#: a number of days, hours or minutes, in digits or Sino-Korean number words (24, 이십사)
_NUMBER_WORD = r"(?:\d{1,2}|[일이삼사오육칠팔구십]{1,3})"
_RANGE_JOIN = re.compile(r" ?(?:부터|에서|~) ?")   # 12월 24일부터 26일: two dates, one range
# ... or a date and a day after it the tagger did not tag (12월 24일부터 26일까지)
_RANGE_DAY = re.compile(_RANGE_JOIN.pattern + _NUMBER_WORD + r" ?일(?=까지|사이|\s|$|[^가-힣])")
# the minutes after an hour the tagger ended at 시 (3시 | 반에, 세 시 | 십오 분, 3시 | 5분 전): 반 or
# N분 (전), then the end of the word or a particle
_MINUTES_AFTER = re.compile(rf" ?(?:반|{_NUMBER_WORD} ?분(?: ?전)?)"
                            r"(?=$|[\s,.!?~]|에|으로|로|까지|쯤|부터|이|은|도|만|요|엔)")
#: what Korean chat adds around a request and never is one alone: laughter, crying and
#: emphasis jamo (ㅋㅋ ㅎㅎ ㅠㅠ ㅜㅜ ㄷㄷ ㅡㅡ ㅠㅅㅠ) and signs (^^ ;; ~ ... ?! ♥). A text made only
#: of these falls back whatever the model says (the demo patterns end greetings with ㅎㅎ,
#: so ㅎㅎ alone read as one). Abbreviations (ㄳ, ㅂㅂ, ㅇㅋ, ㅎㅇ) are not among them.
CHAT_NOISE = "ㅋㅎㅠㅜㄷㅡㅅ^;~.,?!♥♡*_-=ㆍ… "


#: particles a span may have run into: cut off when the dictionary word before them is known
# a word that asks for a time or date (몇 시, 몇시, 며칠, 언제, 무슨 요일): the question, never its answer
_ASKING = re.compile(r"(?:몇|며칠|메칠|언제|무슨|어느)(?![가-힣])|몇\s?[시분월일]")
# ... said just before a span the tagger began after it (무슨 | 요일, 몇 | 분 뒤): the span is asked about too
_ASKING_BEFORE = re.compile(r"(?:^|(?<=[^가-힣]))(?:몇|무슨|어느)\s?$")
_PARTICLES = frozenset(("에서", "에서는", "에서도", "에서부터", "으로", "으로는", "로", "로는", "에", "에는", "에도",
                        "은", "는", "이", "가", "을", "를", "의", "도", "만", "까지", "부터", "에게", "한테",
                        "랑", "이랑", "과", "와", "하고", "처럼", "보다"))


def memory_key(text: str) -> str:
    """How a text is looked up among the training sentences: lower case, letters and digits only.

    >>> memory_key("바이~!"), memory_key("Thank  you ^^"), memory_key("ㄱㅅ ㄱㅅ")
    ('바이', 'thankyou', 'ㄱㅅㄱㅅ')
    """
    key = text.lower().replace(" ", "")
    # what str.isalnum accepts, \w matches too (with _): most keys need no regex at all
    return key if key.isalnum() else _NON_WORD.sub("", key)


def build_memory(examples: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``{memory_key(text): intent}`` of ``(text, intent)`` pairs, texts given to two intents left out.

    >>> build_memory([("바이", "goodbye"), ("바이!", "goodbye"), ("좋아", "thanks"), ("좋아", "music")])
    {'바이': 'goodbye'}
    """
    out: dict[str, str] = {}
    clash: set[str] = set()
    for text, intent in examples:
        key = memory_key(text)
        if not key or key in clash:
            continue
        if out.setdefault(key, intent) != intent:
            clash.add(key)
            del out[key]
    return out


def _digits_key(s: str) -> str:
    """The surface key with number words read as digits (``세 시 반`` → ``3시30분``)."""
    return _surface_key(digits(s))


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector while a batch is parsed.

    A batch allocates and keeps tens of thousands of small objects (tokens, scores,
    results); every so many of them Python runs a full collection, which walks every
    object of the process — with torch loaded, hundreds of thousands — and costs
    about a quarter of ``parse_batch``'s time. Parsing creates few if any reference cycles,
    so nothing is lost by deferring it. Nested and concurrent batches share one pause;
    the collector's previous state comes back when the last one ends.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


SINGLE_MAX = 2   # parse_batch() of at most this many texts parses them one by one


class Canonicalizer:
    """Maps an entity surface to its canonical dictionary value (``서울시`` → ``서울``).

    Lookup ignores case and spacing (``서울 특별시`` finds ``서울특별시``), then reads number
    words before counters as digits (:func:`nlukit.numerals.digits`), so ``오후 세 시 반``
    finds ``오후 3시 30분`` through its synonym ``오후 3시 반``; an unknown surface is its
    own value.

    >>> c = Canonicalizer({"location": {"서울": ["서울시", "서울 특별시"]},
    ...                    "time": {"오후 3시 30분": ["오후 3시 반"]}})
    >>> c("location", "서울특별시"), c("location", "서울"), c("location", "목포"), c("date", "서울시")
    ('서울', '서울', '목포', '서울시')
    >>> c("time", "오후 세 시 반"), c("time", "오후 세시 삼십분"), c("time", "세 시")
    ('오후 3시 30분', '오후 3시 30분', '세 시')
    """

    def __init__(self, dictionary: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self._maps: dict[str, dict[str, str]] = {}
        for entity, values in dictionary.items():
            m: dict[str, str] = {}
            for value, synonyms in values.items():
                for s in synonyms or ():
                    m.setdefault(_surface_key(s), value)
            for value in values:  # a value is always itself, even if listed as a synonym elsewhere
                m[_surface_key(value)] = value
            # the same surfaces with number words as digits, where that spells them otherwise
            for value, synonyms in values.items():
                for s in (value, *(synonyms or ())):
                    m.setdefault(_digits_key(s), value)
            self._maps[entity] = m

    def __call__(self, entity: str, surface: str) -> str:
        hit = self.get(entity, surface)
        return surface if hit is None else hit

    def get(self, entity: str, surface: str) -> str | None:
        """The canonical value of ``surface``, or None when the dictionary does not list it."""
        m = self._maps.get(entity)
        if m:
            hit = m.get(surface)
            if hit is not None:
                return hit
            hit = m.get(_surface_key(surface))
            if hit is not None:
                return hit
            return m.get(_digits_key(surface))
        return None


class NLU:
    """A loaded model: :meth:`parse` and :meth:`parse_batch` (thread-safe, load once)."""

    def __init__(self, intent_model: IntentModel, tagger: TaggerModel | None,
                 dictionary: Mapping[str, Mapping[str, Sequence[str]]], *,
                 tokenizer: str = "mecab", meta: Mapping[str, Any] | None = None,
                 max_text_length: int | None = None, batch_size: int = 1024,
                 path: str | None = None, resolve: Mapping[str, str] | None = None,
                 memory: Mapping[str, str] | None = None) -> None:
        self._intent = intent_model
        self._tagger = tagger
        self._dictionary_json = {k: {v: list(s) for v, s in vals.items()} for k, vals in dictionary.items()}
        self._canonical = Canonicalizer(self._dictionary_json)
        self._tokenizer = get_tokenizer(tokenizer)
        self.tokenizer_name = tokenizer
        self.meta: dict[str, Any] = dict(meta or {})
        self.path = path
        cfg_train = (self.meta.get("config") or {}).get("train") or {}
        self.max_text_length = int(max_text_length or cfg_train.get("max_text_length")
                                   or DEFAULT_MAX_TEXT_LENGTH)
        # texts per chunk of parse_batch (one intent and one tagger call each): 1,024 rather than 512
        # halves the calls' fixed costs (their NumPy/torch set-up, the tagger's per-step loops over
        # chunks of similar lengths), ~7 % of parse_batch on the demo; a chunk's arrays stay a few MB
        self.batch_size = max(1, int(batch_size or cfg_train.get("batch_size") or 1024))
        labels = list(getattr(intent_model, "labels_", []) or [])
        if not labels:
            raise ModelError("the intent model has no labels; it is not fitted — retrain")
        self._labels = labels
        self._label_rank: Any = None  # position of each label in name order, for ranking ties
        threshold = getattr(intent_model, "threshold_", 0.0)
        self.threshold = float(threshold) if threshold is not None else 0.0
        self.fallback_intent = FALLBACK_INTENT
        self.intents: tuple[str, ...] = tuple(self.meta.get("intents") or labels)
        ents = self.meta.get("entity_types") or sorted(self._dictionary_json)
        self.entity_types: tuple[str, ...] = tuple(ents)
        self.resolve = _check_resolve(resolve, self.entity_types)
        # training sentences (by memory_key) and their intents: a text the model was
        # taught word for word is that intent, however unsure the model is of it
        self._memory = {k: v for k, v in (memory or {}).items() if v in labels}
        self._taught: dict[str, tuple[IntentScore, ...]] = {}
        self._dictionary: Dictionary | None = None
        self._dict_lock = threading.Lock()

    # -------------------------------------------------------------- properties

    @property
    def dictionary(self) -> Dictionary:
        """The dictionaries the model was trained with (a :class:`Dictionary`)."""
        if self._dictionary is None:
            with self._dict_lock:
                if self._dictionary is None:
                    from .generate.dictionary import Dictionary
                    self._dictionary = Dictionary.from_json(self._dictionary_json)
        return self._dictionary

    @property
    def dictionary_json(self) -> dict[str, dict[str, list[str]]]:
        return {k: {v: list(s) for v, s in vals.items()} for k, vals in self._dictionary_json.items()}

    def canonical(self, entity: str, surface: str) -> str:
        """The canonical value of ``surface`` for ``entity`` (itself when unknown)."""
        return self._canonical(entity, surface)

    def __repr__(self) -> str:
        return (f"NLU(name={self.meta.get('name')!r}, version={self.meta.get('version')!r}, "
                f"intents={len(self.intents)}, entity_types={list(self.entity_types)})")

    # -------------------------------------------------------------- parsing

    def _prepare(self, text: Any) -> tuple[Normalized, list[Token]] | None:
        if not isinstance(text, str):
            raise InputError(f"parse() takes a str, got {type(text).__name__}; pass the text "
                             "as a string")
        if len(text) > self.max_text_length:
            raise TextTooLongError(
                f"text is {len(text)} characters, over the limit of {self.max_text_length}; "
                "split it, or raise train.max_text_length when training")
        norm = normalize(text)
        if not norm.text or norm.text.isspace():
            return None
        return norm, self._tokenizer.tokenize(norm.text)

    def _date_ranges(self, text: str, spans: Sequence[RawSpan], today: datetime.date) -> Sequence[RawSpan]:
        """``spans`` with two dates joined by 부터, ~ or 에서 (``12월 24일부터 26일까지``: the tagger's
        two spans) made one span when together they read as a range of days; the 까지 after
        the second stays out, as a particle does."""
        out: list[RawSpan] = []
        for span in spans:
            if out:
                a = out[-1]
                if (a[2] == span[2] and a[3] == span[3] and self.resolve.get(span[2]) == "date"
                        and _RANGE_JOIN.fullmatch(text, a[1], span[0])):
                    got = resolve("date", text[a[0]:span[1]], today)
                    if got is not None and got.get("kind") == "date_range":
                        out[-1] = (a[0], span[1], a[2], a[3], min(a[4], span[4]))
                        continue
            out.append(span)
        for k, (start, end, entity, role, conf) in enumerate(out):
            # 12월 24일부터 [26일]까지: the day after 부터 the tagger left out, joined when it reads as a range
            m = _RANGE_DAY.match(text, end) if self.resolve.get(entity) == "date" else None
            if m is None or (k + 1 < len(out) and out[k + 1][0] < m.end()):
                continue
            got = resolve("date", text[start:m.end()], today)
            if got is not None and got.get("kind") == "date_range":
                out[k] = (start, m.end(), entity, role, conf)
        return out

    def _dates_in_times(self, text: str, spans: Sequence[RawSpan], today: datetime.date) -> Sequence[RawSpan]:
        """``spans`` with a time span the tagger ran over the date said before it (``내일 7시``,
        ``낼 2시``, ``오늘 밤 9시``: no time as a whole) cut at a space into that date, of the type
        read as dates, and the time, when the first part reads as a date and the rest as a time."""
        date_type = next((t for t, kind in self.resolve.items() if kind == "date"), None)
        out: list[RawSpan] = []
        for span in spans:
            start, end, entity, role, conf = span
            surface = text[start:end]
            if (date_type is not None and self.resolve.get(entity) == "time" and " " in surface
                    and self._canonical.get(entity, surface) is None and resolve("time", surface) is None):
                for cut in (i for i, c in enumerate(surface) if c == " "):
                    head, tail = surface[:cut], surface[cut + 1:]
                    if (resolve("date", self._canonical.get(date_type, head) or head, today) is not None
                            and resolve("time", self._canonical.get(entity, tail) or tail) is not None):
                        out.append((start, start + cut, date_type, None, conf))
                        span = (start + cut + 1, end, entity, role, conf)
                        break
            out.append(span)
        return out

    def _spelled_dates(self, text: str, spans: Sequence[RawSpan], today: datetime.date) -> Sequence[RawSpan]:
        """``spans`` with each date span the tagger cut short of its month or of its number
        grown to the whole date: ``십이월 [삼일]`` (the month left out, or tagged apart as a date of
        its own: ``[십이월] [삼일]``), ``시월 이[십일]``, ``12월 [3일]``; only when the whole reads as
        one date, never into another span."""
        out: list[RawSpan] = []
        for span in spans:
            start, end, entity, role, conf = span
            if self.resolve.get(entity) == "date":
                prev = out[-1] if out else None
                lo = prev[1] if prev is not None else 0
                month_alone = (prev is not None and prev[2] == entity and not text[prev[1]:start].strip()
                               and _MONTH_ALONE.fullmatch(text, prev[0], prev[1]) is not None)
                if month_alone:
                    lo = prev[0]   # type: ignore[index]
                new = _date_start(text, start, end, lo, today)
                if new != start:
                    if month_alone and new <= prev[0]:   # type: ignore[index]
                        out.pop()
                        conf = min(conf, prev[4])   # type: ignore[index]
                    span = (new, end, entity, role, conf)
            out.append(span)
        return out

    def _dictionary_end(self, text: str, start: int, end: int, entity: str, next_start: int | None) -> int:
        """Where a span the dictionary does not know should end: at the end of a dictionary
        surface of its type that starts where it starts and goes on (up to 3 characters
        further, never into the next span), or that stops at a space before a word the
        dictionary does not know; else where the tagger ended it."""
        gaz = getattr(self._tagger, "gazetteer_", None)
        if gaz is None or not len(gaz):
            return end
        for s, e, types in gaz.find(text, [start]):
            if s == start and end < e <= end + 3 and entity in types and (next_start is None or e <= next_start):
                return e
            # run past a dictionary word into a word the dictionary does not know
            # (NCT 127 | 플레이리스트): the dictionary word, unless what follows is one too
            if s == start and e < end and text[e] == " " and entity in types \
                    and not any(entity in t for _, _, t in gaz.find(text[:end], [e + 1])):
                return e
            # or into the particle after it (서울에서, from a tagger that never saw one there):
            # a particle is never part of a span
            if s == start and e < end and entity in types and text[e:end] in _PARTICLES:
                return e
        return end

    def _dictionary_longer(self, text: str, start: int, end: int, entity: str, next_start: int | None) -> int:
        """Where a span of a dictionary surface should end when the word goes on into a longer
        surface of its type that ends the word or stops before a particle (헬스 | 장이랑, 서울 | 시로:
        헬스장이랑, 서울시로, with both surfaces listed); else where the tagger ended it."""
        if end >= len(text) or not text[end].isalnum():
            return end   # the span ends its word: nothing to grow into
        gaz = getattr(self._tagger, "gazetteer_", None)
        if gaz is None or not len(gaz) or not gaz.begins(fold_ascii_case(text[start:end + 1])):
            return end   # no surface goes on past the span's end (서울 | 에서): no longer match
        best = end
        for s, e, types in gaz.find(text, [start]):
            if s == start and e > best and entity in types and (next_start is None or e <= next_start):
                rest = text[e:].split(" ", 1)[0]
                if not rest or rest in _PARTICLES or not rest[0].isalnum():
                    best = e
        return best

    def unseen(self, dataset: Any, split: str, fitted_on: Iterable[str]) -> NLU:
        """A copy that has not memorised ``split`` of ``dataset``: the memory without the
        sentences only that split teaches (those of the ``fitted_on`` splits stay), to score a
        split the model memorised as if it had never seen it."""
        keep = {memory_key(ex.text) for part in fitted_on for ex in getattr(dataset, part)}
        drop = {memory_key(ex.text) for ex in getattr(dataset, split)} - keep
        other = copy.copy(self)
        other._memory = {k: v for k, v in self._memory.items() if k not in drop}
        other._taught = {}
        return other

    def parse(self, text: str, *, today: datetime.date | None = None) -> ParseResult:
        """Intent, ranking and entities of one text (offsets into ``text``).

        ``today`` is the date relative dates (``내일``) are resolved from: the caller's
        today where the user is; by default this machine's local date.
        """
        today = check_today(today)
        prepared = self._prepare(text)
        if prepared is None:
            return ParseResult(text=text, intent=None, entities=(), ranking=())
        norm, tokens = prepared
        item = [(norm.text, tokens)]
        taught = self._taught_intent(norm.text)
        # a memorised sentence's ranking is its intent alone: the intent model is not asked
        probs = self._intent.predict_proba(item)[0] if taught is None else None
        spans = self._tagger.predict(item, validate=False)[0] if self._tagger is not None else []
        return self._result(norm, probs, spans, today=today, taught=taught)

    def parse_batch(self, texts: Iterable[str], *, today: datetime.date | None = None
                    ) -> list[ParseResult]:
        """Parse many texts with one intent and one tagger call per chunk; equals :meth:`parse`."""
        if isinstance(texts, str):
            raise InputError("parse_batch() takes a list of texts, got one str; use parse() "
                             "for a single text")
        texts = texts if isinstance(texts, list) else list(texts)
        today = check_today(today)
        if len(texts) <= SINGLE_MAX:
            # one or two texts: parse() runs the models in NumPy, which beats one batched
            # torch call here (per text, 2 in a batch: 1.10 ms, one by one: 1.01 ms)
            return [self.parse(t, today=today) for t in texts]
        if self.resolve and today is None:
            today = datetime.date.today()  # one date for the whole batch
        with _gc_paused():
            return self._parse_batch(texts, today)

    def _prepare_many(self, texts: list[str]) -> list[tuple[Normalized, list[Token]] | None]:
        """:meth:`_prepare` of each text (the same first error), tokenised in one call when the
        tokenizer can (``tokenize_many``: no call and lock per text)."""
        norms = self._normalized_many(texts)
        keep = [k for k, norm in enumerate(norms) if norm.text and not norm.text.isspace()]
        tokens = self._tokenized_many([norms[k].text for k in keep])
        out: list[tuple[Normalized, list[Token]] | None] = [None] * len(texts)
        for k, toks in zip(keep, tokens, strict=True):
            out[k] = (norms[k], toks)
        return out

    def _normalized_many(self, texts: list[str]) -> list[Normalized]:
        """:func:`normalize` of each text, after checking them all as :meth:`_prepare` does (the
        same first error)."""
        limit = self.max_text_length
        if not all(map(isinstance, texts, repeat(str))) or max(map(len, texts), default=0) > limit:
            for t in texts:
                if not isinstance(t, str) or len(t) > limit:
                    self._prepare(t)   # raises what parsing this text one by one raises
        return [normalize(t) for t in texts]

    def _tokenized_many(self, texts: list[str]) -> list[Any]:
        """The tokens of each normalised text, in one call when the tokenizer can (``columns_many``
        or ``tokenize_many``: no call and lock per text)."""
        many = getattr(self._tokenizer, "columns_many", None) or getattr(self._tokenizer, "tokenize_many", None)
        return many(texts) if many is not None else [self._tokenizer.tokenize(t) for t in texts]

    def _parse_batch(self, texts: list[str], today: datetime.date | None) -> list[ParseResult]:
        norms = self._normalized_many(texts)
        out: list[ParseResult | None] = [None] * len(texts)
        todo = []
        for i, norm in enumerate(norms):
            if norm.text and not norm.text.isspace():
                todo.append(i)
            else:
                out[i] = ParseResult(text=texts[i], intent=None, entities=(), ranking=())
        # similar lengths share a chunk, so the models compute little padding
        sizes = [len(norm.text) for norm in norms]
        todo.sort(key=sizes.__getitem__)
        bs = self.batch_size
        taught_intent = self._taught_intent
        for lo in range(0, len(todo), bs):
            idx = todo[lo:lo + bs]
            # each chunk tokenised when it is parsed: its tokens made together, so the models read
            # them from memory close together (not spread over the whole batch's), and the tagger
            # first, while they are fresh in the cache; then the intents and their rankings, read by
            # the results right after (in any order the same numbers)
            ntexts = [norms[i].text for i in idx]
            items = list(zip(ntexts, self._tokenized_many(ntexts), strict=True))
            spans = (self._tagger.predict(items, validate=False) if self._tagger is not None
                     else [[] for _ in items])
            ask: Sequence[int]
            taught: list[str | None]
            if self._memory:
                taught = [taught_intent(text) for text, _ in items]
                # the intent model reads only the texts not memorised (their ranking is their intent)
                ask = [k for k, t in enumerate(taught) if t is None]
            else:                   # no sentence memory: nothing to look up, every text is asked
                taught = [None] * len(items)
                ask = range(len(items))
            ranked: list[tuple[IntentScore, ...] | None]
            if len(ask) == len(items):
                ranked = self._ranked(self._intent.predict_proba(items))  # type: ignore[assignment]
            else:
                ranked = [None] * len(items)
                if ask:
                    for k, r in zip(ask, self._ranked(self._intent.predict_proba([items[k] for k in ask])),
                                    strict=True):
                        ranked[k] = r
            result = self._result
            for i, span, ranking, tt in zip(idx, spans, ranked, taught, strict=True):
                out[i] = result(norms[i], None, span, ranking, today=today, taught=tt)
        return out  # type: ignore[return-value]

    def _taught_intent(self, text: str) -> str | None:
        """The intent memorised for the normalised ``text`` (a training sentence), or None."""
        return self._memory.get(memory_key(text)) if self._memory else None

    def _taught_ranking(self, intent: str) -> tuple[IntentScore, ...]:
        """The ranking of a memorised sentence: its intent 1.0, the others 0 by name (built once)."""
        cache = self._taught
        got = cache.get(intent)
        if got is None:
            got = cache[intent] = (IntentScore(intent, 1.0), *(IntentScore(name, 0.0) for name in
                                                               sorted(self._labels) if name != intent))
        return got

    def _ranked(self, probs: Any) -> list[tuple[IntentScore, ...]]:
        """Per row of intent probabilities, the ranking: best first, ties by intent name."""
        import numpy as np
        probs = np.asarray(probs)
        labels = self._labels
        if len(probs) < 8:  # a few rows: plain sorting costs less than the array set-up
            rows = probs.tolist()
            return [tuple(IntentScore(labels[i], row[i])
                          for i in sorted(range(len(row)), key=lambda i: (-row[i], labels[i])))
                    for row in rows]
        if self._label_rank is None:
            self._label_rank = np.argsort(np.argsort(self._labels, kind="stable"), kind="stable")
        # primary key the score (descending), then the name: what sorted() on
        # (-score, name) gives, for all rows at once
        orders = np.lexsort((np.broadcast_to(self._label_rank, probs.shape), -probs), axis=-1)
        names = np.array(self._labels, dtype=object)[orders].ravel().tolist()
        scores = np.take_along_axis(probs, orders, axis=-1).ravel().tolist()
        # all rows' scores built at once, cut into rows of len(labels) by zip over one iterator
        flat = iter(_build_intent_scores(names, scores))
        return list(zip(*[flat] * probs.shape[-1], strict=True))

    def _result(self, norm: Normalized, probs: Any, spans: Sequence[RawSpan],
                ranking: tuple[IntentScore, ...] | None = None, *,
                today: datetime.date | None = None, taught: str | None | EllipsisType = ...
                ) -> ParseResult:
        """The result of one text from its intent probabilities (or their ranking) and spans.

        ``taught`` is :meth:`_taught_intent` of the text when the caller looked it up
        (looked up here otherwise); a memorised text needs neither probabilities nor ranking.
        """
        if taught is ...:
            taught = self._taught_intent(norm.text)
        if taught is not None:
            # a sentence taught word for word: certain, the ranking says so too
            ranking = self._taught_ranking(taught)  # type: ignore[arg-type]
            intent = ranking[0]
        else:
            if ranking is None:
                [ranking] = self._ranked([probs])
            top = ranking[0]
            if top.confidence < self.threshold or not norm.text.strip(CHAT_NOISE):
                # unsure, or nothing but laughter, crying and signs (ㅋㅋㅋ, ㅠㅠ, ^^;): no request
                intent = IntentScore(self.fallback_intent, 1.0 - top.confidence)
            else:
                intent = top
        original = norm.original
        if not spans:
            return ParseResult(original, intent, (), ranking)
        ntext = norm.text
        entities = []
        resolvers = self.resolve
        canonical = self._canonical.get
        maps = self._canonical._maps    # a surface the dictionary lists as it is: looked up here
        # normalize kept every character in place (its identity map): offsets need no mapping
        n = len(ntext)
        same_offsets = norm.starts == range(n) and norm.ends == range(1, n + 1)
        kinds = [*map(resolvers.get, map(_ENTITY_OF, spans))] if resolvers else ()
        if "time" in kinds and any(kind == "time" and " " in ntext[span[0]:span[1]]
                                   for kind, span in zip(kinds, spans, strict=True)):
            # a time span run over the date said before it (내일 7시): the date and the time
            if today is None:
                today = datetime.date.today()
            spans = self._dates_in_times(ntext, spans, today)
            kinds = [*map(resolvers.get, map(_ENTITY_OF, spans))]
        if "date" in kinds:
            # a date span cut short of its month or number, or of the day after 부터 (both touch
            # date spans only)
            if today is None:
                today = datetime.date.today()
            spans = self._spelled_dates(ntext, spans, today)
            spans = self._date_ranges(ntext, spans, today)
        last_end = 0   # where the entity before ends, as found (the tagger's 라떼 열 | 두 잔 is 라떼)
        last_start = -1   # where the entity appended last starts (-1: none, or a span skipped since)
        last = len(spans) - 1
        for k, (start, end, entity, role, conf) in enumerate(spans):
            nxt = spans[k + 1][0] if k < last else None   # where the next span starts
            surface = ntext[start:end]
            m = maps.get(entity)
            value = m.get(surface) if m else None
            if value is None:
                value = canonical(entity, surface)
            listed = surface if value is not None else None   # this surface is listed: not looked up again
            if value is None:
                # a span cut short of a dictionary word (따뜻 | 한 for 따뜻한), or run past one
                # (NCT 127 플레이리스트): the dictionary's end
                end = self._dictionary_end(ntext, start, end, entity, nxt)
                surface = ntext[start:end]
                value = self._canonical(entity, surface)
            elif end < n and ntext[end].isalnum():   # (a span ending its word grows into nothing)
                # a surface the word goes on from into a longer one (헬스 | 장이랑): the longer one
                longer = self._dictionary_longer(ntext, start, end, entity, nxt)
                if longer != end:
                    end, surface = longer, ntext[start:longer]
                    value = canonical(entity, surface) or value
            kind = resolvers.get(entity) if resolvers else None
            if kind is None and resolvers and surface is not listed and _NUMBER_ONLY.fullmatch(surface) \
                    and canonical(entity, surface) is None:
                # 열 | 켤레 with no count tagged, 열 a size: the number and its counter are the count
                # (of the one type read as counts), when no value of its own type
                counted = [t for t, kind in resolvers.items() if kind == "count"]
                m = _COUNTER_AFTER_NUMBER.match(ntext, end, n if nxt is None else nxt)
                if len(counted) == 1 and m is not None and not _DIGITS_APART.search(ntext, start, m.end()) \
                        and (count(ntext[start:m.end()]) or approx_count(ntext[start:m.end()])) is not None:
                    entity, role, kind, end = counted[0], None, "count", m.end()
                    surface = ntext[start:end]
                    value = canonical(entity, surface) or surface
            if surface is not listed and (kind in ("time", "date") or (kind is None and maps.get(entity))) \
                    and canonical(entity, surface) is None \
                    and _counted(ntext, start, end, n if nxt is None else nxt, minutes=kind is None):
                # 두 명 기차 예매해줘, 2명: a number with its counter (or with one right after it) is a
                # count, no time, date or value of a type the dictionary lists (a place) but does
                # not list this one of; a type without a dictionary (people) may be a count
                continue
            if kind == "time" and surface.endswith("시"):
                # an hour the tagger ended before its minutes (3시 | 반에 깨워줘): the minutes too
                m = _MINUTES_AFTER.match(ntext, end)
                if m and (nxt is None or nxt >= m.end()):
                    longer = ntext[start:m.end()]
                    if resolve("time", longer) is not None:
                        end, surface = m.end(), longer
                        value = canonical(entity, surface) or surface
            elif kind == "money":
                # an amount the tagger cut inside (만 | 오천 원, 5만 | 3천원): the whole amount
                start, end = _money_span(ntext, start, end, last_end, n if nxt is None else nxt)
                if ntext[start:end] != surface:
                    surface = ntext[start:end]
                    value = canonical(entity, surface) or surface
            elif kind == "count":
                # a count the tagger cut short (스물 | 다섯 명, 네 | 명) or began too early (모레 세 분)
                start, end = _count_span(ntext, start, end, last_end, n if nxt is None else nxt)
                if last_start >= 0 and entities[-1].entity != entity \
                        and _number_before_count(ntext, last_start, last_end, start, end) \
                        and canonical(entities[-1].entity, ntext[last_start:last_end]) is None:
                    # 2 | ~3개, 열 | 켤레: a number the tagger gave another type (a size), and no
                    # value of that type, that with the count is one count or a rough one: the count's
                    start = last_start
                    entities.pop()
                if ntext[start:end] != surface:
                    surface = ntext[start:end]
                    value = canonical(entity, surface) or surface
            elif kind == "date" and value == surface and _SPELLED_MONTH_DAY.fullmatch(surface):
                value = _MONTH_DAY_WORDS.sub(r"\1월 \2일", digits(surface))   # 십이월 삼일: 12월 3일
            o_start, o_end = (start, end) if same_offsets and start < end else norm.to_original(start, end)
            resolved = None
            if kind is not None:
                if today is None and kind == "date":
                    today = datetime.date.today()
                # what was typed before the span may say 오후 (left out of it, or given to the date)
                before = ntext[:start]
                resolved = resolve(kind, value, today, before) or (
                    resolve(kind, surface, today, before) if surface != value else None)
                if kind in ("money", "count") and resolved is not None:
                    # 5만원 이하, 2~3만원, 5명 정도, 약 5명: the words around make it no exact amount or count
                    around = (amount_extent if kind == "money" else count_extent)(ntext, start, end)
                    rough = resolve(kind, ntext[around[0]:around[1]]) if around else None
                    if rough is not None and (rough.get("approx") or "delta" in rough):
                        resolved = rough   # 한 명 더: a count to add, read so
                elif resolved is None and kind in ("time", "date") and canonical(entity, surface) is None \
                        and (_ASKING.match(surface) or _ASKING_BEFORE.search(ntext, last_end, start)):
                    last_end, last_start = end, -1
                    continue   # 몇 시에 오는지 몰라요: a time asked about is no time said
            entities.append(Entity(entity, value, original[o_start:o_end], o_start, o_end,
                                   float(conf), role, resolved))
            last_start, last_end = start, end
        return ParseResult(original, intent, tuple(entities), ranking)


# ------------------------------------------------------------------ loading



# number words and digits of an amount, each a whole word: 만 | 오천 원, 5만 | 3천원
_MONEY_WORD = r"(?:[\d,.]+|[일이삼사오육칠팔구십백천만억조]+|[\d,.]+[십백천만억조]+(?:[\d,.]+[십백천]*)*)"
_MONEY_BEFORE = re.compile(rf"(?:^|(?<=\s))(?:{_MONEY_WORD}\s?)+$")
_MONEY_AFTER = re.compile(rf"(?:\s?{_MONEY_WORD})+\s?원(?![가-힣])|(?:\s?{_MONEY_WORD})+\s?원(?=[을를이가은는도만으로에의])")
_MONEY_TAIL = re.compile(r"\s?(?:\d[\d,.]*[십백천만억]*|[일이삼사오육칠팔구]?[십백천만억][일이삼사오육칠팔구십백천만억]*)"
                         r"(?=$|[^\w]|으로|로|을|를|만|요|이요|정도|쯤)")
_MONEY_REST = re.compile(r"[\d,.]*[십백천만억조][\d,.일이삼사오육칠팔구십백천만억조]*(?:\s?원)?")


# a month said before a day, in digits or words (12월, 십이월, 시월, 유월), ending where the day starts
_MONTH_WORD = rf"(?:{_NUMBER_WORD}|시|유)\s?월"
# ... and the year said before it, if any (2028년 이월, 이천이십팔년 이월, 내년 삼월)
_MONTH_BEFORE = re.compile(rf"(?:^|(?<=\s))(?:(?:\d{{4}}|이천[일이삼사오육칠팔구십]{{0,4}})\s?년\s?|(?:내년|올해|금년)\s)?"
                           rf"(?P<month>{_MONTH_WORD})\s?$")
_MONTH_ALONE = re.compile(_MONTH_WORD)
_NUMBER_SYLLABLES = frozenset("일이삼사오육칠팔구십")
# a month and day with a number word (십이월 삼일, 12월 삼 일), and the same once in digits
_SPELLED_MONTH_DAY = re.compile(rf"(?=.*[일이삼사오육칠팔구십시유]\s?[월일]){_MONTH_WORD}\s?{_NUMBER_WORD}\s?일")
_MONTH_DAY_WORDS = re.compile(r"^(\d{1,2})\s?월\s?(\d{1,2})\s?일$")


def _month_day_said(text: str) -> bool:
    """True when ``text`` is a month and a day, in digits or number words, whether or not such a
    day is (이월 이십구일, 사월 삼십일일, 십삼월 삼일; not 일이월 삼일)."""
    return _MONTH_DAY_WORDS.fullmatch(digits(text)) is not None


def _date_start(text: str, start: int, end: int, lo: int, today: datetime.date) -> int:
    """Where a date span ``text[start:end]`` starts once grown over the number word it was cut
    from (이|십일) and the month said before it (십이월 |삼일; with its year, 2028년 이월 |이십구일),
    not before ``lo``: only when the whole reads as one date or is a month and day said in
    numbers (이월 이십구일 of a year not leap: no date, as 2월 29일 is), else ``start``."""
    word = start
    while word > lo and text[word - 1] in _NUMBER_SYLLABLES:
        word -= 1
    if word > 0 and not text[word - 1].isspace():
        word = start   # inside a word that is no number (토요일)
    # the number word whole when it reads as a date; a month before it is looked for either way
    # (삼월 삼십이일: no date, as 3월 32일 is, not the 2nd of this month)
    s = word if word != start and (_one_date(text[word:end], today) or _month_day_said(text[word:end])) else start
    before = text[lo:word].rstrip()
    if not before.endswith("월"):
        return s   # no month said before it (most dates: 내일, 3시): no search, no reading
    m = _MONTH_BEFORE.search(text[lo:word])
    if m is not None:
        if _one_date(text[lo + m.start():end], today):
            return lo + m.start()
        month = lo + m.start("month")
        if _one_date(text[month:end], today) or _month_day_said(text[month:end]):
            # a month and a day with no such date (이월 이십구일 of a year not leap, 사월 삼십일일):
            # the whole, to be read as no date as 2월 29일 is, not its day alone as this month's
            return month
    return s


def _one_date(text: str, today: datetime.date) -> bool:
    got = resolve("date", text, today)
    return got is not None and got.get("kind") == "date"


def _money_span(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """``start, end`` of an amount grown over the number words the tagger left out on either side
    (within ``lo``..``hi``, the spans around it), when the longer text still reads as an amount and
    a larger one: ``엄마한테 만 | 오천 원`` is 15,000원, not 5,000원."""
    here = money(text[start:end])
    if here is None:
        return start, end
    # cut inside a number (5. | 5만원, 1, | 500원, 1 | 5000원) or after a minus sign (- | 5000원): the
    # whole of it, read or not, never the part after the cut (50,000원 for 5.5만원)
    j = start
    while j > lo and (text[j - 1].isdigit() or text[j - 1] in ".,"):
        j -= 1
    if j > lo and text[j - 1] in "-−":
        j -= 1
    m = _MONEY_BEFORE.search(text, lo, start)
    if m and m.start() < start:
        got = money(text[m.start():end])
        if (got is not None and got > here) or (j < start and m.start() <= j):
            start, here, j = m.start(), got, m.start()
    start = min(start, j)   # 엄마한테15 | 만원: 15만원, not 5만원 nor 만원
    m = _MONEY_AFTER.match(text, end, hi)
    if m:
        got = money(text[start:m.end()])
        if got is not None and got > here:
            end, here = m.end(), got
    # cut inside its word (오천 | 만 보내줘, 5천 | 만원): the rest of the number, when it reads larger
    m = _MONEY_REST.match(text, end, hi)
    if m and m.end() > end:
        got = money(text[start:m.end()])
        if got is not None and got > here:
            end, here = m.end(), got
    # the casual shorthand's bare number after its unit (2만 | 5, 3억 | 5천, 3천 | 5): 25,000원, not 20,000원
    m = _MONEY_TAIL.match(text, end, hi) if not text[start:end].endswith("원") else None
    if m:
        got = money(text[start:m.end()])
        if got is not None and got > here:
            end = m.end()
    return start, end


# the word before a count that may be its first part (스물 | 다섯 명, 열 | 두 명, 백 | 이십 명)
_COUNT_WORD_BEFORE = re.compile(r"(?:^|(?<=\s))([\d,]+|[가-힣]{1,4})\s?$")
# tens said before a count's number (native or Sino-Korean), which is then no count alone
_TENS_WORD = re.compile(r"열|스무|스물|서른|마흔|쉰|예순|일흔|여든|아흔|[이삼사오육칠팔구]?[십백천][일이삼사오육칠팔구십백천]*")
# a counter right after a number the tagger ended before it (네 | 명, 4 | 명이서, 두 | 사람), ending there
_COUNTER_AFTER = re.compile(rf"\s?(?:{'|'.join(COUNTERS)})(?=$|[^가-힣]|이서|서|이|가|을|를|은|는|도|만|씩|요|"
                            r"으로|로|의|에|까지|정도|쯤|짜리|이랑|랑|하고)")


# a number alone, in digits or number words, or two joined by ~ or - (2, 열, 두세, 2~3, 네-다섯)
_NUMBER_WORD_ONLY = r"(?:\d{1,3}(?:,\d{3})+|\d+|[한두세석서네넉너다섯여일곱덟아홉열스물무른마흔쉰예순흔든하나둘셋넷대엿닐댓덧백]{1,5})"
_NUMBER_ONLY = re.compile(rf"{_NUMBER_WORD_ONLY}(?:\s?[~\-–]\s?{_NUMBER_WORD_ONLY})?")
_DIGITS_APART = re.compile(r"\d\s+\d")   # 30 2벌: a number apart from the count's digits
# what may stand between such a number and the count after it: a space, or ~ or - (2 | ~3개)
_NUMBER_JOIN = re.compile(r"\s*(?:[~\-–]\s*)?")

# the counter after such a number, with the rest of a range (열 | 켤레, 2 | ~3장); not 분 (5 | 분 is minutes
# more often than people)
_COUNTER_AFTER_NUMBER = re.compile(rf"\s?(?:[~\-–]\s?{_NUMBER_WORD_ONLY}\s?)?(?:{'|'.join(c for c in COUNTERS if c != '분')})"
                                   r"(?=$|[^가-힣]|이|가|을|를|은|는|도|만|씩|요|으로|로|의|에|까지|정도|쯤|짜리|이랑|랑|하고)")


def _number_before_count(text: str, n_start: int, n_end: int, start: int, end: int) -> bool:
    """True when ``text[n_start:n_end]`` is a number alone (digits or number words, two joined by
    ``~`` or ``-``) right before the count ``text[start:end]`` that with it reads as one count or
    a rough one (``2 | ~3개`` is 2~3개, ``열 | 켤레`` is 10켤레); not digits typed apart from the count's
    (``30 2벌``, a size and a count), nor anything with a counter of its own (``2시 4명``)."""
    if not _NUMBER_ONLY.fullmatch(text, n_start, n_end) or not _NUMBER_JOIN.fullmatch(text, n_end, start):
        return False
    whole = text[n_start:end]
    if _DIGITS_APART.search(whole):
        return False
    return count(whole) is not None or approx_count(whole) is not None


def _count_span(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """``start, end`` of a count the tagger cut short or began too early, within ``lo``..``hi`` (the
    spans around it): grown over the number word before it when the whole reads as another count
    (``스물 | 다섯 명`` is 25명, not 5명), over the counter after a number (``네 | 명``), and without
    the words before it that are no part of it (``모레 세 분``: ``세 분``)."""
    here = count(text[start:end])
    m = _COUNT_WORD_BEFORE.search(text, lo, start)
    if m is not None and m.start(1) < start:
        got = count(text[m.start(1):end])
        if got is not None and (here is None or got[0] != here[0]):
            start, here = m.start(1), got
        elif got is None and here is not None and _TENS_WORD.fullmatch(m.group(1)) \
                and approx_count(text[m.start(1):end]) is None:
            # 스무 | 두 명, 이십 | 두 명: tens said before it that do not make one number with it (22명
            # misspelt, or numbers mixed): no 2명, which it surely is not; the whole, read as nothing
            return m.start(1), end
    if here is None or here[1] is None:
        m = _COUNTER_AFTER.match(text, end, hi)
        got = count(text[start:m.end()]) if m is not None else None
        if got is not None:
            end, here = m.end(), got
    if here is None and approx_count(text[start:end]) is None:
        for m in re.finditer(r"\s+", text[start:end]):
            rest = start + m.end()
            if count(text[rest:end]) is not None or approx_count(text[rest:end]) is not None:
                return rest, end
    return start, end


def _counted(text: str, start: int, end: int, hi: int, *, minutes: bool = True) -> bool:
    """True when ``text[start:end]``, or it and a counter right after it (before ``hi``), is a count
    said with its counter (``두 명``, ``2명``, ``두 | 명``, ``세 장``): no place name reads so (세종,
    이천 and 삼척 do not). ``minutes=False``: not when the counter is 분 (``10분``, a time's minutes)."""
    surface = text[start:end]
    got = count(surface)
    if got is None or got[1] is None:
        m = _COUNTER_AFTER.match(text, end, hi)
        if m is None:
            return False
        surface = text[start:m.end()]
        got = count(surface)
    if got is None or got[1] is None:
        return False
    return minutes or not surface.rstrip().endswith("분")


def _check_resolve(resolve: Mapping[str, str] | None, entity_types: Sequence[str]) -> dict[str, str]:
    """Which entity types get a resolved time, date, amount or count: ``resolve``, else those named
    so (``time``, ``date``; ``amount`` and ``money`` read as won; ``count``, ``quantity``,
    ``party_size`` and ``headcount`` as counts)."""
    if resolve is None:
        return {t: kind for t, kind in RESOLVERS.items() if t in entity_types}
    if not isinstance(resolve, Mapping):
        raise InputError(f"resolve must map entity types to 'time', 'date', 'money' or 'count', got "
                         f"{type(resolve).__name__}; e.g. resolve={{'when': 'date', 'price': 'money', "
                         f"'people': 'count'}}")
    out = {}
    for etype, kind in resolve.items():
        if kind not in KINDS:
            raise InputError(f"resolve[{etype!r}] is {kind!r}; use 'time', 'date', 'money' or 'count' "
                             "(or leave the type out to resolve nothing)")
        out[str(etype)] = str(kind)
    return out


def _load_component(cls: Any, version_dir: str, name: str) -> Any:
    """``cls.load(version_dir/name)``, any failure reported as a :class:`BundleError`."""
    try:
        return cls.load(os.path.join(version_dir, name))
    except BundleError:
        raise
    except Exception as exc:
        raise BundleError(f"{version_dir}/{name} cannot be loaded ({type(exc).__name__}: {exc}); "
                          "the bundle is damaged or from another version — retrain") from exc

def load(path: str | os.PathLike[str], *, tokenizer: str | None = None, verify: bool = True,
         threads: int | None = None, resolve: Mapping[str, str] | None = None) -> NLU:
    """Load a bundle: a model store (follows ``current``) or one version directory.

    ``tokenizer`` (optional) must match the bundle's; ``verify`` checks every file's
    sha256 against ``meta.json``. ``threads`` sets torch's intra-op threads.
    ``resolve`` maps entity types to ``"time"``, ``"date"``, ``"money"`` or ``"count"``: their
    entities get ``resolved`` values (:mod:`nlukit.temporal`); by default the types named ``time``
    and ``date``, ``amount`` and ``money`` as won, and ``count``, ``quantity``, ``party_size`` and
    ``headcount`` as counts (``{"people": "count"}`` for another); ``{}`` for none.
    """
    from . import bundle

    path = os.fspath(path)
    version_dir = bundle.resolve(path)
    meta = bundle.check_bundle(version_dir, tokenizer=tokenizer, verify=verify)
    if threads:
        import torch
        torch.set_num_threads(int(threads))
    try:
        from .models.intent import IntentClassifier
    except ImportError as exc:
        raise BundleError(f"cannot load the intent model: {exc}; reinstall nlukit") from exc
    intent = _load_component(IntentClassifier, version_dir, "intent")
    tagger = None
    if os.path.isdir(os.path.join(version_dir, "tagger")):
        from .models.tagger import EntityTagger
        tagger = _load_component(EntityTagger, version_dir, "tagger")
    dictionary = bundle.read_json(os.path.join(version_dir, "dicts", "dictionary.json"),
                                  "model bundle")
    memory_file = os.path.join(version_dir, "memory.json")   # bundles from before 0.x have none
    memory = bundle.read_json(memory_file, "model bundle") if os.path.exists(memory_file) else None
    if memory is not None and not (isinstance(memory, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in memory.items())):
        raise BundleError(f"{memory_file} must map sentences to intents ({{\"바이\": \"goodbye\"}}); "
                          "the bundle is corrupted — retrain, or delete the file to do without it")
    return NLU(intent, tagger, dictionary, tokenizer=meta["tokenizer"], meta=meta,
               path=version_dir, resolve=resolve, memory=memory)
