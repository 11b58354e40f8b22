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
