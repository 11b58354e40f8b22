"""Intent classifiers: a character CNN (syllables or jamo) and a word CNN over morphemes.

Both share one network: embeddings → parallel 1-D convolutions of several widths →
ReLU → max-pooling over the valid positions (plus, with ``end_pool``, the features of
the last window, because Korean marks a sentence's intent at its end) → dropout →
linear. Padding never changes a result, so a batch scores exactly like one-by-one.

*char_cnn* reads the normalised text character by character (``jamo=True``: each
syllable split into initial, medial and final jamo). Spacing errors are common in
Korean chat; during training each space is dropped with probability
``space_dropout`` so ``서울 날씨`` and ``서울날씨`` look alike to the model.

Users shorten requests by dropping the verb (``강남 맛집 추천해줘`` → ``강남 맛집``,
``아이유 노래 틀어줘`` → ``아이유 노래``), and generated training data rarely does. With
``short_forms`` (default 0.3) that share of the training texts also trains in its
:func:`short_form`, the last word dropped when it is a predicate, with the same intent.
On the demo (3 seeds, bench/bench_natural.py) it took hand-written short requests from
0.836 to 0.868 and the generated test split from 0.956 to 0.961; set it to 0 where the
ending is the class (3i4k's questions and statements). A short form other intents' texts
shorten to too is left out (``내과 예약`` from a cancel and a check).

*word_cnn* reads the morpheme surfaces of the shared tokenizer, embeddings
initialised from :class:`~nlukit.models.embeddings.Embeddings` when given.

*word_rnn* reads the same morphemes with a bidirectional GRU (``rnn_hidden``
units per direction); the attention-pooled states and both final states feed
the linear layer.

*ngram* is a fastText-style bag (Joulin et al., 2017): the character n-grams
(1..``ngram_chars``, the text padded with a space at each end) and the
morpheme/POS n-grams (1..``ngram_words``, e.g. ``까/EF``, with sentence-start and
-end marks) seen at least ``ngram_min_count`` times in training are each given
an ``emb_dim`` vector; the sum of a text's vectors divided by √(number of
features) → dropout → linear. Sparse gradients keep it fast to train on
hundreds of thousands of features; unseen features are skipped.

*nearest* (:mod:`nlukit.models.nearest`) trains nothing: every training sentence is a
TF-IDF vector of its words' character n-grams (1..``nearest_chars``; morpheme/POS
n-grams with ``nearest_words``), and an intent's logit is ``nearest_scale`` × (the best
score of its sentences − ``nearest_floor``, at least 0), a score being the cosine (the
text's unseen features counted in its length: ``nearest_unseen``) × the share of the
text's content morphemes the sentence has (from ``nearest_cover_min`` up) to the power
``nearest_cover``. For a few
sentences per intent (an FAQ); calibrated and thresholded like the others.

*ensemble* trains one model for each entry of ``members`` (each with the
top-level parameters updated by ``member_params[entry]``) and averages their
calibrated probabilities; an entry is a kind, or a kind and a tag
(``ngram@b``) so one kind can serve twice with other parameters (a seed, n-gram
sizes); a temperature and the fallback threshold are then
fitted for the average, as below. With ``combine = "stack"`` a logistic regression
from the members' calibrated log-probabilities to the intents (:func:`_fit_stack`,
fitted on the validation split, pulled towards the members' geometric mean) takes
the average's place; the temperature, class bias and threshold are then fitted on its
out-of-fold scores.

``refit = true`` trains a network again, from scratch and with the same seed, on train
+ valid for the epochs early stopping chose, after the calibration (which it keeps); an
ensemble calibrates on its members' held-out scores first, then refits the members
whose parameters say so.

Out of scope (the fallback). Two mechanisms, both decided on data, never by hand:

1. *Outlier exposure* (Hendrycks et al., 2019): every training batch carries
   ``oe_ratio`` synthetic nonsense inputs — random mixtures of unknown symbols and
   random known symbols (and spaces) — trained towards the uniform distribution,
   so that unseen gibberish such as ``ㅁㄴㅇㄹ asdf ㅋ`` gets a flat, low-confidence
   distribution instead of an arbitrary confident one. A share ``oe_masked`` of them
   are *masked* training texts: every content morpheme (nouns, numerals, verb and
   adjective stems, roots, adverbs, foreign words; :data:`CONTENT_POS`) is replaced
   by random characters and only the request frame stays (``주식 시세 알려줘`` looks
   like ``□□ □□ 알려줘`` to a model trained this way). A frame alone (particles,
   endings, ``알려줘``, ``해줘``) then decides no intent, so an in-vocabulary request
   from outside the domain falls back instead of landing on whichever intent shares
   its ending.
2. *Calibration and threshold*: a temperature is fitted on the validation split
   (minimum NLL), then ``threshold_`` is chosen on the calibrated max-probabilities
   of the correctly classified validation sentences versus a fresh nonsense set
   (different seed; masked validation texts among it): the cut that best separates them (maximises accepted in-scope
   + rejected nonsense) while rejecting at most ``max_reject`` of the correct
   in-scope validation sentences. Pass ``threshold=<float>`` to fix it instead.

>>> IntentClassifier(kind="word_cnn").get_params()["kind"]
'word_cnn'
"""
from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import BundleError, ConfigError, ModelError, NotFittedError
from ..korean import to_jamo
from ..text import TokenColumns
from ..types import Token
from . import nearest as _nearest

if TYPE_CHECKING:  # pragma: no cover
    import torch

    from .embeddings import Embeddings

FORMAT_VERSION = 1
KIND = "intent"

DEFAULTS: dict[str, Any] = {
    "kind": "ensemble",          # "char_cnn" | "word_cnn" | "word_rnn" | "ngram" | "nearest" | "ensemble"
    "jamo": False,               # char_cnn: split syllables into jamo
    "emb_dim": 48,               # char embedding size; word_cnn takes the Embeddings' dim
    "filters": 48,               # convolution filters per kernel width (inference cost ∝ this)
    "kernel_sizes": [2, 3, 4, 5],
    "hidden": 0,                 # optional hidden layer after pooling (0 = none)
    "dropout": 0.3,
    "end_pool": True,            # also read the features of the text's last window
    "space_dropout": 0.3,        # char_cnn augmentation: drop each space with this prob.
    "unk_dropout": 0.03,         # replace a symbol by <unk> with this prob. (robustness)
    "max_len": 150,              # symbols read per text (characters, jamo or morphemes)
    "min_count": 1,              # symbols seen fewer times in training become <unk>
    "freeze_embeddings": False,  # word_cnn: keep the Word2Vec vectors fixed
    "rnn_hidden": 128,           # word_rnn: GRU units per direction
    "word_pos": False,           # word_cnn/word_rnn: read surface/POS units (``까/EF``), vectors from the surface
    "epochs": 15,
    "patience": 3,               # epochs without validation improvement before stopping
    "min_updates": 1,            # fewer batches than this in all the epochs: each epoch goes over
                                 # the data (reshuffled) as many times as it takes. Off (1) for the
                                 # intent model: 400 gave small bots mixed results (the starter
                                 # +0/+2.5/+1.7 points, a 27-example Rasa bot -4.9/0/-12.2;
                                 # bench/bench_small_bots.py), unlike the tagger's
    "lr": 3e-3,
    "weight_decay": 0.0,
    "lr_decay": 1.0,             # learning rate × this after every epoch (1 = constant)
    "label_smoothing": 0.0,      # cross-entropy target smoothing (0 = off)
    "class_weight": "none",      # "none" | "sqrt" | "balanced": up-weight rare intents in the loss
    "batch_size": 128,
    "seed": 13,
    "threshold": None,           # None: chosen on validation data (see module docstring)
    "max_reject": 0.03,          # auto threshold rejects at most this share of valid hits
    "class_bias": "none",        # "none" | "macro_f1": per-intent log-prior shifts fitted on valid
                                 # (after the temperature) to maximise macro-F1; an ensemble fits
                                 # them for its mean, its members only through member_params
    "oe_ratio": 0.25,            # nonsense inputs per real input in a batch (0 = off)
    "oe_weight": 0.5,            # weight of the uniform-target loss on nonsense inputs
    "oe_masked": 0.25,           # share of those inputs that are training texts with their content
                                 # morphemes replaced by random characters (0 = nonsense only)
    "short_forms": 0.3,          # share of training texts also trained in their short form, the
                                 # last word dropped when it is a predicate (강남 맛집 추천해줘 → 강남 맛집)
    "device": None,              # None/"auto": CUDA when present, else CPU
    "threads": None,             # torch threads while fitting/predicting (None: torch's)
    "ngram_chars": 5,            # ngram: character n-grams of length 1..n (0 = none)
    "ngram_words": 3,            # ngram: morpheme/POS n-grams of length 1..n (0 = none)
    "ngram_jamo": 0,             # ngram: also jamo n-grams of length 2..n (0 = none)
    "ngram_ends": 0,             # ngram: also the text's last 1..n characters and last word, marked
                                 # as the end (0 = none): where Korean says what a sentence is
    "ngram_min_count": 2,        # ngram: features seen fewer times in training are dropped
    "nearest_chars": 3,          # nearest: character n-grams of each word, length 1..n (0 = none)
    "nearest_words": 0,          # nearest: morpheme/POS n-grams of length 1..n (0 = none)
    "nearest_scale": 15.0,       # nearest: logit = scale × max(0, score − floor) (models/nearest.py)
    "nearest_floor": 0.05,       # nearest: a score at or below this says nothing
    "nearest_unseen": True,      # nearest: a text's unseen features count in its length (models/nearest.py)
    "nearest_cover": 0.5,        # nearest: score = cosine × (share of the text's content morphemes covered) ** this
    "nearest_cover_min": 0.1,    # nearest: ... the share counted from this up (m + (1 − m) × share)
    "pretrained": "",            # transformer: a local Hugging Face model folder (models/encoder_intent.py)
    "encoder_lr": 3e-5,          # transformer: the encoder's learning rate (the head learns at lr)
    "encoder_max_len": 64,       # transformer: subwords read per text (longer texts are cut)
    "freeze_encoder": False,     # transformer: train the head alone
    "members": ["char_cnn", "word_cnn"],  # ensemble: member kinds (or kind@tag, e.g. ngram@b)
    "refit": False,              # after early stopping and calibration, train the network again on
                                 # train + valid for the epochs early stopping chose (calibration kept;
                                 # char_cnn, word_cnn, word_rnn, ngram; an ensemble: its members)
    "combine": "mean",           # ensemble: "mean" of the members' calibrated probabilities, or "stack":
                                 # a logistic regression on their log-probabilities fitted on valid
                                 # (k-fold within valid for its L2 strength and the calibration)
    "member_params": {},         # ensemble: per-kind overrides, e.g. {char_cnn = {dropout = 0.4}}
}

