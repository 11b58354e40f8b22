"""Rasa NLU training data read into nlukit patterns and dictionaries (``nlukit import``).

Reads the three formats Rasa has used:

* YAML (Rasa 2 and 3): ``nlu:`` items ``intent`` / ``synonym`` / ``lookup`` / ``regex``
  with ``examples`` (a ``- `` list in a block string, or a list of ``{text: ...}``);
* JSON (``{"rasa_nlu_data": {"common_examples", "entity_synonyms", "lookup_tables"}}``);
* Markdown (Rasa 1): ``## intent:name``, ``## synonym:value``, ``## lookup:name`` lists.

Examples mark entities as ``[text](entity)``, ``[text](entity:value)`` (Rasa 1's synonym
shorthand) or ``[text]{"entity": ..., "role": ..., "value": ...}``.

Each intent becomes a pattern file. By default an entity becomes a slot, ``{entity}`` or
``{entity:role}``, so ``nlukit generate`` fills it with every value of the dictionary (the
nlukit way: a sentence written once is learned with every city). A particle written
after it becomes the pair that fits each value: ``[부산](location)으로`` →
``{location}(으)로``, which gives 서울로 and 부산으로. With ``slots=False`` each example
stays a sentence as written (``[부산](location:destination)으로``).

Each entity type becomes a dictionary (long form): the annotated values, the texts
annotated with another value as synonyms, Rasa's synonyms of those values, and the
lookup table of the same name. What nlukit cannot use (regexes, groups, a lookup table
or synonym that no entity type takes, a value holding ``|``) is listed in the report,
never dropped silently.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import InputError, OutputExistsError

_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<paren>[^()]+)\)|(?P<json>\{[^{}]*\}))")
_SPECIAL = re.compile(r"([{}()\[\]|@#\\])")
_NAME = re.compile(r"[^\W\d][\w-]*")
# particles whose form depends on the word before them: the text after a slot -> the pair
_PAIRS = (("으로", "(으)로"), ("로", "(으)로"), ("이랑", "(이)랑"), ("랑", "(이)랑"),
          ("이라고", "(이)라고"), ("라고", "(이)라고"), ("이라는", "(이)라는"), ("라는", "(이)라는"),
          ("이나", "(이)나"), ("이야", "(이)야"), ("은", "은/는"), ("는", "은/는"), ("을", "을/를"), ("를", "을/를"),
          ("이", "이/가"), ("가", "이/가"), ("과", "과/와"), ("와", "과/와"))
_HANGUL = re.compile(r"[가-힣]")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    entity: str
    role: str | None
    value: str


@dataclass
class RasaData:
    """What was read: examples per intent, synonyms, lookup tables, and what was not used."""

    intents: dict[str, list[tuple[str, list[Mention]]]] = field(default_factory=dict)
    synonyms: dict[str, list[str]] = field(default_factory=dict)   # value -> texts
    lookups: dict[str, list[str]] = field(default_factory=dict)    # table name -> values
    notes: list[str] = field(default_factory=list)


def read_rasa(paths: Iterable[str | os.PathLike[str]]) -> RasaData:
    """Read Rasa NLU files (a folder: every ``.yml``/``.yaml``/``.json``/``.md`` in it)."""
    data = RasaData()
    files: list[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs
                           if f.lower().endswith((".yml", ".yaml", ".json", ".md")))
            if not found:
                raise InputError(f"{p} holds no .yml, .yaml, .json or .md file; point at Rasa's "
                                 "data/nlu.yml (or the folder holding it)")
            files += found
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise InputError(f"{p} does not exist; give Rasa's NLU file, e.g. data/nlu.yml")
    for path in files:
        try:
            with open(path, encoding="utf-8-sig") as fh:
                text = fh.read()
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 (byte {exc.start}); save it as UTF-8") from None
        lower = path.lower()
        if lower.endswith(".json"):
            _read_json(text, path, data)
        elif lower.endswith(".md"):
            _read_markdown(text, path, data)
        else:
            _read_yaml(text, path, data)
    if not data.intents:
        raise InputError(f"no intent examples found in {', '.join(files)}; is this Rasa NLU data "
                         "(a 'nlu:' list with '- intent: name' items)?")
    return data


def _add_example(data: RasaData, intent: object, raw: str, where: str) -> None:
    if not isinstance(intent, str) or not intent.strip():
        raise InputError(f"{where}: an intent without a name")
    name = intent.strip()
    if "/" in name:  # a retrieval intent (faq/ask_hours): one nlukit intent of its own
        fixed = name.replace("/", "__")
        note = f"retrieval intent {name!r} became the intent {fixed!r}"
        if note not in data.notes:
            data.notes.append(note)
        name = fixed
    if not _NAME.fullmatch(name):
        raise InputError(f"{where}: intent name {name!r} is not a word (letters, digits, _ and -, "
                         "not starting with a digit); rename it in the Rasa file")
    text, mentions = parse_example(raw, where, data.notes)
    if text.strip():
        data.intents.setdefault(name, []).append((text, mentions))


def parse_example(raw: str, where: str, notes: list[str] | None = None) -> tuple[str, list[Mention]]:
    """A Rasa example's plain text and its entity mentions."""
    out: list[str] = []
    mentions: list[Mention] = []
    pos = length = 0
    for m in _ANNOTATION.finditer(raw):
        before = raw[pos:m.start()]
        out.append(before)
        length += len(before)
        surface = m.group("text")
        role = group = None
        if m.group("json") is not None:
            try:
                spec = json.loads(m.group("json"))
            except ValueError:
                raise InputError(f"{where}: the annotation {m.group(0)!r} is not valid JSON; write "
                                 '[text]{"entity": "type", "role": "role"}') from None
            if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str):
                raise InputError(f"{where}: the annotation {m.group(0)!r} names no \"entity\"")
            entity, role, group = spec["entity"], spec.get("role"), spec.get("group")
            value = spec.get("value", surface)
        else:
            entity, _, value = m.group("paren").partition(":")
            value = value or surface
        entity = entity.strip()
        if not _NAME.fullmatch(entity):
            raise InputError(f"{where}: entity type {entity!r} in {m.group(0)!r} is not a word "
                             "(letters, digits, _ and -)")
        if role is not None and (not isinstance(role, str) or not _NAME.fullmatch(role)):
            raise InputError(f"{where}: role {role!r} in {m.group(0)!r} is not a word")
        if group is not None and notes is not None:
            note = f"entity groups are not used by nlukit (group {group!r} of {entity!r} dropped)"
            if note not in notes:
                notes.append(note)
        mentions.append(Mention(length, length + len(surface), entity, role, str(value)))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(raw[pos:])
    return "".join(out), mentions


