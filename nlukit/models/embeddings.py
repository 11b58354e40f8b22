"""Word2Vec / FastText embeddings over morpheme surfaces (gensim), saved without pickle.

A saved directory holds ``vectors.npy`` (one row per vocabulary entry),
``vocab.json`` and ``meta.json``; FastText adds ``ngrams.npy`` (the hashed n-gram
buckets) so out-of-vocabulary tokens get the same vector gensim would compose.
gensim is needed to train and to compose FastText OOV vectors (its own hashing
function is used, so the vectors match bit for bit).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BundleError, ModelError

FORMAT_VERSION = 1
KIND = "embeddings"

DEFAULTS: dict[str, Any] = {
    "algorithm": "word2vec",  # or "fasttext" (composes vectors for unseen tokens)
    "dim": 64,
    "window": 5,
    "min_count": 1,
    "epochs": 10,
    "sg": 1,                  # skip-gram: better for the rare tokens of small corpora
    "negative": 5,
    "seed": 13,
    "workers": 1,             # 1 makes a seeded run reproduce exactly
    "min_n": 2,               # FastText character n-gram range (Hangul syllables)
    "max_n": 4,
    "bucket": 100_000,        # FastText n-gram buckets (gensim's 2M is 800 MB at dim 100)
}


class Embeddings:
    """Token vectors: ``vocab``, ``vectors`` (float32, ``len(vocab) × dim``), ``dim``."""

    def __init__(self, vocab: list[str], vectors: np.ndarray, algorithm: str = "word2vec",
                 params: dict[str, Any] | None = None, ngrams: np.ndarray | None = None) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
            raise ModelError(f"vectors of shape {vectors.shape} do not match a vocabulary of "
                             f"{len(vocab)} tokens")
        self.vocab = list(vocab)
        self.vectors = vectors
        self.algorithm = algorithm
        self.params = dict(params or {})
        self.ngrams = ngrams
        self.index = {t: i for i, t in enumerate(self.vocab)}

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.vocab)

    def __contains__(self, token: object) -> bool:
        return token in self.index

    def vector(self, token: str) -> np.ndarray | None:
        """The token's vector; FastText composes one for unseen tokens, Word2Vec gives None."""
        i = self.index.get(token)
        if i is not None:
            return self.vectors[i]
        if self.ngrams is None:
            return None
        from gensim.models.fasttext import ft_ngram_hashes
        hashes = ft_ngram_hashes(token, int(self.params["min_n"]), int(self.params["max_n"]),
                                 int(self.params["bucket"]))
        out = np.zeros(self.dim, dtype=np.float32)
        if not hashes:
            return out
        for h in hashes:
            out += self.ngrams[h]
        return out / len(hashes)

    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> None:
        """Write ``vectors.npy``, ``vocab.json``, ``meta.json`` (+ ``ngrams.npy``) atomically."""
        from .. import __version__
        from .common import atomic_dir, write_json
        with atomic_dir(path, overwrite=overwrite) as tmp:
            np.save(tmp / "vectors.npy", self.vectors, allow_pickle=False)
            write_json(tmp / "vocab.json", self.vocab)
            if self.ngrams is not None:
                np.save(tmp / "ngrams.npy", self.ngrams, allow_pickle=False)
            write_json(tmp / "meta.json", {
                "kind": KIND, "format": FORMAT_VERSION, "nlukit_version": __version__,
                "algorithm": self.algorithm, "dim": self.dim, "size": len(self.vocab),
                "params": self.params, "ngrams": self.ngrams is not None})

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Embeddings:
        """Read a directory written by :meth:`save`; damage is a :class:`BundleError`."""
        from .common import check_format, read_json
        path = Path(path)
        if not path.is_dir():
            raise BundleError(f"{path}: embeddings directory not found; train the model first "
                              "or give the path of its w2v/ directory")
        meta = check_format(read_json(path / "meta.json"), path / "meta.json", KIND, FORMAT_VERSION)
        vocab = read_json(path / "vocab.json")
        if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
            raise BundleError(f"{path / 'vocab.json'}: not a JSON list of tokens; re-save the model")
        vectors = _load_npy(path / "vectors.npy")
        if vectors.ndim != 2 or vectors.shape[0] != len(vocab):
            raise BundleError(f"{path / 'vectors.npy'}: shape {vectors.shape} does not match "
                              f"the {len(vocab)} tokens of vocab.json; re-save the model")
        ngrams = _load_npy(path / "ngrams.npy") if meta.get("ngrams") else None
        if ngrams is not None and (ngrams.ndim != 2 or ngrams.shape[1] != vectors.shape[1]):
            raise BundleError(f"{path / 'ngrams.npy'}: shape {ngrams.shape} does not match "
                              f"dimension {vectors.shape[1]}; re-save the model")
        return cls(vocab, vectors, algorithm=str(meta.get("algorithm", "word2vec")),
                   params=dict(meta.get("params", {})), ngrams=ngrams)


