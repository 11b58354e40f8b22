"""``nlukit retrain``: new dictionaries → regenerated data → warm-started new version."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
import torch

import nlukit
from nlukit.bundle import current_version, versions
from nlukit.cli import main
from nlukit.errors import BundleError, DictionaryError, OutputExistsError, PatternError
from nlukit.generate.grammar import load_patterns

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "retrain")
PATTERNS = os.path.join(FIX, "patterns")
PATTERNS_FOOD = os.path.join(FIX, "patterns_food")
DICTS = os.path.join(FIX, "dicts")
TINY = os.path.join(FIX, "tiny.toml")


def _json(path: str):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _entities(nlu, text: str) -> set[tuple[str, str, str | None]]:
    return {(e.text, e.value, e.role or e.entity) for e in nlu.parse(text).entities}


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> str:
    """A store trained once from the fixture domain; tests work on copies of it."""
    root = tmp_path_factory.mktemp("retrain-base")
    data = str(root / "data")
    nlukit.generate(PATTERNS, DICTS, data, per_intent=30, split="sentence", progress=False)
    nlukit.train(data, str(root / "model"), config=TINY, progress=False)
    return str(root / "model")


@pytest.fixture
def store(base_store, tmp_path) -> str:
    dest = tmp_path / "model"
    shutil.copytree(base_store, dest, symlinks=True)
    return str(dest)


@pytest.fixture
def dicts(tmp_path) -> str:
    """A writable copy of the fixture dictionaries."""
    dest = tmp_path / "dicts"
    shutil.copytree(DICTS, dest)
    return str(dest)


def _add(dicts: str, name: str, rows: str) -> None:
    path = os.path.join(dicts, name)
    exists = os.path.exists(path)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(("" if exists else "entity,value,synonyms\n") + rows)


def _leftovers(store: str) -> list[str]:
    return [n for n in os.listdir(store) if n.startswith(".")]


@pytest.mark.slow
def test_should_keep_what_retraining_needs_in_the_bundle(base_store) -> None:
    version = os.path.join(base_store, "current")
    gen = _json(os.path.join(version, "generation.json"))
    assert (gen["per_intent"], gen["seed"], gen["split"]) == (30, 13, "sentence")
    kept = load_patterns(os.path.join(version, "patterns", "patterns.txt"))
    assert kept.digest() == load_patterns(PATTERNS).digest()


@pytest.mark.slow
def test_should_train_nothing_when_nothing_changed(store, capsys) -> None:
    before = versions(store)
    r = nlukit.retrain(store, DICTS, progress=False)
    assert not r.changed and not r.trained
    version = os.path.join(store, current_version(store))  # a version folder names its store too
    assert not nlukit.retrain(version, DICTS, progress=False).changed
    assert versions(store) == before
    assert main(["retrain", store, "--dicts", DICTS]) == 0
    assert "nothing trained" in capsys.readouterr().out
    assert versions(store) == before and not _leftovers(store)


@pytest.mark.slow
def test_should_recognise_an_added_value_and_keep_the_old_ones(store, dicts, capsys) -> None:
    _add(dicts, "location.csv", "location,대구,대구시\n")
    old = current_version(store)
    # train.workers=2: the tagger warm-starts in the second process
    code = main(["retrain", "--model", store, "--dicts", dicts, "--no-progress", "--set", "train.workers=2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "location: +1 value(s): 대구" in out and "entity F1" in out
    assert current_version(store) != old and len(versions(store)) == 2
    nlu = nlukit.load(store)
    assert _entities(nlu, "대구 날씨 알려줘") == {("대구", "대구", "location")}
    assert _entities(nlu, "대구시 날씨 어때") == {("대구시", "대구", "location")}
    assert _entities(nlu, "서울 날씨 알려줘") == {("서울", "서울", "location")}
    assert _entities(nlu, "부산에서 서울로 가는 기차 예매해줘") == {("부산", "부산", "origin"),
                                                                 ("서울", "서울", "destination")}
    report = _json(os.path.join(store, "current", "report.json"))
    assert report["previous"]["version"] == old and report["retrain"]["current"] is True
    assert report["previous"]["n"] == report["n"]  # both scored on the same new test split
    meta = _json(os.path.join(store, "current", "meta.json"))
    assert meta["retrain"]["changes"]["dictionary"]["entities"]["location"]["values_added"] == ["대구"]
    assert main(["info", store, "--verify"]) == 0
    assert f"retrained    from {old} (warm start)" in capsys.readouterr().out


@pytest.mark.slow
def test_should_learn_a_new_entity_type_and_intent_from_new_patterns(store, dicts) -> None:
    _add(dicts, "food.csv", "food,김밥,\nfood,짜장면,짜장\nfood,비빔밥,\n")
    r = nlukit.retrain(store, dicts, patterns=PATTERNS_FOOD, progress=False)
    assert r.changes["dictionary"]["types_added"] == ["food"]
    assert r.changes["patterns"]["intents_added"] == ["restaurant"]
    assert r.switched and r.new["entity_f1"] >= r.old["entity_f1"]
    nlu = nlukit.load(store)
    assert "restaurant" in nlu.intents
    res = nlu.parse("서울 김밥 맛집 추천해줘")
    assert res.intent.name == "restaurant"
    assert {(e.entity, e.value) for e in res.entities} == {("location", "서울"), ("food", "김밥")}
    assert _entities(nlu, "광주 날씨 어때") == {("광주", "광주", "location")}
    # the new version keeps the new patterns, so the next retrain needs no --patterns
    again = nlukit.retrain(store, dicts, progress=False)
    assert not again.changed


@pytest.mark.slow
def test_should_copy_the_old_weights_of_kept_rows_when_warm_starting(store, dicts) -> None:
    """With learning rates 0 the new weights are exactly the warm start's initialisation."""
    from nlukit.models.embeddings import Embeddings
    from nlukit.models.intent import IntentClassifier
    from nlukit.models.tagger import NEG, EntityTagger
    _add(dicts, "food.csv", "food,김밥,\nfood,짜장면,\n")
    old_dir = os.path.join(store, current_version(store))
    r = nlukit.retrain(store, dicts, patterns=PATTERNS_FOOD, force=True, progress=False,
                       overrides=["intent.lr=0", "tagger.lr=0", "intent.epochs=1", "tagger.epochs=1"])
    old_t, new_t = EntityTagger.load(os.path.join(old_dir, "tagger")), EntityTagger.load(
        os.path.join(r.version, "tagger"))
    # vocabularies grow: old words keep their index, new ones follow
    assert new_t.words_.itos[:len(old_t.words_)] == old_t.words_.itos
    assert "김밥" in new_t.words_.stoi and "김밥" not in old_t.words_.stoi
    i = old_t.words_.stoi["서울"]
    assert torch.equal(new_t.net_.word.weight[i], old_t.net_.word.weight[i])
    w2v = Embeddings.load(os.path.join(r.version, "w2v"))
    j = new_t.words_.stoi["김밥"]
    assert np.allclose(new_t.net_.word.weight[j].detach().numpy(), w2v.vector("김밥"))
    # tags are mapped by name: the kept tag's scores and CRF transitions are the old ones
    b_old, b_new = old_t.tags_.index("B-location"), new_t.tags_.index("B-location")
    o_old, o_new = old_t.tags_.index("O"), new_t.tags_.index("O")
    assert torch.equal(new_t.net_.out.weight[b_new], old_t.net_.out.weight[b_old])
    assert new_t.net_.crf.transitions[o_new, b_new] == old_t.net_.crf.transitions[o_old, b_old]
    # new tags keep the IOB2 constraints: O → I-food and start → I-food are pinned
    i_food = new_t.tags_.index("I-food")
    assert new_t.net_.crf.transitions[o_new, i_food] == NEG
    assert new_t.net_.crf.start_transitions[i_food] == NEG
    assert new_t.net_.crf.transitions[new_t.tags_.index("B-food"), i_food] > NEG
    # gazetteer columns follow their entity type (food adds columns before "outside")
    k_old = len(old_t.gaz_types_)
    col_new = len(new_t.net_.lstm.weight_ih_l0[0]) - 1   # the "outside" column, last in both
    col_old = len(old_t.net_.lstm.weight_ih_l0[0]) - 1
    assert torch.equal(new_t.net_.lstm.weight_ih_l0[:, col_new], old_t.net_.lstm.weight_ih_l0[:, col_old])
    assert k_old == 1 and new_t.gaz_types_ == ["food", "location"]
    # intent members: a kept character's row and a kept intent's output row are the old ones
    old_i, new_i = (IntentClassifier.load(os.path.join(d, "intent")) for d in (old_dir, r.version))
    old_c, new_c = old_i.members_[0], new_i.members_[0]
    assert old_c.params["kind"] == new_c.params["kind"] == "char_cnn"
    k = old_c.vocab_.stoi["날"]
    assert new_c.vocab_.stoi["날"] == k
    assert torch.equal(new_c._net.embed.weight[k], old_c._net.embed.weight[k])
    lab_old, lab_new = old_c.labels_.index("weather"), new_c.labels_.index("weather")
    assert torch.equal(new_c._net.out.weight[lab_new], old_c._net.out.weight[lab_old])
    assert _json(os.path.join(r.version, "intent", "meta.json"))["warm_start"]["char_cnn"]["partial"] >= 2


