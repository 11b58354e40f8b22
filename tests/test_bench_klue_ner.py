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
