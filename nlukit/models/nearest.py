"""The *nearest* intent kind: the intent of the most similar training sentence.

With a handful of sentences per intent (an FAQ: 1-3 questions per answer) a network has
little to learn from; a nearest-neighbour model over TF-IDF vectors does better. Every
training sentence is a row of an L2-normalised TF-IDF matrix over

* character n-grams of each space-separated word (lower-cased) padded with a space at each end
  (1..``nearest_chars``, like scikit-learn's ``char_wb`` without its feature of the
  padding space alone, which every text has), and optionally
* morpheme/POS n-grams (1..``nearest_words``, the ``w:`` features of the *ngram* kind),

weighted by sublinear tf (``1 + log count``) and smoothed idf
(``log((1 + n) / (1 + df)) + 1``). A text's features no sentence has are dropped, but with
``nearest_unseen`` (the default) they still count in its length, at the idf of a feature of
document frequency 0: a text of mostly unknown words has low cosines. A sentence's score
for a text is

    cosine × (m + (1 − m) × coverage) ** nearest_cover          (m: nearest_cover_min)

where coverage is the share of the text's content morphemes (nouns, roots, foreign words,
numbers; their character bigrams) the sentence has: ``오늘 점심 뭐 먹지`` shares 오늘 with
``오늘 주문하면 오늘 보내주나요?`` but not its noun 점심 (coverage 0), while ``환불 언제
들어와?`` has every noun of ``환불은 언제 되나요?`` (its unknown words are no nouns). The
minimum m (default 0.1) leaves a text whose only noun is a word the FAQ never uses (``비번
잊어버림``) some of its cosine. A text without tokens or without a content morpheme is
covered (1); ``nearest_chars`` < 2 turns coverage off. The score of an intent is the best of its sentences', and its logit is

    nearest_scale × max(0, score − nearest_floor)

so a text no sentence resembles better than ``nearest_floor`` gets equal logits for every
intent (a uniform distribution, below any fallback threshold), and a text with a clearly
nearest sentence gets most of the probability. The defaults (unseen on, cover 0.5, cover_min 0.1,
scale 15, floor 0.05) were chosen on ``bench/bench_faq.py``'s paraphrases and the dev half of its
out-of-scope texts. An index saved before ``unseen`` and ``cover`` has neither in its
settings and scores as it did (both off; its own scale and floor). Those logits go through the usual
temperature, class bias and threshold of :class:`~nlukit.models.intent.IntentClassifier`:

* with a validation split the temperature is fitted on it (NLL, plus random nonsense
  pushed towards uniform); without one the temperature stays 1 (every training sentence
  is its own nearest neighbour, so the training set cannot calibrate);
* an unset ``threshold`` is chosen, as for the other kinds, between the correct
  validation texts and nonsense texts; without a validation split the training sentences
  stand in (2,000 of them at most, drawn at random), each scored without itself
  (leave-one-out).

Prediction multiplies a block of texts by the sentence matrix (the 256 features most
sentences have as dense matrices, the rest sparse) and takes the maximum over each
intent's (contiguous) rows. Saved as ``nearest.json`` (the features
and settings) and ``nearest.npz`` (idf, the matrix, the rows' intents; no pickle).
"""
from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BundleError, ConfigError, ModelError
from ..types import Token

FORMAT = 1
_BLOCK = 512  # texts per product: a dense block of _BLOCK × sentences similarities
_DENSE = 256  # the features most sentences have, multiplied as dense matrices
_FEW = 8      # this many texts or fewer (a parse): one sparse product is quicker
_LOO = 2000   # without a validation split, the threshold is chosen on this many training sentences
_WORDS = 20_000   # words (and morphemes) whose features an index remembers at most
_WORD_LEN = 20    # longer words are not remembered: a server fed long distinct tokens stays small