_KINDS = ("char_cnn", "word_cnn", "word_rnn", "ngram", "nearest", "transformer", "ensemble")
_MEMBER_KINDS = ("char_cnn", "word_cnn", "word_rnn", "ngram", "nearest", "transformer")
_MEMBER_TAG = re.compile(r"[a-z_]+(@\w+)?", re.ASCII)
_WORD_KINDS = ("word_cnn", "word_rnn")  # read the morphemes, vectors from the Embeddings
FOLDED_BLOCK = 256  # rows per call of the folded network at inference
#: added to the folded tables' rows of positions past a text, in the columns of the windows
#: they put past it: any sum holding it is far below every real window's
_PAST = -1e30
FOLD_MAX_FLOATS = 16_000_000  # 64 MB: above it (huge word vocabularies) inference uses the convolutions
_SPACE = " "

TrainItem = tuple[str, Sequence[Token], str]
Item = tuple[str, Sequence[Token]]


def _member_kind(name: str) -> str:
    """The kind of an ensemble entry: ``"ngram@b"`` → ``"ngram"``."""
    return name.split("@", 1)[0]


def ngram_features(text: str, tokens: Sequence[Token] | None, n_chars: int, n_words: int,
                   max_len: int = 150, n_jamo: int = 0, n_ends: int = 0) -> list[str]:
    """The features of the *ngram* kind: character and morpheme/POS n-grams.

    >>> ngram_features("네", [Token("네", "IC", 0, 1)], 2, 2)
    ['c: ', 'c:네', 'c: ', 'c: 네', 'c:네 ', 'w:<s>', 'w:네/IC', 'w:</s>', 'w:<s>|네/IC', 'w:네/IC|</s>']
    """
    out: list[str] = []
    if n_chars > 0:
        t = " " + text[:max_len] + " "
        for n in range(1, n_chars + 1):
            out.extend("c:" + t[i:i + n] for i in range(len(t) - n + 1))
    if n_jamo > 1:
        j = " " + to_jamo(text[:max_len]) + " "
        for n in range(2, n_jamo + 1):
            out.extend("j:" + j[i:i + n] for i in range(len(j) - n + 1))
    if n_words > 0:
        if tokens is None:
            raise ModelError("the ngram kind with ngram_words > 0 needs the tokens of each text; "
                             "pass (text, tokens) pairs or set ngram_words = 0")
        m = ["<s>"] + [f"{tok.surface}/{tok.pos}" for tok in tokens[:max_len]] + ["</s>"]
        for n in range(1, n_words + 1):
            out.extend("w:" + "|".join(m[i:i + n]) for i in range(len(m) - n + 1))
    if n_ends > 0:   # the end of the text, wherever its length puts it: "e:" + last n characters
        words = text.split()
        if words:
            last = "".join(words)[-n_ends:]
            out.extend("e:" + last[-n:] for n in range(1, len(last) + 1))
            out.append("E:" + words[-1])
    return out


def _macro_f1(gold: np.ndarray, pred: np.ndarray, n: int) -> float:
    f1s = []
    for c in range(n):
        tp = int(np.sum((pred == c) & (gold == c)))
        fp = int(np.sum((pred == c) & (gold != c)))
        fn = int(np.sum((pred != c) & (gold == c)))
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def _build_bag_net(n_vocab: int, n_labels: int, p: dict[str, Any], emb_dim: int) -> torch.nn.Module:
    import torch
    from torch import nn

    class IntentBag(nn.Module):
        """Sum of feature vectors / sqrt(count) → dropout → (hidden) → linear."""

        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(n_vocab, emb_dim, padding_idx=0, sparse=True)
            with torch.no_grad():
                self.embed.weight.normal_(0.0, 0.05)
                self.embed.weight[0].zero_()
            self.dropout = nn.Dropout(float(p["dropout"]))
            hidden = int(p["hidden"])
            self.hidden = nn.Linear(emb_dim, hidden) if hidden > 0 else None
            self.out = nn.Linear(hidden if hidden > 0 else emb_dim, n_labels)

        def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            z = self.embed(x).sum(dim=1) / lengths.to(torch.float32).sqrt().unsqueeze(1)
            z = self.dropout(z)
            if self.hidden is not None:
                z = self.dropout(torch.relu(self.hidden(z)))
            return self.out(z)

        def fold(self) -> None:
            return None  # nothing to fold: a bag is already a lookup

    return IntentBag()


