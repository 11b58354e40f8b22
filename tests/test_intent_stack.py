"""The ensemble's ``combine = "stack"``, ``refit`` on train + valid, and the ngram kind's end features."""
from __future__ import annotations

import json

import numpy as np
import pytest
from test_intent import (  # tests/ is on sys.path
    GIBBERISH,
    SENTENCES,
    VALID,
    _assert_round_trip,
    _items,
    _triples,
)

from nlukit.errors import BundleError, ConfigError

FAST = dict(epochs=6, patience=6, seed=1, threads=1, ngram_min_count=1)


@pytest.fixture(scope="module")
def data() -> tuple[list, list]:
    return _triples(SENTENCES), _triples(VALID)


# ---------------------------------------------------------------------- the stacker alone
def test_stack_should_learn_to_ignore_a_member_that_is_wrong_and_fall_back_to_the_geometric_mean():
    from nlukit.models.intent import STACK_FLOOR, _fit_stack, _nll, _softmax, _stack_logits
    rng = np.random.default_rng(0)
    k, n = 4, 600
    y = rng.integers(k, size=n)
    # Given two members: a good one, and one that puts its confidence on the next intent over
    good = _softmax(np.eye(k)[y] * 2.5 + rng.normal(0, 1.0, (n, k)))
    bad = _softmax(np.eye(k)[(y + 1) % k] * 2.5 + rng.normal(0, 1.0, (n, k)))
    logp = np.log(np.maximum(np.stack([good, bad], axis=1), STACK_FLOOR))
    # When the stacker is fitted on them
    (w, b), oof, info = _fit_stack(logp, y, k, seed=3)
    # Then its held-out (out-of-fold) scores beat the plain mean of the members by far and
    # are about as good as the good member alone; the bad member is read as a hint of y - 1
    mean_acc = float(np.mean(np.log(good + bad).argmax(1) == y))
    good_acc = float(np.mean(good.argmax(1) == y))
    assert float(np.mean(oof.argmax(1) == y)) > max(mean_acc + 0.1, good_acc - 0.02)
    assert _nll(oof, y, 1.0) < _nll(np.log(good), y, 1.0)
    assert info["l2"] in (1e-4, 1e-3, 1e-2, 1e-1, 1.0) and len(info["cv_nll"]) == 5
    np.testing.assert_allclose(_stack_logits(logp, w, b), logp.reshape(n, -1) @ w + b, atol=1e-4)
    # and two identical members leave it at their geometric mean (the weights it is pulled to)
    same = np.log(np.maximum(np.stack([good, good], axis=1), STACK_FLOOR))
    (w2, b2), _, _ = _fit_stack(same, y, k, seed=3)
    z = _stack_logits(same, w2, b2)
    assert float(np.mean(z.argmax(1) == good.argmax(1))) > 0.97