@pytest.mark.slow
def test_should_keep_current_when_the_new_model_is_worse_and_switch_with_force(store, dicts,
                                                                                capsys) -> None:
    _add(dicts, "location.csv", "location,대구,\n")
    old = current_version(store)
    # a threshold of 1 sends every sentence to the fallback: intent accuracy drops to 0
    code = main(["retrain", store, "--dicts", dicts, "--no-progress", "--set", "intent.threshold=1.0"])
    out = capsys.readouterr().out
    assert code == 3, out
    assert "NOT made current" in out and "--force" in out and "intent_accuracy" in out
    assert current_version(store) == old and len(versions(store)) == 2
    kept = [v for v in versions(store) if v != old][0]
    report = _json(os.path.join(store, kept, "report.json"))
    assert report["retrain"]["not_worse"] is False and report["retrain"]["current"] is False
    paired = report["retrain"]["paired"]["intent_accuracy"]
    assert paired["old_only"] > 0 and paired["new_only"] == 0 and paired["p"] < 0.05
    assert report["intent"]["accuracy"] < report["previous"]["intent"]["accuracy"]
    # the refusal names the command that switches to the refused version without retraining
    hint = f"nlukit versions {store} --use {kept}"
    assert hint in out
    code = main(["retrain", store, "--dicts", dicts, "--no-progress", "--force",
                 "--set", "intent.threshold=1.0"])
    assert code == 0
    out = capsys.readouterr().out
    assert "forced" in out and f"nlukit versions {store} --use {old}" in out   # the way back
    assert current_version(store) not in (old, kept) and len(versions(store)) == 3
    assert main(hint.split()[1:]) == 0 and current_version(store) == kept


