"""``nlukit review``: what the turn logs say to act on — texts the bot missed, unsure turns, questions left."""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import unicodedata
from typing import Any

HELP = "summarise turn logs (Bot(log=...), chat --log): texts not understood, unsure turns, questions left"
EXAMPLES = """examples:
  nlukit review logs/turns.jsonl
  nlukit review logs/*.jsonl --below 0.8 --top 50
  nlukit review logs/turns.jsonl --model models/demo          # which would the current model understand?
  nlukit review logs/turns.jsonl --patterns patterns/review.txt
      (a draft: replace each @??? with an intent; nlukit generate refuses the file until then)
  nlukit review logs/turns.jsonl --json > review.json
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    from ..bot.review import DEFAULT_BELOW

    p.add_argument("logs", nargs="+", metavar="LOG", help="turn log files (JSONL)")
    p.add_argument("--below", type=_share, default=DEFAULT_BELOW, metavar="P",
                   help=f"list turns acted on with an intent confidence below this (default {DEFAULT_BELOW})")
    p.add_argument("--top", type=int, default=20, metavar="N",
                   help="texts shown per list (default 20; 0 for all; --json has all)")
    p.add_argument("--model", metavar="MODEL", help="parse the texts that fell back with this model "
                   "(e.g. one retrained since) and show which it understands")
    p.add_argument("--patterns", metavar="FILE", help="write the texts that fell back as a draft "
                   "pattern file to edit (each @??? to be replaced by an intent)")
    p.add_argument("--force", action="store_true", help="replace an existing --patterns file")
    p.add_argument("--json", action="store_true", help="print the review as JSON")


def _share(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        x = -1.0
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a confidence; give a number from 0 to 1, e.g. 0.7")
    return x


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, n: int) -> str:
    return s + " " * max(0, n - _width(s))


def _shown(items: list[Any], top: int) -> list[Any]:
    return items if top <= 0 else items[:top]


def _safe(text: str) -> str:
    """User text fit for a terminal: control characters (an ESC could recolour it or worse) shown as \\xNN."""
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c for c in text)


def _groups(groups: list[Any], column: str, top: int, w: Any) -> None:
    """Text groups as a table, the text last (Korean is two columns wide)."""
    rows = _shown(groups, top)
    if not rows:
        return
    guesses = [f"{g.guess} {g.guess_confidence:.2f}" if g.guess else "-" for g in rows]
    gw = max(max(map(_width, guesses)), len(column))
    w(f"  {'count':>5} {'sessions':>8}  {_pad(column, gw)}  text\n")
    for g, guess in zip(rows, guesses, strict=True):
        asked = f"   (answer to {g.asked})" if g.asked else ""
        w(f"  {g.count:>5} {g.sessions:>8}  {_pad(guess, gw)}  {_safe(g.text)}{asked}\n")


def _print(rv: Any, top: int, out: Any) -> None:
    w = out.write
    span = f" · {rv.first[:16].replace('T', ' ')} – {rv.last[:16].replace('T', ' ')} UTC" if rv.first else ""
    w(f"turns {rv.turns} · sessions {rv.sessions} · fell back {rv.fallbacks} "
      f"({100 * rv.fallback_rate:.1f} %){span}\n")
    if rv.bad_lines:
        w(f"\n{len(rv.bad_lines)} bad lines, skipped:\n")
        for b in _shown(rv.bad_lines, top):
            w(f"  {b}\n")
    w(f"\nFell back: {rv.fallbacks} turns, {len(rv.fell_back)} texts (guess: the model's best intent "
      "other than the fallback)\n")
    _groups(rv.fell_back, "guess", top, w)
    w(f"\nLow confidence: below {rv.below:.2f}, acted on: "
      f"{sum(g.count for g in rv.low_confidence)} turns, {len(rv.low_confidence)} texts\n")
    _groups(rv.low_confidence, "intent", top, w)
    left = [a for a in rv.abandoned if a.left]
    w(f"\nLeft while the bot was asking: {sum(sum(a.left.values()) for a in left)} times\n")
    if left:
        nw = max(_width(a.name) for a in left)
        w(f"  {_pad('scenario · slot', nw)}  {'left':>4} {'asked':>5}  no reply / new request / cancelled / gave up\n")
        for a in _shown(left, top):
            w(f"  {_pad(a.name, nw)}  {sum(a.left.values()):>4} {a.asked:>5}  "
              f"{a.left['no_reply']} / {a.left['new_request']} / {a.left['cancelled']} / {a.left['gave_up']}\n")
    if rv.rechecked_with is not None:
        now = [g for g in rv.fell_back if g.now and g.now.get("understood")]
        w(f"\nWith {rv.rechecked_with}: {len(now)} of {len(rv.fell_back)} texts understood "
          f"({sum(g.count for g in now)} of {rv.fallbacks} turns)\n")
        for g in _shown(now, top):
            w(f"  {g.count:>5}  {_safe(g.text)}  → {g.now['intent']} {g.now['confidence']:.2f}\n")


def _write_draft(path: str, text: str, force: bool) -> None:
    from ..errors import OutputExistsError

    if os.path.exists(path) and not force:
        raise OutputExistsError(f"{path} exists; pass --force to replace it, or another --patterns file")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".review-", suffix=".txt", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run(args: argparse.Namespace) -> int:
    from ..bot.review import draft_patterns, recheck, review

    rv = review(args.logs, below=args.below)
    if args.model:
        from ..nlu import load
        recheck(rv, load(args.model), name=args.model)
    if args.patterns:
        _write_draft(args.patterns, draft_patterns(rv, today=datetime.date.today().isoformat()), args.force)
    if args.json:
        sys.stdout.write(json.dumps(rv.to_dict(), ensure_ascii=False, indent=1) + "\n")
    else:
        _print(rv, args.top, sys.stdout)
    if args.patterns:
        n = sum(1 for g in rv.fell_back if not g.truncated)
        print(f"wrote {args.patterns}: {n} texts under @??? headers; replace each @??? with an intent "
              "and delete what is no request (nlukit generate refuses the file until then)",
              file=sys.stderr)
    return 0
