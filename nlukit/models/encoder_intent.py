"""The ``transformer`` intent kind: a pretrained encoder from a local folder, fine-tuned.

``[intent] kind = "transformer"`` with ``pretrained = "/models/klue-bert-base"`` (a Hugging Face
model folder, :mod:`nlukit.models.pretrained`): the text's subwords run through the encoder, the
last hidden states are averaged over the text (padding left out), and a linear layer scores the
intents. The encoder learns at ``encoder_lr`` (AdamW), the head at ``lr``; ``freeze_encoder``
trains the head alone. Early stopping, outlier exposure (``oe_ratio``), short forms, calibration
(temperature), ``class_bias`` and the fallback threshold work as for the other kinds: the same
validation data, the same nonsense texts.

:mod:`nlukit.models.intent` only dispatches here (``check_params``, ``fit``, ``predict_logits``,
``save``, ``load``). Saved as ``encoder/`` (the encoder's config and tokenizer) and
``weights.pt`` (encoder and head, read with ``weights_only=True``): a bundle loads without
the folder it was trained from.

Importing this module imports torch; transformers only when an encoder is built.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import ConfigError, ModelError
from . import pretrained as _pretrained

KIND = "transformer"


def check_params(p: dict[str, Any]) -> None:
    """Refuse encoder settings no fit can use (the folder is checked when there is one to use)."""
    for key in ("encoder_lr", "lr"):
        try:
            ok = not isinstance(p[key], bool) and float(p[key]) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigError(f"[intent] {key} must be a positive number, got {p[key]!r}")
    if isinstance(p["encoder_max_len"], bool) or not isinstance(p["encoder_max_len"], int) \
            or not 8 <= p["encoder_max_len"] <= 4096:
        raise ConfigError(f"[intent] encoder_max_len must be an integer from 8 to 4096 (subwords), "
                          f"got {p['encoder_max_len']!r}")
    if not isinstance(p["freeze_encoder"], bool):
        raise ConfigError(f"[intent] freeze_encoder must be true or false, got {p['freeze_encoder']!r}")
    if p["kind"] == KIND and not p["pretrained"]:
        raise ConfigError("[intent] kind = \"transformer\" needs pretrained, the local folder of a Hugging Face "
                          "model (e.g. --set intent.pretrained=/models/klue-bert-base)")


class EncoderNet(nn.Module):
    """Encoder → mean of the last hidden states over the text's subwords → dropout → linear."""

    def __init__(self, encoder: nn.Module, n_labels: int, dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(int(encoder.config.hidden_size), n_labels)

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        mask = batch["attention_mask"]
        hidden = self.encoder(**batch).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.out(self.drop(pooled))


class EncoderIntent:
    """A fitted (or loaded) encoder classifier: tokenizer, network, subword limit, device."""

    def __init__(self, tokenizer: Any, net: EncoderNet, max_len: int, device: Any) -> None:
        self.tokenizer = tokenizer
        self.net = net
        self.max_len = _pretrained.max_positions(net.encoder, max_len)   # not past the encoder's positions
        self.device = device

    def batch(self, texts: list[str]) -> dict[str, torch.Tensor]:
        enc = _pretrained.encode_texts(self.tokenizer, [t if t.strip() else "." for t in texts], self.max_len)
        keep = ("input_ids", "attention_mask", "token_type_ids")
        return {k: v.to(self.device) for k, v in enc.items() if k in keep}

    def logits(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Scores of ``texts`` (in eval mode), batched by length so little padding is computed."""
        n_labels = int(self.net.out.out_features)
        if not texts:
            return np.zeros((0, n_labels), dtype=np.float32)
        was = self.net.training
        self.net.eval()
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), n_labels), dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(texts), batch_size):
                rows = order[b:b + batch_size]
                out[rows] = self.net(self.batch([texts[i] for i in rows])).float().cpu().numpy()
        self.net.train(was)
        return out

    def save(self, folder: str | os.PathLike[str]) -> None:
        from .common import save_state
        _pretrained.save_encoder(Path(folder) / _pretrained.FOLDER, self.tokenizer, self.net.encoder)
        save_state(Path(folder) / "weights.pt", self.net.state_dict())

    @classmethod
    def load(cls, folder: str | os.PathLike[str], n_labels: int, params: dict[str, Any], device: Any
             ) -> EncoderIntent:
        from .common import load_module_state
        tokenizer, encoder = _pretrained.load_encoder(Path(folder) / _pretrained.FOLDER)
        net = EncoderNet(encoder, n_labels, float(params["dropout"]))
        load_module_state(net, Path(folder) / "weights.pt")
        net.to(device).eval()
        return cls(tokenizer, net, int(params["encoder_max_len"]), device)


def fit_encoder(model: Any, train: list, valid: list, labels: list[str], progress: bool,
                init: Any = None) -> Any:
    """Fit ``model`` (an IntentClassifier of kind transformer) on ``(text, tokens, intent)`` rows.
    ``init`` (a fitted one, the model being retrained) starts from its fine-tuned encoder and
    the head rows of the intents it knows, instead of the ``pretrained`` folder."""
    import copy

    from .common import EarlyStopping, choose_device, epoch_bar, index_map, set_seed, torch_threads
    from .intent import _known_chars, _macro_f1, _nll, _nonsense_items, _with_short_forms

    p = model.params
    model.warm_start_ = None
    old = init._encoder if init is not None else None
    gen = set_seed(p["seed"])
    if old is not None:
        tokenizer, encoder = old.tokenizer, copy.deepcopy(old.net.encoder)
    else:
        tokenizer, encoder = _pretrained.load_pretrained(p["pretrained"], "intent.pretrained")
    rng = np.random.default_rng(p["seed"])
    device = choose_device(p["device"])
    with torch_threads(p["threads"]):
        if float(p["short_forms"]) > 0:
            train = _with_short_forms(train, float(p["short_forms"]), np.random.default_rng(int(p["seed"] or 0) + 2))
        lab_index = {name: i for i, name in enumerate(labels)}
        net = EncoderNet(encoder, len(labels), float(p["dropout"])).to(device)
        if old is not None:   # the head rows of the intents the old model knows
            rows = index_map(labels, init.labels_ or [])
            with torch.no_grad():
                for i, j in enumerate(rows):
                    if j >= 0:
                        net.out.weight[i] = old.net.out.weight[j]
                        net.out.bias[i] = old.net.out.bias[j]
            model.warm_start_ = {"encoder": "copied", "intents_copied": sum(j >= 0 for j in rows)}
        if p["freeze_encoder"]:
            net.encoder.requires_grad_(False)
        head = list(net.out.parameters())
        groups = [{"params": head, "lr": float(p["lr"])}]
        if not p["freeze_encoder"]:
            groups.append({"params": list(net.encoder.parameters()), "lr": float(p["encoder_lr"])})
        opt = torch.optim.AdamW(groups, weight_decay=float(p["weight_decay"]))
        state = EncoderIntent(tokenizer, net, int(p["encoder_max_len"]), device)
        model._encoder = state
        model.labels_ = list(labels)
        texts = [t for t, _, _ in train]
        y_tr = np.array([lab_index[r[2]] for r in train], dtype=np.int64)
        va_texts = [t for t, _, _ in valid]
        y_va = np.array([lab_index[r[2]] for r in valid], dtype=np.int64)
        counts = np.bincount(y_tr, minlength=len(labels)).astype(np.float64)
        power = {"none": 0.0, "sqrt": 0.5, "balanced": 1.0}[p["class_weight"]]
        cw = (len(y_tr) / (len(labels) * np.maximum(counts, 1))) ** power
        class_w = torch.tensor(cw / np.sum(cw * counts / len(y_tr)), dtype=torch.float32, device=device)
        chars = _known_chars(train)
        bs = int(p["batch_size"])
        n_oe = max(1, int(round(bs * float(p["oe_ratio"])))) if float(p["oe_ratio"]) > 0 else 0
        stopper = EarlyStopping(patience=int(p["patience"]), mode="max")
        model.history_ = []
        bar = epoch_bar(int(p["epochs"]), progress, f"intent {KIND}")
        for epoch in bar:
            t0 = time.perf_counter()
            net.train()
            order = torch.randperm(len(train), generator=gen).numpy()
            total, seen = 0.0, 0
            for b in range(0, len(order), bs):
                idx = order[b:b + bs]
                batch_texts = [texts[i] for i in idx]
                if n_oe:
                    batch_texts += [t for t, _ in _nonsense_items(min(n_oe, len(idx)), rng, chars)]
                logits = net(state.batch(batch_texts))
                k = len(idx)
                loss = torch.nn.functional.cross_entropy(
                    logits[:k], torch.from_numpy(y_tr[idx]).to(device), weight=class_w if power else None,
                    label_smoothing=float(p["label_smoothing"]))
                if n_oe:
                    loss = loss + float(p["oe_weight"]) * (-torch.log_softmax(logits[k:], dim=1).mean(dim=1)).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * k
                seen += k
            z = state.logits(va_texts)
            pred = z.argmax(1)
            acc, nll = float(np.mean(pred == y_va)), float(_nll(z, y_va, 1.0))
            model.history_.append({"epoch": epoch + 1, "loss": round(total / max(seen, 1), 6),
                                   "valid_loss": round(nll, 6), "valid_acc": round(acc, 6),
                                   "valid_macro_f1": round(_macro_f1(y_va, pred, len(labels)), 6),
                                   "seconds": round(time.perf_counter() - t0, 3)})
            if progress and hasattr(bar, "set_postfix"):
                bar.set_postfix(acc=f"{acc:.4f}", loss=f"{nll:.4f}")
            if stopper.step(acc - 1e-4 * min(nll, 10.0), net, epoch):
                break
        stopper.restore(net)
        net.eval()
        for h in model.history_:
            h["best"] = h["epoch"] == stopper.best_epoch + 1
        n_nonsense, masked_va, rng_oe = model._calibration_outliers(valid, chars)
        oe = [t for t, _ in _nonsense_items(n_nonsense, rng_oe, chars) + masked_va]
        model._calibrate(state.logits(va_texts), y_va, state.logits(oe))
    if not np.isfinite(model.temperature_):
        raise ModelError("the transformer intent model's calibration failed (a non-finite temperature); "
                         "lower intent.encoder_lr or intent.lr")
    return model
