"""The model bundle: layout, meta, sha256 checks, version checks, the current pointer."""
from __future__ import annotations

import json
import os
import shutil

import pytest

import nlukit
from nlukit import bundle
from nlukit.errors import BundleError, OutputExistsError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
TINY = os.path.join(FIXTURE, "tiny.toml")
QUICK = ["intent.epochs=3", "tagger.epochs=3", "word2vec.epochs=2"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> str:
    store = tmp_path_factory.mktemp("models") / "demo"
    return nlukit.train(FIXTURE, str(store), config=TINY, overrides=QUICK, progress=False)


@pytest.fixture
def copy(trained: str, tmp_path) -> str:
    """A private copy of the trained version folder, free to damage."""
    dst = tmp_path / "v"
    shutil.copytree(trained, dst)
    return str(dst)


def _edit_meta(path: str, **changes: object) -> None:
    p = os.path.join(path, "meta.json")
    with open(p, encoding="utf-8") as fh:
        meta = json.load(fh)
    meta.update(changes)
    with open(p, "w", encoding="utf-8") as fh:
        json.dump(meta, fh)


pytestmark = pytest.mark.slow


def test_should_write_the_design_layout_with_a_complete_meta(trained: str) -> None:
    for part in ("meta.json", "report.json", "dicts/dictionary.json", "w2v", "intent", "tagger",
                 "intent/history.json", "tagger/history.json"):
        assert os.path.exists(os.path.join(trained, part)), part
    meta = json.load(open(os.path.join(trained, "meta.json"), encoding="utf-8"))
    assert meta["bundle_format"] == nlukit.BUNDLE_FORMAT_VERSION
    assert meta["nlukit_version"] == nlukit.__version__
    assert meta["tokenizer"] == "mecab" and meta["tag_scheme"] == "IOB2"
    assert meta["intents"] == ["greeting", "train_ticket", "weather"]
    assert meta["entity_types"] == ["date", "location"]
    assert set(meta["labels"]) == {"date", "location", "location:destination", "location:origin"}
    assert meta["seed"] == 13 and meta["config"]["intent"]["epochs"] == 3
    assert meta["data"]["sha256"]["train.jsonl"] == bundle.sha256_file(os.path.join(FIXTURE, "train.jsonl"))
    assert len(meta["dictionaries_digest"]) == 64
    assert 0.0 <= meta["metrics"]["intent_accuracy"] <= 1.0
    # every file but meta.json is listed with its real sha256
    on_disk = {os.path.relpath(os.path.join(d, f), trained).replace(os.sep, "/")
               for d, _, fs in os.walk(trained) for f in fs} - {"meta.json"}
    assert set(meta["files"]) == on_disk
    assert all(bundle.sha256_file(os.path.join(trained, r)) == h for r, h in meta["files"].items())


def test_should_keep_no_pickle_in_the_bundle(trained: str) -> None:
    for d, _, files in os.walk(trained):
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                head = fh.read(2)
            assert not head.startswith(b"\x80"), f"{f} looks like a raw pickle"
            assert not f.endswith((".pkl", ".pickle"))


def test_should_follow_current_and_load_a_version_folder_directly(trained: str) -> None:
    store = os.path.dirname(trained)
    assert bundle.current_version(store) == os.path.basename(trained)
    assert os.path.samefile(bundle.resolve(store), trained)
    a, b = nlukit.load(store), nlukit.load(trained)
    assert a.parse("서울 날씨").to_dict() == b.parse("서울 날씨").to_dict()


def test_should_refuse_a_newer_bundle_format_naming_both_versions(copy: str) -> None:
    _edit_meta(copy, bundle_format=nlukit.BUNDLE_FORMAT_VERSION + 1)
    with pytest.raises(BundleError, match=rf"format {nlukit.BUNDLE_FORMAT_VERSION + 1}.*"
                                          rf"format {nlukit.BUNDLE_FORMAT_VERSION}.*upgrade"):
        nlukit.load(copy)


def test_should_refuse_another_major_version_and_warn_on_a_minor_one(copy: str) -> None:
    _edit_meta(copy, nlukit_version="7.0.0")
    with pytest.raises(BundleError, match=rf"7\.0\.0.*{nlukit.__version__}"):
        nlukit.load(copy)
    major = nlukit.__version__.split(".")[0]
    _edit_meta(copy, nlukit_version=f"{major}.999.0")
    with pytest.warns(UserWarning, match=rf"{major}\.999\.0.*{nlukit.__version__}"):
        assert nlukit.load(copy).parse("안녕").intent is not None


def test_should_refuse_a_tokenizer_mismatch(copy: str) -> None:
    _edit_meta(copy, tokenizer="okt")
    with pytest.raises(BundleError, match="'okt' but 'mecab' was requested"):
        nlukit.load(copy, tokenizer="mecab")
    _edit_meta(copy, tokenizer="kkma9")
    with pytest.raises(BundleError, match="kkma9.*available: .*mecab"):
        nlukit.load(copy)


def test_should_refuse_a_corrupted_weights_file(copy: str) -> None:
    weights = next(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(copy, "intent"))
                   for f in fs if f.endswith((".pt", ".pth", ".bin", ".safetensors", ".npy")))
    with open(weights, "r+b") as fh:
        fh.seek(-1, os.SEEK_END)
        last = fh.read(1)
        fh.seek(-1, os.SEEK_END)
        fh.write(bytes([last[0] ^ 0xFF]))
    rel = os.path.relpath(weights, copy).replace(os.sep, "/")
    with pytest.raises(BundleError, match=f"{rel} is corrupted"):
        nlukit.load(copy)


