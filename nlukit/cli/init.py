"""``nlukit init``: a new bot project to start from (patterns, dictionaries, scenarios, tests)."""
from __future__ import annotations

import argparse

HELP = "create a new bot project to start from: a small café-order bot with every file it needs"
EXAMPLES = """examples:
  nlukit init mybot
  cd mybot && nlukit generate patterns/ dicts/ -o data && nlukit train data -o model --include-test
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="DIR", help="the new project folder (must not exist, or be empty)")


def run(args: argparse.Namespace) -> int:
    from ..starter import create_project, shell_path
    files = create_project(args.path)
    print(f"created {args.path}/: {', '.join(files)}")
    print("next:")
    print(f"  cd {shell_path(args.path)}")
    print("  nlukit generate patterns/ dicts/ -o data")
    print("  nlukit train data -o model --include-test")
    print("  nlukit chat model --scenarios scenarios.toml --stories stories.toml   # the conversation tests")
    print("  nlukit chat model --scenarios scenarios.toml")
    return 0