STORY_SCENARIOS = """
[[scenario]]
intent = "weather"
response = "{location} 날씨예요."
[[scenario.slot]]
entity = "location"
prompt = "어디요?"
"""
STORIES = """
[[story]]
name = "서울 날씨"
turns = [["서울 날씨 궁금해", "서울 날씨예요.", "complete"]]   # not a training sentence
"""


@pytest.mark.slow
def test_should_keep_current_when_a_conversation_test_passed_before_and_fails_now(store, dicts, tmp_path,
                                                                                   capsys) -> None:
    (tmp_path / "s.toml").write_text(STORY_SCENARIOS, encoding="utf-8")
    (tmp_path / "t.toml").write_text(STORIES, encoding="utf-8")
    gate = ["--stories", str(tmp_path / "t.toml"), "--scenarios", str(tmp_path / "s.toml")]
    _add(dicts, "location.csv", "location,대구,\n")
    old = current_version(store)
    # Given a retraining whose figures may drop as far as they like (--tolerance 1) but whose
    # intent model now sends everything to the fallback
    code = main(["retrain", store, "--dicts", dicts, "--no-progress", "--tolerance", "1",
                 "--set", "intent.threshold=1.0", *gate])
    out = capsys.readouterr().out
    # Then the conversation test the old model passed keeps current where it was
    assert code == 3, out
    assert "conversation tests              1        0   passed of 1" in out
    assert "passed before, fails now: 서울 날씨" in out and "conversation test '서울 날씨' passed before" in out
    assert current_version(store) == old
    kept = [v for v in versions(store) if v != old][0]
    assert _json(os.path.join(store, kept, "meta.json"))["retrain"]["stories"]["regressions"] == ["서울 날씨"]
    # And a retraining that keeps the conversation moves current
    assert main(["retrain", store, "--dicts", dicts, "--no-progress", *gate]) == 0
    out = capsys.readouterr().out
    assert "conversation tests              1        1   passed of 1" in out and current_version(store) != old
    # stories without the scenarios their bot runs are refused before any work
    assert main(["retrain", store, "--dicts", dicts, "--stories", str(tmp_path / "t.toml")]) == 1
    assert "give both" in capsys.readouterr().err


