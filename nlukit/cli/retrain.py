"""``nlukit retrain``: retrain a model from new dictionaries (and patterns), warm-started."""
from __future__ import annotations

import argparse
import os

HELP = "retrain a model from new dictionaries/patterns, warm-started; current moves only if not worse"
EXAMPLES = """examples:
  nlukit retrain models/demo --dicts dicts/                      # what changed, retrain, compare
  nlukit retrain --model models/demo --dicts dicts/ --patterns patterns/
  nlukit retrain models/demo --dicts dicts/ --force              # retrain even if nothing changed,
                                                                 # and switch even if worse
  nlukit retrain models/demo --dicts dicts/ --set tagger.epochs=5 --seed 7
  nlukit retrain models/demo --dicts dicts/ --from-scratch --data-out data/demo2
  nlukit retrain models/demo --dicts dicts/ --stories stories/demo.toml --scenarios scenarios/demo.toml

The model store's current version gives the old dictionaries, patterns, generation settings
and config. The data are regenerated with the recorded settings, the new version starts
from the old weights, and old and new are scored on the same new test split. `current`
moves unless intent accuracy or entity F1 is worse: below the old figure minus --tolerance
(default 0.005) *and* significantly so in a paired test over the same test sentences
(exact McNemar, p < --significance, default 0.05), so seed noise does not block a retrain,
and (with --stories) unless a conversation test the old model passes fails with the new one.
Otherwise the new version is kept beside it, unused.
A running server picks the new current up with POST /admin/reload.
Exit status: 0 trained and current moved (or nothing to do), 3 trained but current kept
(the new model is worse), 1 an error (nothing written, current untouched).
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model_pos", nargs="?", metavar="MODEL",
                   help="model folder (the store given to `nlukit train -o`), or use --model")
    p.add_argument("--model", dest="model_opt", metavar="MODEL", help="same as the positional MODEL")
    p.add_argument("--dicts", required=True, metavar="DICTS", help="new dictionary file (*.csv) or folder")
    p.add_argument("--patterns", metavar="PATTERNS",
                   help="new pattern file or folder (default: the patterns kept in the model)")
    p.add_argument("--force", action="store_true",
                   help="retrain even when nothing changed, and move current even when the new "
                        "model is worse")
    p.add_argument("--set", metavar="KEY=VALUE", action="append", default=[], dest="overrides",
                   help="override one setting of the model's config, e.g. tagger.epochs=5 (repeatable)")
    p.add_argument("--seed", type=int, help="training seed (the data keep their recorded seed)")
    p.add_argument("--tolerance", type=float, default=0.005, metavar="T",
                   help="how far intent accuracy or entity F1 may drop and still count as not worse "
                        "(default 0.005)")
    p.add_argument("--significance", type=float, default=0.05, metavar="P",
                   help="a drop beyond the tolerance counts only when the paired test's p is below P "
                        "(default 0.05; 1 = the tolerance alone decides)")
    p.add_argument("--from-scratch", action="store_true",
                   help="do not warm-start: train new weights (to compare)")
    p.add_argument("--data-out", metavar="DIR", help="keep the regenerated dataset in DIR")
    p.add_argument("--stories", metavar="FILE", help="conversation tests (with --scenarios): a story the "
                   "old model passes and the new one fails keeps current where it is")
    p.add_argument("--scenarios", metavar="FILE", help="the scenario file the --stories bot runs")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    if args.model_pos and args.model_opt and args.model_pos != args.model_opt:
        raise InputError(f"two models given ({args.model_pos} and --model {args.model_opt}); give one")
    model = args.model_opt or args.model_pos
    if not model:
        raise InputError("no model given; pass the model folder, e.g. nlukit retrain models/demo "
                         "--dicts dicts/")
    from ..retrain import format_changes, format_result, retrain, worse_figures
    r = retrain(model, args.dicts, patterns=args.patterns, force=args.force, overrides=args.overrides,
                seed=args.seed, tolerance=args.tolerance,
                significance=args.significance, warm=not args.from_scratch,
                data_out=args.data_out, progress=not args.no_progress,
                stories=args.stories, scenarios=args.scenarios)
    print(f"changes since {r.previous}:")
    print(format_changes(r.changes))
    for note in r.notes:
        print(f"note: {note}")
    for warning in r.warnings:
        print(f"warning: {warning}")
    if not r.trained:
        print("no change in the dictionaries or patterns; nothing trained (--force retrains anyway)")
        return 0
    print(format_result(r))
    if r.switched and r.not_worse:
        print(f"saved {r.version} (current): not worse than the old model")
    elif r.switched:
        print(f"saved {r.version} (current, forced): worse than the old model")
    else:
        worse = ", ".join([*(f"{k} {r.new[k]:.4f} < {r.old[k]:.4f} - {r.tolerance}, {r.paired[k]['old_only']} "
                             f"sentence(s) only the old model got right against {r.paired[k]['new_only']}, "
                             f"p={r.paired[k]['p']:.3g}" for k in worse_figures(r)),
                           *(f"conversation test {n!r} passed before and fails now"
                             for n in (r.stories or {}).get("regressions", ()))])
        print(f"saved {r.version}, NOT made current: the new model is worse ({worse}); "
              f"current stays at {r.previous}; switch to it anyway with "
              f"`nlukit versions {model} --use {os.path.basename(r.version)}` (no retraining), "
              "or rerun with --force")
        return 3
    if r.switched:
        print(f"roll back with `nlukit versions {model} --use {os.path.basename(r.previous)}`")
    return 0
