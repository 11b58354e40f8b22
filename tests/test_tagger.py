"""BiLSTM-CRF entity tagger: spans, roles, constraints, confidence, persistence, bad input."""
from __future__ import annotations

import itertools
import math
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nlukit.errors import BundleError, InputError, ModelError, NotFittedError  # noqa: E402
from nlukit.models.gazetteer import Gazetteer, match_features  # noqa: E402
from nlukit.models.tagger import NEG, EntityTagger, _forward_backward, _viterbi  # noqa: E402
from nlukit.text import analyze  # noqa: E402
from nlukit.types import Span, Token  # noqa: E402

torch.set_num_threads(1)

DICT = {
    "location": {"서울": ["서울시"], "부산": [], "대전": [], "광주": [], "강릉": [], "대구": []},
    "date": {"내일": ["낼"], "오늘": [], "모레": []},
}
TRAIN = [
    ("내일 서울에서 부산으로 가는 기차", [("내일", "date", None), ("서울", "location", "origin"),
                                  ("부산", "location", "destination")]),
    ("부산에서 대전으로 가는 표 예매해줘", [("부산", "location", "origin"), ("대전", "location", "destination")]),
    ("오늘 광주 날씨 어때", [("오늘", "date", None), ("광주", "location", None)]),
    ("모레 강릉 날씨 알려줘", [("모레", "date", None), ("강릉", "location", None)]),
    ("대전에서 서울로 가는 기차 예매", [("대전", "location", "origin"), ("서울", "location", "destination")]),
    ("낼 부산 날씨", [("낼", "date", None), ("부산", "location", None)]),
    ("광주에서 강릉으로 가는 기차표", [("광주", "location", "origin"), ("강릉", "location", "destination")]),
    ("서울시 날씨 어때", [("서울시", "location", None)]),
    ("대구에서 광주로 내일 가는 기차", [("대구", "location", "origin"), ("광주", "location", "destination"),
                                ("내일", "date", None)]),
    ("오늘 대구 날씨는", [("오늘", "date", None), ("대구", "location", None)]),
]
PARAMS = {"hidden": 32, "char_filters": 16, "word_dim": 32, "epochs": 80, "patience": 80,
          "lr": 0.01, "seed": 7, "dropout": 0.1, "device": "cpu"}


def make(text: str, ents: list[tuple[str, str, str | None]]) -> tuple[str, list[Token], list[Span]]:
    norm, toks = analyze(text)
    spans, pos = [], 0
    for surface, entity, role in ents:
        i = norm.text.index(surface, 0)
        spans.append(Span(i, i + len(surface), entity, surface, role))
        pos = i
    del pos
    return norm.text, toks, spans


def item(text: str) -> tuple[str, list[Token]]:
    norm, toks = analyze(text)
    return norm.text, toks


@pytest.fixture(scope="module")
def train_items() -> list[tuple[str, list[Token], list[Span]]]:
    return [make(t, e) for t, e in TRAIN]


@pytest.fixture(scope="module")
def tagger(train_items: list) -> EntityTagger:
    return EntityTagger(**PARAMS).fit(train_items, train_items, DICT, progress=False)


def as_tuples(spans: list, text: str) -> list[tuple[str, str, str | None]]:
    return [(text[s:e], ent, role) for s, e, ent, role, _ in spans]


# --------------------------------------------------------------------------- learning
@pytest.mark.slow
def test_should_tag_every_training_sentence_exactly_after_overfitting(tagger, train_items):
    # Given a tagger trained to convergence on ten sentences
    # When it tags those sentences
    pred = tagger.predict([(t, toks) for t, toks, _ in train_items])
    # Then every span, type and role is exactly the gold one
    for (text, _, gold), spans in zip(train_items, pred, strict=False):
        assert [(s, e, ent, role) for s, e, ent, role, _ in spans] == \
            [(g.start, g.end, g.entity, g.role) for g in gold], text
    assert tagger.history_[-1]["valid_f1"] == 1.0
    assert tagger.labels_ == ["date", "location", "location:destination", "location:origin"]


@pytest.mark.slow
def test_should_keep_particles_out_of_spans_when_mecab_glues_them(tagger):
    # Given a token that MeCab would not split (built by hand): 서울에서 as one noun
    text = "서울에서 부산으로"
    toks = [Token("서울에서", "NNP", 0, 4), Token("부산", "NNP", 5, 7), Token("으로", "JKB", 7, 9)]
    # When the tagger predicts
    [spans] = tagger.predict([(text, toks)])
    # Then the dictionary match cuts the token and the span is 서울 only: [0, 2)
    assert [(s, e, ent, role) for s, e, ent, role, _ in spans] == \
        [(0, 2, "location", "origin"), (5, 7, "location", "destination")]


@pytest.mark.slow
def test_should_tell_origin_from_destination_in_an_unseen_sentence(tagger):
    text, toks = item("강릉에서 대구로 가는 기차")
    [spans] = tagger.predict([(text, toks)])
    assert as_tuples(spans, text) == [("강릉", "location", "origin"), ("대구", "location", "destination")]


@pytest.mark.slow
def test_should_split_training_tokens_at_gold_boundaries_too(train_items):
    # Given a gold span that ends inside a MeCab token and no dictionary
    text = "강릉에서 출발"
    toks = [Token("강릉에서", "NNP", 0, 4), Token("출발", "NNG", 5, 7)]
    t = EntityTagger(**{**PARAMS, "epochs": 1}).fit(
        [(text, toks, [Span(0, 2, "location", "강릉")])], [], {}, progress=False)
    # Then training saw the split unit (its vocabulary holds 강릉 and 에서, not 강릉에서)
    assert "강릉" in t.words_.stoi and "에서" in t.words_.stoi and "강릉에서" not in t.words_.stoi


@pytest.mark.slow
def test_should_tag_characters_inside_morphemes_in_char_mode(tmp_path):
    # Given sentences whose entities end inside MeCab tokens (32명 → 32 + 명 is fine, 김모 is one)
    data = [("경찰은 김모씨를 체포했다", [("김모", "PS", None)]),
            ("박씨는 3일 서울에 갔다", [("박", "PS", None), ("3일", "DT", None), ("서울", "LC", None)]),
            ("이씨가 어제 부산에서 왔다", [("이", "PS", None), ("어제", "DT", None), ("부산", "LC", None)])]
    items = [make(t, e) for t, e in data]
    t = EntityTagger(**{**PARAMS, "unit": "char", "unit_char_dim": 16, "bigram_dim": 8}).fit(
        items, items, {}, progress=False)
    # When it tags the training sentences, every character span is exact
    pred = t.predict([(x, toks) for x, toks, _ in items])
    for (_text, _, gold), spans in zip(items, pred, strict=False):
        assert [(s, e, ent) for s, e, ent, _, _ in spans] == [(g.start, g.end, g.entity) for g in gold]
    # And a saved char-mode tagger reloads to the same predictions
    t.save(str(tmp_path / "c"))
    assert EntityTagger.load(str(tmp_path / "c")).predict([(x, k) for x, k, _ in items]) == pred