@pytest.mark.slow
def test_should_play_the_stories_with_the_whole_old_model_when_it_memorised_valid(tmp_path, dicts,
                                                                                  monkeypatch) -> None:
    import importlib

    from nlukit.nlu import memory_key
    retrain_module = importlib.import_module("nlukit.retrain")   # the module, not nlukit.retrain()
    # Given a model shipped with --include-test: it memorised valid, and is scored without that memory
    data = str(tmp_path / "data")
    nlukit.generate(PATTERNS, DICTS, data, per_intent=30, split="sentence", progress=False)
    nlukit.train(data, str(tmp_path / "model"), config=TINY, overrides=["train.include_test=true"], progress=False)
    valid = [json.loads(line)["text"] for line in open(os.path.join(data, "valid.jsonl"), encoding="utf-8")]
    played = {}
    real_play = retrain_module._play

    def spy(stories, scenarios, old_nlu, new_nlu):
        played["old"], played["new"] = old_nlu, new_nlu
        return real_play(stories, scenarios, old_nlu, new_nlu)

    monkeypatch.setattr(retrain_module, "_play", spy)
    (tmp_path / "s.toml").write_text(STORY_SCENARIOS, encoding="utf-8")
    (tmp_path / "t.toml").write_text(STORIES, encoding="utf-8")
    _add(dicts, "location.csv", "location,대구,\n")
    retrain_module.retrain(str(tmp_path / "model"), dicts, progress=False, stories=str(tmp_path / "t.toml"),
                           scenarios=str(tmp_path / "s.toml"), data_out=str(tmp_path / "new_data"))
    # Then both models play the stories with everything they remember, valid's sentences included
    new_valid = [json.loads(line)["text"] for line in open(tmp_path / "new_data" / "valid.jsonl", encoding="utf-8")]
    for name, texts in (("old", valid), ("new", new_valid)):
        keys = {memory_key(t) for t in texts} - {""}
        assert keys and keys <= set(played[name]._memory), name


def test_should_refuse_a_bad_dictionary_and_leave_nothing(store, dicts, capsys) -> None:
    _add(dicts, "location.csv", "location,\n")  # an empty value
    before = (versions(store), current_version(store))
    with pytest.raises(DictionaryError, match=r"location\.csv:8: empty value"):
        nlukit.retrain(store, dicts, progress=False)
    assert main(["retrain", store, "--dicts", dicts]) == 1
    assert "location.csv:8" in capsys.readouterr().err
    assert (versions(store), current_version(store)) == before and not _leftovers(store)