def _examples(block: object, where: str) -> list[str]:
    if isinstance(block, str):
        lines = []
        for line in block.splitlines():
            s = line.strip()
            if s.startswith("- "):
                lines.append(s[2:].strip())
            elif s:
                lines.append(s)
        return lines
    if isinstance(block, list):
        out = []
        for item in block:
            if isinstance(item, dict) and isinstance(item.get("text"), str):
                out.append(item["text"].strip())
            elif isinstance(item, str):
                out.append(item.strip())
            else:
                raise InputError(f"{where}: an example that is not text: {item!r}")
        return out
    raise InputError(f"{where}: 'examples' must be a '- ' list in a block string (examples: |)")


def _read_yaml(text: str, path: str, data: RasaData) -> None:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{at}: not valid YAML ({problem}); fix the indentation or quoting "
                         "there") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not Rasa training data (expected a mapping with an 'nlu:' list)")
    others = sorted(k for k in doc if k not in ("nlu", "version"))
    if others:
        data.notes.append(f"{path}: sections {', '.join(others)} are not NLU data and were not read")
    items = doc.get("nlu") or []
    if not isinstance(items, list):
        raise InputError(f"{path}: 'nlu' must be a list of '- intent: ...' items")
    for n, item in enumerate(items, 1):
        where = f"{path}: nlu item {n}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: expected '- intent: name' with 'examples: |'")
        examples = _examples(item.get("examples", ""), where)
        if "intent" in item:
            where = f"{path}: intent {item['intent']!r}"
            for ex in examples:
                _add_example(data, item["intent"], ex, where)
        elif "synonym" in item:
            data.synonyms.setdefault(str(item["synonym"]), []).extend(examples)
        elif "lookup" in item:
            data.lookups.setdefault(str(item["lookup"]), []).extend(examples)
        elif "regex" in item:
            data.notes.append(f"regex {item['regex']!r} ({len(examples)} patterns) is not used by "
                              "nlukit; list its values in a dictionary instead")
        else:
            data.notes.append(f"{where}: an item with keys {sorted(item)} was not read")


