"""Entity dictionaries: canonical values with their synonyms, read from CSV.

Two CSV forms are read, detected from the header row:

* long form ``entity,value,synonyms`` — one value per row, synonyms ``|``-separated;
* the wide form — the header names entity types, each column lists that type's
  values, empty cells are skipped.

Files may be UTF-8 (with or without BOM), cp949/euc-kr as Excel saves them, or UTF-16
with its byte-order mark; the encoding used is recorded per file. A folder reads every ``*.csv`` in sorted order
and merges them. Problems that do not stop reading (a duplicate value, a synonym
that names two values) are collected in :attr:`Dictionary.warnings` with file:line.

>>> d = Dictionary.from_json({"location": {"서울": ["서울시", "서울특별시"], "부산": []}})
>>> d.canonical("location", "서울시"), d.canonical("location", "대구")
('서울', None)
>>> d.surfaces("location"), d.entity_types
(['서울', '서울시', '서울특별시', '부산'], ['location'])
"""
from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import DictionaryError

__all__ = ["Dictionary", "DictionarySource", "load_dictionaries", "is_side_file", "ENTITY_NAME_RE"]

#: What an entity type may be called: a word (letters, digits, ``_``, ``-``), not starting with a digit.
ENTITY_NAME_RE = re.compile(r"[^\W\d][\w-]*")
_LONG_HEADERS = {
    "entity": "entity", "type": "entity", "entity_type": "entity", "개체": "entity", "엔티티": "entity",
    "value": "value", "값": "value", "대표값": "value",
    "synonyms": "synonyms", "synonym": "synonyms", "동의어": "synonyms", "유의어": "synonyms",
}


#: column separators other than ',' that end up in a CSV (Excel's locale, a Korean IME's
#: full-width mode), with how an error calls them
_SEPARATORS = ((";", "';'"), ("\t", "tabs"), ("\uff0c", "full-width commas '\uff0c'"),
               ("\u3001", "ideographic commas '\u3001'"), ("|", "'|'"))


@dataclass(frozen=True)
class DictionarySource:
    """One file read into a dictionary: its path, the encoding used and the CSV form."""

    path: str
    encoding: str
    form: str  # "long" | "wide"
    values: int