def _build_rnn_net(n_vocab: int, n_labels: int, p: dict[str, Any], emb_dim: int) -> torch.nn.Module:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    class IntentRNN(nn.Module):
        """Embeddings → BiGRU → [attention-pooled states; final states] → dropout → linear."""

        def __init__(self) -> None:
            super().__init__()
            h = int(p["rnn_hidden"])
            self.embed = nn.Embedding(n_vocab, emb_dim, padding_idx=0)
            self.rnn = nn.GRU(emb_dim, h, batch_first=True, bidirectional=True)
            self.att = nn.Linear(2 * h, 1)
            self.dropout = nn.Dropout(float(p["dropout"]))
            hidden = int(p["hidden"])
            self.hidden = nn.Linear(4 * h, hidden) if hidden > 0 else None
            self.out = nn.Linear(hidden if hidden > 0 else 4 * h, n_labels)

        def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            e = self.embed(x)
            packed = pack_padded_sequence(e, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, hn = self.rnn(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            score = self.att(out).squeeze(2)
            pos = torch.arange(x.shape[1], device=x.device)
            score = score.masked_fill(pos[None, :] >= lengths[:, None], float("-inf"))
            pooled = (torch.softmax(score, dim=1).unsqueeze(2) * out).sum(dim=1)
            z = self.dropout(torch.cat([pooled, hn[0], hn[1]], dim=1))
            if self.hidden is not None:
                z = self.dropout(torch.relu(self.hidden(z)))
            return self.out(z)

        def fold(self) -> None:
            return None  # no lookup-table shortcut for a recurrent network

    return IntentRNN()


def _build_net(n_vocab: int, n_labels: int, p: dict[str, Any], emb_dim: int) -> torch.nn.Module:
    import torch
    from torch import nn

    if p["kind"] == "ngram":
        return _build_bag_net(n_vocab, n_labels, p, emb_dim)
    if p["kind"] == "word_rnn":
        return _build_rnn_net(n_vocab, n_labels, p, emb_dim)

    class IntentCNN(nn.Module):
        """Embeddings → multi-width Conv1d → masked max (+ last window) → linear."""

        def __init__(self) -> None:
            super().__init__()
            self.kernel_sizes = [int(k) for k in p["kernel_sizes"]]
            self.end_pool = bool(p["end_pool"])
            self.embed = nn.Embedding(n_vocab, emb_dim, padding_idx=0)
            self.convs = nn.ModuleList(nn.Conv1d(emb_dim, int(p["filters"]), k)
                                       for k in self.kernel_sizes)
            width = int(p["filters"]) * len(self.kernel_sizes) * (2 if self.end_pool else 1)
            self.dropout = nn.Dropout(float(p["dropout"]))
            hidden = int(p["hidden"])
            self.hidden = nn.Linear(width, hidden) if hidden > 0 else None
            self.out = nn.Linear(hidden if hidden > 0 else width, n_labels)

        def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            e = self.embed(x).transpose(1, 2)  # B × E × L
            feats = []
            for k, conv in zip(self.kernel_sizes, self.convs, strict=True):
                h = torch.relu(conv(e))  # B × F × (L-k+1)
                n_valid = torch.clamp(lengths - k + 1, min=1)  # windows inside the text
                pos = torch.arange(h.shape[2], device=h.device)
                mask = (pos[None, :] < n_valid[:, None]).unsqueeze(1)
                feats.append((h * mask).amax(dim=2))
                if self.end_pool:
                    idx = (n_valid - 1).view(-1, 1, 1).expand(-1, h.shape[1], 1)
                    feats.append(h.gather(2, idx).squeeze(2))
            z = self.dropout(torch.cat(feats, dim=1))
            return self.head(z)

        def head(self, z: torch.Tensor) -> torch.Tensor:
            if self.hidden is not None:
                z = self.dropout(torch.relu(self.hidden(z)))
            return self.out(z)

        @torch.no_grad()
        def fold(self) -> Any:
            """A faster, inference-only equivalent (see :class:`_Folded`), or None if too big."""
            n_vocab, k_max = self.embed.weight.shape[0], max(self.kernel_sizes)
            width = sum(c.out_channels for c in self.convs)
            if n_vocab * k_max * width > FOLD_MAX_FLOATS:
                return None
            emb = self.embed.weight.float()
            blocks = []
            for j in range(k_max):  # offset j inside a window: one V × F_total table
                blocks.append(torch.cat([
                    emb @ conv.weight[:, :, j].T if j < k else emb.new_zeros(n_vocab, conv.out_channels)
                    for k, conv in zip(self.kernel_sizes, self.convs, strict=True)], dim=1))
            # every window has an offset 0: the biases ride on that table
            blocks[0] = blocks[0] + torch.cat([c.bias for c in self.convs])[None, :]
            # after each block's vocabulary, the rows of positions past a row's length (see
            # _Folded.padded): padding's own row (id 0's), plus PAST in the columns of each
            # kernel whose window at that offset is past the text, so the max passes it by
            extra = 1 + k_max * k_max
            for j in range(k_max):
                rows = blocks[j][0].repeat(extra, 1)
                col = 0
                for k, conv in zip(self.kernel_sizes, self.convs, strict=True):
                    f = conv.out_channels
                    if j < k:
                        for r in range(extra):
                            # row 0: a position k_max or more along; row 1 + L * k_max + p:
                            # position p < k_max of a text of L < k_max units, inside the one
                            # window such a text has (the first) when L < k and p == j
                            short, at = divmod(r - 1, k_max)
                            if r == 0 or not (short < k and at == j):
                                rows[r, col:col + f] += _PAST
                    col += f
                blocks[j] = torch.cat([blocks[j], rows])
            return _Folded(self, torch.cat(blocks).contiguous())

    class _Folded:
        """Embedding + convolution folded into per-offset lookup tables.

        A convolution over embeddings is a sum over window offsets ``j`` of
        ``W_j · emb[x[t+j]]``; precomputing ``W_j · emb`` for the whole vocabulary
        turns it into one ``embedding_bag`` sum per position: no multiplications at
        inference, same result up to float rounding (≈1e-6).
        """

        def __init__(self, net: IntentCNN, table: torch.Tensor) -> None:
            self.net, self.table = net, table
            self.ks = torch.tensor(net.kernel_sizes)
            self.k_max = max(net.kernel_sizes)
            self.n_vocab = net.embed.weight.shape[0]
            self.filters = net.convs[0].out_channels
            self.offsets = torch.arange(self.k_max) * (table.shape[0] // self.k_max)

        def padded(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
            """The ids of ``x`` (B × W, ``lengths`` at least 1) with ``k_max - 1`` more columns, the
            positions past each row's length holding the ids of :meth:`IntentCNN.fold`'s rows
            after the vocabulary: ``n_vocab`` at ``k_max`` or more along, ``n_vocab + 1 +
            L * k_max + p`` at a position ``p < k_max`` of a row of length ``L < k_max``."""
            b, w = x.shape
            k = self.k_max
            lens = lengths[:, None]
            pos = np.arange(w + k - 1)[None, :]
            xp = np.full((b, w + k - 1), self.n_vocab, dtype=np.int64)
            xp[:, :w] = x
            xp[pos >= lens] = self.n_vocab
            first = pos[:, :k]
            short = (first >= lens) & (lens < k)
            np.copyto(xp[:, :k], lens * k + first + (self.n_vocab + 1), where=short)
            return xp

        def __call__(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            import torch.nn.functional as nnf
            b, length = x.shape
            nk, f = len(self.ks), self.filters
            lens = lengths.numpy()
            xp = torch.from_numpy(self.padded(x.numpy(), lens))
            idx = xp.unfold(1, self.k_max, 1) + self.offsets  # B × L × K
            h = nnf.embedding_bag(idx.reshape(-1, self.k_max), self.table, mode="sum")
            h = h.view(b, length, nk, f)
            # the max over each row's valid windows, then the ReLU (on B × nk × F, not on
            # every window): a window past the text holds _PAST in its sums (the rows of the
            # ids padded() gives), below any real one, so the max over all windows is the max
            # over the valid ones, and relu(max) the network's max of ReLU-then-mask exactly
            feats = [h.amax(dim=1).relu_()]   # B × nk × F
            if self.net.end_pool:
                # each kernel's last window: rows of h read by flat index (a gather along
                # the length with an expanded index costs several times more)
                # (the indices in NumPy: a few small operations, each several times cheaper there)
                n_valid = np.maximum(lens[:, None] - self.ks.numpy()[None, :] + 1, 1)   # B × nk
                at = (np.arange(b)[:, None] * length + (n_valid - 1)) * nk + np.arange(nk)[None, :]
                feats.append(h.reshape(b * length * nk, f).index_select(0, torch.from_numpy(at.reshape(-1)))
                             .view(b, nk, f).relu_())
            z = torch.stack(feats, dim=2).reshape(b, -1)  # per kernel: max, then last window
            return self.net.head(z)

        def one(self, x: np.ndarray, length: int) -> np.ndarray:
            """:meth:`__call__` for one row, in NumPy: what a single parse runs, where
            torch's cost per call would be most of the time (about 4x less here)."""
            if not hasattr(self, "_np"):
                net = self.net
                layers = [(m.weight.detach().numpy().T, m.bias.detach().numpy())
                          for m in (net.hidden, net.out) if m is not None]
                self._np = (self.table.numpy(), self.ks.numpy(), self.offsets.numpy(), layers)
            table, ks, offsets, layers = self._np
            width, k_max = len(x), self.k_max
            xp = np.zeros(width + k_max - 1, dtype=np.int64)
            xp[:width] = x
            idx = xp[np.arange(width)[:, None] + np.arange(k_max)] + offsets     # L × K windows
            h = table[idx].sum(axis=1).reshape(width, len(ks), self.filters)
            np.maximum(h, 0.0, out=h)
            n_valid = np.maximum(length - ks + 1, 1)                              # per kernel
            h *= (np.arange(width)[:, None] < n_valid[None, :])[:, :, None]
            feats = [h.max(axis=0)]
            if self.net.end_pool:
                feats.append(h[n_valid - 1, np.arange(len(ks))])
            z = np.stack(feats, axis=1).reshape(-1)
            for i, (w, bias) in enumerate(layers):
                z = z @ w + bias
                if i < len(layers) - 1:
                    z = np.maximum(z, 0.0)
            return z[None, :]

    return IntentCNN()


class IntentClassifier:
    """A CNN intent classifier with calibrated probabilities and a fallback threshold.

    Fitted attributes: ``labels_``, ``threshold_``, ``temperature_``, ``history_``,
    ``vocab_``. See the module docstring for the design.
    """

    def __init__(self, **params: Any) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise ConfigError(f"unknown [intent] parameter(s) {sorted(unknown)}; "
                              f"known: {', '.join(sorted(DEFAULTS))}")
        self.params: dict[str, Any] = {**DEFAULTS, **params}
        self.labels_: list[str] | None = None
        self.threshold_: float | None = None
        self.temperature_: float = 1.0
        self.bias_: np.ndarray | None = None  # class_bias: added to logits / temperature
        self.stack_: tuple[np.ndarray, np.ndarray] | None = None  # combine = "stack": weights, bias
        self.stack_info_: dict[str, Any] = {}  # combine = "stack": the L2 strength and CV scores
        self._fixed_epochs: int | None = None  # refit's second run: this many epochs, no validation
        self.history_: list[dict[str, Any]] = []
        self.vocab_: Any = None
        self._net: Any = None
        self._lookup: np.ndarray | None = None
        self._device: Any = None
        self._folded: Any = None  # inference tables, rebuilt after fit/load
        self.members_: list[IntentClassifier] = []  # the fitted members of an ensemble
        self.warm_start_: dict[str, Any] | None = None  # what fit(init=...) copied
        self._nearest: Any = None  # kind nearest: the fitted NearestIndex (models/nearest.py)
        self._encoder: Any = None  # kind transformer: the EncoderIntent (models/encoder_intent.py)

    # ------------------------------------------------------------------ params
    def get_params(self) -> dict[str, Any]:
        return dict(self.params)

    def check_params(self, folders: bool = True) -> dict[str, Any]:
        """Refuse settings no fit can use, naming the setting; the checked parameters.
        ``folders=False`` leaves out the ``pretrained`` folder (a saved model has its own copy)."""
        from .common import check_training_params

        p = self.params
        if p["kind"] not in _KINDS:
            raise ConfigError(f"[intent] kind {p['kind']!r} is unknown; use one of {', '.join(_KINDS)}")
        ks = p["kernel_sizes"]
        if not isinstance(ks, (list, tuple)) or not ks or not all(isinstance(k, int) and k >= 1 for k in ks):
            raise ConfigError(f"[intent] kernel_sizes must be a non-empty list of positive ints, got {ks!r}")
        check_training_params(p, "intent", ("emb_dim", "filters", "epochs", "batch_size", "max_len",
                                            "rnn_hidden", "min_updates"), ConfigError)
        for key in ("dropout", "space_dropout", "unk_dropout", "max_reject", "label_smoothing",
                    "short_forms"):
            if not 0.0 <= float(p[key]) < 1.0:
                raise ConfigError(f"[intent] {key} must be in [0, 1), got {p[key]!r}")
        for key in ("ngram_chars", "ngram_words", "ngram_jamo", "ngram_ends", "ngram_min_count"):
            if not isinstance(p[key], int) or p[key] < 0:
                raise ConfigError(f"[intent] {key} must be a non-negative integer, got {p[key]!r}")
        if p["kind"] == "ngram" and p["ngram_chars"] == 0 and p["ngram_words"] == 0:
            raise ConfigError("[intent] the ngram kind needs ngram_chars > 0 or ngram_words > 0")
        _nearest.check_params(p)
        if p["kind"] == "ensemble":
            members = p["members"]
            if (not isinstance(members, (list, tuple)) or not members
                    or any(not isinstance(m, str) or _member_kind(m) not in _MEMBER_KINDS
                           or not _MEMBER_TAG.fullmatch(m) for m in members)
                    or len(set(members)) != len(members)):
                raise ConfigError(f"[intent] members must be a non-empty list of distinct kinds from "
                                  f"{', '.join(_MEMBER_KINDS)} (or kind@tag, tag of letters, digits "
                                  f"and _), got {members!r}")
            mp = p["member_params"]
            if not isinstance(mp, dict) or any(k not in members or not isinstance(v, dict)
                                               for k, v in mp.items()):
                raise ConfigError(f"[intent] member_params must map member kinds to tables of "
                                  f"parameters, got {mp!r}")
            for kind, over in mp.items():
                bad = set(over) - set(DEFAULTS) | ({"kind", "members", "member_params", "combine"} & set(over))
                if bad:
                    raise ConfigError(f"[intent] member_params.{kind}: unknown or not allowed "
                                      f"parameter(s) {sorted(bad)}")
        for q in [p] + ([self._member_params(m) for m in p["members"]] if p["kind"] == "ensemble" else []):
            if q["kind"] == "transformer":   # its folder too, before any training
                from . import encoder_intent, pretrained
                encoder_intent.check_params(q)
                if folders:
                    pretrained.check_folder(q["pretrained"], "intent.pretrained")
        if not isinstance(p["refit"], bool):
            raise ConfigError(f"[intent] refit must be true or false, got {p['refit']!r}")
        if p["combine"] not in ("mean", "stack"):
            raise ConfigError(f"[intent] combine must be 'mean' or 'stack', got {p['combine']!r}")
        if p["class_bias"] not in ("none", "macro_f1"):
            raise ConfigError(f"[intent] class_bias must be 'none' or 'macro_f1', got {p['class_bias']!r}")
        if not 0.0 <= float(p["oe_masked"]) <= 1.0:
            raise ConfigError(f"[intent] oe_masked must be in [0, 1], got {p['oe_masked']!r}")
        if p["class_weight"] not in ("none", "sqrt", "balanced"):
            raise ConfigError(f"[intent] class_weight must be 'none', 'sqrt' or 'balanced', "
                              f"got {p['class_weight']!r}")
        t = p["threshold"]
        try:
            bad_threshold = t is not None and (isinstance(t, bool) or not 0.0 <= float(t) <= 1.0)
        except (TypeError, ValueError):  # e.g. --set intent.threshold=abc arrives as a str
            bad_threshold = True
        if bad_threshold:
            raise ConfigError(f"[intent] threshold must be in [0, 1] or unset, got {t!r}")
        return p

    # ------------------------------------------------------------------ encoding
    def _units(self, text: str, tokens: Sequence[Token] | None) -> list[str] | str:
        if self.params["kind"] in _WORD_KINDS:
            if tokens is None:
                raise ModelError("word_cnn needs the tokens of each text; pass (text, tokens) pairs")
            if self.params["word_pos"]:
                return [f"{t.surface}/{t.pos}" for t in tokens]
            return [t.surface for t in tokens]
        if self.params["kind"] == "ngram":
            return self._features(text, tokens)
        return to_jamo(text) if self.params["jamo"] else text

    def _features(self, text: str, tokens: Sequence[Token] | None) -> list[str]:
        p = self.params
        if not isinstance(text, str):
            _bad_text(text)
        return ngram_features(text, tokens, int(p["ngram_chars"]), int(p["ngram_words"]), int(p["max_len"]),
                              int(p["ngram_jamo"]), int(p["ngram_ends"]))

    def _encode(self, items: Sequence[Item]) -> tuple[np.ndarray, np.ndarray]:
        """Index matrix (n × width, 0-padded) and lengths; vectorised for characters."""
        max_len = int(self.params["max_len"])
        min_len = max(int(k) for k in self.params["kernel_sizes"])
        n = len(items)
        if self.params["kind"] in (*_WORD_KINDS, "ngram"):
            get = self.vocab_.stoi.get
            if self.params["kind"] == "ngram":  # unseen features are skipped; none at all → <unk>
                rows: list[list[int]] | None = [[i for i in map(get, self._units(t, toks)) if i is not None] or [1]
                        for t, toks in items]
            elif self.params["word_pos"]:  # morpheme/POS, unseen → <unk>
                rows = [[get(u, 1) for u in self._units(t, toks)[:max_len]] for t, toks in items]
            else:  # morphemes, unseen → <unk>: one flat list, no list per row
                if all(type(toks) is TokenColumns for _, toks in items):   # a batch parse's: the surfaces
                    # (their lists' lengths: TokenColumns.__len__ is a Python call) looked up in one map
                    words = [toks.surfaces if len(toks.surfaces) <= max_len else toks.surfaces[:max_len]
                             for _, toks in items]
                    lens = np.fromiter(map(len, words), dtype=np.int64, count=n)
                    flat = np.fromiter(map(get, chain.from_iterable(words), repeat(1)), dtype=np.int64,
                                       count=int(lens.sum()))
                else:
                    if any(toks is None for _, toks in items):
                        raise ModelError("word_cnn needs the tokens of each text; pass (text, tokens) pairs")
                    sizes = [min(len(toks), max_len) for _, toks in items]
                    ids = [get(tok[0], 1) for _, toks in items
                           for tok in (toks if len(toks) <= max_len else toks[:max_len])]
                    lens = np.array(sizes, dtype=np.int64).reshape(n)
                    flat = np.array(ids, dtype=np.int64).reshape(len(ids))
                rows = None
            if rows is not None:
                lens = np.fromiter((len(r) for r in rows), dtype=np.int64, count=n)
                flat = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lens.sum()))
        else:
            texts = [t if isinstance(t, str) else _bad_text(t) for t, _ in items]
            if self.params["jamo"]:
                texts = [to_jamo(t) for t in texts]
            texts = [t[:max_len] for t in texts]
            lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=n)
            codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
            lookup = self._lookup
            assert lookup is not None
            flat = np.where(codes < len(lookup), lookup[np.minimum(codes, len(lookup) - 1)], 1)
        width = max(int(lens.max()) if n else 0, min_len)
        out = np.zeros((n, width), dtype=np.int64)
        if flat.size:
            row = np.repeat(np.arange(n), lens)
            starts = np.repeat(np.cumsum(lens) - lens, lens)
            out[row, np.arange(flat.size) - starts] = flat
        return out, np.maximum(lens, 1)

    def _build_lookup(self) -> None:
        """Code point → index table for the character vocabulary (BMP and beyond)."""
        if self.params["kind"] != "char_cnn":
            self._lookup = None
            return
        top = max([ord(c) for c in self.vocab_.itos[2:] if len(c) == 1] + [0xFFFF]) + 1
        table = np.ones(top, dtype=np.int64)
        for i, c in enumerate(self.vocab_.itos[2:], start=2):
            if len(c) == 1:
                table[ord(c)] = i
        self._lookup = table

    # ------------------------------------------------------------------ fit
    def fit(self, train: Sequence[TrainItem], valid: Sequence[TrainItem] = (),
            embeddings: Embeddings | None = None, progress: bool = True,
            init: IntentClassifier | None = None) -> IntentClassifier:
        """Train on ``(normalised text, tokens, intent)`` triples; return ``self``.

        Without validation data the training set stands in for early stopping,
        calibration and the threshold (then over-confident): give a valid split.

        ``init`` (a fitted classifier of the same kind, e.g. the model being retrained)
        warm-starts the network: the vocabulary grows from ``init``'s (its symbols keep
        their indices, new ones follow), every row of a known symbol or intent and every
        other weight of the same shape is copied, and new rows keep the usual
        initialisation (Word2Vec vectors for new morphemes). Intents are those of
        ``train``, as always. Then training runs as usual, early stopping included;
        ``warm_start_`` records what was copied.
        """
        import torch

        from .common import (
            EarlyStopping,
            Vocab,
            choose_device,
            epoch_bar,
            grow_vocab,
            index_map,
            passes_per_epoch,
            set_seed,
            torch_threads,
            warm_init,
            warm_start,
        )

        p = self.check_params(folders=init is None)
        train = list(train)
        valid = list(valid)
        given = (list(train), list(valid))  # what refit trains on again
        if not train:
            raise ModelError("cannot fit an intent classifier on no examples; generate a dataset first")
        for name, rows in (("train", train), ("valid", valid)):
            for i, row in enumerate(rows):
                if not (isinstance(row, (tuple, list)) and len(row) == 3 and isinstance(row[0], str)
                        and isinstance(row[2], str)):
                    raise ModelError(f"{name}[{i}] must be a (text, tokens, intent) tuple, got {row!r:.80}")
        labels = sorted({r[2] for r in train})
        if len(labels) < 2:
            raise ModelError(f"an intent classifier needs at least 2 intents, the training data has "
                             f"{labels}; add patterns for more intents")
        unknown = sorted({r[2] for r in valid} - set(labels))
        if unknown:
            raise ModelError(f"validation intents {unknown} never occur in the training data; "
                             "regenerate the dataset so every intent is in train")
        if p["kind"] == "nearest":  # no training: every sentence is kept (models/nearest.py)
            return _nearest.fit_nearest(self, train, valid, labels)
        if not valid:
            valid = train
        init = warm_init(init, p, "kind", "intent model")
        self.warm_start_ = None
        if p["kind"] == "transformer":   # a pretrained encoder, fine-tuned (models/encoder_intent.py)
            from .encoder_intent import fit_encoder
            return fit_encoder(self, train, valid, labels, progress, init)
        if p["kind"] == "ensemble":
            return self._fit_ensemble(train, valid, embeddings, progress, init, refit=bool(given[1]))
        word = p["kind"] in _WORD_KINDS
        bag = p["kind"] == "ngram"

        gen = set_seed(p["seed"])
        rng = np.random.default_rng(p["seed"])
        device = choose_device(p["device"])
        with torch_threads(p["threads"]):
            if float(p["short_forms"]) > 0:
                train = _with_short_forms(train, float(p["short_forms"]),
                                          np.random.default_rng(int(p["seed"] or 0) + 2))
            # vocabulary
            units = [self._units(t, toks) for t, toks, _ in train]
            extra: list[str] = (list(embeddings.vocab) if (word and embeddings is not None
                                                             and not p["word_pos"]) else [])
            self.vocab_ = Vocab.build(units, min_count=int(p["ngram_min_count" if bag else "min_count"]),
                                      extra=extra)
            if init is not None:
                self.vocab_ = grow_vocab(init.vocab_, self.vocab_)
            self._build_lookup()
            self.labels_ = labels
            lab_index = {name: i for i, name in enumerate(labels)}
            emb_dim = embeddings.dim if (word and embeddings is not None) else int(p["emb_dim"])
            net = _build_net(len(self.vocab_), len(labels), p, emb_dim).to(device)
            if word and embeddings is not None:
                with torch.no_grad():
                    w = net.embed.weight
                    for i, tok in enumerate(self.vocab_.itos[2:], start=2):
                        v = embeddings.vector(tok.rsplit("/", 1)[0] if p["word_pos"] else tok)
                        if v is not None:
                            w[i] = torch.from_numpy(np.asarray(v, dtype=np.float32))
                if p["freeze_embeddings"]:
                    net.embed.weight.requires_grad_(False)
            if init is not None:
                rows = index_map(labels, init.labels_ or [])
                self.warm_start_ = warm_start(net, init._net.state_dict(), {
                    "embed.weight": {0: index_map(self.vocab_.itos, init.vocab_.itos)},
                    "out.weight": {0: rows}, "out.bias": {0: rows}})
            self._net = net
            self._folded = None

            x_tr, len_tr = self._encode([(t, toks) for t, toks, _ in train])
            y_tr = np.array([lab_index[r[2]] for r in train], dtype=np.int64)
            x_va, len_va = self._encode([(t, toks) for t, toks, _ in valid])
            y_va = np.array([lab_index[r[2]] for r in valid], dtype=np.int64)
            space_id = self.vocab_.stoi.get(_SPACE) if not (word or bag) else None
            chars = _known_chars(train)
            masked = (_masked_items([(t, toks) for t, toks, _ in train], len(train), rng, chars)
                      if float(p["oe_ratio"]) > 0 and float(p["oe_masked"]) > 0 else [])
            x_mask, len_mask = self._encode(masked) if masked else (None, None)

            counts = np.bincount(y_tr, minlength=len(labels)).astype(np.float64)
            power = {"none": 0.0, "sqrt": 0.5, "balanced": 1.0}[p["class_weight"]]
            cw = (len(y_tr) / (len(labels) * np.maximum(counts, 1))) ** power
            class_w = torch.tensor(cw / np.sum(cw * counts / len(y_tr)), dtype=torch.float32, device=device)
            params = [q for q in net.parameters() if q.requires_grad]
            sparse_opt = None
            if bag:  # sparse gradients for the big feature table, Adam for the rest
                table = net.get_parameter("embed.weight")
                params = [q for q in params if q is not table]
                sparse_opt = torch.optim.SparseAdam([table], lr=float(p["lr"]))
            opt = torch.optim.Adam(params, lr=float(p["lr"]), weight_decay=float(p["weight_decay"]))
            stopper = EarlyStopping(patience=int(p["patience"]), mode="max")
            self.history_ = []
            bs = int(p["batch_size"])
            min_len = max(int(k) for k in p["kernel_sizes"])
            n_oe = int(round(bs * float(p["oe_ratio"])))

            def validate() -> tuple[float, float, dict[str, float]]:
                """Early-stopping score (accuracy first; the NLL only breaks ties between
                equally accurate epochs), accuracy, and the history's validation fields."""
                logits = self._logits(x_va, len_va, device)
                pred = logits.argmax(1)
                acc, nll = float(np.mean(pred == y_va)), float(_nll(logits, y_va, 1.0))
                return acc - 1e-4 * min(nll, 10.0), nll, {
                    "valid_loss": round(nll, 6), "valid_acc": round(acc, 6),
                    "valid_macro_f1": round(_macro_f1(y_va, pred, len(labels)), 6)}

            if init is not None:
                # the warm-started network is a candidate too (epoch 0): when no epoch of
                # training beats the old weights on validation, they are what is kept
                score, _, fields = validate()
                self.history_.append({"epoch": 0, "warm_start": True, **fields})
                stopper.step(score, net, -1)
            reps = passes_per_epoch(len(train), bs, int(p["epochs"]), int(p["min_updates"]))
            fixed = self._fixed_epochs
            bar = epoch_bar(fixed or int(p["epochs"]), progress, f"intent {p['kind']}")
            for epoch in bar:
                t0 = time.perf_counter()
                net.train()
                order = np.concatenate([torch.randperm(len(train), generator=gen).numpy()
                                        for _ in range(reps)])
                total, seen = 0.0, 0
                for b in range(0, len(order), bs):
                    idx = order[b:b + bs]
                    lb = len_tr[idx]  # trim the batch to its longest text: no wasted padding
                    xb = x_tr[idx][:, :max(int(lb.max()), min_len)]
                    xb, lb = self._augment(xb, lb, rng, space_id)
                    if n_oe:
                        n_b = max(1, int(round(len(idx) * float(p["oe_ratio"]))))
                        n_m = int(rng.binomial(n_b, float(p["oe_masked"]))) if x_mask is not None else 0
                        if n_b > n_m:
                            xo, lo = self._nonsense(n_b - n_m, rng)
                            xb, lb = _stack(xb, lb, xo, lo)
                        if n_m:
                            pick = rng.integers(len(len_mask), size=n_m)
                            xm, lm = x_mask[pick], len_mask[pick]
                            xb, lb = _stack(xb, lb, xm[:, :max(int(lm.max()), min_len)], lm)
                    xt = torch.from_numpy(xb).to(device)
                    lt = torch.from_numpy(lb).to(device)
                    logits = net(xt, lt)
                    k = len(idx)
                    loss = torch.nn.functional.cross_entropy(
                        logits[:k], torch.from_numpy(y_tr[idx]).to(device),
                        weight=class_w if power else None, label_smoothing=float(p["label_smoothing"]))
                    if n_oe:
                        lsm = torch.log_softmax(logits[k:], dim=1)
                        loss = loss + float(p["oe_weight"]) * (-lsm.mean(dim=1)).mean()
                    opt.zero_grad()
                    if sparse_opt is not None:
                        sparse_opt.zero_grad()
                    loss.backward()
                    opt.step()
                    if sparse_opt is not None:
                        sparse_opt.step()
                    total += float(loss.detach()) * k
                    seen += k
                if float(p["lr_decay"]) != 1.0:
                    for o in (opt, sparse_opt):
                        for group in (o.param_groups if o is not None else []):
                            group["lr"] *= float(p["lr_decay"])
                if fixed:   # refit's run: no validation data left out, every epoch is kept
                    self.history_.append({"epoch": epoch + 1, "refit": True, "loss": round(total / max(seen, 1), 6),
                                          "seconds": round(time.perf_counter() - t0, 3)})
                    continue
                score, nll, fields = validate()
                self.history_.append({"epoch": epoch + 1, "loss": round(total / max(seen, 1), 6), **fields,
                                      "seconds": round(time.perf_counter() - t0, 3)})
                if progress and hasattr(bar, "set_postfix"):
                    bar.set_postfix(acc=f"{fields['valid_acc']:.4f}", loss=f"{nll:.4f}")
                if stopper.step(score, net, epoch):
                    break
            net.eval()
            if fixed:
                self._device = device
                return self
            stopper.restore(net)
            net.eval()
            for h in self.history_:
                h["best"] = h["epoch"] == stopper.best_epoch + 1

            # calibration and threshold on validation data
            logits_va = self._logits(x_va, len_va, device)
            n_nonsense, masked_va, rng_oe = self._calibration_outliers(valid, chars)
            parts = [self._nonsense(n_nonsense, rng_oe)] if n_nonsense else []
            if masked_va:
                parts.append(self._encode(masked_va))
            logits_oe = np.concatenate([self._logits(x, lens, device) for x, lens in parts])
            self._calibrate(logits_va, y_va, logits_oe)
        self._device = device
        if p["refit"] and given[1]:
            self._refit(*given, embeddings, progress)
        return self

    def _refit(self, train: list, valid: list, embeddings: Embeddings | None, progress: bool) -> None:
        """``refit``: a fresh network of the same settings (seed included) trained on ``train +
        valid`` for the epochs early stopping chose, in place of the fitted one. Temperature,
        class bias and threshold stay those fitted on valid (no data is left to refit them on)."""
        best = next((int(h["epoch"]) for h in self.history_ if h.get("best")), 0)
        if best < 1 or self._fixed_epochs:   # a warm start's old weights won: nothing to refit
            return
        twin = IntentClassifier(**{**self.params, "refit": False})
        twin._fixed_epochs = best
        twin.fit(train + valid, valid, embeddings=embeddings, progress=progress)
        self.vocab_, self._net, self._folded = twin.vocab_, twin._net, None
        self._build_lookup()
        self.history_ = self.history_ + twin.history_

    def _calibration_outliers(self, valid: Sequence[TrainItem], chars: Sequence[str]
                              ) -> tuple[int, list[Item], np.random.Generator]:
        """The outliers the threshold is chosen against: how many nonsense inputs to draw
        (from the returned generator, after the masked texts) and the masked validation texts."""
        p = self.params
        rng = np.random.default_rng(int(p["seed"] or 0) + 1)
        n = max(200, len(valid) // 2)
        masked = _masked_items([(t, toks) for t, toks, _ in valid], int(round(n * float(p["oe_masked"]))),
                               rng, chars)
        return n - len(masked), masked, rng

    def _calibrate(self, logits_va: np.ndarray, y_va: np.ndarray, logits_oe: np.ndarray) -> None:
        """Temperature (validation NLL, nonsense pushed to uniform) and fallback threshold."""
        p = self.params
        oe_w = float(p["oe_weight"]) if float(p["oe_ratio"]) > 0 else 0.0
        self.temperature_ = _fit_temperature(logits_va, y_va, logits_oe, oe_w)
        self.bias_ = None
        if p["class_bias"] == "macro_f1":
            z = np.log(_softmax(logits_va.astype(np.float64) / self.temperature_))
            self.bias_ = _fit_class_bias(z, y_va, len(self.labels_ or []))
        bias = 0.0 if self.bias_ is None else self.bias_
        if p["threshold"] is not None:
            self.threshold_ = float(p["threshold"])
        else:
            probs_va = _softmax(logits_va / self.temperature_ + bias)
            hit = probs_va.argmax(1) == y_va
            probs_oe = _softmax(logits_oe / self.temperature_ + bias)
            self.threshold_ = _choose_threshold(probs_va.max(1)[hit], probs_oe.max(1),
                                                float(p["max_reject"]), len(self.labels_ or []))

    # ------------------------------------------------------------------ ensemble
    def _member_params(self, name: str) -> dict[str, Any]:
        p = {k: v for k, v in self.params.items() if k not in ("members", "member_params", "combine")}
        p["kind"] = _member_kind(name)
        p["class_bias"] = "none"  # the ensemble shifts its mean; a member only via member_params
        p.update(self.params["member_params"].get(name, {}))
        return p

    def _fit_ensemble(self, train: list, valid: list, embeddings: Embeddings | None,
                      progress: bool, init: IntentClassifier | None = None, refit: bool = False
                      ) -> IntentClassifier:
        """Fit every member, then a temperature and a threshold for their mean probabilities.

        With ``init`` (an older ensemble) each member warm-starts from the old member of
        the same name, when there is one.
        """
        p = self.params
        old = dict(zip(init.params["members"], init.members_, strict=False)) if init is not None else {}
        self.members_ = []
        for name in p["members"]:
            m_init = old.get(name)
            if m_init is not None and m_init.params["kind"] != _member_kind(name):
                m_init = None
            # a member refits after the ensemble is calibrated on its held-out scores (below)
            self.members_.append(IntentClassifier(**{**self._member_params(name), "refit": False}).fit(
                train, valid, embeddings=embeddings, progress=progress, init=m_init))
        if init is not None:
            self.warm_start_ = {name: m.warm_start_ for name, m in zip(p["members"], self.members_,
                                                                        strict=True)}
        self.labels_ = list(self.members_[0].labels_ or [])
        self._calibrate_mean(train, valid)
        for name, m in zip(p["members"], self.members_, strict=True):
            m.params["refit"] = bool(self._member_params(name)["refit"])
            if m.params["refit"] and refit:
                m._refit(train, valid, embeddings, progress)
        self.history_ = [{"member": m.params["kind"], "history": m.history_} for m in self.members_]
        return self

    def _calibrate_mean(self, train: list, valid: list) -> IntentClassifier:
        """Temperature, class_bias and threshold of a fitted ensemble's mean, on ``valid``."""
        self.temperature_ = 1.0
        self.bias_ = None
        self.stack_ = None
        lab_index = {name: i for i, name in enumerate(self.labels_)}
        y_va = np.array([lab_index[r[2]] for r in valid], dtype=np.int64)
        items_va = [(t, toks) for t, toks, _ in valid]
        if self.params["combine"] == "stack":
            # the calibration reads the stacker's out-of-fold logits: no sentence scored by
            # weights fitted on it
            self.stack_, logits_va, self.stack_info_ = _fit_stack(
                self._member_log_proba(items_va), y_va, len(self.labels_), int(self.params["seed"] or 0))
        else:
            logits_va = self.predict_logits(items_va)
        chars = _known_chars(train)
        n_nonsense, masked_va, rng_oe = self._calibration_outliers(valid, chars)
        oe = _nonsense_items(n_nonsense, rng_oe, chars) + masked_va
        self._calibrate(logits_va, y_va, self.predict_logits(oe))
        return self

    def _augment(self, x: np.ndarray, lens: np.ndarray, rng: np.random.Generator,
                 space_id: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Training-time noise: drop spaces (char_cnn) and replace symbols by <unk>."""
        x = x.copy()
        lens = lens.copy()
        p_space = float(self.params["space_dropout"])
        if space_id is not None and p_space > 0:
            drop = (x == space_id) & (rng.random(x.shape) < p_space)
            if drop.any():
                for i in np.nonzero(drop.any(1))[0]:
                    row = x[i, :lens[i]][~drop[i, :lens[i]]]
                    x[i] = 0
                    x[i, :len(row)] = row
                    lens[i] = max(len(row), 1)
        p_unk = float(self.params["unk_dropout"])
        if p_unk > 0:
            x[(x > 1) & (rng.random(x.shape) < p_unk)] = 1
        return x, lens

    def _nonsense(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Synthetic out-of-scope inputs: random mixes of <unk>, random known symbols, spaces."""
        v = len(self.vocab_)
        word = self.params["kind"] in (*_WORD_KINDS, "ngram")
        space_id = None if word else self.vocab_.stoi.get(_SPACE)
        hi = {"word_cnn": 12, "word_rnn": 12, "ngram": 60}.get(self.params["kind"], 24)
        lens = rng.integers(1, hi + 1, size=n)
        min_len = max(int(k) for k in self.params["kernel_sizes"])
        x = np.zeros((n, max(int(lens.max()), min_len)), dtype=np.int64)
        unk_share = rng.random(n)
        space_share = rng.random(n) * 0.3
        for i in range(n):
            m = int(lens[i])
            row = rng.integers(2, max(v, 3), size=m) if v > 2 else np.ones(m, dtype=np.int64)
            row[rng.random(m) < unk_share[i]] = 1
            if space_id is not None:
                row[rng.random(m) < space_share[i]] = space_id
            x[i, :m] = row
        return x, lens.astype(np.int64)

    def _logits(self, x: np.ndarray, lens: np.ndarray, device: Any, batch: int = 1024,
                fast: bool = False) -> np.ndarray:
        import torch
        net = self._net
        if fast and getattr(device, "type", None) == "cpu":
            if self._folded is None:
                net.eval()
                self._folded = net.fold() or False
            if self._folded and len(x) == 1:   # one text (parse): NumPy, no torch calls
                return self._folded.one(x[0], int(lens[0])).astype(np.float32)
            if self._folded:
                # rows by length, in blocks of FOLDED_BLOCK: each block is as wide as its
                # longest row (rows are independent, so the order changes no score)
                out = np.zeros((len(x), len(self.labels_ or [])), np.float32)
                order = np.argsort(lens, kind="stable")
                with torch.inference_mode():
                    for b in range(0, len(x), FOLDED_BLOCK):
                        rows = order[b:b + FOLDED_BLOCK]
                        lb = lens[rows]
                        xb = np.ascontiguousarray(x[rows, :int(lb.max())])
                        out[rows] = self._folded(torch.from_numpy(xb), torch.from_numpy(lb)).numpy()
                return out
        min_len = max(int(k) for k in self.params["kernel_sizes"])
        was_training = net.training
        if was_training:
            net.eval()
        out = []
        with torch.inference_mode():
            for b in range(0, len(x), batch):
                xb = x[b:b + batch]
                lb = lens[b:b + batch]
                xb = xb[:, :max(int(lb.max()), min_len)]
                out.append(net(torch.from_numpy(np.ascontiguousarray(xb)).to(device),
                               torch.from_numpy(lb).to(device)).float().cpu().numpy())
        if was_training:
            net.train()
        if not out:
            return np.zeros((0, len(self.labels_ or [])), dtype=np.float32)
        return np.concatenate(out)

    # ------------------------------------------------------------------ predict
    def _check_fitted(self) -> None:
        if (self._net is None and self._nearest is None and self._encoder is None and not self.members_) \
                or self.labels_ is None:
            raise NotFittedError("this IntentClassifier is not fitted; call fit() or "
                                 "IntentClassifier.load() first")

    def _member_probas(self, items: Sequence[Item], batch_size: int = 1024) -> list[np.ndarray]:
        """Each member's calibrated probabilities, columns in the ensemble's ``labels_`` order."""
        return [m.predict_proba(items, batch_size)[:, [(m.labels_ or []).index(lab) for lab in self.labels_ or []]]
                for m in self.members_]

    def _member_log_proba(self, items: Sequence[Item], batch_size: int = 1024) -> np.ndarray:
        """The stacker's input: members' calibrated log-probabilities, ``n × members × intents``
        (floored at :data:`STACK_FLOOR`, so one member's certainty cannot outvote the rest)."""
        return np.log(np.maximum(np.stack(self._member_probas(items, batch_size), axis=1), STACK_FLOOR))

    def predict_logits(self, items: Sequence[Item], batch_size: int = 1024) -> np.ndarray:
        """Raw (uncalibrated) scores, ``len(items) × len(labels_)``."""
        from .common import torch_threads
        self._check_fitted()
        if not items:
            return np.zeros((0, len(self.labels_ or [])), dtype=np.float32)
        if self._nearest is not None:
            return self._nearest.logits(items)
        if self._encoder is not None:
            with torch_threads(self.params["threads"]):
                return self._encoder.logits([t if isinstance(t, str) else _bad_text(t) for t, _ in items])
        if self.members_ and self.stack_ is not None:  # ensemble, combine = "stack"
            return _stack_logits(self._member_log_proba(items, batch_size), *self.stack_)
        if self.members_:  # ensemble: the log of the members' mean calibrated probabilities
            mean = np.mean(self._member_probas(items, batch_size), axis=0)
            return np.log(np.maximum(mean, 1e-12)).astype(np.float32)
        n = len(items)
        if n > batch_size:  # group similar lengths so little padding is computed
            order = np.argsort([len(t) for t, _ in items], kind="stable")
            with torch_threads(self.params["threads"]):
                chunks = [self._logits(*self._encode([items[i] for i in order[b:b + batch_size]]),
                                       self._device, batch_size, fast=True) for b in range(0, n, batch_size)]
            out = np.empty((n, len(self.labels_ or [])), dtype=np.float32)
            out[order] = np.concatenate(chunks)
            return out
        with torch_threads(self.params["threads"]):
            return self._logits(*self._encode(items), self._device, batch_size, fast=True)

    def predict_proba(self, items: Sequence[Item], batch_size: int = 1024) -> np.ndarray:
        """Calibrated probabilities (rows sum to 1), columns in the order of ``labels_``."""
        z = self.predict_logits(items, batch_size) / self.temperature_
        return _softmax(z if self.bias_ is None else z + self.bias_.astype(np.float32))

    def predict(self, items: Sequence[Item]) -> list[str]:
        """The most probable intent of each item (no fallback; the pipeline applies that)."""
        proba = self.predict_proba(items)
        labels = self.labels_ or []
        return [labels[i] for i in proba.argmax(1)]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> None:
        """Write ``weights.pt`` (state_dict), ``vocab.json``, ``meta.json``, ``history.json``."""
        from .. import __version__
        from .common import atomic_dir, save_state, write_json
        self._check_fitted()
        if self.members_:
            with atomic_dir(path, overwrite=overwrite) as tmp:
                names = [f"member_{i}_{m.params['kind']}" for i, m in enumerate(self.members_)]
                for name, m in zip(names, self.members_, strict=True):
                    m.save(tmp / name)
                write_json(tmp / "history.json", self.history_)
                write_json(tmp / "meta.json", {
                    "kind": KIND, "format": FORMAT_VERSION, "nlukit_version": __version__,
                    "params": self.params, "labels": self.labels_, "threshold": self.threshold_,
                    "temperature": self.temperature_, "members": names, **self._bias_meta(),
                    **({} if self.stack_ is None else {"stack": {
                        "weights": self.stack_[0].tolist(), "bias": self.stack_[1].tolist(),
                        **self.stack_info_}})})
            return
        if self._nearest is not None or self._encoder is not None:
            with atomic_dir(path, overwrite=overwrite) as tmp:
                (self._nearest or self._encoder).save(tmp)
                write_json(tmp / "history.json", self.history_)
                write_json(tmp / "meta.json", {
                    "kind": KIND, "format": FORMAT_VERSION, "nlukit_version": __version__,
                    "params": self.params, "labels": self.labels_, "threshold": self.threshold_,
                    "temperature": self.temperature_, **self._bias_meta()})
            return
        with atomic_dir(path, overwrite=overwrite) as tmp:
            save_state(tmp / "weights.pt", self._net.state_dict())
            write_json(tmp / "vocab.json", self.vocab_.to_json())
            write_json(tmp / "history.json", self.history_)
            write_json(tmp / "meta.json", {
                "kind": KIND, "format": FORMAT_VERSION, "nlukit_version": __version__,
                "params": self.params, "labels": self.labels_, "threshold": self.threshold_,
                "temperature": self.temperature_, **self._bias_meta(),
                "emb_dim": int(self._net.embed.weight.shape[1])})

    def _bias_meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {} if self.bias_ is None else {"bias": [float(b) for b in self.bias_]}
        if self.warm_start_ is not None:
            out["warm_start"] = self.warm_start_
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str], device: str | None = "cpu") -> IntentClassifier:
        """Read a directory written by :meth:`save`; damage is a :class:`BundleError`."""
        from .common import Vocab, check_format, choose_device, load_module_state, read_json
        path = Path(path)
        if not path.is_dir():
            raise BundleError(f"{path}: intent model directory not found; train first or give "
                              "the path of the bundle's intent/ directory")
        meta = check_format(read_json(path / "meta.json"), path / "meta.json", KIND, FORMAT_VERSION)
        try:
            params = {**DEFAULTS, **{k: v for k, v in meta["params"].items() if k in DEFAULTS}}
            labels = [str(x) for x in meta["labels"]]
            members = [str(x) for x in meta["members"]] if params["kind"] == "ensemble" else []
            if any("/" in m or "\\" in m or m.startswith(".") for m in members):
                raise ValueError(f"bad member directory in {members}")
            emb_dim = int(meta["emb_dim"]) if not members and params["kind"] not in ("nearest", "transformer") else 0
            threshold = float(meta["threshold"])
            temperature = float(meta.get("temperature", 1.0))
            bias = np.array([float(b) for b in meta["bias"]]) if meta.get("bias") is not None else None
            if bias is not None and len(bias) != len(labels):
                raise ValueError(f"{len(bias)} class biases for {len(labels)} intents")
            stack = None
            if meta.get("stack") is not None:   # combine = "stack" (older bundles: the mean)
                w = np.array(meta["stack"]["weights"], dtype=np.float64)
                b = np.array(meta["stack"]["bias"], dtype=np.float64)
                if w.shape != (len(members) * len(labels), len(labels)) or b.shape != (len(labels),):
                    raise ValueError(f"stack weights of shape {w.shape} for {len(members)} members "
                                     f"and {len(labels)} intents")
                stack = (w, b)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BundleError(f"{path / 'meta.json'}: missing or bad field ({exc}); "
                              "re-save the model") from exc
        params["device"] = device
        model = cls(**params)
        model.check_params(folders=False)
        if params["kind"] == "nearest":
            model._nearest = _nearest.NearestIndex.load(path)
            model.params.update(_nearest.params_of(model._nearest))   # an older index: its own settings
        elif params["kind"] == "transformer":
            from .encoder_intent import EncoderIntent
            model._device = choose_device(device)
            model._encoder = EncoderIntent.load(path, len(labels), params, model._device)
        elif not members:
            model.vocab_ = Vocab.from_json(read_json(path / "vocab.json"), path / "vocab.json")
        model.labels_ = labels
        model.threshold_ = threshold
        model.temperature_ = temperature
        model.bias_ = bias
        hist = path / "history.json"
        model.history_ = read_json(hist) if hist.exists() else []
        if params["kind"] == "ensemble":
            model.stack_ = stack
            model.stack_info_ = {k: v for k, v in (meta.get("stack") or {}).items() if k not in ("weights", "bias")}
            model.members_ = [cls.load(path / name, device=device) for name in members]
            if any(m.labels_ != labels for m in model.members_):
                raise BundleError(f"{path}: the ensemble members' intents differ from "
                                  "meta.json; re-save the model")
            return model
        if model._nearest is not None or model._encoder is not None:
            return model
        model._device = choose_device(device)
        net = _build_net(len(model.vocab_), len(labels), params, emb_dim)
        load_module_state(net, path / "weights.pt")
        net.to(model._device).eval()
        model._net = net
        model._folded = None
        model._build_lookup()
        return model


# ---------------------------------------------------------------------- helpers
def _bad_text(t: object) -> str:
    raise ModelError(f"expected a normalised text (str), got {type(t).__name__}")


def _known_chars(train: Sequence[TrainItem]) -> list[str]:
    """The non-space characters of the training texts, sorted (material for outliers)."""
    return sorted({c for t, _, _ in train for c in t if not c.isspace()})


def _nonsense_items(n: int, rng: np.random.Generator, chars: Sequence[str]) -> list[Item]:
    """Nonsense *texts* for an ensemble's threshold: known characters, unseen symbols, spaces.

    Each text is split at spaces into tokens tagged ``UNKNOWN`` (no tokenizer here),
    enough for members that read morphemes.
    """
    foreign = [chr(c) for c in range(0x3131, 0x3164)] + list("qwertyuiopasdfghjklzxcvbnm;~^#@")
    known = list(chars) or foreign
    out: list[Item] = []
    for _ in range(n):
        m = int(rng.integers(1, 25))
        unk_share, space_share = rng.random(), rng.random() * 0.3
        cs = []
        for _ in range(m):
            r = rng.random()
            pool = (" " if r < space_share else
                    foreign if r < space_share + (1 - space_share) * unk_share else known)
            cs.append(pool[int(rng.integers(len(pool)))])
        text = " ".join("".join(cs).split()) or foreign[int(rng.integers(len(foreign)))]
        toks, pos = [], 0
        for w in text.split(" "):
            toks.append(Token(w, "UNKNOWN", pos, pos + len(w)))
            pos += len(w) + 1
        out.append((text, toks))
    return out


#: mecab-ko-dic tags of the morphemes that carry a request's topic; a fused tag such as
#: ``VV+EC`` counts by its first part. What is left (particles, endings, suffixes,
#: auxiliary verbs, pronouns, punctuation) is the frame of the request.
CONTENT_POS = frozenset({"NNG", "NNP", "NNB", "NNBC", "NR", "VV", "VA", "XR", "MAG", "MM", "IC",
                         "SL", "SH", "SN"})
_HANGUL = (0xAC00, 0xD7A4)


def short_form(text: str, tokens: Sequence[Token]) -> Item | None:
    """The text without its last word when that word is a predicate: how users shorten requests.

    Korean chat drops the verb of a request (``강남 맛집 추천해줘`` → ``강남 맛집``, ``아이유
    노래 틀어줘`` → ``아이유 노래``). The last space-separated word goes when one of its
    morphemes is a verb, an adjective, a verbal suffix or an ending (MeCab tags V*, E*,
    XSV, XSA); None when the text is one word or its last word is not a predicate.

    >>> from nlukit.types import Token
    >>> short_form("아이유 노래 틀어줘", [Token("아이유", "NNP", 0, 3), Token("노래", "NNG", 4, 6),
    ...     Token("틀", "VV", 7, 8), Token("어", "EC", 8, 9), Token("줘", "VX+EC", 9, 10)])
    ('아이유 노래', [Token(surface='아이유', pos='NNP', start=0, end=3), Token(surface='노래', pos='NNG', start=4, end=6)])
    >>> short_form("서울 날씨", [Token("서울", "NNP", 0, 2), Token("날씨", "NNG", 3, 5)]) is None
    True
    """
    head = text.rstrip()
    cut = head.rfind(" ")
    if cut <= 0 or not head[:cut].strip():
        return None
    last = [t for t in tokens if t.start > cut]
    if not any(t.pos[:1] in ("V", "E") or t.pos.startswith(("XSV", "XSA")) for t in last):
        return None
    head = head[:cut].rstrip()
    return head, [t for t in tokens if t.end <= len(head)]


def _with_short_forms(train: list[TrainItem], share: float, rng: np.random.Generator) -> list[TrainItem]:
    """``train`` plus the :func:`short_form` of about ``share`` of its texts (same intents).

    A short form is left out when it says nothing of its intent: the short form of texts of
    another intent too, or a training text of another intent (spacing aside). Where the
    dropped word is what tells intents apart (``내과 예약 취소해줘``, ``내과 예약 확인해줘``: both
    ``내과 예약``, the short form of a booking's ``내과 예약 잡아줘`` too), it would teach the model
    to guess."""
    def key(t: str) -> str:
        return "".join(t.split())

    picked = [rng.random() < share for _ in train]   # one draw a text, as always: the same picks
    shorts = [short_form(text, toks) for text, toks, _ in train]
    owners: dict[str, set[str]] = {}
    for (text, _, intent), short in zip(train, shorts, strict=True):
        owners.setdefault(key(text), set()).add(intent)
        if short is not None:
            owners.setdefault(key(short[0]), set()).add(intent)
    extra = [(short[0], short[1], intent) for (_, _, intent), short, pick in zip(train, shorts, picked, strict=True)
             if pick and short is not None and len(owners[key(short[0])]) == 1]
    return train + extra


def _masked_items(items: Sequence[Item], n: int, rng: np.random.Generator, chars: Sequence[str]
                  ) -> list[Item]:
    """``n`` texts drawn from ``items`` with every content morpheme replaced by random characters.

    Each replacement keeps the morpheme's length and POS; its characters come from
    ``chars`` (seen in training) or are random Hangul syllables, in a random mix per
    text. Items without tokens or without a content morpheme are not drawn; none
    left gives ``[]``.

    >>> from nlukit.types import Token
    >>> [(t, toks)] = _masked_items([("날씨 알려줘", [Token("날씨", "NNG", 0, 2),
    ...     Token("알려", "VV+EC", 3, 5), Token("줘", "VX+EC", 5, 6)])], 1,
    ...     np.random.default_rng(0), ["가"])
    >>> len(t), t[2], t[-1], [x.pos for x in toks], t[:2] != "날씨"
    (6, ' ', '줘', ['NNG', 'VV+EC', 'VX+EC'], True)
    """
    pool = [(text, toks) for text, toks in items
            if toks and any(t.pos.split("+", 1)[0] in CONTENT_POS for t in toks)]
    if not pool or n <= 0:
        return []
    known = [c for c in chars if _HANGUL[0] <= ord(c) < _HANGUL[1]] or list(chars) or ["가"]
    out: list[Item] = []
    for k in rng.integers(len(pool), size=n):
        text, toks = pool[int(k)]
        unknown_share = rng.random()
        parts: list[str] = []
        new_toks: list[Token] = []
        at = 0      # position in the source text
        length = 0  # length of the new text so far
        for t in toks:
            gap = text[at:t.start]
            parts.append(gap)
            length += len(gap)
            surface = t.surface
            if t.pos.split("+", 1)[0] in CONTENT_POS:
                surface = "".join(chr(int(rng.integers(*_HANGUL))) if rng.random() < unknown_share
                                  else known[int(rng.integers(len(known)))] for _ in surface)
            parts.append(surface)
            new_toks.append(Token(surface, t.pos, length, length + len(surface)))
            length += len(surface)
            at = t.end
        parts.append(text[at:])
        out.append(("".join(parts), new_toks))
    return out


def _stack(xa: np.ndarray, la: np.ndarray, xb: np.ndarray, lb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = max(xa.shape[1], xb.shape[1])
    out = np.zeros((len(xa) + len(xb), w), dtype=np.int64)
    out[:len(xa), :xa.shape[1]] = xa
    out[len(xa):, :xb.shape[1]] = xb
    return out, np.concatenate([la, lb])


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    z = logits.astype(np.float64) / t
    z = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(y)), y]))


