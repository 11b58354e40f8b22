"""Exploration: grid marginals of saved taggers (cached), combinations scored on validation (and test, for the record)."""
import os, sys, time, json, pickle, itertools
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import torch
torch.set_num_threads(1)
from bench import bench_klue_ner as B
from nlukit.models.tagger import EntityTagger

C = "/tmp/ner2/cache"; os.makedirs(C, exist_ok=True)
data = B.read_klue(B.DATA)
train = [d for i, d in enumerate(data) if i % 5 != 4]
test = [d for i, d in enumerate(data) if i % 5 == 4]
tr_raw = [d for i, d in enumerate(train) if i % 10 != 9]
va_raw = [d for i, d in enumerate(train) if i % 10 == 9]
if os.path.exists(C + "/items.pkl"):
    va, te = pickle.load(open(C + "/items.pkl", "rb"))
else:
    va = [(t, k) for t, k, _ in B.to_items(va_raw, True, semantic=True)]
    te = B.to_items(test, False, semantic=True)
    pickle.dump((va, te), open(C + "/items.pkl", "wb"))
vg = [B.grid_of(k) for _, k in va]; tg = [B.grid_of(k) for _, k in te]
vgold = [B.spans_of(t) for _, t in va_raw]; tgold = [B.spans_of(t) for _, t in test]

def get(name):
    f = f"{C}/{name}.pkl"
    if os.path.exists(f):
        return pickle.load(open(f, "rb"))
    if name == "crf":
        (mv, mt), secs = B.crf_marginals(tr_raw, [[t for t, _ in va_raw], [t for t, _ in test]], [vg, tg])
    elif name == "crf_pos":
        trk = [k for _, k, _ in B.to_items(tr_raw, True, semantic=True)]
        (mv, mt), secs = B.crf_marginals(tr_raw, [[t for t, _ in va_raw], [t for t, _ in test]], [vg, tg],
                                         trk, [[k for _, k in va], [k for _, k in te]])
        print("crf_pos fit", secs)
    else:
        m = EntityTagger.load(f"/tmp/ner2/models/{name}")
        mv, mt = B.tagger_marginals(m, va, vg), B.tagger_marginals(m, te, tg)
    pickle.dump((mv, mt), open(f, "wb"))
    return mv, mt

names = sys.argv[1].split(",")
M = {n: get(n) for n in names}
def sc(ws, logm=False):
    v = B.score(vgold, B.decode_grid([M[n][0] for n in names], ws, vg, logm))
    t = B.score(tgold, B.decode_grid([M[n][1] for n in names], ws, tg, logm))
    return v["f1"], t["f1"], t["per_type"]
for n in names:
    ws = [1.0 if x == n else 0.0 for x in names]
    v, t, _ = sc(ws); print(f"{n:40s} valid {v:.4f} test {t:.4f}", flush=True)
grid = [float(x) for x in os.environ.get("NER2_W", "0,0.5,1").split(",")]
res = []
for ws in itertools.product(grid, repeat=len(names)):
    if sum(ws) == 0 or (max(ws) != 1.0): continue
    v, t, pt = sc(ws); res.append((v, t, ws, pt))
    print(" ".join(f"{w:g}" for w in ws), f"valid {v:.4f} test {t:.4f}", flush=True)
res.sort(key=lambda r: -r[0])
print("best on valid:", res[:5])
v, t, _ = sc([1.0] * len(names), True); print("equal, log-mean:", round(v, 4), round(t, 4))
