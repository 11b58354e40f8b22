"""Dataset generation: sampling control, splits, IOB faithfulness, atomic output, CLI."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from nlukit.cli import main
from nlukit.dataset import iob_tags, load_dataset, spans_from_tags
from nlukit.errors import InputError, OutputExistsError, PatternError
from nlukit.generate import generate as generate_pkg
from nlukit.generate.dictionary import load_dictionaries
from nlukit.generate.generator import generate
from nlukit.nlu import Canonicalizer
from nlukit.numerals import digits
from nlukit.text import get_tokenizer, split_at
from nlukit.types import Example, Span, Token

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "gen")
PATTERNS = os.path.join(FIX, "patterns")
DICTS = os.path.join(FIX, "dicts")
FILES = ("train.jsonl", "valid.jsonl", "test.jsonl", "train.iob.csv", "valid.iob.csv", "test.iob.csv",
         "train.txt", "valid.txt", "test.txt", "dataset.json", "dictionary.json", "report.json",
         "patterns.txt")


def read(path: Path, split: str) -> list[Example]:
    with open(path / f"{split}.jsonl", encoding="utf-8") as fh:
        return [Example.from_json(json.loads(line)) for line in fh]


def read_iob(path: Path, split: str) -> dict[int, list[tuple[str, str, str]]]:
    rows: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    with open(path / f"{split}.iob.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["sentence_id", "token", "pos", "tag"]
        for sid, token, pos, tag in reader:
            rows[int(sid)].append((token, pos, tag))
    return rows


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("gen") / "data"
    report = generate(PATTERNS, DICTS, out, per_intent=50, seed=5, progress=False)
    return out, report


def test_should_write_every_file_and_be_readable_by_load_dataset(dataset: tuple[Path, dict]) -> None:
    out, report = dataset
    assert sorted(os.listdir(out)) == sorted(FILES)
    ds = load_dataset(str(out))
    assert len(ds.train) + len(ds.valid) + len(ds.test) == report["sentences"]["total"] == 150
    m = ds.manifest
    assert m["format"] == 1 and m["tokenizer"] == "mecab" and m["seed"] == 5
    assert m["intents"] == ["restaurant", "weather", "train_ticket"]
    assert m["entity_types"] == ["date", "food", "location"]
    assert m["labels"] == ["date", "food", "location", "location:destination", "location:origin"]
    assert ds.dictionary["location"]["서울"] == ["서울시", "서울특별시"]
    with open(out / "train.txt", encoding="utf-8") as fh:
        assert [line.rstrip("\n") for line in fh] == [ex.text for ex in ds.train]


def test_should_balance_intents_and_drop_duplicates(dataset: tuple[Path, dict]) -> None:
    out, report = dataset
    examples = read(out, "train") + read(out, "valid") + read(out, "test")
    assert Counter(ex.intent for ex in examples) == {"restaurant": 50, "weather": 50, "train_ticket": 50}
    assert len({ex.text for ex in examples}) == len(examples)
    per = report["per_intent"]["weather"]
    assert (per["train"], per["valid"], per["test"]) == (40, 5, 5)


def test_should_use_every_dictionary_value_when_the_budget_allows(dataset: tuple[Path, dict]) -> None:
    out, report = dataset
    examples = read(out, "train") + read(out, "valid") + read(out, "test")
    used = {(s.entity, s.value) for ex in examples for s in ex.entities}
    d = load_dictionaries(DICTS)
    assert {(e, v) for e in d.entity_types for v in d.values(e)} <= used
    assert report["unused_values"] == {}
    assert sum(report["value_uses"]["location"].values()) == sum(
        1 for ex in examples for s in ex.entities if s.entity == "location")


def test_should_keep_entity_spans_exact_and_particles_fitting(dataset: tuple[Path, dict]) -> None:
    out, _ = dataset
    d = load_dictionaries(DICTS)
    for ex in read(out, "train") + read(out, "valid") + read(out, "test"):
        for s in ex.entities:
            assert d.canonical(s.entity, ex.text[s.start:s.end]) == s.value
            if ex.template == "train_ticket#0" and s.role == "destination":
                after = ex.text[s.end:s.end + 3]
                from nlukit.korean import choose_particle
                assert after.startswith(choose_particle(ex.text[s.start:s.end], "(으)로") + " ")


def test_should_hold_out_templates_under_template_split(dataset: tuple[Path, dict]) -> None:
    out, _ = dataset
    manifest = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
    held = set(manifest["split"]["held_out_templates"])
    train_t = {ex.template for ex in read(out, "train")}
    test_t = {ex.template for ex in read(out, "test")}
    valid_t = {ex.template for ex in read(out, "valid")}
    assert manifest["split"]["mode"] == "template" and held
    assert not train_t & test_t and not train_t & valid_t and not valid_t & test_t
    assert test_t | valid_t == held


def test_should_rebuild_every_span_from_the_iob_csv(dataset: tuple[Path, dict]) -> None:
    out, report = dataset
    tok = get_tokenizer("mecab")
    n_split = 0
    for split in ("train", "valid", "test"):
        rows = read_iob(out, split)
        examples = read(out, split)
        assert sorted(rows) == list(range(len(examples)))
        for sid, ex in enumerate(examples):
            tokens, pos = [], 0
            for surface, tag_pos, _ in rows[sid]:
                at = ex.text.index(surface, pos)
                tokens.append(Token(surface, tag_pos, at, at + len(surface)))
                pos = at + len(surface)
            tags = [t for _, _, t in rows[sid]]
            want = [(s.start, s.end, f"{s.entity}:{s.role}" if s.role else s.entity) for s in ex.entities]
            assert spans_from_tags(tokens, tags) == want, ex.text
            # same tags as the library route: tokenize, split_at entity edges, iob_tags
            ref = tok.tokenize(ex.text)
            cuts = [c for s in ex.entities for c in (s.start, s.end)]
            bad = [s for s in ex.entities if not ({s.start, s.end} <= {t.start for t in ref} | {t.end for t in ref}
                                                  and any(t.start == s.start for t in ref)
                                                  and any(t.end == s.end for t in ref))]
            n_split += len(bad)
            ref_tokens = split_at(ref, cuts)
            assert [(t.surface, t.pos) for t in ref_tokens] == [(a, b) for a, b, _ in rows[sid]]
            assert iob_tags(ref_tokens, ex.entities) == tags
    assert report["spans"]["not_on_token_boundary"] == n_split > 0


def test_should_count_and_split_spans_that_cut_a_morpheme(tmp_path: Path) -> None:
    # MeCab reads 부산역앞 as one noun run; the entity 부산 must be split out of it
    (tmp_path / "p.txt").write_text("@t\n{location}역앞 (만나|보)자\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("location,\n부산\n", encoding="utf-8")
    tok = get_tokenizer("mecab")
    toks = tok.tokenize("부산역앞 만나자")
    assert 2 not in {t.end for t in toks}  # MeCab keeps 부산역 as one token
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=2, split="sentence",
                      valid_ratio=0, test_ratio=0, progress=False)
    assert report["spans"]["total"] == 2
    assert report["spans"]["not_on_token_boundary"] == 2
    rows = read_iob(tmp_path / "o", "train")
    assert all(r[0][0] == "부산" and r[0][2] == "B-location" for r in rows.values())


def test_should_write_identical_bytes_for_the_same_seed(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(PATTERNS, DICTS, tmp_path / name, per_intent=40, seed=seed, augment=("spacing",),
                 split="value", progress=False)
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "train.jsonl").read_bytes() != (tmp_path / "c" / "train.jsonl").read_bytes()


def test_should_keep_held_out_values_out_of_train_under_value_split(tmp_path: Path) -> None:
    report = generate(PATTERNS, DICTS, tmp_path / "v", per_intent=60, seed=1, split="value",
                      valid_ratio=0.15, test_ratio=0.15, progress=False)
    held = report["split"]["held_out_values"]
    # food has only two values: too few to hold one out, so it is shared by every split
    assert set(held) == {"location", "date"} and all(held.values())
    train = read(tmp_path / "v", "train")
    assert not {(s.entity, s.value) for ex in train for s in ex.entities} & \
        {(e, v) for e, vs in held.items() for v in vs}
    test = read(tmp_path / "v", "test") + read(tmp_path / "v", "valid")
    test_values = [(s.entity, s.value) for ex in test for s in ex.entities if s.entity in held]
    assert test_values and all(v in held[e] for e, v in test_values)
    assert json.loads((tmp_path / "v" / "dictionary.json").read_text(encoding="utf-8"))["location"]["부산"] == ["부산시"]


def test_should_split_sentences_by_ratio_under_sentence_split(tmp_path: Path) -> None:
    report = generate(PATTERNS, DICTS, tmp_path / "s", per_intent=50, split="sentence", valid_ratio=0.2,
                      test_ratio=0.1, progress=False)
    assert report["sentences"] == {"total": 150, "train": 105, "valid": 30, "test": 15}
    assert report["split"]["held_out_templates"] == [] and report["split"]["held_out_values"] == {}


def test_should_draw_templates_evenly_not_by_expansion_count(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("@t\n{a} {b} {c} 크다\n{a} 작다\n", encoding="utf-8")
    rows = ["a,b,c"] + [f"a{i},b{i},c{i}" for i in range(20)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=30, split="sentence",
                      valid_ratio=0, test_ratio=0, progress=False)
    per = {k: v["sentences"] for k, v in report["per_template"].items()}
    assert per == {"t#0": 15, "t#1": 15}  # 8000 vs 20 expansions, equal shares
    # a template that runs out leaves its share to the others
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=100, split="sentence",
                      valid_ratio=0, test_ratio=0, progress=False, force=True)
    assert {k: v["sentences"] for k, v in report["per_template"].items()} == {"t#0": 80, "t#1": 20}


def test_should_warn_about_starved_intents(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("@hello\n(안녕|반가워)\n@w\n{a} 날씨\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("a\n" + "\n".join(f"v{i}" for i in range(40)) + "\n", encoding="utf-8")
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=30, split="sentence",
                      progress=False)
    assert report["per_intent"]["hello"]["total"] == 2
    assert any("'hello' is starved: 2 of 30" in w for w in report["warnings"])
    assert any("imbalanced: 'w' has 30 sentences, 'hello' only 2" in w for w in report["warnings"])


def test_should_warn_about_dictionary_values_written_as_plain_text(tmp_path: Path) -> None:
    # author14: an apartment bot wrote 엘리베이터 점검 in its notice patterns with 엘리베이터 a complaint
    # synonym, and (주차 |)방문 등록 with 주차 a complaint value: generate said nothing, though
    # docs/patterns.md calls it the first habit that keeps the data clean
    (tmp_path / "p.txt").write_text(
        "@notice\n(엘리베이터 점검|소독) 언제 해요\n공지 알려줘\n"
        "@complaint\n{complaint} 민원 넣을게요\n[엘베 고장](complaint)났어요\n(지하 |)주차장에 {complaint}이/가 있어요\n"
        "@visitor\n(주차 |)방문 등록해줘\n오늘도 {complaint} 신고\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("entity,value,synonyms\ncomplaint,엘리베이터 고장,엘베 고장|엘리베이터\n"
                                    "complaint,주차,불법주차\ncomplaint,소\n", encoding="utf-8")
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=20, split="sentence",
                      progress=False)
    plain = [w for w in report["warnings"] if "as plain text" in w]
    assert [w.split(": @")[0] for w in plain] == [f"{tmp_path / 'p.txt'}:2", f"{tmp_path / 'p.txt'}:9"]
    assert "@notice writes '엘리베이터', a complaint value, as plain text ('엘리베이터 점검 언제 해요')" in plain[0]
    assert "write the slot {complaint}" in plain[0] and "'주차'" in plain[1]
    # slots, annotated values, words that only contain a value (주차장에) and one-syllable values stay quiet


def test_should_add_spacing_variants_with_exact_spans(tmp_path: Path) -> None:
    generate(PATTERNS, DICTS, tmp_path / "a", per_intent=60, split="sentence", augment=("spacing",),
             progress=False)
    examples = read(tmp_path / "a", "train")
    d = load_dictionaries(DICTS)
    glued = detached = 0
    for ex in examples:
        for s in ex.entities:
            assert d.canonical(s.entity, ex.text[s.start:s.end]) == s.value
            if s.end < len(ex.text) and ex.text[s.end] != " " and ex.text[s.end:s.end + 2] not in (
                    "은", "는", "에서", "으로", "로", "이랑", "랑", "까지", "에", "역앞"):
                glued += 1
        if "서울 에서" in ex.text or "부산 에서" in ex.text or "대전 에서" in ex.text:
            detached += 1
    assert "  " not in "".join(ex.text for ex in examples)
    assert glued > 0 and detached > 0


def test_should_spell_counted_digits_in_entities_as_number_words_with_exact_spans(tmp_path: Path) -> None:
    # Given alarm patterns whose time and date values are written with digits
    (tmp_path / "p.txt").write_text("@alarm\n{time}에 깨워줘\n{date} {time}(으)로 알람 맞춰줘\n{time} 알람 (부탁해|좀)\n"
                                    "@weather\n{date} 날씨 어때\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("entity,value,synonyms\ntime,오후 3시 30분,오후 3시 반|15:30\ntime,오전 7시,아침 7시\n"
                                    "time,12시,\ntime,21시,\ndate,12월 25일,\ndate,6월 1일,\ndate,내일,\n", encoding="utf-8")
    kw = dict(per_intent=80, split="sentence", progress=False)
    generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "plain", **kw)
    generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "num", augment=("numerals",), **kw)
    plain = [ex.text for part in ("train", "valid", "test") for ex in read(tmp_path / "plain", part)]
    examples = [ex for part in ("train", "valid", "test") for ex in read(tmp_path / "num", part)]
    canon = Canonicalizer(load_dictionaries(tmp_path / "d.csv").entities)
    spelled = [ex for ex in examples if ex.text not in set(plain)]
    with_digits = [ex for ex in examples if any(c.isdigit() for c in ex.text)]
    # Then about 30 % of the sentences with counted digits are spelled, the rest untouched
    assert 0.1 * (len(spelled) + len(with_digits)) < len(spelled) < 0.5 * (len(spelled) + len(with_digits))
    for ex in spelled:
        # the same sentence as a plain one once read back to digits; each span still names its value
        assert digits(ex.text) in {digits(t) for t in plain}
        for s in ex.entities:
            assert canon(s.entity, ex.text[s.start:s.end]) == s.value
    # 21시 has no native reading and 15:30 no counter: those stay as digits
    assert {ex.text[s.start:s.end] for ex in examples for s in ex.entities if s.value == "21시"} == {"21시"}
    assert any("15:30" in ex.text for ex in spelled)
    texts = " ".join(ex.text for ex in spelled)
    assert "세 시" in texts and "세시" in texts and "십이월" in texts and "유월 일" in texts
    # And the IOB rows rebuild every span of the spelled sentences
    rows = read_iob(tmp_path / "num", "train")
    for sid, ex in enumerate(read(tmp_path / "num", "train")):
        tokens, pos = [], 0
        for surface, tag_pos, _ in rows[sid]:
            at = ex.text.index(surface, pos)
            tokens.append(Token(surface, tag_pos, at, at + len(surface)))
            pos = at + len(surface)
        assert spans_from_tags(tokens, [t for _, _, t in rows[sid]]) == [
            (s.start, s.end, s.entity) for s in ex.entities], ex.text


def test_should_leave_nothing_when_an_error_happens_midway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlukit.generate import generator
    calls = {"n": 0}
    real = generator._IobWriter.rows

    def failing(self, sid, text, spans):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 50:
            raise OSError("disk full")
        return real(self, sid, text, spans)
    monkeypatch.setattr(generator._IobWriter, "rows", failing)
    with pytest.raises(OSError, match="disk full"):
        generate(PATTERNS, DICTS, tmp_path / "out", per_intent=60, progress=False)
    assert os.listdir(tmp_path) == []


def test_should_refuse_to_overwrite_without_force_and_replace_with_force(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="already exists; pass force=True"):
        generate(PATTERNS, DICTS, out, per_intent=10, progress=False)
    assert os.listdir(out) == ["keep.txt"]
    generate(PATTERNS, DICTS, out, per_intent=10, progress=False, force=True)
    assert "keep.txt" not in os.listdir(out) and "train.jsonl" in os.listdir(out)
    assert sorted(os.listdir(tmp_path)) == ["out"]


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*")) if p.is_file()}


def test_should_never_replace_its_own_patterns_dictionaries_a_model_or_the_working_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a bot project: its patterns and dictionaries in the working folder
    import shutil
    project = tmp_path / "bot"
    shutil.copytree(PATTERNS, project / "patterns")
    shutil.copytree(DICTS, project / "dicts")
    monkeypatch.chdir(project)
    before = _tree(project)
    # When --force names the patterns folder, the dictionaries' folder, the project (-o .) or ""
    for out in ("patterns", "dicts", ".", str(project), ".."):
        with pytest.raises(OutputExistsError, match="would delete"):
            generate("patterns", "dicts", out, per_intent=10, progress=False, force=True)
    with pytest.raises(InputError, match="the output path is empty"):
        generate("patterns", "dicts", "", per_intent=10, progress=False, force=True)
    # Then every file is still there and no staging folder is left
    assert _tree(project) == before and sorted(os.listdir(project)) == ["dicts", "patterns"]
    assert sorted(os.listdir(tmp_path)) == ["bot"]
    # Nor a trained model (-o model --force for -o data --force): its versions would go
    for marker in ("model/current", "model/v1/meta.json"):
        (project / marker).parent.mkdir(parents=True, exist_ok=True)
        (project / marker).write_text("v1\n", encoding="utf-8")
        for out in ("model", "model/v1") if marker.endswith("meta.json") else ("model",):
            with pytest.raises(OutputExistsError, match="is a trained model .*would delete the model"):
                generate("patterns", "dicts", out, per_intent=10, progress=False, force=True)
    assert sorted(os.listdir(project / "model")) == ["current", "v1"]
    (project / "data").mkdir()
    shutil.move(project / "model", project / "data" / "model")   # trained with -o data/model
    with pytest.raises(OutputExistsError, match=r"holds one \(.*model\), a trained model .*would delete the model"):
        generate("patterns", "dicts", "data", per_intent=10, progress=False, force=True)
    assert sorted(os.listdir(project / "data" / "model")) == ["current", "v1"]
    shutil.rmtree(project / "data")
    # And a folder of its own is still replaced with --force
    generate("patterns", "dicts", "data", per_intent=10, progress=False)
    generate("patterns", "dicts", "data", per_intent=10, progress=False, force=True)


def test_should_name_the_file_in_the_way_of_the_output_folder(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    for out in ("afile/data", "afile/sub/data"):
        with pytest.raises(OutputExistsError, match=f"cannot make the output folder .*: {tmp_path / 'afile'} is a file"):
            generate(PATTERNS, DICTS, tmp_path / out, per_intent=10, progress=False, force=True)
    with pytest.raises(OutputExistsError, match="exists and is not a directory"):
        generate(PATTERNS, DICTS, tmp_path / "afile", per_intent=10, progress=False)
    assert os.listdir(tmp_path) == ["afile"]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, a folder nothing can be made in")
def test_should_say_in_one_error_that_the_output_folder_cannot_be_made_where_its_parent_is() -> None:
    # the parent exists but takes no folder (/proc here; a read-only disk, no permission): the
    # staging folder's mkdtemp raised FileNotFoundError, a traceback under `nlukit generate -o`
    with pytest.raises(OutputExistsError, match=r"cannot make the output folder /proc/nlukit-data: .*choose another path"):
        generate(PATTERNS, DICTS, "/proc/nlukit-data", per_intent=10, progress=False)


def test_should_hold_out_templates_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an intent with thousands of pattern lines (a pasted log of real requests): choosing
    # the held-out ones looked at every earlier template for each pick (100,000 lines: minutes)
    import random

    from nlukit.generate import generator
    from nlukit.generate.grammar import Template, parse_patterns
    n = 4000
    text = "@w\n" + "".join(f"장소{i} 날씨 어때\n" if i % 2 else f"{{location}} 날씨 {i}\n" for i in range(n))
    order = list(parse_patterns(text, "p.txt", entity_types=["location"]).templates())
    random.Random(1).shuffle(order)
    looked = [0]
    real_id = Template.id

    def counted(self: Template) -> str:
        looked[0] += 1
        return real_id.fget(self)
    monkeypatch.setattr(Template, "id", property(counted))
    # When a tenth goes to test and a tenth to valid
    test, valid = generator._hold_out(order, n // 10, n // 10)
    # Then each template is looked at a few times, not once per pick
    assert (len(test), len(valid)) == (n // 10, n // 10) and not {t.id for t in test} & {t.id for t in valid}
    assert looked[0] < 10 * n


def test_should_read_a_split_saved_again_with_a_bom_and_name_the_fix_for_cp949(
        dataset: tuple[Path, dict], tmp_path: Path) -> None:
    # Given the dataset with train.jsonl opened and saved again in Notepad (UTF-8 with BOM, CRLF)
    import shutil

    from nlukit.errors import DatasetError
    out, _ = dataset
    copy = tmp_path / "data"
    shutil.copytree(out, copy)
    text = (out / "train.jsonl").read_text(encoding="utf-8")
    (copy / "train.jsonl").write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    for name in ("dictionary.json", "dataset.json"):   # a value added by hand
        (copy / name).write_bytes((out / name).read_text(encoding="utf-8").encode("utf-8-sig"))
    # Then it reads as before
    again, before = load_dataset(str(copy)), load_dataset(str(out))
    assert (again.train, again.dictionary, again.manifest) == (before.train, before.dictionary, before.manifest)
    # And saved as cp949 it is an error naming the file, the line and the fix (it was a traceback)
    (copy / "train.jsonl").write_bytes(text.encode("cp949"))
    with pytest.raises(DatasetError, match=r"train\.jsonl:1: not UTF-8 text \(it looks like cp949/euc-kr\); "
                                           r"save the file as UTF-8"):
        load_dataset(str(copy))


def test_should_say_the_patterns_come_first_when_the_arguments_are_swapped(tmp_path: Path) -> None:
    from nlukit.errors import DictionaryError
    for args in ((DICTS, PATTERNS), (os.path.join(PATTERNS, sorted(os.listdir(PATTERNS))[0]),) * 2):
        with pytest.raises(DictionaryError, match="nlukit generate takes the patterns first, then the dictionaries"):
            generate(*args, tmp_path / "o", per_intent=10, progress=False)
    assert os.listdir(tmp_path) == []


def test_should_say_a_model_or_a_pattern_folder_is_no_dataset(tmp_path: Path) -> None:
    from nlukit.errors import DatasetError
    (tmp_path / "model" / "v1").mkdir(parents=True)
    (tmp_path / "model" / "v1" / "meta.json").write_text("{}", encoding="utf-8")
    (tmp_path / "model" / "current").symlink_to("v1")
    for path in (tmp_path / "model", tmp_path / "model" / "v1"):
        with pytest.raises(DatasetError, match="is a trained model, not a dataset; pass the folder written by"):
            load_dataset(str(path))
    with pytest.raises(DatasetError, match="holds no dataset .*make a dataset of them with `nlukit generate"):
        load_dataset(PATTERNS)


def test_should_take_lists_of_pattern_and_dictionary_files(tmp_path: Path) -> None:
    # generate([...], [...]) read the dictionaries' list but failed on the patterns' (TypeError)
    pats = sorted(os.path.join(PATTERNS, f) for f in os.listdir(PATTERNS))
    dicts = sorted(os.path.join(DICTS, f) for f in os.listdir(DICTS))
    a = generate(pats, dicts, tmp_path / "a", per_intent=10, progress=False)
    b = generate(PATTERNS, DICTS, tmp_path / "b", per_intent=10, progress=False)
    assert (tmp_path / "a" / "train.jsonl").read_bytes() == (tmp_path / "b" / "train.jsonl").read_bytes()
    assert a["sentences"] == b["sentences"]


def test_should_take_one_augmentation_given_as_a_string(tmp_path: Path) -> None:
    # generate(..., augment="spacing") said: unknown augmentation 's'
    generate(PATTERNS, DICTS, tmp_path / "o", per_intent=10, augment="spacing", progress=False)
    with open(tmp_path / "o" / "dataset.json", encoding="utf-8") as fh:
        assert json.load(fh)["augment"] == ["spacing"]


def test_should_write_nothing_for_invalid_patterns_or_options(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("@w\n{locaton} 날씨\n", encoding="utf-8")
    with pytest.raises(PatternError, match=r"p\.txt:2:1: unknown entity type 'locaton' \(known: date, food, location\)"):
        generate(tmp_path / "p.txt", DICTS, tmp_path / "o", progress=False)
    with pytest.raises(InputError, match="leaves nothing to train on"):
        generate(PATTERNS, DICTS, tmp_path / "o", valid_ratio=0.5, test_ratio=0.5, progress=False)
    with pytest.raises(InputError, match="unknown split mode 'random'"):
        generate(PATTERNS, DICTS, tmp_path / "o", split="random", progress=False)
    assert sorted(os.listdir(tmp_path)) == ["p.txt"]


def test_should_be_callable_as_nlukit_generate(tmp_path: Path) -> None:
    import nlukit
    r = nlukit.generate(PATTERNS, DICTS, tmp_path / "o", per_intent=5, progress=False)
    assert r["sentences"]["total"] == 15 and callable(generate_pkg)


def test_should_run_from_the_cli_with_summary_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert main(["generate", PATTERNS, DICTS, "-o", str(out), "--per-intent", "20", "--seed", "2",
                 "--split", "sentence", "--augment", "spacing"]) == 0
    printed = capsys.readouterr().out
    assert "60 sentences (train 48, valid 6, test 6), split by sentence" in printed
    assert "location.csv: utf-8, long form, 5 values" in printed and "wide.csv: utf-8, wide form" in printed
    assert main(["generate", PATTERNS, DICTS, "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["generate", PATTERNS, DICTS, "-o", str(out), "--force", "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_should_run_as_python_module(tmp_path: Path) -> None:
    out = tmp_path / "m"
    proc = subprocess.run([sys.executable, "-m", "nlukit", "generate", PATTERNS, DICTS, "-o", str(out),
                           "--per-intent", "10", "--split", "value"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "30 sentences" in proc.stdout and (out / "dataset.json").exists()
    bad = subprocess.run([sys.executable, "-m", "nlukit", "generate", PATTERNS, str(tmp_path / "none"), "-o",
                          str(tmp_path / "x")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "does not exist" in bad.stderr
    assert not (tmp_path / "x").exists()


def test_should_enumerate_small_templates_exactly_once_in_expand_order() -> None:
    from nlukit.generate.generator import _Sampler
    from nlukit.generate.grammar import expand, parse_patterns
    d = load_dictionaries(DICTS)
    p = parse_patterns("@t\n{location:origin}(으)로 ((아주|) 빨리|천천히) [김밥](food) {date}은/는\n", "p.txt",
                       dictionary=d)
    t = p.intents["t"][0]
    import random
    smp = _Sampler(t, {}, d.to_json(), random.Random(0), expected=1000)
    drawn = []
    while (got := smp.draw()) is not None:
        drawn.append(got)
    want = [(text, [(s.start, s.end, s.entity, s.role, s.value) for s in spans]) for text, spans in expand(t, d)]
    assert len(drawn) == len(want) == 8 * 3 * 3 and sorted(drawn) == sorted(want)
    assert drawn != want  # shuffled, not in product order


def test_should_write_jsonl_exactly_as_example_to_json(dataset: tuple[Path, dict]) -> None:
    out, _ = dataset
    with open(out / "train.jsonl", encoding="utf-8") as fh:
        for line in fh:
            ex = Example.from_json(json.loads(line))
            assert json.dumps(ex.to_json(), ensure_ascii=False) + "\n" == line
    assert Span(0, 1, "a", "b").to_json()  # the record shape is the shared one


def test_should_remember_sentences_and_their_intent_across_table_growth() -> None:
    from nlukit.generate.generator import _SeenTable
    seen = _SeenTable(size=8)
    for i in range(1000):
        assert seen.add(f"문장 {i}", i % 5) is None
    assert len(seen) == 1000 and len(seen.table) >= 2000
    assert [seen.add(f"문장 {i}", 9) for i in (0, 1, 7, 999)] == [0, 1, 2, 4]
    assert seen.add("새 문장", 3) is None and len(seen) == 1001


def test_should_record_intents_that_fall_back_to_a_sentence_split(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("@hi\n안녕(하세요|)\n반가워(요|)\n@w\n" + "".join(
        f"{{a}} 날씨 {i} (어때|알려줘)\n" for i in range(6)), encoding="utf-8")
    (tmp_path / "d.csv").write_text("a\n" + "\n".join(f"v{i}" for i in range(9)) + "\n", encoding="utf-8")
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=20, progress=False)
    split = json.loads((tmp_path / "o" / "dataset.json").read_text(encoding="utf-8"))["split"]
    assert split["sentence_split_intents"] == ["hi"]
    assert split["held_out_templates"] and all(t.startswith("w#") for t in split["held_out_templates"])
    assert any("fell back to a sentence split" in w and "hi" in w for w in report["warnings"])


def test_should_print_dictionary_warnings_and_cp949_encoding_in_the_cli(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.csv").write_bytes("entity,value,synonyms\nlocation,서울,\nlocation,서울,서울시\n"
                                     "date,오늘,\nfood,김밥,\n".encode("cp949"))
    assert main(["generate", PATTERNS, str(tmp_path / "d.csv"), "-o", str(tmp_path / "o"),
                 "--per-intent", "5", "--split", "sentence"]) == 0
    out = capsys.readouterr().out
    assert "d.csv: cp949, long form, 3 values" in out
    assert f"warning: {tmp_path / 'd.csv'}:3: duplicate value '서울' for entity 'location'" in out


def test_should_let_train_take_what_held_out_templates_cannot_make(tmp_path: Path) -> None:
    # ten templates of four sentences; valid wants 14 but its 3 held-out templates make 12
    (tmp_path / "p.txt").write_text("@hi\n" + "".join(f"안녕 {i} (a|b|c|d)\n" for i in range(10)),
                                    encoding="utf-8")
    (tmp_path / "d.csv").write_text("unused\nx\n", encoding="utf-8")
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "o", per_intent=40,
                      valid_ratio=0.34, test_ratio=0, progress=False)
    assert report["per_intent"]["hi"] == {"train": 28, "valid": 12, "test": 0, "total": 40, "target": 40}
    assert any("'hi': valid has 12 of 14 sentences" in w and "train took the other 2" in w
               for w in report["warnings"])


def test_should_resolve_pairs_in_alternations_when_enumerating_and_when_sampling() -> None:
    import random

    from nlukit.generate.generator import _Sampler
    from nlukit.generate.grammar import expand, parse_patterns
    from nlukit.korean import choose_particle
    d = load_dictionaries(DICTS)
    p = parse_patterns("@t\n{location:origin}(은/는|) ((대구|부산역)(으)로|) {food}((이)나|) 가자\n", "p.txt",
                       dictionary=d)
    t = p.intents["t"][0]
    want = sorted((text, [(s.start, s.end, s.entity, s.role, s.value) for s in spans]) for text, spans in expand(t, d))
    enum = _Sampler(t, {}, d.to_json(), random.Random(0), expected=1000)
    drawn = []
    while (got := enum.draw()) is not None:
        drawn.append(got)
    assert sorted(drawn) == want
    from nlukit.generate.generator import _Deck
    decks = {e: _Deck(v, random.Random(1)) for e, v in d.to_json().items()}
    walk = _Sampler(t, decks, d.to_json(), random.Random(2), expected=1)
    walk.queue = None  # force random sampling
    sampled = [walk.draw() for _ in range(200)]
    for text, spans in [*drawn, *sampled]:
        assert "/" not in text and "(" not in text, text
        origin = text[spans[0][0]:spans[0][1]]
        rest = text[spans[0][1]:]
        assert rest.startswith(" ") or rest.startswith(choose_particle(origin, "은/는") + " "), text
        for word in ("대구", "부산역"):
            if word in text:
                assert f"{word}{choose_particle(word, '(으)로')} " in text, text
    assert {t for t, _ in sampled} <= {t for t, _ in want} and len({t for t, _ in sampled}) > 20


def test_should_hold_out_templates_that_cover_every_label_of_the_intent(tmp_path: Path) -> None:
    # 13 templates, only 3 with a date and 3 with a destination: a random pick of one test and one
    # valid template would miss them most of the time; every part must still see every label
    lines = [f"{{location}} 패턴{i} (가|나)" for i in range(7)]
    lines += [f"{{location}} {{date}} 날짜{i} (가|나)" for i in range(3)]
    lines += [f"{{location:destination}}(으)로 가자{i} (가|나)" for i in range(3)]
    (tmp_path / "p.txt").write_text("@alarm\n" + "\n".join(lines) + "\n@greet\n안녕\n안녕하세요\n하이\n",
                                    encoding="utf-8")
    for seed in range(8):
        out = tmp_path / f"d{seed}"
        generate(tmp_path / "p.txt", DICTS, out, per_intent=60, seed=seed, valid_ratio=0.15, test_ratio=0.15,
                 progress=False)
        meta = json.loads((out / "dataset.json").read_text(encoding="utf-8"))
        held = meta["split"]["held_out_templates_by_part"]
        assert len(held["test"]) == len(held["valid"]) == 2 and not set(held["test"]) & set(held["valid"])
        for part in ("train", "valid", "test"):
            labels = {f"{s.entity}:{s.role}" if s.role else s.entity
                      for ex in read(out, part) if ex.intent == "alarm" for s in ex.entities}
            assert labels == {"location", "date", "location:destination"}, (seed, part, held)


def test_should_keep_a_label_with_a_single_template_in_train() -> None:
    import random

    from nlukit.generate.generator import _hold_out
    from nlukit.generate.grammar import parse_patterns
    p = parse_patterns("@a\n{location} 가\n{location} 나\n{location} 다\n{date} 라\n{location} 마\n", "p.txt")
    ts = p.templates()
    for seed in range(10):
        order = list(ts)
        random.Random(seed).shuffle(order)
        test, valid = _hold_out(order, 1, 1)
        assert "a#3" not in {t.id for t in test + valid}
        assert len(test) == len(valid) == 1 and test[0].id != valid[0].id


def test_should_keep_the_patterns_used_so_that_they_parse_back_to_the_same_templates(tmp_path: Path) -> None:
    from nlukit.generate.grammar import load_patterns
    out = tmp_path / "out"
    generate(PATTERNS, DICTS, str(out), per_intent=20, progress=False)
    original = load_patterns(PATTERNS)
    kept = load_patterns(str(out / "patterns.txt"))
    assert kept.digest() == original.digest()
    assert [t.id for t in kept.templates()] == [t.id for t in original.templates()]


def test_should_keep_an_intent_of_two_sentences_in_train_under_the_default_split(tmp_path: Path) -> None:
    # an FAQ added to a bot: answers of two questions each beside intents of many templates. The
    # sentence split they fall back to shared 300 slots out, so both questions of one answer could
    # both land in valid (seed 13: 1 of 10 answers) and training then stopped
    lines = ["@big"] + [f"{{location}} 큰 요청 {i}" for i in range(12)]
    for k in range(25):
        lines += [f"@faq_{k:02d}", f"질문 {k} 하나예요", f"질문 {k} 둘이에요"]
    (tmp_path / "p.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("location,\n서울\n부산\n대구\n", encoding="utf-8")
    for seed in (13, 14):
        report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / f"o{seed}", seed=seed,
                          progress=False)
        small = {k: v for k, v in report["per_intent"].items() if k.startswith("faq_")}
        assert all(v == {"train": 2, "valid": 0, "test": 0, "total": 2, "target": 300}
                   for v in small.values()), small
    # an intent of ten sentences still holds some out
    lines = ["@big"] + [f"{{location}} 큰 요청 {i}" for i in range(12)] + ["@ten"] + [f"열 개 중 {i}번" for i in range(10)]
    (tmp_path / "p.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = generate(tmp_path / "p.txt", tmp_path / "d.csv", tmp_path / "ten", seed=13, progress=False)
    assert report["per_intent"]["ten"] == {"train": 8, "valid": 1, "test": 1, "total": 10, "target": 300}
