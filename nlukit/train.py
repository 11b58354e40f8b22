"""Training orchestration: dataset → tokens → Word2Vec → intent model + tagger → bundle.

Example (needs a generated dataset, so not run as a doctest)::

    import nlukit
    nlukit.train("data/demo", "models/demo", overrides=["intent.epochs=5"])
    # -> 'models/demo/20261121T234812Z'

Every sentence is normalised and tokenised once, with the tokenizer the dataset was
generated with, and the same tokens feed every component. The new version is built
in a temporary directory, evaluated on the test split, and only then renamed into
place and made ``current`` (see :mod:`nlukit.bundle`).
"""
from __future__ import annotations

import inspect
import json
import os
import platform
import random
import sys
import time
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import DatasetError, NlukitError
from .text import Normalized, analyze, get_tokenizer
from .types import Example, Span, Token

TrainItem = tuple[str, list[Token], str]
TagItem = tuple[str, list[Token], list[Span]]

DATA_FILES = ("train.jsonl", "valid.jsonl", "test.jsonl", "dataset.json", "dictionary.json", "patterns.txt")
#: what a bundle keeps of its dataset's generation, so ``nlukit retrain`` can regenerate it
GENERATION_KEYS = ("per_intent", "seed", "augment", "tokenizer")


@dataclass
class Prepared:
    """One example normalised and tokenised, spans moved to normalised offsets."""

    example: Example
    norm: Normalized
    tokens: list[Token]
    spans: list[Span]


def _to_normalized(norm: Normalized, span: Span) -> Span | None:
    """Move a span of the original text into the normalised text (None if it vanished)."""
    if norm.text == norm.original:
        return span
    starts, ends = norm.starts, norm.ends
    s = next((i for i, o in enumerate(starts) if o >= span.start), None)
    e = None
    for i in range(len(ends) - 1, -1, -1):
        if ends[i] <= span.end:
            e = i + 1
            break
    if s is None or e is None or s >= e:
        return None
    return Span(s, e, span.entity, span.value, span.role)


def prepare(examples: Sequence[Example], tokenizer: str = "mecab", *, progress: bool = False,
            desc: str = "tokenise") -> list[Prepared]:
    """Normalise and tokenise every example once."""
    tok = get_tokenizer(tokenizer)
    it: Iterable[Example] = examples
    if progress and len(examples) > 2000:
        from tqdm.auto import tqdm
        it = tqdm(examples, desc=desc, unit="sent", leave=False)
    out = []
    for ex in it:
        norm, tokens = analyze(ex.text, tok)
        spans = [m for m in (_to_normalized(norm, s) for s in ex.entities) if m is not None]
        out.append(Prepared(ex, norm, tokens, spans))
    return out


