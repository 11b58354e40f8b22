"""Evaluation: intent and entity scores, slices for unseen templates/values, reports.

:func:`score` compares gold examples with :class:`ParseResult` s; :func:`evaluate`
loads a bundle and a dataset split, scores it and writes ``report.json`` plus one
self-contained ``report.html``; :func:`cross_validate` runs k-fold training over
train+valid.

Entities are scored on exact character spans: a prediction counts only when start,
end, type and role all match (``entity:role`` is the label). The IOB view (seqeval,
over the tokenizer's morphemes) is reported beside it.

>>> from nlukit.types import Example, Span, ParseResult, IntentScore, Entity
>>> gold = [Example("서울 날씨", "weather", (Span(0, 2, "location", "서울"),))]
>>> pred = [ParseResult("서울 날씨", IntentScore("weather", 0.9),
...         (Entity("location", "서울", "서울", 0, 2, 0.9),), (IntentScore("weather", 0.9),))]
>>> r = score(gold, pred, tokenizer=None)
>>> r["intent"]["accuracy"], r["entity"]["micro"]["f1"]
(1.0, 1.0)
"""
from __future__ import annotations

import html
import os
import random
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from .dataset import label_of
from .errors import DatasetError, InputError
from .types import Example, ParseResult

MAX_ERRORS = 200


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 6), "recall": round(r, 6), "f1": round(f, 6)}


def _intent_scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, pred, strict=True))
    classes = sorted(set(labels) | set(gold))
    cols = classes + sorted(set(pred) - set(classes))  # e.g. "fallback" as its own column
    idx = {c: i for i, c in enumerate(cols)}
    matrix = [[0] * len(cols) for _ in classes]
    for g, p in zip(gold, pred, strict=True):
        matrix[classes.index(g)][idx[p]] += 1
    per: dict[str, Any] = {}
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        per[c] = {**_prf(tp, fp, fn), "support": sum(1 for g in gold if g == c)}
    present = [c for c in classes if per[c]["support"] > 0]
    macro = sum(per[c]["f1"] for c in present) / len(present) if present else 0.0
    return {"accuracy": round(correct / n, 6) if n else 0.0, "macro_f1": round(macro, 6),
            "per_intent": per, "confusion": {"rows": classes, "columns": cols, "matrix": matrix},
            "fallback_rate": round(sum(p == "fallback" for p in pred) / n, 6) if n else 0.0}


def _gold_spans(ex: Example) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, label_of(s)) for s in ex.entities}


def _pred_spans(r: ParseResult) -> set[tuple[int, int, str]]:
    return {(e.start, e.end, f"{e.entity}:{e.role}" if e.role else e.entity) for e in r.entities}


def _entity_scores(examples: Sequence[Example], results: Sequence[ParseResult]) -> dict[str, Any]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    tp_all = fp_all = fn_all = 0
    value_ok = value_n = 0
    for ex, r in zip(examples, results, strict=True):
        gold, pred = _gold_spans(ex), _pred_spans(r)
        for s in gold & pred:
            counts[s[2]][0] += 1
            by_type[s[2].split(":")[0]][0] += 1
        for s in pred - gold:
            counts[s[2]][1] += 1
            by_type[s[2].split(":")[0]][1] += 1
        for s in gold - pred:
            counts[s[2]][2] += 1
            by_type[s[2].split(":")[0]][2] += 1
        tp_all += len(gold & pred)
        fp_all += len(pred - gold)
        fn_all += len(gold - pred)
        gold_values = {(s.start, s.end): s.value for s in ex.entities}
        for e in r.entities:
            if (e.start, e.end) in gold_values:
                value_n += 1
                value_ok += e.value == gold_values[(e.start, e.end)]
    return {
        "micro": {**_prf(tp_all, fp_all, fn_all), "support": tp_all + fn_all},
        "per_label": {k: {**_prf(*v), "support": v[0] + v[2]} for k, v in sorted(counts.items())},
        "per_type": {k: {**_prf(*v), "support": v[0] + v[2]} for k, v in sorted(by_type.items())},
        "value_accuracy": round(value_ok / value_n, 6) if value_n else None,
    }


