"""Training orchestration: seeding, save/load round trip, versions, failure safety."""
from __future__ import annotations

import json
import os
import shutil

import pytest

import nlukit
from nlukit import bundle
from nlukit.config import load_config
from nlukit.dataset import load_dataset
from nlukit.errors import BundleError, DatasetError, ModelError, NlukitError, OutputExistsError
from nlukit.nlu import NLU
from nlukit.train import fit_components, prepare

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
TINY = os.path.join(FIXTURE, "tiny.toml")
QUICK = ["intent.epochs=4", "tagger.epochs=4", "word2vec.epochs=2"]
PROBE = ["내일 서울에서 부산으로 가는 기차 예매해줘", "서울시 낼 날씨 알려줘", "안녕하세요", "qwzx"]

pytestmark = pytest.mark.slow


def test_should_train_the_same_model_from_the_same_seed(tmp_path) -> None:
    a = nlukit.train(FIXTURE, str(tmp_path / "a"), config=TINY, overrides=QUICK, progress=False)
    b = nlukit.train(FIXTURE, str(tmp_path / "b"), config=TINY, overrides=QUICK, progress=False)
    fa = json.load(open(os.path.join(a, "meta.json")))["files"]
    fb = json.load(open(os.path.join(b, "meta.json")))["files"]
    weights = [f for f in fa if f.startswith(("intent/", "tagger/", "w2v/"))
               and not f.endswith(("history.json", "meta.json"))]  # those record timings
    assert weights and all(fa[f] == fb[f] for f in weights)
    assert [r.to_dict() for r in nlukit.load(a).parse_batch(PROBE)] == \
           [r.to_dict() for r in nlukit.load(b).parse_batch(PROBE)]
    c = nlukit.train(FIXTURE, str(tmp_path / "c"), config=TINY, overrides=QUICK + ["train.seed=7"],
                     progress=False)
    fc = json.load(open(os.path.join(c, "meta.json")))["files"]
    assert any(fa[f] != fc[f] for f in weights)


def test_should_predict_identically_after_save_and_load(tmp_path) -> None:
    cfg = load_config(TINY, QUICK)
    ds = load_dataset(FIXTURE)
    comps = fit_components(prepare(ds.train), prepare(ds.valid), ds.dictionary, cfg, progress=False)
    before = comps.nlu().parse_batch(PROBE)
    comps.intent.save(str(tmp_path / "intent"))
    comps.tagger.save(str(tmp_path / "tagger"))
    from nlukit.models.intent import IntentClassifier
    from nlukit.models.tagger import EntityTagger
    loaded = NLU(IntentClassifier.load(str(tmp_path / "intent")),
                 EntityTagger.load(str(tmp_path / "tagger")), ds.dictionary, memory=comps.memory)
    assert [r.to_dict() for r in loaded.parse_batch(PROBE)] == [r.to_dict() for r in before]


def test_should_keep_the_training_sentences_intents_in_the_bundle_unless_turned_off(tmp_path) -> None:
    from nlukit.nlu import memory_key
    path = nlukit.train(FIXTURE, str(tmp_path / "m"), config=TINY, overrides=QUICK, progress=False)
    memory = json.load(open(os.path.join(path, "memory.json"), encoding="utf-8"))
    ds = load_dataset(FIXTURE)
    train = ds.train + ds.valid          # what was taught; the test split stays out
    assert len(memory) >= len({memory_key(ex.text) for ex in train}) - 2   # keys two intents share: out
    assert all(memory[memory_key(ex.text)] == ex.intent for ex in train if memory_key(ex.text) in memory)
    assert not any(memory_key(ex.text) in memory for ex in ds.test
                   if memory_key(ex.text) not in {memory_key(t.text) for t in train})
    assert "memory.json" in json.load(open(os.path.join(path, "meta.json")))["files"]  # checksummed
    nlu = nlukit.load(path)
    assert nlu.parse(train[0].text + "!!").intent.name == train[0].intent
    with open(os.path.join(path, "memory.json"), "w", encoding="utf-8") as fh:
        fh.write('["바이"]')                      # valid JSON of the wrong shape, checksums not verified
    with pytest.raises(BundleError, match="memory.json must map sentences to intents"):
        nlukit.load(path, verify=False)
    off = nlukit.train(FIXTURE, str(tmp_path / "off"), config=TINY, overrides=QUICK + ["train.memory=false"],
                       progress=False)
    assert not os.path.exists(os.path.join(off, "memory.json"))
    assert nlukit.load(off)._memory == {}


