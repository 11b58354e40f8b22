"""``nlukit import``: Rasa NLU training data as nlukit patterns and dictionaries."""
from __future__ import annotations

import argparse

HELP = ("turn Rasa NLU data (YAML, JSON, Markdown), Kochat CSVs, a Dialogflow ES agent export or an FAQ "
        "sheet (.xlsx, .csv: 질문/답변) into nlukit patterns, dictionaries and scenarios")
EXAMPLES = """examples:
  nlukit import ../rasa-bot/data/nlu.yml -o mybot
  nlukit import ../rasa-bot/data/ -o mybot --keep-examples   # sentences as written, entities marked
  nlukit import ../kochat-bot/data/raw -o mybot               # Kochat: one question,label CSV per intent
  nlukit import MyAgent.zip -o mybot                          # Dialogflow ES: the agent export
  nlukit import faq.xlsx -o mybot                             # an FAQ sheet: 질문, 답변 (분류, 유사질문)
  nlukit import faq.xlsx --sheet "FAQ 2024" -o mybot          # a sheet other than the first
  nlukit import faq.csv -o mybot                              # the same as CSV (UTF-8 or cp949)
  cd mybot && nlukit generate patterns/ dicts/ -o data && nlukit train data -o model

Entities become slots ({location}, {location:destination}) that generate fills with every value
of the dictionary, and a particle after one becomes the pair that fits each value
([부산](location)으로 -> {location}(으)로). What could not be imported is listed in IMPORT.md.

An FAQ sheet: rows with the same answer become one intent (named after the 분류/category
column, or faq_001 ...) answered with that answer; every question column (질문, 질문2,
유사질문, 다른 표현) and every repeated row is a way to ask it. A question under two answers is
kept under the first and listed in IMPORT.md. An FAQ gives a few sentences per intent, so
its "next:" lines differ: every question in train, the nearest-question intent model,
threshold 0.2 (more for an FAQ of under 8 answers: 1.5 / answers):
  nlukit generate mybot/patterns mybot/dicts -o mybot/data --split sentence --valid-ratio 0 --test-ratio 0
  nlukit train mybot/data -o mybot/model --set intent.kind=nearest --set intent.threshold=0.2
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="+", metavar="FILE",
                   help="Rasa NLU files (.yml/.yaml, .json, .md), Kochat CSVs (question,label), "
                        "folders holding them, a Dialogflow ES agent export (.zip or its folder), "
                        "or an FAQ sheet (.xlsx or .csv with the columns 질문,답변)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the new project folder (must not exist, or be empty)")
    p.add_argument("--lang", default=None, metavar="CODE",
                   help="the language of a Dialogflow agent's phrases (default: ko, or its only one)")
    p.add_argument("--sheet", default=None, metavar="NAME",
                   help="the sheet of an FAQ .xlsx to read (default: the first)")
    p.add_argument("--keep-examples", action="store_true",
                   help="write each example as it is, with its entities marked, instead of slots")


# what `nlukit import` recommends for an FAQ (bench/bench_faq.py measured these)
# (every question in train; the nearest-question intent model (TF-IDF character n-grams, no
# training to speak of), with the fallback threshold of the bot's scenarios.toml)
FAQ_GENERATE = "--split sentence --valid-ratio 0 --test-ratio 0"
FAQ_THRESHOLD = 0.2
# an FAQ's scenario titles are its questions (배송 얼마나 걸려요): asked about as such, not "을/를 원하세요"
FAQ_CLARIFY = "혹시 '{title}'에 대해 물어보신 건가요?"


def faq_threshold(answers: int) -> float:
    """The fallback threshold for an FAQ of ``answers`` answers: 0.2, and over 1.5 / answers for a
    small FAQ. A text like no question gives every answer the same confidence (1 / answers),
    which a 5-answer FAQ would take at 0.2 (0.75 for 2 answers, 0.5 for 3, 0.3 for 5).

    >>> [faq_threshold(n) for n in (1, 2, 3, 5, 8, 30)]
    [0.75, 0.75, 0.5, 0.3, 0.2, 0.2]
    """
    return max(FAQ_THRESHOLD, min(0.75, round(1.5 / max(answers, 1), 2)))


def faq_train(threshold: float) -> str:
    return f"--set intent.kind=nearest --set intent.threshold={threshold:g}"


def run(args: argparse.Namespace) -> int:
    from ..generate.dialogflow import is_dialogflow, read_dialogflow
    from ..generate.faq import is_faq, read_faq
    from ..generate.kochat import kochat_files, read_kochat
    from ..generate.rasa import read_rasa, write_project
    faq = [s for s in args.sources if is_faq(s)]
    agents = [s for s in args.sources if s not in faq and is_dialogflow(s)]
    kochat, rasa = kochat_files([s for s in args.sources if s not in agents and s not in faq])
    if args.sheet is not None and not faq:
        from ..errors import InputError
        raise InputError("--sheet names a sheet of an FAQ workbook (.xlsx); no FAQ sheet was given")
    data = read_rasa(rasa) if rasa else None
    for agent in agents:
        data = read_dialogflow(agent, args.lang) if data is None else data.merged(read_dialogflow(agent, args.lang))
    if kochat:
        data = read_kochat(kochat) if data is None else data.merged(read_kochat(kochat))
    if faq:
        data = read_faq(faq, args.sheet) if data is None else data.merged(read_faq(faq, args.sheet))
    assert data is not None
    only_faq = bool(faq) and len(faq) == len(args.sources)
    threshold = faq_threshold(len(data.intents))
    gen_opts, train_opts = (FAQ_GENERATE + " ", faq_train(threshold)) if only_faq else ("", "--include-test")
    out = args.output
    if only_faq:
        result = write_project(
            data, out, slots=not args.keep_examples, source=f"an FAQ sheet ({', '.join(faq)})",
            written_from="an FAQ sheet: one scenario per answer",
            bot={"confidence_threshold": threshold, "clarify": FAQ_CLARIFY},
            advice=["Each answer became an intent; its questions are its pattern lines and the answer its "
                    "response. Add more ways to ask to a pattern file (patterns/<intent>.txt) where the bot "
                    "misses: that helps more than anything else.", "",
                    "Next. An FAQ gives a few sentences per intent, so generate every question into train "
                    "(no valid or test split: a held-out question would be an answer the model never "
                    "learns), train the nearest-question intent model (an intent is the one of the FAQ "
                    "question most like the text, by character n-grams) and fix its fallback threshold "
                    f"at {threshold:g} (scenarios.toml has the same [bot] confidence_threshold; 0.2, and "
                    "more for an FAQ of under 8 answers, where a text like no question gets 1 / answers "
                    "from every answer). On a "
                    "self-written 30-answer FAQ (bench/bench_faq.py) this answered more paraphrases "
                    "right, and fewer wrongly, than the other intent kinds measured, and fell back on "
                    "most chit-chat that shares a word with a question:", "",
                    f"    nlukit generate patterns/ dicts/ -o data {FAQ_GENERATE}",
                    f"    nlukit train data -o model {faq_train(threshold)}",
                    "    nlukit chat model --scenarios scenarios.toml"])
    else:
        result = write_project(data, out, slots=not args.keep_examples)
    print(f"imported {sum(len(v) for v in data.intents.values())} examples of {len(result.intents)} "
          f"intents into {out}/: "
          + ", ".join(f"{i} ({n} line{'' if n == 1 else 's'})" for i, n in result.intents.items()))
    print("dictionaries: " + (", ".join(f"{t} ({n} values)" for t, n in sorted(result.values.items()))
                              or "none (no entity in the examples)"))
    for note in result.notes:
        print(f"note: {note}")
    print("next:")
    print(f"  nlukit generate {out}/patterns {out}/dicts -o {out}/data {gen_opts}".rstrip())
    print(f"  nlukit train {out}/data -o {out}/model {train_opts}")
    if only_faq:
        print(f"  nlukit chat {out}/model --scenarios {out}/scenarios.toml")
    return 0