@pytest.mark.slow
def test_should_use_bies_positions_and_pretrained_char_vectors_in_char_mode(tmp_path):
    # Given char-mode sentences and pretrained vectors for some characters and bigrams
    from nlukit.models.embeddings import Embeddings
    data = [("경찰은 김모씨를 체포했다", [("김모", "PS", None)]),
            ("박씨는 3일 서울에 갔다", [("박", "PS", None), ("3일", "DT", None), ("서울", "LC", None)]),
            ("이씨가 어제 부산에서 왔다", [("이", "PS", None), ("어제", "DT", None), ("부산", "LC", None)])]
    items = [make(t, e) for t, e in data]
    rng = np.random.RandomState(0)
    vocab = ["서", "울", "김", "서울", "울에", "대구"]      # 대구 is not in the training text
    vecs = Embeddings(vocab, rng.randn(len(vocab), 8).astype(np.float32))
    params = {**PARAMS, "unit": "char", "unit_char_dim": 8, "bigram_dim": 8, "char_position": "BIES"}
    t = EntityTagger(**params).fit(items, items, {}, progress=False, char_embeddings=vecs)
    # Then the character positions are B/I/E/S within the morpheme
    units = t._units(*items[1][:2])
    places = {p.split("/")[-1].rstrip("_") for p in units.pos}
    assert places <= {"B", "I", "E", "S"} and "S" in places and "E" in places
    # And pretrained entries joined the vocabularies (a unigram-only training would not hold 대구)
    assert "대구" in t.bigrams_.stoi and "서울" in t.bigrams_.stoi
    # And it tags the training sentences exactly and reloads to the same predictions
    pred = t.predict([(x, toks) for x, toks, _ in items])
    for (_text, _, gold), spans in zip(items, pred, strict=False):
        assert [(s, e, ent) for s, e, ent, _, _ in spans] == [(g.start, g.end, g.entity) for g in gold]
    t.save(str(tmp_path / "c"))
    assert EntityTagger.load(str(tmp_path / "c")).predict([(x, k) for x, k, _ in items]) == pred
    # And mismatched dims or a morpheme-unit tagger are refused
    with pytest.raises(ModelError):
        EntityTagger(**{**params, "bigram_dim": 4}).fit(items, [], {}, progress=False, char_embeddings=vecs)
    with pytest.raises(ModelError):
        EntityTagger(**{**PARAMS, "epochs": 1}).fit(items, [], {}, progress=False, char_embeddings=vecs)


def test_should_keep_bi_char_positions_by_default():
    # Given a char-mode tagger with default parameters
    items = [make("박씨는 3일 서울에 갔다", [("박", "PS", None)])]
    t = EntityTagger(**{**PARAMS, "unit": "char", "epochs": 1}).fit(items, [], {}, progress=False)
    # Then its character positions are only B/I, as before char_position existed
    assert {p.split("/")[-1].rstrip("_") for p in t._units(*items[0][:2]).pos} == {"B", "I"}


def test_should_learn_a_leave_one_out_lexicon_from_training_spans():
    # Given 홍길동 named as a person in two training sentences and 임꺽정 in one
    data = [("홍길동이 왔다", [("홍길동", "PS", None)]), ("어제 홍길동을 만났다", [("홍길동", "PS", None)]),
            ("임꺽정이 떠났다", [("임꺽정", "PS", None)])]
    items = [make(t, e) for t, e in data]
    t = EntityTagger(**{**PARAMS, "epochs": 1, "train_lexicon": True}).fit(items, [], {}, progress=False)
    # Then both names are matched on new text
    assert [m[:2] for m in t.gazetteer_.find("홍길동과 임꺽정")] == [(0, 3), (5, 8)]
    # And while training, a name only its own sentence provides was hidden from it
    _, excludes = t._lexicon(items, {})
    assert excludes == [frozenset(), frozenset(), frozenset({"임꺽정"})]
    assert t._units(items[2][0], items[2][1], items[2][2], excludes[2]).gaz[:, -1].all()
    assert not t._units(items[0][0], items[0][1], items[0][2], excludes[0]).gaz[:, -1].all()


def test_should_read_latin_letters_in_any_case_and_keep_old_models_as_they_were(tmp_path):
    import json
    items = [make("BTS 노래 틀어줘", [("BTS", "artist", None)]), make("IU 노래 틀어줘", [("IU", "artist", None)])]
    t = EntityTagger(**{**PARAMS, "epochs": 3}).fit(items, [], {"artist": {"방탄소년단": ["BTS"]}}, progress=False)
    # Then bts, Bts and BTS are one input: the same spans, the same confidences
    texts = ["bts 노래 틀어줘", "Bts 노래 틀어줘", "BTS 노래 틀어줘"]
    got = [t.predict([(norm.text, toks)])[0] for norm, toks in map(analyze, texts)]
    assert got[0] == got[1] == got[2]
    # And a model saved before the option existed reads letters as typed, as it was trained
    t.save(str(tmp_path / "t"))
    meta_path = tmp_path / "t" / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert meta["params"]["fold_case"] is True
    del meta["params"]["fold_case"]
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert EntityTagger.load(str(tmp_path / "t")).params["fold_case"] is False


def test_should_match_latin_dictionary_surfaces_in_any_case():
    g = Gazetteer({"artist": {"방탄소년단": ["BTS"], "아이유": ["IU"]}, "song": {"Dynamite": []}})
    text = "bts랑 Iu 그리고 DYNAMITE"
    assert [(text[s:e], t) for s, e, t in g.find(text)] == [
        ("bts", ("artist",)), ("Iu", ("artist",)), ("DYNAMITE", ("song",))]
    # leave-one-out hiding works whatever the case the surface was typed in
    assert [text[s:e] for s, e, _ in g.find(text, exclude={"BTS"})] == ["Iu", "DYNAMITE"]
    # a saved matcher (surfaces as they were listed) matches the same after loading
    assert Gazetteer.from_json(g.to_json()).find(text) == g.find(text)


def test_should_match_dictionary_times_typed_with_number_words():
    # Given a dictionary listing times with digits only
    items = [make("오후 3시 반에 깨워줘", [("오후 3시 반", "time", None)]), make("서울 날씨", [("서울", "loc", None)])]
    dictionary = {"time": {"오후 3시 30분": ["오후 3시 반"], "5분 뒤": []}, "loc": {"서울": []}}
    t = EntityTagger(**{**PARAMS, "epochs": 1}).fit(items, [], dictionary, progress=False)
    # Then the tagger's dictionary feature fires for the number-word spellings, spaced or not
    text = "오후 세시 반이나 오후 세 시 삼십 분 아니면 오 분 뒤에"
    found = [(text[s:e], types) for s, e, types in t.gazetteer_.find(text)]
    assert found == [("오후 세시 반", ("time",)), ("오후 세 시 삼십 분", ("time",)), ("오 분 뒤", ("time",))]
    # and survives save and load (the saved matcher lists the spellings)
    assert [m[:2] for m in Gazetteer.from_json(t.gazetteer_.to_json()).find(text)] == \
        [m[:2] for m in t.gazetteer_.find(text)]
    off = EntityTagger(**{**PARAMS, "epochs": 1, "spelled_numbers": False}).fit(items, [], dictionary, progress=False)
    assert off.gazetteer_.find(text) == []


