"""nlukit — Korean conversational NLU: patterns and dictionaries to a working chatbot.

``import nlukit`` is fast: torch, gensim, MeCab and Flask load only where used.

>>> import nlukit
>>> nlukit.__version__ == nlukit.VERSION
True

The functions below import their module on first call. Their signatures and docstrings
are the real functions' (``help(nlukit.train)``, ``inspect.signature``, type checkers);
``tests/test_api.py`` holds them equal.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    from .generate.dictionary import Dictionary
    from .generate.grammar import Patterns
    from .nlu import NLU
    from .retrain import RetrainResult
    from .versions import PruneResult, SwitchResult, VersionInfo


def load(path: str | os.PathLike[str], *, tokenizer: str | None = None, verify: bool = True,
         threads: int | None = None, resolve: Mapping[str, str] | None = None) -> NLU:
    """Load a bundle: a model store (follows ``current``) or one version directory.

    ``tokenizer`` (optional) must match the bundle's; ``verify`` checks every file's
    sha256 against ``meta.json``. ``threads`` sets torch's intra-op threads.
    ``resolve`` maps entity types to ``"time"``, ``"date"``, ``"money"`` or ``"count"``: their
    entities get ``resolved`` values (:mod:`nlukit.temporal`); by default the types named ``time``
    and ``date``, ``amount`` and ``money`` as won, and ``count``, ``quantity``, ``party_size`` and
    ``headcount`` as counts (``{"people": "count"}`` for another); ``{}`` for none.

    See :func:`nlukit.nlu.load`.
    """
    from .nlu import load as _load
    return _load(path, tokenizer=tokenizer, verify=verify, threads=threads, resolve=resolve)


def generate(patterns: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Patterns,
             dicts: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Dictionary,
             out: str | os.PathLike[str], *, per_intent: int = 300, seed: int = 13,
             split: str = "template", valid_ratio: float = 0.1, test_ratio: float = 0.1,
             augment: Sequence[str] = (), force: bool = False, progress: bool = True,
             tokenizer: str = "mecab") -> dict[str, Any]:
    """Generate a dataset directory from patterns and dictionaries; return the report.

    ``patterns``/``dicts`` are paths (file or folder), lists of them, or already-loaded objects.
    ``per_intent`` counts all three splits together; ``valid_ratio``/``test_ratio`` of it
    go to valid/test. ``augment=("spacing",)`` gives about half the sentences one
    spacing change (a space dropped outside entities, or a particle detached from
    its entity) within the same budget, spans kept exact; ``"numerals"`` writes the
    counted digits inside the entities of about 30 % of the sentences as Korean number
    words (``오후 3시 반`` → ``오후 세 시 반``), values unchanged. The report is also written
    to ``report.json`` (plus ``out``, ``seconds`` and ``sentences_per_second`` here).

    Files: ``{train,valid,test}.jsonl`` (one :class:`~nlukit.types.Example` per line),
    ``*.iob.csv`` (``sentence_id,token,pos,tag``; the id is the 0-based line of the
    sentence in the split's JSONL; tokens are the tokenizer's morphemes, split where an
    entity edge falls inside one), ``*.txt`` (one sentence a line), ``dataset.json``,
    ``dictionary.json``, ``report.json`` and ``patterns.txt`` (every pattern line used, one file,
    so that a model trained on the dataset can be retrained from new dictionaries).

    See :func:`nlukit.generate.generator.generate` (with an example).
    """
    from .generate.generator import generate as _generate
    return _generate(patterns, dicts, out, per_intent=per_intent, seed=seed, split=split,
                     valid_ratio=valid_ratio, test_ratio=test_ratio, augment=augment, force=force,
                     progress=progress, tokenizer=tokenizer)


def train(data_dir: str, out: str, *, config: str | Mapping[str, Any] | None = None,
          overrides: Iterable[str] | Mapping[str, Any] | None = None, corpus: str | None = None,
          force: bool = False, progress: bool = True, name: str | None = None,
          switch: bool = True, warm_start: str | None = None,
          before_commit: Callable[[dict[str, Any], dict[str, Any], Any, list[Any]], None] | None = None
          ) -> str:
    """Train a model bundle from the dataset ``data_dir`` into the model store ``out``.

    Returns the new version directory. ``out`` must be new, or (with ``force``) an
    existing model store, which then gets a new version; ``current`` moves to it only
    after everything was written and checked. ``config`` is a TOML path or mapping;
    ``overrides`` are ``"section.key=value"`` strings.

    The bundle keeps what a retraining needs: ``dicts/dictionary.json``,
    ``patterns/patterns.txt`` and ``generation.json`` (when the dataset records them).
    ``warm_start`` (a version directory) starts the models from its weights, see
    :func:`fit_components`. ``before_commit(meta, report, components, results)`` may add to
    the meta and the test report before they are written (``nlukit retrain`` does);
    ``results`` are the new model's parses of the scored split.

    See :func:`nlukit.train.train`.
    """
    from .train import train as _train
    return _train(data_dir, out, config=config, overrides=overrides, corpus=corpus, force=force,
                  progress=progress, name=name, switch=switch, warm_start=warm_start,
                  before_commit=before_commit)


def retrain(model: str, dicts: str, *, patterns: str | None = None, force: bool = False,
            overrides: Iterable[str] | None = None, seed: int | None = None,
            tolerance: float = 0.005, significance: float = 0.05,
            warm: bool = True, data_out: str | None = None, progress: bool = True,
            stories: str | None = None, scenarios: str | None = None) -> RetrainResult:
    """Retrain the model store ``model`` from the dictionaries ``dicts`` (see the module doc).

    ``patterns`` replaces the bundle's patterns (needed for bundles that do not keep
    them). ``force`` trains even without a change and moves ``current`` even when the
    new model is worse. ``overrides``/``seed`` change the bundle's training config
    (``seed`` is the training seed; the data keep their recorded generation seed).
    ``warm=False`` trains from scratch (for comparison). ``data_out`` keeps the
    regenerated dataset there. A compared figure is worse when it drops by more than
    ``tolerance`` and the paired test (:func:`paired_test`) on the same test sentences
    gives p < ``significance`` (1.0 drops the test: the tolerance alone decides).
    ``stories`` (a story file, :mod:`nlukit.bot.stories`, with the bot's ``scenarios``) are
    played by the old and the new model; a story the old one passes and the new one fails
    keeps ``current`` where it is too.

    See :func:`nlukit.retrain.retrain`.
    """
    from .retrain import retrain as _retrain
    return _retrain(model, dicts, patterns=patterns, force=force, overrides=overrides, seed=seed,
                    tolerance=tolerance, significance=significance, warm=warm, data_out=data_out,
                    progress=progress, stories=stories, scenarios=scenarios)


def list_versions(store: str, *, verify: bool = False) -> list[VersionInfo]:
    """Every version folder of ``store``, oldest first, ``current`` marked.

    A folder without a readable ``meta.json`` is listed as ``damaged`` and one this nlukit
    cannot load (newer bundle format, another major version, missing tokenizer) as
    ``incompatible``; ``verify=True`` also checks every file's sha256 (slower: it reads
    every weight file). Hidden folders (a training in progress, an interrupted prune)
    are not versions and are left out.

    See :func:`nlukit.versions.list_versions`.
    """
    from .versions import list_versions as _list
    return _list(store, verify=verify)


def use_version(store: str, version: str) -> SwitchResult:
    """Point ``store/current`` at ``version`` after checking it fully; return old and new.

    ``version`` is a version folder's name, or ``"previous"``: the newest version older
    than the current one that passes the check (a roll back; run it again to go further
    back). The version must pass :func:`~nlukit.bundle.check_bundle` with every file's
    sha256 verified, else a :class:`BundleError` names the cause and ``current`` stays.

    See :func:`nlukit.versions.use_version`.
    """
    from .versions import use_version as _use
    return _use(store, version)


def prune_versions(store: str, keep: int, *, dry_run: bool = False) -> PruneResult:
    """Delete all but the ``keep`` newest version folders of ``store``, never ``current``.

    ``current`` is kept in addition when it is older than those. Folders listed as
    ``damaged`` (no readable ``meta.json``: not loadable, whatever their age) do not count
    among the ``keep`` and are deleted too, unless ``current`` names one — but a folder
    holding nothing a bundle has (no ``meta.json``, component folder or ``*.pt``: a user's
    own ``notes/``) is never deleted: it is listed in ``foreign``. Each folder is
    renamed to a hidden name in the store first, then removed, so a crash never leaves a
    half-deleted folder that looks like a version; leftovers of an interrupted prune are
    removed too.
    ``dry_run=True`` only says what would go.

    See :func:`nlukit.versions.prune_versions`.
    """
    from .versions import prune_versions as _prune
    return _prune(store, keep, dry_run=dry_run)
