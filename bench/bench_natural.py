"""Natural in-scope requests: does the demo bot understand what users really type?

    python bench/bench_natural.py MODEL [MODEL ...] [--show dev] [--out bench/results/natural.json]

The demo's own test split comes from the same patterns as its training data (unseen
templates, but the same style). Users type differently: keyword queries (``강남 맛집``,
``아이유 노래``), casual endings, no spaces. This scores trained demo models on two
hand-written lists of such requests to the 8 demo intents:

* ``bench/data/natural_ko_dev.txt`` (73 lines): looked at while improving the demo
  patterns and the intent model;
* ``bench/data/natural_ko_test.txt`` (80 lines, 10 per intent): written before any
  change, used only to report.

Per list: accuracy counting a fallback as wrong, the share wrongly sent to the fallback
(``false_fallback``), and the share given to another intent. Beside them, the accuracy on
bench_oos.py's out-of-scope requests (``oos_dev``, ``oos_test``) is the share that goes to
the fallback, as it should: a change that
makes the bot surer of short requests must not make it sure of everything. Both lists were written by the nlukit team; they are small
(±7-10 points at 95 %) and show a direction, not a rate to quote. Several models (e.g. the
seeds of bench_demo.py's ``--workdir``) are reported side by side with their mean.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
LISTS = {"dev": os.path.join(ROOT, "bench", "data", "natural_ko_dev.txt"),
         "test": os.path.join(ROOT, "bench", "data", "natural_ko_test.txt")}
# out-of-scope requests (bench_oos.py's lists): what is wanted there is the fallback
OOS = {"oos_dev": os.path.join(ROOT, "bench", "data", "oos_ko_dev.txt"),
       "oos_test": os.path.join(ROOT, "bench", "data", "oos_ko_test.txt")}


def read_list(path: str) -> list[tuple[str, str]]:
    """``(intent, text)`` rows of a natural list (``#`` lines are comments)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#"):
                intent, text = line.split("\t", 1)
                rows.append((intent, text))
    return rows


def score(nlu: Any, rows: list[tuple[str, str]]) -> dict[str, Any]:
    results = nlu.parse_batch([t for _, t in rows])
    got = [r.intent.name if r.intent else None for r in results]
    n = len(rows)
    right = sum(g == want for g, (want, _) in zip(got, rows, strict=True))
    fb = nlu.fallback_intent
    fallback = sum(g == fb and want != fb for g, (want, _) in zip(got, rows, strict=True))
    misses = [{"text": t, "want": want, "got": g,
               "top": [(s.name, round(s.confidence, 3)) for s in r.ranking[:2]]}
              for g, (want, t), r in zip(got, rows, results, strict=True) if g != want]
    return {"n": n, "accuracy": round(right / n, 4), "false_fallback": round(fallback / n, 4),
            "other_intent": round((n - right - fallback) / n, 4), "misses": misses}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", metavar="MODEL")
    ap.add_argument("--show", default="dev", help="comma list of the lists whose misses are printed "
                                                  "(dev by default; test only to report)")
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    import nlukit
    lists = {name: read_list(path) for name, path in LISTS.items()}
    lists.update({name: [("fallback", line.strip()) for line in open(path, encoding="utf-8")
                         if line.strip() and not line.startswith("#")] for name, path in OOS.items()})
    runs: dict[str, dict[str, Any]] = {}
    for path in args.models:
        nlu = nlukit.load(path, resolve={})
        runs[path] = {name: score(nlu, rows) for name, rows in lists.items()}
        print(path, {name: {k: v for k, v in r.items() if k != "misses"} for name, r in runs[path].items()})
        for name in (s for s in args.show.split(",") if s and not s.startswith("oos")):
            for m in runs[path][name]["misses"]:
                print(f"  {name} miss: {m['text']!r} want {m['want']} got {m['got']} {m['top']}")
    mean = {name: {k: round(sum(r[name][k] for r in runs.values()) / len(runs), 4)
                   for k in ("accuracy", "false_fallback", "other_intent")} for name in lists}
    print("mean over models:", mean)
    if args.out:
        out = {"lists": {name: {"path": os.path.relpath(p, ROOT), "n": len(lists[name])}
                         for name, p in {**LISTS, **OOS}.items()},
               "models": {p: {name: {k: v for k, v in r.items() if k != "misses" or name == "dev"}
                              for name, r in res.items()} for p, res in runs.items()},
               "mean": mean, "command": " ".join(["python", "bench/bench_natural.py", *sys.argv[1:]])}
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(out, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
