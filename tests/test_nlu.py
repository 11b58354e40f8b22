"""The runtime API on a tiny model trained from the hand-written fixture.

Given the 32-sentence fixture (weather, train_ticket, greeting; location with
origin/destination roles, date; synonyms 서울시→서울, 낼→내일), a tiny model is
trained once per module until it fits the training set.
"""
from __future__ import annotations

import datetime
import os
import shutil
import threading
import unicodedata

import pytest

import nlukit
from nlukit.dataset import load_dataset
from nlukit.errors import InputError, TextTooLongError
from nlukit.nlu import NLU

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "model")
TINY = os.path.join(FIXTURE, "tiny.toml")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The fixture with valid = train, so early stopping keeps weights that fit all of train."""
    d = tmp_path_factory.mktemp("data") / "fit"
    shutil.copytree(FIXTURE, d)
    shutil.copy(d / "train.jsonl", d / "valid.jsonl")
    return str(d)


@pytest.fixture(scope="module")
def nlu(data_dir: str, tmp_path_factory: pytest.TempPathFactory) -> NLU:
    store = tmp_path_factory.mktemp("models") / "tiny"
    nlukit.train(data_dir, str(store), config=TINY, progress=False)
    return nlukit.load(str(store))


def _decisions(results: list) -> list[dict]:
    """What a caller acts on: intent, ranking order, spans, labels, values (no scores)."""
    return [{"intent": r.intent.name if r.intent else None, "order": [x.name for x in r.ranking],
             "entities": [(e.entity, e.role, e.start, e.end, e.text, e.value) for e in r.entities]}
            for r in results]


def _scores(results: list) -> list[float]:
    return [x for r in results for x in [s.confidence for s in r.ranking]
            + [e.confidence for e in r.entities]]


def _spans(items) -> list[tuple]:
    return sorted((s.start, s.end, s.entity, s.role, s.value) for s in items)


def test_should_parse_every_training_sentence_right(nlu: NLU, data_dir: str) -> None:
    wrong = []
    for ex in load_dataset(data_dir).train:
        r = nlu.parse(ex.text)
        if r.intent.name != ex.intent or _spans(r.entities) != _spans(ex.entities):
            wrong.append((ex.text, r.intent.name, _spans(r.entities)))
    assert wrong == []


def test_should_exclude_particles_and_report_original_offsets(nlu: NLU) -> None:
    text = "내일 서울에서 부산으로 가는 기차 예매해줘"
    r = nlu.parse(text)
    assert r.intent.name == "train_ticket"
    got = {(e.role, e.text, e.start, e.end) for e in r.entities if e.entity == "location"}
    assert got == {("origin", "서울", 3, 5), ("destination", "부산", 8, 10)}
    assert all(text[e.start:e.end] == e.text for e in r.entities)


def test_should_map_spans_back_over_a_zero_width_char_before_the_entity(nlu: NLU) -> None:
    text = "내일\u200b 서울에서 부산으로 가는 기차 예매해줘"
    r = nlu.parse(text)
    origin = next(e for e in r.entities if e.role == "origin")
    assert (origin.start, origin.end, origin.text) == (4, 6, "서울")
    assert r.text == text


def test_should_map_spans_back_over_nfd_text(nlu: NLU) -> None:
    text = unicodedata.normalize("NFD", "내일 서울에서 부산으로 가는 기차 예매해줘")
    r = nlu.parse(text)
    dest = next(e for e in r.entities if e.role == "destination")
    assert dest.text == text[dest.start:dest.end]
    assert unicodedata.normalize("NFC", dest.text) == "부산" and dest.value == "부산"


def test_should_canonicalise_synonyms(nlu: NLU) -> None:
    r = nlu.parse("서울시 낼 날씨 알려줘")
    got = {(e.entity, e.text, e.value) for e in r.entities}
    assert ("location", "서울시", "서울") in got and ("date", "낼", "내일") in got


def test_should_fall_back_on_gibberish_and_still_rank_real_intents(nlu: NLU) -> None:
    r = nlu.parse("qwzx plmk vbnr")
    assert r.intent.name == nlu.fallback_intent == "fallback"
    assert {s.name for s in r.ranking} == set(nlu.intents) == {"greeting", "train_ticket", "weather"}
    assert r.ranking[0].confidence < nlu.threshold
    # the fallback's confidence is what the best intent lacks, unrounded like every other score
    assert r.intent.confidence == 1.0 - r.ranking[0].confidence


def test_should_rank_every_intent_best_first_with_scores_summing_to_one(nlu: NLU) -> None:
    r = nlu.parse("안녕하세요")
    scores = [s.confidence for s in r.ranking]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 1e-4
    assert r.intent == r.ranking[0]


def test_should_return_an_empty_result_for_empty_or_blank_text(nlu: NLU) -> None:
    for text in ("", "   ", "\u200b", "\n\t"):
        r = nlu.parse(text)
        assert r.intent is None and r.entities == () and r.ranking == () and r.text == text


def test_should_refuse_a_non_string_with_a_clear_error(nlu: NLU) -> None:
    for bad in (None, 3, b"\xec\x84\x9c", ["서울"]):
        with pytest.raises(InputError, match="str"):
            nlu.parse(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        nlu.parse_batch(["서울", None])  # type: ignore[list-item]


def test_should_refuse_an_over_long_text_naming_the_limit(nlu: NLU) -> None:
    with pytest.raises(TextTooLongError, match=str(nlu.max_text_length)):
        nlu.parse("가" * (nlu.max_text_length + 1))
    assert nlu.parse("가" * nlu.max_text_length).intent is not None


BATCH_TEXTS = ["서울 날씨 내일 어때", "", "서울시 낼 날씨 알려줘", "qwzx", "안녕하세요 좋은 아침이에요",
               "내일\u200b 서울에서 부산으로 가는 기차 예매해줘", "모레 광주에서 서울로 가는 기차표 예약해줘"]


def test_should_give_the_same_results_in_a_batch_as_one_by_one(nlu: NLU) -> None:
    single = [nlu.parse(t) for t in BATCH_TEXTS]
    assert _decisions(nlu.parse_batch(BATCH_TEXTS)) == _decisions(single)
    size, nlu.batch_size = nlu.batch_size, 3  # chunking must not change anything either
    try:
        assert _decisions(nlu.parse_batch(BATCH_TEXTS)) == _decisions(single)
    finally:
        nlu.batch_size = size


def test_should_give_the_same_scores_in_a_batch_as_one_by_one(nlu: NLU) -> None:
    single = [nlu.parse(t) for t in BATCH_TEXTS]
    assert _scores(nlu.parse_batch(BATCH_TEXTS)) == pytest.approx(_scores(single), abs=1e-5)


def test_should_parse_safely_from_many_threads(nlu: NLU) -> None:
    texts = ["서울시 낼 날씨 알려줘", "내일 서울에서 부산으로 가는 기차 예매해줘", "안녕하세요"] * 10
    expected = [nlu.parse(t).to_dict() for t in texts]
    results: dict[int, list] = {}

    def work(k: int) -> None:
        results[k] = [nlu.parse(t).to_dict() for t in texts]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k] == expected for k in range(4))


NAUGHTY = [
    "'", '"', "\\", "\\0", "<script>alert(1)</script>", "'; DROP TABLE users; --", "%s%s%n",
    "{location}", "[서울](location)", "()", "ㅋㅋㅋㅋㅋㅋ", "ㅏㅏㅏ", "\u1100\u1161", "\u0301서울",
    "서울\u0301", "🙂🙂 서울 🚄", "👨‍👩‍👧", "\ufeff\ufeff", "\u202e서울", "\x00\x01\x02",
    "　", "Ｓｅｏｕｌ", "１２３", "서" * 300, "서울 " * 200, "\ud800", "NaN", "-1", "0.0",
    "이모지만🙂", "ㄱ", "ᄀ", "\r\n\r\n", "서\t울", "서\n울에서 부\r\n산으로", "Ω≈ç√∫",
]


@pytest.mark.parametrize("text", NAUGHTY)
def test_should_never_crash_on_naughty_strings(nlu: NLU, text: str) -> None:
    r = nlu.parse(text)
    for e in r.entities:
        assert 0 <= e.start < e.end <= len(text)
        assert text[e.start:e.end] == e.text
    assert r.to_dict()["text"] == text


def test_should_load_the_version_folder_directly_and_agree(nlu: NLU) -> None:
    again = nlukit.load(nlu.path)
    text = "내일 서울에서 부산으로 가는 기차 예매해줘"
    assert again.parse(text).to_dict() == nlu.parse(text).to_dict()
    assert again.meta["version"] == os.path.basename(nlu.path)


def test_should_expose_intents_entity_types_and_dictionary(nlu: NLU) -> None:
    assert nlu.intents == ("greeting", "train_ticket", "weather")
    assert nlu.entity_types == ("date", "location")
    assert nlu.canonical("location", "서울특별시") == "서울"
    assert nlu.canonical("location", "목포") == "목포"
    d = nlu.dictionary
    assert d.canonical("location", "서울시") == "서울"


@pytest.mark.parametrize("today", ["2026-11-25", 20261125])
def test_should_refuse_a_today_that_is_not_a_date(nlu: NLU, today: object) -> None:
    # the REST field's form passed straight through crashed with a TypeError, only on dates
    with pytest.raises(InputError, match="today"):
        nlu.parse("내일 서울 날씨", today=today)
    for texts in (["내일 서울 날씨"], ["내일 서울 날씨"] * 5):  # one by one, and the batched path
        with pytest.raises(InputError, match="today"):
            nlu.parse_batch(texts, today=today)


def test_should_read_a_datetime_as_its_date(nlu: NLU) -> None:
    now = datetime.datetime(2026, 11, 25, 10, 30)
    r = nlu.parse("내일 서울 날씨", today=now)
    dates = [e.resolved for e in r.entities if e.entity == "date"]
    assert dates == [{"kind": "date", "value": "2026-11-26"}]
    batch = nlu.parse_batch(["내일 서울 날씨"] * 5, today=now)
    assert all([e.resolved for e in b.entities if e.entity == "date"] == dates for b in batch)


def test_should_fall_back_on_laughter_crying_and_signs_alone(nlu: NLU, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a model that never falls back on its own (threshold 0)
    monkeypatch.setattr(nlu, "threshold", 0.0)
    noise = ["ㅋㅋㅋ", "ㅎㅎ", "ㅠㅠ", "ㅜㅜㅜ", "^^;", "ㅡㅡ", "ㅋㅋ ㅋㅋ!!", "...", "ㅠㅅㅠ", "♥"]
    # Then a text made only of them is no request, one by one and in a batch
    assert {nlu.parse(t).intent.name for t in noise} == {"fallback"}
    assert {r.intent.name for r in nlu.parse_batch(noise)} == {"fallback"}
    # while a request with them around it is still read, and so is an abbreviation
    assert nlu.parse("안녕하세요 ㅎㅎ").intent.name == "greeting"
    assert nlu.parse("서울 날씨 알려줘 ㅋㅋ").intent.name == "weather"
    assert nlu.parse("ㄳ").intent.name != "fallback"


def test_should_end_a_span_cut_short_of_a_dictionary_word_where_the_word_ends(nlu: NLU, monkeypatch) -> None:
    # Given a tagger that cuts 서울특별시 after 서울특 (MeCab can split a word the dictionary lists whole)
    cuts = {"서울특별시 날씨 알려줘": [(0, 3, "location", None, 0.9)], "서 날씨": [(0, 1, "location", None, 0.8)],
            "서울시청 가는 길": [(0, 2, "location", None, 0.9)]}
    monkeypatch.setattr(nlu._tagger, "predict", lambda items, validate=False: [cuts[t] for t, _ in items])
    # Then a span the dictionary does not know ends where the dictionary's word ends
    [e] = nlu.parse("서울특별시 날씨 알려줘").entities
    assert (e.text, e.value, e.start, e.end) == ("서울특별시", "서울", 0, 5)
    [e] = nlu.parse("서 날씨").entities        # nothing of the dictionary starts there: as tagged
    assert (e.text, e.end) == ("서", 1)
    # a span the dictionary knows stays as tagged (서울 is a value: not stretched to 서울시청's 서울시)
    [e] = nlu.parse("서울시청 가는 길").entities
    assert (e.text, e.value) == ("서울", "서울")


def test_should_end_a_span_run_past_a_dictionary_word_where_the_word_ends(nlu: NLU, monkeypatch) -> None:
    # Given a tagger that runs 부산 on into the next word (부산 플레이리스트), and 서울 on into 부산
    cuts = {"부산 플레이리스트 틀어줘": [(0, 9, "location", None, 0.9)], "서울 부산 날씨": [(0, 5, "location", None, 0.9)]}
    monkeypatch.setattr(nlu._tagger, "predict", lambda items, validate=False: [cuts[t] for t, _ in items])
    # Then the span ends with the dictionary word when the word after it is not one
    [e] = nlu.parse("부산 플레이리스트 틀어줘").entities
    assert (e.text, e.value, e.end) == ("부산", "부산", 2)
    # but two dictionary words stay as tagged: 서울 부산 may be one name the dictionary lacks
    [e] = nlu.parse("서울 부산 날씨").entities
    assert (e.text, e.end) == ("서울 부산", 5)


def test_should_end_a_span_of_a_dictionary_word_at_the_longer_word_it_goes_on_into(nlu: NLU, monkeypatch) -> None:
    # author14: 헬스장이랑 독서실 was tagged [헬스]장이랑 (헬스 and 헬스장 both listed): the 장 between
    # the two values made them no list, and the message was split into two bookings
    cuts = {"서울시로 가는 기차": [(0, 2, "location", None, 0.9)], "부산시랑 서울": [(0, 2, "location", None, 0.9),
                                                                        (5, 7, "location", None, 0.9)],
            "서울시청 가는 길": [(0, 2, "location", None, 0.9)], "서울 시내": [(0, 2, "location", None, 0.9)]}
    monkeypatch.setattr(nlu._tagger, "predict", lambda items, validate=False: [cuts[t] for t, _ in items])
    # Then the span takes the longer dictionary word when it ends the word or a particle follows
    [e] = nlu.parse("서울시로 가는 기차").entities
    assert (e.text, e.value, e.start, e.end) == ("서울시", "서울", 0, 3)
    assert [(e.text, e.end) for e in nlu.parse("부산시랑 서울").entities] == [("부산시", 3), ("서울", 7)]
    # and not when the word goes on past it (서울시청) or the span ends its word (서울 시내)
    assert [e.text for e in nlu.parse("서울시청 가는 길").entities] == ["서울"]
    assert [e.text for e in nlu.parse("서울 시내").entities] == ["서울"]


def test_should_leave_a_particle_the_tagger_ran_into_out_of_the_span(nlu: NLU, monkeypatch) -> None:
    # Given a tagger that never saw a particle after a value (Kochat data) and tags 서울에서 whole
    cuts = {"서울에서 날씨 알려줘": [(0, 4, "location", None, 0.9)], "부산으로 가는 기차": [(0, 4, "location", None, 0.9)],
            "서울역 가는 길": [(0, 3, "location", None, 0.9)]}
    monkeypatch.setattr(nlu._tagger, "predict", lambda items, validate=False: [cuts[t] for t, _ in items])
    # Then the particle is no part of the span (DESIGN: a particle is never inside a span)
    [e] = nlu.parse("서울에서 날씨 알려줘").entities
    assert (e.text, e.value, e.start, e.end) == ("서울", "서울", 0, 2)
    [e] = nlu.parse("부산으로 가는 기차").entities
    assert (e.text, e.value, e.end) == ("부산", "부산", 2)
    # while a word that goes on past a value without a particle stays as tagged (역 is no particle)
    [e] = nlu.parse("서울역 가는 길").entities
    assert e.text == "서울역"


def test_should_not_ask_the_intent_model_about_memorised_sentences(nlu: NLU, data_dir: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Given training sentences (memorised) among new ones, and the plain reading of the memory:
    # the model's result with the ranking replaced by the memorised intent alone
    import copy

    from nlukit.nlu import memory_key
    taught = [ex.text for ex in load_dataset(data_dir).train[:6]]
    texts = [t for pair in zip(taught, BATCH_TEXTS, strict=False) for t in pair]
    assert all(memory_key(t) in nlu._memory for t in taught)
    forgetful = copy.copy(nlu)
    forgetful._memory = {}
    plain = []
    for t in texts:
        r = forgetful.parse(t)
        hit = nlu._memory.get(memory_key(t))
        if hit is not None:
            ranking = nlu._taught_ranking(hit)
            r = nlukit.ParseResult(r.text, ranking[0], r.entities, ranking)
        plain.append(r)
    asked: list[str] = []
    predict_proba = nlu._intent.predict_proba
    monkeypatch.setattr(nlu._intent, "predict_proba", lambda items, *a: asked.extend(t for t, _ in items)
                        or predict_proba(items, *a))
    # When they are parsed in a batch and one by one
    batch = nlu.parse_batch(texts)
    single = [nlu.parse(t) for t in texts]
    # Then the model read only the new ones, and the results are the plain ones
    assert asked and not {memory_key(t) for t in asked} & {memory_key(t) for t in taught}
    assert _decisions(batch) == _decisions(single) == _decisions(plain)
    assert _scores(batch) == pytest.approx(_scores(plain), abs=1e-5)
    assert _scores(single) == pytest.approx(_scores(plain), abs=1e-5)
