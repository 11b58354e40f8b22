"""``nlukit evaluate``: score a model on a dataset split; report.json + one HTML page."""
from __future__ import annotations

import argparse
import sys

HELP = "evaluate a model on a dataset split (intents, entities, slices) or k-fold cross-validate"
EXAMPLES = """examples:
  nlukit evaluate models/demo data/demo                     # test split, summary only
  nlukit evaluate models/demo data/demo -o reports/demo     # + report.json and report.html
  nlukit evaluate models/demo data/demo --split valid
  nlukit evaluate models/demo data/demo --folds 5 -o reports/cv   # train+valid, 5 folds
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model folder; with --folds, its config is reused")
    p.add_argument("data", metavar="DATA", help="dataset folder written by `nlukit generate`")
    p.add_argument("--split", default="test", choices=("train", "valid", "test"))
    p.add_argument("-o", "--out", metavar="DIR", help="write report.json and report.html here")
    p.add_argument("--folds", type=int, metavar="K", help="k-fold cross-validation over train+valid "
                   "with MODEL's config (trains K models)")
    p.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                   help="with --folds: override one setting (repeatable)")


def run(args: argparse.Namespace) -> int:
    if args.folds is not None:
        from ..bundle import check_bundle, resolve
        from ..evaluate import cross_validate
        meta = check_bundle(resolve(args.model), verify=False)
        rep = cross_validate(args.data, args.folds, config=meta.get("config"),
                             overrides=args.overrides, out=args.out)
        for key in ("intent_accuracy", "intent_macro_f1", "entity_f1"):
            print(f"{key:<18} {rep[key]['mean']:.4f} ± {rep[key]['std']:.4f}  ({args.folds} folds, "
                  f"n={rep['n']})")
        if args.out:
            print(f"wrote {args.out}/cv_report.json")
        return 0
    if args.overrides:
        from ..errors import InputError
        raise InputError("--set changes the models --folds trains; without --folds the model is "
                         "scored as it is: retrain it with --set, or add --folds K")
    from ..evaluate import evaluate
    rep = evaluate(args.model, args.data, split=args.split, out=args.out)
    for w in rep.get("warnings") or ():
        print(f"nlukit: warning: {w}", file=sys.stderr)
    it, en = rep["intent"], rep["entity"]
    note = "" if rep.get("memory", "on") == "on" else "; memory off for its sentences (the model memorised them)"
    print(f"split              {args.split} (n={rep['n']}){note}")
    print(f"intent accuracy    {it['accuracy']:.4f}   macro-F1 {it['macro_f1']:.4f}   "
          f"fallback {it['fallback_rate']:.4f}")
    print(f"entity F1          {en['micro']['f1']:.4f}   P {en['micro']['precision']:.4f}   "
          f"R {en['micro']['recall']:.4f}   (exact character spans)")
    for name, d in en["per_label"].items():
        print(f"  {name:<24} F1 {d['f1']:.4f}  n={d['support']}")
    for s in rep["slices"]:
        ent = f"{s['entity']['f1']:.4f}" if s["entity"] else "-"
        acc = f"{s['intent_accuracy']:.4f}" if s["intent_accuracy"] is not None else "-"
        print(f"slice {s['name']:<16} n={s['n']:<6} intent acc {acc}  entity F1 {ent}")
    print(f"errors             {rep['errors_total']}")
    if args.out:
        print(f"wrote {args.out}/report.json and {args.out}/report.html")
    return 0
