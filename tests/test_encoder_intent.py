"""The ``transformer`` intent kind: a pretrained encoder from a local folder, fine-tuned.

No weights can be downloaded here, and none are: a 2-layer BERT and its WordPiece tokenizer
are built on the spot (``fixtures/tiny_encoder.py``) and saved as a downloaded model would be."""
from __future__ import annotations

import json
import os
import shutil
import socket
import sys

import numpy as np
import pytest

import nlukit
from nlukit.errors import BundleError, ConfigError, NlukitError

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "fixtures"))
from test_intent import GIBBERISH, SENTENCES, VALID, _items, _triples  # noqa: E402
from tiny_encoder import build_tiny_encoder  # noqa: E402

MODEL = os.path.join(HERE, "fixtures", "model")
TINY = os.path.join(MODEL, "tiny.toml")
FAST = dict(kind="transformer", epochs=40, patience=40, seed=1, threads=1, batch_size=8, lr=3e-3,
            encoder_lr=1e-3, short_forms=0.0)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _all_texts() -> list[str]:
    texts = [t for group in (SENTENCES, VALID) for ts in group.values() for t in ts]
    for name in ("train", "valid", "test"):
        path = os.path.join(MODEL, f"{name}.jsonl")
        if os.path.exists(path):
            texts += [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
    return texts


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory) -> str:
    return build_tiny_encoder(tmp_path_factory.mktemp("klue-bert-tiny"), _all_texts(), seed=0)


@pytest.fixture(scope="module")
def data():
    return _triples(SENTENCES), _triples(VALID)


@pytest.fixture(scope="module")
def fitted(data, encoder_dir):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    return IntentClassifier(pretrained=encoder_dir, **FAST).fit(train, valid, progress=False)


@pytest.fixture()
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a network connection was attempted: {args!r}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_should_learn_every_training_sentence_and_send_gibberish_to_the_fallback(fitted, data):
    train, _ = data
    assert fitted.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    gib = fitted.predict_proba(_items(GIBBERISH)).max(1)
    assert (gib < fitted.threshold_).mean() >= 0.8, (gib, fitted.threshold_)
    assert fitted.history_ and any(h["best"] for h in fitted.history_)


def test_should_score_a_batch_as_one_by_one_and_reload_without_the_pretrained_folder(
        data, encoder_dir, tmp_path, offline):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    copy = shutil.copytree(encoder_dir, tmp_path / "copy")
    model = IntentClassifier(pretrained=str(copy), **{**FAST, "epochs": 5}).fit(train, valid, progress=False)
    items = [(t, toks) for t, toks, _ in train + valid] + _items(GIBBERISH)
    batch = model.predict_proba(items)
    single = np.concatenate([model.predict_proba([it]) for it in items])
    np.testing.assert_allclose(batch, single, atol=1e-5)   # padding: float rounding only
    assert (batch.argmax(1) == single.argmax(1)).all()
    model.save(tmp_path / "intent")
    shutil.rmtree(copy)   # the bundle holds its own copy: config, tokenizer, fine-tuned weights
    back = IntentClassifier.load(tmp_path / "intent")
    assert back.params["kind"] == "transformer" and back.labels_ == model.labels_
    assert np.array_equal(back.predict_proba(items), batch)
    assert sorted(os.listdir(tmp_path / "intent" / "encoder")) == ["config.json", "tokenizer.json",
                                                                   "tokenizer_config.json"]