def _load_npy(path: Path) -> np.ndarray:
    if not path.is_file():
        raise BundleError(f"{path}: file is missing; the model directory is incomplete")
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise BundleError(f"{path}: cannot read array ({exc}); the file is corrupted, "
                          "re-train or restore the model") from exc
    return np.asarray(arr, dtype=np.float32)


class _Corpus:
    """A re-iterable corpus (gensim iterates several times); materialises one-shot iterables."""

    def __init__(self, sentences: Iterable[list[str]]) -> None:
        if isinstance(sentences, (list, tuple)):
            self.data: Any = sentences
        else:
            self.data = [list(s) for s in sentences]

    def __iter__(self) -> Any:
        return iter(self.data)


def train_embeddings(token_sentences: Iterable[list[str]], **params: Any) -> Embeddings:
    """Train Word2Vec (default) or FastText on token surfaces; see :data:`DEFAULTS`.

    Sentences are lists of morpheme surfaces. With ``workers=1`` and a ``seed`` the
    result is identical run to run.
    """
    unknown = set(params) - set(DEFAULTS) - {"progress"}
    if unknown:
        raise ModelError(f"unknown embeddings parameter(s) {sorted(unknown)}; "
                         f"known: {sorted(DEFAULTS)}")
    p = {**DEFAULTS, **{k: v for k, v in params.items() if k != "progress"}}
    algo = str(p["algorithm"]).lower()
    if algo not in ("word2vec", "fasttext"):
        raise ModelError(f"unknown embeddings algorithm {p['algorithm']!r}; use 'word2vec' or 'fasttext'")
    for key in ("dim", "epochs"):
        if not isinstance(p[key], int) or isinstance(p[key], bool) or p[key] < 1:
            raise ModelError(f"[word2vec] {key} must be a positive integer, got {p[key]!r}")
    corpus = _Corpus(token_sentences)
    if not any(len(s) for s in corpus):
        raise ModelError("cannot train embeddings on an empty corpus; generate a dataset first")
    seed = 1 if p["seed"] is None else int(p["seed"])
    common = dict(vector_size=int(p["dim"]), window=int(p["window"]), min_count=int(p["min_count"]),
                  epochs=int(p["epochs"]), sg=int(p["sg"]), negative=int(p["negative"]),
                  seed=seed, workers=max(1, int(p["workers"])))
    if algo == "word2vec":
        from gensim.models import Word2Vec
        model = Word2Vec(sentences=corpus, **common)
        ngrams = None
    else:
        from gensim.models import FastText
        model = FastText(sentences=corpus, min_n=int(p["min_n"]), max_n=int(p["max_n"]),
                         bucket=int(p["bucket"]), **common)
        ngrams = np.array(model.wv.vectors_ngrams, dtype=np.float32)
    if len(model.wv.index_to_key) == 0:
        raise ModelError(f"no token occurs min_count={p['min_count']} times; lower min_count")
    vocab = [str(t) for t in model.wv.index_to_key]
    vectors = np.array(model.wv.vectors, dtype=np.float32)
    p["algorithm"] = algo
    return Embeddings(vocab, vectors, algorithm=algo, params=p, ngrams=ngrams)


def align_embeddings(new: Embeddings, old: Embeddings) -> Embeddings:
    """``new``'s vectors carried into ``old``'s space, for warm-starting models built on ``old``.

    Two Word2Vec runs place words in unrelated coordinate systems, so a vector from a
    fresh run means nothing to a network fitted on the old one. An orthogonal map
    (Procrustes: the rotation that best takes ``new``'s vectors of the shared tokens to
    ``old``'s) is fitted on the tokens both know; the result keeps ``old``'s vectors for
    its tokens and gives each new token its rotated ``new`` vector (FastText n-gram
    buckets are rotated too). With another dimension or fewer shared tokens than
    dimensions, ``new`` is returned unchanged.

    >>> rng = np.random.default_rng(0)
    >>> old = Embeddings([f"w{i}" for i in range(20)], rng.normal(size=(20, 4)))
    >>> q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    >>> new = Embeddings([f"w{i}" for i in range(21)], np.vstack([old.vectors @ q.T, rng.normal(size=(1, 4))]))
    >>> out = align_embeddings(new, old)
    >>> out.vocab[-1], bool(np.allclose(out.vector("w20"), new.vector("w20") @ q, atol=1e-4))
    ('w20', True)
    """
    shared = [t for t in new.vocab if t in old.index]
    if new.dim != old.dim or len(shared) < new.dim:
        return new
    a = np.stack([new.vectors[new.index[t]] for t in shared]).astype(np.float64)
    b = np.stack([old.vectors[old.index[t]] for t in shared]).astype(np.float64)
    u, _, vt = np.linalg.svd(a.T @ b)
    rot = (u @ vt).astype(np.float32)
    extra = [t for t in new.vocab if t not in old.index]
    vectors = np.vstack([old.vectors] + ([new.vectors[[new.index[t] for t in extra]] @ rot] if extra else []))
    ngrams = new.ngrams @ rot if new.ngrams is not None else None
    params = {**new.params, "aligned_to_previous": len(shared)}
    return Embeddings(old.vocab + extra, vectors, algorithm=new.algorithm, params=params, ngrams=ngrams)