def _component_params(config: Mapping[str, Any], section: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """A section's params, with train.seed/device filled in where the section kept its default."""
    params = dict(config[section])
    train = config["train"]
    if "seed" in params and params["seed"] == defaults.get("seed"):
        params["seed"] = train["seed"]
    if "device" in params and params["device"] == defaults.get("device") and train.get("device"):
        params["device"] = train["device"]
    return params


@dataclass
class Components:
    """The fitted components of one training run (before they are written)."""

    embeddings: Any
    intent: Any
    tagger: Any
    config: dict[str, dict[str, Any]]
    tokenizer: str
    dictionary: dict[str, dict[str, list[str]]]
    timings: dict[str, float] = field(default_factory=dict)
    memory: dict[str, str] = field(default_factory=dict)  # training sentences' intents (NLU memory)

    def nlu(self, meta: Mapping[str, Any] | None = None) -> Any:
        """An in-memory :class:`~nlukit.nlu.NLU` over these components."""
        from .nlu import NLU
        return NLU(self.intent, self.tagger, self.dictionary, tokenizer=self.tokenizer,
                   meta=meta, max_text_length=self.config["train"]["max_text_length"],
                   batch_size=self.config["train"]["batch_size"], memory=self.memory)


def read_corpus(path: str, tokenizer: str) -> list[list[str]]:
    """Tokenise an extra Word2Vec corpus: one sentence per line, blank lines skipped."""
    tok = get_tokenizer(tokenizer)
    try:
        fh = open(path, encoding="utf-8")
    except OSError as exc:
        raise DatasetError(f"cannot read corpus {path}: {exc.strerror}; give a UTF-8 text file "
                           "with one sentence per line") from exc
    out = []
    with fh:
        try:
            for line in fh:
                if line.strip():
                    _, tokens = analyze(line.strip(), tok)
                    out.append([t.surface for t in tokens])
        except UnicodeDecodeError as exc:
            raise DatasetError(f"corpus {path} is not UTF-8 ({exc}); re-save it as UTF-8") from exc
    return out


def fit_components(train: Sequence[Prepared], valid: Sequence[Prepared],
                   dictionary: Mapping[str, Mapping[str, Sequence[str]]], config: dict[str, dict[str, Any]],
                   *, tokenizer: str = "mecab", corpus: Sequence[list[str]] = (),
                   progress: bool = True, warm_start: str | None = None) -> Components:
    """Train embeddings, intent classifier and tagger on prepared examples.

    ``warm_start`` is a bundle version directory whose models the new ones start
    from (``nlukit retrain``): the new Word2Vec vectors are rotated into the old
    ones' space (:func:`~nlukit.models.embeddings.align_embeddings`), and the intent
    model and tagger copy the old weights of every word, label and feature they keep.
    """
    from .models import common
    from .models.embeddings import DEFAULTS as W2V_DEFAULTS
    from .models.embeddings import train_embeddings
    from .models.intent import DEFAULTS as INTENT_DEFAULTS
    from .models.intent import IntentClassifier
    from .models.tagger import DEFAULTS as TAGGER_DEFAULTS
    from .models.tagger import EntityTagger

    tcfg = config["train"]
    if not train:
        raise DatasetError("the training split is empty; generate more data")
    intents = {p.example.intent for p in train}
    if len(intents) < 2:
        raise DatasetError(f"the training split has {len(intents)} intent(s); an intent "
                           "classifier needs at least two — add patterns for another intent")
    # every model's settings are checked before any of them trains
    # (a warm start needs no pretrained folder: the old bundle holds its fine-tuned encoder)
    IntentClassifier(**_component_params(config, "intent", INTENT_DEFAULTS)).check_params(folders=not warm_start)
    # a retraining whose old tagger holds an encoder needs no pretrained folder: it starts from that copy
    EntityTagger(**_component_params(config, "tagger", TAGGER_DEFAULTS)).check_params(
        folders=not (warm_start and os.path.isdir(os.path.join(warm_start, "tagger", "encoder"))))
    seed = int(tcfg["seed"])
    common.set_seed(seed)
    random.seed(seed)
    dictionary = {k: {v: list(s) for v, s in vals.items()} for k, vals in dictionary.items()}
    timings: dict[str, float] = {}

    embeddings = None
    if tcfg.get("embeddings", True):
        t0 = time.perf_counter()
        sentences = [[t.surface for t in p.tokens] for p in train] + list(corpus)
        embeddings = train_embeddings(sentences, **_component_params(config, "word2vec", W2V_DEFAULTS))
        old_w2v = os.path.join(warm_start, "w2v") if warm_start else None
        if old_w2v and os.path.isdir(old_w2v):
            from .models.embeddings import Embeddings, align_embeddings
            embeddings = align_embeddings(embeddings, Embeddings.load(old_w2v))
        timings["word2vec"] = time.perf_counter() - t0
    old_intent = old_tagger = None
    if warm_start:
        old_intent = IntentClassifier.load(os.path.join(warm_start, "intent"))
        old_tagger = os.path.join(warm_start, "tagger")
        if not os.path.isdir(old_tagger):
            old_tagger = None

    tag_train = [(p.norm.text, p.tokens, p.spans) for p in train]
    tag_valid = [(p.norm.text, p.tokens, p.spans) for p in valid]
    tag_params = _component_params(config, "tagger", TAGGER_DEFAULTS)
    workers = int(tcfg.get("workers", 1) or 0)
    if workers <= 0:  # auto: a second process pays off once fitting outweighs its start-up
        workers = 2 if (os.cpu_count() or 1) >= 2 and len(train) >= 2000 else 1
    pending = None
    if workers >= 2:  # the tagger fits in a second process while the intent model fits here
        import concurrent.futures
        import multiprocessing
        import tempfile
        tag_dir = tempfile.mkdtemp(prefix="nlukit-tagger-")
        threads = max(1, _threads(tcfg["threads"]) // 2)
        # the worker ends when this process is gone, even before its job reaches it
        pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                      initializer=_exit_with_parent, initargs=(os.getpid(),))
        pending = pool.submit(_fit_tagger_into, os.path.join(tag_dir, "tagger"), tag_params, tag_train,
                              tag_valid, dictionary, embeddings, threads, old_tagger)
        # the worker processes, to stop them if this process gives up (shutdown forgets them)
        worker_procs = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False)

    try:
        t0 = time.perf_counter()
        intent = IntentClassifier(**_component_params(config, "intent", INTENT_DEFAULTS))
        intent.fit([(p.norm.text, p.tokens, p.example.intent) for p in train],
                   [(p.norm.text, p.tokens, p.example.intent) for p in valid],
                   embeddings=embeddings, progress=progress, init=old_intent)
        timings["intent"] = time.perf_counter() - t0

        def fit_tagger_here() -> EntityTagger:
            t0 = time.perf_counter()
            fitted = EntityTagger(**tag_params).fit(
                tag_train, tag_valid, dictionary=dictionary, embeddings=embeddings, progress=progress,
                init=EntityTagger.load(old_tagger) if old_tagger else None)
            timings["tagger"] = time.perf_counter() - t0
            return fitted

        if pending is None:
            tagger = fit_tagger_here()
        else:
            if progress and not pending.done():
                print("nlukit: waiting for the tagger (fitting in a second process)", file=sys.stderr)
            try:
                timings["tagger"] = pending.result()
                tagger = EntityTagger.load(os.path.join(tag_dir, "tagger"))
            except NlukitError:
                raise
            except Exception as exc:  # the worker could not start (e.g. a script without a
                # `if __name__ == "__main__":` guard under spawn): fit here instead
                import warnings
                warnings.warn(f"the tagger's worker process failed ({type(exc).__name__}: {exc}); "
                              "fitting it in this process (set train.workers=1 to skip the "
                              "attempt)", stacklevel=2)
                tagger = fit_tagger_here()
    except BaseException:
        if pending is not None:  # an error or an interrupt: the worker's tagger will never be read
            _stop_workers(worker_procs)
        raise
    finally:
        if pending is not None:
            pending.cancel()
            import shutil
            shutil.rmtree(tag_dir, ignore_errors=True)
    from .nlu import build_memory
    # every sentence the developer taught: train and valid (valid only chose the epochs and
    # the threshold); the split figures are reported on is scored without its own sentences
    memory = (build_memory((p.norm.text, p.example.intent) for p in [*train, *valid])
              if config["train"].get("memory", True) else {})
    return Components(embeddings, intent, tagger, config, tokenizer, dictionary, timings, memory)