def test_should_refuse_a_bad_pattern_with_its_location_and_leave_nothing(store, tmp_path) -> None:
    pats = tmp_path / "patterns"
    pats.mkdir()
    (pats / "p.txt").write_text("@weather\n{locaton} 날씨\n", encoding="utf-8")
    before = (versions(store), current_version(store))
    with pytest.raises(PatternError, match=r"p\.txt:2:\d+: unknown entity type 'locaton'"):
        nlukit.retrain(store, DICTS, patterns=str(pats), progress=False)
    assert (versions(store), current_version(store)) == before and not _leftovers(store)


@pytest.mark.slow
def test_should_take_one_override_given_as_a_string(store) -> None:
    # retrain(..., overrides="intent.epochs=1") said: bad override 'i'
    r = nlukit.retrain(store, DICTS, force=True, overrides="intent.epochs=1", progress=False)
    assert r.trained and _json(os.path.join(r.version, "meta.json"))["config"]["intent"]["epochs"] == 1


def test_should_print_what_reading_the_new_dictionaries_warned_about(store, dicts, capsys) -> None:
    # Given a value listed twice (the same row pasted again): no change, but worth a warning
    _add(dicts, "location.csv", "location,부산,부산시\n")
    r = nlukit.retrain(store, dicts, progress=False)
    assert not r.changed and any("duplicate value '부산'" in w for w in r.warnings)
    # Then `nlukit retrain` prints it as `nlukit generate` would (it printed nothing)
    assert main(["retrain", store, "--dicts", dicts]) == 0
    out = capsys.readouterr().out
    assert "warning: " in out and "duplicate value '부산' for entity 'location'" in out


def test_should_refuse_an_existing_data_out_first_without_pointing_to_force(store, dicts, tmp_path) -> None:
    # Given a changed dictionary and --data-out naming a folder that exists (last run's data)
    _add(dicts, "location.csv", "location,대구,\n")
    kept = tmp_path / "new_data"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine", encoding="utf-8")
    before = (versions(store), current_version(store))
    # Then it is refused before anything is generated or trained, and --force is not the advice
    # it was (--force also moves current when the new model is worse)
    with pytest.raises(OutputExistsError, match=r"new_data already exists; choose a new folder") as info:
        nlukit.retrain(store, dicts, data_out=str(kept), progress=False)
    assert "moves current even when the new model is worse" in str(info.value)
    assert (versions(store), current_version(store)) == before and not _leftovers(store)
    assert os.listdir(kept) == ["notes.txt"]


def test_should_point_to_the_header_when_a_long_form_dictionary_was_read_as_wide(store, tmp_path) -> None:
    # Given new dictionaries in the long form under a header that is not entity,value,synonyms
    (tmp_path / "d.csv").write_text("kind,word,alias\nlocation,서울,\nlocation,부산,\n", encoding="utf-8")
    with pytest.raises(PatternError) as info:
        nlukit.retrain(store, str(tmp_path / "d.csv"), progress=False)
    # Then the error on the kept patterns also names the dictionary line and the header to write
    msg = str(info.value)
    assert "unknown entity type 'location'" in msg and "--patterns" in msg
    assert f"{tmp_path / 'd.csv'}:2:1 has 'location' as a value of the type 'kind'" in msg
    assert "write its header as 'entity,value,synonyms'" in msg and not _leftovers(store)


