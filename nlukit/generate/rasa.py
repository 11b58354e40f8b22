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
import itertools
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from ..errors import InputError
from ..files import check_new_folder, new_folder
from .dictionary import ENTITY_NAME_RE

_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<paren>[^()]+)\)|(?P<json>\{[^{}]*\}))")
_SPECIAL = re.compile(r"([{}()\[\]|@#\\])")
# particles whose form depends on the word before them: the text after a slot -> the pair
_PAIRS = (("으로", "(으)로"), ("로", "(으)로"), ("이랑", "(이)랑"), ("랑", "(이)랑"),
          ("이라고", "(이)라고"), ("라고", "(이)라고"), ("이라는", "(이)라는"), ("라는", "(이)라는"),
          ("이나", "(이)나"), ("이야", "(이)야"), ("야", "(이)야"), ("은", "은/는"), ("는", "은/는"), ("을", "을/를"), ("를", "을/를"),
          ("이", "이/가"), ("가", "이/가"), ("과", "과/와"), ("와", "과/와"))
_HANGUL = re.compile(r"[가-힣]")
# particles of one form, attached as they are when typed apart from the value (교대 에서)
_PLAIN_PARTICLES = ("에서", "에게", "한테", "까지", "부터", "에", "의", "도", "만")


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
    renamed: dict[str, str] = field(default_factory=dict)          # nlukit intent -> its Rasa name
    # the domain and dialogue files (domain.yml, rules.yml, stories.yml), for scenarios
    responses: dict[str, str] = field(default_factory=dict)        # utter_x -> its first text
    variants: dict[str, list[str]] = field(default_factory=dict)   # utter_x -> all its texts (when several)
    slots: dict[str, dict] = field(default_factory=dict)           # slot -> its domain entry
    forms: dict[str, list] = field(default_factory=dict)           # form -> required slots
    optional: dict[str, list] = field(default_factory=dict)        # form -> slots it fills when said
    form_mappings: dict[str, dict] = field(default_factory=dict)   # Rasa 2: slot -> mappings
    flows: list[tuple[list, list]] = field(default_factory=list)   # (condition, steps) of rules, stories
    # intent -> its scenario's title (Dialogflow's human intent names, an FAQ answer's question);
    # Rasa and Kochat intent names are identifiers, so they give none
    titles: dict[str, str] = field(default_factory=dict)
    # intents whose answer is a question of their own (an FAQ's): small_talk = false, so that
    # asked beside another request (잔액 알려주고 이체 수수료도 알려줘) they are answered, not dropped
    answers: list[str] = field(default_factory=list)

    def merged(self, other: RasaData) -> RasaData:
        """One project from two readings (Kochat CSVs or a Dialogflow agent next to Rasa files):
        lists add up, the examples, synonyms and lookups of one key too, other entries are replaced."""
        out = RasaData()
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, list):
                value: Any = a + b
            elif f.name in ("intents", "synonyms", "lookups"):
                value = {k: list(v) for k, v in a.items()}
                for k, v in b.items():
                    value.setdefault(k, []).extend(v)
            else:
                value = {**a, **b}
            setattr(out, f.name, value)
        return out


def read_rasa(paths: Iterable[str | os.PathLike[str]]) -> RasaData:
    """Read Rasa NLU files (a folder: every ``.yml``/``.yaml``/``.json``/``.md`` in it)."""
    data = RasaData()
    files: list[str] = []
    walked: set[str] = set()    # found in a folder, not named: a file that is no Rasa data is skipped
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            found = sorted(os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs
                           if f.lower().endswith((".yml", ".yaml", ".json", ".md")))
            if not found:
                raise InputError(f"{p} holds no .yml, .yaml, .json or .md file; point at Rasa's "
                                 "data/nlu.yml (or the folder holding it)")
            files += found
            walked.update(found)
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
            _read_json(text, path, data, skip_foreign=path in walked)
        elif lower.endswith(".md"):
            _read_markdown(text, path, data)
        else:
            _read_yaml(text, path, data, skip_foreign=path in walked)
    if not data.intents:
        raise InputError(f"no intent examples found in {', '.join(files)}; is this Rasa NLU data "
                         "(a 'nlu:' list with '- intent: name' items)?")
    return data