@dataclass
class Dictionary:
    """Entity type → canonical value → synonyms, with a reverse index for lookup."""

    entities: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    sources: list[DictionarySource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _where: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _index: dict[str, dict[str, str]] | None = field(default=None, repr=False)
    _owners: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    # -- building ---------------------------------------------------------------------
    def add(self, entity: str, value: str, synonyms: Iterable[str] = (), where: str = "") -> None:
        """Add ``value`` (and its synonyms) to ``entity``; warn on duplicates and clashes."""
        value = _clean(value)
        values = self.entities.setdefault(entity, {})
        self._index = None
        at = f"{where}: " if where else ""
        if value in values:
            first = self._where.get((entity, value), "")
            self.warnings.append(f"{at}duplicate value {value!r} for entity {entity!r}"
                                 f"{f' (first at {first})' if first else ''}; synonyms merged")
        else:
            owner = self._owner(entity, value)
            if owner is not None:
                self.warnings.append(
                    f"{at}value {value!r} of entity {entity!r} is already a synonym of {owner!r}; "
                    f"it now names itself, remove it from {owner!r}'s synonyms")
                values[owner] = [s for s in values[owner] if s != value]
            values[value] = []
            self._owners[(entity, value)] = value
            self._where[(entity, value)] = where
        syns = values[value]
        for raw in synonyms:
            syn = _clean(raw)
            if not syn or syn == value or syn in syns:
                continue
            owner = self._owner(entity, syn)
            if owner is not None and owner != value:
                self.warnings.append(
                    f"{at}synonym {syn!r} of {entity} value {value!r} already names value {owner!r}; "
                    f"it stays with {owner!r} — remove one of them")
                continue
            syns.append(syn)
            self._owners[(entity, syn)] = value

    def _owner(self, entity: str, surface: str) -> str | None:
        return self._owners.get((entity, surface))

    # -- lookup ------------------------------------------------------------------------
    @property
    def entity_types(self) -> list[str]:
        """The entity types, sorted."""
        return sorted(self.entities)

    def values(self, entity: str) -> list[str]:
        """The canonical values of ``entity`` in file order."""
        return list(self.entities.get(entity, {}))

    def surfaces(self, entity: str) -> list[str]:
        """Every surface of ``entity``: each value followed by its synonyms."""
        out: list[str] = []
        for v, syns in self.entities.get(entity, {}).items():
            out.append(v)
            out.extend(syns)
        return out

    def canonical(self, entity: str, surface: str) -> str | None:
        """The canonical value ``surface`` stands for, or None when it is not in the dictionary.

        Matching is exact after NFC and trimming, then case-insensitive (``ktx`` → ``KTX``).
        """
        if self._index is None:
            self._build_index()
        assert self._index is not None
        idx = self._index.get(entity)
        if not idx:
            return None
        s = _clean(surface)
        return idx.get(s) or idx.get("\0" + s.casefold())

    def _build_index(self) -> None:
        index: dict[str, dict[str, str]] = {}
        for ent, values in self.entities.items():
            idx: dict[str, str] = {}
            for v, syns in values.items():
                for s in (v, *syns):
                    idx.setdefault(s, v)
                    idx.setdefault("\0" + s.casefold(), v)
            index[ent] = idx
        self._index = index

    def __len__(self) -> int:
        return sum(len(v) for v in self.entities.values())

    def misread_type(self, name: str) -> str | None:
        """Why the entity type ``name`` a pattern names may be missing, when a wide-form file
        holds it as a value (a long-form file under a header that is not ``entity,value,synonyms``),
        else None.

        >>> d = Dictionary()
        >>> d.add("kind", "location", (), "d.csv:2:1")
        >>> d.sources.append(DictionarySource("d.csv", "utf-8", "wide", 1))
        >>> print(d.misread_type("location"))
        d.csv:2:1 has 'location' as a value of the type 'kind': that file was read as the wide form (its header names the entity types); if it lists one value a row, write its header as 'entity,value,synonyms'
        """
        for entity, values in self.entities.items():
            if name not in values:
                continue
            where = self._where.get((entity, name), "")
            if any(s.form == "wide" and where.startswith(s.path + ":") for s in self.sources):
                return (f"{where} has {name!r} as a value of the type {entity!r}: that file was read as the "
                        "wide form (its header names the entity types); if it lists one value a row, "
                        "write its header as 'entity,value,synonyms'")
        return None

    # -- persistence -------------------------------------------------------------------
    def to_json(self) -> dict[str, dict[str, list[str]]]:
        """``{entity: {value: [synonyms...]}}`` — the ``dictionary.json`` of a dataset."""
        return {e: {v: list(s) for v, s in vals.items()} for e, vals in self.entities.items()}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Dictionary:
        """Rebuild from :meth:`to_json` output, checking its shape."""
        if not isinstance(obj, dict):
            raise DictionaryError(f"dictionary JSON must be an object {{entity: {{value: [synonyms]}}}}, "
                                  f"got {type(obj).__name__}")
        d = cls()
        for entity, values in obj.items():
            if not isinstance(values, dict):
                raise DictionaryError(f"dictionary JSON: entity {entity!r} must map values to synonym "
                                      f"lists, got {type(values).__name__}")
            d.entities.setdefault(str(entity), {})
            for value, syns in values.items():
                if not isinstance(syns, list):
                    raise DictionaryError(f"dictionary JSON: {entity}/{value}: synonyms must be a list")
                d.add(str(entity), str(value), [str(s) for s in syns])
        return d

    def digest(self) -> str:
        """sha256 of the canonical JSON: equal dictionaries have equal digests."""
        blob = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def diff(self, other: Dictionary) -> dict[str, dict[str, list[str]]]:
        """What changed from ``self`` to ``other``, per entity type (for retraining).

        >>> old = Dictionary.from_json({"location": {"서울": [], "부산": []}})
        >>> new = Dictionary.from_json({"location": {"서울": ["서울시"], "대구": []}, "food": {"김밥": []}})
        >>> old.diff(new)
        {'food': {'added': ['김밥'], 'removed': [], 'synonyms_changed': []}, 'location': {'added': ['대구'], 'removed': ['부산'], 'synonyms_changed': ['서울']}}
        """
        out: dict[str, dict[str, list[str]]] = {}
        for ent in sorted(set(self.entities) | set(other.entities)):
            a, b = self.entities.get(ent, {}), other.entities.get(ent, {})
            change = {"added": [v for v in b if v not in a], "removed": [v for v in a if v not in b],
                      "synonyms_changed": [v for v in a if v in b and sorted(a[v]) != sorted(b[v])]}
            if any(change.values()):
                out[ent] = change
        return out

    def write_csv(self, path: str) -> None:
        """Write the long form ``entity,value,synonyms`` (UTF-8)."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["entity", "value", "synonyms"])
            for e, vals in self.entities.items():
                for v, syns in vals.items():
                    w.writerow([e, v, "|".join(syns)])

    @property
    def encodings(self) -> dict[str, str]:
        """path → encoding actually used, for the files this dictionary was read from."""
        return {s.path: s.encoding for s in self.sources}


def _clean(s: str) -> str:
    return unicodedata.normalize("NFC", s).strip()


def decode_file(path: str, what: str = "dictionary", error: type[Exception] = DictionaryError
                ) -> tuple[str, str]:
    """The text of a file a user saved by hand, and the encoding it was read in: UTF-8 (with
    or without BOM), UTF-16 with its BOM (Excel's "Unicode text"), or cp949/euc-kr (Excel on
    a Korean Windows). Anything else raises ``error`` naming the line and the fix; ``what``
    names the file in the message when it cannot be read at all."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            line = raw[:exc.start + 3].count(b"\n") + 1
            raise error(f"{path}:{line}: starts like UTF-8 but is not (byte {exc.start + 3}); "
                        "save the file as UTF-8 (CSV UTF-8 in Excel)") from exc
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text", Notepad's "Unicode"
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise error(f"{path}: starts like UTF-16 but is not (byte {exc.start}); "
                        "save the file as UTF-8 (CSV UTF-8 in Excel)") from exc
    if b"\x00" in raw[:4096]:   # UTF-16 without its mark: a NUL byte beside every ASCII letter
        codec = "utf-16-le" if raw[1:4096:2].count(0) >= raw[0:4096:2].count(0) else "utf-16-be"
        try:
            return raw.decode(codec), codec
        except UnicodeDecodeError as exc:
            raise error(f"{path}: holds NUL bytes but is not UTF-16 either (byte {exc.start}); "
                        "save the file as UTF-8 (CSV UTF-8 in Excel)") from exc
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp949"), "cp949"
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: neither UTF-8 nor cp949/euc-kr (byte {exc.start}); "
                    "save the file as UTF-8 (CSV UTF-8 in Excel)") from exc


