"""Exploration helper: fit bench configs (name:seed ...) and save each tagger to /tmp/ner2/models."""
import os, sys, time, json
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import torch
torch.set_num_threads(1)
from bench import bench_klue_ner as B
from nlukit.models.tagger import EntityTagger
from nlukit.models.embeddings import train_embeddings
from nlukit.text import get_tokenizer

extra_cfg = json.loads(os.environ.get("NER2_EXTRA", "{}"))
data = B.read_klue(B.DATA)
train = [d for i, d in enumerate(data) if i % 5 != 4]
all_items = B.to_items(train, True, semantic=True)
tr = [it for i, it in enumerate(all_items) if i % 10 != 9]
va = [it for i, it in enumerate(all_items) if i % 10 == 9]
corpus = [[t.surface for t in toks] for _, toks, _ in tr + va]
tok = get_tokenizer("mecab")
extra = [l.rstrip("\n").split("\t", 1)[-1] for l in open(B.EXTRA_TEXT, encoding="utf-8") if l.strip()]
corpus += [[t.surface for t in tok.tokenize(x)] for x in extra]
w2v = train_embeddings(corpus, algorithm="word2vec", dim=100, window=5, min_count=1, epochs=10, seed=13, workers=1)
cw2v = B.char_vectors([t for t, _, _ in tr + va] + extra, B.CHAR_W2V_DIM)
print("prep done", flush=True)
for spec in sys.argv[1:]:
    name, seed = spec.split(":")
    params = {**B.CONFIGS.get(name, {}), **extra_cfg.get(name, {})}
    cw = cw2v if params.get("_cw2v") else None
    params = {k: v for k, v in params.items() if not k.startswith("_")}
    t0 = time.perf_counter()
    tg = EntityTagger(**{**params, "seed": int(seed)}).fit(tr, va, dictionary={}, embeddings=w2v, progress=False,
                                                           **({"char_embeddings": cw} if cw is not None else {}))
    tg.save(f"/tmp/ner2/models/{name}_{seed}")
    print(spec, "fit", round(time.perf_counter() - t0), "s epochs", len(tg.history_), "best", tg.best_epoch_,
          "valid", round(max(h["valid_f1"] for h in tg.history_), 4), flush=True)