def _read_json(text: str, path: str, data: RasaData) -> None:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    nlu = doc.get("rasa_nlu_data") if isinstance(doc, dict) else None
    if not isinstance(nlu, dict):
        raise InputError(f"{path}: not Rasa JSON data (expected {{\"rasa_nlu_data\": {{...}}}})")
    for n, ex in enumerate(nlu.get("common_examples") or [], 1):
        where = f"{path}: common_examples[{n - 1}]"
        if not isinstance(ex, dict) or not isinstance(ex.get("text"), str):
            raise InputError(f"{where}: an example needs a \"text\"")
        if not ex.get("intent"):
            continue
        raw, last = [], 0
        for e in sorted(ex.get("entities") or [], key=lambda e: e.get("start", 0)):
            try:
                start, end, entity = int(e["start"]), int(e["end"]), str(e["entity"])
            except (KeyError, TypeError, ValueError):
                raise InputError(f"{where}: an entity needs start, end and entity") from None
            if not 0 <= last <= start < end <= len(ex["text"]):
                raise InputError(f"{where}: entity {entity!r} at [{start}, {end}) is outside the text "
                                 "or overlaps another")
            spec = {"entity": entity}
            for key in ("role", "group", "value"):
                if e.get(key) is not None:
                    spec[key] = e[key]
            raw.append(ex["text"][last:start].replace("[", "［"))
            raw.append(f"[{ex['text'][start:end]}]{json.dumps(spec, ensure_ascii=False)}")
            last = end
        raw.append(ex["text"][last:])
        _add_example(data, ex["intent"], "".join(raw), where)
    for syn in nlu.get("entity_synonyms") or []:
        if isinstance(syn, dict) and syn.get("value") is not None:
            data.synonyms.setdefault(str(syn["value"]), []).extend(
                str(s) for s in syn.get("synonyms") or [])
    for table in nlu.get("lookup_tables") or []:
        if isinstance(table, dict) and isinstance(table.get("elements"), list):
            data.lookups.setdefault(str(table.get("name")), []).extend(map(str, table["elements"]))
        elif isinstance(table, dict):
            data.notes.append(f"lookup table {table.get('name')!r} points at a file; list its "
                              "values in a dictionary instead")
    if nlu.get("regex_features"):
        data.notes.append(f"{len(nlu['regex_features'])} regex features are not used by nlukit")


def _read_markdown(text: str, path: str, data: RasaData) -> None:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    kind = name = None
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        head = re.match(r"##\s*(intent|synonym|lookup|regex)\s*:\s*(.+)$", s)
        if head:
            kind, name = head.group(1), head.group(2).strip()
            if kind == "regex":
                data.notes.append(f"regex {name!r} is not used by nlukit")
            continue
        if not s or s.startswith("#") or not re.match(r"[-*+]\s", s):
            continue
        item = s[2:].strip()
        if kind == "intent":
            _add_example(data, name, item, f"{path}:{lineno}")
        elif kind == "synonym":
            data.synonyms.setdefault(str(name), []).append(item)
        elif kind == "lookup":
            data.lookups.setdefault(str(name), []).append(item)


# -- writing ----------------------------------------------------------------------------------
def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _pair_after(rest: str) -> tuple[str, int] | None:
    """The particle pair that starts ``rest`` (the text right after an entity), if any.

    A one-syllable particle counts only where a word ends after it (``서울은`` but not
    ``서울은행``); a longer one may go on (``부산으로는``).
    """
    for particle, pair in _PAIRS:
        if rest.startswith(particle):
            after = rest[len(particle):]
            if len(particle) == 1 and after and _HANGUL.match(after[0]):
                continue
            return pair, len(particle)
    return None


def pattern_line(text: str, mentions: Sequence[Mention], slots: bool = True) -> str:
    """One example as a pattern line: slots (``{type:role}`` + particle pairs) or annotations."""
    out: list[str] = []
    pos = 0
    for m in mentions:
        out.append(_escape(text[pos:m.start]))
        pos = m.end
        label = f"{m.entity}:{m.role}" if m.role else m.entity
        if slots:
            out.append("{" + label + "}")
            pair = _pair_after(text[m.end:])
            if pair is not None:
                out.append(pair[0])
                pos += pair[1]
        else:
            out.append(f"[{_escape(text[m.start:m.end])}]({label})")
    out.append(_escape(text[pos:]))
    return re.sub(r"\s+", " ", "".join(out)).strip()