def _check_entity(name: str, where: str) -> str:
    for sep, called in _SEPARATORS:
        if sep in name:
            raise DictionaryError(f"{where}: {name!r} holds {called}; separate columns with commas "
                                  f"(this row uses {called}), e.g. 'location,서울,서울시'")
    if not ENTITY_NAME_RE.fullmatch(name):
        raise DictionaryError(f"{where}: bad entity type name {name!r}; use letters, digits, '_' or '-' "
                              "(no spaces or ':'), e.g. 'location'")
    return name


def _rows(text: str, path: str) -> list[list[str]]:
    """The CSV rows of ``text``, one per physical line: a cell holding a line break is refused.

    A value or synonym never contains a line break, so such a cell is either a quote that
    was never closed (which would swallow the rest of the file) or a quoted cell spread over
    lines; both are errors at the line where the quote opens.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    start = 1
    for row in reader:
        for col, cell in enumerate(row):
            if "\n" in cell or "\r" in cell:
                first, end = (cell.splitlines() or [""])[0], reader.line_num
                if next(reader, None) is None and _unclosed(text):  # it ran to the end of the file
                    raise DictionaryError(
                        f"{path}:{start}: the quote opened in column {col + 1} ('\"{first}') is never "
                        f"closed, so lines {start}-{end} were read as one value; close the "
                        f"quote on line {start} ('\"{first}\"') or remove it")
                raise DictionaryError(
                    f"{path}:{start}: the quoted cell in column {col + 1} ('\"{first}') runs over lines "
                    f"{start}-{end}; a value or synonym cannot contain a line break — keep the cell on "
                    f"line {start} and close its quote there")
        rows.append(row)
        start = reader.line_num + 1
    return rows


def _unclosed(text: str) -> bool:
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _near_long_header(name: str) -> str | None:
    """The long-form column ``name`` means or nearly spells (``val`` → value), else None."""
    low = name.lower()
    if low in _LONG_HEADERS:
        return _LONG_HEADERS[low]
    if len(low) >= 3:
        for full, key in _LONG_HEADERS.items():
            if full.startswith(low):
                return key
    close = difflib.get_close_matches(low, [h for h in _LONG_HEADERS if h.isascii()], 1, 0.75)
    return _LONG_HEADERS[close[0]] if close else None


def _check_wide_header(path: str, line: int, header: list[str], rows: list[list[str]]) -> str | None:
    """Refuse a wide-form header that is really a misspelt long-form one; return a warning
    when it may be one.

    Two signs, either enough: two or more header cells name or nearly spell the long-form
    columns (``type,val,syn``, ``entitiy,value,synonyms``, ``value,entity,synonyms``); or the
    rows look like long-form rows — the first column repeats English entity-type names and the
    third holds ``|``-separated synonyms. A real wide-form header names entity types.
    Rows whose first column mostly repeats such names but hold no ``|`` (``kind,word,alias``
    over ``location,서울,``) may still be a wide file listing a value twice: a warning.
    """
    shown = ",".join(header)
    fix = ("write the header as 'entity,value,synonyms' (a wide-form header names entity types "
           "instead, e.g. 'location,date')")
    near = [(h, _near_long_header(h)) for h in header if h]
    near = [(h, k) for h, k in near if k is not None]
    if len(near) >= 2:
        slips = ", ".join(f"{h!r} → {k!r}" for h, k in near if h != k)
        raise DictionaryError(f"{path}:{line}: header {shown!r} looks like the long form but is not "
                              f"'entity,value,synonyms'{f' ({slips})' if slips else ' (those three, in that order)'}; {fix}")
    if len(header) in (2, 3):
        rows = [r for r in rows if r and not r[0].lstrip().startswith("#")]
        firsts = [_clean(r[0]) for r in rows if _clean(r[0])]
        if len(firsts) >= 2 and len(set(firsts)) < len(firsts) \
                and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", f) for f in firsts):
            types = ", ".join(repr(f) for f in sorted(set(firsts))[:3])
            if any(len(r) > 2 and "|" in r[2] for r in rows):
                raise DictionaryError(
                    f"{path}:{line}: the rows look like the long form (column 1 repeats entity types "
                    f"{types}, column 3 holds '|'-separated synonyms) but the header {shown!r} is not "
                    f"'entity,value,synonyms'; {fix}")
            if 2 * len(set(firsts)) <= len(firsts):
                # mostly repeats, as a long-form entity column is; a wide column lists each value once
                return (f"{path}:{line}: header {shown!r} was read as the wide form (entity types "
                        f"{', '.join(repr(h) for h in header if h)}), but column 1 repeats {types} as the "
                        f"entity column of the long form does; if the file lists one value a row, {fix}")
    return None


def _trim_empty_tail(row: list[str]) -> list[str]:
    end = len(row)
    while end > 1 and not row[end - 1].strip():
        end -= 1
    return row[:end]


def _read_file(path: str, d: Dictionary) -> DictionarySource:
    text, encoding = decode_file(path)
    # Excel leaves empty cells at the end of rows once a column beyond the table was touched
    # (entity,value,synonyms,,): they hold nothing, so they are not columns
    rows = [_trim_empty_tail(r) for r in _rows(text, path)]
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)
                      and not r[0].lstrip().startswith("#")), None)
    if header_at is None:
        raise DictionaryError(f"{path}: the file is empty; write a header row "
                              "'entity,value,synonyms' followed by one value per row")
    first = rows[header_at][0].strip()
    if first.startswith("@") and len(rows[header_at]) == 1:
        raise DictionaryError(f"{path}:{header_at + 1}: {first!r} is an intent header: this is a pattern file, "
                              "not a dictionary; nlukit generate takes the patterns first, then the "
                              "dictionaries (nlukit generate patterns/ dicts/ -o data)")
    for sep, called in _SEPARATORS:
        if any(sep in c for c in rows[header_at]):
            raise DictionaryError(
                f"{path}:{header_at + 1}: header {','.join(rows[header_at])!r} is not comma-separated; "
                f"separate columns with commas (this file uses {called}), e.g. 'entity,value,synonyms'")
    header = [_clean(c) for c in rows[header_at]]
    keys = [_LONG_HEADERS.get(h.lower()) for h in header]
    before = len(d)
    if keys[:2] == ["entity", "value"]:
        form = "long"
        if len(header) > 3 or (len(header) == 3 and keys[2] != "synonyms"):
            raise DictionaryError(f"{path}:{header_at + 1}: long-form header must be "
                                  f"'entity,value,synonyms', got {','.join(header)!r}")
        for i in range(header_at + 1, len(rows)):
            row = rows[i]
            where = f"{path}:{i + 1}"
            if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
                continue
            if len(row) > 3:
                raise DictionaryError(f"{where}: {len(row)} columns, expected entity,value,synonyms; "
                                      "separate synonyms with '|', not ',' (or quote the cell)")
            entity = _check_entity(_clean(row[0]), where)
            value = _clean(row[1]) if len(row) > 1 else ""
            if not value:
                raise DictionaryError(f"{where}: empty value for entity {entity!r}; "
                                      "fill the value column or delete the row")
            syns = row[2].split("|") if len(row) > 2 else []
            d.add(entity, value, syns, where)
    else:
        form = "wide"
        doubt = _check_wide_header(path, header_at + 1, header, rows[header_at + 1:])
        if doubt:
            d.warnings.append(doubt)
        for col, name in enumerate(header):
            if name:
                _check_entity(name, f"{path}:{header_at + 1}:{col + 1}")
        for i in range(header_at + 1, len(rows)):
            for col, cell in enumerate(rows[i]):
                value = _clean(cell)
                if not value:
                    continue
                where = f"{path}:{i + 1}:{col + 1}"
                if col >= len(header) or not header[col]:
                    raise DictionaryError(f"{where}: value {value!r} is in a column with no entity type "
                                          "in the header; name the column in the first row")
                d.add(header[col], value, (), where)
        for name in header:
            if name:
                d.entities.setdefault(name, {})
    return DictionarySource(path, encoding, form, len(d) - before)


def is_side_file(name: str) -> bool:
    """A file a folder of patterns or dictionaries holds beside them, not one of them: hidden
    (``._menu.csv``, the resource fork a Mac leaves on a zip or a USB stick) or an Office
    lock file (``~$menu.csv``, there while Excel has the file open)."""
    return name.startswith((".", "~$"))


def load_dictionaries(path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], *,
                      allow_empty: bool = False) -> Dictionary:
    """Read one CSV file, every ``*.csv`` of a folder (sorted; hidden and Office lock files
    skipped), or a list of such paths, merged. With ``allow_empty`` a folder holding no CSV
    gives no entity types, with a warning (a project whose patterns have no slots: an FAQ)."""
    paths: list[str]
    if isinstance(path, (str, os.PathLike)):
        paths = [os.fspath(path)]
    else:
        paths = [os.fspath(p) for p in path]
    files: list[str] = []
    empty: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(os.path.join(p, f) for f in os.listdir(p)
                           if f.lower().endswith(".csv") and not is_side_file(f)
                           and os.path.isfile(os.path.join(p, f)))
            if not found and allow_empty and not any(f.lower().endswith(".txt") for f in os.listdir(p)):
                empty.append(p)
                continue
            if not found:
                swapped = any(f.lower().endswith(".txt") for f in os.listdir(p))
                raise DictionaryError(f"dictionary folder {p} holds no *.csv file; add files like "
                                      "location.csv with a header 'entity,value,synonyms'"
                                      + ("; it holds *.txt files: if they are your patterns, nlukit generate "
                                         "takes the patterns first, then the dictionaries" if swapped else ""))
            files.extend(found)
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise DictionaryError(f"dictionary path {p} does not exist; pass a CSV file or a folder of them")
    d = Dictionary()
    for f in files:
        d.sources.append(_read_file(f, d))
    if empty and not files:
        d.warnings.append(f"dictionary folder {', '.join(empty)} holds no *.csv file: no entity types, so "
                          "no pattern may have a slot")
        return d
    if not any(d.entities.values()):
        raise DictionaryError(f"no dictionary values found in {', '.join(files)}; "
                              "each entity type needs at least one value")
    for entity, values in d.entities.items():
        if not values:
            d.warnings.append(f"entity type {entity!r} has no values")
    return d