def test_should_train_the_same_model_from_the_same_seed_and_another_from_another(data, encoder_dir):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    items = [(t, toks) for t, toks, _ in valid]
    quick = {**FAST, "epochs": 3}
    a = IntentClassifier(pretrained=encoder_dir, **quick).fit(train, valid, progress=False).predict_proba(items)
    b = IntentClassifier(pretrained=encoder_dir, **quick).fit(train, valid, progress=False).predict_proba(items)
    c = IntentClassifier(pretrained=encoder_dir, **{**quick, "seed": 2}).fit(
        train, valid, progress=False).predict_proba(items)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_should_train_the_head_alone_when_the_encoder_is_frozen(data, encoder_dir):
    import torch

    from nlukit.models.intent import IntentClassifier
    from nlukit.models.pretrained import load_pretrained
    train, valid = data
    model = IntentClassifier(pretrained=encoder_dir, freeze_encoder=True, **{**FAST, "epochs": 3}).fit(
        train, valid, progress=False)
    _, original = load_pretrained(encoder_dir, "intent.pretrained")
    tuned = model._encoder.net.encoder.state_dict()
    assert all(torch.equal(v, tuned[k]) for k, v in original.state_dict().items())
    assert model.history_[0]["loss"] > 0


def test_should_warm_start_from_the_fine_tuned_encoder_of_the_model_retrained(data, encoder_dir, tmp_path):
    import torch

    from nlukit.models.intent import IntentClassifier
    train, valid = data
    old = IntentClassifier(pretrained=encoder_dir, **{**FAST, "epochs": 3}).fit(train, valid, progress=False)
    # the folder the old model was trained from is gone: the new one needs only the old model
    new = IntentClassifier(**{**FAST, "pretrained": str(tmp_path / "gone"), "epochs": 1, "lr": 1e-9,
                              "encoder_lr": 1e-9}).fit(train, valid, progress=False, init=old)
    assert new.warm_start_ == {"encoder": "copied", "intents_copied": 4}
    for k, v in old._encoder.net.state_dict().items():   # a step of 1e-9 from the old weights
        assert torch.allclose(v.float(), new._encoder.net.state_dict()[k].float(), atol=1e-5), k
    with pytest.raises(ConfigError, match="is not a folder"):   # without the old model, it is needed
        IntentClassifier(**{**FAST, "pretrained": str(tmp_path / "gone")}).fit(train, valid, progress=False)


@pytest.mark.parametrize("setting, needle", [
    ({"pretrained": ""}, 'kind = "transformer" needs pretrained, the local folder'),
    ({"pretrained": "/nonexistent/klue-bert"}, "is not a folder; nlukit loads pretrained weights from a local"),
    ({"encoder_max_len": 2}, "encoder_max_len must be an integer from 8 to 4096"),
    ({"encoder_lr": 0}, "encoder_lr must be a positive number"),
    ({"freeze_encoder": "yes"}, "freeze_encoder must be true or false"),
])
def test_should_name_the_setting_and_the_fix_of_a_bad_encoder_setting(setting, needle, encoder_dir):
    from nlukit.models.intent import IntentClassifier
    with pytest.raises(ConfigError) as err:
        IntentClassifier(**{**FAST, "pretrained": encoder_dir, **setting}).check_params()
    assert needle in str(err.value)


def test_should_refuse_a_folder_without_a_model_or_a_tokenizer(encoder_dir, tmp_path):
    from nlukit.models.intent import IntentClassifier
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="has no config.json, so it is no Hugging Face model folder"):
        IntentClassifier(**{**FAST, "pretrained": str(empty)}).check_params()
    no_tok = shutil.copytree(encoder_dir, tmp_path / "no_tok")
    for f in ("tokenizer.json", "tokenizer_config.json"):
        os.remove(no_tok / f)
    with pytest.raises(ConfigError, match="has no tokenizer files"):
        IntentClassifier(**{**FAST, "pretrained": str(no_tok)}).check_params()


