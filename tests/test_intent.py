"""Intent classifiers: fitting, calibration, fallback threshold, determinism, persistence."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from nlukit.errors import BundleError, ConfigError, ModelError, NotFittedError

SENTENCES = {
    "weather": ["서울 날씨 알려줘", "내일 부산 날씨 어때", "오늘 날씨 어때요", "대전 날씨 좀 알려줘",
                "주말에 비 와?", "광주 날씨는 어때"],
    "alarm": ["아침 7시에 알람 맞춰줘", "내일 6시 알람", "알람 좀 설정해줘", "30분 뒤에 깨워줘",
              "알람 꺼줘", "8시 반에 알람 맞춰"],
    "music": ["아이유 노래 틀어줘", "신나는 음악 재생해줘", "노래 좀 틀어", "BTS 노래 들려줘",
              "음악 꺼줘", "잔잔한 노래 추천해줘"],
    "train_ticket": ["서울에서 부산 가는 기차 예매해줘", "KTX 표 예약해줘", "대전 가는 기차표",
                     "내일 기차 예매", "부산행 열차 예약", "기차표 좀 끊어줘"],
}
VALID = {
    "weather": ["부산 날씨 알려줘", "내일 날씨 어때"],
    "alarm": ["7시에 알람 맞춰줘", "알람 설정해줘"],
    "music": ["노래 틀어줘", "음악 재생해줘"],
    "train_ticket": ["부산 가는 기차 예매해줘", "기차표 예약해줘"],
}
GIBBERISH = ["ㅁㄴㅇㄹ asdf ㅋ", "qwerty zxcv", "ㅋㅋㅋㅋㅋ", "ㅎㄷㄷ ;;; ㅠㅠ", "asdfghjkl"]
FAST = dict(epochs=60, patience=60, seed=1, threads=1)


def _triples(groups: dict[str, list[str]]) -> list[tuple]:
    from nlukit.text import analyze
    out = []
    for intent, texts in groups.items():
        for t in texts:
            norm, toks = analyze(t)
            out.append((norm.text, toks, intent))
    return out


def _items(texts: list[str]) -> list[tuple]:
    from nlukit.text import analyze
    return [(n.text, toks) for n, toks in (analyze(t) for t in texts)]


@pytest.fixture(scope="module")
def data() -> tuple[list, list]:
    return _triples(SENTENCES), _triples(VALID)


@pytest.fixture(scope="module")
def embeddings(data):
    from nlukit.models.embeddings import train_embeddings
    train, _ = data
    return train_embeddings([[t.surface for t in toks] for _, toks, _ in train], dim=16, epochs=5, seed=2)


@pytest.fixture(scope="module", params=["char_cnn", "jamo_cnn", "word_cnn"])
def fitted(request, data, embeddings):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    emb = embeddings if request.param == "word_cnn" else None
    kind = {"jamo_cnn": "char_cnn"}.get(request.param, request.param)
    return IntentClassifier(kind=kind, jamo=request.param == "jamo_cnn", **FAST).fit(
        train, valid, embeddings=emb, progress=False)


@pytest.mark.slow
def test_should_classify_every_training_sentence_right(fitted, data):
    # Given a model trained until convergence on a tiny set
    train, _ = data
    # When it predicts its own training sentences
    predicted = fitted.predict([(t, toks) for t, toks, _ in train])
    # Then every one gets its intent
    assert predicted == [intent for _, _, intent in train]
    assert fitted.labels_ == ["alarm", "music", "train_ticket", "weather"]


@pytest.mark.slow
def test_should_return_calibrated_rows_that_sum_to_one(fitted, data):
    train, valid = data
    proba = fitted.predict_proba([(t, toks) for t, toks, _ in train + valid])
    assert proba.shape == (len(train) + len(valid), 4)
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-5)
    assert (proba >= 0).all()
    assert 0.25 <= fitted.threshold_ <= 1.0 and fitted.temperature_ > 0


@pytest.mark.slow
def test_should_put_gibberish_below_the_threshold_and_training_sentences_above(fitted, data):
    # Given a model trained on clean sentences only, with its automatic threshold
    train, _ = data
    # When it scores keyboard mashing and jamo-only strings it never saw
    gib = fitted.predict_proba(_items(GIBBERISH)).max(1)
    clean = fitted.predict_proba([(t, toks) for t, toks, _ in train]).max(1)
    # Then every gibberish string falls back, and (almost) every known sentence does not
    assert (gib < fitted.threshold_).all(), (gib, fitted.threshold_)
    assert np.mean(clean >= fitted.threshold_) >= 0.9, (clean, fitted.threshold_)


@pytest.mark.slow
def test_should_score_a_batch_exactly_like_one_by_one(fitted, data):
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    _assert_batch_is_one_by_one(fitted, items)


def _assert_round_trip(model, data, tmp_path):
    """Save to tmp_path/intent, load back, assert identical probabilities; return the loaded model."""
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    model.save(tmp_path / "intent")
    back = IntentClassifier.load(tmp_path / "intent")
    assert np.array_equal(back.predict_proba(items), model.predict_proba(items))
    return back


def _assert_batch_is_one_by_one(model, items) -> np.ndarray:
    """Batched scores equal one-by-one scores, and a large batch (sorted by length
    internally) keeps the caller's order; returns the batched scores."""
    batch = model.predict_proba(items)
    single = np.concatenate([model.predict_proba([it]) for it in items])
    np.testing.assert_allclose(batch, single, atol=1e-6)
    big = model.predict_proba(items * 40, batch_size=64)
    np.testing.assert_allclose(big, np.tile(batch, (40, 1)), atol=1e-6)
    return batch


