"""``nlukit versions``: list a model store's versions, switch ``current`` (roll back), prune."""
from __future__ import annotations

import argparse
import json
from typing import Any

HELP = "list a model's versions, switch current to another (roll back), or prune old ones"
EXAMPLES = """examples:
  nlukit versions models/demo                        # one line per version, oldest first; * = current
  nlukit versions models/demo --verify --json        # also check every file's sha256; JSON
  nlukit versions models/demo --use 20261121T234812Z # switch current to that version
  nlukit versions models/demo --use previous         # roll back to the version before current
  nlukit versions models/demo --prune --keep 3 --dry-run   # what would be deleted
  nlukit versions models/demo --prune --keep 3       # delete all but the 3 newest (never current)

--use checks the version first (bundle format, nlukit version, tokenizer, every file's
sha256) and switches current atomically only when it passes; a running server picks the
new current up with POST /admin/reload. "previous" is the newest version older than
current that passes the check. --prune keeps the N newest versions and current, even
when current is older; damaged folders (no readable meta.json) do not count among the N
and are deleted too.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model store (the folder given to `nlukit train -o`)")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--use", metavar="VERSION",
                        help="switch current to VERSION (a version name, or 'previous') once it "
                             "passes the check")
    action.add_argument("--prune", action="store_true",
                        help="delete all but the --keep N newest versions; current is always kept")
    p.add_argument("--keep", type=int, metavar="N", help="with --prune: how many of the newest to keep (>= 1)")
    p.add_argument("--dry-run", action="store_true", help="with --prune: only list what would be deleted")
    p.add_argument("--verify", action="store_true",
                   help="when listing: also check every file's sha256 (reads every weight file)")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..versions import list_versions, prune_versions, use_version

    if not args.prune and (args.keep is not None or args.dry_run):
        raise InputError("--keep and --dry-run go with --prune, e.g. nlukit versions "
                         f"{args.model} --prune --keep 3 --dry-run")
    if args.verify and (args.prune or args.use is not None):
        raise InputError("--verify goes with the listing; --use always checks every file of the "
                         "version it switches to, and --prune reads no weights")
    if args.prune:
        if args.keep is None:
            raise InputError(f"--prune needs --keep N, e.g. nlukit versions {args.model} --prune --keep 3")
        r = prune_versions(args.model, args.keep, dry_run=args.dry_run)
        if args.json:
            return _print_json(r.to_dict())
        verb = "would delete" if r.dry_run else "deleted"
        print(f"{verb} {len(r.removed)}: {', '.join(r.removed) or 'nothing'}")
        print(f"kept {len(r.kept)}: {', '.join(r.kept) or 'nothing'}")
        if r.leftovers:
            print(f"{'would remove' if r.dry_run else 'removed'} {len(r.leftovers)} leftover folder(s) "
                  f"of an interrupted prune: {', '.join(r.leftovers)}")
        if r.foreign:
            print(f"left alone {len(r.foreign)} folder(s) that hold nothing of a model: {', '.join(r.foreign)}")
        if r.stuck:
            print(f"note: could not remove {', '.join(r.stuck)} in {r.store}; they are hidden, not "
                  "versions — check their permissions and delete them by hand")
        return 0
    if args.use is not None:
        s = use_version(args.model, args.use)
        if args.json:
            return _print_json(s.to_dict())
        if s.changed:
            print(f"current was {s.previous}, is now {s.current}")
            print("a running server picks it up with POST /admin/reload")
        else:
            print(f"current is already {s.current}; nothing changed")
        return 0
    rows = list_versions(args.model, verify=args.verify)
    if args.json:
        from ..bundle import current_version
        return _print_json({"store": args.model, "current": current_version(args.model),
                            "versions": [r.to_dict() for r in rows]})
    print(format_versions(rows))
    from ..versions import leftovers
    left = leftovers(args.model)
    if left:
        print(f"note: {len(left)} leftover folder(s) of an interrupted prune ({', '.join(left)}); "
              "the next --prune removes them")
    return 0


def format_versions(rows: list[Any]) -> str:
    """The table ``nlukit versions`` prints: one line per version, ``*`` on current."""
    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.4f}"

    table = [("  ", "version", "created", "nlukit", "intent", "entity F1", "made")]
    for r in rows:
        made = r.how() if r.state == "ok" or r.made else ""
        if r.state != "ok":
            made = f"{r.state.upper()}: {r.problem}" + (f" ({made})" if made else "")
        table.append(("* " if r.current else "  ", r.version, r.created or "-", r.nlukit_version or "-",
                      num(r.intent_accuracy), num(r.entity_f1), made))
    widths = [max(len(row[i]) for row in table) for i in range(1, 6)]
    lines = [row[0] + "  ".join(cell.ljust(w) for cell, w in zip(row[1:6], widths, strict=True))
             + "  " + row[6] for row in table]
    if not rows:
        lines.append("(no versions)")
    return "\n".join(line.rstrip() for line in lines)


def _print_json(obj: Any) -> int:
    print(json.dumps(obj, ensure_ascii=False, indent=1))
    return 0
