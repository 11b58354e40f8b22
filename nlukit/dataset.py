"""Reading a generated dataset directory and turning spans into IOB2 tags.

A dataset directory (written by ``nlukit generate``) holds ``train.jsonl``,
``valid.jsonl``, ``test.jsonl`` (one :class:`~nlukit.types.Example` per line),
``dataset.json`` (the manifest: seed, tokenizer, split, intents, entity types) and
``dictionary.json`` (``{entity: {value: [synonyms...]}}``).

IOB2 labels name the entity type, and the role after a colon when it has one:
``B-location:origin``.

>>> from nlukit.types import Token, Span
>>> toks = [Token("서울", "NNP", 0, 2), Token("에서", "JKB", 2, 4)]
>>> iob_tags(toks, [Span(0, 2, "location", "서울", "origin")])
['B-location:origin', 'O']
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import DatasetError
from .types import Example, Span, Token

SPLITS = ("train", "valid", "test")


def label_of(span: Span) -> str:
    """The tag type of a span: ``entity`` or ``entity:role``."""
    return f"{span.entity}:{span.role}" if span.role else span.entity


def split_label(label: str) -> tuple[str, str | None]:
    """Inverse of :func:`label_of`: ``'location:origin'`` → ``('location', 'origin')``."""
    entity, _, role = label.partition(":")
    return entity, (role or None)


def iob_tags(tokens: Sequence[Token], spans: Iterable[Span]) -> list[str]:
    """IOB2 tags for ``tokens``: a token inside a span gets B- (first) or I- (rest).

    A token overlapping a span only partly counts as inside it; use
    :func:`nlukit.text.split_at` first to keep boundaries exact.
    """
    tags = ["O"] * len(tokens)
    for span in sorted(spans, key=lambda s: s.start):
        label = label_of(span)
        first = True
        for i, t in enumerate(tokens):
            if t.end <= span.start or t.start >= span.end:
                continue
            tags[i] = ("B-" if first else "I-") + label
            first = False
    return tags


def spans_from_tags(tokens: Sequence[Token], tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Rebuild ``(start, end, label)`` spans from IOB2 tags (an I- without B- opens a span)."""
    spans: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for t, tag in zip(tokens, tags, strict=True):
        if tag == "O":
            cur = None
            continue
        prefix, _, label = tag.partition("-")
        if prefix == "B" or cur is None or cur[2] != label:
            cur = [t.start, t.end, label]
            spans.append(cur)  # type: ignore[arg-type]
        else:
            cur[1] = t.end
    return [tuple(s) for s in spans]  # type: ignore[misc]


def read_jsonl(path: str) -> Iterator[Example]:
    """Stream the examples of one JSONL file, naming file and line on a bad record."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror}; generate it with `nlukit generate`") from exc
    with fh:
        for n, raw in enumerate(fh, 1):
            try:  # UTF-8; a byte-order mark (a file saved by Notepad or Excel) is allowed
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                try:
                    raw.decode("cp949")
                    was = " (it looks like cp949/euc-kr)"
                except UnicodeDecodeError:
                    was = ""
                raise DatasetError(f"{path}:{n}: not UTF-8 text{was}; save the file as UTF-8 "
                                   "(nlukit generate writes UTF-8)") from None
            if not line.strip():
                continue
            try:
                ex = Example.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                raise DatasetError(f"{path}:{n}: not a dataset record ({exc}); "
                                   "expected {\"text\", \"intent\", \"entities\"}") from exc
            for s in ex.entities:
                if not 0 <= s.start < s.end <= len(ex.text):
                    raise DatasetError(f"{path}:{n}: entity span [{s.start}, {s.end}) lies outside "
                                       f"the text of length {len(ex.text)}")
            yield ex


def write_jsonl(path: str, examples: Iterable[Example]) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
            n += 1
    return n


@dataclass
class Dataset:
    """A dataset directory loaded into memory (train/valid/test, manifest, dictionary)."""

    path: str
    train: list[Example]
    valid: list[Example]
    test: list[Example]
    manifest: dict[str, Any] = field(default_factory=dict)
    dictionary: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({ex.intent for ex in self.train + self.valid + self.test})

    @property
    def labels(self) -> list[str]:
        """Entity tag types (``entity`` or ``entity:role``) seen in any split."""
        return sorted({label_of(s) for ex in self.train + self.valid + self.test for s in ex.entities})


def load_dataset(path: str) -> Dataset:
    """Load a dataset directory written by ``nlukit generate``."""
    if os.path.isfile(path):
        raise DatasetError(f"{path!r} is a file; pass the dataset folder that holds it "
                           f"({os.path.dirname(path) or '.'!r}), written by `nlukit generate PATTERNS DICTS -o DIR`")
    if not os.path.isdir(path):
        raise DatasetError(f"dataset directory {path!r} does not exist; create it with "
                           "`nlukit generate PATTERNS DICTS -o DIR`")
    parts = {}
    for name in SPLITS:
        p = os.path.join(path, f"{name}.jsonl")
        parts[name] = list(read_jsonl(p)) if os.path.exists(p) else []
    if not parts["train"]:
        if os.path.lexists(os.path.join(path, "current")) or os.path.isfile(os.path.join(path, "meta.json")):
            raise DatasetError(f"{path} is a trained model, not a dataset; pass the folder written by "
                               "`nlukit generate PATTERNS DICTS -o DIR`")
        if not os.path.exists(os.path.join(path, "train.jsonl")) and any(
                f.lower().endswith((".txt", ".csv")) for f in os.listdir(path)):
            raise DatasetError(f"{path} holds no dataset (no train.jsonl), only pattern or dictionary files; "
                               "make a dataset of them with `nlukit generate PATTERNS DICTS -o DIR` and pass DIR")
        raise DatasetError(f"{path}/train.jsonl is missing or empty; regenerate the dataset")
    manifest: dict[str, Any] = {}
    dictionary: dict[str, dict[str, list[str]]] = {}
    for name, target in (("dataset.json", manifest), ("dictionary.json", dictionary)):
        p = os.path.join(path, name)
        if os.path.exists(p):
            with open(p, encoding="utf-8-sig") as fh:   # a byte-order mark: saved again in Notepad
                try:
                    target.update(json.load(fh))
                except ValueError as exc:
                    raise DatasetError(f"{p} is not valid JSON ({exc}); regenerate the dataset") from exc
    return Dataset(path, parts["train"], parts["valid"], parts["test"], manifest, dictionary)