def _seqeval(examples: Sequence[Example], results: Sequence[ParseResult], tokenizer: str) -> dict[str, Any]:
    """Entity scores over IOB2 tags of the tokenizer's morphemes (seqeval, strict IOB2)."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    from .dataset import iob_tags
    from .text import analyze, split_at
    from .types import Span

    y_true, y_pred = [], []
    for ex, r in zip(examples, results, strict=True):
        norm, tokens = analyze(ex.text, tokenizer)
        if norm.text != ex.text:  # keep offsets simple: score such texts on spans only
            continue
        cuts = [c for s in ex.entities for c in (s.start, s.end)]
        cuts += [c for e in r.entities for c in (e.start, e.end)]
        tokens = split_at(tokens, cuts)
        if not tokens:
            continue
        y_true.append(iob_tags(tokens, ex.entities))
        y_pred.append(iob_tags(tokens, [Span(e.start, e.end, e.entity, e.value, e.role)
                                        for e in r.entities]))
    if not y_true:
        return {}
    rep = classification_report(y_true, y_pred, mode="strict", scheme=IOB2, output_dict=True,
                                zero_division=0)
    return {k: {m: (round(float(v), 6) if m != "support" else int(v)) for m, v in d.items()}
            for k, d in rep.items()}


def _slice(name: str, idx: list[int], examples: Sequence[Example], results: Sequence[ParseResult],
           pred: Sequence[str]) -> dict[str, Any]:
    ex = [examples[i] for i in idx]
    rs = [results[i] for i in idx]
    return {"name": name, "n": len(idx),
            "intent_accuracy": round(sum(examples[i].intent == pred[i] for i in idx) / len(idx), 6)
            if idx else None,
            # no entity to find and none found (greetings, FAQ questions): nothing to score, not F1 0
            "entity": _entity_scores(ex, rs)["micro"]
            if any(e.entities for e in ex) or any(r.entities for r in rs) else None}


def score(examples: Sequence[Example], results: Sequence[ParseResult], *,
          manifest: Mapping[str, Any] | None = None, tokenizer: str | None = "mecab",
          intents: Sequence[str] | None = None) -> dict[str, Any]:
    """Score parse results against gold examples (same order)."""
    if len(examples) != len(results):
        raise InputError(f"{len(examples)} examples but {len(results)} results; score needs one "
                         "result per example")
    gold = [ex.intent for ex in examples]
    pred = [r.intent.name if r.intent else "" for r in results]
    report: dict[str, Any] = {"n": len(examples)}
    report["intent"] = _intent_scores(gold, pred, list(intents or sorted(set(gold))))
    report["entity"] = _entity_scores(examples, results)
    if tokenizer:
        report["entity"]["seqeval"] = _seqeval(examples, results, tokenizer)
    split = (manifest or {}).get("split") or {}
    slices = []
    held_t = set(split.get("held_out_templates") or [])
    if held_t:
        seen = [i for i, ex in enumerate(examples) if ex.template not in held_t]
        unseen = [i for i, ex in enumerate(examples) if ex.template in held_t]
        slices += [_slice("seen_templates", seen, examples, results, pred),
                   _slice("unseen_templates", unseen, examples, results, pred)]
    held_v = {k: set(v) for k, v in (split.get("held_out_values") or {}).items() if v}
    if held_v:
        unseen = [i for i, ex in enumerate(examples)
                  if any(s.value in held_v.get(s.entity, ()) for s in ex.entities)]
        unseen_set = set(unseen)
        seen = [i for i in range(len(examples)) if i not in unseen_set]
        slices += [_slice("seen_values", seen, examples, results, pred),
                   _slice("unseen_values", unseen, examples, results, pred)]
    report["slices"] = slices
    errors = []
    for ex, r, p in zip(examples, results, pred, strict=True):
        gs, ps = _gold_spans(ex), _pred_spans(r)
        if ex.intent != p or gs != ps:
            errors.append({
                "text": ex.text, "template": ex.template, "intent": ex.intent, "predicted": p,
                "confidence": round(r.intent.confidence, 6) if r.intent else None,
                "missing": [{"start": s, "end": e, "label": lab, "text": ex.text[s:e]}
                            for s, e, lab in sorted(gs - ps)],
                "extra": [{"start": s, "end": e, "label": lab, "text": ex.text[s:e]}
                          for s, e, lab in sorted(ps - gs)]})
    report["errors_total"] = len(errors)
    report["errors"] = errors[:MAX_ERRORS]
    return report


# ------------------------------------------------------------------ HTML report

_FONT = ("'Noto Sans KR','Apple SD Gothic Neo','Malgun Gothic','맑은 고딕','NanumGothic',"
         "'Nanum Gothic',system-ui,-apple-system,'Segoe UI',sans-serif")


def _e(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _heatmap(conf: Mapping[str, Any]) -> str:
    rows, cols, m = conf["rows"], conf["columns"], conf["matrix"]
    if not rows:
        return "<p>no examples</p>"
    cell, left, top = 34, 130, 120
    w, h = left + cell * len(cols) + 10, top + cell * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
             f'aria-label="confusion matrix">']
    for j, c in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 6}" transform="rotate(-45 {x} {top - 6})" '
                     f'font-size="12">{_e(c)}</text>')
    for i, r in enumerate(rows):
        total = sum(m[i]) or 1
        parts.append(f'<text x="{left - 6}" y="{top + i * cell + cell / 2 + 4}" text-anchor="end" '
                     f'font-size="12">{_e(r)}</text>')
        for j, c in enumerate(cols):
            v = m[i][j]
            frac = v / total
            diag = r == c
            color = (f"rgba(33,113,181,{0.08 + 0.92 * frac:.3f})" if diag
                     else f"rgba(203,24,29,{0.9 * frac:.3f})" if v else "#f7f7f7")
            parts.append(f'<rect x="{left + j * cell}" y="{top + i * cell}" width="{cell - 2}" '
                         f'height="{cell - 2}" fill="{color}"><title>{_e(r)} → {_e(c)}: {v}</title></rect>')
            if v:
                fill = "#fff" if frac > 0.55 else "#222"
                parts.append(f'<text x="{left + j * cell + (cell - 2) / 2}" '
                             f'y="{top + i * cell + cell / 2 + 3}" text-anchor="middle" '
                             f'font-size="11" fill="{fill}">{v}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _bars(per: Mapping[str, Mapping[str, Any]], title: str) -> str:
    if not per:
        return ""
    names = list(per)
    bar_w, left, row = 260, 150, 22
    h = row * len(names) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + bar_w + 80}" height="{h}" '
             f'role="img" aria-label="{_e(title)}">']
    for i, n in enumerate(names):
        f1 = float(per[n].get("f1", per[n].get("f1-score", 0.0)))
        y = 10 + i * row
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="12">{_e(n)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{bar_w}" height="{row - 6}" fill="#eee"/>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{bar_w * f1:.1f}" height="{row - 6}" '
                     f'fill="{"#2171b5" if f1 >= 0.9 else "#fd8d3c" if f1 >= 0.7 else "#cb181d"}">'
                     f'<title>{_e(n)} F1 {f1:.3f}</title></rect>')
        parts.append(f'<text x="{left + bar_w + 6}" y="{y + 14}" font-size="12">{f1:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(per: Mapping[str, Mapping[str, Any]]) -> str:
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{v.get('precision', 0):.3f}</td><td>"
                   f"{v.get('recall', 0):.3f}</td><td>{v.get('f1', 0):.3f}</td>"
                   f"<td>{v.get('support', 0)}</td></tr>" for k, v in per.items())
    return ("<table><tr><th>label</th><th>P</th><th>R</th><th>F1</th><th>n</th></tr>"
            f"{rows}</table>")


def render_html(report: Mapping[str, Any], title: str = "nlukit evaluation") -> str:
    """One self-contained HTML page (inline CSS and SVG, no external assets)."""
    it, en = report["intent"], report["entity"]
    cards = [("intent accuracy", it["accuracy"]), ("intent macro-F1", it["macro_f1"]),
             ("entity F1 (exact spans)", en["micro"]["f1"]), ("examples", report["n"])]
    card_html = "".join(f'<div class="card"><div class="v">{v if isinstance(v, int) else f"{v:.4f}"}'
                        f'</div><div class="k">{_e(k)}</div></div>' for k, v in cards)
    slices = "".join(
        f"<tr><td>{_e(s['name'])}</td><td>{s['n']}</td><td>"
        f"{'' if s['intent_accuracy'] is None else format(s['intent_accuracy'], '.4f')}</td><td>"
        f"{'' if not s['entity'] else format(s['entity']['f1'], '.4f')}</td></tr>"
        for s in report.get("slices", []))
    errors = "".join(
        f"<tr><td>{_e(e['text'])}</td><td>{_e(e['intent'])}</td><td>{_e(e['predicted'])}</td>"
        f"<td>{_e(', '.join(m['text'] + '/' + m['label'] for m in e['missing']))}</td>"
        f"<td>{_e(', '.join(m['text'] + '/' + m['label'] for m in e['extra']))}</td></tr>"
        for e in report.get("errors", []))
    meta = report.get("model") or {}
    warnings = "".join(f'<p class="warn">⚠ {_e(w)}</p>' for w in report.get("warnings") or ())
    sub = _e(f"model {meta.get('name', '')} {meta.get('version', '')} · split "
             f"{report.get('split', '')}")
    return f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{_e(title)}</title>
<style>
body{{font-family:{_FONT};margin:2em;color:#222;max-width:1100px}}
h1{{font-size:1.5em}} h2{{font-size:1.15em;margin-top:1.8em;border-bottom:1px solid #ddd}}
.cards{{display:flex;gap:1em;flex-wrap:wrap}} .card{{border:1px solid #ddd;border-radius:6px;padding:.8em 1.2em}}
.card .v{{font-size:1.6em;font-weight:600}} .card .k{{color:#666;font-size:.85em}}
table{{border-collapse:collapse;margin:.5em 0}} td,th{{border:1px solid #ddd;padding:3px 8px;text-align:left}}
th{{background:#f4f4f4}} .warn{{background:#fff4d6;border:1px solid #e0b84c;padding:.5em .8em}} svg text{{font-family:{_FONT}}}
</style></head><body>
<h1>{_e(title)}</h1><p>{sub}</p>{warnings}
<div class="cards">{card_html}</div>
<h2>Intent confusion matrix (rows: gold, columns: predicted)</h2>{_heatmap(it["confusion"])}
<h2>Per-intent F1</h2>{_bars(it["per_intent"], "per-intent F1")}{_table(it["per_intent"])}
<h2>Entity F1 per label (exact character spans)</h2>{_bars(en["per_label"], "per-label F1")}{_table(en["per_label"])}
<h2>Slices</h2><table><tr><th>slice</th><th>n</th><th>intent accuracy</th><th>entity F1</th></tr>{slices}</table>
<h2>Errors ({report.get("errors_total", 0)}, first {len(report.get("errors", []))})</h2>
<table><tr><th>text</th><th>gold</th><th>predicted</th><th>missed entities</th><th>extra entities</th></tr>{errors}</table>
</body></html>
"""


