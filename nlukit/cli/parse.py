"""``nlukit parse``: parse one text, or every line of stdin into JSONL."""
from __future__ import annotations

import argparse
import datetime
import json
import sys

HELP = "parse a text with a trained model: intent, ranking and entities"
EXAMPLES = """examples:
  nlukit parse models/demo "내일 서울에서 부산으로 가는 기차 예매해줘"
  nlukit parse models/demo "서울 날씨 어때" --json
  nlukit parse models/demo "다음 주 금요일 오후 세 시 반 알람" --today 2026-11-25
      (times and dates come with what they mean: → 2026-12-04, 15:30)
  cat utterances.txt | nlukit parse models/demo - > parsed.jsonl   # one JSON per line
      (a line that cannot be parsed, e.g. over the length limit, gets {"text", "error"})
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="MODEL", help="model folder (follows `current`) or a version folder")
    p.add_argument("text", metavar="TEXT", help="the text to parse, or - to read lines from stdin")
    p.add_argument("--json", action="store_true", help="print the REST /parse JSON")
    p.add_argument("--batch-size", type=int, default=512, metavar="N", help="lines per batch with -")
    p.add_argument("--today", type=iso_date, default=None, metavar="YYYY-MM-DD",
                   help="the date relative dates (내일, 다음 주 금요일) count from (default: today)")


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date; write it as YYYY-MM-DD, "
                                         "e.g. 2026-11-25") from None


def _human(r: object) -> str:
    from ..types import ParseResult
    assert isinstance(r, ParseResult)
    if r.intent is None:
        return "(empty text)"
    lines = [f"intent   {r.intent.name} ({r.intent.confidence:.3f})",
             "ranking  " + ", ".join(f"{s.name} {s.confidence:.3f}" for s in r.ranking[:5])]
    for e in r.entities:
        label = f"{e.entity}:{e.role}" if e.role else e.entity
        meaning = f"  = {e.resolved['value']}" if e.resolved else ""
        if e.resolved and e.resolved.get("ambiguous"):
            meaning += f" (or {' / '.join(e.resolved['candidates'][1:])})"
        if e.resolved and e.resolved.get("past"):
            meaning += " (past)"
        elif e.resolved and e.resolved.get("partly_past"):
            meaning += " (partly past)"
        lines.append(f"entity   {label:<22} {e.text!r} → {e.value!r}  [{e.start}, {e.end})  "
                     f"{e.confidence:.3f}{meaning}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..nlu import load
    nlu = load(args.model)
    if args.text != "-":
        r = nlu.parse(args.text, today=args.today)
        print(json.dumps(r.to_dict(), ensure_ascii=False) if args.json else _human(r))
        return 0
    out = sys.stdout
    batch: list[str] = []

    def flush() -> None:
        try:
            rows = [r.to_dict() for r in nlu.parse_batch(batch, today=args.today)]
        except InputError:  # one bad line (e.g. too long): answer it alone, keep the rest
            rows = []
            for text in batch:
                try:
                    rows.append(nlu.parse(text, today=args.today).to_dict())
                except InputError as exc:
                    rows.append({"text": text, "error": {"code": exc.code, "message": exc.message}})
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        batch.clear()

    raw_lines = getattr(sys.stdin, "buffer", None)
    for n, line in enumerate(raw_lines if raw_lines is not None else sys.stdin, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:  # an error row in its place, not silent U+FFFD
                flush()
                out.write(json.dumps({"line": n, "error": {
                    "code": "invalid_utf8", "message": f"line {n} is not valid UTF-8 (byte "
                    f"0x{exc.object[exc.start]:02x} at byte {exc.start}); save the input as UTF-8"}}) + "\n")
                continue
        batch.append(line.rstrip("\r\n"))
        if len(batch) >= max(1, args.batch_size):
            flush()
    flush()
    out.flush()
    return 0
