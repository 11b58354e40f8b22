"""The clarifying question (``[bot] clarify``, scenario ``title``) on the demo bot: what it wins and costs.

    python bench/bench_clarify.py MODEL [MODEL ...] [--scenarios scenarios/demo.toml] [--out bench/results/clarify.json]

Each request of bench_natural.py's in-scope lists (``natural_ko_dev``/``test``: intent<TAB>text) and of
bench_oos.py's out-of-scope lists (``oos_ko_dev``/``test``) is said as the first turn of a new session
to the demo bot, once with ``clarify = ""`` (before) and once with the scenario file's setting (now).

* in scope: of the requests that got the fallback before, how many now get a clarifying question for
  the right intent (and, answered 네, start it: ``yes_starts``) or for a wrong one;
* out of scope: how many now get a clarifying question instead of the fallback (the cost: one more
  turn, 아니요, before the user is asked what they want);
* ``other_changed``: turns that were no fallback before and changed (must be 0: the question only
  takes the fallback's place).

Build the models as ``make demo`` does (seed 13, 14 ...)::

    PYTHONPATH=. python -m nlukit generate patterns/ dicts/ -o /tmp/d13 --seed 13 --force
    PYTHONPATH=. OMP_NUM_THREADS=1 python -m nlukit train /tmp/d13 -o /tmp/m13 --force --include-test
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "bench"))

from bench_natural import LISTS, OOS, read_list  # noqa: E402

TODAY = datetime.datetime(2026, 11, 23, 10, 0)   # a Monday morning: the same dates for every run


def run(nlu: Any, scenarios: Any, rows: list[tuple[str | None, str]]) -> dict[str, Any]:
    from nlukit.bot import Bot
    off = dataclasses.replace(scenarios, settings=dataclasses.replace(scenarios.settings, clarify=""))
    before_bot, now_bot = Bot(nlu, off), Bot(nlu, scenarios)
    out: dict[str, Any] = {"n": len(rows), "fallback_before": 0, "clarify_right": 0, "yes_starts": 0,
                           "clarify_wrong": 0, "other_changed": 0, "asked": []}
    for k, (want, text) in enumerate(rows):
        sid = f"s{k}"
        before = before_bot.handle(sid, text, now=TODAY)
        now = now_bot.handle(sid, text, now=TODAY)
        asked = (now_bot.session(sid) or {}).get("clarify")
        if before.state != "fallback":
            out["other_changed"] += (before.reply, before.state) != (now.reply, now.state)
            continue
        out["fallback_before"] += 1
        if not asked:
            continue
        right = want is not None and asked["intent"] == want
        out["clarify_right" if right else "clarify_wrong"] += 1
        yes = now_bot.handle(sid, "네", now=TODAY)
        starts = yes.intent == asked["intent"] and yes.state in ("complete", "ask_slot", "confirm") \
            and not (now_bot.session(sid) or {}).get("clarify")
        out["yes_starts"] += bool(right and starts)
        out["asked"].append({"text": text, "want": want, "asked": asked["intent"], "reply": now.reply,
                             "after_yes": yes.reply, "slots_after_yes": yes.slots})
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+", metavar="MODEL")
    ap.add_argument("--scenarios", default=os.path.join(ROOT, "scenarios", "demo.toml"))
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.bot import load_scenarios
    lists: dict[str, list[tuple[str | None, str]]] = dict(
        {n: list(read_list(p)) for n, p in LISTS.items()}.items())
    for name, path in OOS.items():
        with open(path, encoding="utf-8") as fh:
            lists[name] = [(None, x.strip()) for x in fh if x.strip() and not x.startswith("#")]
    runs: dict[str, Any] = {}
    for path in args.models:
        nlu = nlukit.load(path)
        scenarios = load_scenarios(args.scenarios, nlu.intents, nlu.entity_types)
        runs[path] = {"model_threshold": round(float(getattr(nlu, "threshold", 0.0)), 4),
                      **{name: run(nlu, scenarios, rows) for name, rows in lists.items()}}
        for name, r in runs[path].items():
            if isinstance(r, dict):
                print(f"{path} {name:10s} n={r['n']:3d} fallback before {r['fallback_before']:3d}: clarify right "
                      f"{r['clarify_right']} (yes starts {r['yes_starts']}), wrong {r['clarify_wrong']}; "
                      f"other turns changed {r['other_changed']}")
    total: dict[str, dict[str, int]] = {}
    for r in runs.values():
        for name, got in r.items():
            if isinstance(got, dict):
                t = total.setdefault("in_scope" if name in LISTS else "out_of_scope", {})
                for k, v in got.items():
                    if isinstance(v, int):
                        t[k] = t.get(k, 0) + v
    print("total", json.dumps(total, ensure_ascii=False))
    if args.out:
        save(args.out, "bench_clarify.py", argv, args.scenarios, total, runs)
    return 0


def save(out: str, script: str, argv: list[str] | None, scenarios: str, total: Any, runs: Any) -> None:
    """Write a clarify bench's results: its command, the scenarios file, the totals and each run."""
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"command": f"python bench/{script} " + " ".join(sys.argv[1:] if argv is None else argv),
                   "scenarios": os.path.relpath(scenarios, ROOT), "total": total, "runs": runs},
                  fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    sys.exit(main())