def _fit_tagger_into(path: str, params: dict[str, Any], train: list[TagItem], valid: list[TagItem],
                     dictionary: dict[str, dict[str, list[str]]], embeddings: Any, threads: int,
                     init: str | None = None) -> float:
    """Fit a tagger and save it to ``path`` (runs in a worker process); returns seconds.

    ``init`` is the directory of a saved tagger to warm-start from."""
    from .models.common import torch_threads
    from .models.tagger import EntityTagger
    t0 = time.perf_counter()
    with torch_threads(threads):
        tagger = EntityTagger(**params)
        tagger.fit(train, valid, dictionary=dictionary, embeddings=embeddings, progress=False,
                   init=EntityTagger.load(init) if init else None)
    tagger.save(path)
    return time.perf_counter() - t0


def _exit_with_parent(parent: int, poll: float = 0.5) -> None:
    """End this worker process as soon as ``parent`` (the training process) is gone.

    A training process that is killed (SIGKILL, SIGTERM, an OOM kill) cannot tell its
    worker; without this the worker would fit a tagger nobody reads, for minutes, or
    wait forever for a job that never came. It runs as the pool's initializer; the pid
    is passed in rather than read here because the parent may already be gone.
    """
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    threading.Thread(target=watch, name="nlukit-exit-with-parent", daemon=True).start()