def check_report_dir(out: str) -> None:
    """Refuse, before any work, a report folder that is a file or cannot be made (a parent is a file),
    or a model version or dataset folder, whose own ``report.json`` the report would replace (a
    version then fails its sha256 check and no longer loads)."""
    for marker, what in (("meta.json", "a model version"), ("dataset.json", "a dataset")):
        if os.path.isfile(os.path.join(out, marker)):
            raise InputError(f"report folder {out} is {what}: its own report.json would be replaced"
                             f"{' and the model would no longer load' if marker == 'meta.json' else ''}; "
                             "choose a folder of its own, e.g. -o reports/demo")
    path = os.path.abspath(out)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    if not os.path.isdir(path):
        what = "is a file" if path == os.path.abspath(out) else f"cannot be made: {path} is a file"
        raise InputError(f"report folder {out} {what}; pass a folder with -o (it is created if missing)")


def write_report(report: Mapping[str, Any], out_dir: str, title: str = "nlukit evaluation") -> dict[str, str]:
    """Write ``report.json`` and ``report.html`` into ``out_dir`` (each file atomically)."""
    import json
    os.makedirs(out_dir, exist_ok=True)
    paths = {}
    for name, content in (("report.json", json.dumps(report, ensure_ascii=False, indent=1) + "\n"),
                          ("report.html", render_html(report, title))):
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        final = os.path.join(out_dir, name)
        os.replace(tmp, final)
        paths[name] = final
    return paths