def test_should_train_a_bundle_that_parses_without_the_folder_and_the_network(encoder_dir, tmp_path, offline):
    folder = shutil.copytree(encoder_dir, tmp_path / "bert")
    path = nlukit.train(MODEL, str(tmp_path / "m"), config=TINY, progress=False,
                        overrides=["intent.kind=transformer", f"intent.pretrained={folder}", "intent.epochs=8",
                                   "intent.lr=0.003", "intent.encoder_lr=0.001", "tagger.epochs=4",
                                   "word2vec.epochs=2"])
    probe = ["내일 서울에서 부산으로 가는 기차 예매해줘", "서울시 낼 날씨 알려줘", "안녕하세요", "qwzx"]
    before = [r.to_dict() for r in nlukit.load(path).parse_batch(probe)]
    shutil.rmtree(folder)
    nlu = nlukit.load(path)
    assert [r.to_dict() for r in nlu.parse_batch(probe)] == before
    assert [nlu.parse(t).intent.name for t in probe] == [r["intent"]["name"] for r in before]
    meta = json.load(open(os.path.join(path, "meta.json"), encoding="utf-8"))
    assert any(f.startswith("intent/encoder/") for f in meta["files"])   # checked like every file
    from nlukit.train import describe
    assert f"intent transformer (encoder fine-tuned from {folder}, kept in the bundle)" in describe(meta)
    extra = os.path.join(path, "intent", "encoder", "vocab.txt")   # not the bundle's: refused
    with open(extra, "w", encoding="utf-8") as fh:
        fh.write("[PAD]\n[UNK]\n")
    with pytest.raises(BundleError, match="intent/encoder/vocab.txt is not a file of this bundle"):
        nlukit.load(path)
    os.remove(extra)
    from test_nlu import NAUGHTY  # every text the default model survives, this one too
    for text, r in zip(NAUGHTY, nlu.parse_batch(NAUGHTY), strict=True):
        assert r.to_dict()["text"] == text
        assert nlu.parse(text).intent == r.intent or nlu.parse(text).intent.name == r.intent.name


def test_should_refuse_a_missing_pretrained_folder_before_anything_trains(tmp_path):
    with pytest.raises(NlukitError, match="intent.pretrained: '/nonexistent/bert' is not a folder"):
        nlukit.train(MODEL, str(tmp_path / "m"), config=TINY, progress=False,
                     overrides=["intent.kind=transformer", "intent.pretrained=/nonexistent/bert"])
    assert not (tmp_path / "m").exists()


def test_should_serve_as_an_ensemble_member_and_come_back_from_disk(data, encoder_dir, tmp_path):
    from nlukit.models.intent import IntentClassifier
    train, valid = data
    quick = {k: v for k, v in FAST.items() if k != "kind"}
    model = IntentClassifier(kind="ensemble", members=["char_cnn", "transformer"], pretrained=encoder_dir,
                             **{**quick, "epochs": 30}).fit(train, valid, progress=False)
    assert [m.params["kind"] for m in model.members_] == ["char_cnn", "transformer"]
    assert model.predict([(t, toks) for t, toks, _ in train]) == [i for _, _, i in train]
    items = [(t, toks) for t, toks, _ in valid] + _items(GIBBERISH)
    model.save(tmp_path / "ens")
    back = IntentClassifier.load(tmp_path / "ens")
    assert np.array_equal(back.predict_proba(items), model.predict_proba(items))


@pytest.mark.parametrize("kind", ["roberta", "electra"])
def test_should_read_a_text_longer_than_the_encoders_positions(data, tmp_path, kind, offline):
    # review12: encoder_max_len above the encoder's max_position_embeddings made every long text
    # fail inside the encoder (the expanded size of the tensor (64) must match ... (40)); a RoBERTa
    # reads two positions fewer than it has (its position ids start after the padding index)
    import torch
    from transformers import ElectraConfig, ElectraModel, RobertaConfig, RobertaModel

    from nlukit.models.intent import IntentClassifier
    folder = build_tiny_encoder(tmp_path / kind, _all_texts(), seed=0)
    torch.manual_seed(0)
    small = dict(vocab_size=400, hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                 max_position_embeddings=40, pad_token_id=0)
    if kind == "roberta":
        RobertaModel(RobertaConfig(**small)).save_pretrained(folder)
    else:
        ElectraModel(ElectraConfig(embedding_size=32, **small)).save_pretrained(folder)
    train, valid = data
    model = IntentClassifier(pretrained=folder, **{**FAST, "epochs": 1, "encoder_max_len": 64}).fit(
        train, valid, progress=False)
    long = "내일 서울 날씨 좀 알려줄래 " * 40
    assert model.predict_proba(_items([long, "😀" * 200, "날씨"])).shape[0] == 3