def check_params(p: dict[str, Any]) -> None:
    """Refuse bad nearest_* settings (checked whatever the kind, like the other keys)."""
    for key in ("nearest_chars", "nearest_words"):
        if isinstance(p[key], bool) or not isinstance(p[key], int) or p[key] < 0:
            raise ConfigError(f"[intent] {key} must be a non-negative integer, got {p[key]!r}")
    if p["kind"] == "nearest" and p["nearest_chars"] == 0 and p["nearest_words"] == 0:
        raise ConfigError("[intent] the nearest kind needs nearest_chars > 0 or nearest_words > 0")
    s, f = p["nearest_scale"], p["nearest_floor"]
    if isinstance(s, bool) or not isinstance(s, (int, float)) or not 0 < s <= 1000:
        raise ConfigError(f"[intent] nearest_scale must be a number in (0, 1000], got {s!r}")
    if isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 <= f < 1:
        raise ConfigError(f"[intent] nearest_floor must be in [0, 1), got {f!r}")
    if not isinstance(p["nearest_unseen"], bool):
        raise ConfigError(f"[intent] nearest_unseen must be true or false, got {p['nearest_unseen']!r}")
    c = p["nearest_cover"]
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0 <= c <= 10:
        raise ConfigError(f"[intent] nearest_cover must be a number in [0, 10], got {c!r}")
    c = p["nearest_cover_min"]
    if isinstance(c, bool) or not isinstance(c, (int, float)) or not 0 <= c <= 1:
        raise ConfigError(f"[intent] nearest_cover_min must be a number in [0, 1], got {c!r}")


def features(text: str, tokens: Sequence[Token] | None, n_chars: int, n_words: int,
             max_len: int = 150) -> list[str]:
    """Character n-grams of each word (padded with spaces) and morpheme/POS n-grams, lower-cased.

    >>> features("배송 조회", None, 2, 0)
    ['c:배', 'c:송', 'c: 배', 'c:배송', 'c:송 ', 'c:조', 'c:회', 'c: 조', 'c:조회', 'c:회 ']
    """
    if not isinstance(text, str):
        raise ModelError(f"expected a normalised text (str), got {type(text).__name__}")
    out: list[str] = []
    if n_chars > 0:
        for word in text[:max_len].lower().split():   # VIP and vip alike
            out.extend("c:" + ch for ch in word)  # the padding alone is no feature
            w = " " + word + " "
            for n in range(2, n_chars + 1):
                out.extend("c:" + w[i:i + n] for i in range(len(w) - n + 1))
    if n_words > 0:
        if tokens is None:
            raise ModelError("the nearest kind with nearest_words > 0 needs the tokens of each text; "
                             "pass (text, tokens) pairs or set nearest_words = 0")
        m = ["<s>"] + [f"{tok.surface.lower()}/{tok.pos}" for tok in tokens[:max_len]] + ["</s>"]
        out.extend("w:" + u for u in m[1:-1])  # the sentence marks alone are no feature
        for n in range(2, n_words + 1):
            out.extend("w:" + "|".join(m[i:i + n]) for i in range(len(m) - n + 1))
    return out