# ------------------------------------------------------------------ entry points


def evaluate(model: Any, data: str, *, split: str = "test", out: str | None = None) -> dict[str, Any]:
    """Score the bundle (path or loaded NLU) ``model`` on ``split`` of the dataset ``data``."""
    from .dataset import SPLITS, load_dataset
    from .nlu import NLU, load

    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}; choose one of {', '.join(SPLITS)}")
    if out:
        check_report_dir(out)
    nlu = model if isinstance(model, NLU) else load(model)
    dataset = load_dataset(data)
    examples = getattr(dataset, split)
    if not examples:
        raise DatasetError(f"{data}/{split}.jsonl is missing or empty; choose another --split")
    seen = seen_split(nlu.meta, data, split)
    scorer = nlu
    if seen == "memorised":  # scored as if never seen: its sentences out of the memory
        from .train import fitted_splits
        scorer = nlu.unseen(dataset, split, fitted_splits(nlu.meta))
    results = scorer.parse_batch([ex.text for ex in examples])
    report = score(examples, results, manifest=dataset.manifest, tokenizer=nlu.tokenizer_name,
                   intents=list(nlu.intents))
    report["split"] = split
    report["data"] = os.path.abspath(data)
    report["model"] = {k: nlu.meta.get(k) for k in ("name", "version", "created")}
    report["memory"] = ("off for this split's sentences: the model memorised them" if seen == "memorised"
                        else "on")
    report["warnings"] = seen_split_warnings(nlu.meta, data, split) if seen == "fitted" else []
    unknown = sorted({ex.intent for ex in examples} - set(nlu.intents))
    if unknown:
        n = sum(ex.intent in unknown for ex in examples)
        report["warnings"].append(
            f"{n} of {len(examples)} sentences are of intents the model does not know ({', '.join(unknown)}): "
            "each counts as an error; retrain on this dataset, or score the dataset the model was trained on")
    if out:
        write_report(report, out)
    return report


