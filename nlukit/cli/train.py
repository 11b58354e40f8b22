"""``nlukit train``: train a model bundle from a generated dataset."""
from __future__ import annotations

import argparse

HELP = "train the intent model, entity tagger and Word2Vec from a dataset into a model bundle"
EXAMPLES = """examples:
  nlukit train data/demo -o models/demo
  nlukit train data/demo -o models/demo --force            # add a new version, switch current
  nlukit train data/demo -o models/demo --set intent.epochs=5 --set tagger.hidden=64
  nlukit train data/demo -o models/demo --config train.toml --corpus extra.txt --threads 2
  nlukit train data/demo -o models/demo --include-test     # the model to ship: test split taught too
  nlukit train data/demo -o models/demo --print-config     # show the resolved config and stop
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA", help="dataset folder written by `nlukit generate`")
    p.add_argument("-o", "--out", metavar="MODEL", required=True,
                   help="model folder (a store of versions with a `current` pointer)")
    p.add_argument("--config", metavar="FILE.toml", help="hyperparameters: [word2vec] [intent] "
                   "[tagger] [train] sections")
    p.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                   help="override one setting, e.g. intent.epochs=5 (repeatable)")
    p.add_argument("--corpus", metavar="FILE", help="extra text for Word2Vec, one sentence per line")
    p.add_argument("--threads", type=int, metavar="N", help="torch threads (same as --set train.threads=N)")
    p.add_argument("--seed", type=int, help="random seed (same as --set train.seed=N)")
    p.add_argument("--include-test", action="store_true",
                   help="also fit on the test split, for the model you ship: every pattern taught; "
                        "the figures then come from valid (same as --set train.include_test=true)")
    p.add_argument("--name", help="model name recorded in meta.json (default: the folder name)")
    p.add_argument("--force", action="store_true",
                   help="MODEL already holds a model: train a new version and switch to it")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--print-config", action="store_true", help="print the resolved config as TOML and exit")


def run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.threads is not None:
        overrides.append(f"train.threads={args.threads}")
    if args.seed is not None:
        overrides.append(f"train.seed={args.seed}")
    if args.include_test:
        overrides.append("train.include_test=true")
    if args.print_config:
        from ..config import load_config, to_toml
        print(to_toml(load_config(args.config, overrides)))
        return 0
    from ..bundle import check_bundle
    from ..train import describe, train
    path = train(args.data, args.out, config=args.config, overrides=overrides, corpus=args.corpus,
                 force=args.force, progress=not args.no_progress, name=args.name)
    print(describe(check_bundle(path, verify=False)))
    print(f"saved {path} (current)")
    return 0
