"""Requests typed with the Korean keyboard left in English mode (``tjdnf skfTl`` for 서울 날씨).

    python bench/bench_keyboard.py MODEL DATA [--scenarios scenarios/demo.toml]
                                   [--out bench/results/keyboard.json]

Each test sentence of DATA is turned into the keys typed for it (``nlukit.korean.keys_from_hangul``;
Latin letters such as KTX stay) and read three ways in the same run:

* ``as typed`` (the baseline): the model parses the Latin text as it is;
* ``bot reading``: what the bot works on with ``[bot] keyboard_fix`` (the default): the
  Hangul reading when the text as typed is not understood and the reading is;
* ``original``: the sentence as written in Hangul, the ceiling.

Reported: intent accuracy (a fallback counts as wrong) and entity F1 on exact spans (the
reading has the original's offsets: every demo sentence reads back exactly). Against false
readings: ``bench/data/english_chat.txt`` (40 everyday English texts) counts how many the bot
would read as Hangul.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
ENGLISH = os.path.join(ROOT, "bench", "data", "english_chat.txt")


def _score(parses, golds, intents, fallback):
    hits = sum(p.intent is not None and p.intent.name != fallback and p.intent.name == g
               for p, g in zip(parses, intents, strict=True))
    tp = fp = fn = 0
    for p, gold in zip(parses, golds, strict=True):
        got = {(e.start, e.end, e.entity, e.role) for e in p.entities}
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    return {"intent_accuracy": round(hits / len(parses), 4),
            "entity_f1": round(2 * tp / max(2 * tp + fp + fn, 1), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--scenarios", default=os.path.join(ROOT, "scenarios", "demo.toml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "keyboard.json"))
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.bot import Bot, load_scenarios
    from nlukit.dataset import load_dataset
    from nlukit.korean import keys_from_hangul

    nlu = nlukit.load(args.model)
    bot = Bot(nlu, load_scenarios(args.scenarios, nlu.intents, nlu.entity_types))
    test = load_dataset(args.data).test
    typed = [keys_from_hangul(ex.text) for ex in test]
    golds = [{(s.start, s.end, s.entity, s.role) for s in ex.entities} for ex in test]
    intents = [ex.intent for ex in test]
    as_typed = nlu.parse_batch(typed)
    # the bot's reading of each text (Bot.handle runs the same step before its scenario logic)
    reading = [bot._keyboard_fixed(t, p, None)[1] for t, p in zip(typed, as_typed, strict=True)]
    original = nlu.parse_batch([ex.text for ex in test])
    fb = nlu.fallback_intent
    rows = {"as_typed": _score(as_typed, golds, intents, fb),
            "bot_reading": _score(reading, golds, intents, fb),
            "original": _score(original, golds, intents, fb)}
    english = [ln.strip() for ln in open(ENGLISH, encoding="utf-8") if ln.strip() and not ln.startswith("#")]
    misread = [t for t in english if bot._keyboard_fixed(t, nlu.parse(t), None)[0] != t]
    result = {"model": args.model, "data": args.data, "n_test": len(test), **rows,
              "english_texts": len(english), "english_read_as_hangul": misread,
              "command": "python bench/bench_keyboard.py " + " ".join(argv or sys.argv[1:]),
              "environment": {"python": platform.python_version(), "cpu_count": os.cpu_count()}}
    print(f"{len(test)} test sentences typed in English mode")
    print(f"{'':14}{'intent acc':>12}{'entity F1':>11}")
    for name, r in rows.items():
        print(f"{name:14}{r['intent_accuracy']:>12.4f}{r['entity_f1']:>11.4f}")
    print(f"English texts read as Hangul: {len(misread)} of {len(english)} {misread}")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
