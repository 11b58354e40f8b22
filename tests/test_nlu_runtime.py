"""Runtime pieces that need no model: the normalize() fast path and value canonicalisation."""
from __future__ import annotations

import random
import unicodedata

import pytest

from nlukit.nlu import Canonicalizer
from nlukit.text import _normalize_chars, normalize

SAMPLES = ["내일 서울에서 부산으로 가는 기차 예매해줘", "", " ", "\u0301서울", "Ｓｅｏｕｌ", "서울\u00a0날씨",
           "a\u200bb", unicodedata.normalize("NFD", "서울 날씨"), "🙂👨\u200d👩\u200d👧", "\ue000x", "\u0378",
           "서\t울\r\n", "\ud800", "\u202e서울", "\u3000안녕"]


def test_should_give_the_same_result_on_the_fast_path_as_the_character_loop() -> None:
    rng = random.Random(7)
    samples = list(SAMPLES)
    for _ in range(3000):
        samples.append("".join(chr(rng.choice([rng.randint(0, 0x2fff), rng.randint(0xac00, 0xd7a3),
                                               rng.randint(0x1100, 0x11ff), rng.randint(0x300, 0x36f)]))
                               for _ in range(rng.randint(0, 8))))
    for s in samples:
        assert normalize(s) == _normalize_chars(s), repr(s)
        assert hash(normalize(s)) == hash(_normalize_chars(s)), repr(s)


@pytest.mark.parametrize("surface,value", [("서울시", "서울"), ("서울 특별시", "서울"), ("서울특별시", "서울"),
                                           ("SEOUL", "서울"), ("서울", "서울"), ("목포", "목포")])
def test_should_canonicalise_synonyms_ignoring_case_and_spacing(surface: str, value: str) -> None:
    c = Canonicalizer({"location": {"서울": ["서울시", "서울특별시", "Seoul"], "부산": []}})
    assert c("location", surface) == value


def test_should_keep_a_value_itself_even_when_listed_as_a_synonym_of_another() -> None:
    c = Canonicalizer({"location": {"광주": ["광주시"], "광주시": []}})
    assert c("location", "광주시") == "광주시"
    assert c("date", "광주") == "광주"  # another entity type: unknown, returned as typed


def test_should_refuse_a_single_string_in_parse_batch() -> None:
    from nlukit.errors import InputError
    from nlukit.nlu import NLU

    class Stub:
        labels_ = ["a", "b"]
        threshold_ = 0.0

    nlu = NLU(Stub(), None, {})
    with pytest.raises(InputError, match="use parse"):
        nlu.parse_batch("서울 날씨")


def test_should_raise_in_parse_batch_what_the_first_bad_text_raises() -> None:
    from nlukit.errors import InputError, TextTooLongError
    from nlukit.nlu import NLU

    class Stub:
        labels_ = ["a", "b"]
        threshold_ = 0.0

    nlu = NLU(Stub(), None, {}, max_text_length=5)
    # texts are checked before any is tokenised: the error is the first bad text's, as one by one
    with pytest.raises(InputError, match="takes a str"):
        nlu.parse_batch(["좋아", 3, "서울 날씨 알려줘"])
    with pytest.raises(TextTooLongError):
        nlu.parse_batch(["좋아", "서울 날씨 알려줘", 3])


def test_should_give_back_the_garbage_collector_as_it_was_after_a_batch() -> None:
    import gc
    import threading

    from nlukit.nlu import _gc_paused

    # Given the collector enabled, When batches run (nested, from several threads, one failing)
    assert gc.isenabled()
    seen: list[bool] = []

    def batch() -> None:
        with _gc_paused(), _gc_paused():
            seen.append(gc.isenabled())

    threads = [threading.Thread(target=batch) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with pytest.raises(ValueError), _gc_paused():
        raise ValueError("a failing batch")
    # Then it was paused inside each and is enabled again afterwards
    assert seen == [False] * 8 and gc.isenabled()
    # And a collector the caller disabled stays disabled
    gc.disable()
    try:
        with _gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Unsure:
    """An intent model that is never sure: every intent equally likely."""
    labels_ = ["goodbye", "thanks", "weather"]
    threshold_ = 0.5

    def predict_proba(self, items):
        import numpy as np
        return np.full((len(items), 3), 1 / 3)


def test_should_give_a_training_sentence_typed_again_its_intent_however_unsure_the_model_is() -> None:
    from nlukit.nlu import NLU
    nlu = NLU(_Unsure(), None, {}, memory={"바이": "goodbye", "땡큐": "thanks", "ㅇㅇ": "unknown_intent"})
    for text in ("바이", "바이~!", " 바이 ", "바이^^"):
        r = nlu.parse(text)
        assert (r.intent.name, r.intent.confidence) == ("goodbye", 1.0), text
        assert [(s.name, s.confidence) for s in r.ranking] == [("goodbye", 1.0), ("thanks", 0.0),
                                                                ("weather", 0.0)]
    assert nlu.parse("바이 바이").intent.name == "fallback"        # not a training sentence
    assert nlu.parse("ㅇㅇ").intent.name == "fallback"              # an intent the model lacks
    batch = nlu.parse_batch(["땡큐!", "비 와?", "바이", "땡큐"])
    assert [r.intent.name for r in batch] == ["thanks", "fallback", "goodbye", "thanks"]
    assert batch == [nlu.parse(t) for t in ["땡큐!", "비 와?", "바이", "땡큐"]]
    assert NLU(_Unsure(), None, {}).parse("바이").intent.name == "fallback"   # no memory


def test_should_leave_out_of_the_memory_a_sentence_taught_as_two_intents() -> None:
    from nlukit.nlu import build_memory, memory_key
    memory = build_memory([("좋아!", "thanks"), ("좋아", "music"), ("좋아", "thanks"), ("바이", "goodbye"),
                           ("!!!", "thanks")])
    assert memory == {"바이": "goodbye"}
    assert memory_key("Hello, World_2") == "helloworld2"