def _uniform_ce(logits: np.ndarray, t: float) -> float:
    z = logits.astype(np.float64) / t
    z = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1))
    return float(np.mean(lse - z.mean(axis=1)))


def _fit_temperature(logits: np.ndarray, y: np.ndarray, logits_oe: np.ndarray | None = None,
                     oe_weight: float = 0.0) -> float:
    """The temperature minimising validation NLL (+ ``oe_weight`` × uniform-target CE on nonsense).

    Validation data alone drives the temperature to 0 when it is perfectly separated
    (common on generated data), which would make gibberish look certain; the nonsense
    term is the training objective's own counterweight. Bounded to [0.25, 20].
    """
    def objective(t: float) -> float:
        loss = _nll(logits, y, t)
        if oe_weight > 0 and logits_oe is not None and len(logits_oe):
            loss += oe_weight * _uniform_ce(logits_oe, t)
        return loss

    grid = np.exp(np.linspace(math.log(0.25), math.log(20.0), 121))
    losses = [objective(t) for t in grid]
    best = int(np.argmin(losses))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, len(grid) - 1)]
    fine = np.exp(np.linspace(math.log(lo), math.log(hi), 41))
    t = float(fine[int(np.argmin([objective(t) for t in fine]))])
    return round(t, 6)


def _fit_class_bias(z: np.ndarray, y: np.ndarray, n_labels: int, span: float = 2.0,
                    step: float = 0.05, passes: int = 3) -> np.ndarray | None:
    """Per-intent shifts of the calibrated log-probabilities ``z`` maximising validation macro-F1.

    Coordinate ascent over a grid in [-span, span]: each intent's shift in turn is set to the
    value with the best macro-F1 (ties: the one nearest 0, so nothing moves without a gain).
    Returns the shifts centred on 0, or None when nothing helps.
    """
    grid = np.round(np.arange(-span, span + step / 2, step), 6)
    b = np.zeros(n_labels)
    best = _macro_f1(y, z.argmax(1), n_labels)
    for _ in range(passes):
        changed = False
        for c in range(n_labels):
            scores = np.empty(len(grid))
            for i, g in enumerate(grid):
                b_c, b[c] = b[c], g
                scores[i] = _macro_f1(y, (z + b).argmax(1), n_labels)
                b[c] = b_c
            top = np.flatnonzero(scores >= scores.max() - 1e-12)
            g = float(grid[top[np.argmin(np.abs(grid[top]))]])
            if scores.max() > best + 1e-12 and g != b[c]:
                b[c], best, changed = g, float(scores.max()), True
        if not changed:
            break
    if not b.any():
        return None
    return np.round(b - b.mean(), 6)