def _intent_name(rasa_name: str) -> str:
    """The nlukit intent of a Rasa intent: ``faq/hours`` -> ``faq__hours``, ``bus route`` -> ``bus_route``,
    ``navigation.back`` -> ``navigation_back``."""
    return re.sub(r"[^\w/-]+", "_", rasa_name.strip()).replace("/", "__")


def _add_example(data: RasaData, intent: object, raw: str, where: str) -> None:
    if not isinstance(intent, str) or not intent.strip():
        raise InputError(f"{where}: an intent without a name")
    name = intent.strip()
    fixed = _intent_name(name)
    if data.renamed.setdefault(fixed, name) != name:
        raise InputError(f"{where}: the Rasa intents {data.renamed[fixed]!r} and {name!r} would both become "
                         f"the nlukit intent {fixed!r}; rename one of them in the Rasa files")
    if fixed != name:  # a retrieval intent (faq/ask_hours), a name with spaces or dots (bus route, a.b)
        kind = "retrieval intent" if "/" in name else "intent"
        note = f"{kind} {name!r} became the intent {fixed!r}"
        if note not in data.notes:
            data.notes.append(note)
        name = fixed
    if not ENTITY_NAME_RE.fullmatch(name):
        raise InputError(f"{where}: intent name {name!r} is not a word (letters, digits, _ and -, "
                         "not starting with a digit); rename it in the Rasa file")
    text, mentions = parse_example(raw, where, data.notes)
    if re.search(r"\[[^\]]*\]", text):   # [홍길동] or [](STATION): brackets Rasa also took as text
        data.notes.append(f"{where}: {raw!r} holds brackets that mark no entity; they stay as text")
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
        braced = m.group("json")
        if braced is None and m.group("paren").lstrip().startswith('"'):   # [샷]("entity": "x", ...)
            braced = "{" + m.group("paren") + "}"
            if notes is not None:
                notes.append(f"{where}: {m.group(0)!r} has its JSON in ( ); read as [{surface}]{braced}")
        if braced is not None:
            try:
                spec = json.loads(braced)
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
        if not ENTITY_NAME_RE.fullmatch(entity):
            raise InputError(f"{where}: entity type {entity!r} in {m.group(0)!r} is not a word "
                             "(letters, digits, _ and -)")
        if role is not None and (not isinstance(role, str) or not ENTITY_NAME_RE.fullmatch(role)):
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


def _read_yaml(text: str, path: str, data: RasaData, skip_foreign: bool = False) -> None:
    import yaml

    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{at}: not valid YAML ({problem}); fix the indentation or quoting "
                         "there") from None
    if skip_foreign and not (isinstance(doc, dict) and set(doc) & set(_READ_KEYS) - {"version"}):
        data.notes.append(f"{path}: no Rasa data or domain in it (config, endpoints ...); skipped")
        return
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not Rasa training data (expected a mapping with an 'nlu:' list)")
    _read_domain(doc, path, data)
    others = sorted(k for k in doc if k not in _READ_KEYS)
    if others:
        data.notes.append(f"{path}: sections {', '.join(others)} were not read")
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


_READ_KEYS = ("nlu", "version", "intents", "entities", "responses", "templates", "slots", "forms",
              "rules", "stories", "session_config", "actions")


