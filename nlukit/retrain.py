"""Retraining from new dictionaries (and patterns): ``nlukit retrain`` (DESIGN §9).

Example (needs a trained model, so not run as a doctest)::

    import nlukit
    r = nlukit.retrain("models/demo", "dicts/")
    r.changed, r.switched, r.new["entity_f1"], r.old["entity_f1"]

What happens, in order:

1. The model store's ``current`` version (or the version directory given) is read:
   its dictionaries (``dicts/dictionary.json``), its patterns (``patterns/patterns.txt``)
   and how its data were generated (``generation.json``). A bundle trained before
   bundles kept their patterns needs ``patterns=`` (``--patterns``).
2. The new dictionaries (and patterns, when given) are read and checked; a bad file
   is the generator's located error, raised before anything is written.
3. The changes are listed: per entity type the values and synonyms added and removed,
   new and removed types, intents and pattern lines added and removed. No change and
   no ``force``: nothing is trained.
4. The data are regenerated with the recorded settings (same seed, split mode and
   ratios, sentences per intent, augmentation, tokenizer), into a temporary folder
   (``data_out`` keeps them).
5. A new version is trained with the bundle's config (plus ``overrides``/``seed``) and
   its extra Word2Vec corpus when that file is still there,
   each model warm-started from the old one (``warm=False``: from scratch):
   vocabularies and label sets grow, known rows are copied, new rows initialised as
   usual (new Word2Vec vectors rotated into the old space). Early stopping as usual.
6. Old and new model parse the same new test split; both reports go into the new
   version's ``report.json`` (``previous`` holds the old one).
7. ``current`` moves to the new version only when it is *not worse*. Intent accuracy
   or entity F1 (exact spans) is worse when it is below the old figure minus
   ``tolerance`` (default 0.005, half a point) *and* the drop is significant in an
   exact one-sided McNemar test on the same test sentences (sentences only the old
   model gets right against sentences only the new one does; p < ``significance``,
   default 0.05). Training seeds alone move intent accuracy on the demo by about a
   point, which the tolerance alone would take for a regression. Otherwise the new version stays in the store
   beside the old one, unused, and ``force`` switches anyway. A failed training
   leaves no version and never moves ``current``.

A server started on the store picks the new ``current`` up with ``POST /admin/reload``.
"""
from __future__ import annotations

import inspect
import os
import shutil
import sys
import tempfile
import time
import types
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import BundleError, PatternError

#: the figures compared; a figure counts as worse when it drops by more than the tolerance
#: *and* the per-sentence paired test finds the drop significant
COMPARED = ("intent_accuracy", "entity_f1")
DEFAULT_TOLERANCE = 0.005
DEFAULT_SIGNIFICANCE = 0.05
_GENERATION_DEFAULTS: dict[str, Any] = {"per_intent": 300, "seed": 13, "split": "template",
                                        "valid_ratio": 0.1, "test_ratio": 0.1, "augment": [],
                                        "tokenizer": "mecab"}


@dataclass
class RetrainResult:
    """What :func:`retrain` did. ``old``/``new`` hold the figures on the new test split (valid for a
    model fitted on test too, ``--include-test``: their ``split`` says which)."""

    changes: dict[str, Any]
    changed: bool
    trained: bool = False
    version: str | None = None          # the new version directory
    previous: str | None = None         # the version retrained from
    switched: bool = False              # current moved to the new version
    not_worse: bool | None = None
    forced: bool = False
    tolerance: float = DEFAULT_TOLERANCE
    significance: float = DEFAULT_SIGNIFICANCE
    paired: dict[str, dict[str, Any]] = field(default_factory=dict)
    old: dict[str, Any] = field(default_factory=dict)
    new: dict[str, Any] = field(default_factory=dict)
    per_label: dict[str, dict[str, float | None]] = field(default_factory=dict)
    epochs: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: what reading the new dictionaries and patterns, and regenerating the data, warned about
    #: (a duplicate value, a cp949 file, a starved intent ...), as ``nlukit generate`` prints them
    warnings: list[str] = field(default_factory=list)
    #: the conversation tests (``stories``): per model the names of the stories that failed,
    #: and those the old model passed and the new one fails (they block the switch)
    stories: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- changes
