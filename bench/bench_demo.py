"""Demo-domain accuracy and training cost: generate → train (defaults) → evaluate.

    python bench/bench_demo.py [--per-intent 2500] [--threads 2] [--split template|value]
                               [--train-seeds 14,15]
                               [--out bench/results/demo.json]

Generates the demo dataset from patterns/ and dicts/ with nlukit's generator, trains
with the default config, and reports intent accuracy and entity F1 on test — overall
and on the unseen-template / unseen-value slices — with training time and peak
memory (the larger ru_maxrss of this process and of its worker process). The goal for ~20,000
sentences on 2 cores is ≤ 2 minutes of training. CPU seconds are reported beside the
wall time, which on a shared machine depends on the load.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _cpu() -> float:
    """CPU seconds of this process and its reaped children (the tagger's worker process)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-intent", type=int, default=2500, help="sentences per intent (8 intents)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--split", default="template", choices=("template", "value", "sentence"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--train-seeds", default="",
                    help="comma-separated extra training seeds: the same data trained again with each "
                         "(accuracy spread over seeds; timings come from the first run only)")
    ap.add_argument("--set", action="append", default=[], dest="overrides", metavar="KEY=VALUE")
    ap.add_argument("--workdir", help="keep the dataset and model here (default: a temp dir)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "demo.json"))
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.evaluate import evaluate

    work = args.workdir or tempfile.mkdtemp(prefix="nlukit-bench-demo-")
    data, model = os.path.join(work, "data"), os.path.join(work, "model")
    t0 = time.perf_counter()
    gen = nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), data,
                          per_intent=args.per_intent, seed=args.seed, split=args.split, force=True,
                          progress=False)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    ru0 = _cpu()
    path = nlukit.train(data, model, overrides=[f"train.threads={args.threads}",
                                                f"train.seed={args.seed}", *args.overrides],
                        progress=False, force=True)
    t_train = time.perf_counter() - t0
    cpu_train = _cpu() - ru0
    peak_mb = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    meta = json.load(open(os.path.join(path, "meta.json"), encoding="utf-8"))
    rep = evaluate(path, data, split="test", out=os.path.join(work, "report"))
    slices = {s["name"]: {"n": s["n"], "intent_accuracy": s["intent_accuracy"],
                          "entity_f1": s["entity"]["f1"] if s["entity"] else None}
              for s in rep["slices"]}
    # the same data trained with other seeds: how much of a difference is the seed's
    spread = {args.seed: {"intent_accuracy": rep["intent"]["accuracy"], "entity_f1": rep["entity"]["micro"]["f1"],
                          "fallback_rate": rep["intent"]["fallback_rate"]}}
    for seed in (int(x) for x in args.train_seeds.split(",") if x.strip()):
        other = nlukit.train(data, os.path.join(work, f"model_seed{seed}"),
                             overrides=[f"train.threads={args.threads}", f"train.seed={seed}", *args.overrides],
                             progress=False, force=True)
        r = evaluate(other, data, split="test")
        spread[seed] = {"intent_accuracy": r["intent"]["accuracy"], "entity_f1": r["entity"]["micro"]["f1"],
                        "fallback_rate": r["intent"]["fallback_rate"]}
    seeds_summary = {key: {"mean": round(sum(v[key] for v in spread.values()) / len(spread), 4),
                           "min": round(min(v[key] for v in spread.values()), 4),
                           "max": round(max(v[key] for v in spread.values()), 4)}
                     for key in ("intent_accuracy", "entity_f1", "fallback_rate")}
    result = {
        "sentences": meta["data"]["sizes"], "per_intent": args.per_intent, "split": args.split,
        "intents": meta["intents"], "threads": args.threads, "overrides": args.overrides,
        "generate_s": round(t_gen, 2), "train_s": round(t_train, 2),
        "train_vs_goal_120s": round(t_train / 120.0, 3),
        "train_cpu_s": round(cpu_train, 2),  # all threads and the worker; wall time swings with load
        "component_s": meta["timings_s"], "peak_rss_mb": round(peak_mb, 1),
        "test": {"n": rep["n"], "intent_accuracy": rep["intent"]["accuracy"],
                 "intent_macro_f1": rep["intent"]["macro_f1"],
                 "fallback_rate": rep["intent"]["fallback_rate"],
                 "entity_f1": rep["entity"]["micro"]["f1"],
                 "entity_per_label_f1": {k: v["f1"] for k, v in rep["entity"]["per_label"].items()}},
        "slices": slices,
        "train_seeds": {str(k): v for k, v in spread.items()}, "over_train_seeds": seeds_summary, "generator_duplicates": gen.get("duplicates") if isinstance(gen, dict) else None,
        "workdir": work,
        "environment": {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                        "load_avg": os.getloadavg()},
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, ensure_ascii=False)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