class NearestIndex:
    """The fitted state: features, idf, the normalised sentence matrix (rows grouped by intent)."""

    def __init__(self, vocab: list[str], idf: np.ndarray, matrix: Any, starts: np.ndarray,
                 settings: dict[str, Any]) -> None:
        self.vocab = vocab
        self.stoi = {f: i for i, f in enumerate(vocab)}
        self.idf = idf.astype(np.float32)
        self.matrix = matrix.tocsr()            # sentences × features, rows of intent 0, then 1, ...
        # the products: the features most sentences have (single syllables, common endings) as a
        # dense block (a matrix product), the rest sparse (most of whose products are empty)
        df = np.bincount(self.matrix.indices, minlength=self.matrix.shape[1])
        top = np.argsort(-df, kind="stable")[:min(_DENSE, len(df))]
        is_dense = np.zeros(len(df), dtype=bool)
        is_dense[top] = True
        self._dense = np.flatnonzero(is_dense)
        self._sparse = np.flatnonzero(~is_dense)
        self._md = np.ascontiguousarray(self.matrix[:, self._dense].toarray().T, dtype=np.float32)
        self._ms = self.matrix[:, self._sparse].T.tocsr()   # rare features × sentences
        self._mt = self.matrix.T.tocsr()        # features × sentences: a few texts, all sparse
        self.starts = starts.astype(np.int64)   # first row of each intent
        # nearest_chars, nearest_words, max_len, scale, floor; unseen, cover (absent in an index saved
        # before them: False and 0, the scores of then)
        self.settings = dict(settings)
        self.unseen = bool(self.settings.get("unseen", False))
        self.cover = float(self.settings.get("cover", 0.0)) if int(self.settings["nearest_chars"]) >= 2 else 0.0
        self.cover_min = float(self.settings.get("cover_min", 0.0))
        # a feature no sentence has: the smoothed idf of document frequency 0
        self.idf_unseen = math.log(1 + self.matrix.shape[0]) + 1.0
        self._word_keys: dict[str, list[int | str]] = {}   # a word: its character features' keys (_keys)
        self._content: dict[str, list[int | None]] = {}     # a morpheme: its bigrams' columns (coverage)
        if self.cover:   # (features + 1) × sentences: 1 where the sentence has the feature; a last row of
            # ones for the texts with nothing to cover
            from scipy import sparse
            has = self._mt.copy()
            has.data[:] = 1.0
            self._has = sparse.vstack([has, np.ones((1, has.shape[1]), dtype=np.float32)]).tocsr()

    # ------------------------------------------------------------------ build
    def transform(self, items: Sequence[tuple[str, Sequence[Token] | None]]) -> Any:
        """L2-normalised TF-IDF rows of ``items`` (unknown features are dropped; with ``unseen`` they
        still count in each row's length, at the idf of a feature no sentence has)."""
        return _tfidf(self._keys(items), self.stoi, self.idf, self.idf_unseen if self.unseen else None)

    def _keys(self, items: Sequence[tuple[str, Sequence[Token] | None]]) -> list[Counter[int | str]]:
        """:func:`_counts` of ``items`` with each known feature as its column (an unseen one stays a
        str), in the same order; each word's character features are looked up once per index."""
        s = self.settings
        n_chars, n_words, max_len = int(s["nearest_chars"]), int(s["nearest_words"]), int(s["max_len"])
        cache, stoi = self._word_keys, self.stoi
        out: list[Counter[int | str]] = []
        for text, toks in items:
            if not isinstance(text, str):
                raise ModelError(f"expected a normalised text (str), got {type(text).__name__}")
            keys: list[int | str] = []
            if n_chars > 0:
                for word in text[:max_len].lower().split():
                    ks = cache.get(word)
                    if ks is None:
                        ks = [stoi.get(f, f) for f in features(word, None, n_chars, 0, max_len)]
                        if len(cache) < _WORDS and len(word) <= _WORD_LEN:
                            cache[word] = ks
                    keys.extend(ks)
            if n_words > 0:
                keys.extend(stoi.get(f, f) for f in features("", toks, 0, n_words, max_len))
            out.append(Counter(keys))
        return out

    def coverage(self, items: Sequence[tuple[str, Sequence[Token] | None]]) -> Any:
        """``len(items) × sentences`` (sparse): the share of each text's content morphemes
        (nouns, roots, foreign words, numbers: ``CONTENT``) a sentence has, counted in their
        character bigrams (a one-syllable morpheme: its character), each as a feature of the
        index. A text without tokens or without a content morpheme has nothing to cover: 1."""
        cols: list[int] = []
        vals: list[float] = []
        indptr = [0]
        cache, none = self._content, len(self.vocab)   # column `none`: the ones of nothing to cover
        for _, toks in items:
            grams: list[int | None] = []
            for tok in toks or ():
                if tok.pos.split("+")[0] in CONTENT:
                    js = cache.get(tok.surface)
                    if js is None:
                        js = [self.stoi.get("c:" + g) for g in _grams(tok.surface.lower())]
                        if len(cache) < _WORDS and len(tok.surface) <= _WORD_LEN:
                            cache[tok.surface] = js
                    grams.extend(js)
            known = [j for j in grams if j is not None]
            cols.extend(known if grams else [none])
            vals.extend([1.0 / len(grams)] * len(known) if grams else [1.0])
            indptr.append(len(cols))
        q = _csr(np.array(vals, dtype=np.float32), np.array(cols, dtype=np.int64), np.array(indptr, dtype=np.int64),
                 (len(items), none + 1))
        q.sum_duplicates()   # a bigram twice: one entry
        return q @ self._has

    @classmethod
    def fit(cls, items: Sequence[tuple[str, Sequence[Token] | None]], y: np.ndarray, n_labels: int,
            settings: dict[str, Any]) -> NearestIndex:
        order = np.argsort(y, kind="stable")
        counts = _counts([items[i] for i in order], settings)
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        vocab = sorted(df)
        n = len(counts)
        idf = np.array([math.log((1 + n) / (1 + df[f])) + 1.0 for f in vocab], dtype=np.float32)
        stoi = {f: i for i, f in enumerate(vocab)}
        matrix = _tfidf(counts, stoi, idf)
        starts = np.searchsorted(y[order], np.arange(n_labels))
        return cls(vocab, idf, matrix, starts, settings)

    # ------------------------------------------------------------------ predict
    def similarities(self, items: Sequence[tuple[str, Sequence[Token] | None]],
                     exclude: np.ndarray | None = None) -> np.ndarray:
        """``len(items) × intents``: the highest cosine with each intent's sentences.

        ``exclude``: for each item, a row (sentence) left out, e.g. its own (leave-one-out;
        an intent with a single sentence then scores 0).
        """
        n_rows = self.matrix.shape[0]
        out = np.zeros((len(items), len(self.starts)), dtype=np.float32)
        for b in range(0, len(items), _BLOCK):
            q = self.transform(items[b:b + _BLOCK])
            if q.shape[0] <= _FEW:
                sims = (q @ self._mt).toarray()
            else:
                sims = q[:, self._dense].toarray() @ self._md
                sims += (q[:, self._sparse] @ self._ms).toarray()
            if self.cover:   # a sentence sharing one word of a longer text scores low
                cov = self.coverage(items[b:b + _BLOCK]).toarray()   # in place: blocks of MBs
                np.minimum(cov, 1.0, out=cov)
                if self.cover_min:
                    cov *= 1.0 - self.cover_min
                    cov += self.cover_min
                if self.cover == 0.5:
                    np.sqrt(cov, out=cov)   # what cov ** 0.5 computes
                elif self.cover != 1.0:
                    np.power(cov, self.cover, out=cov)
                sims *= cov
            if exclude is not None:
                sims[np.arange(len(sims)), exclude[b:b + len(sims)]] = -1.0
            if n_rows:
                out[b:b + len(sims)] = np.maximum.reduceat(sims, self.starts, axis=1)
        return np.maximum(out, 0.0)

    def logits(self, items: Sequence[tuple[str, Sequence[Token] | None]],
               exclude: np.ndarray | None = None) -> np.ndarray:
        sims = self.similarities(items, exclude)
        scale, floor = float(self.settings["scale"]), float(self.settings["floor"])
        return (scale * np.maximum(sims - floor, 0.0)).astype(np.float32)

    # ------------------------------------------------------------------ persistence
    def save(self, path: Path) -> None:
        from .common import write_json
        write_json(path / "nearest.json", {"format": FORMAT, "settings": self.settings, "features": self.vocab})
        m = self.matrix
        with open(path / "nearest.npz", "wb") as fh:
            np.savez(fh, idf=self.idf, data=m.data.astype(np.float32), indices=m.indices.astype(np.int64),
                     indptr=m.indptr.astype(np.int64), shape=np.array(m.shape, dtype=np.int64),
                     starts=self.starts)

    @classmethod
    def load(cls, path: Path) -> NearestIndex:
        from .common import read_json
        meta = read_json(path / "nearest.json")
        npz = path / "nearest.npz"
        if not npz.is_file():
            raise BundleError(f"{npz}: file is missing; the model directory is incomplete, "
                              "re-train or copy the whole directory")
        try:
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format') if isinstance(meta, dict) else None!r}, "
                                 f"expected {FORMAT}")
            vocab = [str(f) for f in meta["features"]]
            settings = dict(meta["settings"])
            with np.load(npz, allow_pickle=False) as z:
                idf, data, indices, indptr = z["idf"], z["data"], z["indices"], z["indptr"]
                shape, starts = tuple(int(s) for s in z["shape"]), z["starts"]
            if len(idf) != len(vocab) or shape[1] != len(vocab) or len(indptr) != shape[0] + 1:
                raise ValueError("the matrix does not fit the features")
            matrix = _csr(data, indices, indptr, shape)
        except (KeyError, TypeError, ValueError, OSError) as exc:
            raise BundleError(f"{path}: bad nearest-neighbour index ({exc}); re-train the model") from exc
        return cls(vocab, idf, matrix, starts, settings)


