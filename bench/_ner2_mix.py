"""Exploration helper for the mixed ensemble: score weight combinations of saved members.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/_ner2_mix.py \\
        char_w2v_sem_cw2v_bies_13,morpheme_w2v_sem_13,crf_pos,crf

Members are taggers saved by _ner2_fit.py (/tmp/ner2/models/CONFIG_SEED), ``crf`` or
``crf_pos`` (fitted here on the 3,600 training sentences). Their grid posteriors on the
validation and test sentences are cached in /tmp/ner2/cache. Every weight combination
from NER2_W (default 0,0.5,1) is printed with its validation and test F1; choose on
validation only.
"""
import itertools
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import torch  # noqa: E402

from bench import bench_klue_ner as B  # noqa: E402
from nlukit.models.tagger import EntityTagger  # noqa: E402

C = "/tmp/ner2/cache"


def main() -> None:
    torch.set_num_threads(1)
    os.makedirs(C, exist_ok=True)
    data = B.read_klue(B.DATA)
    train = [d for i, d in enumerate(data) if i % 5 != 4]
    test = [d for i, d in enumerate(data) if i % 5 == 4]
    tr_raw = [d for i, d in enumerate(train) if i % 10 != 9]
    va_raw = [d for i, d in enumerate(train) if i % 10 == 9]
    if os.path.exists(C + "/items.pkl"):
        with open(C + "/items.pkl", "rb") as fh:
            va, te = pickle.load(fh)
    else:
        va = [(t, k) for t, k, _ in B.to_items(va_raw, True, semantic=True)]
        te = B.to_items(test, False, semantic=True)
        with open(C + "/items.pkl", "wb") as fh:
            pickle.dump((va, te), fh)
    vg, tg = [B.grid_of(k) for _, k in va], [B.grid_of(k) for _, k in te]
    vgold, tgold = [B.spans_of(t) for _, t in va_raw], [B.spans_of(t) for _, t in test]
    texts = [[t for t, _ in va_raw], [t for t, _ in test]]

    def get(name: str) -> tuple:
        path = f"{C}/{name}.pkl"
        if os.path.exists(path):
            with open(path, "rb") as fh:
                return pickle.load(fh)
        if name == "crf":
            (mv, mt), _ = B.crf_marginals(tr_raw, texts, [vg, tg])
        elif name == "crf_pos":
            trk = [k for _, k, _ in B.to_items(tr_raw, True, semantic=True)]
            (mv, mt), _ = B.crf_marginals(tr_raw, texts, [vg, tg], trk,
                                          [[k for _, k in va], [k for _, k in te]])
        else:
            m = EntityTagger.load(f"/tmp/ner2/models/{name}")
            mv, mt = B.tagger_marginals(m, va, vg), B.tagger_marginals(m, te, tg)
        with open(path, "wb") as fh:
            pickle.dump((mv, mt), fh)
        return mv, mt

    names = sys.argv[1].split(",")
    margs = {n: get(n) for n in names}

    def sc(ws: list[float], log_mean: bool = False) -> tuple[float, float]:
        v = B.score(vgold, B.decode_grid([margs[n][0] for n in names], ws, vg, log_mean))
        t = B.score(tgold, B.decode_grid([margs[n][1] for n in names], ws, tg, log_mean))
        return v["f1"], t["f1"]

    for n in names:
        v, t = sc([1.0 if x == n else 0.0 for x in names])
        print(f"{n:40s} valid {v:.4f} test {t:.4f}", flush=True)
    choices = [float(x) for x in os.environ.get("NER2_W", "0,0.5,1").split(",")]
    for ws in itertools.product(choices, repeat=len(names)):
        if max(ws) == max(choices):
            v, t = sc(list(ws))
            print(" ".join(f"{w:g}" for w in ws), f"valid {v:.4f} test {t:.4f}", flush=True)
    v, t = sc([1.0] * len(names), True)
    print(f"equal weights, mean of logs: valid {v:.4f} test {t:.4f}")


if __name__ == "__main__":
    main()
