"""One training configuration: sections ``[word2vec]``, ``[intent]``, ``[tagger]``, ``[train]``.

Defaults come from each model module's ``DEFAULTS`` (the module that owns the
hyperparameters); a TOML file (read with :mod:`tomllib`) and ``section.key=value``
overrides replace them. An override is read as a TOML value and must fit the type
of the default (``intent.epochs=5`` is an int, ``intent.jamo=false`` a bool, a bare
word is a string), so a typo fails loudly instead of training the wrong model.

>>> coerce_value("train.seed", "7", 13)
7
>>> coerce_value("intent.jamo", "yes", False)
True
>>> coerce_value("intent.kernel_sizes", "2,3", [3, 4, 5])
[2, 3]
>>> coerce_value("intent.members", "char_cnn, ngram", ["char_cnn", "word_cnn"])
['char_cnn', 'ngram']
>>> coerce_value("intent.kind", ' "word_cnn"', "ensemble")
'word_cnn'
"""
from __future__ import annotations

import copy
import difflib
import importlib
import os
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import ConfigError

SECTIONS = ("word2vec", "intent", "tagger", "train")

# The pipeline's own section; the model sections come from the model modules.
TRAIN_DEFAULTS: dict[str, Any] = {
    "seed": 13,               # seeds every component whose own seed is not set
    "threads": 0,             # torch intra-op threads; 0 = up to 2, on cores the load average
                              # says are free (2 threads on a busy core are ~9x slower than 1)
    "device": "auto",         # "auto" (CUDA when present) | "cpu" | "cuda"
    "max_text_length": 1000,  # parse() refuses longer texts (characters)
    "batch_size": 512,        # evaluation / parse_batch chunk size
    "embeddings": True,       # train Word2Vec and hand it to the models
    "memory": True,           # a training sentence typed again (case, spaces, punctuation aside)
                              # gets its intent, never the fallback: bundle file memory.json
    "include_test": False,    # also fit on the test split, for the model you ship (every pattern
                              # taught): the figures then come from valid (scored without the memory)
    "workers": 0,             # 2 = fit the tagger in a second process beside the intent
                              # model; 1 = one after the other; 0 = 2 from 2,000 sentences
}

_MODULES = {"word2vec": "nlukit.models.embeddings", "intent": "nlukit.models.intent",
            "tagger": "nlukit.models.tagger"}

Config = dict[str, dict[str, Any]]


def defaults() -> Config:
    """The full default configuration (a fresh copy)."""
    out: Config = {}
    for section, modname in _MODULES.items():
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            raise ConfigError(f"cannot read the defaults of [{section}]: module {modname} is "
                              f"missing ({exc}); reinstall nlukit") from exc
        out[section] = copy.deepcopy(dict(mod.DEFAULTS))
    out["train"] = copy.deepcopy(TRAIN_DEFAULTS)
    return out


