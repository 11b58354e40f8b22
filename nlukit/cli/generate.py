"""``nlukit generate``: expand patterns and dictionaries into a dataset directory."""
from __future__ import annotations

import argparse

HELP = "expand patterns and dictionaries into a labelled dataset (JSONL, IOB CSV, txt)"
EXAMPLES = """examples:
  nlukit generate patterns/ dicts/ -o data/demo
  nlukit generate patterns/ dicts/ -o data/demo --per-intent 1000 --seed 7 --force
  nlukit generate patterns/weather.txt dicts/location.csv -o data/w --split value --test-ratio 0.2
  nlukit generate patterns/ dicts/ -o data/demo --augment spacing --split sentence --quiet
  nlukit generate patterns/ dicts/ -o data/demo --augment numerals --force
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("patterns", help="pattern file (*.txt) or a folder of them")
    p.add_argument("dicts", help="dictionary file (*.csv) or a folder of them")
    p.add_argument("-o", "--out", required=True, help="dataset directory to write")
    p.add_argument("--per-intent", type=int, default=300, metavar="N",
                   help="sentences per intent, all splits together (default 300)")
    p.add_argument("--seed", type=int, default=13, help="random seed; same seed, same bytes (default 13)")
    p.add_argument("--split", choices=("template", "sentence", "value"), default="template",
                   help="hold out templates, values, or random sentences for valid/test (default template)")
    p.add_argument("--valid-ratio", type=float, default=0.1, metavar="R", help="share for valid (default 0.1)")
    p.add_argument("--test-ratio", type=float, default=0.1, metavar="R", help="share for test (default 0.1)")
    p.add_argument("--augment", action="append", choices=("spacing", "numerals"), default=[],
                   help="spacing: spacing variants (서울 날씨 / 서울날씨); numerals: counted digits in "
                        "entities also written as number words (오후 3시 → 오후 세 시); repeatable")
    p.add_argument("--tokenizer", default="mecab", help="tokenizer for the IOB files (default mecab)")
    p.add_argument("--force", action="store_true", help="replace an existing output directory")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def run(args: argparse.Namespace) -> int:
    from ..generate.generator import format_summary, generate

    report = generate(args.patterns, args.dicts, args.out, per_intent=args.per_intent, seed=args.seed,
                      split=args.split, valid_ratio=args.valid_ratio, test_ratio=args.test_ratio,
                      augment=tuple(args.augment), force=args.force, progress=not args.quiet,
                      tokenizer=args.tokenizer)
    if not args.quiet:
        print(format_summary(report))
    return 0
