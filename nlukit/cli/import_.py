"""``nlukit import``: Rasa NLU training data as nlukit patterns and dictionaries."""
from __future__ import annotations

import argparse

HELP = ("turn Rasa NLU data (YAML, JSON, Markdown), Kochat CSVs or a Dialogflow ES agent export into "
        "nlukit patterns, dictionaries and scenarios")
EXAMPLES = """examples:
  nlukit import ../rasa-bot/data/nlu.yml -o mybot
  nlukit import ../rasa-bot/data/ -o mybot --keep-examples   # sentences as written, entities marked
  nlukit import ../kochat-bot/data/raw -o mybot               # Kochat: one question,label CSV per intent
  nlukit import MyAgent.zip -o mybot                          # Dialogflow ES: the agent export
  cd mybot && nlukit generate patterns/ dicts/ -o data && nlukit train data -o model

Entities become slots ({location}, {location:destination}) that generate fills with every value
of the dictionary, and a particle after one becomes the pair that fits each value
([부산](location)으로 -> {location}(으)로). What could not be imported is listed in IMPORT.md.
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="FILE",
                   help="Rasa NLU files (.yml/.yaml, .json, .md), Kochat CSVs (question,label), "
                        "folders holding them, or a Dialogflow ES agent export (.zip or its folder)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the new project folder (must not exist, or be empty)")
    p.add_argument("--lang", default=None, metavar="CODE",
                   help="the language of a Dialogflow agent's phrases (default: ko, or its only one)")
    p.add_argument("--keep-examples", action="store_true",
                   help="write each example as it is, with its entities marked, instead of slots")


def run(args: argparse.Namespace) -> int:
    from ..generate.dialogflow import is_dialogflow, read_dialogflow
    from ..generate.kochat import kochat_files, read_kochat
    from ..generate.rasa import read_rasa, write_project
    agents = [s for s in args.sources if is_dialogflow(s)]
    kochat, rasa = kochat_files([s for s in args.sources if s not in agents])
    data = read_rasa(rasa) if rasa else None
    for agent in agents:
        data = read_dialogflow(agent, args.lang) if data is None else data.merged(read_dialogflow(agent, args.lang))
    if kochat:
        data = read_kochat(kochat) if data is None else data.merged(read_kochat(kochat))
    assert data is not None
    result = write_project(data, args.output, slots=not args.keep_examples)
    print(f"imported {sum(len(v) for v in data.intents.values())} examples of {len(result.intents)} "
          f"intents into {args.output}/: "
          + ", ".join(f"{i} ({n} lines)" for i, n in result.intents.items()))
    print("dictionaries: " + (", ".join(f"{t} ({n} values)" for t, n in sorted(result.values.items()))
                              or "none (no entity in the examples)"))
    for note in result.notes:
        print(f"note: {note}")
    print("next:")
    print(f"  nlukit generate {args.output}/patterns {args.output}/dicts -o {args.output}/data")
    print(f"  nlukit train {args.output}/data -o {args.output}/model --include-test")
    return 0
