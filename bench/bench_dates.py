"""Dates as people text them (12.24, 12/5, 2026. 12. 3., 12월, 한 달 뒤): does the demo bot read them?

    python bench/bench_dates.py MODEL [MODEL ...] [--show] [--out FILE.json]

``bench/data/dates_ko_test.txt`` holds 30 demo requests whose date is written with numbers,
as a month alone or as 한 달 뒤, each with the value the date should resolve to on
2026-11-25 (a Wednesday). They were written by hand before any model was scored on them and
are used only to report. Per model: intent accuracy (a fallback is wrong), the share whose
date entity resolves to the expected value, and the share where the date's text was given
to another entity type (``12.24`` read as a location). A list this small shows a direction
(±15 points at 95 %), not a rate to quote.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
LIST = os.path.join(ROOT, "bench", "data", "dates_ko_test.txt")
TODAY = datetime.date(2026, 11, 25)


def read_list(path: str) -> list[tuple[str, str, str]]:
    """``(intent, text, resolved value)`` rows (``#`` lines are comments)."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.strip() and not line.startswith("#"):
                intent, text, value = line.split("\t")
                rows.append((intent, text, value))
    return rows


def score(model_path: str, rows: list[tuple[str, str, str]], show: bool) -> dict[str, Any]:
    import nlukit
    nlu = nlukit.load(model_path)
    results = nlu.parse_batch([t for _, t, _ in rows], today=TODAY)
    intent_ok = date_ok = stolen = 0
    for (intent, text, value), r in zip(rows, results, strict=True):
        dates = [e for e in r.entities if e.entity == "date"]
        got = [e.resolved.get("value") for e in dates if e.resolved]
        i_ok, d_ok = r.intent.name == intent, value in got
        # the date's digits given to another type: 12.24 as a location
        other = any(e.entity != "date" and any(c.isdigit() for c in e.text) and e.entity != "time"
                    for e in r.entities)
        intent_ok += i_ok
        date_ok += d_ok
        stolen += other
        if show and not (i_ok and d_ok):
            print(f"  {text!r}: {r.intent.name} {[(e.entity, e.text) for e in r.entities]} resolved {got}")
    n = len(rows)
    return {"model": model_path, "n": n, "intent_acc": round(intent_ok / n, 4), "date_right": round(date_ok / n, 4),
            "digits_as_other_type": round(stolen / n, 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--show", action="store_true", help="print the requests a model gets wrong")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    rows = read_list(LIST)
    out = [score(m, rows, args.show) for m in args.models]
    for r in out:
        print(f"{r['model']}: intent {r['intent_acc']:.3f}  date right {r['date_right']:.3f}  "
              f"digits as another type {r['digits_as_other_type']:.3f}  (n={r['n']})")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump({"command": "python bench/bench_dates.py " + " ".join(argv or sys.argv[1:]),
                       "today": TODAY.isoformat(), "results": out}, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
