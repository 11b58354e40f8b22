"""Scoring and reports, on hand-made parse results (no model needed)."""
from __future__ import annotations

import json
import re

import pytest

from nlukit.evaluate import kfold, render_html, score, write_report
from nlukit.types import Entity, Example, IntentScore, ParseResult, Span

GOLD = [
    Example("서울에서 부산으로 가는 기차", "train_ticket",
            (Span(0, 2, "location", "서울", "origin"), Span(5, 7, "location", "부산", "destination")),
            template="train_ticket#0"),
    Example("서울시 날씨", "weather", (Span(0, 3, "location", "서울"),), template="weather#0"),
    Example("광주 날씨", "weather", (Span(0, 2, "location", "광주"),), template="weather#1"),
    Example("안녕", "greeting", (), template="greeting#0"),
]


def _r(text: str, intent: str, *ents: tuple, conf: float = 0.9) -> ParseResult:
    entities = tuple(Entity(entity=e, value=v, text=text[s:t], start=s, end=t, confidence=0.9, role=r)
                     for s, t, e, r, v in ents)
    return ParseResult(text, IntentScore(intent, conf), entities, (IntentScore(intent, conf),))


PRED = [
    # roles swapped: both spans wrong for their labels
    _r("서울에서 부산으로 가는 기차", "train_ticket", (0, 2, "location", "destination", "서울"),
       (5, 7, "location", "origin", "부산")),
    # span one character short: not an exact match; value canonicalised wrong
    _r("서울시 날씨", "weather", (0, 2, "location", None, "서울")),
    _r("광주 날씨", "greeting", (0, 2, "location", None, "광주")),
    _r("안녕", "fallback", conf=0.2),
]

MANIFEST = {"split": {"held_out_templates": ["weather#1"], "held_out_values": {"location": ["광주"]}}}


def test_should_score_intents_with_accuracy_macro_f1_and_confusion() -> None:
    rep = score(GOLD, PRED, manifest=MANIFEST, tokenizer=None,
                intents=["greeting", "train_ticket", "weather"])
    it = rep["intent"]
    assert it["accuracy"] == 0.5
    assert it["per_intent"]["weather"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3, abs=1e-6),
                                           "support": 2}
    assert it["per_intent"]["greeting"]["f1"] == 0.0
    assert it["macro_f1"] == pytest.approx((0.0 + 1.0 + 2 / 3) / 3, abs=1e-6)
    conf = it["confusion"]
    assert conf["rows"] == ["greeting", "train_ticket", "weather"]
    assert conf["columns"] == ["greeting", "train_ticket", "weather", "fallback"]
    assert conf["matrix"][0] == [0, 0, 0, 1]      # 안녕 → fallback
    assert conf["matrix"][2] == [1, 0, 1, 0]      # one weather → greeting
    assert it["fallback_rate"] == 0.25


def test_should_count_only_exact_spans_with_the_right_role() -> None:
    rep = score(GOLD, PRED, tokenizer=None)
    ent = rep["entity"]
    assert ent["micro"]["f1"] == pytest.approx(0.25)  # 1 of 4 gold, 1 of 4 predicted
    assert ent["per_label"]["location:origin"]["f1"] == 0.0
    assert ent["per_label"]["location"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert ent["per_type"]["location"]["support"] == 4
    assert ent["value_accuracy"] == 1.0  # 광주=광주; the short span has no gold at its offsets


def test_should_report_slices_for_unseen_templates_and_values() -> None:
    rep = score(GOLD, PRED, manifest=MANIFEST, tokenizer=None)
    slices = {s["name"]: s for s in rep["slices"]}
    assert slices["unseen_templates"]["n"] == 1 and slices["unseen_templates"]["intent_accuracy"] == 0.0
    assert slices["seen_templates"]["n"] == 3
    assert slices["unseen_values"]["n"] == 1 and slices["unseen_values"]["entity"]["f1"] == 1.0
    assert slices["seen_values"]["n"] == 3


def test_should_list_misclassified_examples_with_missed_and_extra_spans() -> None:
    rep = score(GOLD, PRED, tokenizer=None)
    assert rep["errors_total"] == 4
    e = next(x for x in rep["errors"] if x["text"] == "서울시 날씨")
    assert e["missing"] == [{"start": 0, "end": 3, "label": "location", "text": "서울시"}]
    assert e["extra"] == [{"start": 0, "end": 2, "label": "location", "text": "서울"}]


def test_should_score_the_iob_view_with_seqeval() -> None:
    rep = score(GOLD, PRED, tokenizer="mecab")
    sq = rep["entity"]["seqeval"]
    assert sq["location"]["support"] == 2 and sq["location"]["f1-score"] == 0.5
    assert sq["location:origin"]["f1-score"] == 0.0


def test_should_refuse_mismatched_lengths() -> None:
    from nlukit.errors import InputError
    with pytest.raises(InputError, match="one result per example"):
        score(GOLD, PRED[:2], tokenizer=None)


def test_should_render_one_self_contained_html_page(tmp_path) -> None:
    rep = score(GOLD, PRED, manifest=MANIFEST, tokenizer=None)
    page = render_html(rep)
    assert page.startswith("<!DOCTYPE html>") and 'lang="ko"' in page
    assert "<svg" in page and "Noto Sans KR" in page and "Malgun Gothic" in page
    assert "train_ticket" in page and "서울시 날씨" in page
    # no external assets: no src=, no <link>, no url(...) and no http(s) except the SVG namespace
    assert not re.search(r"<link|<script|src=|url\(", page)
    assert set(re.findall(r"https?://[^\"' ]+", page)) <= {"http://www.w3.org/2000/svg"}
    paths = write_report(rep, str(tmp_path / "out"))
    assert json.load(open(paths["report.json"], encoding="utf-8"))["intent"]["accuracy"] == 0.5
    assert open(paths["report.html"], encoding="utf-8").read() == page
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]