def test_should_fit_on_the_test_split_when_asked_and_report_on_valid_instead(tmp_path, monkeypatch) -> None:
    from nlukit import train as train_module
    from nlukit.evaluate import evaluate
    from nlukit.nlu import memory_key
    ds = load_dataset(FIXTURE)
    fitted: list[tuple[set[str], set[str]]] = []
    real_fit = train_module.fit_components

    def spy(train, valid, *args, **kwargs):
        fitted.append(({p.example.text for p in train}, {p.example.text for p in valid}))
        return real_fit(train, valid, *args, **kwargs)

    monkeypatch.setattr(train_module, "fit_components", spy)
    default = nlukit.train(FIXTURE, str(tmp_path / "d"), config=TINY, overrides=QUICK, progress=False)
    # Given the model to ship: the test split taught too (nlukit train --include-test)
    path = nlukit.train(FIXTURE, str(tmp_path / "s"), config=TINY, overrides=QUICK + ["train.include_test=true"],
                        progress=False)
    # Then the models fit on train + test and still stop and calibrate on valid alone
    test, valid = {ex.text for ex in ds.test}, {ex.text for ex in ds.valid}
    assert not fitted[0][0] & test and fitted[0][1] == valid
    assert fitted[1][0] == {ex.text for ex in ds.train} | test and fitted[1][1] == valid
    meta = json.load(open(os.path.join(path, "meta.json"), encoding="utf-8"))
    assert meta["data"]["fitted_on"] == ["train", "test"]
    assert meta["data"]["memorised"] == ["train", "test", "valid"]   # the bot to ship knows every sentence
    assert meta["metrics"]["split"] == "valid" and meta["metrics"]["n"] == len(ds.valid)
    memory = json.load(open(os.path.join(path, "memory.json"), encoding="utf-8"))
    assert all(memory[memory_key(ex.text)] == ex.intent for ex in ds.test + ds.valid
               if memory_key(ex.text) in memory)
    assert len({memory_key(ex.text) for ex in ds.test + ds.valid} - set(memory)) <= 2  # two-intent keys out
    # And the figures on valid are scored as if never seen: without the memory of valid's
    # sentences, the same as nlukit evaluate gives
    rep = {m: {split: evaluate(m, FIXTURE, split=split) for split in ("train", "valid", "test")}
           for m in (default, path)}
    assert rep[path]["valid"]["memory"].startswith("off") and rep[default]["valid"]["memory"].startswith("off")
    assert rep[path]["valid"]["intent"]["accuracy"] == meta["metrics"]["intent_accuracy"]
    assert rep[default]["test"]["memory"] == "on" and rep[path]["test"]["memory"] == "on"
    # scoring a split the model was trained on says its figures are not held out
    assert rep[default]["test"]["warnings"] == [] and rep[path]["valid"]["warnings"] == []
    assert rep[default]["valid"]["warnings"] == []
    assert "was trained on the train split" in rep[default]["train"]["warnings"][0]
    assert "score --split test" in rep[default]["train"]["warnings"][0]
    assert "was trained on the test split" in rep[path]["test"]["warnings"][0]
    assert "score --split valid" in rep[path]["test"]["warnings"][0]
    # a dataset without a test split has nothing to add: refused, naming the fix, nothing written
    no_test = tmp_path / "no_test"
    shutil.copytree(FIXTURE, no_test)
    (no_test / "test.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DatasetError, match="--test-ratio"):
        nlukit.train(str(no_test), str(tmp_path / "x"), config=TINY, overrides=["train.include_test=true"],
                     progress=False)
    assert not (tmp_path / "x").exists()


def test_should_keep_the_working_model_when_a_retraining_fails(tmp_path, monkeypatch) -> None:
    store = str(tmp_path / "m")
    good = nlukit.train(FIXTURE, store, config=TINY, overrides=QUICK, progress=False)
    expected = nlukit.load(store).parse("서울 날씨").to_dict()

    from nlukit.models import tagger

    def boom(self, *a, **k):
        raise ModelError("simulated failure in the middle of training")

    monkeypatch.setattr(tagger.EntityTagger, "fit", boom)
    with pytest.raises(ModelError, match="simulated"):
        nlukit.train(FIXTURE, store, config=TINY, overrides=QUICK, progress=False, force=True)
    assert bundle.current_version(store) == os.path.basename(good)
    assert bundle.versions(store) == [os.path.basename(good)]
    assert [p for p in os.listdir(store) if p.startswith(".")] == []  # no temp dir left behind
    assert nlukit.load(store).parse("서울 날씨").to_dict() == expected


def test_should_refuse_to_retrain_without_force_then_add_a_version(tmp_path) -> None:
    store = str(tmp_path / "m")
    first = nlukit.train(FIXTURE, store, config=TINY, overrides=QUICK, progress=False)
    with pytest.raises(OutputExistsError, match="--force"):
        nlukit.train(FIXTURE, store, config=TINY, overrides=QUICK, progress=False)
    second = nlukit.train(FIXTURE, store, config=TINY, overrides=QUICK, progress=False, force=True)
    assert first != second
    assert bundle.versions(store) == sorted([os.path.basename(first), os.path.basename(second)])
    assert bundle.current_version(store) == os.path.basename(second)
    assert nlukit.load(first).meta["version"] == os.path.basename(first)  # the old one still loads


def test_should_write_nothing_when_the_config_is_bad(tmp_path) -> None:
    from nlukit.errors import ConfigError
    with pytest.raises(ConfigError, match="intent.epoch"):
        nlukit.train(FIXTURE, str(tmp_path / "m"), overrides=["intent.epoch=3"], progress=False)
    assert not os.path.exists(tmp_path / "m")


def test_should_add_an_extra_corpus_to_the_embeddings(tmp_path) -> None:
    corpus = tmp_path / "extra.txt"
    corpus.write_text("제주도 한라산 등산\n\n울릉도 독도 여행\n", encoding="utf-8")
    path = nlukit.train(FIXTURE, str(tmp_path / "m"), config=TINY, overrides=QUICK, corpus=str(corpus),
                        progress=False)
    vocab = json.load(open(os.path.join(path, "w2v", "vocab.json"), encoding="utf-8"))
    assert "한라산" in vocab and "서울" in vocab
    assert json.load(open(os.path.join(path, "meta.json")))["corpus"]["sentences"] == 2


def test_should_move_spans_of_unnormalised_training_text(tmp_path) -> None:
    data = tmp_path / "d"
    shutil.copytree(FIXTURE, data)
    from nlukit.types import Example, Span
    ex = Example("내일\u200b 서울 날씨", "weather", (Span(0, 2, "date", "내일"), Span(4, 6, "location", "서울")))
    p = prepare([ex])[0]
    assert p.norm.text == "내일 서울 날씨"
    assert [(s.start, s.end, s.entity) for s in p.spans] == [(0, 2, "date"), (3, 5, "location")]


def test_should_fit_the_same_tagger_in_a_second_process(tmp_path) -> None:
    one = nlukit.train(FIXTURE, str(tmp_path / "one"), config=TINY, overrides=QUICK + ["train.workers=1"],
                       progress=False)
    two = nlukit.train(FIXTURE, str(tmp_path / "two"), config=TINY, overrides=QUICK + ["train.workers=2"],
                       progress=False)
    f1 = json.load(open(os.path.join(one, "meta.json")))["files"]
    f2 = json.load(open(os.path.join(two, "meta.json")))["files"]
    weights = [f for f in f1 if not f.endswith(("history.json", "meta.json", "report.json"))]
    assert "tagger/weights.pt" in weights
    assert {f: f1[f] for f in weights} == {f: f2[f] for f in weights}
    assert len(json.load(open(os.path.join(two, "tagger", "history.json")))) == 4


def _children(pid: int) -> list[int]:
    """PIDs whose parent is ``pid`` and that run a multiprocessing worker (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read()
        except OSError:
            continue
        if ppid == pid and b"spawn_main" in cmd:
            out.append(int(entry))
    return out


def _wait_for(predicate, timeout: float) -> bool:
    import time
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the process table from /proc (Linux)")
def test_should_stop_the_tagger_worker_when_training_is_killed(tmp_path) -> None:
    import signal
    import subprocess
    import sys
    # Given `nlukit train` fitting its tagger in a second process, for long enough to catch it
    cmd = [sys.executable, "-m", "nlukit", "train", FIXTURE, "-o", str(tmp_path / "m"), "--config", TINY,
           "--no-progress", "--set", "train.workers=2", "--set", "tagger.epochs=100000",
           "--set", "tagger.patience=100000"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    workers: list[int] = []
    try:
        assert _wait_for(lambda: bool(workers.extend(_children(proc.pid)) or workers), 60), \
            "the tagger worker never started"
        # When the training process is killed (not interrupted: no signal reaches the worker)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        # Then its worker stops too instead of fitting on alone
        assert _wait_for(lambda: not any(os.path.exists(f"/proc/{w}") and
                                         open(f"/proc/{w}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
                                         for w in workers), 15), f"worker {workers} outlived its parent"
    finally:
        for w in workers:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass
        if proc.poll() is None:
            proc.kill()


def test_should_stop_the_tagger_worker_when_the_intent_model_fails(tmp_path, monkeypatch) -> None:
    from nlukit.errors import ModelError
    from nlukit.models.intent import IntentClassifier

    # Given the intent fit failing while the tagger fits in its second process (for a long time)
    seen: list[int] = []

    def failing_fit(self, *args, **kwargs):
        assert _wait_for(lambda: bool(seen.extend(_children(os.getpid())) or seen), 60)
        raise ModelError("intent fit failed on purpose")

    monkeypatch.setattr(IntentClassifier, "fit", failing_fit)
    # When training runs, the error reaches the caller at once
    with pytest.raises(ModelError, match="on purpose"):
        nlukit.train(FIXTURE, str(tmp_path / "m"), config=TINY, progress=False,
                     overrides=["train.workers=2", "tagger.epochs=100000", "tagger.patience=100000"])
    # and the worker is gone, not left fitting a tagger nobody will read
    assert seen and _wait_for(lambda: not _children(os.getpid()), 15), seen
    assert not os.path.exists(tmp_path / "m") or not os.listdir(tmp_path / "m")


@pytest.mark.parametrize("cpus,load,given,expected", [
    (2, 0.1, 0, 2), (2, 0.7, 0, 1), (2, 1.0, 0, 1), (2, 3.5, 0, 1), (1, 0.0, 0, 1), (8, 0.2, 0, 2),
    (8, 6.9, 0, 1), (8, 5.2, 0, 2), (2, 3.0, 4, 4), (2, None, 0, 2),
])
def test_should_take_as_many_training_threads_as_free_cores_allow(monkeypatch, cpus, load, given,
                                                                  expected) -> None:
    from nlukit.train import _threads
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    if load is None:
        def no_load() -> tuple[float, float, float]:
            raise OSError("no load average here")
        monkeypatch.setattr(os, "getloadavg", no_load)
    else:
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert _threads(given) == expected


def test_should_go_over_a_tiny_training_set_several_times_an_epoch_but_demo_data_once() -> None:
    from nlukit.models.common import passes_per_epoch
    # 158 sentences, batches of 64, 10 epochs: 30 batches in all, under the 400 wanted
    assert passes_per_epoch(158, 64, 10, 400) == 14
    # the demo's ~11,800 training sentences already give 1,850 batches: trained as before
    assert passes_per_epoch(11856, 64, 10, 400) == 1
    assert passes_per_epoch(0, 64, 10, 400) == 400 // 10   # no data: no division by zero


@pytest.mark.parametrize("setting, needle", [
    ("tagger.batch_size=0", "[tagger] batch_size must be a positive integer"),
    ("tagger.hidden=0", "[tagger] hidden must be a positive integer"),
    ("tagger.lr=-1", "[tagger] lr must be a positive number"),
    ("intent.lr=-0.001", "[intent] lr must be a positive number"),
])
def test_should_refuse_a_bad_model_setting_before_anything_trains(tmp_path, monkeypatch, setting: str,
                                                                  needle: str) -> None:
    from nlukit.models import embeddings, intent

    def trained(*args, **kwargs):
        raise AssertionError("a model trained before the settings were checked")

    monkeypatch.setattr(intent.IntentClassifier, "fit", trained)
    monkeypatch.setattr(embeddings, "train_embeddings", trained)
    data = tmp_path / "fit"
    shutil.copytree(FIXTURE, data)
    with pytest.raises(NlukitError) as err:
        nlukit.train(str(data), str(tmp_path / "m"), config=os.path.join(FIXTURE, "tiny.toml"),
                     overrides=[setting], progress=False)
    assert needle in str(err.value)
    assert not (tmp_path / "m").exists()