def params_of(index: NearestIndex) -> dict[str, Any]:
    """The intent params ``index`` scores with (an index saved before ``unseen``/``cover``: off)."""
    s = index.settings
    return {"nearest_scale": float(s["scale"]), "nearest_floor": float(s["floor"]),
            "nearest_unseen": bool(s.get("unseen", False)), "nearest_cover": float(s.get("cover", 0.0)),
            "nearest_cover_min": float(s.get("cover_min", 0.0))}


def _csr(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]) -> Any:
    from scipy import sparse
    return sparse.csr_matrix((data.astype(np.float32), indices, indptr), shape=shape)


CONTENT = frozenset({"NNG", "NNP", "NR", "SL", "SH", "SN", "XR"})  # the POS (first part) a text's coverage counts


def _grams(word: str) -> list[str]:
    """The character bigrams of ``word`` (a one-character word: itself)."""
    return [word] if len(word) == 1 else [word[i:i + 2] for i in range(len(word) - 1)]


def _counts(items: Sequence[tuple[str, Sequence[Token] | None]], s: dict[str, Any]) -> list[Counter[str]]:
    """The feature counts of each of ``items`` under the index settings ``s``."""
    return [Counter(features(t, toks, int(s["nearest_chars"]), int(s["nearest_words"]), int(s["max_len"])))
            for t, toks in items]


