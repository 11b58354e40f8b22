"""KLUE-NER bench helpers: the mixed ensemble's character grid, projection and decoding."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench import bench_klue_ner as B  # noqa: E402
from nlukit.models.tagger import EntityTagger  # noqa: E402
from nlukit.text import analyze  # noqa: E402
from nlukit.types import Span  # noqa: E402

torch.set_num_threads(1)

TRAIN = [("내일 서울 시청에 가자", [("내일", "DT"), ("서울 시청", "LC")]),
         ("오늘 부산역 날씨", [("오늘", "DT"), ("부산역", "LC")]),
         ("모레 대전 시청에서 보자", [("모레", "DT"), ("대전 시청", "LC")]),
         ("내일 광주역 가는 기차", [("내일", "DT"), ("광주역", "LC")])]


def make(text: str, ents: list[tuple[str, str]]) -> tuple[str, list, list[Span]]:
    norm, toks = analyze(text)
    spans = []
    for surface, label in ents:
        i = norm.text.index(surface)
        spans.append(Span(i, i + len(surface), label, surface))
    return norm.text, toks, spans


def one_hot(grid: list[int], spans: set[tuple[int, int, str]]) -> np.ndarray:
    a = np.zeros((len(grid), len(B.GRID_TAGS)))
    a[:, 0] = 1.0
    for s, e, lab in spans:
        inside = [j for j, c in enumerate(grid) if s <= c < e]
        for k, j in enumerate(inside):
            a[j] = 0.0
            a[j, B.GRID_TAGS.index(("B-" if k == 0 else "I-") + lab)] = 1.0
    return a


def test_decode_grid_spans_cross_spaces_and_weights_decide() -> None:
    text = "내일 서울 시청에 가자"
    grid = B.grid_of(analyze(text)[1])
    assert 2 not in grid and grid[0] == 0          # spaces are not on the grid
    a = one_hot(grid, {(0, 2, "DT"), (3, 8, "LC")})
    b = one_hot(grid, {(3, 5, "PS")})
    assert B.decode_grid([[a]], [1.0], [grid]) == [{(0, 2, "DT"), (3, 8, "LC")}]
    assert B.decode_grid([[a], [b]], [1.0, 0.2], [grid]) == [{(0, 2, "DT"), (3, 8, "LC")}]
    assert B.decode_grid([[a], [b]], [0.2, 1.0], [grid]) == [{(3, 5, "PS")}]
    assert B.decode_grid([[a], [b]], [1.0, 0.0], [grid], log_mean=True) == [{(0, 2, "DT"), (3, 8, "LC")}]
    # IOB2 constraints: I- mass with no B- anywhere cannot open a span; with a B- it extends it
    c = np.zeros((len(grid), len(B.GRID_TAGS)))
    c[:, 0] = 0.4
    c[:, B.GRID_TAGS.index("I-QT")] = 0.6
    assert B.decode_grid([[c]], [1.0], [grid]) == [set()]
    c[0] = 0.0
    c[0, B.GRID_TAGS.index("B-QT")] = 1.0
    assert B.decode_grid([[c]], [1.0], [grid]) == [{(0, len(text), "QT")}]


@pytest.fixture(scope="module")
def morpheme_tagger() -> EntityTagger:
    items = [make(t, e) for t, e in TRAIN]
    return EntityTagger(unit="morpheme", hidden=16, char_filters=8, word_dim=16, epochs=60,
                        patience=60, lr=0.02, dropout=0.0, word_dropout=0.0, seed=3,
                        device="cpu").fit(items, dictionary={}, progress=False)


def test_morpheme_posteriors_project_onto_characters(morpheme_tagger: EntityTagger) -> None:
    items = [make(t, e)[:2] for t, e in TRAIN]
    grids = [B.grid_of(k) for _, k in items]
    margs = B.tagger_marginals(morpheme_tagger, items, grids)
    for (_, toks), g, m in zip(items, grids, margs, strict=True):
        assert m.shape == (len(g), len(B.GRID_TAGS))
        assert np.allclose(m.sum(axis=1), 1.0)
        starts = {t.start for t in toks}
        b_cols = [j for j, t in enumerate(B.GRID_TAGS) if t.startswith("B-")]
        inner = [j for j, c in enumerate(g) if c not in starts]
        assert inner and np.allclose(m[inner][:, b_cols], 0.0)   # no unit starts inside a morpheme
    # alone, the projected posteriors decode to what the tagger itself predicts (it fits its data)
    own = [{(s, e, ent) for s, e, ent, _, _ in p} for p in morpheme_tagger.predict(items)]
    assert B.decode_grid([margs], [1.0], grids) == own
    assert own[0] == {(0, 2, "DT"), (3, 8, "LC")}


def iob2(text: str, ents: list[tuple[str, str]]) -> list[str]:
    tags = ["O"] * len(text)
    for surface, label in ents:
        i = text.index(surface)
        tags[i:i + len(surface)] = [f"B-{label}"] + [f"I-{label}"] * (len(surface) - 1)
    return tags


def test_gazetteer_is_out_of_fold_and_marks_matches() -> None:
    sents = [(t, iob2(t, e)) for t, e in TRAIN]
    gaz = B.train_gazetteer(sents)
    assert gaz["서울 시청"] == "LC" and gaz["내일"] == "DT" and "시청" not in gaz
    oof = B.out_of_fold_gazetteers(sents, folds=2)
    # folds {0, 2} and {1, 3}: a sentence sees only the other fold's entities
    assert "서울 시청" not in oof[0] and "대전 시청" not in oof[2] and oof[0] is oof[2]
    assert oof[0]["부산역"] == "LC" and oof[0]["내일"] == "DT"    # sentence 3 has 내일 too
    assert oof[1]["서울 시청"] == "LC" and "부산역" not in oof[1]
    f = B.gazetteer_features("가자 서울 시청", gaz)
    assert f[0] == {} and f[2] == {}
    assert f[3] == {"gzLC": 1.0, "gzLCB": 1.0} and f[5] == {"gzLC": 1.0, "gzLCI": 1.0}
    assert f[7] == {"gzLC": 1.0, "gzLCE": 1.0}


def test_char_clusters_group_characters_not_bigrams() -> None:
    from nlukit.models.embeddings import Embeddings
    vocab = ["가", "각", "나", "낙", "가나"]
    vec = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [1, 1]], dtype=float)
    (two,) = B.char_clusters(Embeddings(vocab, vec), [2])
    assert set(two) == {"가", "각", "나", "낙"}
    assert two["가"] == two["각"] != two["나"] == two["낙"]


def test_rich_crf_member_reads_clusters_and_gazetteer() -> None:
    train = [(t, iob2(t, e)) for t, e in TRAIN] * 3
    toks = [analyze(t)[1] for t, _ in train]
    texts = ["내일 서울 시청에 가자", "오늘 광주역 날씨"]
    grids = [B.grid_of(analyze(t)[1]) for t in texts]
    clusters = [{ch: ord(ch) % 3 for t, _ in train for ch in t}]
    feats = B._rich_features(texts[0], analyze(texts[0])[1], clusters, B.train_gazetteer(train))
    assert feats[3]["gzLCB"] == 1.0 and feats[3]["k0c0"] == str(ord("서") % 3)
    assert feats[2]["gzLC@1"] == 1.0 and feats[0]["k0c-2"] == "#"
    (margs,), _ = B.crf_marginals(train, [texts], [grids], train_tokens=toks,
                                  tokens=[[analyze(t)[1] for t in texts]], clusters=clusters,
                                  gazetteer=True, c=0.01)
    for m, g in zip(margs, grids, strict=True):
        assert m.shape == (len(g), len(B.GRID_TAGS)) and np.allclose(m.sum(axis=1), 1.0)
    assert B.decode_grid([margs], [1.0], grids)[0] == {(0, 2, "DT"), (3, 8, "LC")}
    with pytest.raises(ValueError):
        B.crf_marginals(train, [texts], [grids], gazetteer=True)


def test_likelihood_weights_follow_the_member_that_predicts_gold() -> None:
    text = "내일 서울 시청에 가자"
    grid = B.grid_of(analyze(text)[1])
    gold = {(0, 2, "DT"), (3, 8, "LC")}
    assert [B.GRID_TAGS[k] for k in B.grid_tags(gold, grid)][:4] == ["B-DT", "I-DT", "B-LC", "I-LC"]
    good = 0.9 * one_hot(grid, gold) + 0.1 / len(B.GRID_TAGS)
    bad = 0.9 * one_hot(grid, {(3, 5, "PS")}) + 0.1 / len(B.GRID_TAGS)
    w = B.likelihood_weights([[good], [bad]], [grid], [gold])
    assert w[0] > 0.95 and abs(sum(w) - 1.0) < 1e-9
    assert B.likelihood_weights([[good], [good]], [grid], [gold]) == pytest.approx([0.5, 0.5])


def test_run_mix_of_crf_members_reports_every_weight_rule() -> None:
    from nlukit.models.embeddings import Embeddings
    raw = [(t, iob2(t, e)) for t, e in TRAIN] * 3
    train_items = [make(t, e) for t, e in TRAIN] * 3
    valid_items = [make(t, e) for t, e in TRAIN[:2]]
    test = [(t, iob2(t, e)) for t, e in TRAIN[2:]]
    test_items = [make(t, e)[:2] for t, e in TRAIN[2:]]
    gold = [B.spans_of(tags) for _, tags in test]
    chars = sorted({ch for t, _ in raw for ch in t if not ch.isspace()})
    cw2v = Embeddings(chars, np.random.default_rng(0).normal(size=(len(chars), 4)))
    params = {"_mix": ["crf", "crf_pos_clu_gaz"], "_weights": "likelihood"}
    pred, info = B.run_mix("m", params, raw, train_items, valid_items, test_items, test,
                           None, cw2v, gold)
    assert pred == gold                                   # both members fit these sentences
    assert set(info["rules"]) == {"likelihood", "grid", "equal"}
    assert info["weight_rule"] == "likelihood" and sum(info["weights"].values()) == pytest.approx(1.0, abs=1e-3)
    assert [m["member"] for m in info["members"]] == ["crf", "crf_pos_clu_gaz"]
    assert info["rules"]["equal"]["weights"] == [1.0, 1.0] and info["rules"]["grid"]["f1"] == 1.0
