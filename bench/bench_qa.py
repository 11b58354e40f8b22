"""Requests like the demo QA errors: intent and entities of trained demo models.

    python bench/bench_qa.py MODEL [MODEL ...] [--list FILE] [--show] [--out FILE.json]

``bench/data/qa_ko_test.txt`` holds ~40 requests reworded from what the demo misread in QA
(``기차표 사고 싶어`` fell back, ``서울역에서 출발 가능?`` was read as weather, ``홍데 맛집`` was
tagged food=홍), written before any model was scored on them: used only to report. Each line is
``intent<TAB>text[<TAB>entity[:role]=value;...]``. Per model: intent accuracy (a fallback is
wrong), entity micro precision/recall/F1 over ``(entity[:role], value)`` pairs, and the share
of requests with both the intent and the exact entity set right. A list this small shows a
direction (±15 points at 95 %), not a rate to quote. ``--list bench/data/qa2_ko_test.txt``
scores the second list (42 requests in wording unlike the patterns: short names, follow-ups,
agreement words), written the same way.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
LIST = os.path.join(ROOT, "bench", "data", "qa_ko_test.txt")


def read_list(path: str) -> list[tuple[str, str, set[tuple[str, str]]]]:
    """``(intent, text, {(entity[:role], value)})`` rows (``#`` lines are comments)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            intent, text, *rest = line.split("\t")
            ents = set()
            for item in (rest[0].split(";") if rest and rest[0] else []):
                label, value = item.split("=", 1)
                ents.add((label, value))
            rows.append((intent, text, ents))
    return rows


def score(nlu: Any, rows: list[tuple[str, str, set[tuple[str, str]]]]) -> dict[str, Any]:
    results = nlu.parse_batch([t for _, t, _ in rows])
    n = len(rows)
    right = exact = tp = n_got = n_want = 0
    misses = []
    for (want, text, want_ents), r in zip(rows, results, strict=True):
        got = r.intent.name if r.intent else None
        got_ents = {(e.entity + (f":{e.role}" if e.role else ""), str(e.value)) for e in r.entities}
        right += got == want
        tp += len(got_ents & want_ents)
        n_got += len(got_ents)
        n_want += len(want_ents)
        if got == want and got_ents == want_ents:
            exact += 1
        else:
            misses.append({"text": text, "want": want, "got": got,
                           "want_entities": sorted(want_ents), "got_entities": sorted(got_ents)})
    p = tp / n_got if n_got else 1.0
    rc = tp / n_want if n_want else 1.0
    return {"n": n, "intent_accuracy": round(right / n, 4), "entity_precision": round(p, 4),
            "entity_recall": round(rc, 4), "entity_f1": round(2 * p * rc / (p + rc) if p + rc else 0.0, 4),
            "exact": round(exact / n, 4), "misses": misses}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", metavar="MODEL")
    ap.add_argument("--list", default=LIST, help="the request list (default: %(default)s)")
    ap.add_argument("--show", action="store_true", help="print the misses")
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    import nlukit
    rows = read_list(args.list)
    runs = {}
    for path in args.models:
        runs[path] = score(nlukit.load(path, resolve={}), rows)
        print(path, {k: v for k, v in runs[path].items() if k != "misses"})
        if args.show:
            for m in runs[path]["misses"]:
                print(f"  miss: {m['text']!r} want {m['want']} {m['want_entities']} "
                      f"got {m['got']} {m['got_entities']}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump({"list": os.path.relpath(args.list, ROOT), "models": runs,
                       "command": " ".join(["python", "bench/bench_qa.py", *sys.argv[1:]])},
                      fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
