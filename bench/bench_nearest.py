"""The nearest intent kind against a trained bundle's intent model on a big dataset.

    python bench/bench_nearest.py MODEL DATA [--n 5000] [--out bench/results/nearest_demo.json]

MODEL is a trained bundle (e.g. the demo's, default intent model), DATA its dataset folder.
Fits ``IntentClassifier(kind="nearest")`` on DATA's train split (valid for the
calibration), then reports: its fit time and the maximum resident memory of this process
before and after, top-1 intent accuracy and the share below its threshold on the test split
for both intent models (the intent model alone: no memory, no fallback), and
``parse_batch`` utterances/s and single ``parse`` p50 of the bundle with each intent model
(same tagger and dictionaries; the sentence memory off, so every text goes through the
intent model), one torch thread, two interleaved rounds. The bundle's own intent fit time is
in its meta.json (``timings_s.intent``), from its training run.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--n", type=int, default=5000, help="texts for the parse_batch runs")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "nearest_demo.json"))
    args = ap.parse_args(argv)

    import numpy as np
    import torch
    torch.set_num_threads(1)
    import nlukit
    from nlukit.dataset import load_dataset
    from nlukit.models.intent import IntentClassifier
    from nlukit.train import prepare

    ds = load_dataset(args.data)
    tr, va, te = prepare(ds.train), prepare(ds.valid), prepare(ds.test)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    near = IntentClassifier(kind="nearest", threads=1).fit(
        [(p.norm.text, p.tokens, p.example.intent) for p in tr],
        [(p.norm.text, p.tokens, p.example.intent) for p in va], progress=False)
    fit = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base = nlukit.load(args.model)
    with open(os.path.join(base.path or args.model, "meta.json"), encoding="utf-8") as fh:
        meta = json.load(fh)
    out: dict = {"command": "python bench/bench_nearest.py " + " ".join(argv if argv is not None else sys.argv[1:]),
                 "sentences": {"train": len(tr), "valid": len(va), "test": len(te)},
                 "nearest_fit_seconds": round(fit, 2),
                 "bundle_intent_fit_seconds": (meta.get("timings_s") or {}).get("intent"),
                 "bundle_intent_kind": (meta.get("config") or {}).get("intent", {}).get("kind"),
                 "nearest_features": len(near._nearest.vocab), "nearest_nonzeros": int(near._nearest.matrix.nnz),
                 "nearest_temperature": near.temperature_, "nearest_threshold": near.threshold_,
                 "max_rss_mb_before_fit": rss0 // 1024, "max_rss_mb_after_fit": rss1 // 1024}
    items = [(p.norm.text, p.tokens) for p in te]
    gold = [p.example.intent for p in te]
    for name, model in (("nearest", near), ("bundle", base._intent)):
        proba = model.predict_proba(items)
        pred = [model.labels_[i] for i in proba.argmax(1)]
        out[f"{name}_test_top1"] = round(float(np.mean([a == b for a, b in zip(pred, gold, strict=True)])), 4)
        out[f"{name}_test_below_threshold"] = round(float((proba.max(1) < model.threshold_).mean()), 4)
    texts = [ex.text for ex in (ds.train + ds.valid + ds.test)]
    rng = np.random.default_rng(0)
    texts = [texts[i] for i in rng.choice(len(texts), min(args.n, len(texts)), replace=False)]
    other = copy.copy(base)
    other._intent = near
    for nlu in (base, other):
        nlu._memory, nlu._taught = {}, {}
    for _rnd in range(2):
        for name, nlu in (("bundle", base), ("nearest", other)):
            nlu.parse_batch(texts[:200])
            t0 = time.perf_counter()
            nlu.parse_batch(texts)
            dt = time.perf_counter() - t0
            lat = []
            for t in texts[:300]:
                s = time.perf_counter()
                nlu.parse(t)
                lat.append(time.perf_counter() - s)
            out.setdefault(f"{name}_parse_batch_utt_per_s", []).append(round(len(texts) / dt))
            out.setdefault(f"{name}_single_parse_p50_ms", []).append(round(sorted(lat)[len(lat) // 2] * 1e3, 2))
        print(json.dumps(out, ensure_ascii=False), flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