def _stop_workers(procs: list[Any]) -> None:
    """Terminate worker processes whose job is no longer wanted.

    ``ProcessPoolExecutor.shutdown(cancel_futures=True)`` cannot stop a running job
    (Python < 3.14 has no ``terminate_workers``), so the processes are terminated.
    """
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
    for proc in procs:
        proc.join(5)


def data_digests(data_dir: str) -> dict[str, str]:
    """sha256 of the dataset files a model was trained from."""
    from .bundle import sha256_file
    return {name: sha256_file(os.path.join(data_dir, name))
            for name in DATA_FILES if os.path.isfile(os.path.join(data_dir, name))}


def _threads(n: int) -> int:
    """Torch threads for training: ``n``, or with 0 (auto) up to 2 on cores nobody else uses.

    Two threads on a core another process keeps busy are far slower than one: the
    threads wait on each other at every small operation. Training the demo (1,920
    sentences) beside one busy process took 150 s with 2 threads and 17 s with 1; on an
    idle machine 14 s and 17 s. So auto counts the cores the last minute's load leaves
    free (load average, where the OS has one).
    """
    if n and int(n) > 0:
        return int(n)
    cpus = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): trust the core count
        busy = 0.0
    return max(1, min(2, cpus, int(cpus - busy + 0.5)))


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
    """
    from . import BUNDLE_FORMAT_VERSION, __version__
    from .bundle import BundleWriter, sha256_json, write_json
    from .config import load_config
    from .dataset import load_dataset
    from .evaluate import score

    cfg = load_config(config, overrides)
    tcfg = cfg["train"]
    dataset = load_dataset(data_dir)
    tokenizer = str(dataset.manifest.get("tokenizer") or "mecab")
    include_test = bool(tcfg.get("include_test", False))
    if include_test and not (dataset.test and dataset.valid):
        raise DatasetError(f"train.include_test fits on the test split and reports on valid, but {data_dir} has "
                           f"{len(dataset.test)} test and {len(dataset.valid)} valid sentences; generate "
                           "with --test-ratio and --valid-ratio above 0, or leave include_test off")
    scored = scored_split(dataset, include_test)
    writer = BundleWriter(out, force=force, switch=switch)  # refuses a bad -o before any work
    started = time.time()
    with writer:
        import torch

        from .models.common import torch_threads
        n_threads = _threads(tcfg["threads"])  # read once: auto follows the load at the start
        with torch_threads(n_threads):
            t0 = time.perf_counter()
            fitted_on = ["train", "test"] if include_test else ["train"]
            prepared = {split: prepare([ex for part in parts for ex in getattr(dataset, part)], tokenizer,
                                       progress=progress, desc=f"tokenise {'+'.join(parts)}")
                        for split, parts in (("train", fitted_on), ("valid", ["valid"]))}
            extra = read_corpus(corpus, tokenizer) if corpus else []
            t_tok = time.perf_counter() - t0
            comps = fit_components(prepared["train"], prepared["valid"], dataset.dictionary, cfg,
                                   tokenizer=tokenizer, corpus=extra, progress=progress,
                                   warm_start=warm_start)
            comps.timings["tokenise"] = t_tok

            root = writer.path
            if comps.embeddings is not None:
                comps.embeddings.save(os.path.join(root, "w2v"))
            comps.intent.save(os.path.join(root, "intent"))
            comps.tagger.save(os.path.join(root, "tagger"))
            for comp, model in (("intent", comps.intent), ("tagger", comps.tagger)):
                hist = os.path.join(root, comp, "history.json")
                if not os.path.exists(hist):
                    write_json(hist, list(getattr(model, "history_", [])))
            os.makedirs(os.path.join(root, "dicts"))
            write_json(os.path.join(root, "dicts", "dictionary.json"), comps.dictionary)
            if comps.memory:
                write_json(os.path.join(root, "memory.json"), comps.memory)
            generation = _generation_settings(data_dir, dataset.manifest)
            if generation is not None:
                os.makedirs(os.path.join(root, "patterns"))
                import shutil
                shutil.copyfile(os.path.join(data_dir, "patterns.txt"),
                                os.path.join(root, "patterns", "patterns.txt"))
                write_json(os.path.join(root, "generation.json"), generation)

            t0 = time.perf_counter()
            test = getattr(dataset, scored)
            scorer = comps.nlu()
            if scored == "valid" and comps.memory:  # memorised: scored as if never seen
                scorer = scorer.unseen(dataset, scored, fitted_on)
            results = scorer.parse_batch([ex.text for ex in test]) if test else []
            report = score(test, results,
                           manifest=dataset.manifest, tokenizer=tokenizer,
                           intents=list(comps.intent.labels_))
            report["split"] = scored
            comps.timings["evaluate"] = time.perf_counter() - t0

        model_name = name or os.path.basename(os.path.normpath(out))
        meta = {
            "name": model_name,
            "bundle_format": BUNDLE_FORMAT_VERSION,
            "nlukit_version": __version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
            "tokenizer": tokenizer,
            "intents": list(comps.intent.labels_),
            "fallback_intent": "fallback",
            "intent_threshold": float(getattr(comps.intent, "threshold_", 0.0) or 0.0),
            "entity_types": sorted({*dataset.dictionary, *(s.entity for ex in dataset.train
                                                          for s in ex.entities)}),
            "labels": list(getattr(comps.tagger, "labels_", [])),
            "tag_scheme": "IOB2",
            "config": cfg,
            "seed": int(tcfg["seed"]),
            "metrics": {"intent_accuracy": report["intent"]["accuracy"],
                        "intent_macro_f1": report["intent"]["macro_f1"],
                        "entity_f1": report["entity"]["micro"]["f1"],
                        "split": report["split"], "n": report["n"]},
            "data": {"path": os.path.abspath(data_dir), "sha256": data_digests(data_dir),
                     "sizes": {s: len(getattr(dataset, s)) for s in ("train", "valid", "test")},
                     "fitted_on": fitted_on,  # the splits the models learned from
                     "memorised": [*fitted_on, "valid"] if comps.memory else [],
                     "manifest": {k: dataset.manifest.get(k) for k in ("seed", "split")
                                  if k in dataset.manifest}},
            "dictionaries_digest": sha256_json(comps.dictionary),
            "memory_sentences": len(comps.memory),  # memory.json: taught sentences by intent
            "corpus": {"path": os.path.abspath(corpus), "sentences": len(extra)} if corpus else None,
            "timings_s": {k: round(v, 3) for k, v in comps.timings.items()},
            "environment": {"python": platform.python_version(), "torch": torch.__version__,
                            "threads": n_threads},
        }
        if before_commit is not None:
            before_commit(meta, report, comps, results)
        write_json(os.path.join(root, "report.json"), report)
        path = writer.commit(meta)
    return path


def fitted_splits(meta: Mapping[str, Any]) -> list[str]:
    """The dataset splits a bundle's models learned from (``train`` before it was recorded)."""
    return list((meta.get("data") or {}).get("fitted_on") or ["train"])