def _read_domain(doc: dict, path: str, data: RasaData) -> None:
    """Responses, slots and forms of a domain file; the steps of rules and stories."""
    responses = {**(doc.get("templates") or {}), **(doc.get("responses") or {})}   # Rasa 1: templates
    for name, variants in responses.items():
        texts = [v.get("text") for v in variants or [] if isinstance(v, dict)]
        texts = [t for t in texts if isinstance(t, str) and t.strip()]
        extra = sorted({k for v in variants or [] if isinstance(v, dict) for k in v} - {"text"})
        if extra:   # image, buttons, custom ...
            data.notes.append(f"{name}: its {', '.join(map(str, extra))} left out (an nlukit response is text)")
        if texts:
            data.responses.setdefault(str(name), texts[0].strip())
            if len(texts) > 1:   # several wordings: the nlukit bot varies them as Rasa does
                data.variants.setdefault(str(name), list(dict.fromkeys(t.strip() for t in texts)))
    for name, spec in (doc.get("slots") or {}).items():
        if isinstance(spec, dict):
            data.slots[str(name)] = spec
    forms = doc.get("forms") or {}
    if isinstance(forms, list):     # Rasa 1: form names; their slots are in the Python FormAction
        data.notes.append(f"{path}: forms {', '.join(map(str, forms))} are Rasa 1 FormActions, whose slots "
                          "are in Python; write their slots in scenarios.toml")
        forms = {}
    for name, spec in forms.items():
        required = spec.get("required_slots") if isinstance(spec, dict) else None
        if isinstance(spec, dict) and required is None:   # Rasa 2.0: the slots' mappings under the form
            required = {k: v for k, v in spec.items() if isinstance(v, list) and k != "ignored_intents"} or None
        if isinstance(required, dict):          # Rasa 2: slot -> its mappings
            for slot, mappings in required.items():
                data.form_mappings[str(slot)] = {"mappings": mappings}
            required = list(required)
        if isinstance(required, list):
            data.forms[str(name)] = [str(r) for r in required]
    for key in ("rules", "stories"):
        for flow in doc.get(key) or []:
            if isinstance(flow, dict) and isinstance(flow.get("steps"), list):
                condition = [c for c in flow.get("condition") or [] if isinstance(c, dict)]
                data.flows.append((condition, [st for st in flow["steps"] if isinstance(st, dict)]))


def _read_json(text: str, path: str, data: RasaData, skip_foreign: bool = False) -> None:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        if skip_foreign:
            data.notes.append(f"{path}: not valid JSON, so no Rasa data; skipped")
            return
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    nlu = doc.get("rasa_nlu_data") if isinstance(doc, dict) else None
    if not isinstance(nlu, dict) and skip_foreign:
        data.notes.append(f"{path}: no \"rasa_nlu_data\" in it (data of your actions?); skipped")
        return
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
    steps: list[dict] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        head = re.match(r"##\s*(intent|synonym|lookup|regex)\s*:\s*(.+)$", s)
        if head:
            kind, name = head.group(1), head.group(2).strip()
            if kind == "regex":
                data.notes.append(f"regex {name!r} is not used by nlukit")
            continue
        if s.startswith("##"):      # any other section: a Rasa 1 story (stories.md)
            kind, steps = "story", []
            data.flows.append(([], steps))
            continue
        if kind == "lookup" and s and not s.startswith("#") and not re.match(r"[-*+]\s", s):
            data.notes.append(f"{path}:{lineno}: lookup table {name!r} points at the file {s!r}; list its "
                              "values in a dictionary instead")   # Rasa 1: ## lookup:x + data/x.txt
            continue
        if not s or s.startswith("#") or not re.match(r"[-*+]\s", s):
            continue
        item = s[2:].strip()
        if kind == "story":         # * intent{"entity": ...}  /  - action  /  - form{"name": ...}
            step = re.split(r"[{:]| OR ", item, maxsplit=1)[0].strip()
            if not step:
                continue
            if s[0] == "*":
                steps.append({"intent": step})
            elif step == "form" and "{" in item:
                try:
                    steps.append({"active_loop": json.loads(item[item.index("{"):]).get("name")})
                except (ValueError, AttributeError):
                    pass
            elif step != "slot":
                steps.append({"action": step})
        elif kind == "intent":
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
            rest = text[m.end:]
            pair = _pair_after(rest)
            spaced = re.match(r" +", rest)
            if pair is None and spaced:
                # 안심 이 몇 호선: a particle typed apart from its word is attached, so that it can
                # fit each value (교대가, not 교대 이); only a whole word that is a particle
                word = rest[spaced.end():]
                after = _pair_after(word) or next(
                    ((p, len(p)) for p in _PLAIN_PARTICLES if word.startswith(p)), None)
                word_end = spaced.end() + (after[1] if after else 0)
                if after is not None and (word_end == len(rest) or not _HANGUL.match(rest[word_end])):
                    pair = after[0], word_end
            if pair is not None:
                out.append(pair[0])
                pos += pair[1]
        else:
            out.append(f"[{_escape(text[m.start:m.end])}]({label})")
    out.append(_escape(text[pos:]))
    return re.sub(r"\s+", " ", "".join(out)).strip()