@dataclass
class ImportResult:
    files: list[str]
    intents: dict[str, int]         # intent -> pattern lines
    values: dict[str, int]          # entity type -> values
    notes: list[str]


def _dictionaries(data: RasaData) -> tuple[dict[str, dict[str, list[str]]], list[str]]:
    types: dict[str, dict[str, list[str]]] = {}
    notes: list[str] = []

    def add(entity: str, value: str, synonym: str | None = None) -> None:
        value = value.strip()
        if not value:
            return
        if "|" in value or (synonym and "|" in synonym):
            notes.append(f"{entity} value {value!r} holds '|', which a dictionary cannot hold; left out")
            return
        syns = types.setdefault(entity, {}).setdefault(value, [])
        if synonym and synonym.strip() and synonym.strip() != value and synonym.strip() not in syns:
            syns.append(synonym.strip())

    for examples in data.intents.values():
        for text, mentions in examples:
            for m in mentions:
                add(m.entity, m.value, text[m.start:m.end])
    for name, values in data.lookups.items():
        if name in types:
            for v in values:
                add(name, v)
        else:
            notes.append(f"lookup table {name!r} names no entity type of the examples; its "
                         f"{len(values)} values were left out (rename it after an entity type)")
    for value, synonyms in data.synonyms.items():
        owners = [t for t, values in types.items() if value in values]
        if not owners:
            notes.append(f"synonym value {value!r} is no entity's value in the examples; its "
                         f"synonyms {synonyms[:3]} were left out")
        for t in owners:
            for s in synonyms:
                add(t, value, s)
    return types, notes


def write_project(data: RasaData, out: str | os.PathLike[str], *, slots: bool = True) -> ImportResult:
    """Write ``patterns/`` and ``dicts/`` (and ``IMPORT.md``) into the new folder ``out``."""
    out = os.fspath(out)
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise OutputExistsError(f"{out} exists and is not an empty folder; choose a new folder "
                                "(nothing was written)")
    types, notes = _dictionaries(data)
    notes = data.notes + notes
    intents: dict[str, int] = {}
    pattern_files: dict[str, str] = {}
    for intent, examples in data.intents.items():
        lines: list[str] = []
        for text, mentions in examples:
            line = pattern_line(text, mentions, slots)
            if line and line not in lines:
                lines.append(line)
        intents[intent] = len(lines)
        pattern_files[intent] = f"@{intent}\n" + "\n".join(lines) + "\n"
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".nlukit-import-", dir=parent)
    try:
        root = os.path.join(tmp, "project")
        os.makedirs(os.path.join(root, "patterns"))
        os.makedirs(os.path.join(root, "dicts"))
        for intent, body in pattern_files.items():
            with open(os.path.join(root, "patterns", f"{intent}.txt"), "w", encoding="utf-8") as fh:
                fh.write(body)
        for entity, values in sorted(types.items()):
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["entity", "value", "synonyms"])
            for value, syns in values.items():
                w.writerow([entity, value, "|".join(syns)])
            with open(os.path.join(root, "dicts", f"{entity}.csv"), "w", encoding="utf-8") as fh:
                fh.write(buf.getvalue())
        with open(os.path.join(root, "IMPORT.md"), "w", encoding="utf-8") as fh:
            fh.write(_report(intents, types, notes, slots))
        if os.path.isdir(out):
            os.rmdir(out)
        os.rename(root, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    files = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    return ImportResult(files, intents, {t: len(v) for t, v in types.items()}, notes)


def _report(intents: dict[str, int], types: dict[str, dict[str, list[str]]], notes: list[str],
            slots: bool) -> str:
    lines = ["# Imported from Rasa", "",
             "Entities became slots: `nlukit generate` fills each with every value of its dictionary."
             if slots else "Examples were kept as written, with their entities marked.", "",
             "| intent | pattern lines |", "| --- | --- |"]
    lines += [f"| {i} | {n} |" for i, n in intents.items()]
    lines += ["", "| entity type | values |", "| --- | --- |"]
    lines += [f"| {t} | {len(v)} |" for t, v in sorted(types.items())]
    lines += ["", "## Changed or left out", ""]
    lines += [f"- {n}" for n in notes] or ["- nothing"]
    lines += ["", "Next: `nlukit generate patterns/ dicts/ -o data`, then `nlukit train data -o model`."]
    return "\n".join(lines) + "\n"
