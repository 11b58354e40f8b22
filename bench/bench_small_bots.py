"""Small bots: does `min_updates` give a bot of a few dozen to a thousand sentences enough training?

    python bench/bench_small_bots.py [--seeds 13,14,15] [--workdir /tmp/small-bots]
                                     [--out bench/results/small_bots.json]

Two small projects, each generated with data seed S and trained with training seed S
(`--include-test`, as their READMEs say), once with ``intent.min_updates=1`` and
``tagger.min_updates=1`` (the baseline: every epoch goes over the data once, as before
min_updates existed) and once with both at 400 (the tagger's default; the intent model's
stays 1, since 400 gave it mixed results here):

* the `nlukit init` starter (a café-order bot), with its stories;
* the small Rasa project of the tests (`tests/fixtures/rasa`: 27 examples), imported with
  `nlukit import`.

Reported per run: valid intent accuracy and entity F1 (``meta.json``), the stories passed
(the starter), and the training time.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="13,14,15")
    ap.add_argument("--workdir", default="/tmp/nlukit-small-bots")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "small_bots.json"))
    args = ap.parse_args(argv)

    import nlukit
    from nlukit.bot import Bot, load_scenarios, load_stories, run_stories
    from nlukit.generate.rasa import read_rasa, write_project
    from nlukit.starter import create_project

    shutil.rmtree(args.workdir, ignore_errors=True)
    projects = {"starter": os.path.join(args.workdir, "starter"), "rasa": os.path.join(args.workdir, "rasa")}
    create_project(projects["starter"])
    write_project(read_rasa([os.path.join(ROOT, "tests", "fixtures", "rasa")]), projects["rasa"])
    rows = []
    for name, root in projects.items():
        for seed in map(int, args.seeds.split(",")):
            data = os.path.join(args.workdir, f"{name}-data{seed}")
            nlukit.generate(os.path.join(root, "patterns"), os.path.join(root, "dicts"), data, seed=seed,
                            progress=False)
            n_train = sum(1 for _ in open(os.path.join(data, "train.jsonl"), encoding="utf-8"))
            for updates in (1, 400):
                model = os.path.join(args.workdir, f"{name}-model{seed}-{updates}")
                t0 = time.perf_counter()
                nlukit.train(data, model, progress=False,
                             overrides=["train.include_test=true", f"train.seed={seed}",
                                        f"intent.min_updates={updates}", f"tagger.min_updates={updates}"])
                seconds = time.perf_counter() - t0
                nlu = nlukit.load(model)
                m = nlu.meta["metrics"]
                row = {"project": name, "seed": seed, "min_updates": updates, "train_sentences": n_train,
                       "valid_intent_accuracy": m["intent_accuracy"], "valid_entity_f1": m["entity_f1"],
                       "valid_n": m["n"], "train_seconds": round(seconds, 1)}
                stories = os.path.join(root, "stories.toml")
                if os.path.exists(stories):
                    bot = Bot(nlu, load_scenarios(os.path.join(root, "scenarios.toml"), nlu.intents,
                                                  nlu.entity_types))
                    results = run_stories(bot, load_stories(stories))
                    row["stories_passed"] = f"{sum(r.passed for r in results)}/{len(results)}"
                print(json.dumps(row, ensure_ascii=False), flush=True)
                rows.append(row)
    out = {"command": "python bench/bench_small_bots.py " + " ".join(argv or sys.argv[1:]), "rows": rows}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