# -- scenarios from the domain, rules and stories ------------------------------------------------
_FALLBACK_RESPONSES = ("utter_default", "utter_please_rephrase", "utter_fallback", "utter_nlu_fallback")
_TEMPLATE_NAME = re.compile(r"(?<!\{)\{([^{}]+)\}(?!\})")


def _intent_actions(data: RasaData) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The actions that first follow each intent in the rules and stories, up to the next turn,
    and for an intent said right after the bot spoke, that action (utter_did_that_help -> affirm)."""
    first: dict[str, list[str]] = {}
    after: dict[str, str] = {}
    for condition, steps in data.flows:
        # an intent said while a form runs answers the form (affirm after "continue?"), not itself
        loop = any(c.get("active_loop") for c in condition)
        for n, (a, b) in enumerate(zip(steps, steps[1:], strict=False)):
            if "active_loop" in a:
                loop = a["active_loop"] is not None
            if "intent" in a and "action" in b and not loop:
                chain = first.setdefault(_intent_name(str(a["intent"])), [])
                if not chain:
                    if n and "action" in steps[n - 1]:
                        after[_intent_name(str(a["intent"]))] = str(steps[n - 1]["action"])
                    i = n + 1
                    while i < len(steps) and ("action" in steps[i] or "slot_was_set" in steps[i]):
                        if "action" in steps[i]:
                            chain.append(str(steps[i]["action"]))
                        i += 1
    return first, after


def _form_endings(data: RasaData) -> dict[str, list[str]]:
    """The actions run once each form is complete (after ``active_loop: null``)."""
    ends: dict[str, list[str]] = {}
    for condition, steps in data.flows:
        loop = next((c["active_loop"] for c in condition if c.get("active_loop")), None)
        for i, st in enumerate(steps):
            if "active_loop" in st and st["active_loop"] is None:
                before = steps[i - 1] if i else {}
                form = loop or before.get("action") or before.get("active_loop")
                after = [str(x["action"]) for x in itertools.takewhile(
                    lambda x: "action" in x or "slot_was_set" in x, steps[i + 1:]) if "action" in x]
                if form and after:
                    ends.setdefault(str(form), after)
    return ends


def _slot_source(data: RasaData, slot: str, entity_types: Iterable[str]) -> tuple[str, str | None] | None:
    """The entity type and role that fill a Rasa slot (its ``from_entity`` mapping)."""
    spec = data.slots.get(slot) or {}
    mappings = spec.get("mappings") or data.form_mappings.get(slot, {}).get("mappings") or []
    found = [(str(m["entity"]), str(m["role"]) if m.get("role") else None)
             for m in (mappings if isinstance(mappings, list) else [])
             if isinstance(m, dict) and m.get("type") == "from_entity" and m.get("entity")]
    types = set(entity_types)
    # an entity the examples mark, and of those the slot's name first ([city, city_from] for city_from)
    for source in sorted(found, key=lambda f: (f[0] not in types, f[0] != slot)):
        return source
    if not mappings and slot in entity_types:   # Rasa 2 fills a slot from the entity of its name
        return slot, None
    return None


def _template(text: str, rename: dict[str, str], names: set[str], notes: list[str]) -> str:
    """A Rasa response as an nlukit template: slots renamed, unknown names kept as text, brackets
    kept as brackets (``[[``, ``]]``: ``주문번호 [{order_id}]`` is no optional part)."""
    said = text

    def sub(m: re.Match[str]) -> str:
        name = rename.get(m.group(1), m.group(1))
        if name in names:
            return "{" + name + "}"
        notes.append(f"{said!r} names {{{m.group(1)}}}, which no slot of its scenario fills; it is "
                     "shown as written (fill it in an nlukit action)")
        return "{{" + m.group(1) + "}}"
    return _TEMPLATE_NAME.sub(sub, text.replace("[", "[[").replace("]", "]]"))


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def short_title(text: str) -> str:
    """``text`` as a scenario ``title``: one line, no closing question mark or full stop, at most
    :data:`~nlukit.bot.scenario.TITLE_MAX` characters (a longer one is cut at a space, with …)::

        >>> short_title("배송은 얼마나 걸리나요?")
        '배송은 얼마나 걸리나요'
        >>> short_title("주문한 상품을 다른 주소로 보내고 싶은데 배송지 변경이 가능한가요?")
        '주문한 상품을 다른 주소로 보내고 싶은데 배송지…'
    """
    from ..bot.scenario import TITLE_MAX

    s = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    s = re.sub(r"[\s?？!！.。~,]+$", "", s)
    if len(s) <= TITLE_MAX:
        return s
    words, out = s.split(" "), ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > TITLE_MAX - 1:
            break
        out = f"{out} {w}" if out else w
    out = re.sub(r"[\s?？!！.。~,:;(\[-]+$", "", out or s[:TITLE_MAX - 1])
    return out + "…"


def _reply_toml(data: RasaData, said: list[str], rename: dict[str, str], names: set[str],
                notes: list[str]) -> str:
    """The TOML value of a reply made of the responses ``said`` in turn: one template, or the
    list of a single response's wordings (a chain of several keeps their first wordings)."""
    wordings = data.variants.get(said[0], []) if len(said) == 1 else []
    if len(wordings) > 1:
        texts = dict.fromkeys(_template(t, rename, names, notes) for t in wordings)
        return "[" + ", ".join(map(_toml, texts)) + "]"
    return _toml(_template("\n".join(data.responses[a] for a in said), rename, names, notes))


