"""Bad hyperparameter values are a ConfigError naming the key, not a traceback deep in torch."""
from __future__ import annotations

import pytest

from nlukit.errors import ConfigError

TWO = [("서울 날씨", [], "weather"), ("알람 맞춰줘", [], "alarm")]


@pytest.mark.parametrize("value", ["abc", "0.5x", [0.5], True])
def test_should_refuse_a_threshold_that_is_not_a_number(value):
    # Given --set intent.threshold=abc (a default of None lets the raw string through)
    from nlukit.models.intent import IntentClassifier
    # When fitting, Then the intent check names the key instead of a ValueError traceback
    with pytest.raises(ConfigError, match="threshold"):
        IntentClassifier(threshold=value, epochs=1, threads=1).fit(TWO, progress=False)


@pytest.mark.parametrize("key,value", [("hidden", 0), ("epochs", -1), ("layers", 0), ("batch_size", 0)])
def test_should_refuse_tagger_sizes_below_one(key, value):
    # Given --set tagger.hidden=0 (a torch ValueError traceback) or tagger.epochs=-1 (an
    # untrained tagger saved as the model, entity F1 0.05, without a word)
    pytest.importorskip("torch")
    from nlukit.errors import ModelError
    from nlukit.models.tagger import EntityTagger
    from nlukit.text import analyze
    from nlukit.types import Span
    norm, toks = analyze("서울 날씨")
    items = [(norm.text, toks, [Span(0, 2, "location", "서울", None)])]
    # When fitting, Then the error names the key before any training
    with pytest.raises(ModelError, match=key):
        EntityTagger(**{key: value, "device": "cpu"}).fit(items, items, {}, progress=False)


@pytest.mark.parametrize("key,value", [("dim", 0), ("epochs", -1)])
def test_should_refuse_embedding_sizes_below_one(key, value):
    # Given --set word2vec.dim=0: a shape-mismatch traceback in the intent CNN later on
    from nlukit.errors import ModelError
    from nlukit.models.embeddings import train_embeddings
    with pytest.raises(ModelError, match=key):
        train_embeddings([["서울", "날씨"]], **{key: value})
