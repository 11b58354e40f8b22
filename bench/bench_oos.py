"""Out-of-scope requests: does the fallback fire on real requests the demo bot cannot serve?

    python bench/bench_oos.py [--per-intent 2500] [--seeds 13,14,15] [--shares 0,0.25,0.5]
                              [--kinds char_cnn] [--out bench/results/oos.json]

The demo dataset is generated from patterns/ and dicts/ (template split, as in
bench_demo.py) and the intent classifier alone (each of ``--kinds``; Word2Vec from the
training morphemes as in ``nlukit train``) is trained per seed in this script per ``--shares`` value of ``oe_masked``: 0 is the baseline, nonsense-only outlier
exposure (the behaviour before masked outlier exposure existed); above 0, that share of
the outliers are masked training texts (see ``nlukit.models.intent``). Reported per model:

* in scope (the test split, all from unseen templates): intent accuracy counting a
  fallback as wrong, macro-F1, and the share wrongly sent to the fallback;
* the trade-off without the threshold: the share of out-of-scope requests below the
  confidence cut that sends 2.5 % (and 5 %) of the test split to the fallback;
* out of scope: the share of fallbacks on two hand-written lists of everyday requests
  outside the 8 demo intents (stocks, taxis, smart-home, banking, ...):
  ``bench/data/oos_ko_dev.txt`` (40 lines, looked at while building the method) and
  ``bench/data/oos_ko_test.txt`` (40 lines, written before and not used for any choice).
  Both were written by the nlukit team; they are small (±7 points at 95 %) and measure a
  direction, not a rate to quote for other domains.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
OOS = {"dev": os.path.join(ROOT, "bench", "data", "oos_ko_dev.txt"),
       "test": os.path.join(ROOT, "bench", "data", "oos_ko_test.txt")}


def _read(path: str) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [line.strip() for line in fh if line.strip()]


SUMMARY_KEYS = ("test_accuracy", "test_macro_f1", "test_false_fallback", "oos_dev_fallback",
                "oos_test_fallback", *(f"oos_{part}_fallback_at_false_fallback_{rate:g}"
                                       for rate in (0.025, 0.05) for part in OOS))


def _summary(runs: dict[str, dict]) -> dict[str, dict[str, float]]:
    """Per kind and oe_masked share (``kind/oe_masked=x``), the mean of each figure over seeds."""
    groups: dict[str, list[dict]] = {}
    for key, row in runs.items():
        kind, _seed, share = key.split("/")
        groups.setdefault(f"{kind}/{share}", []).append(row)
    return {name: {k: round(sum(r[k] for r in rows) / len(rows), 4) for k in SUMMARY_KEYS}
            for name, rows in groups.items()}


def _decide(clf: Any, rows: list) -> list[str]:
    """The intent of each prepared row, ``<fallback>`` below the classifier's threshold."""
    labels = clf.labels_ or []
    proba = clf.predict_proba([(p.norm.text, p.tokens) for p in rows])
    return [labels[i] if proba[r, i] >= clf.threshold_ else "<fallback>"
            for r, i in enumerate(proba.argmax(1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--per-intent", type=int, default=2500)
    ap.add_argument("--seeds", default="13,14,15", help="comma-separated training seeds")
    ap.add_argument("--kinds", default="char_cnn,ensemble",
                    help="comma-separated intent kinds (ensemble: its default members, char_cnn + word_cnn)")
    ap.add_argument("--shares", default="0,0.25",
                    help="comma-separated oe_masked values; 0 is the nonsense-only baseline")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--workdir")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "oos.json"))
    args = ap.parse_args(argv)

    import numpy as np
    import torch

    import nlukit
    from nlukit.dataset import load_dataset
    from nlukit.models.embeddings import train_embeddings
    from nlukit.models.intent import IntentClassifier
    from nlukit.train import prepare
    from nlukit.types import Example

    torch.set_num_threads(args.threads)
    work = args.workdir or tempfile.mkdtemp(prefix="nlukit-bench-oos-")
    data = os.path.join(work, "data")
    nlukit.generate(os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts"), data,
                    per_intent=args.per_intent, seed=13, split="template", force=True, progress=False)
    ds = load_dataset(data)
    train, valid, test = (prepare(x) for x in (ds.train, ds.valid, ds.test))
    oos = {name: prepare([Example(text=t, intent="?") for t in _read(path)])
           for name, path in OOS.items()}

    def items(rows: list) -> list:
        return [(p.norm.text, p.tokens, p.example.intent) for p in rows]

    # Word2Vec over the training morphemes, as `nlukit train` makes it (word_cnn members start from it)
    embeddings = train_embeddings([[t.surface for t in p.tokens] for p in train], seed=13, workers=1)
    results: dict[str, dict] = {}
    for kind in args.kinds.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            for share in (float(x) for x in args.shares.split(",")):
                name = f"oe_masked={share:g}"
                clf = IntentClassifier(kind=kind, seed=seed, threads=args.threads, oe_masked=share)
                t0 = time.perf_counter()
                clf.fit(items(train), items(valid), embeddings=embeddings, progress=False)
                fit_s = time.perf_counter() - t0
                labels = clf.labels_ or []
                pred = _decide(clf, test)
                gold = [p.example.intent for p in test]
                f1s = []
                for lab in labels:
                    tp = sum(g == lab and q == lab for g, q in zip(gold, pred, strict=True))
                    fp = sum(g != lab and q == lab for g, q in zip(gold, pred, strict=True))
                    fn = sum(g == lab and q != lab for g, q in zip(gold, pred, strict=True))
                    f1s.append(2 * tp / max(2 * tp + fp + fn, 1))
                row = {"kind": kind, "seed": seed, "oe_masked": clf.params["oe_masked"],
                       "threshold": round(float(clf.threshold_), 4), "fit_s": round(fit_s, 1),
                       "test_n": len(test),
                       "test_accuracy": round(float(np.mean([g == q for g, q in zip(gold, pred, strict=True)])), 4),
                       "test_macro_f1": round(float(np.mean(f1s)), 4),
                       "test_false_fallback": round(pred.count("<fallback>") / len(pred), 4)}
                # the trade-off curve, threshold aside: the share of out-of-scope requests
                # rejected at the cut that sends a given share of the test split to the fallback
                conf_test = clf.predict_proba([(p.norm.text, p.tokens) for p in test]).max(1)
                conf_oos = {part: clf.predict_proba([(p.norm.text, p.tokens) for p in rows]).max(1)
                            for part, rows in oos.items()}
                for rate in (0.025, 0.05):
                    cut = float(np.quantile(conf_test, rate))
                    for part, conf in conf_oos.items():
                        row[f"oos_{part}_fallback_at_false_fallback_{rate:g}"] = round(float(np.mean(conf < cut)), 4)
                for part, rows in oos.items():
                    out = _decide(clf, rows)
                    row[f"oos_{part}_fallback"] = round(out.count("<fallback>") / len(out), 4)
                    row[f"oos_{part}_n"] = len(out)
                    row[f"oos_{part}_accepted"] = {p.norm.text: q for p, q in zip(rows, out, strict=True) if q != "<fallback>"}
                results[f"{kind}/seed{seed}/{name}"] = row
                print(f"{kind:9} seed {seed} {name:15} acc {row['test_accuracy']:.4f} "
                      f"false-fb {row['test_false_fallback']:.4f}  OOS fallback dev "
                      f"{row['oos_dev_fallback']:.2f} test {row['oos_test_fallback']:.2f}  "
                      f"(threshold {row['threshold']:.3f}, {fit_s:.0f} s)", flush=True)
    summary = _summary(results)
    report = {"sentences": {"train": len(train), "valid": len(valid), "test": len(test)},
              "per_intent": args.per_intent, "summary_mean_over_runs": summary, "runs": results,
              "environment": {"python": platform.python_version(), "cpu_count": os.cpu_count(),
                              "load_avg": os.getloadavg()},
              "command": " ".join([os.path.basename(sys.executable), *sys.argv])}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=1, ensure_ascii=False)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
