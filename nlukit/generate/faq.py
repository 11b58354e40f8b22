"""A customer-service FAQ sheet (Excel ``.xlsx`` or CSV) read for ``nlukit import``.

Most company chatbots start from an FAQ kept in Excel: rows of 질문 / 답변, often with a
분류 (category) column, sometimes with several ways to ask one answer, in more question
columns (질문2, 유사질문, 다른 표현) or in repeated rows. A sheet is an FAQ when one row of
its first ten holds a question column and an answer column (Korean or English names,
below); Kochat's ``question,label`` CSV has no answer column and is never taken for one.

* Rows with the same answer (spaces and line breaks aside) are one intent holding all
  their questions. The intent is named after the category and a number (``배송_01``), or
  ``faq_001`` without a category.
* The answer is the intent's scenario response, line breaks kept and braces escaped
  (``{{``), so the bot shows them as written.
* Each scenario gets a ``title``, which the bot's clarifying question names when it is unsure
  (``혹시 '배송 얼마나 걸려요'에 대해 물어보신 건가요?``): the answer's title cell when the sheet
  has a 제목 (title, 요약) column and that title is the answer's own, else its first question
  that fits in 30 characters (in order; the first one cut at a space, with …, when none does),
  without its question mark, and unlike every other answer's.
* An empty category cell takes the category above it (a category written once for a block
  of rows, or a merged cell); an empty answer cell with a question takes the answer above
  (a merged answer cell; listed in the report). A question listed under two answers is
  kept under the first and listed.

``.xlsx`` is read with :mod:`zipfile` and :mod:`xml.etree` (no openpyxl): the first sheet,
or the one named. Shared and inline strings, numbers, line breaks and merged cells are
read; formulas give their cached value.
"""
from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from ..errors import InputError, NlukitError
from .rasa import RasaData, short_title

_FIX = "save it from Excel as .xlsx or as CSV UTF-8, with a header row 질문,답변 (or question,answer)"
_QUESTION = {"질문", "question", "questions", "q", "문의", "질의", "질문내용", "문의내용", "고객질문", "user",
             "utterance", "발화"}
_VARIANT = {"유사질문", "다른표현", "질문변형", "예시질문", "추가질문", "비슷한질문", "유사표현", "paraphrase",
            "paraphrases", "variant", "variants", "similarquestion", "similarquestions", "alternative",
            "altquestion", "otherquestion"}
_ANSWER = {"답변", "답", "answer", "answers", "a", "응답", "답변내용", "response", "reply", "대답", "안내"}
_CATEGORY = {"분류", "카테고리", "category", "구분", "대분류", "유형", "topic", "주제", "항목"}
_TITLE = {"제목", "title", "요약", "summary", "질문제목", "질문요약", "faq제목"}
_MAX_HEADER_ROW = 10


def _key(cell: str) -> str:
    """A header cell compared: lower case, no spaces, punctuation or trailing number (질문 2 → 질문)."""
    s = re.sub(r"[\s_\-.:()\[\]/#*]+", "", unicodedata.normalize("NFC", cell).lower())
    return re.sub(r"\d+$", "", s)


def _columns(header: list[str]) -> tuple[list[int], int, int | None, int | None] | None:
    """(question columns, answer column, category column, title column) of a header row, or None."""
    questions: list[int] = []
    answer = category = title = None
    for i, cell in enumerate(header):
        k = _key(cell)
        if not k:
            continue
        if k in _TITLE:
            if title is None:
                title = i
        elif k in _CATEGORY or k.endswith(("분류", "유형", "카테고리")):
            if category is None:
                category = i
        elif k in _QUESTION or k in _VARIANT or k.endswith("질문"):
            questions.append(i)
        elif (k in _ANSWER or k.endswith("답변")) and answer is None:
            answer = i
    if not questions or answer is None:
        return None
    return questions, answer, category, title


# -- reading the sheet --------------------------------------------------------------------------
def _csv_rows(path: str) -> list[list[str]]:
    from .dictionary import decode_file

    text, _ = decode_file(path, "FAQ sheet", InputError)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(el: ET.Element) -> str:
    """The text of a shared or inline string: its ``t`` elements, phonetic runs (rPh) left out."""
    out: list[str] = []

    def walk(e: ET.Element) -> None:
        for child in e:
            name = _local(child.tag)
            if name == "rPh":
                continue
            if name == "t":
                out.append(child.text or "")
            else:
                walk(child)
    walk(el)
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), "".join(out))