# a scenario without a title: where to give it one (docs/scenarios.md, "title")
_TITLE_HINT = '# title = "..."   # a name for people turns on the clarifying question (see the top)'
_TITLE_HEAD = [
    "# A scenario with a title (a name of the request a user would recognise: title = \"기차 예매\",",
    "# at most 30 characters, one per scenario) is asked about when the model is unsure of it,",
    "# instead of falling back: \"혹시 '기차 예매'를 원하세요?\" ([bot] clarify). An intent name",
    "# is no such name, so a scenario below without one has a \"# title\" line: fill it in for the",
    "# requests (not for greetings or thanks).",
]


def scenarios_toml(data: RasaData, entity_types: Iterable[str], *,
                   written_from: str = "the Rasa domain, rules and stories",
                   bot: dict[str, Any] | None = None) -> tuple[str | None, list[str]]:
    """The scenario file the domain, rules and stories describe, and what did not fit.
    ``bot`` adds settings to its ``[bot]`` table (an FAQ's confidence threshold)."""
    text, notes, _ = _scenarios(data, entity_types, written_from=written_from, bot=bot)
    return text, notes


def _scenarios(data: RasaData, entity_types: Iterable[str], *, written_from: str,
               bot: dict[str, Any] | None) -> tuple[str | None, list[str], list[str]]:
    """:func:`scenarios_toml` and the intents whose scenario was written without a title."""
    types = set(entity_types)
    (actions, context), ends = _intent_actions(data), _form_endings(data)
    notes: list[str] = []
    blocks: list[str] = []
    used_titles: dict[str, str] = {}   # title -> its intent
    untitled: list[str] = []
    for intent in data.intents:
        rasa_name = intent.replace("__", "/")
        chain = actions.get(intent) or []
        if not chain and f"utter_{rasa_name}" in data.responses:   # a retrieval intent
            chain = [f"utter_{rasa_name}"]
            if "/" not in rasa_name:   # found by its name alone: say so, the user may not mean it
                notes.append(f"intent {intent!r}: no rule or story answers it; utter_{rasa_name} is used "
                             "by its name, check it")
        action = chain[0] if chain else None
        if action is None:
            if data.flows or data.responses:
                notes.append(f"intent {intent!r}: no rule or story answers it; write its scenario")
            continue
        lines = ["[[scenario]]", f"intent = {_toml(intent)}"]
        title = data.titles.get(intent)
        if title is not None and title in used_titles:   # the loader takes one title per scenario
            notes.append(f"intent {intent!r}: the title {title!r} is already {used_titles[title]!r}'s; "
                         "left out (give it one of its own)")
            title = None
        if title is not None:
            lines.append(f"title = {_toml(title)}")
        if action in data.forms:
            slot_lines: list[tuple[str, str | None, str | None]] = []
            rename: dict[str, str] = {}
            optional = set(data.optional.get(action, []))
            for rs in [*data.forms[action], *data.optional.get(action, [])]:
                source = _slot_source(data, rs, types)
                if source is None or source[0] not in types:
                    why = "is not filled from an entity" if source is None else \
                        f"is filled from {source[0]!r}, which no example marks"
                    notes.append(f"form {action!r}: slot {rs!r} {why}; left out")
                    continue
                entity, role = source
                name = role or entity
                if name in rename.values():
                    role = name = rs
                    notes.append(f"form {action!r}: slots of one entity type {entity!r} got the roles of "
                                 f"their slot names ({rs!r}); mark them {{{entity}:{rs}}} in the patterns")
                rename[rs] = name
                if rs in optional:   # filled when the user says it, never asked
                    slot_lines.append((entity, role, None))
                    continue
                ask = next((a for a in (f"utter_ask_{action}_{rs}", f"utter_ask_{rs}") if a in data.responses),
                           None)
                if ask is None:
                    notes.append(f"form {action!r}: no utter_ask_{rs}; its prompt is a placeholder")
                slot_lines.append((entity, role, ask or f"{rs}을/를 알려 주세요."))
            names = set(rename.values())
            said = list(itertools.takewhile(lambda a: a in data.responses, ends.get(action, [])))
            if said:   # utter_info, utter_confirm
                lines.append(f"response = {_reply_toml(data, said, rename, names, notes)}")
            else:
                done = "알겠어요. " + " ".join("{" + n + "}" for n in rename.values())
                notes.append(f"intent {intent!r}: no response after form {action!r}; its response is a "
                             "placeholder (or write an nlukit action)")
                lines.append(f"response = {_toml(_template(done, rename, names, notes))}")
            for entity, role, prompt in slot_lines:
                lines += ["[[scenario.slot]]", f"entity = {_toml(entity)}"]
                if role:
                    lines.append(f"role = {_toml(role)}")
                if prompt is None:
                    lines.append("required = false")
                else:
                    value = _reply_toml(data, [prompt], rename, names, notes) if prompt in data.responses \
                        else _toml(_template(prompt, rename, names, notes))   # the placeholder
                    lines.append(f"prompt = {value}")
        elif action in data.responses:
            said = list(itertools.takewhile(lambda a: a in data.responses, chain))   # utter_a, utter_b
            lines.append(f"response = {_reply_toml(data, said, {}, set(), notes)}")
            if intent in context:
                notes.append(f"intent {intent!r}: its response is what Rasa says to it after "
                             f"{context[intent]}; check that it fits on its own")
            if len(said) < len(chain):
                notes.append(f"intent {intent!r}: after {said[-1]} Rasa runs {', '.join(chain[len(said):])}; "
                             "left out (write it as an nlukit action)")
        elif action.startswith("utter_"):
            notes.append(f"intent {intent!r} is answered by {action!r}, which has no text in the domain; "
                         "write its response")
            continue
        else:
            notes.append(f"intent {intent!r} runs the custom action {action!r}; write it as an nlukit "
                         "action (package.module:function) in scenarios.toml")
            continue
        if intent in data.answers and action in data.responses:
            lines.append("small_talk = false")
        if title is None:   # after the response, where the block's own keys end
            at = next((i for i, ln in enumerate(lines) if ln.startswith("response = ")), 1) + 1
            lines.insert(at, _TITLE_HINT)
            untitled.append(intent)
        else:
            used_titles[title] = intent
        blocks.append("\n".join(lines))
    if not blocks:
        return None, notes, []
    head = [f"# Written by nlukit import from {written_from}. See docs/scenarios.md."]
    if untitled:
        head += _TITLE_HEAD
    fallback = next((r for r in _FALLBACK_RESPONSES if r in data.responses), None)
    table = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in (bot or {}).items()]
    if fallback:   # its variations take turns, as the [bot] fallback replies do
        texts = data.variants.get(fallback) or [data.responses[fallback]]
        table.append("fallback = [" + ", ".join(_toml(_template(t, {}, set(), notes)) for t in texts) + "]")
    if table:
        head += ["", "[bot]", *table]
    return "\n".join(head) + "\n\n" + "\n\n".join(blocks) + "\n", notes, untitled


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
    # [asian oriental](cuisine) and [asian oriental](cuisine:asian): Rasa maps the text to asian
    # everywhere, so it is a synonym of asian, not a value of its own
    for entity, values in types.items():
        owner = {syn: v for v, syns in values.items() for syn in syns}
        for value in [v for v in values if owner.get(v, v) != v]:
            target = owner[value]
            if target not in values:
                continue
            for syn in values.pop(value):
                if syn != target and syn not in values[target]:
                    values[target].append(syn)
            notes.append(f"{entity} value {value!r} is also marked as {target!r}; it became a synonym of "
                         f"{target!r}, as Rasa maps it")
    return types, notes


