"""Retraining on the demo domain: warm start vs training from scratch, next to the old model.

    python bench/bench_retrain.py [--per-intent 300] [--threads 1] [--workdir DIR]
                                  [--out bench/results/retrain.json]

Generates the demo dataset from patterns/ and dicts/ (the demo's settings: 300
sentences per intent, seed 13, template split), trains the base model (the "old"
model), then adds new dictionary values (location 거제|거제시, food 탕후루|탕후루집)
to a copy of dicts/ and retrains twice from the same base: warm-started
(``nlukit retrain``) and from scratch (``--from-scratch``, i.e. what ``nlukit train``
does on the regenerated data). Both runs regenerate identical data (recorded seed).
Reported: wall and CPU seconds, epochs run and best epoch per network, and intent
accuracy / entity F1 of old, warm and cold models on the same new test split, plus
entity F1 on the test sentences that hold a new value.
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
NEW_VALUES = {("location", "거제"), ("food", "탕후루")}


def _cpu() -> float:
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-intent", type=int, default=300)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
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
    shutil.rmtree(store + "-cold", ignore_errors=True)
    shutil.copytree(store, store + "-cold", symlinks=True)  # the same base for the cold run

    dicts = os.path.join(work, "dicts2")
    shutil.rmtree(dicts, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "dicts"), dicts)
    for name, row in NEW_ROWS.items():
        with open(os.path.join(dicts, name), "a", encoding="utf-8") as fh:
            fh.write(row)

    runs: dict[str, dict] = {}
    for mode in ("warm", "cold"):
        s = store if mode == "warm" else store + "-cold"
        d_out = os.path.join(work, f"data-{mode}")
        shutil.rmtree(d_out, ignore_errors=True)
        t0, c0 = time.perf_counter(), _cpu()
        r = nlukit.retrain(s, dicts, warm=mode == "warm", data_out=d_out, progress=False)
        wall, cpu = time.perf_counter() - t0, _cpu() - c0
        meta = json.load(open(os.path.join(r.version, "meta.json"), encoding="utf-8"))
        runs[mode] = {"seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
                      "timings_s": meta["timings_s"], "epochs": r.epochs,
                      "old": r.old, "new": r.new, "switched": r.switched, "version": r.version,
                      "data": d_out, "per_label": r.per_label}
        print(f"{mode}: {wall:.1f} s, epochs {r.epochs}, old {r.old}, new {r.new}", flush=True)

    # the test sentences with a new value, scored for old, warm and cold
    ds = load_dataset(runs["warm"]["data"])
    test = ds.test or ds.valid
    hit = [ex for ex in test if any((s.entity, s.value) in NEW_VALUES for s in ex.entities)]
    new_value_slice = {"n": len(hit)}
    if hit:
        for name, path in (("old", base), ("warm", runs["warm"]["version"]), ("cold", runs["cold"]["version"])):
            nlu = nlukit.load(path)
            rep = score(hit, nlu.parse_batch([ex.text for ex in hit]), tokenizer=None)
            new_value_slice[name] = {"intent_accuracy": rep["intent"]["accuracy"],
                                     "entity_f1": rep["entity"]["micro"]["f1"]}
    result = {
        "command": "python " + " ".join([os.path.relpath(sys.argv[0], ROOT), *(argv or sys.argv[1:])]),
        "per_intent": args.per_intent, "seed": args.seed, "threads": args.threads, "workers": 1,
        "new_values": sorted(f"{e}:{v}" for e, v in NEW_VALUES),
        "base": {"seconds": round(base_s, 1), "cpu_seconds": round(base_cpu, 1),
                 "timings_s": base_meta["timings_s"], "metrics": base_meta["metrics"]},
        "warm": runs["warm"], "cold": runs["cold"],
        "warm_over_cold_seconds": round(runs["warm"]["seconds"] / runs["cold"]["seconds"], 3),
        "new_value_test_sentences": new_value_slice,
        "environment": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "load_average": os.getloadavg()},
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(json.dumps({k: result[k] for k in ("warm_over_cold_seconds", "new_value_test_sentences")},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
