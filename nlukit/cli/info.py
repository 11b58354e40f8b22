"""``nlukit info``: show a model bundle's meta (versions, labels, metrics, data digests)."""
from __future__ import annotations

import argparse
import json

HELP = "show a model's meta: versions, tokenizer, intents, labels, metrics"
EXAMPLES = """examples:
  nlukit info models/demo
  nlukit info models/demo --json
  nlukit info models/demo/20261121T234812Z --verify   # also check every file's sha256
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model folder (follows `current`) or a version folder")
    p.add_argument("--json", action="store_true", help="print meta.json")
    p.add_argument("--verify", action="store_true", help="check every file against its sha256")


def run(args: argparse.Namespace) -> int:
    from ..bundle import check_bundle, current_version, is_store, resolve, versions
    from ..train import describe
    path = resolve(args.model)
    meta = check_bundle(path, verify=args.verify)
    if args.json:
        print(json.dumps(meta, ensure_ascii=False, indent=1))
        return 0
    print(describe(meta))
    if is_store(args.model):
        cur = current_version(args.model)
        print("versions     " + ", ".join(v + (" (current)" if v == cur else "")
                                          for v in versions(args.model)))
    if args.verify:
        print(f"files        {len(meta.get('files', {}))} verified")
    return 0