def write_project(data: RasaData, out: str | os.PathLike[str], *, slots: bool = True, source: str = "Rasa",
                  written_from: str = "the Rasa domain, rules and stories", bot: dict[str, Any] | None = None,
                  advice: Sequence[str] = ()) -> ImportResult:
    """Write ``patterns/`` and ``dicts/`` (and ``IMPORT.md``) into the new folder ``out``.

    ``source`` names what was imported in ``IMPORT.md``, ``written_from`` in the scenario file's
    head; ``bot`` adds ``[bot]`` settings; ``advice`` lines replace the report's closing "Next:"."""
    out = os.fspath(out)
    check_new_folder(out, "choose a new folder")   # before reading it all
    types, notes = _dictionaries(data)
    scenarios, scenario_notes, untitled = _scenarios(data, types, written_from=written_from, bot=bot)
    notes = data.notes + notes + scenario_notes
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
    with new_folder(out, prefix=".nlukit-import-", hint="choose a new folder") as root:
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
        if scenarios is not None:
            with open(os.path.join(root, "scenarios.toml"), "w", encoding="utf-8") as fh:
                fh.write(scenarios)
        with open(os.path.join(root, "IMPORT.md"), "w", encoding="utf-8") as fh:
            fh.write(_report(intents, types, notes, slots, source, advice,
                             _titles_said(scenarios is not None, untitled, len(data.titles))))
    files = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs)
    return ImportResult(files, intents, {t: len(v) for t, v in types.items()}, notes)