# --------------------------------------------------------------------------- CRF
@pytest.mark.slow
def test_should_pin_invalid_iob2_transitions_after_training(tagger):
    trans = tagger.net_.crf.transitions.detach()
    start = tagger.net_.crf.start_transitions.detach()
    tags = tagger.tags_
    for i, frm in enumerate(tags):
        for j, to in enumerate(tags):
            invalid = to.startswith("I-") and (frm == "O" or frm[2:] != to[2:])
            assert (trans[i, j].item() == NEG) == invalid, (frm, to)
    for j, to in enumerate(tags):
        assert (start[j].item() == NEG) == to.startswith("I-")


@pytest.mark.slow
def test_should_never_decode_an_invalid_move_even_when_emissions_push_for_it(tagger):
    # Given emissions that strongly favour I- tags everywhere
    tags = tagger.tags_
    crf = tagger.net_.crf
    gen = torch.Generator().manual_seed(0)
    em = torch.randn(16, 9, len(tags), generator=gen) * 3
    for j, t in enumerate(tags):
        if t.startswith("I-"):
            em[:, :, j] += 50.0
    lengths = torch.tensor([9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 3, 2, 1, 5, 7])
    best = _viterbi(em.numpy(), lengths.numpy(),
                    *(x.detach().numpy() for x in (crf.start_transitions, crf.transitions, crf.end_transitions)))
    # Then every decoded sequence is valid IOB2
    for row, n in zip(best.tolist(), lengths.tolist(), strict=True):
        seq = [tags[k] for k in row[:n]]
        prev = "O"
        for t in seq:
            if t.startswith("I-"):
                assert prev != "O" and prev[2:] == t[2:], seq
            prev = t
    # And the decoded outputs of real sentences are valid too
    for _, seq in tagger.predict_tags([item("대전에서 광주로 내일 가는 기차표 예매"), item("서울 서울 서울")]):
        prev = "O"
        for t in seq:
            assert not t.startswith("I-") or (prev != "O" and prev[2:] == t[2:])
            prev = t


def test_should_decode_one_sentence_as_the_batched_viterbi_does():
    # Given random emissions, transitions with forbidden moves, and rows of several lengths
    rng = np.random.default_rng(3)
    for _ in range(300):
        t, n = int(rng.integers(1, 12)), int(rng.integers(1, 15))
        em = (rng.normal(size=(3, n, t)) * rng.choice([0.1, 1.0, 10.0])).astype(np.float32)
        start, end = rng.normal(size=t).astype(np.float32), rng.normal(size=t).astype(np.float32)
        trans = rng.normal(size=(t, t)).astype(np.float32)
        trans[rng.random((t, t)) < 0.3] = NEG
        lengths = rng.integers(1, n + 1, size=3)
        batch = _viterbi(em, lengths, start, trans, end)
        # Then each row decoded alone (the single-parse path) gives the same tags
        for r in range(3):
            alone = _viterbi(em[r:r + 1], lengths[r:r + 1], start, trans, end)[0]
            assert alone[:lengths[r]].tolist() == batch[r, :lengths[r]].tolist()


def test_should_match_brute_force_span_marginals():
    # Given a random CRF over 5 tags (O, B-a, I-a, B-b, I-b) and a 4-unit sentence
    tags = ["O", "B-a", "I-a", "B-b", "I-b"]
    g = torch.Generator().manual_seed(3)
    em = torch.randn(1, 4, 5, generator=g)
    start, end, trans = torch.randn(5, generator=g), torch.randn(5, generator=g), torch.randn(5, 5, generator=g)
    lengths = torch.tensor([4])
    alpha, beta, log_z = _forward_backward(em.numpy(), lengths.numpy(), start.numpy(), trans.numpy(),
                                           end.numpy())

    def path_score(p: tuple[int, ...]) -> float:
        s = start[p[0]] + em[0, 0, p[0]] + end[p[-1]]
        for k in range(1, 4):
            s = s + trans[p[k - 1], p[k]] + em[0, k, p[k]]
        return float(s)

    paths = list(itertools.product(range(5), repeat=4))
    z = math.log(sum(math.exp(path_score(p)) for p in paths))
    assert abs(z - float(log_z[0])) < 1e-4
    from nlukit.models.tagger import _span_probs
    # span 1: B-a I-a at [1, 3) (tags 1, 2 at positions 1, 2 and position 3 not I-a)
    # span 2: B-b at [3, 4), closing the sentence
    want = sum(math.exp(path_score(p) - z) for p in paths if p[1] == 1 and p[2] == 2 and p[3] != 2)
    want_end = sum(math.exp(path_score(p) - z) for p in paths if p[3] == 3)
    best = np.array([[0, 1, 2, 0], [0, 0, 0, 3]])
    a2, b2, z2 = (np.concatenate([x, x]) for x in (alpha, beta, log_z))
    em2 = np.concatenate([em.numpy(), em.numpy()])
    got, got_end = _span_probs(a2, b2, z2, em2, trans.numpy(), end.numpy(), best,
                               rows=np.array([0, 1]), starts=np.array([1, 3]), ends=np.array([3, 4]),
                               lengths=np.array([4, 4]), inside=np.array([tags.index("I-a"),
                                                                          tags.index("I-b")]))
    assert abs(got - want) < 1e-5
    assert abs(got_end - want_end) < 1e-5
    # and Viterbi finds the best-scoring path, also for a padded shorter row
    best_path = max(paths, key=path_score)
    em2p = np.concatenate([em.numpy(), em.numpy()])
    decoded = _viterbi(em2p, np.array([4, 4]), start.numpy(), trans.numpy(), end.numpy())
    assert tuple(decoded[0]) == best_path
    alone = _viterbi(em.numpy(), np.array([4]), start.numpy(), trans.numpy(), end.numpy())
    assert tuple(alone[0]) == best_path                      # one sentence: _viterbi_one
    short = list(itertools.product(range(5), repeat=2))

    def score2(p: tuple[int, ...]) -> float:
        return float(start[p[0]] + em[0, 0, p[0]] + trans[p[0], p[1]] + em[0, 1, p[1]] + end[p[1]])

    decoded = _viterbi(em2p, np.array([4, 2]), start.numpy(), trans.numpy(), end.numpy())
    assert tuple(decoded[1, :2]) == max(short, key=score2) and tuple(decoded[1, 2:]) == (0, 0)


@pytest.mark.slow
def test_should_give_confidences_between_zero_and_one(tagger):
    [spans] = tagger.predict([item("내일 서울에서 부산으로 가는 기차")])
    assert spans and all(0.0 < c <= 1.0 for *_, c in spans)
    [plain] = tagger.predict([item("내일 서울에서 부산으로 가는 기차")], confidence=False)
    assert [s[:4] for s in plain] == [s[:4] for s in spans]


# --------------------------------------------------------------------------- determinism
@pytest.mark.slow
def test_should_predict_the_same_in_a_batch_as_one_by_one(tagger):
    texts = ["내일 서울에서 부산으로 가는 기차", "오늘 날씨", "광주", "대구에서 강릉으로 모레 가는 표 예매해줘",
             "낼 대전 날씨 어때", ""]
    items = [item(t) for t in texts]
    batch = tagger.predict(items)
    single = [tagger.predict([it])[0] for it in items]
    assert [[s[:4] for s in b] for b in batch] == [[s[:4] for s in o] for o in single]
    for b, o in zip(batch, single, strict=False):
        for x, y in zip(b, o, strict=False):
            assert abs(x[4] - y[4]) < 1e-5