def dictionary_changes(old: Any, new: Any) -> dict[str, Any]:
    """Per entity type: values and synonyms added/removed, and new/removed types.

    >>> from nlukit.generate.dictionary import Dictionary
    >>> a = Dictionary.from_json({"location": {"서울": ["서울시"], "부산": []}})
    >>> b = Dictionary.from_json({"location": {"서울": ["서울특별시"], "대구": []}, "food": {"김밥": []}})
    >>> c = dictionary_changes(a, b)
    >>> c["types_added"], c["types_removed"], c["entities"]["location"]["values_added"]
    (['food'], [], ['대구'])
    >>> c["entities"]["location"]["synonyms_added"], c["entities"]["location"]["synonyms_removed"]
    ({'서울': ['서울특별시']}, {'서울': ['서울시']})
    """
    out: dict[str, Any] = {"types_added": sorted(set(new.entities) - set(old.entities)),
                           "types_removed": sorted(set(old.entities) - set(new.entities)),
                           "entities": {}}
    for ent, change in old.diff(new).items():
        a, b = old.entities.get(ent, {}), new.entities.get(ent, {})
        syn_add = {v: [s for s in b[v] if s not in a[v]] for v in change["synonyms_changed"]}
        syn_del = {v: [s for s in a[v] if s not in b[v]] for v in change["synonyms_changed"]}
        out["entities"][ent] = {"values_added": change["added"], "values_removed": change["removed"],
                                "synonyms_added": {v: s for v, s in syn_add.items() if s},
                                "synonyms_removed": {v: s for v, s in syn_del.items() if s}}
    return out


def pattern_changes(old: Any, new: Any) -> dict[str, Any]:
    """Intents added/removed and, per intent, pattern lines added/removed."""
    out: dict[str, Any] = {"intents_added": [i for i in new.intents if i not in old.intents],
                           "intents_removed": [i for i in old.intents if i not in new.intents],
                           "lines": {}}
    for intent in dict.fromkeys([*old.intents, *new.intents]):
        a = Counter(t.source for t in old.intents.get(intent, []))
        b = Counter(t.source for t in new.intents.get(intent, []))
        added, removed = list((b - a).elements()), list((a - b).elements())
        if added or removed:
            out["lines"][intent] = {"added": added, "removed": removed}
    return out


def _any_change(changes: dict[str, Any]) -> bool:
    d, p = changes["dictionary"], changes["patterns"]
    return bool(d["entities"] or d["types_added"] or d["types_removed"]
                or p["intents_added"] or p["intents_removed"] or p["lines"])


def format_changes(changes: dict[str, Any]) -> str:
    """The printed list of changes (``nlukit retrain``)."""
    lines: list[str] = []
    d, p = changes["dictionary"], changes["patterns"]

    def some(items: Iterable[str], n: int = 8) -> str:
        items = list(items)
        more = f" … (+{len(items) - n})" if len(items) > n else ""
        return ", ".join(items[:n]) + more

    for ent in d["types_added"]:
        lines.append(f"  new entity type {ent}")
    for ent in d["types_removed"]:
        lines.append(f"  removed entity type {ent}")
    for ent, c in d["entities"].items():
        if ent in d["types_added"] or ent in d["types_removed"]:
            n = len(c["values_added"]) or len(c["values_removed"])
            lines.append(f"  {ent}: {n} value(s): {some(c['values_added'] or c['values_removed'])}")
            continue
        changes = (("+", "added"), ("-", "removed"))
        lines += [f"  {ent}: {sign}{len(c[f'values_{how}'])} value(s): {some(c[f'values_{how}'])}"
                  for sign, how in changes if c[f"values_{how}"]]
        lines += [f"  {ent}: {v}: {sign}synonym(s) {some(syns)}"
                  for sign, how in changes for v, syns in c[f"synonyms_{how}"].items()]
    for intent in p["intents_added"]:
        lines.append(f"  new intent @{intent}")
    for intent in p["intents_removed"]:
        lines.append(f"  removed intent @{intent}")
    for intent, c in p["lines"].items():
        if intent in p["intents_added"] or intent in p["intents_removed"]:
            continue
        if c["added"]:
            lines.append(f"  @{intent}: +{len(c['added'])} pattern(s): {some(c['added'], 3)}")
        if c["removed"]:
            lines.append(f"  @{intent}: -{len(c['removed'])} pattern(s): {some(c['removed'], 3)}")
    return "\n".join(lines) if lines else "  (nothing)"