def _tfidf(counts: Sequence[Counter[str] | Counter[int | str]], stoi: dict[str, int], idf: np.ndarray,
           idf_unseen: float | None = None) -> Any:
    """Sparse rows of (1 + log tf) × idf, each scaled to unit length (all-zero rows stay 0).

    A feature is a str or its column in ``stoi`` (:meth:`NearestIndex._keys`). Features not in
    ``stoi`` are dropped; with ``idf_unseen`` they count in the length at that idf (a text with
    many words the index never saw gets low cosines)."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    extra = np.zeros(len(counts))   # the squared length of each row's unseen features
    for r, c in enumerate(counts):
        for f, k in c.items():
            j = f if type(f) is int else stoi.get(f)   # noqa: E721 (a str is no column)
            if j is not None:
                indices.append(j)
                values.append(1.0 + math.log(k))
            elif idf_unseen is not None:
                extra[r] += ((1.0 + math.log(k)) * idf_unseen) ** 2
        indptr.append(len(indices))
    ind = np.array(indices, dtype=np.int64)
    ptr = np.array(indptr, dtype=np.int64)
    val = np.array(values, dtype=np.float32) * (idf[ind] if len(ind) else np.zeros(0, np.float32))
    lengths = np.diff(ptr)
    row = np.repeat(np.arange(len(counts)), lengths)
    norm = np.sqrt(np.bincount(row, weights=val.astype(np.float64) ** 2, minlength=len(counts)) + extra)
    val = (val / np.maximum(norm, 1e-12)[row]).astype(np.float32)
    m = _csr(val, ind, ptr, (len(counts), len(stoi)))
    m.sort_indices()
    return m


def fit_nearest(model: Any, train: list, valid: list, labels: list[str]) -> Any:
    """Fit ``model`` (an IntentClassifier of kind nearest) on ``(text, tokens, intent)`` rows."""
    from .intent import _choose_threshold, _fit_temperature, _known_chars, _nonsense_items, _softmax
    p = model.params
    t0 = time.perf_counter()
    lab_index = {name: i for i, name in enumerate(labels)}
    y = np.array([lab_index[r[2]] for r in train], dtype=np.int64)
    settings = {"nearest_chars": int(p["nearest_chars"]), "nearest_words": int(p["nearest_words"]),
                "max_len": int(p["max_len"]), "scale": float(p["nearest_scale"]),
                "floor": float(p["nearest_floor"]), "unseen": bool(p["nearest_unseen"]),
                "cover": float(p["nearest_cover"]), "cover_min": float(p["nearest_cover_min"])}
    if settings["cover"] > 0 and any(toks for _, toks, _ in train) and not any(
            tok.pos.split("+")[0] in CONTENT for _, toks, _ in train for tok in toks or ()):
        warnings.warn("nearest_cover does nothing here: no training token has a mecab-ko-dic noun tag "
                      f"({', '.join(sorted(CONTENT))}); train with the mecab tokenizer, or set "
                      "intent.nearest_cover=0 to say so", stacklevel=2)
    index = NearestIndex.fit([(t, toks) for t, toks, _ in train], y, len(labels), settings)
    model.labels_ = list(labels)
    model._nearest = index
    model.temperature_ = 1.0
    model.bias_ = None
    model.warm_start_ = None
    # calibration: a real validation split, else the training sentences left out one at a time
    # (an ensemble hands its members the training set as valid when it has no valid split)
    valid = [] if len(valid) == len(train) and valid == train else valid
    order = np.argsort(y, kind="stable")
    if valid:
        items_va = [(t, toks) for t, toks, _ in valid]
        y_va = np.array([lab_index[r[2]] for r in valid], dtype=np.int64)
        logits_va = index.logits(items_va)
    else:   # at most _LOO sentences (a random sample), each scored without its own row
        rng = np.random.default_rng(int(p["seed"] or 0))
        rows = np.arange(len(order)) if len(order) <= _LOO else np.sort(rng.choice(len(order), _LOO, replace=False))
        items_va = [(train[order[r]][0], train[order[r]][1]) for r in rows]
        y_va = y[order[rows]]
        logits_va = index.logits(items_va, exclude=rows)
    rng = np.random.default_rng(int(p["seed"] or 0) + 1)
    oe = _nonsense_items(max(200, len(items_va) // 2), rng, _known_chars(train))
    logits_oe = index.logits(oe)
    if valid:
        model.temperature_ = _fit_temperature(logits_va, y_va, logits_oe, float(p["oe_weight"]))
    if p["threshold"] is not None:
        model.threshold_ = float(p["threshold"])
    else:
        probs_va = _softmax(logits_va / model.temperature_)
        hit = probs_va.argmax(1) == y_va
        probs_oe = _softmax(logits_oe / model.temperature_)
        model.threshold_ = _choose_threshold(probs_va.max(1)[hit], probs_oe.max(1), float(p["max_reject"]),
                                             len(labels))
    model.history_ = [{"epoch": 0, "sentences": int(index.matrix.shape[0]), "features": len(index.vocab),
                       "calibrated_on": "valid" if valid else "train, leave-one-out",
                       "calibration_sentences": len(items_va),
                       "seconds": round(time.perf_counter() - t0, 3)}]
    return model