@pytest.mark.parametrize("kind", ["gpt2", "bert-as-decoder"])
def test_should_refuse_a_decoder_only_model_as_the_pretrained_encoder(data, encoder_dir, tmp_path, kind):
    # left13: a GPT-2 folder was taken as an encoder and fine-tuned: each subword sees only the ones
    # before it, so the sentence vector (the first subword's) has read one subword
    from transformers import BertConfig, BertModel, GPT2Config, GPT2Model

    from nlukit.models.intent import IntentClassifier
    from nlukit.models.tagger import EntityTagger
    folder = shutil.copytree(encoder_dir, tmp_path / kind)
    if kind == "gpt2":
        GPT2Model(GPT2Config(vocab_size=400, bos_token_id=2, eos_token_id=3, n_embd=32, n_layer=1, n_head=2, n_positions=64)).save_pretrained(folder)
    else:   # a BERT saved for generation: is_decoder, causal attention
        BertModel(BertConfig(vocab_size=400, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                             intermediate_size=64, is_decoder=True)).save_pretrained(folder)
    needle = r"intent.pretrained: .* is a decoder-only \(causal\) language model .* point intent.pretrained at"
    with pytest.raises(ConfigError, match=needle):
        IntentClassifier(**{**FAST, "pretrained": str(folder)}).check_params()
    train, valid = data
    with pytest.raises(ConfigError, match=needle):
        IntentClassifier(**{**FAST, "pretrained": str(folder), "epochs": 1}).fit(train, valid, progress=False)
    with pytest.raises(ConfigError, match=needle.replace("intent", "tagger")):
        EntityTagger(pretrained=str(folder)).check_params()


def test_should_refuse_an_encoder_decoder_model_as_the_pretrained_encoder(encoder_dir, tmp_path):
    from transformers import BartConfig, BartModel

    from nlukit.models.intent import IntentClassifier
    folder = shutil.copytree(encoder_dir, tmp_path / "bart")
    BartModel(BartConfig(vocab_size=400, d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                         decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64)).save_pretrained(folder)
    with pytest.raises(ConfigError, match=r"intent.pretrained: .* holds a bart model, an encoder-decoder"):
        IntentClassifier(**{**FAST, "pretrained": str(folder)}).check_params()


class _OneAtATime:
    """A tokenizer that records how many threads are inside it at once (a fast tokenizer is one
    Rust object each call reconfigures: two threads in it can raise ``Already borrowed``)."""

    def __init__(self, tokenizer) -> None:
        import threading
        self.tokenizer, self.inside, self.most, self.calls = tokenizer, 0, 0, 0
        self.lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        import time
        with self.lock:
            self.inside += 1
            self.calls += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.005)   # a long text: the window another thread would enter
            return self.tokenizer(*args, **kwargs)
        finally:
            with self.lock:
                self.inside -= 1

    def __getattr__(self, name):
        return getattr(self.tokenizer, name)


def test_should_never_tokenize_in_two_threads_at_once_under_a_threaded_server(fitted):
    # left13: gunicorn's request threads (parse(today=...), bot turns, parse_batch) reached the
    # shared fast tokenizer together
    from concurrent.futures import ThreadPoolExecutor
    texts = [t for ts in VALID.values() for t in ts]
    want = fitted.predict_proba(_items(texts))
    encoder = fitted._encoder
    probe = encoder.tokenizer = _OneAtATime(encoder.tokenizer)
    try:
        with ThreadPoolExecutor(6) as pool:
            got = list(pool.map(lambda t: fitted.predict_proba(_items([t])), texts * 3))
    finally:
        encoder.tokenizer = probe.tokenizer
    assert probe.calls == len(texts) * 3 and probe.most == 1
    np.testing.assert_allclose(np.concatenate(got), np.concatenate([want] * 3), atol=1e-5)
