"""The ``transformer`` intent kind against the default intent model, on the demo data.

    python bench/bench_encoder.py DATA [--pretrained DIR] [--size small] [--epochs 4]
                                  [--n 1000] [--out bench/results/encoder.json]

Both models are trained in this script on DATA's train split (valid for early stopping and
the threshold) with ``nlukit.train`` and scored on its test split: intent accuracy and
macro-F1, training seconds (CPU time of this process: the machine is shared), and the speed
of ``parse_batch`` (sentence memory off: text the bot never saw) and of single ``parse``
on one core, each as a ratio to the default model's in the same run.

``--pretrained DIR`` uses a real encoder (a local Hugging Face folder: klue/bert-base,
KoELECTRA). Without it this machine has none (no download is possible), so an encoder of
``--size`` is built at random with a WordPiece vocabulary learnt from DATA: its accuracy is
that of a Transformer **without** pretraining, which says nothing of what pretrained weights
give; its speed is the speed of that architecture, which weights do not change.
Sizes: ``tiny`` (2 layers × 32), ``small`` (4 × 256, 4 heads; KoELECTRA-small is 12 × 256),
``base`` (12 × 768, 12 heads: klue/bert-base's shape).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
SIZES = {"tiny": (2, 32, 2, 64), "small": (4, 256, 4, 1024), "base": (12, 768, 12, 3072)}


def build_random(folder: str, texts: list[str], size: str, seed: int = 0) -> str:
    """A randomly initialised BERT of ``size`` with a WordPiece tokenizer learnt from ``texts``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=8000, special_tokens=special))
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls),
                                                                                                ("[SEP]", sep)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")
    layers, hidden, heads, inter = SIZES[size]
    torch.manual_seed(seed)
    BertModel(BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=hidden, num_hidden_layers=layers,
                         num_attention_heads=heads, intermediate_size=inter)).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder


def cpu() -> float:
    """CPU seconds of this process and of its children waited for (training's tagger worker)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def run(data: str, out: str, overrides: list[str], texts: list[str], test: list, n_single: int) -> dict:
    import nlukit
    from nlukit.evaluate import _intent_scores
    t0, c0 = time.perf_counter(), cpu()
    path = nlukit.train(data, out, overrides=["train.threads=1", "train.memory=false", *overrides],
                        progress=False)
    fit = {"train_wall_s": round(time.perf_counter() - t0, 1), "train_cpu_s": round(cpu() - c0, 1)}
    nlu = nlukit.load(path)
    got = [r.ranking[0].name for r in nlu.parse_batch([ex.text for ex in test])]
    want = [ex.intent for ex in test]
    scores = _intent_scores(want, got, sorted(set(want)))
    nlu.parse_batch(texts[:50])
    c0 = time.process_time()   # finer than os.times' ticks; parsing runs in this process only
    nlu.parse_batch(texts)
    batch_cpu = time.process_time() - c0
    lat = []
    for t in texts[:n_single]:
        s = time.perf_counter()
        nlu.parse(t)
        lat.append((time.perf_counter() - s) * 1000)
    return {**fit, "test_accuracy": round(scores["accuracy"], 4), "test_macro_f1": round(scores["macro_f1"], 4),
            "parse_batch_per_s_cpu": round(len(texts) / batch_cpu, 1),
            "single_p50_ms": round(statistics.median(lat), 2),
            "single_p99_ms": round(sorted(lat)[int(0.99 * (len(lat) - 1))], 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--pretrained", default="", help="a local Hugging Face model folder (real weights)")
    ap.add_argument("--size", choices=sorted(SIZES), default="small", help="the random encoder without --pretrained")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--freeze", action="store_true", help="train the head alone (freeze_encoder)")
    ap.add_argument("--n", type=int, default=1000, help="texts for the parse_batch run")
    ap.add_argument("--single", type=int, default=200, help="texts for the latency run")
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)

    import torch
    torch.set_num_threads(1)
    from nlukit.dataset import load_dataset
    ds = load_dataset(args.data)
    pool = [ex.text for ex in ds.test + ds.valid]
    texts = [pool[i % len(pool)] for i in range(args.n)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.pretrained or build_random(os.path.join(tmp, "encoder"),
                                                 [ex.text for ex in ds.train], args.size)
        base = run(args.data, os.path.join(tmp, "default"), [], texts, ds.test, args.single)
        enc = run(args.data, os.path.join(tmp, "encoder_model"),
                  ["intent.kind=transformer", f"intent.pretrained={folder}", f"intent.epochs={args.epochs}",
                   "intent.lr=0.001", f"intent.freeze_encoder={'true' if args.freeze else 'false'}",
                   # a random encoder learns from scratch: the head's rate, not fine-tuning's 3e-5
                   *([] if args.pretrained else ["intent.encoder_lr=0.001"])],
                  texts, ds.test, args.single)
    ratio = {k: round(enc[k] / base[k], 3) for k in base if base[k]}
    result = {"command": "python bench/bench_encoder.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "data": args.data, "encoder": args.pretrained or f"random {args.size} {SIZES[args.size]} "
                                                                "(layers, hidden, heads, ffn): NOT pretrained",
              "machine": {"python": platform.python_version(), "torch_threads": 1, "cpus": os.cpu_count()},
              "default_intent_model": base, "transformer": enc, "ratio_transformer_to_default": ratio}
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