def _type_name(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def _a(v: Any) -> str:
    """``a``/``an`` with the type name of ``v``: 'an int', 'a float'."""
    name = _type_name(v)
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def coerce_value(key: str, raw: Any, default: Any) -> Any:
    """Turn ``raw`` (a string from the CLI, or a TOML value) into the type of ``default``.

    A string setting is read without the spaces around it (``--set "intent.kind = char_cnn"``)
    and, written as a TOML string (``--set 'intent.kind="char_cnn"'``), without its quotes.
    """
    if isinstance(raw, str) and isinstance(default, str):
        text = raw.strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            try:
                return str(tomllib.loads(f"v = {text}")["v"])
            except tomllib.TOMLDecodeError:
                pass
        return text
    if isinstance(raw, str) and not isinstance(default, str):
        text = raw.strip()
        if isinstance(default, bool):
            low = text.lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ConfigError(f"{key}: expected true or false, got {raw!r}")
        if default is None and text.lower() in ("none", "null", "auto", ""):
            return None
        if isinstance(default, (list, tuple)) and not text.startswith("["):
            if default and all(isinstance(v, str) for v in default):  # names: a,b → ["a", "b"]
                return [part.strip() for part in text.split(",") if part.strip()]
            text = "[" + text + "]"
        try:
            raw = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            if default is None:
                return raw
            raise ConfigError(f"{key}: cannot read {raw!r} as {_a(default)} "
                              f"(the default is {default!r})") from None
    if default is None or raw is None:
        return raw
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
    elif isinstance(default, float):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
    elif isinstance(default, int):
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
    elif isinstance(default, (list, tuple)):
        if isinstance(raw, (list, tuple)):
            if default and not isinstance(default[0], str):
                return [coerce_value(f"{key}[{i}]", v, default[0]) for i, v in enumerate(raw)]
            return list(raw)
    elif isinstance(default, str):
        if isinstance(raw, str):
            return raw
    elif isinstance(default, dict):
        if isinstance(raw, dict):
            return dict(raw)
    else:
        return raw
    raise ConfigError(f"{key}: expected {_a(default)} like the default {default!r}, "
                      f"got {raw!r}")


def _sections_with(key: str, config: Config) -> list[str]:
    return [s for s in SECTIONS if key in config.get(s, {})]


def _check_key(section: str, key: str, config: Config) -> None:
    if section not in config:
        close = difflib.get_close_matches(section.lower(), SECTIONS, 1, 0.6)
        hint = f" (did you mean [{close[0]}]?)" if close else ""
        raise ConfigError(f"unknown config section [{section}]{hint}; known sections: "
                          f"{', '.join(SECTIONS)}")
    if key not in config[section]:
        elsewhere = _sections_with(key, config)
        close = difflib.get_close_matches(key, list(config[section]), 1, 0.75)
        if elsewhere:
            hint = f" ({key} is a key of {', '.join(f'[{s}]' for s in elsewhere)})"
        elif close:
            hint = f" (did you mean {section}.{close[0]}?)"
        else:
            hint = ""
        raise ConfigError(f"unknown config key {section}.{key}{hint}; known keys of [{section}]: "
                          f"{', '.join(sorted(config[section]))}")


def parse_override(item: str) -> tuple[str, str, str]:
    """Split ``'intent.epochs=5'`` into ``('intent', 'epochs', '5')``."""
    name, sep, value = item.partition("=")
    section, dot, key = name.strip().partition(".")
    if not sep or not dot or not section or not key:
        raise ConfigError(f"bad override {item!r}; write section.key=value, e.g. intent.epochs=5")
    return section, key.strip(), value


def merge(config: Config, values: Mapping[str, Any], *, source: str = "config") -> Config:
    """Apply a ``{section: {key: value}}`` mapping to ``config`` in place, checking every key."""
    for section, table in values.items():
        if not isinstance(table, Mapping):
            owners = _sections_with(section, config)
            if owners and section not in SECTIONS:   # epochs = 3 above every [section]
                raise ConfigError(f"{source}: {section} = {table!r} is outside any section; it is a key of "
                                  f"{', '.join(f'[{s}]' for s in owners)}: write it under one of them, "
                                  f"e.g. [{owners[0]}] then {section} = {table!r}")
            raise ConfigError(f"{source}: {section!r} must be a table like [{section}], "
                              f"got {table!r}; known sections: {', '.join(SECTIONS)}")
        for key, raw in table.items():
            _check_key(section, key, config)
            config[section][key] = coerce_value(f"{section}.{key}", raw, config[section][key])
    return config


def load_config(path: str | os.PathLike[str] | Mapping[str, Any] | None = None,
                overrides: Iterable[str] | Mapping[str, Any] | None = None) -> Config:
    """Defaults, then the TOML file (or mapping) ``path``, then ``overrides``.

    ``overrides`` is a list of ``"section.key=value"`` strings or a mapping
    ``{"section.key": value}``.
    """
    config = defaults()
    if isinstance(path, Mapping):
        merge(config, path, source="config")
    elif path is not None:
        data = read_toml(path)
        merge(config, data, source=str(path))
    if isinstance(overrides, str):   # overrides="intent.epochs=5": one, not a list of its characters
        overrides = [overrides]
    if overrides:
        pairs = (list(overrides.items()) if isinstance(overrides, Mapping)
                 else [(f"{s}.{k}", v) for s, k, v in map(parse_override, overrides)])
        for name, value in pairs:
            section, dot, key = str(name).partition(".")
            if not dot:
                raise ConfigError(f"bad override {name!r}; write section.key=value, "
                                  "e.g. intent.epochs=5")
            _check_key(section, key, config)
            config[section][key] = coerce_value(f"{section}.{key}", value, config[section][key])
    _check_counts(config)
    return config


#: the most threads or worker processes a setting may ask for: more is a typo, and torch or
#: gensim then fails with a traceback, crashes or hangs rather than saying so
MAX_THREADS = 1024
# (section, key, what 0 or an unset value means)
_COUNTS = (("train", "threads", "0 picks up to 2"), ("intent", "threads", "unset keeps torch's"),
           ("tagger", "threads", "unset keeps torch's"), ("word2vec", "workers", "1 reproduces a run"),
           ("train", "workers", "0 picks 1 or 2"))


def _check_counts(config: Config) -> None:
    """Refuse thread and worker counts no machine runs, naming the key."""
    for section, key, zero in _COUNTS:
        value = config.get(section, {}).get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_THREADS:
            raise ConfigError(f"{section}.{key} must be a whole number from 0 to {MAX_THREADS} "
                              f"({zero}), got {value!r}")


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A config file as data: UTF-8, a byte-order mark allowed (Notepad writes one); any other
    encoding (cp949 from a Korean Windows) or broken TOML is a :class:`ConfigError` naming the fix."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}; check the path") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        try:
            raw.decode("cp949")
            was = " (it looks like cp949/euc-kr)"
        except UnicodeDecodeError:
            was = ""
        raise ConfigError(f"{path}:{line}: not UTF-8 text{was}; save the config file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file") from exc


def to_toml(config: Config) -> str:
    """Render a configuration as TOML (for ``nlukit info`` and saved configs)."""
    lines: list[str] = []
    for section in config:
        lines.append(f"[{section}]")
        for key, value in config[section].items():
            if value is None:
                lines.append(f"# {key} = (unset: chosen automatically)")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(v: Any) -> str:
    import json
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(str(v))