def _col(ref: str) -> int:
    n = 0
    for ch in re.match(r"[A-Za-z]*", ref).group(0).upper():   # type: ignore[union-attr]
        n = n * 26 + ord(ch) - 64
    return n - 1


def _cell_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", ref.strip())
    if not m:
        raise ValueError(ref)
    return int(m.group(2)) - 1, _col(m.group(1))


def xlsx_sheets(path: str) -> list[str]:
    """The sheet names of an ``.xlsx`` file, in order (hidden sheets last)."""
    with _open_xlsx(path) as z:
        return [name for name, _ in _sheet_targets(z, path)]


def _open_xlsx(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: not a readable .xlsx file ({exc}); an old .xls or a damaged file? "
                         f"{_FIX[0].upper() + _FIX[1:]} (nothing was written)") from None


def _xml(z: zipfile.ZipFile, name: str, path: str) -> ET.Element:
    try:
        return ET.fromstring(z.read(name))
    except KeyError:
        raise InputError(f"{path}: {name} is missing, so this is no Excel workbook; {_FIX} "
                         "(nothing was written)") from None
    except (ET.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{path}: {name} is damaged ({exc}); {_FIX} (nothing was written)") from None


def _sheet_targets(z: zipfile.ZipFile, path: str) -> list[tuple[str, str]]:
    book = _xml(z, "xl/workbook.xml", path)
    rels: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in z.namelist():
        for rel in _xml(z, "xl/_rels/workbook.xml.rels", path):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            rels[rel.get("Id", "")] = target
    out: list[tuple[str, str]] = []
    hidden: set[int] = set()
    for n, sheet in enumerate((e for e in book.iter() if _local(e.tag) == "sheet"), 1):
        rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), None)
        if sheet.get("state") in ("hidden", "veryHidden"):
            hidden.add(len(out))
        out.append((sheet.get("name", f"Sheet{n}"), rels.get(rid or "", f"xl/worksheets/sheet{n}.xml")))
    # the first sheet one sees in Excel: hidden ones go last
    return [s for i, s in enumerate(out) if i not in hidden] + [s for i, s in enumerate(out) if i in hidden]


def _xlsx_rows(path: str, sheet: str | None) -> list[list[str]]:
    with _open_xlsx(path) as z:
        sheets = _sheet_targets(z, path)
        if not sheets:
            raise InputError(f"{path}: the workbook lists no sheet; {_FIX} (nothing was written)")
        if sheet is None:
            name, target = sheets[0]
        else:
            found = [s for s in sheets if s[0] == sheet] or [s for s in sheets if s[0].strip().lower() == sheet.strip().lower()]
            if not found:
                raise InputError(f"{path}: no sheet {sheet!r}; its sheets are "
                                 f"{', '.join(repr(s) for s, _ in sheets)} (give one with --sheet)")
            name, target = found[0]
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            shared = [_text(si) for si in _xml(z, "xl/sharedStrings.xml", path) if _local(si.tag) == "si"]
        root = _xml(z, target, path)
    cells: dict[tuple[int, int], str] = {}
    merges: list[tuple[int, int, int, int]] = []
    for n_row, row in enumerate((e for e in root.iter() if _local(e.tag) == "row"), 1):
        r = int(row.get("r", n_row)) - 1
        col = -1
        for c in row:
            if _local(c.tag) != "c":
                continue
            ref = c.get("r")
            try:
                r_c, col = _cell_ref(ref) if ref else (r, col + 1)
            except ValueError:
                raise InputError(f"{path}: sheet {name!r} has a cell named {ref!r}; {_FIX} "
                                 "(nothing was written)") from None
            kind = c.get("t", "n")
            v = next((e for e in c if _local(e.tag) == "v"), None)
            if kind == "inlineStr":
                inline = next((e for e in c if _local(e.tag) == "is"), None)
                value = _text(inline) if inline is not None else ""
            elif v is None or v.text is None:
                continue
            elif kind == "s":
                try:
                    value = shared[int(v.text)]
                except (ValueError, IndexError):
                    raise InputError(f"{path}: cell {ref} points at shared string {v.text}, which the "
                                     f"workbook does not hold; {_FIX} (nothing was written)") from None
            elif kind == "b":
                value = "TRUE" if v.text.strip() == "1" else "FALSE"
            elif kind == "n":
                value = _number(v.text)
            else:   # str (a formula's text), e (an error such as #N/A)
                value = v.text
            cells[(r_c, col)] = value
    for e in root.iter():
        if _local(e.tag) == "mergeCell" and ":" in e.get("ref", ""):
            try:
                (r0, c0), (r1, c1) = (_cell_ref(p) for p in e.get("ref", "").split(":"))
            except ValueError:
                continue
            merges.append((r0, c0, r1, c1))
    for r0, c0, r1, c1 in merges:   # a merged cell holds its value in its first cell only
        value = cells.get((r0, c0), "")
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                cells.setdefault((rr, cc), value)
    if not cells:
        return []
    width = max(c for _, c in cells) + 1
    return [[cells.get((r, c), "") for c in range(width)] for r in range(max(r for r, _ in cells) + 1)]


