"""The ``nlukit`` command line: one thin module per command over a library function.

Each module ``nlukit/cli/<command>.py`` defines ``HELP`` (one line), ``EXAMPLES``
(epilog text), ``add_arguments(parser)`` and ``run(args) -> int``. Modules import
nothing heavy at top level, so ``nlukit --help`` stays fast. An :class:`NlukitError`
prints one line and exits 1.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..errors import NlukitError, request_stop

# Order shown in --help; modules that do not exist yet are simply not offered. A trailing
# underscore keeps a module name off a Python keyword (import_ is ``nlukit import``).
COMMANDS = ("init", "import_", "generate", "train", "evaluate", "parse", "chat", "serve", "retrain", "review",
            "info", "versions")

EPILOG = """examples:
  nlukit init mybot                                   # a new bot project to start from
  nlukit generate patterns/ dicts/ -o data/demo --per-intent 300 --seed 13
  nlukit train data/demo -o models/demo
  nlukit parse models/demo "내일 서울 날씨 어때"
  nlukit chat models/demo --scenarios scenarios/demo.toml
  nlukit retrain models/demo --dicts dicts/
  nlukit versions models/demo --use previous
"""


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="nlukit", description="Korean conversational NLU toolkit.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nlukit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            mod = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        p = sub.add_parser(name.rstrip("_"), help=mod.HELP, description=mod.HELP,
                           epilog=getattr(mod, "EXAMPLES", None),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (``timeout``, ``kill``, a container stopping) unwinds like Ctrl-C does, so a
    training's staging folder is removed rather than left behind; the exit status is 143."""
    request_stop(signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    import signal
    import threading
    if threading.current_thread() is threading.main_thread():   # serve installs its own later
        signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args._run(args) or 0)
    except NlukitError as exc:
        print(f"nlukit: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nlukit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (nlukit parse ... | head -1): stop quietly, as cat and grep do;
        # stdout is pointed at devnull so that flushing it at exit does not fail again
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