def test_should_escape_user_text_in_the_html() -> None:
    gold = [Example("<b>x</b>", "a"), Example("y", "b")]
    pred = [_r("<b>x</b>", "b"), _r("y", "b")]
    page = render_html(score(gold, pred, tokenizer=None))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_should_make_deterministic_disjoint_folds() -> None:
    folds = kfold(11, 3, seed=5)
    assert folds == kfold(11, 3, seed=5) and folds != kfold(11, 3, seed=6)
    assert sorted(i for f in folds for i in f) == list(range(11))
    assert sorted(len(f) for f in folds) == [3, 4, 4]
    from nlukit.errors import InputError
    with pytest.raises(InputError, match="at least 2"):
        kfold(10, 1, 0)


@pytest.mark.parametrize("out", ["afile", "afile/sub"])
def test_should_refuse_a_report_folder_that_is_a_file_before_any_work(tmp_path, out: str) -> None:
    # Given -o naming a file (or a folder under one): it used to fail with a FileExistsError
    # traceback after the whole evaluation (or all k trainings) had run
    from nlukit.errors import InputError
    from nlukit.evaluate import cross_validate, evaluate
    (tmp_path / "afile").write_text("notes", encoding="utf-8")
    target = str(tmp_path / out)
    # Then both entry points refuse it first: the model and the data are not even looked at
    for run in (lambda: evaluate(str(tmp_path / "no-model"), str(tmp_path / "no-data"), out=target),
                lambda: cross_validate(str(tmp_path / "no-data"), 2, out=target)):
        with pytest.raises(InputError, match=r"report folder .*(is a file|afile is a file); pass a folder"):
            run()
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "notes"


def test_should_name_the_dataset_folder_when_given_one_of_its_files(tmp_path) -> None:
    from nlukit.dataset import load_dataset
    from nlukit.errors import DatasetError
    (tmp_path / "train.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"train\.jsonl' is a file; pass the dataset folder that holds it"):
        load_dataset(str(tmp_path / "train.jsonl"))


def test_should_refuse_to_write_the_report_over_a_model_versions_or_a_datasets_own(tmp_path) -> None:
    # Given -o naming the model's current version or the dataset (their report.json is theirs:
    # a version whose report.json changed fails its sha256 check and no longer loads)
    from nlukit.errors import InputError
    from nlukit.evaluate import cross_validate, evaluate
    version, data = tmp_path / "model" / "v1", tmp_path / "data"
    for folder, marker in ((version, "meta.json"), (data, "dataset.json")):
        folder.mkdir(parents=True)
        (folder / marker).write_text("{}", encoding="utf-8")
        (folder / "report.json").write_text('{"mine": 1}', encoding="utf-8")
    for out, what in ((version, "a model version"), (data, "a dataset")):
        with pytest.raises(InputError, match=f"is {what}: its own report.json would be replaced"):
            evaluate(str(tmp_path / "no-model"), str(data), out=str(out))
        with pytest.raises(InputError, match=f"is {what}: its own report.json would be replaced"):
            cross_validate(str(data), 2, out=str(out))
        assert (out / "report.json").read_text(encoding="utf-8") == '{"mine": 1}'
        assert not (out / "report.html").exists()


def test_should_not_score_entities_of_a_slice_that_has_none() -> None:
    # the held-out templates of an FAQ and greetings hold no entity: "entity F1 0.0000" for a slice
    # where nothing was to be found and nothing was found read as a broken tagger
    manifest = {"split": {"held_out_templates": ["greeting#0"], "held_out_values": {}}}
    rep = score(GOLD[3:], PRED[3:], manifest=manifest, tokenizer=None)
    slices = {s["name"]: s for s in rep["slices"]}
    assert slices["unseen_templates"]["n"] == 1 and slices["unseen_templates"]["entity"] is None
    # a slice with a wrong entity found still scores 0
    extra = [_r("안녕", "greeting", (0, 2, "location", None, "안녕"))]
    rep = score(GOLD[3:], extra, manifest=manifest, tokenizer=None)
    assert {s["name"]: s for s in rep["slices"]}["unseen_templates"]["entity"]["f1"] == 0.0
