"""``nlukit evaluate``: score a model on a dataset split; report.json + one HTML page."""
from __future__ import annotations

import argparse
import sys

HELP = "evaluate a model on a dataset split (intents, entities, slices) or k-fold cross-validate"
EXAMPLES = """examples:
  nlukit evaluate models/demo data/demo                     # test split (valid for a model
                                                            # trained --include-test), summary only
  nlukit evaluate models/demo data/demo -o reports/demo     # + report.json and report.html
  nlukit evaluate models/demo data/demo --split valid
  nlukit evaluate models/demo data/demo --folds 5 -o reports/cv   # train+valid, 5 folds
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model folder; with --folds, its config is reused")
    p.add_argument("data", metavar="DATA", help="dataset folder written by `nlukit generate`")
    p.add_argument("--split", default=None, choices=("train", "valid", "test"),
                   help="the split to score (default: test, or valid when the model was trained on "
                        "this test split: --include-test)")
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
    if args.split is None:
        args.split = _held_out_split(args.model, args.data)
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


def _held_out_split(model: str, data: str) -> str:
    """test, or valid when the model was fitted on this very test split (``--include-test``,
    the model to ship): its test figures would only say how well it remembers."""
    import os

    from ..bundle import check_bundle, resolve
    from ..evaluate import seen_split
    from ..train import fitted_splits
    try:
        meta = check_bundle(resolve(model), verify=False)
    except Exception:   # noqa: BLE001 - evaluate() names what is wrong with the model
        return "test"
    valid = os.path.join(data, "valid.jsonl")
    if seen_split(meta, data, "test") != "fitted" or "valid" in fitted_splits(meta) \
            or not os.path.isfile(valid) or not os.path.getsize(valid):
        return "test"
    print("nlukit: scoring the valid split: the model was trained on the test split of "
          f"{data} (--include-test); --split test scores it anyway", file=sys.stderr)
    return "valid"
