"""nlukit — Korean conversational NLU: patterns and dictionaries to a working chatbot.

``import nlukit`` is fast: torch, gensim, MeCab and Flask load only where used.

>>> import nlukit
>>> nlukit.__version__ == nlukit.VERSION
True
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import NlukitError
from .types import Entity, Example, IntentScore, ParseResult, Span, Token

__version__ = VERSION = "0.1.0"
# Version of the on-disk model bundle layout, separate from the package version.
BUNDLE_FORMAT_VERSION = 1

__all__ = ["Entity", "Example", "IntentScore", "NlukitError", "ParseResult", "Span", "Token",
           "__version__", "generate", "list_versions", "load", "prune_versions", "retrain", "train",
           "use_version"]

if TYPE_CHECKING:  # pragma: no cover
    from .nlu import NLU


def load(path: str, **kwargs: Any) -> NLU:
    """Load a trained model bundle (a version directory, or a folder with ``current``)."""
    from .nlu import load as _load
    return _load(path, **kwargs)


def generate(*args: Any, **kwargs: Any) -> Any:
    """Expand patterns and dictionaries into a dataset; see :func:`nlukit.generate.generate`."""
    from .generate import generate as _generate
    return _generate(*args, **kwargs)


def train(*args: Any, **kwargs: Any) -> Any:
    """Train a model bundle from a dataset; see :func:`nlukit.train.train`."""
    from .train import train as _train
    return _train(*args, **kwargs)


def retrain(*args: Any, **kwargs: Any) -> Any:
    """Retrain a model store from new dictionaries (and patterns), warm-started from its
    current weights; see :func:`nlukit.retrain.retrain`."""
    from .retrain import retrain as _retrain
    return _retrain(*args, **kwargs)


def list_versions(store: str, **kwargs: Any) -> Any:
    """The versions of a model store, oldest first, ``current`` marked, damaged ones said so;
    see :func:`nlukit.versions.list_versions`."""
    from .versions import list_versions as _list
    return _list(store, **kwargs)


def use_version(store: str, version: str) -> Any:
    """Switch a model store's ``current`` to ``version`` (or ``"previous"``) once it passes the
    full check; see :func:`nlukit.versions.use_version`."""
    from .versions import use_version as _use
    return _use(store, version)


def prune_versions(store: str, keep: int, **kwargs: Any) -> Any:
    """Delete all but the ``keep`` newest versions of a model store, never ``current``;
    see :func:`nlukit.versions.prune_versions`."""
    from .versions import prune_versions as _prune
    return _prune(store, keep, **kwargs)