def seen_split(meta: Mapping[str, Any], data: str, split: str) -> str | None:
    """``"fitted"`` when the model was trained on this very split (same file, by sha256),
    ``"memorised"`` when its memory holds the split's sentences, else None."""
    from .bundle import sha256_file
    from .train import fitted_splits

    info = meta.get("data") or {}
    digest = (info.get("sha256") or {}).get(f"{split}.jsonl")
    path = os.path.join(data, f"{split}.jsonl")
    if not digest or not os.path.isfile(path) or sha256_file(path) != digest:
        return None
    if split in fitted_splits(meta):
        return "fitted"
    if split in info.get("memorised", ["train", "valid"] if meta.get("memory_sentences") else []):
        return "memorised"
    return None


def seen_split_warnings(meta: Mapping[str, Any], data: str, split: str) -> list[str]:
    """A warning when the model was trained on this very split: its figures there say how
    well it remembers, not how well it generalises."""
    if seen_split(meta, data, split) != "fitted":
        return []
    from .train import fitted_splits
    fitted = fitted_splits(meta)
    how = f"was trained on the {split} split of {data}" + (
        " (train.include_test)" if split == "test" else "")
    held = [s for s in ("test", "valid") if s not in fitted]
    return [f"the model {how}: these figures are not held out; score --split {held[0]} for "
            "held-out figures" if held else f"the model {how}: these figures are not held out"]


