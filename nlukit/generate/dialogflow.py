"""A Dialogflow ES agent export read for ``nlukit import`` (the same project as from Rasa).

The agent export (Settings → Export and Import → Export as ZIP; the zip itself or its
unpacked folder) holds ``intents/<name>.json`` with ``intents/<name>_usersays_<lang>.json``
and ``entities/<name>.json`` with ``entities/<name>_entries_<lang>.json``. Read from it:

* training phrases: a segment with ``meta`` ``@type`` is an entity of that type
  (``@sys.geo-city`` becomes ``sys_geo_city``: nlukit has no built-in entities, so the
  values in the phrases make its dictionary; ``@sys.ignore`` is plain text, and a counter
  marked with a ``@sys.number``, ``5명``, is left out of it); when one intent marks two
  parameters of one type (``from-city`` and ``to-city``), the parameter names are their roles;
* follow-up intents (``X - yes``, named ``X_yes``) become ordinary intents, with a note;
* entity entries: values and synonyms;
* per intent, its first text response (``$from-city`` and ``#context.from-city`` name a
  parameter) and its required parameters with their first prompt: a scenario that asks for them;
* the fallback intent (``input.unknown``): its responses are the bot's fallback replies;
* an intent's name, when it reads as a human one (``기차 예매``, ``기차_예매``, ``Book Train``),
  is its scenario's ``title`` (the clarifying question, ``혹시 '기차 예매'를 원하세요?``), cut to
  30 characters; not an identifier (``book.flight``, ``weather``), the welcome intent
  (``input.welcome``, ``Default ...``) or a follow-up intent, which answers in context only.

The language is ``ko`` when the agent has it for as many intents as any other language, else
its only one; otherwise ``lang=`` (``--lang``) must choose.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from typing import Any

from ..errors import InputError
from .rasa import RasaData, parse_example, short_title

_WORD = re.compile(r"[^\w-]+")
_COUNTED = re.compile(r"(\s*\d[\d,.]*)(\s*[^\W\d_]+\s*)")   # 5명, 3 개, 10분: a number and its counter


def is_dialogflow(path: str) -> bool:
    """Whether ``path`` is a Dialogflow agent export (a zip or folder with ``agent.json``)."""
    if os.path.isdir(path):
        return os.path.exists(os.path.join(path, "agent.json")) and os.path.isdir(os.path.join(path, "intents"))
    if path.lower().endswith(".zip") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            return any(n.endswith("agent.json") for n in z.namelist())
    return False


def _name(raw: str) -> str:
    """An intent, type or role name as nlukit takes it: a word (``Default Welcome`` → ``Default_Welcome``)."""
    name = _WORD.sub("_", raw.strip()).strip("_")
    name = re.sub(r"_+-[_-]*|-+_[_-]*", "_", name)   # a follow-up's "dog_throwup - yes" → dog_throwup_yes
    if not name or name[0].isdigit():
        name = f"i_{name}"
    return name


def _title(raw: str) -> str | None:
    """An intent's name as its scenario's title, when it reads as a name for people: Korean
    (``기차 예매``; ``기차_예매`` with its underscores as spaces) or words apart (``Book Train``);
    None for an identifier (``book.flight``, ``order_pizza``, ``weather``, ``smalltalk.greetings``)."""
    name = re.sub(r"\s+", " ", raw).strip()
    if re.search(r"[가-힣]", name):
        name = re.sub(r"_+", " ", name).strip()
    elif not re.fullmatch(r"[A-Za-z][A-Za-z0-9']*(?: [A-Za-z0-9'][A-Za-z0-9']*)+", name) \
            or name.lower().startswith("default "):   # Default Welcome Intent and its kin
        return None
    title = short_title(name)
    return title or None


def _role(alias: str) -> str:
    """A parameter name as a role (and so a slot and template name): ``from-city`` → ``from_city``."""
    return _name(alias).replace("-", "_")


def _type(meta: str) -> str:
    return _name(meta.lstrip("@").replace(".", "_").replace("-", "_"))


def _load(path: str) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); is this a Dialogflow export?") from None


def _languages(root: str) -> dict[str, int]:
    """Each language of the training phrases, with how many intents have phrases in it."""
    counts: dict[str, int] = {}
    for f in os.listdir(os.path.join(root, "intents")):
        if m := re.search(r"_usersays_([\w-]+)\.json$", f):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return counts


def read_dialogflow(path: str, lang: str | None = None) -> RasaData:
    """An agent export as the examples, dictionaries and scenario parts ``nlukit import`` writes."""
    if os.path.isdir(path):
        return _read(path, lang)
    with tempfile.TemporaryDirectory(prefix="nlukit-dialogflow-") as tmp:
        with zipfile.ZipFile(path) as z:
            for member in z.namelist():   # no absolute paths or .. from an archive
                if member.startswith("/") or ".." in member.split("/"):
                    raise InputError(f"{path}: the archive holds an unsafe path {member!r}")
            z.extractall(tmp)
        roots = [d for d, _, fs in os.walk(tmp) if "agent.json" in fs]
        return _read(roots[0], lang)


def _read(root: str, lang: str | None) -> RasaData:
    langs = _languages(root)
    if lang is None:
        lang = "ko" if "ko" in langs or not langs else (sorted(langs)[0] if len(langs) == 1 else None)
        if lang == "ko" and langs and max(langs.values()) > langs["ko"]:
            lang = None   # Korean for the welcome intent only, the agent itself in English: do not guess
        if lang is None:
            raise InputError(f"{root}: the agent has phrases in "
                             f"{', '.join(f'{k} ({n} intents)' for k, n in sorted(langs.items()))}; "
                             "choose one with --lang")
    data = RasaData()
    canonical: dict[str, dict[str, str]] = {}   # type -> surface -> value (synonyms to their value)
    entity_dir = os.path.join(root, "entities")
    if os.path.isdir(entity_dir):
        for f in sorted(os.listdir(entity_dir)):
            m = re.fullmatch(r"(.+)_entries_([\w-]+)\.json", f)
            if m and m.group(2) == lang:
                for entry in _load(os.path.join(entity_dir, f)):
                    value = str(entry.get("value", "")).strip()
                    if value:
                        data.lookups.setdefault(_type(m.group(1)), []).append(value)
                        syns = [str(s) for s in entry.get("synonyms", []) if str(s).strip() and s != value]
                        for surface in (value, *syns):
                            canonical.setdefault(_type(m.group(1)), {}).setdefault(surface, value)
                        if syns:
                            data.synonyms.setdefault(value, []).extend(syns)
    intent_dir = os.path.join(root, "intents")
    for f in sorted(os.listdir(intent_dir)):
        if "_usersays_" in f or not f.endswith(".json"):
            continue
        spec = _load(os.path.join(intent_dir, f))
        raw_name = str(spec.get("name") or f[:-5])
        responses = spec.get("responses") or [{}]
        response = responses[0] if responses else {}
        texts = _speech(response, lang)
        if response.get("action") == "input.unknown" or spec.get("fallbackIntent"):
            if texts:
                data.responses["utter_default"] = texts[0]
                if len(texts) > 1:
                    data.variants["utter_default"] = list(dict.fromkeys(texts))
            data.notes.append(f"fallback intent {raw_name!r}: nlukit's own fallback takes its place"
                              + (" (its reply kept)" if texts else ""))
            continue
        intent = _name(raw_name)
        if intent != raw_name:
            data.notes.append(f"intent {raw_name!r} became {intent!r}")
        contexts = [str(c.get("name", c)) if isinstance(c, dict) else str(c) for c in spec.get("contexts") or []]
        if contexts:   # a follow-up intent (응, yes ...) answers only inside its parent's context
            data.notes.append(f"intent {raw_name!r} follows up {', '.join(contexts)} in Dialogflow; nlukit has no "
                              "input contexts, so it is an ordinary intent: check that its phrases stand alone")
        says = os.path.join(intent_dir, f"{f[:-5]}_usersays_{lang}.json")
        phrases = _load(says) if os.path.exists(says) else []
        aliases: dict[str, set[str]] = {}
        for phrase in phrases:
            for seg in phrase.get("data", []):
                if str(seg.get("meta", "")).startswith("@") and seg["meta"] != "@sys.ignore":
                    aliases.setdefault(_type(seg["meta"]), set()).add(str(seg.get("alias") or ""))
        for n, phrase in enumerate(phrases):
            raw = []
            for seg in phrase.get("data", []):
                text = str(seg.get("text", ""))
                meta = str(seg.get("meta", ""))
                if meta.startswith("@") and meta != "@sys.ignore" and text.strip():   # sys.ignore: plain text
                    kind = _type(meta)
                    rest = ""
                    counted = _COUNTED.fullmatch(text) if meta.startswith("@sys.number") else None
                    if counted:   # 5명 marked as @sys.number: the counter word is no part of the number
                        text, rest = counted.group(1), counted.group(2)
                    spec_ = {"entity": kind, "value": canonical.get(kind, {}).get(text.strip(), text.strip())}
                    if len(aliases.get(kind, ())) > 1 and seg.get("alias"):
                        spec_["role"] = _role(seg["alias"])
                    raw.append(f"[{text}]{json.dumps(spec_, ensure_ascii=False)}"
                               + rest.replace("[", "［").replace("]", "］"))
                else:
                    raw.append(text.replace("[", "［").replace("]", "］"))
            text, mentions = parse_example("".join(raw), f"{says}: phrase {n + 1}", data.notes)
            if text.strip():
                data.intents.setdefault(intent, []).append((text, mentions))
        if intent not in data.intents:
            data.notes.append(f"intent {raw_name!r} has no {lang} training phrases; left out")
            continue
        _scenario(data, intent, response, texts, aliases, lang)
        title = None if contexts or response.get("action") == "input.welcome" else _title(raw_name)
        if title is not None:
            other = next((i for i, t in data.titles.items() if t == title), intent)
            if other != intent:   # 기차_예매 and 기차__예매: the first keeps it
                data.notes.append(f"intent {raw_name!r}: its title {title!r} is {other!r}'s; left out")
            else:
                data.titles[intent] = title
    if not data.intents:
        raise InputError(f"{root}: no intent with {lang} training phrases")
    return data


def _speech(response: dict[str, Any], lang: str) -> list[str]:
    out = []
    for message in response.get("messages") or []:
        if str(message.get("type", "0")) != "0" or message.get("lang", lang) != lang:
            continue
        speech = message.get("speech")
        out += [speech] if isinstance(speech, str) else [str(s) for s in speech or []]
    return [t for t in out if t.strip()]


def _scenario(data: RasaData, intent: str, response: dict[str, Any], texts: list[str],
              aliases: dict[str, set[str]], lang: str) -> None:
    """The intent's answer in the Rasa shapes :func:`~nlukit.generate.rasa.scenarios_toml` reads."""
    required = [p for p in response.get("parameters") or [] if p.get("required")]
    names = sorted({str(p.get("name") or "") for p in response.get("parameters") or []} - {""}, key=len,
                   reverse=True)
    # $from-city에서: the parameter's name ends where a known name ends (Hangul is a word character too)
    # #new_meeting-followup.number: a parameter read from a context is the parameter too
    ref = re.compile(r"(?:\$|#[A-Za-z0-9_-]+\.)(" + "|".join(map(re.escape, names)) + r"|[A-Za-z0-9_-]+)"
                     r"(?:\.original)?") if names else \
        re.compile(r"(?:\$|#[A-Za-z0-9_-]+\.)([A-Za-z0-9_-]+)(?:\.original)?")
    reply = ref.sub(r"{\1}", texts[0]) if texts else None
    done = f"utter_{intent}"
    if reply:
        data.responses[done] = reply
        if len(texts) > 1:   # Dialogflow picks one at random; the nlukit bot varies them too
            data.variants[done] = list(dict.fromkeys(ref.sub(r"{\1}", t) for t in texts))
    # an optional parameter the reply names ($beverage) is a slot filled when said, never asked
    optional = [p for p in response.get("parameters") or [] if not p.get("required") and reply
                and "{" + str(p.get("name") or "") + "}" in reply]
    if not required and not optional:
        if reply:
            data.flows.append(([], [{"intent": intent}, {"action": done}]))
        return
    form = f"{intent}_form"
    data.forms[form] = []
    for p in [*required, *optional]:
        name = str(p.get("name") or "")
        kind = _type(str(p.get("dataType") or ""))
        role = _role(name) if len(aliases.get(kind, ())) > 1 else None
        data.slots[name] = {"mappings": [{"type": "from_entity", "entity": kind,
                                          **({"role": role} if role else {})}]}
        if p in optional:
            data.optional.setdefault(form, []).append(name)
            continue
        prompts = [q.get("value") for q in p.get("prompts") or [] if q.get("lang", lang) == lang]
        prompts = [ref.sub(r"{\1}", str(q)) for q in prompts if q and str(q).strip()]
        if prompts:
            data.responses[f"utter_ask_{form}_{name}"] = prompts[0]
            if len(prompts) > 1:
                data.variants[f"utter_ask_{form}_{name}"] = list(dict.fromkeys(prompts))
        data.forms[form].append(name)
    data.flows.append(([], [{"intent": intent}, {"action": form}]))
    if reply:
        data.flows.append(([{"active_loop": form}], [{"action": form}, {"active_loop": None}, {"action": done}]))