def test_should_refuse_a_missing_file(copy: str) -> None:
    os.remove(os.path.join(copy, "dicts", "dictionary.json"))
    with pytest.raises(BundleError, match="dicts/dictionary.json is missing"):
        nlukit.load(copy)
    os.remove(os.path.join(copy, "meta.json"))
    with pytest.raises(BundleError, match="not a model bundle"):
        nlukit.load(copy)


def test_should_refuse_a_meta_that_is_not_json(copy: str) -> None:
    with open(os.path.join(copy, "meta.json"), "w") as fh:
        fh.write("{not json")
    with pytest.raises(BundleError, match="not valid JSON"):
        nlukit.load(copy)


def test_should_name_the_fix_for_a_missing_model(tmp_path) -> None:
    with pytest.raises(BundleError, match="nlukit train"):
        nlukit.load(str(tmp_path / "nope"))


def test_should_switch_current_atomically_and_refuse_a_non_version(tmp_path) -> None:
    store = tmp_path / "m"
    for v in ("v1", "v2"):
        (store / v).mkdir(parents=True)
        (store / v / "meta.json").write_text("{}")
    bundle.set_current(str(store), "v1")
    bundle.set_current(str(store), "v2")
    assert bundle.current_version(str(store)) == "v2"
    assert bundle.versions(str(store)) == ["v1", "v2"]
    assert [p for p in os.listdir(store) if p.startswith(".")] == []
    with pytest.raises(BundleError, match="not a model version"):
        bundle.set_current(str(store), "v3")
    assert bundle.current_version(str(store)) == "v2"


def test_should_refuse_to_write_into_a_folder_that_is_not_a_model_store(tmp_path) -> None:
    target = tmp_path / "notes"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError, match="not an nlukit model folder"):
        bundle.BundleWriter(str(target))
    assert os.listdir(target) == ["keep.txt"]


def test_should_train_into_a_folder_a_killed_first_training_left_behind(tmp_path) -> None:
    # Given the staging folder a training killed before its first commit leaves (SIGKILL: no cleanup)
    store = tmp_path / "m"
    (store / ".tmp-20261122T133125Z-mo7p5h51").mkdir(parents=True)
    (store / ".tmp-20261122T133125Z-mo7p5h51" / "intent.pt").write_bytes(b"half")
    # Then the next training writes its version there instead of refusing the folder
    with bundle.BundleWriter(str(store)) as w:
        w.commit({"name": "m"})
    assert bundle.versions(str(store)) == [w.version]
    # but a folder holding anything else is still not ours
    (tmp_path / "n").mkdir()
    (tmp_path / "n" / ".tmp-notes").write_text("a file, not a staging folder")
    with pytest.raises(OutputExistsError, match="not an nlukit model folder"):
        bundle.BundleWriter(str(tmp_path / "n"))


def test_should_follow_a_current_pointer_file_where_symlinks_are_missing(tmp_path) -> None:
    store = tmp_path / "m"
    (store / "v1").mkdir(parents=True)
    (store / "v1" / "meta.json").write_text("{}")
    (store / "current").write_text("v1\n")
    assert bundle.current_version(str(store)) == "v1"
    assert bundle.resolve(str(store)) == str(store / "v1")
    (store / "current").write_text("gone\n")
    with pytest.raises(BundleError, match="points to 'gone'.*available: v1"):
        bundle.resolve(str(store))


def test_should_load_the_version_current_was_switched_to(trained: str, tmp_path) -> None:
    from nlukit.versions import use_version

    store = tmp_path / "m"
    for v in ("a", "b"):
        shutil.copytree(trained, store / v)
    bundle.set_current(str(store), "a")
    assert os.path.basename(nlukit.load(str(store)).path) == "a"
    assert use_version(str(store), "b").current == "b"
    assert os.path.basename(nlukit.load(str(store)).path) == "b"
    os.remove(store / "a" / "dicts" / "dictionary.json")
    with pytest.raises(BundleError, match="dictionary.json is missing.*current stays at b"):
        use_version(str(store), "a")
    assert os.path.basename(nlukit.load(str(store)).path) == "b"


def test_should_say_in_one_error_that_the_output_folder_cannot_be_made(tmp_path) -> None:
    # a parent that is a file (or /proc, a read-only disk): os.makedirs' NotADirectoryError or
    # FileNotFoundError reached `nlukit train -o` as a traceback
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputExistsError, match=r"cannot create .*afile/m.*choose another output folder"):
        bundle.BundleWriter(str(tmp_path / "afile" / "m"))