def test_should_say_which_type_the_kept_patterns_still_need(store, tmp_path) -> None:
    (tmp_path / "d.csv").write_text("entity,value,synonyms\ncity,서울,\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"patterns\.txt:\d+:\d+: unknown entity type 'location'.*--patterns"):
        nlukit.retrain(store, str(tmp_path / "d.csv"), progress=False)
    assert not _leftovers(store)


@pytest.mark.slow
def test_should_never_move_current_when_training_breaks(store, dicts, monkeypatch) -> None:
    from nlukit.models.tagger import EntityTagger
    _add(dicts, "location.csv", "location,대구,\n")
    before = (versions(store), current_version(store))

    def boom(self, *a, **k):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(EntityTagger, "fit", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        nlukit.retrain(store, dicts, progress=False, overrides=["intent.epochs=1"])
    assert (versions(store), current_version(store)) == before and not _leftovers(store)


@pytest.mark.slow
def test_should_ask_for_patterns_when_the_bundle_kept_none(tmp_path) -> None:
    data = tmp_path / "data"
    nlukit.generate(PATTERNS, DICTS, str(data), per_intent=20, split="sentence", progress=False)
    os.remove(data / "patterns.txt")  # a dataset generated before datasets kept their patterns
    store = str(tmp_path / "model")
    nlukit.train(str(data), store, config=TINY, overrides=["intent.epochs=1", "tagger.epochs=1"],
                 progress=False)
    assert not os.path.exists(os.path.join(store, "current", "patterns"))
    with pytest.raises(BundleError, match="--patterns"):
        nlukit.retrain(store, DICTS, progress=False)
    r = nlukit.retrain(store, DICTS, patterns=PATTERNS, progress=False,
                       overrides=["intent.epochs=1", "tagger.epochs=1"])
    assert r.trained and any("generation" in n for n in r.notes)
    assert os.path.isfile(os.path.join(r.version, "patterns", "patterns.txt"))


@pytest.mark.slow
def test_should_serve_the_retrained_model_after_admin_reload(store, dicts) -> None:
    from nlukit.server import create_app
    client = create_app(store, settings={"admin_token": "tok", "torch_threads": 0,
                                         "restart_workers_on_reload": False}).test_client()

    def parse(text: str) -> tuple[str, set[tuple[str, str]]]:
        resp = client.post("/parse", json={"text": text})
        assert resp.status_code == 200
        body = resp.get_json()
        return body["intent"]["name"], {(e["entity"], e["value"]) for e in body["entities"]}

    intent, entities = parse("서울 김밥 맛집 추천해줘")
    assert intent != "restaurant" and ("food", "김밥") not in entities
    _add(dicts, "food.csv", "food,김밥,\nfood,짜장면,짜장\n")
    assert nlukit.retrain(store, dicts, patterns=PATTERNS_FOOD, progress=False).switched
    assert parse("서울 김밥 맛집 추천해줘")[0] != "restaurant"  # the old model until the reload
    resp = client.post("/admin/reload", headers={"Authorization": "Bearer tok"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["model"]["version"] == current_version(store)
    assert parse("서울 김밥 맛집 추천해줘") == ("restaurant", {("location", "서울"), ("food", "김밥")})
    assert parse("서울 날씨 알려줘") == ("weather", {("location", "서울")})


def test_should_copy_mapped_rows_and_leave_new_ones_initialised() -> None:
    from nlukit.models.common import index_map, warm_start
    old, new = torch.nn.Linear(3, 2), torch.nn.Linear(4, 3)
    before = new.weight.detach().clone()
    stats = warm_start(new, old.state_dict(), {"weight": {0: index_map(["a", "x", "b"], ["a", "b"]),
                                                         1: [0, 1, -1, 2]},
                                               "bias": {0: [0, -1, 1]}})
    assert torch.equal(new.weight[0, [0, 1, 3]], old.weight[0])
    assert torch.equal(new.weight[2, [0, 1, 3]], old.weight[1])
    assert torch.equal(new.weight[1], before[1]) and new.weight[0, 2] == before[0, 2]
    assert new.bias[0] == old.bias[0] and new.bias[2] == old.bias[1]
    assert stats["partial"] == 2 and stats["new_rows"] == {"weight": 1, "bias": 1}


def test_should_list_every_kind_of_change() -> None:
    from nlukit.generate.dictionary import Dictionary
    from nlukit.generate.grammar import parse_patterns
    from nlukit.retrain import dictionary_changes, format_changes, pattern_changes
    old_d = Dictionary.from_json({"location": {"서울": ["서울시"], "부산": []}, "date": {"오늘": []}})
    new_d = Dictionary.from_json({"location": {"서울": ["서울특별시"], "대구": []}, "food": {"김밥": []}})
    old_p = parse_patterns("@weather\n{location} 날씨\n@bye\n잘 가\n", "a.txt")
    new_p = parse_patterns("@weather\n{location} 날씨 어때\n@eat\n{food} 먹자\n", "b.txt")
    text = format_changes({"dictionary": dictionary_changes(old_d, new_d),
                           "patterns": pattern_changes(old_p, new_p)})
    for line in ("new entity type food", "removed entity type date", "location: +1 value(s): 대구",
                 "location: -1 value(s): 부산", "location: 서울: +synonym(s) 서울특별시",
                 "location: 서울: -synonym(s) 서울시", "new intent @eat", "removed intent @bye",
                 "@weather: +1 pattern(s): {location} 날씨 어때", "@weather: -1 pattern(s): {location} 날씨"):
        assert line in text.splitlines() or f"  {line}" in text.splitlines(), (line, text)


def test_should_call_a_drop_worse_only_when_beyond_tolerance_and_significant() -> None:
    from nlukit.retrain import RetrainResult, paired_test, worse_figures
    old = {"intent_accuracy": 0.96, "entity_f1": 0.99}
    # 1,000 test sentences, 12 more wrong intents than before: the size of seed noise
    noise = paired_test([True] * 30 + [False] * 18 + [True] * 952, [False] * 30 + [True] * 18 + [True] * 952)
    assert noise == {"old_only": 30, "new_only": 18, "p": pytest.approx(0.0557, abs=1e-3)}
    r = RetrainResult(changes={}, changed=True, old=old, new={"intent_accuracy": 0.948, "entity_f1": 0.99},
                      paired={"intent_accuracy": noise, "entity_f1": paired_test([True], [True])})
    assert worse_figures(r) == []          # beyond the tolerance, but not significant
    r.significance = 1.0                   # the tolerance alone decides
    assert worse_figures(r) == ["intent_accuracy"]
    # 40 sentences lost, 5 won: significant, and beyond the tolerance
    lost = paired_test([True] * 40 + [False] * 5, [False] * 40 + [True] * 5)
    assert lost["old_only"] == 40 and lost["p"] < 1e-6
    r = RetrainResult(changes={}, changed=True, old=old, new={"intent_accuracy": 0.925, "entity_f1": 0.99},
                      paired={"intent_accuracy": lost, "entity_f1": paired_test([True], [True])})
    assert worse_figures(r) == ["intent_accuracy"]
    # significant but within the tolerance: a drop of 0.004 is not worse
    r.new = {"intent_accuracy": 0.956, "entity_f1": 0.99}
    assert worse_figures(r) == []
    from nlukit.errors import InputError
    with pytest.raises(InputError, match="significance"):
        nlukit.retrain("nowhere", "nowhere", significance=0)


def test_should_warm_start_only_from_a_model_of_the_same_kind() -> None:
    from nlukit.models.common import warm_init

    class Fitted:
        params = {"kind": "char_cnn"}

        def _check_fitted(self) -> None:
            pass

    old = Fitted()
    assert warm_init(old, {"kind": "char_cnn"}, "kind", "intent model") is old
    assert warm_init(None, {"kind": "char_cnn"}, "kind", "intent model") is None
    with pytest.warns(UserWarning, match=r"warm start skipped: the old intent model has kind='char_cnn', "
                                         r"this one 'word_cnn'; it trains from scratch"):
        assert warm_init(old, {"kind": "word_cnn"}, "kind", "intent model") is None


def test_should_name_the_split_the_comparison_was_scored_on() -> None:
    # a model fitted with --include-test is scored on valid; the table said "on the new test split"
    from nlukit.retrain import RetrainResult, _figures, format_result
    report = {"intent": {"accuracy": 0.96, "macro_f1": 0.95, "fallback_rate": 0.03},
              "entity": {"micro": {"f1": 0.99}}, "n": 212, "split": "valid"}
    r = RetrainResult(changes={}, changed=True, old=_figures(report), new=_figures(report))
    assert format_result(r).splitlines()[0].startswith("on the new valid split")
    report["split"] = "test"
    r = RetrainResult(changes={}, changed=True, old=_figures(report), new=_figures(report))
    assert format_result(r).splitlines()[0].startswith("on the new test split")