def scored_split(dataset: Any, include_test: bool = False) -> str:
    """The split a training reports its figures on: test, or valid when the test split is
    empty or was fitted on (``train.include_test``)."""
    return "valid" if include_test or not dataset.test else "test"


def generation_settings(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The generation settings a dataset manifest (``dataset.json``) records: sentences per
    intent, seed, augmentation, tokenizer, split mode and ratios (those it has)."""
    split = manifest.get("split") or {}
    out: dict[str, Any] = {k: manifest[k] for k in GENERATION_KEYS if k in manifest}
    if isinstance(split, dict):
        if "mode" in split:
            out["split"] = split["mode"]
        out.update({k: split[k] for k in ("valid_ratio", "test_ratio") if k in split})
    return out


def _generation_settings(data_dir: str, manifest: Mapping[str, Any]) -> dict[str, Any] | None:
    """How the dataset was generated (``generation.json`` of a bundle), or None when the
    dataset does not keep its patterns (generated before nlukit kept them)."""
    if not os.path.isfile(os.path.join(data_dir, "patterns.txt")):
        return None
    out = {"split": "template", **generation_settings(manifest)}
    out["patterns_digest"] = manifest.get("patterns_digest")
    out["dictionary_digest"] = manifest.get("dictionary_digest")
    return out


def describe(meta: Mapping[str, Any]) -> str:
    """A short human summary of a bundle's meta (for ``nlukit info``)."""
    m = meta.get("metrics") or {}
    lines = [
        f"name         {meta.get('name')}  version {meta.get('version')}",
        f"created      {meta.get('created')}  nlukit {meta.get('nlukit_version')}  "
        f"bundle format {meta.get('bundle_format')}",
        f"tokenizer    {meta.get('tokenizer')}  seed {meta.get('seed')}",
        f"intents      {', '.join(meta.get('intents') or [])}",
        f"entities     {', '.join(meta.get('entity_types') or [])}",
        f"labels       {', '.join(meta.get('labels') or [])} ({meta.get('tag_scheme')})",
    ]
    cfg = meta.get("config") or {}
    intent, tagger = cfg.get("intent") or {}, cfg.get("tagger") or {}
    if intent:
        kind = intent.get("kind")
        if kind == "ensemble":
            kind = f"ensemble of {', '.join(map(str, intent.get('members') or []))}"
        line = f"models       intent {kind}"
        if intent.get("pretrained") and "transformer" in [intent.get("kind"), *(intent.get("members") or [])]:
            line += f" (encoder fine-tuned from {intent['pretrained']}, kept in the bundle)"
        threshold = meta.get("intent_threshold")
        if isinstance(threshold, (int, float)):
            line += f", fallback below {threshold:.3f}"
        if tagger:
            line += f"; tagger BiLSTM-CRF over {tagger.get('unit')}s, hidden {tagger.get('hidden')}"
            if tagger.get("pretrained"):
                how = "frozen" if tagger.get("freeze_encoder") else "fine-tuned"
                line += f", with an encoder {how} from {tagger['pretrained']} (kept in the bundle)"
        lines.append(line)
    data = meta.get("data") or {}
    if meta.get("memory_sentences"):
        memorised = " + ".join(data.get("memorised") or ["train", "valid"])
        lines.append(f"memory       {meta['memory_sentences']} taught sentences ({memorised}): typed "
                     "again, each gets its intent")
    if m:
        lines.append(f"metrics      intent accuracy {m.get('intent_accuracy', 0):.4f}  macro-F1 "
                     f"{m.get('intent_macro_f1', 0):.4f}  entity F1 {m.get('entity_f1', 0):.4f} "
                     f"on {m.get('split')} (n={m.get('n')})")
    if data:
        where = data.get("path") or "regenerated by nlukit retrain (not kept)"
        lines.append(f"data         {where}  sizes {json.dumps(data.get('sizes'))}")
        if "test" in fitted_splits(meta):
            lines.append("             fitted on train + test (train.include_test): the figures are on valid")
    rt = meta.get("retrain") or {}
    if rt:
        prev = rt.get("previous_metrics") or {}
        lines.append(f"retrained    from {rt.get('from')} ({'warm start' if rt.get('warm_start') else 'from scratch'}); "
                     f"the old model on the same test split: intent accuracy "
                     f"{prev.get('intent_accuracy', 0):.4f}  entity F1 {prev.get('entity_f1', 0):.4f}"
                     f"{'' if rt.get('not_worse') else '  (new one worse' + (', forced)' if rt.get('forced') else ')')}")
    return "\n".join(lines)


class _CallableModule(types.ModuleType):
    """``nlukit.train`` is both this module and the function: importing the submodule
    replaces the package attribute, so the module itself must stay callable."""

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        return train(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
#: what ``inspect.signature(nlukit.train)`` gives once this module replaced the function
__signature__ = inspect.signature(train)