def _number(text: str) -> str:
    try:
        f = float(text)
    except ValueError:
        return text
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def read_sheet(path: str, sheet: str | None = None) -> list[list[str]]:
    """The rows of an FAQ file, cells as text (``.xlsx`` or CSV)."""
    lower = path.lower()
    if lower.endswith((".xls", ".xlsm", ".xlsb", ".ods")) and not zipfile.is_zipfile(path):
        raise InputError(f"{path}: an old .xls (or other binary) workbook is not read; {_FIX} "
                         "(nothing was written)")
    if lower.endswith((".xlsx", ".xlsm")) or (os.path.isfile(path) and zipfile.is_zipfile(path)):
        return _xlsx_rows(path, sheet)
    try:
        return _csv_rows(path)
    except csv.Error as exc:
        raise InputError(f"{path}: not readable as CSV ({exc}); {_FIX} (nothing was written)") from None


def _header(rows: list[list[str]]) -> tuple[int, tuple[list[int], int, int | None, int | None]] | None:
    for i, row in enumerate(rows[:_MAX_HEADER_ROW]):
        cols = _columns([c or "" for c in row])
        if cols is not None:
            return i, cols
    return None


# -- detection ---------------------------------------------------------------------------------
def is_faq(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an FAQ sheet: an ``.xlsx``, or a CSV with question and answer columns."""
    path = os.fspath(path)
    lower = path.lower()
    if not os.path.isfile(path):
        return False
    if lower.endswith((".xlsx", ".xlsm", ".xls")):
        return True
    if not lower.endswith((".csv", ".tsv", ".txt")):
        return False
    try:
        rows = _csv_rows(path)
    except (NlukitError, csv.Error, OSError):
        return False
    return _header(rows) is not None


# -- grouping ----------------------------------------------------------------------------------
def _clean(cell: str) -> str:
    """A cell's text: NFC, line breaks as \\n, spaces at line ends gone."""
    s = unicodedata.normalize("NFC", cell).replace("\r\n", "\n").replace("\r", "\n")
    lines = [ln.strip() for ln in s.split("\n")]
    return "\n".join(lines).strip("\n ").strip()


def _same(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _question_key(q: str) -> str:
    return re.sub(r"[\s?？!.~]+", "", q).lower()


def _intent_base(category: str) -> str:
    name = re.sub(r"[^\w]+", "_", unicodedata.normalize("NFC", category)).strip("_")
    if not name:
        return "faq"
    if not re.match(r"[^\W\d]", name):
        name = "faq_" + name
    return name


def read_faq(paths: Iterable[str | os.PathLike[str]], sheet: str | None = None) -> RasaData:
    """FAQ sheets as the examples and responses ``nlukit import`` writes out."""
    data = RasaData()
    groups: dict[str, dict] = {}     # normalised answer -> {"answer", "category", "questions"}
    owner: dict[str, tuple[str, str, str]] = {}   # question key -> (answer key, question, where)
    carried = conflicts = 0
    files = [os.fspath(p) for p in paths]
    for path in files:
        rows = read_sheet(path, sheet)
        rows = [[_clean(c) for c in row] for row in rows]
        if not any(any(row) for row in rows):
            raise InputError(f"{path}: the sheet is empty; put the FAQ in its first sheet (or name it with "
                             "--sheet), one row per question with the columns 질문 and 답변 (nothing was written)")
        head = _header(rows)
        if head is None:
            first = next(row for row in rows if any(row))
            raise InputError(
                f"{path}: no question and answer columns in the header {[c for c in first if c][:8]}; "
                "name them 질문 and 답변 (or question and answer; 분류 or category for a category, "
                "질문2 or 유사질문 for more ways to ask) (nothing was written)")
        at, (qcols, acol, ccol, tcol) = head
        category = answer = ""
        for n, row in enumerate(rows[at + 1:], at + 2):
            row = row + [""] * (max(qcols + [acol, ccol or 0, tcol or 0]) + 1 - len(row))
            questions = [row[c] for c in qcols if row[c]]
            if ccol is not None and row[ccol]:
                category = row[ccol]
            if row[acol]:
                answer = row[acol]
            elif questions and answer:
                carried += 1
            if not questions:
                if row[acol]:
                    data.notes.append(f"{path}:{n}: an answer without a question; left out")
                continue
            if not answer:
                data.notes.append(f"{path}:{n}: {questions[0]!r} has no answer; left out")
                continue
            akey = _same(answer)
            group = groups.setdefault(akey, {"answer": answer, "category": category, "questions": [],
                                             "titles": []})
            if tcol is not None and row[tcol]:
                group["titles"].append(row[tcol])
            for q in questions:
                qk = _question_key(q)
                if not qk:
                    continue
                if qk in owner and owner[qk][0] != akey:
                    conflicts += 1
                    data.notes.append(f"{path}:{n}: the question {q!r} is also listed under another answer "
                                      f"({owner[qk][2]}); kept under the first")
                    continue
                if qk not in owner:
                    owner[qk] = (akey, q, f"{path}:{n}")
                    group["questions"].append(q)
    for g in groups.values():
        if not g["questions"]:
            short = _same(g["answer"])
            data.notes.append(f"the answer {short[:40] + ('…' if len(short) > 40 else '')!r} has no question "
                              "that another answer does not have first; left out")
    groups = {k: g for k, g in groups.items() if g["questions"]}
    if not groups:
        raise InputError(f"no question with an answer in {', '.join(files)}; put one question and its answer "
                         "per row under the header 질문,답변 (nothing was written)")
    if carried:
        data.notes.append(f"{carried} questions had an empty answer cell and were taken as more ways to ask "
                          "the answer above them (a merged cell or repeated rows); check that they belong")
    counts: dict[str, int] = {}
    for g in groups.values():
        base = _intent_base(g["category"]) if g["category"] else "faq"
        counts[base] = counts.get(base, 0) + 1
    seen: dict[str, int] = {}
    for g in groups.values():
        base = _intent_base(g["category"]) if g["category"] else "faq"
        seen[base] = seen.get(base, 0) + 1
        width = max(3 if base == "faq" else 2, len(str(counts[base])))
        intent = f"{base}_{seen[base]:0{width}d}"
        for q in g["questions"]:
            data.intents.setdefault(intent, []).append((_same(q), []))
        g["intent"] = intent
        action = f"utter_{intent}"
        data.responses[action] = g["answer"].replace("{", "{{").replace("}", "}}")
        data.flows.append(([], [{"intent": intent}, {"action": action}]))
    _titles(list(groups.values()), data)
    return data


def _titles(groups: list[dict], data: RasaData) -> None:
    """Each answer's scenario title (see the module): its own title cell, else a question."""
    shared: dict[str, int] = {}   # a title cell said for several answers names none of them
    for g in groups:
        for t in dict.fromkeys(short_title(t) for t in g["titles"]):
            shared[t] = shared.get(t, 0) + 1
    used: set[str] = set()
    for g in groups:
        data.answers.append(g["intent"])   # each answers a question: never small talk
        cells = [t for t in dict.fromkeys(short_title(t) for t in g["titles"]) if t and shared[t] == 1]
        whole = [short_title(q) for q in g["questions"]]
        candidates = cells + [t for t in whole if not t.endswith("…")] + [t for t in whole if t.endswith("…")]
        title = next((t for t in candidates if t and t not in used), None)
        if title is None:
            data.notes.append(f"{g['intent']}: every question of it names another answer too; no title "
                              "(write one in scenarios.toml)")
            continue
        used.add(title)
        data.titles[g["intent"]] = title