# --------------------------------------------------------------------------- inputs
def _locate(model: str) -> tuple[str, str]:
    """(store, version directory) for a model store or one of its version directories."""
    from .bundle import is_bundle, is_store, resolve
    path = os.path.normpath(os.fspath(model))
    if is_bundle(path):
        store = os.path.dirname(os.path.abspath(path))
        if not is_store(store):
            raise BundleError(f"{model} is a model version outside a model store (no `current` "
                              "beside it); retrain needs the store to add a version to — pass the "
                              "folder given to `nlukit train -o`")
        return store, path
    return path, resolve(path)


def _generation(version_dir: str, meta: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """The recorded generation settings: generation.json, else the training dataset's manifest."""
    from .bundle import read_json
    path = os.path.join(version_dir, "generation.json")
    if os.path.isfile(path):
        rec = read_json(path, "model bundle")
        return {**_GENERATION_DEFAULTS, **{k: rec[k] for k in _GENERATION_DEFAULTS if k in rec}}
    data = meta.get("data") or {}
    out = dict(_GENERATION_DEFAULTS)
    manifest_path = os.path.join(str(data.get("path") or ""), "dataset.json")
    manifest = (read_json(manifest_path, "dataset") if data.get("path") and os.path.isfile(manifest_path)
                else data.get("manifest") or {})
    from .train import generation_settings
    out.update(generation_settings(manifest))
    notes.append(f"{version_dir} has no generation.json; generation settings taken from "
                 f"{manifest_path if os.path.isfile(manifest_path) else 'meta.json and the defaults'}: "
                 + ", ".join(f"{k}={v}" for k, v in out.items()))
    out["tokenizer"] = meta.get("tokenizer", out["tokenizer"])
    return out


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {"intent_accuracy": report["intent"]["accuracy"], "intent_macro_f1": report["intent"]["macro_f1"],
            "fallback_rate": report["intent"]["fallback_rate"], "entity_f1": report["entity"]["micro"]["f1"],
            "n": report["n"], "split": report.get("split", "test")}


def paired_test(old_ok: Iterable[bool], new_ok: Iterable[bool]) -> dict[str, Any]:
    """Exact one-sided McNemar test that the new model is worse, sentence by sentence.

    ``old_only`` sentences only the old model gets right, ``new_only`` only the new one;
    ``p`` is the chance of at least ``old_only`` of the ``old_only + new_only`` discordant
    sentences going the old model's way if both models were equally good.

    >>> paired_test([1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 1])
    {'old_only': 5, 'new_only': 0, 'p': 0.03125}
    >>> paired_test([1, 0, 1], [0, 1, 1])["p"]
    0.75
    """
    from math import comb
    pairs = list(zip(old_ok, new_ok, strict=True))
    b = sum(1 for o, n in pairs if o and not n)
    c = sum(1 for o, n in pairs if n and not o)
    n = b + c
    p = sum(comb(n, k) for k in range(b, n + 1)) / 2 ** n if n else 1.0
    return {"old_only": b, "new_only": c, "p": round(p, 6)}


def _correct(examples: Any, results: Any) -> dict[str, list[bool]]:
    """Per sentence: is the intent right, are the entities exactly right (spans and labels)."""
    from .evaluate import _gold_spans, _pred_spans
    return {"intent_accuracy": [(r.intent.name if r.intent else "") == ex.intent
                                for ex, r in zip(examples, results, strict=True)],
            "entity_f1": [_gold_spans(ex) == _pred_spans(r) for ex, r in zip(examples, results, strict=True)]}


def worse_figures(r: RetrainResult) -> list[str]:
    """The compared figures on which the new model is worse (drop beyond tolerance, significant)."""
    return [k for k in COMPARED if r.new[k] < r.old[k] - r.tolerance
            and (r.paired.get(k) or {}).get("p", 0.0) < r.significance]


def _epochs(comps: Any) -> dict[str, Any]:
    """Epochs run and the best epoch of each trained network (to compare warm and cold starts).

    An intent model whose best epoch is 0 kept its warm-started weights: no epoch of
    training beat them on validation.
    """
    out: dict[str, Any] = {}
    intent = comps.intent
    hist = intent.history_ or []
    runs = ([(h["member"], h["history"]) for h in hist] if intent.members_ else [(intent.params["kind"], hist)])
    for name, h in runs:
        best = next((e["epoch"] for e in h if e.get("best")), None)
        out[f"intent.{name}"] = {"epochs": sum(1 for e in h if e["epoch"] > 0), "best": best}
    th = getattr(comps.tagger, "history_", []) or []
    best_t = getattr(comps.tagger, "best_epoch_", None)
    out["tagger"] = {"epochs": len(th), "best": best_t}
    return out


# --------------------------------------------------------------------------- retrain
def retrain(model: str, dicts: str, *, patterns: str | None = None, force: bool = False,
            overrides: Iterable[str] | None = None, seed: int | None = None,
            tolerance: float = DEFAULT_TOLERANCE, significance: float = DEFAULT_SIGNIFICANCE,
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
    """
    from .bundle import check_bundle, read_json, set_current
    from .generate.dictionary import Dictionary, load_dictionaries
    from .generate.generator import generate
    from .generate.grammar import load_patterns

    if not 0.0 <= float(tolerance) <= 1.0:
        from .errors import InputError
        raise InputError(f"tolerance must be in [0, 1], got {tolerance!r}")
    if not 0.0 < float(significance) <= 1.0:
        from .errors import InputError
        raise InputError(f"significance must be in (0, 1], got {significance!r}")
    if data_out is not None and os.path.exists(data_out) and not force:
        from .errors import OutputExistsError
        raise OutputExistsError(f"{data_out} already exists; choose a new folder for the regenerated data "
                                "(data_out, --data-out): force (--force) would replace it, but it also "
                                "retrains without a change and moves current even when the new model is worse")
    t_start = time.perf_counter()
    story_list, scenario_set = _stories_and_scenarios(stories, scenarios)  # refused before any work
    store, old_dir = _locate(model)
    meta = check_bundle(old_dir)
    notes: list[str] = []
    old_dict = Dictionary.from_json(read_json(os.path.join(old_dir, "dicts", "dictionary.json"),
                                              "model bundle"))
    kept_patterns = os.path.join(old_dir, "patterns", "patterns.txt")
    has_kept = os.path.isfile(kept_patterns)
    if patterns is None and not has_kept:
        raise BundleError(f"{old_dir} does not keep the patterns it was trained from (trained before "
                          "bundles kept them); pass them with --patterns patterns/ (patterns=...)")
    new_dict = load_dictionaries(dicts)
    try:
        new_pats = load_patterns(patterns or kept_patterns, dictionary=new_dict)
    except PatternError as exc:
        if patterns is not None:
            raise
        raise PatternError(exc.path, exc.line, exc.column, f"{exc.detail} — this is the model's own "
                           "pattern copy: put the entity type back into the dictionaries, or pass "
                           "patterns without it (--patterns)", exc.text, exc.hint) from exc
    old_pats = load_patterns(kept_patterns) if has_kept else None
    changes = {"dictionary": dictionary_changes(old_dict, new_dict),
               "patterns": (pattern_changes(old_pats, new_pats) if old_pats is not None else
                            {"intents_added": [], "intents_removed": [], "lines": {}})}
    if old_pats is None:
        notes.append(f"{old_dir} keeps no patterns to compare with; the patterns given are used as they are")
    changed = _any_change(changes) or old_pats is None
    result = RetrainResult(changes=changes, changed=changed, previous=old_dir, forced=force,
                           tolerance=float(tolerance), significance=float(significance), notes=notes,
                           warnings=[*new_dict.warnings, *new_pats.warnings])
    if not changed and not force:
        return result

    settings = _generation(old_dir, meta, notes)
    tmp = None
    if data_out is None:
        tmp = tempfile.mkdtemp(prefix="nlukit-retrain-")
        data_dir = os.path.join(tmp, "data")
    else:
        data_dir = data_out
    try:
        t0 = time.perf_counter()
        gen_report = generate(new_pats, new_dict, data_dir, per_intent=int(settings["per_intent"]),
                 seed=int(settings["seed"]), split=str(settings["split"]),
                 valid_ratio=float(settings["valid_ratio"]), test_ratio=float(settings["test_ratio"]),
                 augment=tuple(settings["augment"] or ()), force=force and data_out is not None,
                 progress=progress, tokenizer=str(settings["tokenizer"]))
        result.seconds["generate"] = time.perf_counter() - t0
        result.warnings.extend(gen_report.get("warnings") or ())
        over = [overrides] if isinstance(overrides, str) else list(overrides or [])   # one as a str
        if seed is not None:
            over.append(f"train.seed={int(seed)}")

        def before_commit(new_meta: dict[str, Any], report: dict[str, Any], comps: Any,
                          new_results: list[Any]) -> None:
            import nlukit

            from .dataset import load_dataset
            from .evaluate import score
            t1 = time.perf_counter()
            ds = load_dataset(data_dir)
            test = getattr(ds, report["split"])  # the split the new model was scored on
            old_nlu = whole_old = nlukit.load(old_dir, verify=False)
            if report["split"] == "valid":  # scored without the memory of it, as the new one was
                from .train import fitted_splits
                old_nlu = old_nlu.unseen(ds, "valid", fitted_splits(new_meta))
            old_results = old_nlu.parse_batch([ex.text for ex in test]) if test else []
            old_report = score(test, old_results,
                               manifest=ds.manifest, tokenizer=new_meta["tokenizer"],
                               intents=list(comps.intent.labels_))
            old_report["split"] = report["split"]
            result.seconds["evaluate_previous"] = time.perf_counter() - t1
            result.old, result.new = _figures(old_report), _figures(report)
            old_ok = _correct(test, old_results)
            new_ok = _correct(test, new_results)
            result.paired = {k: paired_test(old_ok[k], new_ok[k]) for k in COMPARED}
            result.not_worse = not worse_figures(result)
            if story_list:
                result.stories = _play(story_list, scenario_set, whole_old, comps.nlu(new_meta))
                result.not_worse = result.not_worse and not result.stories["regressions"]
            result.switched = bool(result.not_worse or force)
            old_labels, new_labels = old_report["entity"]["per_label"], report["entity"]["per_label"]
            result.per_label = {lab: {"old": (old_labels.get(lab) or {}).get("f1"),
                                      "new": (new_labels.get(lab) or {}).get("f1"),
                                      "n": (new_labels.get(lab) or old_labels.get(lab) or {}).get("support")}
                                for lab in sorted({*old_labels, *new_labels})}
            result.epochs = _epochs(comps)
            report["previous"] = {"version": os.path.basename(old_dir), **old_report}
            info = {"from": os.path.basename(old_dir), "warm_start": bool(warm), "changes": changes,
                    "previous_metrics": result.old, "metrics": result.new, "compared": list(COMPARED),
                    "tolerance": float(tolerance), "significance": float(significance),
                    "paired": result.paired, "not_worse": result.not_worse, "forced": bool(force),
                    "current": result.switched, "epochs": result.epochs, "generation": settings,
                    "stories": result.stories or None}
            report["retrain"] = info
            new_meta["retrain"] = info
            if data_out is None:  # the regenerated data were temporary
                new_meta["data"]["path"] = None

        corpus = (meta.get("corpus") or {}).get("path")
        if corpus and not os.path.isfile(corpus):
            notes.append(f"the extra Word2Vec corpus {corpus} the old model used is gone; trained without it")
            corpus = None
        t0 = time.perf_counter()
        path = _train(data_dir, store, config=meta.get("config"), overrides=over, progress=progress,
                      corpus=corpus,
                      name=meta.get("name"), warm_start=old_dir if warm else None,
                      before_commit=before_commit)
        result.seconds["train"] = time.perf_counter() - t0
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    result.trained = True
    result.version = path
    if result.switched:
        set_current(store, os.path.basename(path))
    result.seconds["total"] = time.perf_counter() - t_start
    return result


def _stories_and_scenarios(stories: str | None, scenarios: str | None) -> tuple[list[Any], Any]:
    """The story file and the scenarios its bot runs, read (and refused) before any work."""
    if stories is None and scenarios is None:
        return [], None
    if stories is None or scenarios is None:
        from .errors import InputError
        raise InputError("stories need the scenarios their bot runs, and scenarios are only used by "
                         "stories: give both, e.g. --stories stories/demo.toml --scenarios scenarios/demo.toml")
    from .bot import load_scenarios, load_stories
    return load_stories(stories), load_scenarios(scenarios)


def _play(stories: list[Any], scenarios: Any, old_nlu: Any, new_nlu: Any) -> dict[str, Any]:
    """Play the stories with the old and the new model: which fail, and which only the new fails."""
    from .bot import Bot, run_stories

    failed = {}
    for name, nlu in (("old", old_nlu), ("new", new_nlu)):
        results = run_stories(Bot(nlu, scenarios, check=False), stories)
        failed[name] = {r.story.name: r.failure for r in results if not r.passed}
    return {"n": len(stories), "failed_old": failed["old"], "failed_new": failed["new"],
            "regressions": sorted(set(failed["new"]) - set(failed["old"]))}


def _train(*args: Any, **kwargs: Any) -> str:
    from .train import train
    return train(*args, force=True, switch=False, **kwargs)


def format_result(r: RetrainResult) -> str:
    """The printed comparison of old and new (``nlukit retrain``)."""
    lines = []
    if r.old and r.new:
        # a model fitted on the test split too (--include-test) is scored on valid: say which
        where = f"on the new {r.new.get('split', 'test')} split"
        lines.append(f"{where:<24} {'old':>8} {'new':>8}   (n={r.new.get('n')})")
        for key, label in (("intent_accuracy", "intent accuracy"), ("intent_macro_f1", "intent macro-F1"),
                           ("fallback_rate", "fallback rate"), ("entity_f1", "entity F1")):
            pair = r.paired.get(key)
            lines.append(f"{label:<24} {r.old[key]:>8.4f} {r.new[key]:>8.4f}" + (
                f"   sentences right only in old {pair['old_only']}, only in new {pair['new_only']}, "
                f"p(worse)={pair['p']:.3g}" if pair else ""))
        for lab, d in r.per_label.items():
            old = "-" if d["old"] is None else f"{d['old']:.4f}"
            new = "-" if d["new"] is None else f"{d['new']:.4f}"
            lines.append(f"  {lab:<22} {old:>8} {new:>8}   n={d['n']}")
    if r.stories:
        st = r.stories
        lines.append(f"{'conversation tests':<24} {st['n'] - len(st['failed_old']):>8} "
                     f"{st['n'] - len(st['failed_new']):>8}   passed of {st['n']}")
        for name in st["regressions"]:
            lines.append(f"  passed before, fails now: {name} — {st['failed_new'][name]}")
    if r.epochs:
        lines.append("epochs (best)           " + ", ".join(f"{k} {v['epochs']} ({v['best']})"
                                                          for k, v in r.epochs.items()))
    if r.seconds:
        lines.append("seconds                 " + ", ".join(f"{k} {v:.1f}" for k, v in r.seconds.items()))
    return "\n".join(lines)


class _CallableModule(types.ModuleType):
    """``nlukit.retrain`` is both this module and the function (as ``nlukit.train``)."""

    def __call__(self, *args: Any, **kwargs: Any) -> RetrainResult:
        return retrain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
#: what ``inspect.signature(nlukit.retrain)`` gives once this module replaced the function
__signature__ = inspect.signature(retrain)