def kfold(n: int, k: int, seed: int) -> list[list[int]]:
    """Deterministic fold indices: ``k`` near-equal folds of a seeded shuffle of ``range(n)``.

    >>> [len(f) for f in kfold(10, 3, 1)], sorted(sum(kfold(10, 3, 1), []))  == list(range(10))
    ([4, 3, 3], True)
    """
    if k < 2:
        raise InputError(f"--folds must be at least 2, got {k}")
    if n < k:
        raise InputError(f"cannot make {k} folds from {n} examples; use fewer folds")
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    return [idx[i::k] for i in range(k)]


def cross_validate(data: str, folds: int, *, config: Any = None, overrides: Any = None,
                   progress: bool = False, out: str | None = None) -> dict[str, Any]:
    """k-fold cross-validation over train+valid: train on k-1 folds, score the held-out one.

    A tenth of each training part is kept aside as its validation set (early stopping
    and the fallback threshold).
    """
    from .config import load_config
    from .dataset import load_dataset
    from .models.common import torch_threads
    from .train import _threads, fit_components, prepare

    cfg = load_config(config, overrides)
    if out:
        check_report_dir(out)
    dataset = load_dataset(data)
    tokenizer = str(dataset.manifest.get("tokenizer") or "mecab")
    pool = prepare(dataset.train + dataset.valid, tokenizer, progress=progress)
    seed = int(cfg["train"]["seed"])
    parts = kfold(len(pool), folds, seed)
    fold_reports = []
    with torch_threads(_threads(cfg["train"]["threads"])):
        for i, test_idx in enumerate(parts):
            test_set = set(test_idx)
            rest = [j for j in range(len(pool)) if j not in test_set]
            random.Random(seed + i).shuffle(rest)
            n_valid = max(1, len(rest) // 10)
            valid = [pool[j] for j in rest[:n_valid]]
            train = [pool[j] for j in rest[n_valid:]]
            comps = fit_components(train, valid, dataset.dictionary, cfg, tokenizer=tokenizer,
                                   progress=progress)
            test = [pool[j].example for j in test_idx]
            results = comps.nlu().parse_batch([ex.text for ex in test])
            rep = score(test, results, manifest=dataset.manifest, tokenizer=None,
                        intents=list(comps.intent.labels_))
            fold_reports.append({"fold": i, "n": rep["n"], "intent_accuracy": rep["intent"]["accuracy"],
                                 "intent_macro_f1": rep["intent"]["macro_f1"],
                                 "entity_f1": rep["entity"]["micro"]["f1"]})

    def stats(key: str) -> dict[str, float]:
        vals = [f[key] for f in fold_reports]
        return {"mean": round(statistics.fmean(vals), 6),
                "std": round(statistics.pstdev(vals), 6) if len(vals) > 1 else 0.0}

    report = {"folds": folds, "n": len(pool), "seed": seed, "per_fold": fold_reports,
              "intent_accuracy": stats("intent_accuracy"),
              "intent_macro_f1": stats("intent_macro_f1"), "entity_f1": stats("entity_f1")}
    if out:
        import json
        os.makedirs(out, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cv.", dir=out)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, os.path.join(out, "cv_report.json"))
    return report

