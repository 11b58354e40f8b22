"""Retraining on the demo domain: warm start vs training from scratch, next to the old model.

    python bench/bench_retrain.py [--per-intent 300] [--threads 1] [--train-seeds 13,14,15] [--workdir DIR]
                                  [--out bench/results/retrain.json]

Generates the demo dataset from patterns/ and dicts/ (the demo's settings: 300
sentences per intent, seed 13, template split), trains the base model (the "old"
model), then adds new dictionary values (location 거제|거제시, food 탕후루|탕후루집)
to a copy of dicts/ and, for each training seed, retrains twice from the same base: warm-started
(``nlukit retrain``) and from scratch (``--from-scratch``, i.e. what ``nlukit train``
does on the regenerated data). Both runs regenerate identical data (recorded seed).
Reported: wall and CPU seconds, epochs run and best epoch per network, and intent
accuracy / entity F1 of old, warm and cold models on the same new test split, plus
entity F1 and the recall of the new value on the test sentences with one location or food
span replaced by a new value (``substituted``: unseen templates with an unseen value).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEW_ROWS = {"location.csv": "location,거제,거제시\n", "food.csv": "food,탕후루,탕후루집\n"}
NEW_VALUES = {("location", "거제"), ("food", "탕후루")}  # type → value, as pairs


def substituted(examples: list, new_values: dict[str, str]) -> list:
    """Test sentences with their first span of a type in ``new_values`` replaced by the new value.

    Only spans whose text ends like the new value (batchim or not) are replaced, so the
    particle after it stays right (``{location}은/는``). Unseen templates, unseen value:
    what a user types after the dictionary grew.
    """
    from nlukit.korean import has_batchim
    from nlukit.types import Example, Span
    out = []
    for ex in examples:
        for k, sp in enumerate(ex.entities):
            new = new_values.get(sp.entity)
            if new is None or has_batchim(ex.text[sp.start:sp.end]) != has_batchim(new):
                continue
            shift = len(new) - (sp.end - sp.start)
            spans = [Span(s.start + (shift if s.start >= sp.end else 0), s.end + (shift if s.start >= sp.end else 0),
                          s.entity, s.value, s.role) for s in ex.entities]
            spans[k] = Span(sp.start, sp.start + len(new), sp.entity, new, sp.role)
            out.append(Example(ex.text[:sp.start] + new + ex.text[sp.end:], ex.intent, tuple(spans), ex.template))
            break
    return out


def _recall(examples: list, nlu, new_values: dict[str, str]) -> float:
    """Share of the substituted spans found exactly (offsets, type, role) with the new value."""
    found = total = 0
    for ex, res in zip(examples, nlu.parse_batch([ex.text for ex in examples]), strict=True):
        for sp in ex.entities:
            if new_values.get(sp.entity) == sp.value:
                total += 1
                found += any((e.start, e.end, e.entity, e.role, e.value) ==
                             (sp.start, sp.end, sp.entity, sp.role, sp.value) for e in res.entities)
    return round(found / total, 4) if total else 0.0


def _cpu() -> float:
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-intent", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--train-seeds", default="13,14,15",
                    help="comma-separated training seeds; each retrains warm and cold from the same base")
    ap.add_argument("--workdir", help="keep data and models here (default: a temp dir)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "retrain.json"))
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.dataset import load_dataset
    from nlukit.evaluate import score

    work = args.workdir or tempfile.mkdtemp(prefix="nlukit-bench-retrain-")
    data, store = os.path.join(work, "data"), os.path.join(work, "model")
    nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), data,
                    per_intent=args.per_intent, seed=args.seed, force=True, progress=False)
    over = [f"train.threads={args.threads}", "train.workers=1"]
    t0, c0 = time.perf_counter(), _cpu()
    base = nlukit.train(data, store, overrides=over, progress=False)
    base_s, base_cpu = time.perf_counter() - t0, _cpu() - c0
    base_meta = json.load(open(os.path.join(base, "meta.json"), encoding="utf-8"))

    dicts = os.path.join(work, "dicts2")
    shutil.rmtree(dicts, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "dicts"), dicts)
    for name, row in NEW_ROWS.items():
        with open(os.path.join(dicts, name), "a", encoding="utf-8") as fh:
            fh.write(row)

    from nlukit.bundle import set_current
    seeds = [int(x) for x in args.train_seeds.split(",") if x.strip()]
    runs: dict[str, list[dict]] = {"warm": [], "cold": []}
    slice_scores: dict[str, list[dict]] = {"old": [], "warm": [], "cold": []}
    hit: list = []
    for seed in seeds:
        for mode in ("warm", "cold"):
            set_current(store, os.path.basename(base))  # every run starts from the same base
            d_out = os.path.join(work, f"data-{mode}")
            shutil.rmtree(d_out, ignore_errors=True)
            t0, c0 = time.perf_counter(), _cpu()
            r = nlukit.retrain(store, dicts, warm=mode == "warm", data_out=d_out, progress=False,
                               seed=seed)
            wall, cpu = time.perf_counter() - t0, _cpu() - c0
            meta = json.load(open(os.path.join(r.version, "meta.json"), encoding="utf-8"))
            runs[mode].append({"seed": seed, "seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
                               "timings_s": meta["timings_s"], "epochs": r.epochs, "old": r.old,
                               "new": r.new, "switched": r.switched, "paired": r.paired, "version": r.version,
                               "per_label": r.per_label})
            print(f"seed {seed} {mode}: {wall:.1f} s, epochs {r.epochs}, old {r.old}, new {r.new}", flush=True)
            # test sentences with a location or food replaced by a new value, scored for old and new
            ds = load_dataset(d_out)
            test = ds.test or ds.valid
            hit = substituted(list(test), dict(NEW_VALUES))
            pairs = [(mode, r.version)] + ([("old", base)] if not slice_scores["old"] else [])
            for name, path in pairs:
                nlu = nlukit.load(path)
                rep = score(hit, nlu.parse_batch([ex.text for ex in hit]), tokenizer=None)
                slice_scores[name].append({"intent_accuracy": rep["intent"]["accuracy"],
                                           "entity_f1": rep["entity"]["micro"]["f1"],
                                           "new_value_recall": _recall(hit, nlu, dict(NEW_VALUES))})

    def summary(mode: str) -> dict:
        rs = runs[mode]
        out: dict = {"seconds_mean": round(sum(r["seconds"] for r in rs) / len(rs), 1),
                     "cpu_seconds_mean": round(sum(r["cpu_seconds"] for r in rs) / len(rs), 1)}
        for key in ("intent_accuracy", "entity_f1"):
            vals = [r["new"][key] for r in rs]
            out[key] = {"mean": round(sum(vals) / len(vals), 4), "min": min(vals), "max": max(vals)}
        for net in rs[0]["epochs"]:
            out[f"epochs.{net}"] = [r["epochs"][net]["epochs"] for r in rs]
        return out

    result = {
        "command": "python " + " ".join([os.path.relpath(sys.argv[0], ROOT), *(argv or sys.argv[1:])]),
        "per_intent": args.per_intent, "seed": args.seed, "threads": args.threads, "workers": 1,
        "train_seeds": seeds, "new_values": sorted(f"{e}:{v}" for e, v in NEW_VALUES),
        "base": {"seconds": round(base_s, 1), "cpu_seconds": round(base_cpu, 1),
                 "timings_s": base_meta["timings_s"], "metrics": base_meta["metrics"]},
        "old_on_new_test": runs["warm"][0]["old"],
        "warm": summary("warm"), "cold": summary("cold"),
        "warm_over_cold_seconds": round(summary("warm")["seconds_mean"] / summary("cold")["seconds_mean"], 3),
        "new_value_test_sentences": {"n": len(hit), **slice_scores},
        "runs": runs,
        "environment": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "load_average": os.getloadavg()},
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(json.dumps({k: result[k] for k in ("old_on_new_test", "warm", "cold", "warm_over_cold_seconds",
                                              "new_value_test_sentences")}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