def _titles_said(written: bool, untitled: list[str], titled: int) -> list[str]:
    """What ``IMPORT.md`` says of scenario titles, which turn on the clarifying question."""
    how = ("a scenario's `title = \"기차 예매\"` (a name of the request a user would recognise, at most "
           "30 characters, one per scenario) lets the bot ask \"혹시 '기차 예매'를 원하세요?\" when the "
           "model is unsure of that request, instead of falling back (docs/scenarios.md)")
    if not written:
        return ["## Clarifying questions", "", f"No scenarios.toml was written. When you write one, {how}."]
    if untitled:
        shown = ", ".join(untitled[:12]) + (f" and {len(untitled) - 12} more" if len(untitled) > 12 else "")
        return ["## Clarifying questions", "",
                f"{how[0].upper() + how[1:]}. {len(untitled)} scenarios have none, as their intent names are "
                f"no such names: {shown}. Fill in their `# title` line in scenarios.toml for the requests "
                "(not for greetings)."]
    if titled:
        return ["## Clarifying questions", "",
                "Every scenario got a title (see scenarios.toml): when the model is unsure of a request, "
                "the bot asks about it by its title ([bot] clarify) instead of falling back. Change a title "
                "to what a user would call the request, in a few words (at most 30 characters)."]
    return []


def _report(intents: dict[str, int], types: dict[str, dict[str, list[str]]], notes: list[str],
            slots: bool, source: str = "Rasa", advice: Sequence[str] = (), titles: Sequence[str] = ()) -> str:
    lines = [f"# Imported from {source}", "",
             "No entity in the examples: each is a pattern line as written, and `dicts/` is empty."
             if not types else
             "Entities became slots: `nlukit generate` fills each with every value of its dictionary."
             if slots else "Examples were kept as written, with their entities marked.", "",
             "| intent | pattern lines |", "| --- | --- |"]
    lines += [f"| {i} | {n} |" for i, n in intents.items()]
    if types:
        lines += ["", "| entity type | values |", "| --- | --- |"]
        lines += [f"| {t} | {len(v)} |" for t, v in sorted(types.items())]
    lines += ["", "## Changed or left out", ""]
    lines += [f"- {n}" for n in notes] or ["- nothing"]
    if titles:
        lines += ["", *titles]
    lines += ["", *(advice or ["Next: `nlukit generate patterns/ dicts/ -o data`, then `nlukit train data -o model`."])]
    return "\n".join(lines) + "\n"
