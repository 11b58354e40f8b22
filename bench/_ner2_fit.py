"""Exploration helper for the mixed ensemble: fit bench configs and save each tagger.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/_ner2_fit.py morpheme_w2v_sem:13 \\
        char_w2v_sem_cw2v_bies:13                       # -> /tmp/ner2/models/CONFIG_SEED

Same data, split, Word2Vec and char vectors as bench_klue_ner.py (3i4k extra text on).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import torch  # noqa: E402

from bench import bench_klue_ner as B  # noqa: E402
from nlukit.models.embeddings import train_embeddings  # noqa: E402
from nlukit.models.tagger import EntityTagger  # noqa: E402
from nlukit.text import get_tokenizer  # noqa: E402

OUT = "/tmp/ner2/models"


def main() -> None:
    torch.set_num_threads(1)
    data = B.read_klue(B.DATA)
    train = [d for i, d in enumerate(data) if i % 5 != 4]
    all_items = B.to_items(train, True, semantic=True)
    tr = [it for i, it in enumerate(all_items) if i % 10 != 9]
    va = [it for i, it in enumerate(all_items) if i % 10 == 9]
    corpus = [[t.surface for t in toks] for _, toks, _ in tr + va]
    tok = get_tokenizer("mecab")
    with open(B.EXTRA_TEXT, encoding="utf-8") as fh:
        extra = [line.rstrip("\n").split("\t", 1)[-1] for line in fh if line.strip()]
    corpus += [[t.surface for t in tok.tokenize(x)] for x in extra]
    w2v = train_embeddings(corpus, algorithm="word2vec", dim=100, window=5, min_count=1, epochs=10,
                           seed=13, workers=1)
    cw2v = B.char_vectors([t for t, _, _ in tr + va] + extra, B.CHAR_W2V_DIM)
    print("prep done", flush=True)
    for spec in sys.argv[1:]:
        name, seed = spec.split(":")
        params = dict(B.CONFIGS[name])
        cw = cw2v if params.get("_cw2v") else None
        params = {k: v for k, v in params.items() if not k.startswith("_")}
        t0 = time.perf_counter()
        tg = EntityTagger(**{**params, "seed": int(seed)}).fit(
            tr, va, dictionary={}, embeddings=w2v, progress=False,
            **({"char_embeddings": cw} if cw is not None else {}))
        tg.save(f"{OUT}/{name}_{seed}")
        print(spec, "fit", round(time.perf_counter() - t0), "s epochs", len(tg.history_), "best",
              tg.best_epoch_, "valid", round(max(h["valid_f1"] for h in tg.history_), 4), flush=True)


if __name__ == "__main__":
    main()