#: members' probabilities are floored here before the stacker takes their logarithm
STACK_FLOOR = 1e-6
#: L2 strengths the stacker tries (penalty on the distance from the geometric mean, per sentence)
STACK_L2 = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
STACK_FOLDS = 5


def _stack_logits(logp: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The stacked ensemble's logits: members' log-probabilities (``n × M × K``) @ weights + bias."""
    return (logp.reshape(len(logp), -1) @ w + b).astype(np.float32)


def _fit_stack_l2(x: np.ndarray, y: np.ndarray, w0: np.ndarray, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on ``x`` (n × d), weights pulled towards ``w0`` with ``l2``."""
    from scipy.optimize import minimize
    n, d = x.shape
    k = w0.shape[1]
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[:d * k].reshape(d, k)
        z = x @ w + theta[d * k:]
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        g = (np.exp(z - lse[:, None]) - onehot) / n
        diff = w - w0
        loss = float(np.mean(lse - z[np.arange(n), y]) + l2 * np.sum(diff * diff))
        return loss, np.concatenate([(x.T @ g + 2 * l2 * diff).ravel(), g.sum(axis=0)])

    theta0 = np.concatenate([w0.ravel(), np.zeros(k)])
    res = minimize(objective, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return res.x[:d * k].reshape(d, k), res.x[d * k:]


def _fit_stack(logp: np.ndarray, y: np.ndarray, n_labels: int, seed: int
               ) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, dict[str, Any]]:
    """The ``stack`` combiner: a logistic regression from the members' calibrated log-probabilities
    (``n × M × K``, validation sentences) to the intents, its weights pulled towards the
    geometric mean of the members (what a strong penalty leaves).

    The L2 strength is the one of :data:`STACK_L2` with the lowest out-of-fold NLL over
    :data:`STACK_FOLDS` folds of ``logp``; the weights are then fitted on all of it. Returns
    ``(weights, bias)``, the out-of-fold logits of that strength (for the temperature, threshold
    and class bias, so they see no sentence the weights were fitted on) and what was chosen.
    """
    n, m, k = logp.shape
    x = logp.reshape(n, m * k).astype(np.float64)
    w0 = np.tile(np.eye(k) / m, (m, 1))
    folds = np.random.default_rng(seed).permutation(n) % min(STACK_FOLDS, n)
    n_folds = int(folds.max()) + 1
    best: tuple[float, float, np.ndarray] | None = None
    cv: dict[str, float] = {}
    for l2 in sorted(STACK_L2, reverse=True):   # ties: the stronger penalty
        oof = np.zeros((n, k))
        for f in range(n_folds):
            fit_rows, held = folds != f, folds == f
            if not fit_rows.any():   # one sentence: nothing to fit on; the geometric mean
                oof[held] = x[held] @ w0
                continue
            w, b = _fit_stack_l2(x[fit_rows], y[fit_rows], w0, l2)
            oof[held] = x[held] @ w + b
        nll = _nll(oof, y, 1.0)
        cv[str(l2)] = round(nll, 6)
        if best is None or nll < best[0] - 1e-9:
            best = (nll, l2, oof)
    assert best is not None
    w, b = _fit_stack_l2(x, y, w0, best[1])
    return (w, b), best[2].astype(np.float32), {"l2": best[1], "cv_nll": cv}


def _choose_threshold(p_in: np.ndarray, p_out: np.ndarray, max_reject: float, n_labels: int) -> float:
    """Best separating cut between in-scope hits and nonsense, rejecting ≤ max_reject hits."""
    floor = 1.0 / n_labels
    if len(p_in) == 0:
        return float(floor)
    cap = float(np.quantile(p_in, max_reject)) if max_reject > 0 else float(p_in.min())
    return _best_cut(p_in, p_out, floor, cap)


def _best_cut(p_in: np.ndarray, p_out: np.ndarray, floor: float, cap: float) -> float:
    """The cut in [floor, cap] that accepts most of ``p_in`` and rejects most of ``p_out``."""
    values = np.unique(np.concatenate([p_in, p_out, [floor, cap]]))
    cands = np.concatenate([[floor], (values[:-1] + values[1:]) / 2]) if len(values) > 1 else values
    cands = cands[(cands >= floor) & (cands <= cap)]
    if len(cands) == 0:
        return round(float(min(cap, 1.0)), 6)
    acc_in = (p_in[None, :] >= cands[:, None]).mean(1)
    rej_out = (p_out[None, :] < cands[:, None]).mean(1) if len(p_out) else np.zeros(len(cands))
    score = acc_in + rej_out
    best = np.flatnonzero(score >= score.max() - 1e-12)
    # among equally good cuts take the middle one: the widest margin on both sides
    return round(float(cands[best[len(best) // 2]]), 6)
