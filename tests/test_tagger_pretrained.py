"""The tagger with a pretrained encoder (``[tagger] pretrained``): a tiny BERT built on the spot
(tests/fixtures/tiny_encoder.py), never anything downloaded."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

import nlukit  # noqa: E402
from nlukit.errors import ConfigError, ModelError, NlukitError  # noqa: E402
from nlukit.models.tagger import EntityTagger, _Units  # noqa: E402
from nlukit.text import analyze  # noqa: E402
from nlukit.types import Span, Token  # noqa: E402

torch.set_num_threads(1)

HERE = os.path.dirname(__file__)
from test_tagger import DICT, TRAIN  # noqa: E402  (the tagger tests' tiny corpus)

PARAMS = {"hidden": 32, "char_filters": 16, "word_dim": 32, "epochs": 40, "patience": 40,
          "lr": 0.01, "seed": 7, "dropout": 0.1, "device": "cpu", "encoder_lr": 1e-3}


def make(text: str, ents: list[tuple[str, str, str | None]]) -> tuple[str, list[Token], list[Span]]:
    norm, toks = analyze(text)
    spans = []
    for surface, entity, role in ents:
        i = norm.text.index(surface)
        spans.append(Span(i, i + len(surface), entity, surface, role))
    return norm.text, toks, spans


def build_tiny_encoder(folder: str, texts: list[str], seed: int = 0) -> str:
    spec = importlib.util.spec_from_file_location("tiny_encoder", os.path.join(HERE, "fixtures", "tiny_encoder.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_tiny_encoder(folder, texts, seed=seed)


@pytest.fixture(scope="module")
def items() -> list[tuple[str, list[Token], list[Span]]]:
    return [make(t, e) for t, e in TRAIN]


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory, items) -> str:
    return build_tiny_encoder(str(tmp_path_factory.mktemp("enc") / "tiny-bert"), [t for t, _, _ in items])


@pytest.fixture(scope="module")
def tuned(items, encoder_dir) -> EntityTagger:
    return EntityTagger(**PARAMS, pretrained=encoder_dir).fit(items, items, DICT, progress=False)


def spans_of(pred: list) -> list[list[tuple[int, int, str, str | None]]]:
    return [[(s, e, ent, role) for s, e, ent, role, _ in spans] for spans in pred]


def gold_of(items: list) -> list[list[tuple[int, int, str, str | None]]]:
    return [[(g.start, g.end, g.entity, g.role) for g in gold] for _, _, gold in items]


def no_network(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the network was touched")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --------------------------------------------------------------------------- learning
@pytest.mark.slow
def test_should_tag_every_training_sentence_with_a_fine_tuned_encoder(tuned, items, encoder_dir):
    # Given a tagger fitted with the tiny encoder, fine-tuned (the default)
    # When it tags its training sentences
    pred = tuned.predict([(t, toks) for t, toks, _ in items])
    # Then every span, type and role is the gold one, particles outside (서울에서 → 서울)
    assert spans_of(pred) == gold_of(items)
    assert tuned.has_encoder and tuned.net_.encoder is not None
    # And the encoder's weights moved from the ones in the folder (it was fine-tuned)
    from transformers import AutoModel
    start = AutoModel.from_pretrained(encoder_dir).state_dict()
    now = tuned.net_.encoder.state_dict()
    assert any(not torch.equal(start[k], now[k]) for k in start if start[k].is_floating_point())


@pytest.mark.slow
def test_should_keep_particles_out_of_spans_of_a_glued_token_with_an_encoder(tuned):
    # Given a token MeCab would not split (built by hand): 서울에서 as one noun
    text = "서울에서 부산으로"
    toks = [Token("서울에서", "NNP", 0, 4), Token("부산", "NNP", 5, 7), Token("으로", "JKB", 7, 9)]
    # Then the dictionary match still cuts it and the encoder's features follow the units
    [spans] = tuned.predict([(text, toks)])
    assert [(s, e, ent, role) for s, e, ent, role, _ in spans] == \
        [(0, 2, "location", "origin"), (5, 7, "location", "destination")]


@pytest.mark.slow
def test_should_tag_with_a_frozen_encoder_and_leave_its_weights_as_loaded(items, encoder_dir):
    # Given a tagger whose encoder is frozen
    t = EntityTagger(**PARAMS, pretrained=encoder_dir, freeze_encoder=True).fit(items, items, DICT, progress=False)
    # Then it still tags every training sentence right
    assert spans_of(t.predict([(x, toks) for x, toks, _ in items])) == gold_of(items)
    # And the encoder's weights are the folder's, bit for bit, and stay out of the gradients
    from transformers import AutoModel
    start = AutoModel.from_pretrained(encoder_dir).state_dict()
    assert all(torch.equal(v, start[k]) for k, v in t.net_.encoder.state_dict().items())
    assert not any(w.requires_grad for w in t.net_.encoder.parameters())


@pytest.mark.slow
def test_should_tag_characters_with_an_encoder_in_char_mode(encoder_dir):
    # Given char-unit sentences whose entities end inside MeCab tokens
    data = [("경찰은 김모씨를 체포했다", [("김모", "PS", None)]),
            ("박씨는 3일 서울에 갔다", [("박", "PS", None), ("3일", "DT", None), ("서울", "LC", None)]),
            ("이씨가 어제 부산에서 왔다", [("이", "PS", None), ("어제", "DT", None), ("부산", "LC", None)])]
    items = [make(t, e) for t, e in data]
    t = EntityTagger(**{**PARAMS, "unit": "char", "unit_char_dim": 16, "bigram_dim": 8},
                     pretrained=encoder_dir).fit(items, items, {}, progress=False)
    # Then every character span is exact
    assert [[(s, e, ent) for s, e, ent, _ in spans] for spans in spans_of(t.predict([(x, k) for x, k, _ in items]))] \
        == [[(s, e, ent) for s, e, ent, _ in g] for g in gold_of(items)]


@pytest.mark.slow
def test_should_predict_the_same_in_a_batch_as_one_by_one_with_an_encoder(tuned, items):
    texts = [(t, toks) for t, toks, _ in items] + [(analyze(x)[0].text, analyze(x)[1])
                                                     for x in ("강릉에서 대구로 가는 기차", "낼 서울 날씨")]
    batch = tuned.predict(texts)
    single = [tuned.predict([x])[0] for x in texts]
    # the same spans; confidences equal up to float rounding (padding changes the encoder's sums)
    assert spans_of(batch) == spans_of(single)
    assert np.allclose([c for spans in batch for *_, c in spans], [c for spans in single for *_, c in spans],
                       atol=1e-4)


@pytest.mark.slow
def test_should_never_tokenize_in_two_threads_at_once_with_an_encoder(tuned, items):
    # left13: gunicorn's request threads reached the shared fast tokenizer together (a fast
    # tokenizer is one Rust object each call reconfigures: "Already borrowed" in some versions)
    from concurrent.futures import ThreadPoolExecutor

    from test_encoder_intent import _OneAtATime
    texts = [(t, toks) for t, toks, _ in items]
    want = [tuned.predict([x])[0] for x in texts]
    probe = tuned.tokenizer_ = _OneAtATime(tuned.tokenizer_)
    try:
        with ThreadPoolExecutor(6) as pool:
            got = list(pool.map(lambda x: tuned.predict([x])[0], texts * 3))
    finally:
        tuned.tokenizer_ = probe.tokenizer
    assert probe.calls == len(texts) * 3 and probe.most == 1
    assert spans_of(got) == spans_of(want * 3)


@pytest.mark.slow
def test_should_reproduce_training_with_the_same_seed_with_an_encoder(items, encoder_dir):
    params = {**PARAMS, "epochs": 3, "patience": 3, "min_updates": 60, "pretrained": encoder_dir}
    a = EntityTagger(**params).fit(items, items, DICT, progress=False)
    b = EntityTagger(**params).fit(items, items, DICT, progress=False)
    sa, sb = a.net_.state_dict(), b.net_.state_dict()
    assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    assert a.predict([(t, k) for t, k, _ in items]) == b.predict([(t, k) for t, k, _ in items])


# --------------------------------------------------------------------------- save / load
@pytest.mark.slow
def test_should_predict_identically_after_save_and_load_without_the_encoder_folder(items, encoder_dir, tmp_path,
                                                                                   monkeypatch):
    # Given an encoder folder of its own, and no network while fitting and loading
    folder = str(tmp_path / "klue-bert")
    shutil.copytree(encoder_dir, folder)
    no_network(monkeypatch)
    t = EntityTagger(**{**PARAMS, "epochs": 5}, pretrained=folder).fit(items, items, DICT, progress=False)
    before = t.predict([(x, k) for x, k, _ in items])
    t.save(str(tmp_path / "tagger"))
    # When the folder is gone and the saved tagger loads
    shutil.rmtree(folder)
    loaded = EntityTagger.load(str(tmp_path / "tagger"))
    # Then it predicts exactly as before, from the bundle's own copy
    assert loaded.predict([(x, k) for x, k, _ in items]) == before
    meta = json.load(open(tmp_path / "tagger" / "meta.json"))
    assert meta["encoder"]["source"] == folder and meta["encoder"]["frozen"] is False
    bundled = set(os.listdir(tmp_path / "tagger" / "encoder"))
    assert {"config.json", "tokenizer.json"} <= bundled
    assert not bundled & {"model.safetensors", "pytorch_model.bin"}   # the weights are in weights.pt


@pytest.mark.slow
def test_should_warm_start_the_encoder_from_a_tagger_that_read_the_same_one(tuned, items, encoder_dir):
    # Given a fitted tagger with the encoder, retrained from it
    t = EntityTagger(**{**PARAMS, "epochs": 1}, pretrained=encoder_dir).fit(items[:5], [], DICT, progress=False,
                                                                             init=tuned)
    # Then the fine-tuned encoder was copied (before its one epoch)
    assert t.warm_start_["encoder"] == "copied where the shapes match"
    # And a tagger without an encoder starts from one that has it: the encoder is simply not read
    plain = EntityTagger(**{**PARAMS, "epochs": 1}).fit(items[:5], [], DICT, progress=False, init=tuned)
    assert not plain.has_encoder and "lstm.weight_ih_l0" in plain.warm_start_["fresh"]


@pytest.mark.slow
def test_should_retrain_from_the_bundled_encoder_when_the_folder_is_gone(items, encoder_dir, tmp_path):
    # Given a saved tagger fitted with a folder that was deleted since
    folder = str(tmp_path / "gone")
    shutil.copytree(encoder_dir, folder)
    params = {**PARAMS, "epochs": 1, "min_updates": 20, "pretrained": folder}
    EntityTagger(**params).fit(items[:5], [], DICT, progress=False).save(str(tmp_path / "old"))
    shutil.rmtree(folder)
    old = EntityTagger.load(str(tmp_path / "old"))
    # When it is retrained with the same settings, it starts from its own fine-tuned copy
    new = EntityTagger(**params).fit(items, [], DICT, progress=False, init=old)
    assert new.warm_start_["encoder"].startswith("copied") and "own copy" in new.warm_start_["encoder"]
    new.save(str(tmp_path / "new"))
    assert EntityTagger.load(str(tmp_path / "new")).predict([(t, k) for t, k, _ in items]) == \
        new.predict([(t, k) for t, k, _ in items])
    # And without a tagger to start from, the missing folder is the clear error
    with pytest.raises(ConfigError, match="tagger.pretrained: .* is not a folder"):
        EntityTagger(**params).fit(items, [], DICT, progress=False)


@pytest.mark.slow
def test_should_train_a_bundle_with_an_encoder_that_loads_without_the_folder(tmp_path, encoder_dir, monkeypatch):
    # Given the pipeline with --set tagger.pretrained=FOLDER
    fixture = os.path.join(HERE, "fixtures", "model")
    folder = str(tmp_path / "enc")
    shutil.copytree(encoder_dir, folder)
    no_network(monkeypatch)
    overrides = ["intent.epochs=2", "tagger.epochs=4", "tagger.min_updates=60", "word2vec.epochs=2",
                 f"tagger.pretrained={folder}", "tagger.encoder_lr=0.001"]
    out = nlukit.train(fixture, str(tmp_path / "m"), config=os.path.join(fixture, "tiny.toml"),
                       overrides=overrides, progress=False)
    probe = ["내일 서울에서 부산으로 가는 기차 예매해줘", "서울시 낼 날씨 알려줘", "안녕하세요"]
    before = [r.to_dict() for r in nlukit.load(out).parse_batch(probe)]
    files = json.load(open(os.path.join(out, "meta.json")))["files"]
    assert "tagger/encoder/config.json" in files
    from nlukit.train import describe
    assert f"with an encoder fine-tuned from {folder} (kept in the bundle)" in \
        describe(json.load(open(os.path.join(out, "meta.json"))))
    # When the folder is deleted, the bundle still loads (its sha256 checked) and parses the same
    shutil.rmtree(folder)
    nlu = nlukit.load(out)
    assert [r.to_dict() for r in nlu.parse_batch(probe)] == before
    # one by one: the same entities, their confidences up to float rounding (no padding)
    single = [nlu.parse(t).to_dict() for t in probe]
    assert [[(e["start"], e["end"], e["entity"], e["role"]) for e in r["entities"]] for r in single] == \
        [[(e["start"], e["end"], e["entity"], e["role"]) for e in r["entities"]] for r in before]
    assert np.allclose([e["confidence_entity"] for r in single for e in r["entities"]],
                       [e["confidence_entity"] for r in before for e in r["entities"]], atol=1e-4)
    # a batch large enough for the flat-array route of plain taggers still reads the encoder
    many = nlu.parse_batch(probe * 6)
    assert [[(e.start, e.end, e.entity, e.role) for e in r.entities] for r in many] == \
        [[(e["start"], e["end"], e["entity"], e["role"]) for e in r["entities"]] for r in before] * 6
    # And a retraining from the bundle needs no folder: the settings check lets it through and the
    # tagger starts from the bundle's fine-tuned encoder
    from nlukit.config import load_config
    from nlukit.dataset import load_dataset
    from nlukit.train import fit_components, prepare
    ds = load_dataset(fixture)
    comps = fit_components(prepare(ds.train), prepare(ds.valid), ds.dictionary,
                           load_config(os.path.join(fixture, "tiny.toml"), overrides), progress=False,
                           warm_start=out)
    assert comps.tagger.has_encoder and "own copy" in comps.tagger.warm_start_["encoder"]


# --------------------------------------------------------------------------- features
def test_should_average_the_subwords_over_each_unit_and_give_zeros_past_the_cut(encoder_dir):
    from nlukit.models import pretrained
    t = EntityTagger(pretrained=encoder_dir, encoder_max_len=4)
    t.tokenizer_ = pretrained.check_tokenizer(encoder_dir, "tagger.pretrained")
    t.encoder_max_len_ = 4
    text = "서울에서 부산으로 가는 기차"
    units = _Units([0, 2, 5, 7, 10, 13], [2, 4, 7, 9, 12, 15], ["서울", "에서", "부산", "으로", "가는", "기차"],
                   [""] * 6, [], [], [], 0)
    t._add_subwords([text], [units])
    ids, pool = units.sub
    assert len(ids) == 4                                   # [CLS] + 2 subwords + [SEP]
    offsets = t.tokenizer_(text, truncation=True, max_length=4, return_offsets_mapping=True)["offset_mapping"]
    for u, (s, e) in enumerate(zip(units.starts, units.ends, strict=True)):
        over = [j for j, (a, b) in enumerate(offsets) if b > a and a < e and b > s]
        expect = np.zeros(len(ids), dtype=np.float32)
        expect[over] = 1.0 / len(over) if over else 0.0
        assert np.allclose(pool[u], expect)
    assert pool[1:].sum() < pool.shape[0] - 1 and not pool[-1].any()   # units past the cut: zeros
    assert pool.sum(axis=1)[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------- errors
def _folder_without(tmp_path, encoder_dir, drop: tuple[str, ...]) -> str:
    folder = tmp_path / "partial"
    shutil.copytree(encoder_dir, folder)
    for name in drop:
        (folder / name).unlink()
    return str(folder)


@pytest.mark.parametrize("case, needle", [
    ("missing", "is not a folder"),
    ("no_config", "has no config.json"),
    ("no_tokenizer", "has no tokenizer files"),
])
def test_should_refuse_a_bad_pretrained_folder_naming_the_setting(tmp_path, encoder_dir, case, needle):
    path = {"missing": str(tmp_path / "nope"),
            "no_config": lambda: _folder_without(tmp_path, encoder_dir, ("config.json",)),
            "no_tokenizer": lambda: _folder_without(tmp_path, encoder_dir,
                                                    ("tokenizer.json", "tokenizer_config.json"))}[case]
    path = path() if callable(path) else path
    with pytest.raises(ConfigError) as err:
        EntityTagger(pretrained=path).check_params()
    assert "tagger.pretrained" in str(err.value) and needle in str(err.value)
    assert "local folder" in str(err.value) or "save_pretrained" in str(err.value)


def test_should_refuse_a_folder_with_a_slow_tokenizer_only(encoder_dir, monkeypatch):
    import transformers

    class Slow:
        is_fast = False

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", classmethod(lambda cls, *a, **k: Slow()))
    with pytest.raises(ConfigError, match="tagger.pretrained.*only a slow tokenizer.*tokenizer.json"):
        EntityTagger(pretrained=encoder_dir).check_params()


@pytest.mark.parametrize("key, value, needle", [("encoder_lr", 0, "[tagger] encoder_lr must be a number above 0"),
                                                ("encoder_max_len", 1, "[tagger] encoder_max_len must be"),
                                                ("freeze_encoder", "yes", "[tagger] freeze_encoder must be")])
def test_should_refuse_bad_encoder_settings(encoder_dir, key, value, needle):
    with pytest.raises(ModelError) as err:
        EntityTagger(pretrained=encoder_dir, **{key: value}).check_params()
    assert needle in str(err.value)


@pytest.mark.slow
def test_should_refuse_a_bad_pretrained_folder_before_anything_trains(tmp_path, monkeypatch):
    from nlukit.models import embeddings, intent

    def trained(*args, **kwargs):
        raise AssertionError("a model trained before the settings were checked")

    monkeypatch.setattr(intent.IntentClassifier, "fit", trained)
    monkeypatch.setattr(embeddings, "train_embeddings", trained)
    fixture = os.path.join(HERE, "fixtures", "model")
    with pytest.raises(NlukitError, match=r"tagger.pretrained: '.*nope' is not a folder"):
        nlukit.train(fixture, str(tmp_path / "m"), config=os.path.join(fixture, "tiny.toml"),
                     overrides=[f"tagger.pretrained={tmp_path / 'nope'}"], progress=False)
    assert not (tmp_path / "m").exists()


def test_should_tag_a_text_past_a_roberta_encoders_positions(items, tmp_path):
    # review12: the subword limit was max_position_embeddings, more than a RoBERTa reads
    # (its position ids start after the padding index: 514 read 512): a long text failed inside it
    from transformers import RobertaConfig, RobertaModel
    folder = build_tiny_encoder(str(tmp_path / "roberta"), [t for t, _ in TRAIN], seed=0)
    torch.manual_seed(0)
    RobertaModel(RobertaConfig(vocab_size=400, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=64, max_position_embeddings=24, pad_token_id=0)).save_pretrained(folder)
    tagger = EntityTagger(**{**PARAMS, "epochs": 1, "encoder_max_len": 64}, pretrained=folder).fit(
        items, items, DICT, progress=False)
    assert tagger.encoder_max_len_ == 23   # positions 1..23 after the padding index 0
    norm, toks = analyze("내일 서울 날씨 " * 30)
    assert len(tagger.predict([(norm.text, toks)])) == 1
