"""How often the bot's misspelled-value rule (``[bot] typo_fix``) would correct a word that is no typo.

    python bench/bench_typos.py DATA [--model MODEL] [--scenarios scenarios/demo.toml]
                                [--out bench/results/typos.json]

Every word of every sentence of DATA (``train/valid/test.jsonl``: the demo's generated sentences)
and of ``bench/data/natural_ko_*.txt`` and ``oos_ko_*.txt`` (hand-written requests, in scope and
out of it) is put to the rule (``Bot._typo``: particles off, exactly one dictionary value one jamo
away, a syllable misspelled, not a word MeCab knows). None of these sentences has a misspelled
value, so each word it corrects is a false correction unless the list shows a real typo. Two counts:

* ``all_types`` (an upper bound): every word, for EVERY entity type of the dictionary, as if
  each type's slot were missing in each sentence;
* ``in_context`` (what the bot does, the model tagging as the data do): only the types of the
  slots of the sentence's intent's scenario that its labelled entities leave missing, only words
  outside those entities, and a word that two such types claim fills neither. The hand-written
  sentences carry no entity labels: every slot of their scenario counts as missing; the
  out-of-scope ones have no scenario.

The rule needs no model: the dictionary and MeCab only. With ``--model`` (the model trained on
DATA) each sentence is also said to two bots, ``typo_fix`` on and off, as the first turn of a
session: ``model_turns_changed`` counts the turns whose slots or reply differ (the model's own
tags corrected included), and lists them; ``model_second_turns_changed`` the same for each sentence
said after one of ``OPENINGS`` (a request answered, or a question open: follow-ups and answers),
all but the train split.
Then the typos themselves: in each test sentence of a
scenario's intent, the first labelled value of two or three Hangul syllables that the dictionary
lists is misspelled (its first one-vowel change, vowels in the order of the alphabet, that is no
listed surface and no word MeCab knows: 부산 → 바산), and ``model_typos`` counts the sentences whose turn has that value in a slot, with
``typo_fix`` on and off.

A second count checks that the rule still finds typos: each one-syllable-vowel change of each
dictionary value of two or three Hangul syllables (부산 → 부샨, 서울 → 서을) that is no listed
surface and no word MeCab knows, with and without a particle after it.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
BENCH_DATA = os.path.join(ROOT, "bench", "data")
WORD = re.compile(r"[^\s,.!?~…;]+")
#: the first turns before each sentence said as a second turn (with --model)
OPENINGS = ("서울 맛집 알려줘", "서울 날씨 알려줘", "아이유 노래 틀어줘", "기차 예매해줘", "알람 맞춰줘")


class _Dictionary:
    """A stand-in parser: the bot needs the dictionary only."""

    def __init__(self, entities: dict) -> None:
        self.dictionary = entities
        self.intents = ()
        self.entity_types = tuple(entities)

    def parse(self, text: str):  # pragma: no cover - never called
        raise AssertionError(text)


def _sentences(data: str) -> dict[str, list[tuple[str, str | None, list | None]]]:
    """``{file: [(text, intent, entities)]}``; entities None where the file labels none."""
    out: dict[str, list[tuple[str, str | None, list | None]]] = {}
    for split in ("train", "valid", "test"):
        path = os.path.join(data, f"{split}.jsonl")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                rows = [json.loads(line) for line in f if line.strip()]
            out[f"{os.path.basename(os.path.normpath(data))}/{split}.jsonl"] = [
                (r["text"], r.get("intent"), r.get("entities") or []) for r in rows]
    for name in sorted(os.listdir(BENCH_DATA)):
        if name.startswith(("natural_ko_", "oos_ko_")) and name.endswith(".txt"):
            with open(os.path.join(BENCH_DATA, name), encoding="utf-8") as f:
                lines = [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]
            out[f"bench/data/{name}"] = [(x.split("\t")[-1], x.split("\t")[0] if "\t" in x else None, None)
                                         for x in lines]
    return out


def _one_vowel_off(value: str) -> list[str]:
    out = []
    for i, ch in enumerate(value):
        code = ord(ch) - 0xAC00
        lead, vowel, tail = code // 588, (code % 588) // 28, code % 28
        for v in range(21):
            if v != vowel:
                out.append(value[:i] + chr(0xAC00 + lead * 588 + v * 28 + tail) + value[i + 1:])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--model")
    ap.add_argument("--scenarios", default=os.path.join(ROOT, "scenarios", "demo.toml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "typos.json"))
    args = ap.parse_args(argv)

    from nlukit.bot import Bot, load_scenarios
    from nlukit.text import normalize

    with open(os.path.join(args.data, "dictionary.json"), encoding="utf-8") as f:
        entities = json.load(f)
    scenarios = load_scenarios(args.scenarios)
    bot = Bot(_Dictionary(entities), scenarios, check=False)
    index = bot._index
    in_context: collections.Counter = collections.Counter()

    per_file: dict[str, dict] = {}
    corrected: collections.Counter = collections.Counter()
    fixes: dict[str, list[tuple[str, str]]] = {}   # word → what the rule makes of it, by type
    for name, texts in _sentences(args.data).items():
        n_words, hits, hits_in_context = 0, 0, 0
        for text, intent, labelled in texts:
            sc = scenarios.scenarios.get(intent or "")
            room: collections.Counter = collections.Counter(s.entity for s in sc.slots) if sc else collections.Counter()
            room.subtract(e["entity"] for e in labelled or ())
            norm = normalize(text)
            for m in WORD.finditer(norm.text):
                word = m.group(0)
                n_words += 1
                if word not in fixes:
                    fixes[word] = [(etype, typo[1]) for etype, idx in index.items()
                                   if (typo := bot._typo(word, idx)) is not None]
                for etype, value in fixes[word]:
                    corrected[(word, etype, value)] += 1
                    hits += 1
                a, b = norm.to_original(m.start(), m.end())
                if any(e["start"] < b and a < e["end"] for e in labelled or ()):
                    continue
                mine = [(t, v) for t, v in fixes[word] if room[t] > 0]
                if len(mine) == 1:
                    in_context[(word, *mine[0], text)] += 1
                    hits_in_context += 1
        per_file[name] = {"sentences": len(texts), "words": n_words, "all_types": hits,
                          "in_context": hits_in_context}

    planted = found = 0
    missed: list[str] = []
    for etype, idx in index.items():
        for value in idx.values:
            if not re.fullmatch(r"[가-힣]{2,3}", value):
                continue
            for typo in _one_vowel_off(value):
                if idx.lookup(typo) is not None or bot._is_word(typo):
                    continue
                for word in (typo, typo + "에서"):
                    planted += 1
                    got = bot._typo(word, idx)
                    if got is not None and got[1] == value:
                        found += 1
                    elif len(missed) < 30:
                        missed.append(f"{word} ({etype} {value})")

    changed: list[dict] = []
    missed_typos: list[dict] = []
    n_turns = typos_on = typos_off = n_typos = n_second = 0
    changed_second: list[dict] = []
    if args.model:
        import dataclasses

        import nlukit
        nlu = nlukit.load(args.model)
        bots = []
        for fix in (True, False):
            loaded = load_scenarios(args.scenarios, nlu.intents, nlu.entity_types)
            object.__setattr__(loaded, "settings", dataclasses.replace(loaded.settings, typo_fix=fix))
            bots.append(Bot(nlu, loaded))
        for name, texts in _sentences(args.data).items():
            for i, (text, intent, labelled) in enumerate(texts):
                if name.endswith("test.jsonl") and intent in scenarios.scenarios:
                    for e in labelled:
                        surface, idx = text[e["start"]:e["end"]], index.get(e["entity"])
                        value = idx.lookup(surface) if idx is not None else None
                        if value is None or not re.fullmatch(r"[가-힣]{2,3}", surface):
                            continue
                        typo = next((t for t in _one_vowel_off(surface)
                                     if idx.lookup(t) is None and not bot._is_word(t)), None)
                        if typo is None:
                            continue
                        said = text[:e["start"]] + typo + text[e["end"]:]
                        on, off = (b.handle(f"typo:{i}", said) for b in bots)
                        n_typos += 1
                        typos_on += value in on.slots.values()
                        typos_off += value in off.slots.values()
                        if value not in on.slots.values() and len(missed_typos) < 40:
                            missed_typos.append({"text": said, "value": value, "on": on.slots})
                        break
                on, off = (b.handle(f"{name}:{i}", text) for b in bots)   # one session id: the same wordings
                n_turns += 1
                if on.slots != off.slots or on.reply != off.reply:
                    changed.append({"text": text, "off": off.slots, "on": on.slots})
                for first in OPENINGS if not name.endswith("train.jsonl") else ():   # the train split: first turns only
                    sid = f"{first}:{name}:{i}"
                    for b in bots:
                        b.handle(sid, first)
                    on, off = (b.handle(sid, text) for b in bots)
                    n_second += 1
                    if on.slots != off.slots or on.reply != off.reply:
                        changed_second.append({"first": first, "text": text, "off": off.slots, "on": on.slots})

    result = {
        "data": args.data,
        "model": args.model,
        "model_turns": n_turns,
        "model_turns_changed": len(changed) if args.model else None,
        "model_changed": changed,
        "model_second_turns": n_second,
        "model_second_turns_changed": len(changed_second) if args.model else None,
        "model_second_changed": changed_second,
        "model_typos": {"sentences": n_typos, "value_in_slots_typo_fix_on": typos_on,
                        "value_in_slots_typo_fix_off": typos_off, "missed_first": missed_typos}
        if args.model else None,
        "files": per_file,
        "distinct_words": len(fixes),
        "false_corrections_all_types": sum(corrected.values()),
        "false_corrections_in_context": sum(in_context.values()),
        "corrected_in_context": [{"word": w, "entity": t, "value": v, "text": x, "times": n}
                                 for (w, t, v, x), n in in_context.most_common()],
        "corrected_all_types": [{"word": w, "entity": t, "value": v, "times": n}
                                for (w, t, v), n in corrected.most_common()],
        "planted_typos": planted,
        "planted_found": found,
        "planted_missed_first": missed,
        "command": "python bench/bench_typos.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "environment": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
    }
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(json.dumps({k: result[k] for k in ("files", "distinct_words", "false_corrections_all_types",
                                             "false_corrections_in_context", "planted_typos", "planted_found",
                                             "model_turns", "model_turns_changed", "model_second_turns",
                                             "model_second_turns_changed", "model_typos")},
                     ensure_ascii=False, indent=1))
    for item in result["corrected_in_context"][:30] + result["corrected_all_types"][:30]:
        print(item)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