@pytest.mark.slow
def test_should_give_identical_probabilities_after_save_and_load(fitted, data, tmp_path):
    back = _assert_round_trip(fitted, data, tmp_path)
    assert back.labels_ == fitted.labels_ and back.threshold_ == fitted.threshold_
    assert back.history_ == fitted.history_
    names = sorted(os.listdir(tmp_path / "intent"))
    assert names == ["history.json", "meta.json", "vocab.json", "weights.pt"]
    assert json.loads((tmp_path / "intent" / "meta.json").read_text("utf-8"))["format"] == 1


@pytest.mark.slow
def test_should_train_the_same_model_from_the_same_seed(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in valid] + _items(GIBBERISH)
    params = dict(FAST, kind="char_cnn", epochs=8, patience=8)
    a = IntentClassifier(**params).fit(train, valid, progress=False)
    b = IntentClassifier(**params).fit(train, valid, progress=False)
    c = IntentClassifier(**dict(params, seed=2)).fit(train, valid, progress=False)
    assert np.array_equal(a.predict_proba(items), b.predict_proba(items))
    assert a.threshold_ == b.threshold_ and a.history_[-1]["loss"] == b.history_[-1]["loss"]
    assert not np.array_equal(a.predict_proba(items), c.predict_proba(items))


@pytest.mark.slow
def test_should_understand_a_sentence_typed_without_spaces(data):
    # Given a char-CNN trained on spaced sentences (spaces dropped as augmentation)
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    model = IntentClassifier(kind="char_cnn", **FAST).fit(train, valid, progress=False)
    # When the user types the sentences with no spaces at all
    squashed = [(t.replace(" ", ""), None) for t, _, _ in train]
    # Then they are still classified right
    assert model.predict(squashed) == [intent for _, _, intent in train]


