"""``nlukit chat``: talk to the scenario bot in the terminal, or script a conversation through stdin."""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from .parse import iso_date  # one reader of --today for parse and chat

HELP = "chat with the scenario bot over a trained model (interactive, or lines from stdin)"
EXAMPLES = """examples:
  nlukit chat models/demo --scenarios scenarios/demo.toml
  printf '기차 예매해줘\\n부산\\n' | nlukit chat models/demo --scenarios scenarios/demo.toml
  printf '기차 예매해줘\\n부산\\n' | nlukit chat models/demo --scenarios scenarios/demo.toml --json
  nlukit chat models/demo --scenarios scenarios/demo.toml --store redis://localhost:6379/0 --session me
  nlukit chat models/demo --scenarios scenarios/demo.toml --today 2026-12-24
  nlukit chat models/demo --scenarios scenarios/demo.toml --stories stories/demo.toml
  nlukit chat models/demo --scenarios scenarios/demo.toml --log logs/turns.jsonl   # then: nlukit review logs/turns.jsonl

/reset forgets the conversation, /quit (or Ctrl-D) leaves — typed or piped.
"""

HISTORY_FILE = os.path.join(os.path.expanduser("~"), ".nlukit_chat_history")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model folder (follows `current`) or a version folder")
    p.add_argument("--scenarios", required=True, metavar="FILE", help="scenario TOML file, e.g. scenarios/demo.toml")
    p.add_argument("--store", default=None, metavar="URL",
                   help="session store: memory:// (default) or redis://host:6379/0")
    p.add_argument("--session", default="cli", metavar="ID", help="session id (default: cli)")
    p.add_argument("--json", action="store_true", help="print each turn as the REST /chat JSON, one per line")
    p.add_argument("--debug", action="store_true", help="also print intent, slots and missing slots (stderr)")
    p.add_argument("--stories", metavar="FILE", help="run the conversation tests of a story file "
                   "(e.g. stories/demo.toml) instead of chatting; exit 1 when one fails")
    p.add_argument("--today", type=iso_date, default=None, metavar="YYYY-MM-DD",
                   help="the user's date: 내일 and 다음 주 금요일 count from it (default: today)")
    p.add_argument("--log", metavar="FILE", help="append each turn to a JSONL turn log, for `nlukit review` "
                   "(session ids hashed; not with --stories)")


def _setup_readline() -> Any:
    try:
        import readline
    except ImportError:  # pragma: no cover - not on every platform
        return None
    try:
        readline.read_history_file(HISTORY_FILE)
    except OSError:
        pass
    readline.set_history_length(1000)
    return readline


def _save_history(readline: Any) -> None:
    if readline is not None:
        try:
            readline.write_history_file(HISTORY_FILE)
        except OSError:
            pass


def chat(bot: Any, session: str, lines: TextIO, out: TextIO, *, as_json: bool = False,
         interactive: bool = False, debug: TextIO | None = None, today: Any = None) -> int:
    """Feed each line to ``bot`` and print its replies; returns the number of turns."""
    n = 0
    while True:
        if interactive:
            try:
                line = input("나> ")
            except EOFError:
                out.write("\n")
                break
        else:
            raw = lines.readline()
            if not raw:
                break
            line = raw.rstrip("\r\n")
        text = line.strip()
        if not text:
            continue
        # commands work in scripted (piped) conversations too
        if text in ("/quit", "/exit", "/q"):
            break
        if text == "/reset":
            bot.forget(session)
            if not as_json:
                out.write("(대화를 처음부터 시작합니다)\n")
            continue
        turn = bot.handle(session, line, today=today)
        n += 1
        if as_json:
            out.write(json.dumps(turn.to_dict(), ensure_ascii=False) + "\n")
        else:
            out.write(f"봇> {turn.reply}\n" if interactive else f"{turn.reply}\n")
            hints = ["네", "아니요"] if turn.state == "confirm" else list(turn.choices or [])
            if interactive and hints:   # the answers the bot expects, as the web page's buttons
                out.write(f"    ({' / '.join(hints)})\n")
        if debug is not None:
            debug.write(f"  [{turn.state}] intent={turn.intent} slots={turn.slots} missing={turn.missing}\n")
        out.flush()
    return n


def run(args: argparse.Namespace) -> int:
    from ..bot import Bot, load_scenarios, open_store
    from ..nlu import load

    nlu = load(args.model)
    scenarios = load_scenarios(args.scenarios, nlu.intents, nlu.entity_types)
    if args.stories:
        return _run_stories(Bot(nlu, scenarios), args)
    bot = Bot(nlu, scenarios, store=open_store(args.store), log=args.log)
    interactive = sys.stdin.isatty() and not args.json
    readline = _setup_readline() if interactive else None
    if interactive:
        print(f"nlukit chat — {args.model} · {args.scenarios} (/reset, /quit)")
    try:
        chat(bot, args.session, sys.stdin, sys.stdout, as_json=args.json, interactive=interactive,
             debug=sys.stderr if args.debug else None, today=args.today)
    finally:
        _save_history(readline)
    return 0


def _run_stories(bot: Any, args: argparse.Namespace) -> int:
    from ..bot import load_stories, run_stories

    results = run_stories(bot, load_stories(args.stories), today=args.today)
    for r in results:
        if args.json:
            print(json.dumps({"story": r.story.name, "passed": r.passed, "failure": r.failure,
                              "transcript": r.transcript}, ensure_ascii=False))
            continue
        turns = len(r.story.turns)
        print(f"PASS  {r.story.name} ({turns} turns)" if r.passed else f"FAIL  {r.story.name} — {r.failure}")
        if not r.passed:
            print("\n".join(r.transcript))
    failed = sum(not r.passed for r in results)
    if not args.json:
        print(f"{len(results)} stories: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
