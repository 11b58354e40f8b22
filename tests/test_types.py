"""The result types users hold on to: immutable, comparable, with Rasa's field names."""
from __future__ import annotations

import dataclasses

import pytest

from nlukit.types import Entity, IntentScore, ParseResult


def _result() -> ParseResult:
    e = Entity(entity="location", value="서울", text="서울시", start=0, end=3, confidence=0.9,
               role="origin")
    return ParseResult(text="서울시에서", intent=IntentScore("train_ticket", 0.8), entities=(e,),
                       ranking=(IntentScore("train_ticket", 0.8), IntentScore(name="weather", confidence=0.2)))


@pytest.mark.parametrize("obj, field", [
    (IntentScore("a", 0.5), "confidence"),
    (_result().entities[0], "value"),
    (_result(), "intent"),
])
def test_should_refuse_to_change_a_result_after_it_is_made(obj: object, field: str) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, None)


def test_should_compare_hash_and_replace_like_frozen_dataclasses() -> None:
    a, b = _result(), _result()
    assert a == b and hash(a.entities[0]) == hash(b.entities[0])
    # role, then resolved, come after the positional six: older positional calls still work
    assert [f.name for f in dataclasses.fields(Entity)][-2:] == ["role", "resolved"]
    when = Entity("time", "3시", "세 시", 0, 3, 0.9, None, {"kind": "time", "value": "03:00"})
    assert hash(when) == hash(dataclasses.replace(when, resolved=None))   # a dict inside still hashes
    assert when != dataclasses.replace(when, resolved=None)
    moved = dataclasses.replace(a.entities[0], start=1)
    assert moved.start == 1 and a.entities[0].start == 0
    assert Entity("date", "내일", "낼", 0, 1, 1.0).role is None
    assert ParseResult(text="", intent=None).entities == () == ParseResult("", None).ranking


def test_should_give_rasa_field_names_in_to_dict() -> None:
    d = _result().to_dict()
    assert d["intent"] == {"name": "train_ticket", "confidence": 0.8}
    assert d["entities"][0]["confidence_entity"] == 0.9 and d["entities"][0]["role"] == "origin"
    assert [r["name"] for r in d["intent_ranking"]] == ["train_ticket", "weather"]


def test_should_pickle_copy_and_build_intent_scores_as_the_constructor_does() -> None:
    import copy
    import pickle
    import weakref

    from nlukit.types import _build_intent_scores
    # Given scores made one by one and the batch parse's way
    made = [IntentScore("weather", 0.75), IntentScore("alarm", 0.25)]
    built = _build_intent_scores(["weather", "alarm"], [0.75, 0.25])
    # Then they are equal, hash, print, pickle and copy alike, and weak references still work
    assert built == made and [hash(s) for s in built] == [hash(s) for s in made]
    assert repr(built) == repr(made) and [type(s) for s in built] == [IntentScore, IntentScore]
    assert pickle.loads(pickle.dumps(_result())) == _result()
    assert copy.deepcopy(built) == made and copy.copy(made[0]) == made[0]
    assert weakref.ref(made[0])() is made[0]
    with pytest.raises(ValueError):
        _build_intent_scores(["weather"], [])