@pytest.mark.slow
def test_should_restore_the_best_epoch_when_stopping_early(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    model = IntentClassifier(kind="char_cnn", epochs=80, patience=3, seed=1, threads=1).fit(
        train, valid, progress=False)
    hist = model.history_
    assert len(hist) < 80  # stopped early
    best = [h for h in hist if h["best"]]
    assert len(best) == 1 and best[0]["epoch"] == len(hist) - 3
    pred = model.predict([(t, toks) for t, toks, _ in valid])
    acc = np.mean([p == g for p, (_, _, g) in zip(pred, valid, strict=True)])
    assert acc == pytest.approx(best[0]["valid_acc"])


@pytest.mark.slow
def test_should_start_word_cnn_from_the_word2vec_vectors(data, embeddings):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    model = IntentClassifier(kind="word_cnn", freeze_embeddings=True, epochs=2, seed=1,
                             threads=1).fit(train, valid, embeddings=embeddings, progress=False)
    weight = model._net.embed.weight.detach().numpy()
    for tok in ["날씨", "알람", "노래"]:
        np.testing.assert_array_equal(weight[model.vocab_.index(tok)], embeddings.vector(tok))


@pytest.mark.slow
def test_should_keep_a_threshold_given_by_the_user(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    model = IntentClassifier(threshold=0.42, epochs=2, seed=1, threads=1).fit(train, valid, progress=False)
    assert model.threshold_ == 0.42


def test_should_refuse_to_predict_before_fitting():
    from nlukit.models.intent import IntentClassifier
    with pytest.raises(NotFittedError, match="fit"):
        IntentClassifier().predict_proba([("서울 날씨", [])])
    with pytest.raises(NotFittedError):
        IntentClassifier().save("/nonexistent/never-written")


def test_should_reject_unknown_parameters_and_a_single_intent():
    from nlukit.models.intent import IntentClassifier
    with pytest.raises(ConfigError, match="kernel_size"):
        IntentClassifier(kernel_size=3)
    with pytest.raises(ConfigError, match="kind"):
        IntentClassifier(kind="lstm").fit([("a", [], "x"), ("b", [], "y")], progress=False)
    with pytest.raises(ConfigError, match="class_weight"):
        IntentClassifier(class_weight="auto").fit([("a", [], "x"), ("b", [], "y")], progress=False)
    with pytest.raises(ModelError, match="at least 2 intents"):
        IntentClassifier().fit([("서울 날씨", [], "weather")], progress=False)


@pytest.mark.slow
def test_should_refuse_a_corrupted_weights_file(data, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    IntentClassifier(kind="char_cnn", epochs=1, seed=1, threads=1).fit(train, valid, progress=False).save(
        tmp_path / "m")
    weights = tmp_path / "m" / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:200])
    with pytest.raises(BundleError, match="weights.pt"):
        IntentClassifier.load(tmp_path / "m")
    os.remove(weights)
    with pytest.raises(BundleError, match="weights.pt.*missing"):
        IntentClassifier.load(tmp_path / "m")
    (tmp_path / "m" / "meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(BundleError, match="meta.json"):
        IntentClassifier.load(tmp_path / "m")


@pytest.mark.slow
def test_should_give_the_same_scores_on_the_fast_inference_path(fitted, data):
    # Given a fitted model (end-pooling on, several kernel widths)
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    x, lens = fitted._encode(items)
    # When scored with the convolutions and with the folded lookup tables
    conv = fitted._logits(x, lens, fitted._device, fast=False)
    folded = fitted._logits(x, lens, fitted._device, fast=True)
    # Then both agree to float rounding, and so does the NumPy path a single text takes
    assert fitted._folded, "the folded path was not used"
    np.testing.assert_allclose(folded, conv, atol=1e-4)
    one = np.concatenate([fitted._logits(x[i:i + 1], lens[i:i + 1], fitted._device, fast=True)
                          for i in range(len(x))])
    np.testing.assert_allclose(one, conv, atol=1e-4)


@pytest.mark.parametrize("end_pool", [True, False])
def test_should_pass_by_the_windows_past_a_text_as_the_network_masks_them(end_pool):
    # Given a CNN (kernels of 2 to 5, random weights, a bias on every filter) and rows of every
    # length from 1 to 9 in one block: texts shorter than the widest kernel (a single window,
    # reaching into padding), texts past it, and padding ids that are not 0 past a row's end
    import torch

    from nlukit.models.intent import _build_net
    torch.manual_seed(3)
    net = _build_net(30, 4, {"kind": "char_cnn", "kernel_sizes": [3, 2, 5, 4], "end_pool": end_pool,
                             "filters": 6, "dropout": 0.0, "hidden": 0}, 8).eval()
    with torch.no_grad():
        for conv in net.convs:
            conv.bias.add_(torch.randn_like(conv.bias))
    rng = np.random.default_rng(0)
    lens = np.array([1, 9, 2, 3, 4, 5, 6, 7, 8, 1, 4], dtype=np.int64)
    x = np.zeros((len(lens), 9), dtype=np.int64)
    for i, n in enumerate(lens):
        x[i, :n] = rng.integers(1, 30, size=n)
    # When the folded tables score them (once with other ids than 0 past each row's end: they
    # are padding whatever they hold), and the convolutions with their masked max
    folded = net.fold()
    junk = np.where(np.arange(9)[None, :] >= lens[:, None], rng.integers(1, 30, size=x.shape), x)
    with torch.inference_mode():
        got = folded(torch.from_numpy(x), torch.from_numpy(lens)).numpy()
        got_junk = folded(torch.from_numpy(junk), torch.from_numpy(lens)).numpy()
        want = net(torch.from_numpy(x), torch.from_numpy(lens)).numpy()
    # Then every row is the network's (the windows past a text count for nothing)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(got_junk, got)
    assert np.abs(want).max() > 0.1


def test_should_encode_token_columns_as_the_tokens_they_hold(fitted, data):
    # Given the items of a batch parse (tokens in columns) and the same as token lists,
    # with texts longer than max_len tokens, empty ones and gibberish
    from nlukit.text import TokenColumns, get_tokenizer
    train, _ = data
    texts = [t for t, _, _ in train] + GIBBERISH + ["", "내일 서울 날씨 " * 80]
    tok = get_tokenizer("mecab")
    cols = tok.columns_many(texts)
    lists = [tok.tokenize(t) for t in texts]
    assert any(isinstance(c, TokenColumns) and len(c) > int(fitted.params["max_len"]) for c in cols)
    # When both are encoded and scored
    # Then the ids and the probabilities are the same
    x1, l1 = fitted._encode(list(zip(texts, cols, strict=True)))
    x2, l2 = fitted._encode(list(zip(texts, lists, strict=True)))
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(l1, l2)
    np.testing.assert_array_equal(fitted.predict_proba(list(zip(texts, cols, strict=True))),
                                  fitted.predict_proba(list(zip(texts, lists, strict=True))))


def test_should_score_one_text_in_numpy_as_the_network_does_with_a_hidden_layer_and_no_end_pool(data):
    # Given a char CNN with a hidden layer and without end-pooling (the other head shape)
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    model = IntentClassifier(kind="char_cnn", hidden=16, end_pool=False, epochs=2, patience=2, seed=1,
                             threads=1).fit(train, valid)
    items = [(t, toks) for t, toks, _ in valid] + _items(GIBBERISH)
    x, lens = model._encode(items)
    conv = model._logits(x, lens, model._device, fast=False)
    # When each text is scored alone (the NumPy path of the folded tables)
    one = np.concatenate([model._logits(x[i:i + 1], lens[i:i + 1], model._device, fast=True)
                          for i in range(len(x))])
    # Then it equals the convolutions
    assert model._folded, "the folded path was not used"
    np.testing.assert_allclose(one, conv, atol=1e-4)


# ---------------------------------------------------------------------- ngram and ensemble kinds
@pytest.fixture(scope="module")
def ngram_model(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    return IntentClassifier(kind="ngram", ngram_min_count=1, **FAST).fit(train, valid, progress=False)


@pytest.fixture(scope="module")
def ensemble_model(data, embeddings):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    return IntentClassifier(kind="ensemble", members=["char_cnn", "word_cnn", "ngram"], ngram_min_count=1,
                            member_params={"ngram": {"emb_dim": 8}}, **FAST).fit(
        train, valid, embeddings=embeddings, progress=False)


def test_should_read_sentence_final_endings_with_their_part_of_speech():
    from nlukit.models.intent import ngram_features, to_jamo
    from nlukit.text import analyze
    norm, toks = analyze("밥 먹을까?")
    feats = ngram_features(norm.text, toks, 3, 2)
    # the ending is a feature with its POS, next to the sentence-end mark, and the
    # padded character n-grams see the end of the text
    assert "w:을까/EF" in feats and "w:을까/EF|?/SF" in feats and "w:?/SF|</s>" in feats
    assert "c:? " in feats and "c:먹" in feats
    assert not any(f.startswith("w:") for f in ngram_features(norm.text, None, 3, 0))
    # jamo n-grams (off by default) expose the ㄹ of 을까 that the syllables hide
    jamo = ngram_features(norm.text, toks, 0, 0, n_jamo=3)
    assert jamo and all(f.startswith("j:") for f in jamo)
    assert "j:" + to_jamo("을")[1:] + to_jamo("까")[0] in jamo
    assert not any(f.startswith("j:") for f in feats)
    with pytest.raises(ModelError, match="tokens"):
        ngram_features(norm.text, None, 3, 2)


@pytest.mark.slow
def test_ngram_should_classify_training_sentences_and_keep_gibberish_below_threshold(ngram_model, data):
    train, _ = data
    assert ngram_model.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    gib = ngram_model.predict_proba(_items(GIBBERISH)).max(1)
    assert (gib < ngram_model.threshold_).all(), (gib, ngram_model.threshold_)


@pytest.mark.slow
def test_ngram_should_score_unseen_text_and_batches_like_one_by_one(ngram_model, data):
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH + ["", "쀍쀍"])
    batch = _assert_batch_is_one_by_one(ngram_model, items)
    np.testing.assert_allclose(batch.sum(1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_ngram_should_give_identical_probabilities_after_save_and_load(ngram_model, data, tmp_path):
    back = _assert_round_trip(ngram_model, data, tmp_path)
    assert back.params["kind"] == "ngram" and back.params["ngram_chars"] == 5
    assert back.threshold_ == ngram_model.threshold_


@pytest.mark.slow
def test_ensemble_should_average_the_calibrated_probabilities_of_its_members(ensemble_model, data):
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    kinds = [m.params["kind"] for m in ensemble_model.members_]
    assert kinds == ["char_cnn", "word_cnn", "ngram"]
    # member_params reach the member they name, and only that one
    assert ensemble_model.members_[2]._net.embed.weight.shape[1] == 8
    assert ensemble_model.members_[0]._net.embed.weight.shape[1] == 48
    mean = np.mean([m.predict_proba(items) for m in ensemble_model.members_], axis=0)
    z = np.log(mean) / ensemble_model.temperature_
    expected = np.exp(z - z.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(ensemble_model.predict_proba(items), expected, atol=1e-5)
    assert ensemble_model.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    gib = ensemble_model.predict_proba(_items(GIBBERISH)).max(1)
    assert (gib < ensemble_model.threshold_).all(), (gib, ensemble_model.threshold_)


@pytest.mark.slow
def test_ensemble_should_give_identical_probabilities_after_save_and_load(ensemble_model, data, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    ensemble_model.save(tmp_path / "intent")
    names = sorted(os.listdir(tmp_path / "intent"))
    assert names == ["history.json", "member_0_char_cnn", "member_1_word_cnn", "member_2_ngram",
                     "meta.json"]
    back = IntentClassifier.load(tmp_path / "intent")
    assert np.array_equal(back.predict_proba(items), ensemble_model.predict_proba(items))
    assert (back.threshold_, back.temperature_) == (ensemble_model.threshold_, ensemble_model.temperature_)
    # a damaged member is reported as a damaged bundle
    os.remove(tmp_path / "intent" / "member_1_word_cnn" / "weights.pt")
    with pytest.raises(BundleError, match="weights.pt"):
        IntentClassifier.load(tmp_path / "intent")


def test_should_take_the_new_kinds_from_the_config_and_refuse_bad_members():
    from nlukit.config import load_config
    from nlukit.models.intent import IntentClassifier
    cfg = load_config(overrides=["intent.kind=ensemble", "intent.members=[\"char_cnn\", \"ngram\"]",
                                 "intent.member_params={ngram = {emb_dim = 96}}"])
    model = IntentClassifier(**cfg["intent"])
    assert model._member_params("ngram")["emb_dim"] == 96
    assert model._member_params("char_cnn")["emb_dim"] == 48
    # class_bias shifts the ensemble's mean; a member gets its own only through member_params
    biased = IntentClassifier(kind="ensemble", class_bias="macro_f1",
                              member_params={"ngram": {"class_bias": "macro_f1"}})
    assert biased._member_params("char_cnn")["class_bias"] == "none"
    assert biased._member_params("ngram")["class_bias"] == "macro_f1"
    fit_args = ([("a", [], "x"), ("b", [], "y")],)
    for bad in (dict(members=["char_cnn", "lstm"]), dict(members=[]),
                dict(members=["ngram", "ngram"]),
                dict(member_params={"word_cnn": {"dropout": 0.1}}, members=["ngram"]),
                dict(member_params={"ngram": {"kind": "char_cnn"}})):
        with pytest.raises(ConfigError, match="member"):
            IntentClassifier(kind="ensemble", **bad).fit(*fit_args, progress=False)
    with pytest.raises(ConfigError, match="ngram_chars"):
        IntentClassifier(kind="ngram", ngram_chars=0, ngram_words=0).fit(*fit_args, progress=False)


@pytest.mark.slow
def test_word_pos_should_tell_endings_apart_and_start_from_the_surface_vectors(data, embeddings, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    frozen = IntentClassifier(kind="word_cnn", word_pos=True, freeze_embeddings=True, epochs=2,
                              seed=1, threads=1).fit(train, valid, embeddings=embeddings, progress=False)
    # units carry their part of speech; each starts from the vector of its surface
    assert frozen.vocab_.index("날씨/NNG") > 1 and frozen.vocab_.index("날씨") == frozen.vocab_.unk_index
    weight = frozen._net.embed.weight.detach().numpy()
    np.testing.assert_array_equal(weight[frozen.vocab_.index("날씨/NNG")], embeddings.vector("날씨"))
    model = IntentClassifier(kind="word_cnn", word_pos=True, **FAST).fit(
        train, valid, embeddings=embeddings, progress=False)
    assert model.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    model.save(tmp_path / "m")
    back = IntentClassifier.load(tmp_path / "m")
    items = [(t, toks) for t, toks, _ in valid]
    assert back.params["word_pos"] is True
    assert np.array_equal(back.predict_proba(items), model.predict_proba(items))


@pytest.mark.slow
def test_word_rnn_should_classify_score_batches_like_singles_and_reload(data, embeddings, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    model = IntentClassifier(kind="word_rnn", rnn_hidden=16, **FAST).fit(
        train, valid, embeddings=embeddings, progress=False)
    assert model.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    batch = model.predict_proba(items)
    single = np.concatenate([model.predict_proba([it]) for it in items])
    np.testing.assert_allclose(batch, single, atol=1e-5)  # padding changes nothing
    gib = batch[-len(GIBBERISH):].max(1)
    assert (gib < model.threshold_).all(), (gib, model.threshold_)
    model.save(tmp_path / "m")
    back = IntentClassifier.load(tmp_path / "m")
    assert back.params["kind"] == "word_rnn" and back.params["rnn_hidden"] == 16
    assert np.array_equal(back.predict_proba(items), batch)


# ---------------------------------------------------------------------- class_bias (macro-F1 shifts)
def test_class_bias_should_shift_an_under_predicted_intent_and_leave_a_perfect_one_alone():
    from nlukit.models.intent import _fit_class_bias, _macro_f1
    rng = np.random.default_rng(0)
    # Given three intents where the rare one (2) scores 1.0 too low in every row
    y = np.array([0] * 200 + [1] * 200 + [2] * 40)
    z = rng.normal(0, 0.6, (len(y), 3))
    z[np.arange(len(y)), y] += 1.5
    z[:, 2] -= 1.0
    before = _macro_f1(y, z.argmax(1), 3)
    # When shifts are fitted for macro-F1
    b = _fit_class_bias(z, y, 3)
    # Then the rare intent is raised relative to the others, macro-F1 improves, shifts are centred
    assert b is not None and b[2] > b[0] and b[2] > b[1]
    assert _macro_f1(y, (z + b).argmax(1), 3) > before + 0.02
    assert abs(b.sum()) < 1e-4
    # and already perfect scores get no shift at all
    assert _fit_class_bias(np.eye(3)[y] * 5, y, 3) is None


@pytest.mark.slow
def test_class_bias_should_apply_after_the_temperature_and_survive_save_and_load(ngram_model, data, tmp_path):
    import copy

    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    model = copy.deepcopy(ngram_model)
    model.params["class_bias"] = "macro_f1"
    # Given validation scores where intent 0 is always second best (a systematic under-prediction)
    n = len(model.labels_)
    y = np.repeat(np.arange(n), 30)
    logits = np.eye(n)[y] * 4.0
    logits[y == 0, 1] = 5.3
    logits[:, 0] += 1.0 * (y == 0)
    model._calibrate(logits.astype(np.float32), y, np.zeros((20, n), np.float32))
    # Then a shift favouring intent 0 is fitted, and probabilities are softmax(logits / T + bias)
    assert model.bias_ is not None and model.bias_[0] == max(model.bias_)
    z = model.predict_logits(items) / model.temperature_ + model.bias_
    expected = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(model.predict_proba(items), expected / expected.sum(1, keepdims=True),
                               atol=1e-5)
    assert not np.allclose(model.predict_proba(items), ngram_model.predict_proba(items))
    # and the shifts are saved and read back with the model
    back = _assert_round_trip(model, data, tmp_path)
    np.testing.assert_array_equal(back.bias_, model.bias_)
    assert json.loads((tmp_path / "intent" / "meta.json").read_text("utf-8"))["bias"] == list(model.bias_)
    with pytest.raises(ConfigError, match="class_bias"):
        IntentClassifier(kind="ngram", class_bias="f1").fit(train, valid, progress=False)


def test_ensemble_should_take_one_kind_twice_under_tags_each_with_its_own_parameters(data, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    # Given two ngram members told apart by a tag, the second with its own seed and n-gram sizes
    model = IntentClassifier(kind="ensemble", members=["ngram", "ngram@b"], ngram_min_count=1,
                             member_params={"ngram@b": {"seed": 7, "ngram_chars": 3}},
                             epochs=3, patience=3, seed=1, threads=1).fit(train, valid, progress=False)
    a, b = model.members_
    # Then both are ngram models, only the tagged one takes the tagged parameters
    assert (a.params["kind"], b.params["kind"]) == ("ngram", "ngram")
    assert (a.params["seed"], a.params["ngram_chars"], b.params["seed"], b.params["ngram_chars"]) == (1, 5, 7, 3)
    assert not np.allclose(a.predict_proba(items), b.predict_proba(items))
    back = _assert_round_trip(model, data, tmp_path)
    assert back.params["members"] == ["ngram", "ngram@b"] and back.members_[1].params["ngram_chars"] == 3
    for bad in (["ngram", "ngram@"], ["ngram@b c"], ["lstm@x"], ["ngram@b", "ngram@b"]):
        with pytest.raises(ConfigError, match="members"):
            IntentClassifier(kind="ensemble", members=bad).fit(train, valid, progress=False)


@pytest.mark.slow
def test_lr_decay_and_label_smoothing_should_change_training_and_be_checked(ngram_model, data, tmp_path):
    from nlukit.models.intent import IntentClassifier, _softmax
    train, valid = data
    items = [(t, toks) for t, toks, _ in train]
    # Given the same ngram model trained with label smoothing and with a decaying learning rate
    smooth = IntentClassifier(kind="ngram", ngram_min_count=1, label_smoothing=0.3, **FAST).fit(
        train, valid, progress=False)
    decay = IntentClassifier(kind="ngram", ngram_min_count=1, lr_decay=0.9, **FAST).fit(
        train, valid, progress=False)
    # Then both still learn the training set
    for m in (smooth, decay):
        assert m.predict(items) == [i for _, _, i in train]
    # smoothing keeps the raw scores from growing towards certainty
    raw = _softmax(ngram_model.predict_logits(items)).max(1)
    raw_smooth = _softmax(smooth.predict_logits(items)).max(1)
    assert raw_smooth.mean() < raw.mean() - 0.05, (raw_smooth.mean(), raw.mean())
    assert raw_smooth.max() < 0.95
    # a decaying rate moves the weights less than a constant one: the model differs
    assert not np.allclose(decay.predict_logits(items), ngram_model.predict_logits(items))
    back = _assert_round_trip(decay, data, tmp_path)
    assert back.params["lr_decay"] == 0.9 and back.params["label_smoothing"] == 0.0
    for bad in (dict(lr_decay=0.0), dict(lr_decay=1.5), dict(label_smoothing=1.0)):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            IntentClassifier(kind="ngram", **bad).fit(train, valid, progress=False)


# requests outside the fixture's four intents, in words it never saw, with request frames it did see
FRAME_ONLY = ["코인 시세 좀 알려줘", "택시 불러줘", "포인트 잔액 알려줘", "뉴스 틀어줘", "메일 좀 보내줘",
              "사진 찍어줘", "환율 어때", "택배 조회해줘"]


def test_masked_items_should_keep_the_request_frame_and_replace_every_content_morpheme():
    from nlukit.models.intent import CONTENT_POS, _masked_items
    # Given tokenised training texts, one of them with no content morpheme at all
    items = _items(["서울에서 부산 가는 기차 예매해줘", "내일 날씨 어때요?", "이거요?"])
    # When 30 masked texts are drawn with "뷁" and "똠" as the known characters
    out = _masked_items(items, 30, np.random.default_rng(0), ["뷁", "똠"])
    assert len(out) == 30
    sources = {len(t): (t, toks) for t, toks in items}
    for text, toks in out:
        src_text, src_toks = next(v for v in sources.values() if [x.pos for x in v[1]] == [x.pos for x in toks])
        # Then the text keeps its length, spaces and tags, and every token indexes the new text
        assert len(text) == len(src_text)
        assert [i for i, c in enumerate(text) if c == " "] == [i for i, c in enumerate(src_text) if c == " "]
        for new, old in zip(toks, src_toks, strict=True):
            assert text[new.start:new.end] == new.surface and (new.start, new.end) == (old.start, old.end)
            if old.pos.split("+")[0] in CONTENT_POS:   # content: random characters
                assert new.surface != old.surface
            else:                                      # frame: particles, endings, punctuation
                assert new.surface == old.surface
    # and the text with nothing to mask is never drawn; nothing to draw from gives []
    assert all([x.pos for x in toks] != [x.pos for x in items[2][1]] for _, toks in out)
    assert _masked_items([items[2]], 5, np.random.default_rng(0), ["가"]) == []
    assert _masked_items([("네", None)], 5, np.random.default_rng(0), ["가"]) == []


@pytest.mark.slow
def test_should_send_unknown_requests_in_a_known_frame_to_the_fallback(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    # Given the same model trained with masked training texts among its outliers, and without
    params = dict(kind="char_cnn", **{**FAST, "seed": 3}, oe_ratio=1.0)
    masked = IntentClassifier(**params, oe_masked=1.0).fit(train, valid, progress=False)
    plain = IntentClassifier(**params, oe_masked=0.0).fit(train, valid, progress=False)
    # When they score requests made of unseen words and a frame such as "… 알려줘" / "… 틀어줘"
    p_masked = masked.predict_proba(_items(FRAME_ONLY)).max(1)
    p_plain = plain.predict_proba(_items(FRAME_ONLY)).max(1)
    # Then with masking every such request falls back, and it is less sure of them than without
    assert (p_masked < masked.threshold_).all(), (p_masked, masked.threshold_)
    assert p_masked.mean() < p_plain.mean() - 0.05, (p_masked, p_plain)
    # while every validation sentence is still accepted
    ok = masked.predict_proba([(t, toks) for t, toks, _ in valid]).max(1)
    assert (ok >= masked.threshold_).all(), (ok, masked.threshold_)


@pytest.mark.parametrize("text,short", [
    ("강남 맛집 추천해줘", "강남 맛집"), ("아이유 노래 틀어줘", "아이유 노래"), ("7시에 알람 맞춰줘", "7시에 알람"),
    ("날씨 어때?", "날씨"), ("서울에서 부산 가는 기차 예매해줘", "서울에서 부산 가는 기차"),
    ("음악 좀 틀어줄래?", "음악 좀"),
    ("안녕하세요", None), ("서울 날씨", None), ("고마워", None), ("부산 가는 KTX", None),
])
def test_short_form_should_drop_a_final_predicate_word_only(text: str, short: str | None) -> None:
    from nlukit.models.intent import short_form
    from nlukit.text import analyze
    norm, toks = analyze(text)
    got = short_form(norm.text, toks)
    if short is None:
        assert got is None
    else:
        assert got is not None and got[0] == short
        assert all(t.end <= len(short) for t in got[1]) and "".join(t.surface for t in got[1]) == \
            short.replace(" ", "")


def test_short_forms_should_add_shortened_copies_with_their_intents_only_when_asked(data):
    from nlukit.models.intent import _with_short_forms
    train, _ = data
    rng = np.random.default_rng(0)
    assert _with_short_forms(train, 0.0, rng) == train
    grown = _with_short_forms(train, 1.0 - 1e-9, rng)
    extra = grown[len(train):]
    assert grown[:len(train)] == train and len(extra) >= len(train) // 2
    by_text = {t: intent for t, _, intent in train}
    for text, _toks, intent in extra:   # each copy is a prefix of a training text of its intent
        assert any(src.startswith(text + " ") and by_text[src] == intent for src in by_text), text
    with pytest.raises(ConfigError, match="short_forms"):
        from nlukit.models.intent import IntentClassifier
        IntentClassifier(short_forms=1.0).fit([("a", None, "x"), ("b", None, "y")])


def test_short_forms_should_leave_out_a_short_form_that_another_intent_says_too():
    # Given requests told apart only by their last word (a booking's check and cancel) and one
    # whose short form is another intent's whole text
    from nlukit.models.intent import _with_short_forms
    from nlukit.text import get_tokenizer
    tok = get_tokenizer("mecab")
    said = [("내과 예약 취소해줘", "cancel"), ("내과 예약 확인해줘", "check"), ("피부과 예약 취소해줘", "cancel"),
            ("서울 날씨 알려줘", "weather"), ("아이유 노래 틀어줘", "music"), ("부산 맛집", "food"),
            ("부산 맛집 추천해줘", "weather")]
    train = [(t, tok.tokenize(t), intent) for t, intent in said]
    # When every text may give its short form
    extra = {(t, intent) for t, _, intent in _with_short_forms(train, 1.0 - 1e-9, np.random.default_rng(0))[len(train):]}
    # Then the ones that say which intent stay, the ambiguous ones are left out
    assert extra == {("피부과 예약", "cancel"), ("서울 날씨", "weather"), ("아이유 노래", "music")}


@pytest.mark.slow
def test_should_be_surer_of_requests_typed_without_their_verb_when_trained_on_short_forms(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    # Given the same model trained with and without short forms of its training texts
    params = dict(kind="char_cnn", **{**FAST, "seed": 4})
    short = IntentClassifier(**params, short_forms=0.99).fit(train, valid, progress=False)
    plain = IntentClassifier(**params, short_forms=0.0).fit(train, valid, progress=False)
    # When both score keyword requests (never seen: the validation sentences' short forms)
    texts = ["부산 날씨", "7시에 알람", "노래", "부산 가는 기차", "내일 날씨"]
    labels = ["weather", "alarm", "music", "train_ticket", "weather"]
    p_short, p_plain = short.predict_proba(_items(texts)), plain.predict_proba(_items(texts))
    conf = [p_short[i, short.labels_.index(lab)] for i, lab in enumerate(labels)]
    conf_plain = [p_plain[i, plain.labels_.index(lab)] for i, lab in enumerate(labels)]
    # Then the model that saw short forms is surer of the right intent, and still gets them right
    assert np.mean(conf) > np.mean(conf_plain) + 0.05, (conf, conf_plain)
    assert [short.labels_[i] for i in p_short.argmax(1)] == labels


def test_should_refuse_an_oe_masked_share_outside_0_to_1():
    from nlukit.models.intent import IntentClassifier
    with pytest.raises(ConfigError, match="oe_masked"):
        IntentClassifier(oe_masked=1.5).fit([("a", None, "x"), ("b", None, "y")])


@pytest.mark.slow
def test_should_keep_the_warm_started_weights_when_no_epoch_beats_them(data):
    # Given a converged char CNN
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    old = IntentClassifier(kind="char_cnn", **FAST).fit(train, valid, progress=False)
    # When it is warm-started on the same data with a learning rate that wrecks every epoch
    wrecked = IntentClassifier(kind="char_cnn", epochs=3, patience=3, seed=1, threads=1, lr=50.0)
    wrecked.fit(train, valid, progress=False, init=old)
    # Then the starting point (epoch 0) is the best epoch and its weights are what is kept
    assert wrecked.history_[0]["epoch"] == 0 and wrecked.history_[0]["warm_start"]
    assert [h["epoch"] for h in wrecked.history_ if h["best"]] == [0]
    texts = [(t, toks) for t, toks, _ in valid]
    assert wrecked.predict(texts) == old.predict(texts) == [i for _, _, i in valid]
    # and a cold fit with the same learning rate is no good, so the epoch-0 candidate mattered
    cold = IntentClassifier(kind="char_cnn", epochs=3, patience=3, seed=1, threads=1, lr=50.0)
    assert cold.fit(train, valid, progress=False).predict(texts) != old.predict(texts)


@pytest.mark.parametrize("value", ["abc", "0.5x", [0.5], True])
def test_should_refuse_a_threshold_that_is_not_a_number(value):
    # Given --set intent.threshold=abc (a default of None lets the raw string through)
    from nlukit.models.intent import IntentClassifier
    # When fitting, Then the intent check names the key instead of a ValueError traceback
    with pytest.raises(ConfigError, match="threshold"):
        IntentClassifier(threshold=value, epochs=1, threads=1).fit(
            [("서울 날씨", [], "weather"), ("알람 맞춰줘", [], "alarm")], progress=False)


@pytest.mark.parametrize("key,value", [("epochs", True), ("filters", 0), ("lr_decay", "fast"), ("lr_decay", 1.5),
                                       ("lr", -0.1)])
def test_should_refuse_a_training_setting_no_fit_can_use_from_python(key, value):
    # Given IntentClassifier(epochs=True) from Python (the config file checks types, the API did
    # not: True trained one epoch, and lr_decay="fast" was a ValueError traceback)
    from nlukit.models.intent import IntentClassifier
    # When fitting, Then the error names [intent] and the key before anything trains
    with pytest.raises(ConfigError, match=rf"\[intent\] {key} must be"):
        IntentClassifier(**{key: value, "threads": 1}).fit(
            [("서울 날씨", [], "weather"), ("알람 맞춰줘", [], "alarm")], progress=False)
