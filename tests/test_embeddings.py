"""Embeddings: Word2Vec/FastText training, pickle-free save/load, FastText OOV vectors."""
from __future__ import annotations

import os

import numpy as np
import pytest

from nlukit.errors import BundleError, ModelError, OutputExistsError

CORPUS = [
    ["서울", "날씨", "알려", "줘"], ["부산", "날씨", "어때"], ["내일", "서울", "날씨", "어때"],
    ["서울", "에서", "부산", "으로", "가", "는", "기차"], ["대전", "에서", "서울", "로", "가", "는", "기차"],
    ["아침", "7", "시", "에", "알람", "맞춰", "줘"], ["노래", "틀", "어", "줘"], ["아이유", "노래", "틀", "어", "줘"],
] * 5


def _ft_params() -> dict:
    return dict(algorithm="fasttext", dim=16, epochs=3, min_count=1, seed=7, workers=1,
                min_n=1, max_n=3, bucket=2000)


@pytest.mark.slow
def test_should_save_and_load_word2vec_without_pickle(tmp_path):
    # Given Word2Vec vectors trained on a tiny corpus
    from nlukit.models.embeddings import Embeddings, train_embeddings
    emb = train_embeddings(CORPUS, dim=16, epochs=3, seed=3)
    # When saved and loaded
    emb.save(tmp_path / "w2v")
    back = Embeddings.load(tmp_path / "w2v")
    # Then vocabulary and vectors are identical, and only npy/json files were written
    assert sorted(os.listdir(tmp_path / "w2v")) == ["meta.json", "vectors.npy", "vocab.json"]
    np.load(tmp_path / "w2v" / "vectors.npy", allow_pickle=False)  # would raise on pickled data
    assert back.vocab == emb.vocab and back.dim == 16
    assert np.array_equal(back.vectors, emb.vectors)
    assert np.array_equal(back.vector("서울"), emb.vector("서울"))
    # and Word2Vec has no vector for an unseen token
    assert back.vector("제주도") is None


@pytest.mark.slow
def test_should_reproduce_vectors_with_the_same_seed():
    from nlukit.models.embeddings import train_embeddings
    a = train_embeddings(CORPUS, dim=16, epochs=3, seed=11)
    b = train_embeddings(CORPUS, dim=16, epochs=3, seed=11)
    c = train_embeddings(CORPUS, dim=16, epochs=3, seed=12)
    assert a.vocab == b.vocab and np.array_equal(a.vectors, b.vectors)
    assert not np.array_equal(a.vectors, c.vectors)


@pytest.mark.slow
def test_should_return_gensims_fasttext_oov_vector_after_reload(tmp_path):
    # Given a FastText model trained by gensim directly and through nlukit with the same seed
    from gensim.models import FastText

    from nlukit.models.embeddings import Embeddings, train_embeddings
    p = _ft_params()
    ref = FastText(sentences=CORPUS, vector_size=p["dim"], window=5, min_count=1, epochs=3, sg=1,
                   negative=5, seed=7, workers=1, min_n=1, max_n=3, bucket=2000)
    emb = train_embeddings(CORPUS, **p)
    assert np.array_equal(emb.vectors, ref.wv.vectors)
    # When saved and loaded again
    emb.save(tmp_path / "ft")
    back = Embeddings.load(tmp_path / "ft")
    # Then an unseen token gets exactly gensim's composed vector, and a known one its own
    for oov in ["서울역", "부산시", "노래방"]:
        assert oov not in back
        expected = ref.wv[oov]
        got = back.vector(oov)
        assert got is not None and np.any(got != 0)
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(back.vector("날씨"), ref.wv["날씨"])


def test_should_refuse_a_corrupted_vectors_file(tmp_path):
    from nlukit.models.embeddings import Embeddings
    emb = Embeddings(["서울", "부산"], np.ones((2, 4), dtype=np.float32))
    emb.save(tmp_path / "w2v")
    (tmp_path / "w2v" / "vectors.npy").write_bytes(b"not an npy file")
    with pytest.raises(BundleError, match="vectors.npy"):
        Embeddings.load(tmp_path / "w2v")


def test_should_refuse_a_missing_vocab_file(tmp_path):
    from nlukit.models.embeddings import Embeddings
    Embeddings(["서울"], np.ones((1, 4), dtype=np.float32)).save(tmp_path / "w2v")
    os.remove(tmp_path / "w2v" / "vocab.json")
    with pytest.raises(BundleError, match="vocab.json"):
        Embeddings.load(tmp_path / "w2v")


def test_should_not_overwrite_an_existing_directory(tmp_path):
    from nlukit.models.embeddings import Embeddings
    emb = Embeddings(["서울"], np.ones((1, 4), dtype=np.float32))
    emb.save(tmp_path / "w2v")
    with pytest.raises(OutputExistsError):
        emb.save(tmp_path / "w2v")
    assert Embeddings.load(tmp_path / "w2v").vocab == ["서울"]


def test_should_reject_unknown_parameters_and_empty_corpus():
    from nlukit.models.embeddings import train_embeddings
    with pytest.raises(ModelError, match="dimension|unknown"):
        train_embeddings(CORPUS, dimension=10)
    with pytest.raises(ModelError, match="empty corpus"):
        train_embeddings([[], []])


@pytest.mark.parametrize("key,value", [("dim", 0), ("epochs", -1)])
def test_should_refuse_embedding_sizes_below_one(key, value):
    # Given --set word2vec.dim=0: a shape-mismatch traceback in the intent CNN later on
    from nlukit.models.embeddings import train_embeddings
    with pytest.raises(ModelError, match=key):
        train_embeddings([["서울", "날씨"]], **{key: value})