@pytest.mark.parametrize("extra,fold_max", [({}, None), ({"layers": 2}, None), ({}, 0), ({"char_kernel": 2}, None),
                                             ({"unit": "char", "unit_char_dim": 8, "bigram_dim": 8}, None)])
def test_should_compute_inference_emissions_as_the_torch_lstm_does(train_items, monkeypatch, extra, fold_max):
    # Given a tagger (one or two layers, morpheme or char units, odd or even char kernel),
    # its inference paths (input projections folded into the embeddings, packed recurrence;
    # nn.LSTM for a few rows; NumPy for one, char convolution as a product) and, as the
    # reference, the training path through Conv1d and nn.LSTM with dropout switched off
    import nlukit.models.tagger as tagger_module
    monkeypatch.setattr(tagger_module, "FOLDED_MIN_ROWS", 1)   # the folded path even for 4 rows
    if fold_max is not None:   # no table folded: every part multiplied at inference
        monkeypatch.setattr(tagger_module, "FOLD_MAX", fold_max)
    t = EntityTagger(**{**PARAMS, **extra, "epochs": 2}).fit(train_items, train_items, DICT, progress=False)
    texts = ["내일 서울에서 부산으로 가는 기차", "광주", "대구에서 강릉으로 모레 가는 표 예매해줘", "오늘 날씨"]
    batch = t._encode([t._units(*item(x)) for x in texts])
    net = t.net_
    with torch.no_grad():   # a padding character that is not zero: the paths must still agree
        net.char.weight[0].normal_(generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        got = net.eval().emissions(batch)
        monkeypatch.setattr(tagger_module, "FOLDED_MIN_ROWS", 10**6)
        small = net.emissions(batch)     # what a batch under FOLDED_MIN_ROWS takes: nn.LSTM
        for m in net.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = 0.0
        net.lstm.dropout = 0.0
        want = net.train().emissions(batch)
        net.eval()
        # one sentence alone: the NumPy recurrence of a single parse
        alone = [net.emissions(t._encode([t._units(*item(x))]))[0] for x in texts]
    # Then the emissions agree on every real unit (padded ones hold the output bias)
    for row, n in enumerate(batch["lengths"].tolist()):
        assert torch.allclose(got[row, :n], want[row, :n], atol=1e-5)
        assert torch.allclose(small[row, :n], want[row, :n], atol=1e-5)
        assert torch.allclose(alone[row][:n], want[row, :n], atol=1e-5)
    assert (net._folded().table is None) == (fold_max == 0)
    assert (net._folded().char is None) == (fold_max == 0)   # the char CNN folded, or convolved


def test_should_read_known_words_char_features_as_the_batch_char_cnn_gives_them(tagger, monkeypatch):
    # Given a batch on the packed path with known words, unknown ones (their char CNN runs),
    # surfaces spelling the padding and unknown words, empty and long texts, naughty strings
    import copy

    import nlukit.models.tagger as tagger_module
    monkeypatch.setattr(tagger_module, "FOLDED_MIN_ROWS", 1)
    texts = ["내일 서울에서 부산으로 가는 기차", "<pad> <unk> 서울 <pad>", "뷁뷁 햏햏 zzqq 광주", "",
             "ㅋㅋㅋ ^^;", "{{}} %s%s%n \x00 부\u200b산", "대구에서 강릉으로 모레 가는 표 예매해줘 " * 12,
             "BTS 노래 서울 SEOUL 낼", "a" * 40]
    t = copy.deepcopy(tagger)
    batch = t._encode([t._units(*item(x)) for x in texts])
    assert "vocab_chars" in batch and bool((batch["words"] < 2).any())   # some units unknown
    plain = {k: v for k, v in batch.items() if k != "vocab_chars"}
    net = t.net_.eval()
    with torch.inference_mode():
        got = net.emissions(batch)
        want = net.emissions(plain)   # the char CNN over every distinct surface of the batch
    # Then the emissions are the same (bit for bit on the machine this was written on; another
    # BLAS may round a row differently by where it falls in a product)
    assert net._folded().word_chars[1] is not None
    torch.testing.assert_close(got, want, rtol=0, atol=1e-6)
    # And with a padding character that is not zero (a row would depend on the batch's
    # widest surface) the route steps aside
    with torch.no_grad():
        net.char.weight[0].normal_(generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        torch.testing.assert_close(net.emissions(batch), net.emissions(plain), rtol=0, atol=1e-6)
    assert net._folded().word_chars[1] is None


def test_should_read_runs_from_viterbi_paths_as_the_plain_loop_does() -> None:
    # Given paths of every kind: valid IOB2, I- after O or after another label, a label
    # whose I- follows its I-, rows of length 0 and 1, padding past each row's length
    # holding tags, tags named oddly (a label of one letter, an empty one)
    from nlukit.models.tagger import _decoded_runs, _decoded_runs_plain, _decoded_spans
    tags = ["O", "B-location", "I-location", "B-date", "I-date", "B-x:role", "I-x:role", "B-", "I-"]
    rng = np.random.default_rng(5)
    for trial in range(300):
        b, n = int(rng.integers(1, 12)), int(rng.integers(1, 9))
        weights = rng.dirichlet(np.ones(len(tags)) * (0.3 if trial % 2 else 3.0))
        best = rng.choice(len(tags), size=(b, n), p=weights).astype(np.int64)
        lengths = rng.integers(0 if trial % 3 else 1, n + 1, size=b)
        # When the runs are read by arrays and by the loop
        hit_rows, found = _decoded_spans(best, lengths, tags, 0)
        plain_rows, plain = _decoded_runs_plain(best, lengths, tags, 0)
        # Then they are the same runs, in the same order
        assert hit_rows.tolist() == plain_rows.tolist()
        assert found == plain
        _, rows, starts, ends, opener = _decoded_runs(best, lengths, tags, 0)
        assert [tags[t][2:] for t in opener.tolist()] == [label for *_, label in plain]


def test_should_cut_the_same_units_from_token_columns_as_from_tokens(tagger) -> None:
    # Given tokens as a batch parse gives them (columns) and as a list, including empty
    # tokens, starts out of order, Latin capitals (case folding), dictionary matches that
    # cut a token, long text and nothing at all
    from nlukit.text import TokenColumns

    def columns(toks: list[Token]) -> TokenColumns:
        return TokenColumns([t.surface for t in toks], [t.pos for t in toks], [t.start for t in toks],
                            [t.end for t in toks])

    cases = [item(x) for x in ["내일 서울에서 부산으로 가는 기차", "서울시청 근처 BTS 노래", "", "ㅋㅋㅋ",
                               "대구에서 강릉으로 모레 가는 표 예매해줘 " * 15, "%s%s%n {{}} \x00"]]
    text, toks = cases[0]
    cases.append((text, [Token("", "SY", 0, 0), *toks, Token("", "SY", len(text), len(text))]))
    cases.append((text, list(reversed(toks))))
    for text, toks in cases:
        # When the units are cut from each
        a, b = tagger._units(text, toks), tagger._units(text, columns(toks))
        # Then they are the same
        for field in ("starts", "ends", "words", "pos", "gaz_hits"):
            assert list(getattr(a, field)) == list(getattr(b, field)), (text, field)
    # And a batch predicts the same spans from either
    assert tagger.predict([(t, columns(k)) for t, k in cases]) == tagger.predict(cases)


def test_should_take_the_maximum_over_the_last_axis_as_numpy_does() -> None:
    # Given scores with ties, infinities and NaN, of one tag and of many
    from nlukit.models.tagger import _max_last
    rng = np.random.default_rng(3)
    for shape in [(4, 6, 13), (1, 1, 1), (3, 0, 5), (7, 2), (2, 3, 60)]:
        x = rng.normal(size=shape).round(1)
        if x.size > 4:
            x.flat[[0, 1, 2, 3]] = [np.inf, -np.inf, np.nan, -0.0]
        # Then the running maximum is numpy's maximum, NaN and all
        np.testing.assert_array_equal(_max_last(x), x.max(axis=-1))
        np.testing.assert_array_equal(_max_last(x.astype(np.float32)), x.astype(np.float32).max(axis=-1))


def test_should_project_repeated_units_once_and_give_every_unit_what_it_got_alone(tagger, monkeypatch):
    # Given a batch on the packed path whose units repeat (the same word, POS and dictionary
    # columns in many texts), with unknown words, long and empty texts, naughty strings
    import copy

    import nlukit.models.tagger as tagger_module
    monkeypatch.setattr(tagger_module, "FOLDED_MIN_ROWS", 1)
    texts = ["내일 서울에서 부산으로 가는 기차", "서울 날씨", "내일 서울 날씨", "뷁뷁 햏햏 zzqq 광주", "",
             "대구에서 강릉으로 모레 가는 표 예매해줘 " * 12, "{{}} %s%s%n \x00 부\u200b산", "BTS 노래 서울 SEOUL 낼",
             "내일 서울에서 부산으로 가는 기차"] * 3
    t = copy.deepcopy(tagger)
    batch = t._encode([t._units(*item(x)) for x in texts])
    net = t.net_.eval()
    calls = []
    real = tagger_module._Net._same_inputs

    def spy(self, *args):
        got = real(self, *args)
        calls.append(got)
        return got
    monkeypatch.setattr(tagger_module._Net, "_same_inputs", spy)
    with torch.inference_mode():
        got = net.emissions(batch)
        plain = {k: v for k, v in batch.items() if k != "vocab_chars"}   # the char CNN over the batch
        got_plain = net.emissions(plain)
    assert calls and all(c is not None and len(c[0]) < len(c[1]) for c in calls)
    # When the same batch is computed unit by unit
    monkeypatch.setattr(tagger_module._Net, "_same_inputs", lambda self, *args: None)
    with torch.inference_mode():
        want = net.emissions(batch)
        want_plain = net.emissions(plain)
    # Then every emission is the same (bit for bit here; another BLAS may round a row by its place)
    torch.testing.assert_close(got, want, rtol=0, atol=1e-6)
    torch.testing.assert_close(got_plain, want_plain, rtol=0, atol=1e-6)
    # And dictionary columns other than 0 and 1 (a caller's own features) are not merged
    monkeypatch.setattr(tagger_module._Net, "_same_inputs", real)
    odd = dict(batch, gaz=batch["gaz"] * 0.5)
    with torch.inference_mode():
        plan = net._folded()
        folded = [odd[name].flatten() for name, _ in plan.offsets]
        assert net._same_inputs(plan, folded, odd["words"].flatten(), 10 ** 6, {}, batch["gaz"].flatten(0, 1)) is not None
        assert net._same_inputs(plan, folded, odd["words"].flatten(), 10 ** 6, {}, odd["gaz"].flatten(0, 1)) is None


@pytest.mark.parametrize("layers", [1, 2])
def test_should_run_the_packed_lstm_on_distinct_projections_as_on_one_row_per_unit(layers):
    # Given a packed batch (rows of 5, 3, 3 and 1 units: time-major, longest first) whose
    # units share layer 0's projections: 5 distinct ones, placed by where
    from nlukit.models.tagger import _lstm_packed
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(6, 4, num_layers=layers, bidirectional=True)
    perm = torch.cat([torch.arange(0, 8), torch.arange(12, 16), torch.arange(8, 12)])
    plan = []
    for k in range(layers):
        names = [f"l{k}", f"l{k}_reverse"]
        plan.append((torch.cat([getattr(lstm, f"weight_ih_{n}")[perm] for n in names]).t().contiguous(),
                     torch.cat([(getattr(lstm, f"bias_ih_{n}") + getattr(lstm, f"bias_hh_{n}"))[perm] for n in names]),
                     [getattr(lstm, f"weight_hh_{n}")[perm].t().contiguous() for n in names]))
    sizes = [4, 3, 3, 1, 1]
    distinct = torch.randn(5, 32)
    where = torch.tensor([0, 1, 2, 3, 4, 0, 0, 2, 1, 1, 4, 3])
    with torch.inference_mode():
        # When the recurrence reads the distinct rows through where, and one row per unit
        got = _lstm_packed(distinct, sizes, plan, where)
        want = _lstm_packed(distinct[where], sizes, plan)
    # Then every unit's output is the same, bit for bit
    assert got.shape == (12, 8)
    torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_should_rebuild_the_folded_weights_when_a_weight_changes(tagger, monkeypatch):
    # Given a tagger whose inference weights were folded by a first prediction
    import copy

    import nlukit.models.tagger as tagger_module
    monkeypatch.setattr(tagger_module, "FOLDED_MIN_ROWS", 1)
    t = copy.deepcopy(tagger)
    batch = t._encode([t._units(*item(x)) for x in ["내일 서울에서 부산으로 가는 기차", "광주 날씨"]])
    with torch.inference_mode():
        before = t.net_.emissions(batch)
    # When weights change in place (as an optimiser step or load_state_dict does) or a
    # parameter is replaced (as a vocabulary that grows does)
    with torch.no_grad():
        t.net_.lstm.weight_hh_l0.mul_(0.5)
    with torch.inference_mode():
        after_step = t.net_.emissions(batch)
    one = t._encode([t._units(*item("광주 날씨"))])
    with torch.inference_mode():
        one_before = t.net_.emissions(one)       # one sentence: the NumPy views, made once
    t.net_.pos.weight = torch.nn.Parameter(t.net_.pos.weight.detach() * 2)
    with torch.no_grad():
        t.net_.out.bias.add_(1.0)
    with torch.inference_mode():
        after_swap = t.net_.emissions(batch)
        one_after = t.net_.emissions(one)
        t.net_.train()
        for m in t.net_.modules():
            if isinstance(m, torch.nn.Dropout):
                m.p = 0.0
        want = t.net_.emissions(batch)
        one_want = t.net_.emissions(one)
    # Then each prediction uses the weights of the moment
    assert not torch.allclose(before, after_step) and not torch.allclose(after_step, after_swap)
    for row, n in enumerate(batch["lengths"].tolist()):
        assert torch.allclose(after_swap[row, :n], want[row, :n], atol=1e-5)
    assert not torch.allclose(one_before, one_after) and torch.allclose(one_after, one_want, atol=1e-5)


def test_should_score_a_sentence_the_same_whatever_the_longest_word_beside_it(tagger):
    # the char CNN pads every word of a batch to the longest one; padding must not count
    it = item("낼 대전 날씨 어때")
    alone = tagger.predict([it])[0]
    for partner in ["가나다라마바사아자차카타파하가나다라", "Supercalifragilisticexpialidocious", "서울"]:
        beside = tagger.predict([it, item(partner)])[0]
        assert [s[:4] for s in beside] == [s[:4] for s in alone]
        assert [s[4] for s in beside] == pytest.approx([s[4] for s in alone], abs=1e-6)


@pytest.mark.slow
def test_should_reproduce_training_with_the_same_seed(train_items, tagger):
    params = {**PARAMS, "epochs": 3, "patience": 3}
    a = EntityTagger(**params).fit(train_items, train_items, DICT, progress=False)
    b = EntityTagger(**params).fit(train_items, train_items, DICT, progress=False)
    c = EntityTagger(**{**params, "seed": 8}).fit(train_items, train_items, DICT, progress=False)
    sa, sb, sc = a.net_.state_dict(), b.net_.state_dict(), c.net_.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
    items = [item("대구에서 서울로 가는 기차")]
    assert a.predict(items) == b.predict(items)
    assert [h["loss"] for h in a.history_] == [h["loss"] for h in b.history_]


@pytest.mark.slow
def test_should_halve_the_learning_rate_after_an_epoch_without_gain(train_items):
    t = EntityTagger(**{**PARAMS, "epochs": 25, "patience": 25, "lr_decay": 0.5}).fit(
        train_items, train_items, DICT, progress=False)
    lrs = [h["lr"] for h in t.history_]
    f1s = [h["valid_f1"] for h in t.history_]
    assert lrs[0] == PARAMS["lr"]
    for k in range(1, len(lrs)):
        gained = f1s[k - 1] > max(f1s[:k - 1], default=-1.0)
        assert lrs[k] == (lrs[k - 1] if gained else lrs[k - 1] / 2), (k, f1s, lrs)
    assert lrs[-1] < lrs[0]


# --------------------------------------------------------------------------- persistence
@pytest.mark.slow
def test_should_predict_identically_after_save_and_load(tagger, tmp_path):
    tagger.save(str(tmp_path / "tagger"))
    loaded = EntityTagger.load(str(tmp_path / "tagger"))
    items = [item(t) for t in ("내일 서울에서 부산으로 가는 기차", "서울시 날씨 어때", "모레 대구 날씨")]
    assert loaded.predict(items) == tagger.predict(items)
    assert loaded.labels_ == tagger.labels_ and loaded.history_ == tagger.history_
    assert sorted(os.listdir(tmp_path / "tagger")) == ["gazetteer.json", "meta.json", "vocab.json", "weights.pt"]


@pytest.mark.slow
def test_should_refuse_to_save_over_a_non_empty_directory(tagger, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "other.txt").write_text("keep me")
    with pytest.raises(Exception) as err:
        tagger.save(str(tmp_path / "t"))
    assert "not empty" in str(err.value)
    assert (tmp_path / "t" / "other.txt").read_text() == "keep me"


@pytest.mark.slow
@pytest.mark.parametrize("name,damage", [
    ("weights.pt", b"not a zip file"),
    ("meta.json", b"{broken"),
    ("vocab.json", b"[1, 2]"),
    ("gazetteer.json", b"{}"),
])
def test_should_raise_bundle_error_naming_a_corrupted_file(tagger, tmp_path, name, damage):
    path = tmp_path / "tagger"
    tagger.save(str(path))
    (path / name).write_bytes(damage)
    with pytest.raises(BundleError) as err:
        EntityTagger.load(str(path))
    assert name in str(err.value)


@pytest.mark.slow
def test_should_raise_bundle_error_naming_a_missing_weights_file(tagger, tmp_path):
    path = tmp_path / "tagger"
    tagger.save(str(path))
    (path / "weights.pt").unlink()
    with pytest.raises(BundleError, match="weights.pt"):
        EntityTagger.load(str(path))


def test_should_raise_bundle_error_for_a_missing_directory(tmp_path):
    with pytest.raises(BundleError, match="missing"):
        EntityTagger.load(str(tmp_path / "nowhere"))


# --------------------------------------------------------------------------- bad input
def test_should_refuse_to_predict_or_save_before_fit(tmp_path):
    t = EntityTagger()
    with pytest.raises(NotFittedError):
        t.predict([item("서울 날씨")])
    with pytest.raises(NotFittedError):
        t.save(str(tmp_path / "x"))


def test_should_reject_unknown_parameters_and_bad_spans():
    with pytest.raises(ModelError, match="hiden"):
        EntityTagger(hiden=3)
    text, toks = item("서울 날씨")
    with pytest.raises(InputError, match="span"):
        EntityTagger(epochs=1).fit([(text, toks, [Span(3, 40, "location", "x")])], [], DICT,
                                   progress=False)
    with pytest.raises(InputError, match="tuple"):
        EntityTagger(epochs=1).fit(["서울 날씨"], [], DICT, progress=False)  # type: ignore[list-item]


@pytest.mark.slow
@pytest.mark.parametrize("text", ["😀😀 서울 🚄 부산", "ㅋㅋㅋ ㄱㄴㄷ ㅏㅑ", "서울" * 3000, " ", "!!!???",
                                  "Seoul에서 KTX 3시", "\u0000\u200b서울", "'; DROP TABLE x; --",
                                  "서울에서서울에서서울에서부산으로"])
def test_should_never_crash_on_naughty_strings(tagger, text):
    norm, toks = analyze(text)
    [spans] = tagger.predict([(norm.text, toks)])
    for s, e, ent, _role, conf in spans:
        assert 0 <= s < e <= len(norm.text) and ent in ("location", "date") and 0 <= conf <= 1


@pytest.mark.slow
def test_should_return_no_spans_for_an_empty_token_list(tagger):
    assert tagger.predict([("서울", []), ("", [])]) == [[], []]
    assert tagger.predict([]) == []



def test_should_ignore_empty_tokens_from_a_custom_tokenizer(tagger):
    # Given a tokenizer that also emits zero-length tokens (at the start, inside, at the end)
    text, toks = item("내일 서울에서 부산으로 가는 기차")
    empty = [Token("", "SY", 0, 0), *toks[:3], Token("", "SY", toks[2].end, toks[2].end), *toks[3:],
             Token("", "SY", len(text), len(text))]
    # Then the spans are those of the tokens without them, and all-empty tokens give none
    assert tagger.predict([(text, empty)]) == tagger.predict([(text, toks)])
    assert tagger.predict([(text, [Token("", "SY", 0, 0)])]) == [[]]

# --------------------------------------------------------------------------- gazetteer
def test_should_prefer_the_longest_dictionary_match_starting_on_a_token():
    g = Gazetteer({"location": {"서울": ["서울역"], "울산": []}, "food": {"서울식 불고기": []}})
    # 서울역 (3) beats 서울 (2); 울산 inside 서울산 is not at a token start
    assert g.find("서울역에서 서울산", token_starts=[0, 3, 6, 8]) == [(0, 3, ("location",)), (6, 8, ("location",))]
    assert g.find("서울식 불고기 먹자") == [(0, 7, ("food",))]
    assert Gazetteer.from_json(g.to_json()).find("서울역") == g.find("서울역")



def test_should_match_with_the_alternations_what_the_surface_loop_matches():
    # Given surfaces sharing their first two characters (one a prefix of others), signs a
    # regular expression would read, and a one-character surface
    g = Gazetteer({"location": {"서울": ["서울역", "서울 특별시", "서울.역"], "역": []},
                   "food": {"서울식 불고기": [], "a+b": [], "(x)": []}})
    texts = ["서울역에서 서울 특별시 서울식 불고기", "서울.역 서울x역 a+b (x) aab", "역 서 서울", "", "서"]
    for text in texts:
        positions = range(len(text))
        # When scanned the fast way (no exclude) and by the loop (an exclude that hides nothing)
        # Then the matches are the same
        assert g._scan(text, positions) == g._scan(text, positions, frozenset({"\x00"}))
    assert g.find("서울.역 a+b (x)") == [(0, 4, ("location",)), (5, 8, ("food",)), (9, 12, ("food",))]

def test_should_cut_units_as_the_plain_dictionary_search_does(tagger):
    # Given texts with dictionary words (one typed in capitals, one inside a longer token)
    texts = ["내일 서울에서 부산으로 가는 기차", "서울시청 앞 SEOUL 낼 모레", "광주대구대전", "", "ABC 오늘"]
    for text in texts:
        text_, tokens = item(text)
        # When units are cut with tokens in order (the scan from their starts) and the plain
        # way (find, which folds and sorts again: a non-empty exclude that hides nothing)
        fast = tagger._units(text_, tokens)
        plain = tagger._units(text_, tokens, exclude=frozenset({"\x00"}))
        # Then they are the same units with the same dictionary features
        assert (fast.starts, fast.ends, fast.words, fast.pos, fast.gaz_hits) == \
            (plain.starts, plain.ends, plain.words, plain.pos, plain.gaz_hits)


def test_should_mark_begin_and_inside_tokens_of_a_match():
    toks = [Token("서울", "NNP", 0, 2), Token("역", "NNG", 2, 3), Token("에서", "JKB", 3, 5)]
    f = match_features(toks, [(0, 3, ("location",))], ["date", "location"])
    # columns: B-date, B-location, I-date, I-location, outside
    assert f.tolist() == [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]


# --------------------------------------------------------------------------- ensemble
def test_should_give_unit_marginals_equal_to_brute_force_and_summing_to_one():
    # Given a random CRF over 5 tags and two sentences, the second padded (length 2 of 3)
    from nlukit.models.tagger import _unit_marginals
    g = torch.Generator().manual_seed(5)
    em = torch.randn(2, 3, 5, generator=g).numpy()
    start, end, trans = (torch.randn(*s, generator=g).numpy() for s in ((5,), (5,), (5, 5)))
    lengths = np.array([3, 2])
    marg = _unit_marginals(*_forward_backward(em, lengths, start, trans, end), lengths)

    def path_score(row: int, p: tuple[int, ...]) -> float:
        s = start[p[0]] + em[row, 0, p[0]] + end[p[-1]]
        return float(s + sum(trans[p[k - 1], p[k]] + em[row, k, p[k]] for k in range(1, len(p))))

    # Then every real unit's posterior matches enumeration over all paths
    for row, n in enumerate(lengths):
        paths = list(itertools.product(range(5), repeat=int(n)))
        w = np.array([math.exp(path_score(row, p)) for p in paths])
        for i in range(n):
            want = [w[[p[i] == t for p in paths]].sum() / w.sum() for t in range(5)]
            assert marg[row, i] == pytest.approx(want, abs=1e-6)
    # And padded positions carry no probability
    assert marg[1, 2].tolist() == [0.0] * 5


@pytest.mark.slow
def test_should_combine_taggers_of_different_seeds_into_one_prediction(tagger, train_items):
    from nlukit.models.tagger import TaggerEnsemble
    # Given the fixture tagger and a second one fitted with another seed
    other = EntityTagger(**{**PARAMS, "seed": 8}).fit(train_items, train_items, DICT, progress=False)
    ens = TaggerEnsemble([tagger, other])
    items = [(t, toks) for t, toks, _ in train_items]
    pred = ens.predict(items)
    # Then it tags the training sentences exactly, roles included, like its members
    for (_, _, gold), spans in zip(train_items, pred, strict=True):
        assert [s[:4] for s in spans] == [(g.start, g.end, g.entity, g.role) for g in gold]
    # And a span's confidence is the mean of the members' confidences for that span
    mine, theirs = tagger.predict(items), other.predict(items)
    for e, a, b in zip(pred, mine, theirs, strict=True):
        if [s[:4] for s in a] == [s[:4] for s in e] == [s[:4] for s in b]:
            assert [s[4] for s in e] == pytest.approx([(x[4] + y[4]) / 2 for x, y in zip(a, b, strict=True)])
    # And an ensemble of one member predicts what the member predicts, empty input included
    assert [[s[:4] for s in p] for p in TaggerEnsemble([tagger]).predict(items)] == [[s[:4] for s in p] for p in mine]
    assert ens.predict([("서울", []), ("", [])]) == [[], []]


@pytest.mark.slow
def test_should_refuse_an_ensemble_of_taggers_with_different_tags(tagger, train_items):
    from nlukit.models.tagger import TaggerEnsemble
    dates_only = [(t, toks, [s for s in spans if s.entity == "date"]) for t, toks, spans in train_items]
    other = EntityTagger(**{**PARAMS, "epochs": 1}).fit(dates_only, [], DICT, progress=False)
    with pytest.raises(ModelError):
        TaggerEnsemble([tagger, other])
    with pytest.raises(ModelError):
        TaggerEnsemble([])
    with pytest.raises(NotFittedError):
        TaggerEnsemble([EntityTagger(**PARAMS)])


@pytest.mark.parametrize("key,value", [("hidden", 0), ("epochs", -1), ("layers", 0), ("batch_size", 0),
                                       ("epochs", True), ("lr_decay", "fast")])
def test_should_refuse_tagger_sizes_below_one(key, value):
    # Given --set tagger.hidden=0 (a torch ValueError traceback) or tagger.epochs=-1 (an
    # untrained tagger saved as the model, entity F1 0.05, without a word)
    norm, toks = analyze("서울 날씨")
    items = [(norm.text, toks, [Span(0, 2, "location", "서울", None)])]
    # When fitting, Then the error names the key before any training
    with pytest.raises(ModelError, match=key):
        EntityTagger(**{key: value, "device": "cpu"}).fit(items, items, {}, progress=False)


def test_should_decode_ties_as_argmax_does():
    # Given whole-number scores (many exact ties between previous tags), up to 30 tags
    # (past the float32 sums of _first_max), forbidden moves, and rows of several lengths
    from nlukit.models.tagger import _viterbi_one
    rng = np.random.default_rng(5)
    for _ in range(200):
        t, n, b = int(rng.integers(2, 31)), int(rng.integers(1, 12)), int(rng.integers(2, 9))
        em = rng.integers(-2, 3, size=(b, n, t)).astype(np.float32)
        start, end = (rng.integers(-2, 3, size=t).astype(np.float32) for _ in range(2))
        trans = rng.integers(-2, 3, size=(t, t)).astype(np.float32)
        trans[rng.random((t, t)) < 0.3] = NEG
        lengths = rng.integers(1, n + 1, size=b)
        batch = _viterbi(em, lengths, start, trans, end)
        # Then every row is the one-sentence decoding (plain argmax, first index on ties)
        for r in range(b):
            alone = _viterbi_one(em[r, :lengths[r]], start, trans, end, n)
            assert alone[:lengths[r]].tolist() == batch[r, :lengths[r]].tolist()


def test_should_cut_and_encode_many_texts_in_flat_arrays_as_the_plain_units_do(tagger, monkeypatch) -> None:
    # Given a batch as a batch parse gives it (token columns), with Latin capitals, a token a
    # dictionary match cuts (서울에서 as one), empty, reversed and overlapping tokens, a token
    # that does not spell its offsets, a list of tokens, no tokens at all and repeated texts
    import nlukit.models.tagger as tagger_module
    from nlukit.text import TokenColumns

    def columns(toks: list[Token]) -> TokenColumns:
        return TokenColumns([t.surface for t in toks], [t.pos for t in toks], [t.start for t in toks],
                            [t.end for t in toks])

    texts = ["내일 서울에서 부산으로 가는 기차", "서울시청 근처 BTS 노래", "ㅋㅋㅋ", "낼 Seoul 부산 날씨",
             "대구에서 강릉으로 모레 가는 표 예매해줘 " * 6, "오늘 광주 날씨 어때", "모레 강릉", "광주대구대전"]
    items = [item(x) for x in texts]
    glued = ("서울에서 부산으로", [Token("서울에서", "NNP", 0, 4), Token("부산", "NNP", 5, 7),
                                   Token("으로", "JKB", 7, 9)])
    text, toks = items[0]
    odd = [glued, (text, [Token("", "SY", 0, 0), *toks]), (text, list(reversed(toks))),
           (text, [toks[0], Token("일 서", "NNG", 1, 4), *toks[1:]]),
           (text, [Token("내", "NNG", 0, 2), *toks[1:]]), ("", [])]
    batch = [(t, columns(list(k))) for t, k in items * 3 + odd] + [items[1], items[3]]
    flat = tagger._flat_units(batch)
    assert flat is not None
    # When units are cut and encoded from the flat arrays and the plain way
    plain = [tagger._units(t, k) for t, k in batch]
    assert flat.sizes.tolist() == [len(u) for u in plain]
    for idx in ([i for i, u in enumerate(plain) if len(u)], [26, 0, 3, 24, 25, 29, 30, 1]):
        a, b = tagger._encode([plain[i] for i in idx]), tagger._encode_flat(flat, idx)
        # Then every tensor is the same
        for name in a:
            assert torch.equal(a[name], b[name]), name
    # And so they are when Latin letters are read as typed (fold_case off: only the dictionary folds),
    # with a dictionary word in capitals
    monkeypatch.setitem(tagger.params, "fold_case", False)
    monkeypatch.setattr(tagger, "gazetteer_", Gazetteer({"location": {**DICT["location"], "SEOUL": []},
                                                          "date": DICT["date"]}))
    assert (1, 1) in tagger._units(*items[3]).gaz_hits   # Seoul (unit 1) found: B-location
    plain_as_typed = [tagger._units(t, k) for t, k in batch]
    flat_as_typed = tagger._flat_units(batch)
    idx = [i for i, u in enumerate(plain_as_typed) if len(u)]
    a, b = tagger._encode([plain_as_typed[i] for i in idx]), tagger._encode_flat(flat_as_typed, idx)
    for name in a:
        assert torch.equal(a[name], b[name]), name
    monkeypatch.setitem(tagger.params, "fold_case", True)
    # And the batch predicts the same spans both ways
    got = tagger.predict(batch)
    monkeypatch.setattr(tagger_module, "FLAT_MIN_ITEMS", 10 ** 9)
    assert tagger._flat_units(batch) is None
    assert got == tagger.predict(batch)
    # And a dictionary surface holding NUL, or a text holding one, takes the plain route
    monkeypatch.setattr(tagger_module, "FLAT_MIN_ITEMS", 2)
    assert tagger._flat_units([*batch, ("서울\x00", columns(item("서울")[1]))]) is None
    # And so does a batch of token lists (fit's validation): _units is the cheaper way for them
    assert tagger._flat_units(items * 3) is None


def test_should_cut_the_same_flat_units_from_mecab_output_as_from_given_offsets(tagger) -> None:
    # Given a batch tokenised as a batch parse tokenises it (columns_many: MeCab's output kept,
    # offsets summed from it when read), with runs of spaces, Latin capitals, a token a dictionary
    # match cuts, and a text with no tokens and a token list among them
    from nlukit.models.tagger import _offsets_of
    from nlukit.text import TokenColumns, get_tokenizer
    tok = get_tokenizer("mecab")
    texts = ["내일 서울에서 부산으로 가는 기차", "  서울시청   근처 BTS 노래 ", "ㅋㅋㅋ", "낼 Seoul 부산 날씨",
             "대구에서 강릉으로 모레 가는 표 예매해줘 " * 6, "광주대구대전", "a  b   c"] * 3
    cols = tok.columns_many(texts)
    assert all(isinstance(c, TokenColumns) and c.parsed is not None for c in cols)
    # When their offsets are summed from all texts' output at once
    counts = np.array([len(c) for c in cols])
    starts, ends = _offsets_of([c.parsed for c in cols], counts, int(counts.sum()))
    # Then they are each text's own, and tokenize's
    want = [t for text in texts for t in tok.tokenize(text)]
    assert starts.tolist() == [t.start for t in want] and ends.tolist() == [t.end for t in want]
    assert [c.starts for c in cols] == [[t.start for t in tok.tokenize(text)] for text in texts]
    # And the tagger cuts the same flat units from them as from columns given their offsets
    given = [TokenColumns(c.surfaces, c.tags, list(c.starts), list(c.ends)) for c in cols]
    batch, plain = list(zip(texts, cols, strict=True)), list(zip(texts, given, strict=True))
    a, b = tagger._flat_units(batch), tagger._flat_units(plain)
    for name in ("first", "sizes", "starts", "ends", "word_row", "word_ids", "pos_ids", "hit_units", "hit_cols"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.words == b.words
    # And predicts the same spans from them, with a token list among them too, as from token lists
    extra = [item("서울 날씨"), (" ", tok.columns_many([" "])[0])]
    assert tagger.predict([*batch, *extra]) == tagger.predict([*plain, *extra]) == tagger.predict(
        [item(t) for t in texts] + extra)


def test_should_scan_from_the_positions_a_surface_can_start_at_as_from_every_one() -> None:
    # Given a dictionary with one-character, two-character and longer surfaces, and random texts
    # of their characters (with spaces and NUL between them), from every position or some
    import random
    g = Gazetteer({"location": {"서울": ["서울시", "서울 특별시"], "부산": [], "역": []}, "date": {"낼": ["내일"]}})
    rng = random.Random(3)
    alphabet = "서울시부산역낼내일특별 \x00가"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        positions = sorted(rng.sample(range(len(text)), rng.randrange(0, len(text) + 1)))
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        # When the positions no surface can start at are left out first
        fast = g._scan_codes(text, codes, np.array(positions, dtype=np.int64))
        # Then the matches are those of the scan from every position
        assert fast == g._scan(text, positions), (text, positions)