# ---------------------------------------------------------------------- the stacked ensemble
@pytest.fixture(scope="module")
def stacked(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    return IntentClassifier(kind="ensemble", members=["ngram", "ngram@b"], combine="stack",
                            member_params={"ngram@b": {"seed": 7, "ngram_chars": 3}}, **FAST).fit(
        train, valid, progress=False)


def test_stacked_ensemble_should_score_with_its_weights_and_reload_them(stacked, data, tmp_path):
    from nlukit.models.intent import IntentClassifier, _softmax
    train, valid = data
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    # Given an ensemble of two ngram members combined by a stacker fitted on valid
    w, b = stacked.stack_
    assert w.shape == (2 * 4, 4) and b.shape == (4,)
    # Then its probabilities are softmax((members' log-probabilities @ weights + bias) / T)
    logp = np.log(np.maximum(np.stack([m.predict_proba(items) for m in stacked.members_], 1), 1e-6))
    expected = _softmax((logp.reshape(len(items), -1) @ w + b) / stacked.temperature_)
    np.testing.assert_allclose(stacked.predict_proba(items), expected, atol=1e-5)
    # which is not the mean of the members
    mean = np.mean([m.predict_proba(items) for m in stacked.members_], axis=0)
    assert not np.allclose(stacked.predict_proba(items), _softmax(np.log(mean) / stacked.temperature_),
                           atol=1e-3)
    assert stacked.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    gib = stacked.predict_proba(_items(GIBBERISH)).max(1)
    assert (gib < stacked.threshold_).all(), (gib, stacked.threshold_)
    # and the weights are saved with the bundle and read back
    back = _assert_round_trip(stacked, data, tmp_path)
    meta = json.loads((tmp_path / "intent" / "meta.json").read_text("utf-8"))
    assert meta["params"]["combine"] == "stack" and len(meta["stack"]["weights"]) == 8
    assert meta["stack"]["l2"] == stacked.stack_info_["l2"]
    np.testing.assert_array_equal(back.stack_[0], w)
    # damaged weights are a damaged bundle
    meta["stack"]["weights"] = meta["stack"]["weights"][:3]
    (tmp_path / "intent" / "meta.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(BundleError, match="stack"):
        IntentClassifier.load(tmp_path / "intent")


def test_an_ensemble_saved_before_combine_should_load_as_the_mean(data, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in valid] + _items(GIBBERISH)
    model = IntentClassifier(kind="ensemble", members=["ngram", "ngram@b"],
                             member_params={"ngram@b": {"seed": 7}}, **FAST).fit(train, valid, progress=False)
    assert model.stack_ is None
    model.save(tmp_path / "intent")
    # Given the meta.json of a bundle written before combine existed (no key, no weights)
    path = tmp_path / "intent" / "meta.json"
    meta = json.loads(path.read_text("utf-8"))
    assert "stack" not in meta
    del meta["params"]["combine"], meta["params"]["refit"]
    path.write_text(json.dumps(meta), "utf-8")
    # Then it loads as the mean ensemble it was, with the same scores
    back = IntentClassifier.load(tmp_path / "intent")
    assert back.params["combine"] == "mean" and back.stack_ is None
    assert np.array_equal(back.predict_proba(items), model.predict_proba(items))


def test_combine_refit_and_ngram_ends_should_be_checked_and_read_from_the_config(data):
    from nlukit.config import load_config
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    cfg = load_config(overrides=["intent.combine=stack", "intent.refit=true", "intent.ngram_ends=4"])
    assert (cfg["intent"]["combine"], cfg["intent"]["refit"], cfg["intent"]["ngram_ends"]) == ("stack", True, 4)
    IntentClassifier(**cfg["intent"]).check_params()
    for key, bad in (("combine", "median"), ("combine", "mean "), ("refit", "yes"), ("refit", 1),
                     ("ngram_ends", -1), ("ngram_ends", 2.5)):
        with pytest.raises(ConfigError, match=key):
            IntentClassifier(kind="ensemble", **{key: bad}).fit(train, valid, progress=False)
    # combine belongs to the ensemble: no member takes it
    with pytest.raises(ConfigError, match="member_params"):
        IntentClassifier(kind="ensemble", members=["ngram"],
                         member_params={"ngram": {"combine": "stack"}}).fit(train, valid, progress=False)


# ---------------------------------------------------------------------- refit
def test_refit_should_train_again_on_train_and_valid_for_the_chosen_epochs_keeping_the_calibration(data, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    # Given the same ngram model fitted with and without refit, and a valid sentence with a new word
    valid = valid + [(t, toks, "music") for t, toks in _items(["뮤직박스 재생해줘"])]
    plain = IntentClassifier(kind="ngram", **FAST).fit(train, valid, progress=False)
    refit = IntentClassifier(kind="ngram", refit=True, **FAST).fit(train, valid, progress=False)
    # Then the calibration is the one fitted on valid, before the refit
    assert (refit.temperature_, refit.threshold_) == (plain.temperature_, plain.threshold_)
    # the network was trained again, for the best epoch's count, on train + valid
    best = next(h["epoch"] for h in plain.history_ if h.get("best"))
    again = [h for h in refit.history_ if h.get("refit")]
    assert [h["epoch"] for h in again] == list(range(1, best + 1))
    def strip(hist):  # timings aside
        return [{k: v for k, v in h.items() if k != "seconds"} for h in hist]
    assert strip(refit.history_[:len(plain.history_)]) == strip(plain.history_)
    assert "w:박스/NNG" not in plain.vocab_.stoi and "w:박스/NNG" in refit.vocab_.stoi
    items = [(t, toks) for t, toks, _ in train + valid]
    assert not np.allclose(refit.predict_proba(items), plain.predict_proba(items))
    assert refit.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    back = _assert_round_trip(refit, (train, valid), tmp_path)
    assert back.params["refit"] is True
    # without a valid split there is nothing to add: no refit
    alone = IntentClassifier(kind="ngram", refit=True, **FAST).fit(train, progress=False)
    assert not any(h.get("refit") for h in alone.history_)


def test_an_ensemble_should_refit_only_the_members_told_to_after_fitting_its_stacker(data):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    params = dict(kind="ensemble", members=["ngram", "ngram@b"], combine="stack", **FAST)
    plain = IntentClassifier(member_params={"ngram@b": {"seed": 7}}, **params).fit(train, valid, progress=False)
    model = IntentClassifier(member_params={"ngram@b": {"seed": 7, "refit": True}}, **params).fit(
        train, valid, progress=False)
    a, b = model.members_
    # Then the tagged member was refitted, the other was not
    assert not any(h.get("refit") for h in a.history_) and any(h.get("refit") for h in b.history_)
    assert (a.params["refit"], b.params["refit"]) == (False, True)
    # and the stacker and the calibration come from the members' held-out scores, before the refit
    np.testing.assert_array_equal(model.stack_[0], plain.stack_[0])
    assert (model.temperature_, model.threshold_) == (plain.temperature_, plain.threshold_)
    items = [(t, toks) for t, toks, _ in valid]
    np.testing.assert_array_equal(a.predict_proba(items), plain.members_[0].predict_proba(items))
    assert not np.allclose(b.predict_proba(items), plain.members_[1].predict_proba(items))


# ---------------------------------------------------------------------- ngram end features
def test_ngram_ends_should_mark_the_last_characters_and_word_of_the_text_only():
    from nlukit.models.intent import ngram_features
    from nlukit.text import analyze
    norm, toks = analyze("뭐 하니 지금 뭐 하니")
    feats = ngram_features(norm.text, toks, 2, 1, n_ends=3)
    ends = [f for f in feats if f[:2] in ("e:", "E:")]
    # the end of the text, spaces aside: 니, 하니, 뭐하니 and the last word, once each
    assert ends == ["e:니", "e:하니", "e:뭐하니", "E:하니"]
    assert not [f for f in ngram_features(norm.text, toks, 2, 1) if f[:2] in ("e:", "E:")]
    assert [f for f in ngram_features("네", None, 1, 0, n_ends=4) if f[:2] in ("e:", "E:")] == ["e:네", "E:네"]
    assert ngram_features("", None, 1, 0, n_ends=4) == ["c: ", "c: "]
