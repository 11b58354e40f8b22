"""Times and dates typed with Korean number words: entity F1 with and without help.

    python bench/bench_numerals.py [--data-seeds 13,14,15,16,17,18,19,20] [--per-intent 300]
                                   [--out bench/results/numerals.json]

Users type ``오후 세 시 반`` as often as ``오후 3시 반``; the demo dictionaries list digits.
Per data seed (each a different template split of the demo domain, the shipped size by
default) this trains three taggers and scores each on two test sets:

* ``plain``: the generated test split, as it is;
* ``spelled``: the same test sentences with every counted digit inside an entity written
  as number words (``nlukit.numerals.spell``; only the sentences that change).

The three configurations, trained on the same data with the same seed:

* ``baseline``: ``tagger.spelled_numbers = false`` (the dictionary feature matches digits only);
* ``gazetteer``: the default, the dictionary feature also matches the number-word spellings;
* ``augmented``: the default plus ``nlukit generate --augment numerals`` (30 % of the
  training sentences with counted digits get them spelled).

Each held-out template split is one draw: the spread across data seeds is the noise.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("OMP_NUM_THREADS", "1")

CONFIGS = {"baseline": ((), ["tagger.spelled_numbers=false"]),
           "gazetteer": ((), []),
           "augmented": (("numerals",), [])}


def spelled_test(plain_dir: str, out_dir: str, seed: int, per_intent: int) -> int:
    """A dataset whose test split is the plain one with every counted digit in an entity
    spelled (the sentences that change only); returns their number."""
    import nlukit
    from nlukit.generate import generator
    old = generator.NUMERALS_RATE
    generator.NUMERALS_RATE = 1.0
    try:
        nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), out_dir,
                        per_intent=per_intent, seed=seed, augment=("numerals",), force=True, progress=False)
    finally:
        generator.NUMERALS_RATE = old
    with open(os.path.join(plain_dir, "test.jsonl"), encoding="utf-8") as fh:
        plain = {json.loads(line)["text"] for line in fh}
    with open(os.path.join(out_dir, "test.jsonl"), encoding="utf-8") as fh:
        rows = [line for line in fh if json.loads(line)["text"] not in plain]
    with open(os.path.join(out_dir, "test.jsonl"), "w", encoding="utf-8") as fh:
        fh.writelines(rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-seeds", default="13,14,15,16,17,18,19,20")
    ap.add_argument("--per-intent", type=int, default=300, help="sentences per intent (make demo: 300)")
    ap.add_argument("--workdir", help="keep datasets and models here (default: a temp dir, removed)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "numerals.json"))
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.evaluate import evaluate

    work = args.workdir or tempfile.mkdtemp(prefix="nlukit-bench-numerals-")
    seeds = [int(s) for s in args.data_seeds.split(",")]
    rows: dict[str, dict[str, dict[str, float]]] = {c: {} for c in CONFIGS}
    started = time.time()
    try:
        for seed in seeds:
            data = {}
            for augment in ((), ("numerals",)):
                d = os.path.join(work, f"d{seed}_{'+'.join(augment) or 'plain'}")
                nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), d,
                                per_intent=args.per_intent, seed=seed, augment=augment, force=True,
                                progress=False)
                data[augment] = d
            spelled = os.path.join(work, f"d{seed}_spelled")
            n_spelled = spelled_test(data[()], spelled, seed, args.per_intent)
            for name, (augment, overrides) in CONFIGS.items():
                model = os.path.join(work, f"m{seed}_{name}")
                nlukit.train(data[augment], model, overrides=[f"train.seed={seed}", "train.threads=1", *overrides],
                             force=True, progress=False)
                plain_rep, spelled_rep = evaluate(model, data[()]), evaluate(model, spelled)
                rows[name][str(seed)] = {
                    "plain_entity_f1": plain_rep["entity"]["micro"]["f1"],
                    "plain_time_date_f1": _f1_of(plain_rep, ("time", "date")),
                    "plain_intent_accuracy": plain_rep["intent"]["accuracy"],
                    "spelled_entity_f1": spelled_rep["entity"]["micro"]["f1"],
                    "spelled_n": n_spelled}
                print(f"seed {seed} {name:<10} " + "  ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                                          for k, v in rows[name][str(seed)].items()), flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    summary = {}
    for name, per_seed in rows.items():
        summary[name] = {k: round(statistics.mean(r[k] for r in per_seed.values()), 4)
                         for k in ("plain_entity_f1", "plain_time_date_f1", "plain_intent_accuracy",
                                   "spelled_entity_f1")}
        summary[name]["spelled_f1_min_max"] = [round(min(r["spelled_entity_f1"] for r in per_seed.values()), 4),
                                               round(max(r["spelled_entity_f1"] for r in per_seed.values()), 4)]
    base = summary["baseline"]
    for name in ("gazetteer", "augmented"):
        summary[name]["vs_baseline"] = {k: round(summary[name][k] - base[k], 4)
                                        for k in ("plain_entity_f1", "plain_time_date_f1", "spelled_entity_f1")}
    out = {"command": " ".join(["python", "bench/bench_numerals.py", *(argv if argv is not None else sys.argv[1:])]),
           "data_seeds": seeds, "per_intent": args.per_intent, "seconds": round(time.time() - started, 1),
           "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
           "summary": summary, "per_seed": rows}
    print(json.dumps(summary, indent=1))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"wrote {args.out}")
    return 0


def _f1_of(report: dict, labels: tuple[str, ...]) -> float:
    """Micro F1 over the given entity labels of a report (from their per-label counts)."""
    per = report["entity"]["per_label"]
    tp = fp = fn = 0.0
    for label in labels:
        d = per.get(label)
        if not d:
            continue
        p, r, n = d["precision"], d["recall"], d["support"]
        t = r * n
        tp += t
        fn += n - t
        fp += t / p - t if p else 0.0
    return round(2 * tp / (2 * tp + fp + fn), 6) if tp else 0.0


if __name__ == "__main__":
    sys.exit(main())
