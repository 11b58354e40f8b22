"""BiLSTM-CRF entity tagger over morphemes (or characters), with dictionary features.

Each unit (a morpheme, split at dictionary-match boundaries) is represented by a
word embedding (initialised from :class:`~nlukit.models.embeddings.Embeddings` when
given, trainable), a character CNN over its surface, a POS embedding (the POS tag and
whether a space precedes the unit) and gazetteer features (B/I of each entity type
from the longest dictionary match, or "outside"), which also reach the tag scores
through a direct linear path so that unseen sentence templates still follow the
dictionary. A BiLSTM feeds a CRF (``torchcrf.CRF``) whose
invalid IOB2 moves (start→I-x, O→I-x, B-x/I-x→I-y) are pinned to a large negative
score after every optimiser step, and decoding is a vectorised Viterbi.

Labels are ``entity`` or ``entity:role`` (``location:origin``), so roles are
predicted with the type. :meth:`EntityTagger.predict` returns, per item, spans
``(start, end, entity, role, confidence)`` in offsets of the given normalised text.
``confidence`` is the exact marginal probability of the span under the CRF (forward-
backward): the probability that the tags are ``B-x I-x … I-x`` on the span and that
the span ends there.

Token splitting (:meth:`EntityTagger._units`) is one function at fit and predict:
MeCab tokens are cut at dictionary-match boundaries (``서울에서`` → ``서울`` + ``에서``,
so a particle never sits inside a span); at fit time gold span boundaries are cut
too, which changes nothing when the gold values come from the dictionary.

``unit = "char"`` tags characters instead (for corpora such as KLUE-NER whose entity
boundaries fall inside morphemes): each character carries its own embedding plus the
word, character-CNN and POS features of the morpheme it belongs to.

Importing this module imports torch.
"""
from __future__ import annotations

import operator
import time
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from itertools import count as numbered
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import __version__
from ..dataset import iob_tags, label_of, split_label
from ..errors import InputError, ModelError, NotFittedError
from ..numerals import spellings
from ..text import _HAS_UPPER, TokenColumns, fold_ascii_case, split_at
from ..types import Span, Token
from .common import (
    EarlyStopping,
    Vocab,
    atomic_dir,
    check_format,
    check_training_params,
    choose_device,
    epoch_bar,
    grow_vocab,
    index_map,
    load_module_state,
    passes_per_epoch,
    read_json,
    save_state,
    set_seed,
    torch_threads,
    warm_init,
    warm_start,
    write_json,
)
from .gazetteer import Gazetteer

FORMAT = 1
NEG = -10000.0

DEFAULTS: dict[str, Any] = {
    "unit": "morpheme",        # "morpheme" (MeCab tokens split at dictionary matches) or "char"
    "word_dim": 64,            # used when no embeddings are given
    "char_dim": 32,
    "char_filters": 32,
    "char_kernel": 3,
    "max_chars": 16,           # characters per unit seen by the char CNN
    "pos_dim": 16,
    "unit_char_dim": 48,       # "char" unit only: embedding of the character itself
    "bigram_dim": 32,          # "char" unit only: embedding of the character and the next one
    "char_position": "BI",     # "char" unit only: place of the character in its morpheme, "BI" or "BIES"
    "hidden": 48,              # per LSTM direction (64 gives the same F1 on the demo, 10% slower parse)
    "layers": 1,
    "dropout": 0.3,
    "word_dropout": 0.05,      # share of training words replaced by <unk>
    "use_gazetteer": True,
    "train_lexicon": False,    # also match entity surfaces seen in the training spans
    "fold_case": True,         # read Latin letters in lower case (bts, Bts and BTS are one word)
    "spelled_numbers": True,   # also match dictionary surfaces with their counted digits written
                               # as number words (오후 3시 → 오후 세 시 / 오후 세시)
    "lexicon_min_length": 2,   # shortest training surface added to that lexicon
    "lr": 0.003,
    "lr_decay": 1.0,           # multiply the learning rate by this after an epoch without gain
    "weight_decay": 0.0,
    "clip": 5.0,
    "batch_size": 64,
    "epochs": 10,              # demo data (~15k sentences) peaks after 2-4 epochs
    "min_updates": 400,        # fewer batches than this in all the epochs (a bot of a few dozen
                               # sentences): each epoch goes over the data as many times as it takes
    "patience": 2,
    "eval_batch_size": 512,
    "seed": 13,
    "device": None,            # None/"auto": CUDA when present, else CPU
    "threads": None,           # torch threads while fitting (None: torch's choice)
    "pretrained": "",          # a local Hugging Face encoder folder (KLUE-BERT, KoELECTRA): its last
                               # hidden states, averaged over the subwords overlapping each unit, join
                               # the unit features; "" = none. Never downloaded; the bundle keeps a copy
    "encoder_lr": 3e-5,        # learning rate of the encoder's weights (its own AdamW group)
    "freeze_encoder": False,   # true: the encoder's weights stay as loaded (features made once per sentence)
    "encoder_max_len": 128,    # subwords the encoder reads per sentence; units beyond get zeros
}

Item = tuple[str, Sequence[Token]]
TrainItem = tuple[str, Sequence[Token], Sequence[Span]]
Pred = tuple[int, int, str, "str | None", float]


class _Units:
    """The tagging units of one text, column by column, with their gazetteer features.

    ``words[i]`` is the surface the word embedding and char CNN read (in ``char`` mode
    the morpheme holding the character), ``chars``/``bigrams`` are filled in ``char``
    mode only. The gazetteer features are kept sparse: ``gaz_hits`` lists the
    ``(unit, column)`` pairs set to 1 (a unit with a hit is not "outside");
    :attr:`gaz` is the dense ``(units, gaz_dim)`` matrix of
    :func:`~nlukit.models.gazetteer.match_features`.
    """

    __slots__ = ("starts", "ends", "words", "pos", "chars", "bigrams", "gaz_hits", "gaz_dim", "sub", "enc")

    def __init__(self, starts: Sequence[int], ends: Sequence[int], words: Sequence[str], pos: list[str],
                 chars: list[str], bigrams: list[str], gaz_hits: list[tuple[int, int]],
                 gaz_dim: int) -> None:
        self.starts, self.ends, self.words, self.pos = starts, ends, words, pos
        self.chars, self.bigrams, self.gaz_hits, self.gaz_dim = chars, bigrams, gaz_hits, gaz_dim
        # with a pretrained encoder (EntityTagger._add_subwords): the text's subword ids and the
        # (units, subwords) averaging matrix; ``enc`` the units' encoder features when cached
        self.sub: tuple[list[int], np.ndarray] | None = None
        self.enc: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def gaz(self) -> np.ndarray:
        feats = np.zeros((len(self.starts), self.gaz_dim), dtype=np.float32)
        if self.gaz_dim:
            feats[:, -1] = 1.0
            for u, col in self.gaz_hits:
                feats[u, col] = 1.0
                feats[u, -1] = 0.0
        return feats

    def tokens(self) -> list[Token]:
        surfaces = self.chars or self.words
        return [Token(w, p, s, e) for s, e, w, p in zip(self.starts, self.ends, surfaces, self.pos, strict=False)]


class _FlatUnits:
    """The tagging units of many texts in flat arrays (:meth:`EntityTagger._flat_units`), what
    :meth:`EntityTagger._encode_flat` pads into a batch: per text its first unit (``first``) and
    how many (``sizes``); per unit its offsets in its text, its row in ``words`` (the distinct unit
    surfaces) and its POS id; the dictionary features as ``(unit, column)`` ones."""

    __slots__ = ("first", "sizes", "starts", "ends", "word_row", "words", "word_ids", "pos_ids",
                 "hit_units", "hit_cols")

    def __init__(self, first: np.ndarray, sizes: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                 word_row: np.ndarray, words: list[str], word_ids: np.ndarray, pos_ids: np.ndarray,
                 hit_units: np.ndarray, hit_cols: np.ndarray) -> None:
        self.first, self.sizes, self.starts, self.ends = first, sizes, starts, ends
        self.word_row, self.words, self.word_ids, self.pos_ids = word_row, words, word_ids, pos_ids
        self.hit_units, self.hit_cols = hit_units, hit_cols


#: a batch of at least this many items cuts its units through _flat_units
FLAT_MIN_ITEMS = 16
_NO_COLUMNS = TokenColumns([], [], None, None, "")   # no tokens: nothing parsed
_SURFACES, _TAGS, _PARSED = (operator.attrgetter(name) for name in ("surfaces", "tags", "parsed"))
_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


class _Net(nn.Module):
    """Embeddings + char CNN + POS (+ pretrained encoder) + gazetteer → BiLSTM → emissions → CRF.

    ``encoder`` (a Hugging Face ``AutoModel``, or None) adds each unit's mean of the encoder's
    last hidden states over its subwords (:meth:`unit_encodings`) before the gazetteer
    columns; such a network always runs the plain torch path (no folded or NumPy route).
    ``freeze_encoder`` keeps the encoder in eval mode and out of the gradients.
    """

    def __init__(self, n_words: int, word_dim: int, n_chars: int, char_dim: int, char_filters: int,
                 char_kernel: int, n_pos: int, pos_dim: int, unit_char_dim: int, gaz_dim: int,
                 hidden: int, layers: int, dropout: float, n_tags: int, n_bigrams: int = 0,
                 bigram_dim: int = 0, encoder: nn.Module | None = None, freeze_encoder: bool = False) -> None:
        super().__init__()
        self.encoder = encoder
        self.freeze_encoder = bool(freeze_encoder) and encoder is not None
        enc_dim = int(encoder.config.hidden_size) if encoder is not None else 0
        if encoder is not None:     # (an encoder copied from a frozen one may come without gradients)
            for w in encoder.parameters():
                w.requires_grad_(not self.freeze_encoder)
        from torchcrf import CRF
        self.word = nn.Embedding(n_words, word_dim, padding_idx=0)
        self.char = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.conv = nn.Conv1d(char_dim, char_filters, char_kernel, padding=char_kernel // 2)
        self.pos = nn.Embedding(n_pos, pos_dim, padding_idx=0)
        self.unit_char = nn.Embedding(n_chars, unit_char_dim, padding_idx=0) if unit_char_dim else None
        self.gaz_dim = gaz_dim
        self.bigram = nn.Embedding(n_bigrams, bigram_dim, padding_idx=0) if bigram_dim else None
        in_dim = word_dim + char_filters + pos_dim + unit_char_dim + bigram_dim + enc_dim + gaz_dim
        self.drop = nn.Dropout(dropout)
        self.lstm = nn.LSTM(in_dim, hidden, num_layers=layers, batch_first=True, bidirectional=True,
                            dropout=dropout if layers > 1 else 0.0)
        self.out = nn.Linear(2 * hidden, n_tags)
        # dictionary matches also reach the tag scores directly: a short path that
        # generalises to contexts (templates) never seen in training
        self.gaz_out = nn.Linear(gaz_dim, n_tags, bias=False) if gaz_dim else None
        self.crf = CRF(n_tags, batch_first=True)
        self.register_buffer("allowed", torch.ones(n_tags, n_tags, dtype=torch.bool))
        self.register_buffer("allowed_start", torch.ones(n_tags, dtype=torch.bool))

    def train(self, mode: bool = True) -> _Net:
        super().train(mode)
        if self.freeze_encoder:     # a frozen encoder never drops out: its features are fixed
            self.encoder.eval()
        return self

    def unit_encodings(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """``(B, units, hidden)``: per unit, the mean of the encoder's last hidden states over the
        subwords overlapping it (``enc_pool``), or the cached features ``enc`` when the batch has them."""
        if "enc" in batch:
            return batch["enc"]
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.freeze_encoder):
            h = self.encoder(input_ids=batch["enc_ids"], attention_mask=batch["enc_mask"]).last_hidden_state
        return torch.bmm(batch["enc_pool"], h.float())

    def constrain(self) -> None:
        """Pin the scores of invalid IOB2 transitions to a large negative value."""
        with torch.no_grad():
            self.crf.transitions.masked_fill_(~self.allowed, NEG)
            self.crf.start_transitions.masked_fill_(~self.allowed_start, NEG)

    def emissions(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        words = batch["words"]
        b, n = words.shape
        plain = self.encoder is not None    # with an encoder: the plain torch path only
        if b == 1 and not self.training and words.device.type == "cpu" and not plain:
            return self._emissions_one(batch)
        ids = batch["surfaces"]                           # one row per distinct surface
        lengths = batch["lengths"].cpu()
        fast = not self.training and b >= FOLDED_MIN_ROWS and not plain
        plan = self._folded() if fast else None
        if plan is not None and "vocab_chars" in batch and self._word_chars(plan, batch["vocab_chars"]) is not None:
            return self._packed_emissions(batch, None, lengths)   # known words' char features made once
        c = self._char_features(ids, plan)
        if fast:
            return self._packed_emissions(batch, c, lengths)
        parts = [self.word(words), c[batch["surface_index"]], self.pos(batch["pos"])]
        if self.unit_char is not None:
            parts.append(self.unit_char(batch["unit_chars"]))
        if self.bigram is not None:
            parts.append(self.bigram(batch["bigrams"]))
        if plain:
            parts.append(self.unit_encodings(batch))
        if self.gaz_dim:
            parts.append(batch["gaz"])
        x = self.drop(torch.cat(parts, dim=-1))
        if int(lengths.min()) == n:  # no padding (one sentence, or equal lengths): no packing
            h, _ = self.lstm(x)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                       enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=n)
        em = self.out(self.drop(h))
        if self.gaz_out is not None:
            em = em + self.gaz_out(batch["gaz"])
        return em

    def _emissions_one(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """:meth:`emissions` of one sentence (a single parse), in NumPy.

        The same computation as the torch modules (char CNN with its masked max, the
        concatenated unit features, :func:`_lstm_one`, the output layers), for the
        handful of units of one chatbot sentence, where torch's cost per call would be
        most of the time.
        """
        plan = self._folded()
        w = plan.numpy_weights(self)
        ids = batch["surfaces"].numpy()                            # (S, W) distinct surfaces
        e = w["char"][ids]                                          # (S, W, C)
        k, pad = self.conv.kernel_size[0], self.conv.padding[0]
        s, width, ch = e.shape
        ep = np.zeros((s, width + 2 * pad, ch), dtype=np.float32)
        ep[:, pad:pad + width] = e
        out_len = width + 2 * pad - k + 1
        win = ep[:, np.arange(out_len)[:, None] + np.arange(k)]    # (S, L, k, C)
        y = win.transpose(0, 1, 3, 2).reshape(s * out_len, ch * k) @ w["conv"] + w["conv_bias"]
        y = np.maximum(y.reshape(s, out_len, -1), 0.0)
        # max over the surface's own positions only (see emissions)
        lens = (ids != 0).sum(axis=1) + (out_len - width)
        y *= (np.arange(out_len)[None, :] < lens[:, None])[:, :, None]
        c = y.max(axis=1)                                           # (S, F)
        parts = [w["word"][batch["words"].numpy()[0]], c[batch["surface_index"].numpy()[0]],
                 w["pos"][batch["pos"].numpy()[0]]]
        if self.unit_char is not None:
            parts.append(w["unit_char"][batch["unit_chars"].numpy()[0]])
        if self.bigram is not None:
            parts.append(w["bigram"][batch["bigrams"].numpy()[0]])
        gaz = batch["gaz"].numpy()[0] if self.gaz_dim else None
        if gaz is not None:
            parts.append(gaz)
        h = _lstm_one(np.concatenate(parts, axis=1), plan.numpy_layers())
        em = h @ w["out"] + w["out_bias"]
        if gaz is not None and "gaz_out" in w:
            em += gaz @ w["gaz_out"]
        return torch.from_numpy(np.ascontiguousarray(em, dtype=np.float32))[None]

    def _char_features(self, ids: torch.Tensor, plan: _Folded | None) -> torch.Tensor:
        """The char CNN's features of each surface (rows of char ids ``ids``): from the folded
        table when ``plan`` has one, else through the convolution."""
        if plan is not None and plan.char is not None:
            return self._char_folded(ids, plan.char)
        c = torch.relu(self.conv(self.char(ids).transpose(1, 2)))
        # max over the surface's own positions only: positions past its end would see
        # only padding, and their number depends on the longest surface of the batch
        lens = (ids != 0).sum(dim=1) + (c.shape[2] - ids.shape[1])
        keep = torch.arange(c.shape[2], device=ids.device)[None, :] < lens[:, None]
        return (c * keep[:, None, :]).amax(dim=2)

    def _word_chars(self, plan: _Folded, vocab_chars: torch.Tensor) -> torch.Tensor | None:
        """The char CNN features of every vocabulary word (row = word id), computed once per plan.

        The char CNN reads the surface only, and a unit whose word id is ``i >= 2`` has the
        surface ``vocab_chars`` row ``i`` spells (the vocabulary's word ``i``), so the packed
        path reads its features here instead of running the CNN over the batch's surfaces;
        units of other ids (unknown words, padding) still run it. The same numbers bit for
        bit: each row is the folded CNN's own sums, and with the padding character's
        embedding at zero (``padding_idx`` keeps it there) a row does not depend on how wide
        the longest surface beside it is. None (the CNN over the batch) otherwise, or when
        the CNN is not folded.
        """
        got = plan.word_chars
        if got is not None and got[0] is vocab_chars:
            return got[1]
        feats = None
        if plan.char is not None and len(vocab_chars) == self.word.num_embeddings and \
                not bool(self.char.weight[0].any()):
            with torch.no_grad():
                feats = torch.cat([self._char_features(vocab_chars[lo:lo + 4096], plan)
                                   for lo in range(0, len(vocab_chars), 4096)])
        plan.word_chars = (vocab_chars, feats)
        return feats

    def _char_folded(self, ids: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        """The char CNN's features of each surface (rows of ``ids``) from its folded table.

        A convolution over character embeddings is a sum over window offsets ``j`` of
        ``W_j · emb[char at j]``: ``table`` holds ``emb @ W_j^T`` for every offset (one
        block of ``n_chars + 1`` rows each, the last a zero row for the convolution's
        padding, the bias on the first block), so each window is one ``embedding_bag``
        sum, then ReLU and the masked max of :meth:`emissions`.
        """
        k, pad = self.conv.kernel_size[0], int(self.conv.padding[0])
        rows = self.char.num_embeddings + 1
        s, width = ids.shape
        out_len = width + 2 * pad - k + 1
        xp = nn.functional.pad(ids, (pad, pad), value=rows - 1)
        idx = xp.unfold(1, k, 1) + torch.arange(k, device=ids.device) * rows    # (S, L, k)
        h = nn.functional.embedding_bag(idx.reshape(-1, k), table, mode="sum").view(s, out_len, -1).relu_()
        lens = (ids != 0).sum(dim=1) + (out_len - width)
        keep = torch.arange(out_len, device=ids.device)[None, :] < lens[:, None]
        return h.mul_(keep[:, :, None]).amax(dim=1)

    def _packed_emissions(self, batch: dict[str, torch.Tensor], c: torch.Tensor,
                          lengths: torch.Tensor) -> torch.Tensor:
        """Inference on a batch, computed on its real units only.

        The inputs are gathered straight into the LSTM's packed (time-major, longest
        row first) layout and the tag scores scattered back, so no padded feature
        tensor is built, sorted or unpacked; padded positions get what the padded
        computation gives them (the output bias). The first layer's input projection
        is read from tables folded into the embeddings (:meth:`_folded`) and the
        recurrence runs in :func:`_lstm_packed`: the same function as ``nn.LSTM``,
        equal up to float rounding.
        """
        words = batch["words"]
        b, n = words.shape
        lens = lengths.numpy()
        rows = np.argsort(-lens, kind="stable")
        steps = np.arange(n)
        running = lens[rows][None, :] > steps[:, None]           # (step, row), time-major
        flat = torch.from_numpy((rows[None, :] * n + steps[:, None])[running]).to(words.device)

        def take(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(b * n, *t.shape[2:]).index_select(0, flat)   # (a gather; indexing costs more)

        plan = self._folded()
        gaz = take(batch["gaz"]) if self.gaz_dim else None
        if c is None:                   # the vocabulary's features, and the CNN for the other units
            c = self._word_chars(plan, batch["vocab_chars"])
            at = take(batch["words"])
            unknown = torch.nonzero(at < 2).flatten()
            if len(unknown):
                rows, where = torch.unique(take(batch["surface_index"])[unknown], return_inverse=True)
                c = torch.cat([c, self._char_features(batch["surfaces"][rows], plan)])
                at = at.index_put((unknown,), where + self.word.num_embeddings)
        else:                           # per distinct surface of the batch
            at = take(batch["surface_index"])
        folded = [take(batch[name]) for name, _ in plan.offsets]
        others = {name: take(batch[name]) for name, _ in plan.dense if name not in ("char", "gaz")}
        # units with the same inputs (word, POS, char features, dictionary columns: chat text
        # repeats them) get the same input projection: computed once per distinct unit, then placed
        same = self._same_inputs(plan, folded, at, len(c), others, gaz)
        if same is not None:
            first, where = same
            folded = [f[first] for f in folded]
            at = at[first]
            others = {name: t[first] for name, t in others.items()}
            gaz_in = gaz[first] if gaz is not None else None
        else:
            gaz_in = gaz
        if plan.table is not None:      # every folded part at once: a sum of rows per unit
            ids = torch.stack([f + off for f, (_, off) in zip(folded, plan.offsets, strict=True)], dim=1)
            xg = nn.functional.embedding_bag(ids, plan.table, mode="sum")
        else:
            xg = plan.layers[0][1].expand(len(at), -1).clone()   # layer 0's biases
        dense = []                      # the other parts, multiplied by their weights at once
        for name, table in plan.dense:
            if name == "char":          # placed from the rows of c
                dense.append(c.index_select(0, at))
            elif name == "gaz":
                dense.append(gaz_in)
            else:
                dense.append(nn.functional.embedding(others[name], table))
        if dense:
            xg.addmm_(torch.cat(dense, dim=1) if len(dense) > 1 else dense[0], plan.weight)
        # repeated units: each step reads its units' rows of the distinct projections (no copy
        # of the projection per unit)
        h = _lstm_packed(xg, running.sum(axis=1).tolist(), plan.layers, same[1] if same is not None else None)
        em_units = self.out(h)
        if self.gaz_out is not None:
            em_units = em_units + self.gaz_out(gaz)
        em = self.out.bias.expand(b * n, em_units.shape[1]).clone()
        em.index_copy_(0, flat, em_units)
        return em.view(b, n, -1)

    def _same_inputs(self, plan: _Folded, folded: list[torch.Tensor], at: torch.Tensor, n_char_rows: int,
                     others: dict[str, torch.Tensor], gaz: torch.Tensor | None
                     ) -> tuple[torch.Tensor, torch.Tensor] | None:
        """``(first, where)``: one unit of each distinct combination of inputs (``first``) and,
        per unit, its combination (``where``), for :meth:`_packed_emissions` to project each
        combination once. The inputs are the folded parts' ids, the row of the char features
        (``at``), the other embedded parts' ids and the 0/1 dictionary columns, read as one
        number per unit. Each row of the projection is the same sums whichever rows sit
        beside it, so the placed rows are the ones the units would get. None when that
        number would not fit 62 bits, a dictionary column is not 0 or 1, or few units repeat.
        """
        parts = [*folded, at, *others.values()]
        sizes = [(plan.table.shape[0] if k + 1 == len(plan.offsets) else plan.offsets[k + 1][1]) - off
                 for k, (_, off) in enumerate(plan.offsets)] if plan.table is not None else []
        sizes += [n_char_rows] + [dict(plan.dense)[name].shape[0] for name in others]
        if gaz is not None:
            if gaz.shape[1] > 24:
                return None
            if gaz.device.type == "cpu":     # NumPy: several times less per call on these small arrays
                g = gaz.detach().numpy()
                if not ((g == 0) | (g == 1)).all():
                    return None
                # the columns as the bits of one number: sums of distinct powers of two below
                # 2 ** 24, exact in float32 whatever the order of the sum
                bits = (2.0 ** np.arange(g.shape[1])).astype(np.float32 if g.dtype == np.float32 else np.float64)
                parts.append(torch.from_numpy((g @ bits).astype(np.int64)))
            else:
                if not bool(((gaz == 0) | (gaz == 1)).all()):
                    return None
                parts.append((gaz.to(torch.int64) << torch.arange(gaz.shape[1], device=gaz.device)).sum(dim=1))
            sizes.append(1 << gaz.shape[1])
        bound = 1
        for size in sizes:
            bound *= max(int(size), 1)
        if bound >= 1 << 62 or len(at) < 2:
            return None
        if at.device.type == "cpu":     # NumPy: its unique costs half of torch's here
            key_np = parts[0].numpy().astype(np.int64)
            for part, size in zip(parts[1:], sizes[1:], strict=True):
                key_np *= size
                key_np += part.numpy()
            uniq_np, where_np = np.unique(key_np, return_inverse=True)
            if len(uniq_np) > 0.8 * len(key_np):
                return None
            first_np = np.empty(len(uniq_np), dtype=np.int64)
            first_np[where_np.reshape(-1)] = np.arange(len(key_np))    # any unit of each combination
            return torch.from_numpy(first_np), torch.from_numpy(where_np.reshape(-1).astype(np.int64))
        key = parts[0].clone()
        for part, size in zip(parts[1:], sizes[1:], strict=True):
            key.mul_(size).add_(part)
        uniq, where = torch.unique(key, return_inverse=True)
        if len(uniq) > 0.8 * len(key):
            return None
        first = torch.empty(len(uniq), dtype=torch.int64, device=key.device).scatter_(
            0, where, torch.arange(len(key), device=key.device))
        return first, where

    def _folded(self) -> _Folded:
        """The LSTM's inference weights, built once per state of the parameters.

        Layer 0's input projection ``W_ih x`` is a sum over the concatenated input
        parts; for an embedding part it is a lookup in ``E @ W_part^T``, precomputed
        here (when that table stays under :data:`FOLD_MAX` floats, else kept as a
        product). Gates are reordered to ``i, f, o, g`` so one sigmoid and one tanh
        cover them. Rebuilt whenever a parameter changes (training, loading).
        """
        # the parameters the plan is made of, read directly (self.parameters() walks
        # every submodule, a cost a single parse would pay each time)
        mods = (self.word, self.pos, self.unit_char, self.bigram, self.lstm, self.char, self.conv,
                self.out, self.gaz_out)
        key = tuple((id(p), p._version) for m in mods if m is not None
                    for p in m._parameters.values() if p is not None)
        cached = self.__dict__.get("_folded_cache")
        if cached is not None and cached[0] == key:
            return cached[1]
        with torch.no_grad():
            plan = self._build_folded()
        self.__dict__["_folded_cache"] = (key, plan)
        return plan

    def _build_folded(self) -> _Folded:
        lstm = self.lstm
        h = lstm.hidden_size
        perm = torch.cat([torch.arange(0, 2 * h), torch.arange(3 * h, 4 * h), torch.arange(2 * h, 3 * h)])
        layers = []
        for k in range(lstm.num_layers):
            w_ih, w_hh, bias = [], [], []
            for sfx in ("", "_reverse"):
                w_ih.append(getattr(lstm, f"weight_ih_l{k}{sfx}")[perm])
                w_hh.append(getattr(lstm, f"weight_hh_l{k}{sfx}")[perm].t().contiguous())
                bias.append((getattr(lstm, f"bias_ih_l{k}{sfx}") + getattr(lstm, f"bias_hh_l{k}{sfx}"))[perm])
            layers.append((torch.cat(w_ih).t().contiguous(), torch.cat(bias), w_hh))
        w0, bias0, _ = layers[0]
        widths = [("words", self.word), ("char", None), ("pos", self.pos)]
        if self.unit_char is not None:
            widths.append(("unit_chars", self.unit_char))
        if self.bigram is not None:
            widths.append(("bigrams", self.bigram))
        if self.gaz_dim:
            widths.append(("gaz", None))
        dense, weights, folded, offsets, at, rows = [], [], [], [], 0, 0
        for name, emb in widths:
            d = self.conv.out_channels if name == "char" else self.gaz_dim if name == "gaz" else emb.embedding_dim
            w = w0[at:at + d]
            at += d
            if emb is not None and emb.num_embeddings * w.shape[1] <= FOLD_MAX:
                folded.append(emb.weight @ w)
                offsets.append((name, rows))
                rows += emb.num_embeddings
            else:
                dense.append((name, None if emb is None else emb.weight))
                weights.append(w)
        table = None
        if folded:              # the biases ride on the first folded part's rows
            folded[0] = folded[0] + bias0
            table = torch.cat(folded)
        return _Folded(table, offsets, dense, torch.cat(weights) if weights else None, layers,
                       self._build_char_table())

    def _build_char_table(self) -> torch.Tensor | None:
        """The char CNN folded into per-offset tables (see :meth:`_char_folded`), or None if too big."""
        conv, emb = self.conv, self.char.weight
        k = conv.kernel_size[0]
        if (emb.shape[0] + 1) * k * conv.out_channels > FOLD_MAX or conv.stride[0] != 1 or conv.dilation[0] != 1:
            return None
        zero = emb.new_zeros(1, conv.out_channels)
        blocks = [torch.cat([emb @ conv.weight[:, :, j].T, zero]) for j in range(k)]
        if conv.bias is not None:   # every window has an offset 0 (its zero row too)
            blocks[0] = blocks[0] + conv.bias
        return torch.cat(blocks).contiguous()


FOLD_MAX = 1 << 23   # floats (32 MiB) in one folded embedding table; larger ones stay a product
# rows from which inference takes the folded path; below, nn.LSTM's own loop costs less
# (per row, 1 row: 544 vs 655 us, 16: 77 vs 79, 32: 54 vs 52, 64: 38 vs 33)
FOLDED_MIN_ROWS = 24


class _Folded:
    """Inference weights of :class:`_Net`'s LSTM (see :meth:`_Net._folded`).

    ``layers`` holds, per layer, ``(W_ih^T, bias, [W_hh^T forward, W_hh^T backward])`` with
    gates ``i, f, o, g``; the packed path reads layer 0's input part from ``table`` and
    ``dense`` instead of ``W_ih^T``, and the char CNN's features from ``char`` (None when
    too big: the convolution runs).
    """

    __slots__ = ("table", "offsets", "dense", "weight", "layers", "char", "_numpy", "_weights", "word_chars")

    def __init__(self, table: torch.Tensor | None, offsets: list[tuple[str, int]],
                 dense: list[tuple[str, Any]], weight: torch.Tensor | None, layers: list[Any],
                 char: torch.Tensor | None = None) -> None:
        self.table, self.offsets, self.dense, self.weight, self.layers = table, offsets, dense, weight, layers
        self.char = char
        self.word_chars: tuple[torch.Tensor, torch.Tensor | None] | None = None   # see _Net._word_chars
        self._numpy: list[Any] | None = None
        self._weights: dict[str, np.ndarray] | None = None

    def numpy_weights(self, net: _Net) -> dict[str, np.ndarray]:
        """The other weights :meth:`_Net._emissions_one` reads, as NumPy views (made once)."""
        if self._weights is None:
            def view(t: torch.Tensor) -> np.ndarray:
                return t.detach().numpy()
            conv = net.conv
            w = {"char": view(net.char.weight), "word": view(net.word.weight), "pos": view(net.pos.weight),
                 "conv": view(conv.weight).reshape(conv.out_channels, -1).T, "conv_bias": view(conv.bias),
                 "out": view(net.out.weight).T, "out_bias": view(net.out.bias)}
            if net.unit_char is not None:
                w["unit_char"] = view(net.unit_char.weight)
            if net.bigram is not None:
                w["bigram"] = view(net.bigram.weight)
            if net.gaz_out is not None:
                w["gaz_out"] = view(net.gaz_out.weight).T
            self._weights = w
        return self._weights

    def numpy_layers(self) -> list[Any]:
        """Every layer's ``(W_ih^T, bias, [W_hh^T forward, backward])`` as NumPy arrays."""
        if self._numpy is None:
            self._numpy = [(w_ih.numpy(), bias.numpy(), [w.numpy() for w in w_hh])
                           for w_ih, bias, w_hh in self.layers]
        return self._numpy


def _lstm_one(x: np.ndarray, layers: Sequence[Any]) -> np.ndarray:
    """The bidirectional LSTM over one sentence ``x`` (units × input), in NumPy.

    ``layers`` as :meth:`_Folded.numpy_layers` gives them (gates ``i, f, o, g``). For
    the few units of one chatbot sentence, NumPy's cost per operation is a fraction of
    torch's, and this is the whole recurrence of a single parse.
    """
    out = x
    for w_ih, bias, w_hh in layers:
        with np.errstate(over="ignore"):       # exp(-gate) may overflow to inf: sigmoid 0, exact
            out = _lstm_one_layer(out @ w_ih + bias, w_hh)
    return out


def _lstm_one_layer(xg: np.ndarray, w_hh: Sequence[np.ndarray]) -> np.ndarray:
    """One bidirectional layer of :func:`_lstm_one` from its input projections ``xg``."""
    n, hid = len(xg), w_hh[0].shape[0]
    out = np.empty((n, 2 * hid), dtype=np.float32)
    for d, steps in ((0, range(n)), (1, range(n - 1, -1, -1))):
        g0, whh = d * 4 * hid, w_hh[d]
        h = np.zeros(hid, dtype=np.float32)
        c = np.zeros(hid, dtype=np.float32)
        for t in steps:
            gates = xg[t, g0:g0 + 4 * hid] + h @ whh
            s = 1.0 / (1.0 + np.exp(-gates[:3 * hid]))
            c = s[hid:2 * hid] * c + s[:hid] * np.tanh(gates[3 * hid:])
            h = s[2 * hid:] * np.tanh(c)
            out[t, d * hid:(d + 1) * hid] = h
    return out


def _lstm_packed(xg: torch.Tensor, sizes: list[int], layers: Sequence[Any],
                 where: torch.Tensor | None = None) -> torch.Tensor:
    """A bidirectional LSTM over a packed (time-major, longest row first) batch, inference only.

    ``xg`` holds layer 0's input projections plus biases, ``(units, 8H)``: forward gates
    then backward gates, each ordered ``i, f, o, g``. ``layers`` holds, per layer,
    ``(W_ih^T, bias, [W_hh^T forward, W_hh^T backward])`` (the first layer's input part
    unused). Row ``r`` of step ``t`` continues row ``r`` of the step before, as rows
    are sorted by length; the backward pass meets new rows (with zero state) as it
    walks back. Returns the last layer's ``(units, 2H)`` outputs.

    With ``where``, ``xg`` holds distinct projections and unit ``u``'s is row ``where[u]``
    (:meth:`_Net._same_inputs`): each step gathers its units' rows (the copy ``addmm``
    makes of its input anyway) instead of a copy of ``xg`` per unit made first; the same
    numbers bit for bit.
    """
    offs = [0]
    for k in sizes:
        offs.append(offs[-1] + k)
    units = offs[-1]
    out = xg
    for depth, (w_ih, bias, w_hh) in enumerate(layers):
        if depth:
            xg = torch.addmm(bias, out, w_ih)
            where = None
        hid = w_hh[0].shape[0]
        out = xg.new_empty(units, 2 * hid)
        for d, steps in ((0, range(len(sizes))), (1, range(len(sizes) - 1, -1, -1))):
            g0, g3 = d * 4 * hid, d * 4 * hid + 3 * hid
            h = xg.new_zeros(sizes[0], hid)
            c = xg.new_zeros(sizes[0], hid)
            # the sigmoid gates and the tanh gate in two products: each activation then
            # runs over a contiguous block (a strided slice costs it about twice as much)
            w_s, w_g = (w.contiguous() for w in w_hh[d].split([3 * hid, hid], dim=1))
            if where is not None:
                x_s, x_g = xg[:, g0:g3].contiguous(), xg[:, g3:g3 + hid].contiguous()
            for t in steps:
                k, o = sizes[t], offs[t]
                hk = h[:k]
                if where is None:
                    s = torch.addmm(xg[o:o + k, g0:g3], hk, w_s).sigmoid_()
                    g = torch.addmm(xg[o:o + k, g3:g3 + hid], hk, w_g).tanh_()
                else:       # the rows of the step's units, then the product added in place
                    at = where[o:o + k]
                    s = x_s.index_select(0, at).addmm_(hk, w_s).sigmoid_()
                    g = x_g.index_select(0, at).addmm_(hk, w_g).tanh_()
                ck = c[:k]
                ck.mul_(s[:, hid:2 * hid]).addcmul_(s[:, :hid], g)
                torch.tanh(ck, out=hk)
                hk.mul_(s[:, 2 * hid:])
                out[o:o + k, d * hid:(d + 1) * hid] = hk
    return out


def _decoded_spans(best: np.ndarray, lengths: np.ndarray, tags: Sequence[str], outside: int
                   ) -> tuple[np.ndarray, list[tuple[int, int, int, str]]]:
    """The labelled runs of Viterbi paths ``best`` (B, L): the rows holding any, and
    ``(index into those rows, start unit, end unit, label)`` per run (:func:`_decoded_runs`)."""
    hit_rows, rows, starts, ends, opener = _decoded_runs(best, lengths, tags, outside)
    return hit_rows, list(zip(rows.tolist(), starts.tolist(), ends.tolist(),
                              [tags[t][2:] for t in opener.tolist()], strict=True))


def _decoded_runs(best: np.ndarray, lengths: np.ndarray, tags: Sequence[str], outside: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The labelled runs of Viterbi paths ``best`` (B, L), as arrays: the rows holding any
    (``hit_rows``), then per run the index into those rows, its start and end unit and the tag
    that opens it (its label is ``tags[tag][2:]``), in row then start order.

    A run opens at any tag but O and goes on over ``I-`` of its label: a unit continues the
    run before it when its tag is ``I-`` + the label of the unit before (not O); the rule of
    the plain loop (:func:`_decoded_runs_plain`) computed for all rows at once.
    """
    t = len(tags)
    follows = np.zeros((t, t), dtype=bool)              # [previous tag, tag]
    for a, prev in enumerate(tags):
        if a != outside:
            inside = "I-" + prev[2:]
            for c, tag in enumerate(tags):
                follows[a, c] = tag == inside
    valid = np.arange(best.shape[1])[None, :] < lengths[:, None]
    tagged = (best != outside) & valid
    hit_rows = np.flatnonzero(tagged.any(axis=1))
    seq, tagged, valid = best[hit_rows], tagged[hit_rows], valid[hit_rows]
    cont = np.zeros_like(tagged)
    cont[:, 1:] = follows[seq[:, :-1], seq[:, 1:]] & valid[:, 1:]
    rows, starts = np.nonzero(tagged & ~cont)
    last = tagged.copy()                               # the last unit of each run
    last[:, :-1] &= ~cont[:, 1:]
    ends = np.nonzero(last)[1] + 1
    return hit_rows, rows, starts, ends, seq[rows, starts]


def _decoded_runs_plain(best: np.ndarray, lengths: np.ndarray, tags: Sequence[str], outside: int
                        ) -> tuple[np.ndarray, list[tuple[int, int, int, str]]]:
    """:func:`_decoded_spans` by a loop over each row's tags: the reference its tests compare with."""
    tagged = (best != outside) & (np.arange(best.shape[1])[None, :] < lengths[:, None])
    hit_rows = np.flatnonzero(tagged.any(axis=1))
    firsts = tagged[hit_rows].argmax(axis=1).tolist()
    found: list[tuple[int, int, int, str]] = []
    for r, (j, n, seq) in enumerate(zip(firsts, lengths[hit_rows].tolist(), best[hit_rows].tolist(),
                                        strict=True)):
        while j < n:
            tag = tags[seq[j]]
            if tag == "O":
                j += 1
                continue
            label = tag[2:]
            inside = "I-" + label
            e = j + 1
            while e < n and tags[seq[e]] == inside:
                e += 1
            found.append((r, j, e, label))
            j = e
    return hit_rows, found


def _viterbi(em: np.ndarray, lengths: np.ndarray, start: np.ndarray, trans: np.ndarray,
             end: np.ndarray) -> np.ndarray:
    """Best tag sequence per row of ``em`` (B, L, T); padded positions hold 0.

    NumPy rather than torch: for the short sequences of chatbot input the per-step
    cost is dominated by call overhead, which NumPy keeps several times lower. Rows
    are visited in length order so that step ``i`` works on the contiguous block of
    rows still longer than ``i`` only. Scores are kept tag-major (T, rows), so the
    maximum over the previous tag runs across whole slabs (an ``argmax`` over a short
    last axis costs several times more); see :func:`_first_max` for which tag wins.
    The scores compared are the same sums and ties go to the lowest tag, as ``argmax``
    gives them, so the path is the same.
    """
    b, n, t = em.shape
    if b == 1:
        return _viterbi_one(em[0, :int(lengths[0])], start, trans, end, n)[None, :]
    order, em, lengths = _by_length(em, lengths)
    first = np.searchsorted(lengths, np.arange(n), side="right")  # rows [first[i]:] have length > i
    em_t = np.ascontiguousarray(em.transpose(1, 2, 0))         # (L, T, B): step, tag, row
    trans3 = np.ascontiguousarray(trans)[:, :, None]            # [from, to, row]
    score = start[:, None] + em_t[0]                             # (T, B)
    history = np.zeros((max(n - 1, 0), t, b), dtype=np.intp)
    for i in range(1, n):
        k = first[i]
        if k >= b:
            break
        cand = score[:, None, k:] + trans3                       # (from, to, rows)
        best = cand.max(axis=0)
        history[i - 1, :, k:] = _first_max(cand, best)
        score[:, k:] = best + em_t[i, :, k:]
    cur = (score + end[:, None]).T.argmax(axis=1)
    tags = np.zeros((b, n), dtype=np.int64)
    for i in range(n - 1, 0, -1):
        k = first[i]
        if k >= b:
            continue
        c = cur[k:]
        tags[k:, i] = c
        cur[k:] = history[i - 1][c, np.arange(k, b)]
    tags[:, 0] = cur
    return tags if order is None else tags[np.argsort(order)]


#: per number of tags T, the powers of two _first_max weighs the tags with (2 ** (T - 1) ... 1)
_POWERS: dict[int, np.ndarray] = {}


def _first_max(cand: np.ndarray, best: np.ndarray) -> np.ndarray:
    """``cand.argmax(axis=0)`` given ``best = cand.max(axis=0)``: the lowest index holding the maximum.

    Each index ``f`` holding it adds ``2 ** (T - 1 - f)`` to a sum (exact in floats), whose
    highest bit is the lowest such index: a product and an exponent instead of
    NumPy's argmax over a short axis.
    """
    t = cand.shape[0]
    if t > 53:   # beyond float64's exact integers
        return cand.argmax(axis=0)
    weights = _POWERS.get(t)
    if weights is None:
        weights = _POWERS[t] = (2.0 ** np.arange(t - 1, -1, -1)).astype(np.float32 if t <= 24 else np.float64)
    # (the 0/1 read as the weights' floats by the product itself: no float copy made first)
    code = weights @ (cand == best).reshape(t, -1)
    if not code.all():   # no index holds the maximum: NaN scores
        return cand.argmax(axis=0)
    return (t - np.frexp(code)[1]).reshape(best.shape)


def _viterbi_one(em: np.ndarray, start: np.ndarray, trans: np.ndarray, end: np.ndarray,
                 width: int) -> np.ndarray:
    """:func:`_viterbi` of one sentence (``em`` its real units): the same sums, fewer calls."""
    n, t = em.shape
    trans_t = trans.T
    tos = np.arange(t)
    score = start + em[0]
    history = []
    for i in range(1, n):
        cand = score[None, :] + trans_t                          # (to, from)
        arg = cand.argmax(axis=1)
        history.append(arg)
        score = cand[tos, arg] + em[i]
    cur = int((score + end).argmax())
    tags = np.zeros(width, dtype=np.int64)
    for i in range(n - 1, 0, -1):
        tags[i] = cur
        cur = int(history[i - 1][cur])
    tags[0] = cur
    return tags


def _by_length(em: np.ndarray, lengths: np.ndarray
               ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """``em`` and ``lengths`` with rows in ascending length (order None when already so)."""
    if len(lengths) < 2 or bool(np.all(lengths[1:] >= lengths[:-1])):
        return None, em, lengths
    order = np.argsort(lengths, kind="stable")
    return order, em[order], lengths[order]


def _forward_backward(em: np.ndarray, lengths: np.ndarray, start: np.ndarray, trans: np.ndarray,
                      end: np.ndarray) -> tuple[_LogScaled, _LogScaled, np.ndarray]:
    """Log alpha (B, L, T) including emissions, log beta (B, L, T) excluding them, log Z (B).

    The two log arrays are :class:`_LogScaled` (index them, or ``np.asarray`` them).

    Computed in probability space with per-step rescaling (matrix products instead of
    log-sum-exp, float64), exact up to rounding and much cheaper. Rows are visited in
    length order so that each step computes only the rows still running; padded
    positions hold -inf.
    """
    b, n, t = em.shape
    order, em, lengths = _by_length(em, lengths)
    em = em.astype(np.float64)
    first = np.searchsorted(lengths, np.arange(n), side="right")  # rows [first[i]:] have length > i
    e_trans = np.exp(trans.astype(np.float64))      # forbidden moves become exactly 0
    e_trans_t = np.ascontiguousarray(e_trans.T)
    m = _max_last(em)                               # (B, L) per-step shift
    p = np.exp(em - m[:, :, None])
    s0 = float(start.max())
    a = np.exp(start.astype(np.float64) - s0) * p[:, 0]
    norm = a.sum(axis=1)
    a = a / norm[:, None]
    logc = m[:, 0] + s0 + np.log(norm)
    alphas = np.zeros((b, n, t))
    logcs = np.zeros((b, n))
    alphas[:, 0], logcs[:, 0] = a, logc
    for i in range(1, n):
        k = first[i]
        if k >= b:
            break
        nxt = (a[k:] @ e_trans) * p[k:, i]
        norm = nxt.sum(axis=1)
        a[k:] = nxt / norm[:, None]
        logc[k:] = logc[k:] + m[k:, i] + np.log(norm)
        alphas[k:, i], logcs[k:, i] = a[k:], logc[k:]
    e0 = float(end.max())
    e_end = np.exp(end.astype(np.float64) - e0)
    log_z = logc + e0 + np.log((a * e_end).sum(axis=1))
    betas = np.zeros((b, n, t))
    logds = np.zeros((b, n))
    bb, d = np.tile(e_end, (b, 1)), np.full(b, e0)
    last = lengths - 1
    betas[np.arange(b), last] = e_end
    logds[np.arange(b), last] = e0
    for i in range(n - 2, -1, -1):
        k = first[i + 1]
        if k >= b:
            continue
        cand = (p[k:, i + 1] * bb[k:]) @ e_trans_t
        norm = cand.sum(axis=1)
        bb[k:] = cand / norm[:, None]
        d[k:] = d[k:] + m[k:, i + 1] + np.log(norm)
        betas[k:, i], logds[k:, i] = bb[k:], d[k:]
    if order is not None:
        back = np.argsort(order)
        alphas, logcs, betas, logds, log_z = alphas[back], logcs[back], betas[back], logds[back], log_z[back]
    return _LogScaled(alphas, logcs), _LogScaled(betas, logds), log_z


def _max_last(x: np.ndarray) -> np.ndarray:
    """``x.max(axis=-1)`` as a running ``np.maximum`` over the slices of the last axis: the same
    values (a maximum is exact, NaN wins either way), several times faster for a short last axis
    (13 tags: 44 vs 247 us on 300 × 20 rows)."""
    out = x[..., 0].copy()
    for j in range(1, x.shape[-1]):
        np.maximum(out, x[..., j], out=out)
    return out


class _LogScaled:
    """``log(values) + logs[..., None]`` as an array indexed lazily (``[rows, steps(, tags)]``).

    Forward-backward keeps rescaled probabilities and their per-step log scales; the
    logarithm is taken only where a span's marginal reads it, not over the whole
    (B, L, T) block.
    """

    __slots__ = ("values", "logs")

    def __init__(self, values: np.ndarray, logs: np.ndarray) -> None:
        self.values, self.logs = values, logs

    def __getitem__(self, index: tuple[Any, ...]) -> np.ndarray:
        with np.errstate(divide="ignore"):
            if len(index) == 3:
                return np.log(self.values[index]) + self.logs[index[:2]]
            return np.log(self.values[index]) + self.logs[index][..., None]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        with np.errstate(divide="ignore"):
            out = np.log(self.values) + self.logs[:, :, None]
        return out if dtype is None else out.astype(dtype)


def _offsets_of(parsed: list[str], counts: np.ndarray, total: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The starts and ends of every token of many texts (flat, text after text) from each text's
    :class:`TokenColumns` ``parsed`` (MeCab's spaces, surface and tag per token, each ended by
    U+001F) and ``counts`` of tokens: what each text's ``starts`` and ``ends`` sum, in arrays, from
    the lengths of the fields of all texts joined. None when they are not three per token."""
    n = len(counts)
    codes = np.frombuffer("".join(parsed).encode("utf-32-le"), dtype=np.uint32)
    cut = np.flatnonzero(codes == 0x1F)    # where each field ends
    if len(cut) != 3 * total:
        return None
    spaces, surface, tag = cut[0::3], cut[1::3], cut[2::3]   # where each token's fields end
    size = surface - spaces - 1
    after = np.empty_like(tag)             # where the field before its spaces ended
    after[:1] = -1
    after[1:] = tag[:-1]
    ends = np.cumsum(spaces - after - 1 + size)
    first = np.cumsum(counts) - counts     # each text's first token
    before = np.zeros(n, dtype=np.int64)   # what the texts before it summed
    later = first > 0
    before[later] = ends[first[later] - 1]
    ends -= np.repeat(before, counts)
    return ends - size, ends


def _length_batches(indices: Sequence[int], lengths: Sequence[int], size: int,
                    rng: np.random.RandomState) -> list[list[int]]:
    """Shuffled batches of ``indices`` of similar length (sorted within chunks of 50 batches)."""
    order = [indices[j] for j in rng.permutation(len(indices))]
    batches: list[list[int]] = []
    for c in range(0, len(order), size * 50):
        chunk = sorted(order[c:c + size * 50], key=lambda i: lengths[i])
        batches += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def _iob_constraints(tags: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Allowed transition matrix ``[from, to]`` and allowed start tags for IOB2."""
    n = len(tags)
    allowed = torch.ones(n, n, dtype=torch.bool)
    start = torch.ones(n, dtype=torch.bool)
    for j, to in enumerate(tags):
        if not to.startswith("I-"):
            continue
        start[j] = False
        label = to[2:]
        for i, frm in enumerate(tags):
            if frm[2:] != label or frm == "O":
                allowed[i, j] = False
    return allowed, start


def _span_f1(gold: Sequence[set[tuple[int, int, str]]], pred: Sequence[set[tuple[int, int, str]]]
             ) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=False))
    n_gold = sum(len(g) for g in gold)
    n_pred = sum(len(p) for p in pred)
    if n_gold == 0 and n_pred == 0:
        return 1.0
    return 2 * tp / (n_gold + n_pred) if (n_gold + n_pred) else 0.0


class EntityTagger:
    """BiLSTM-CRF tagger; ``fit`` then ``predict`` spans, or ``load`` a saved one."""

    def __init__(self, **params: Any) -> None:
        unknown = sorted(set(params) - set(DEFAULTS))
        if unknown:
            raise ModelError(f"unknown tagger parameter(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(DEFAULTS))}")
        self.params: dict[str, Any] = {**DEFAULTS, **params}

    # ------------------------------------------------------------------ features
    def check_params(self, folders: bool = True) -> None:
        """Refuse settings no fit can use, naming the setting (``nlukit train`` calls this
        before anything trains, so a typo does not wait for Word2Vec and the intent model).
        ``folders=False`` leaves the ``pretrained`` folder unchecked (a retraining can start from
        the old bundle's encoder, see :meth:`fit`)."""
        p = self.params
        if p["unit"] not in ("morpheme", "char"):
            raise ModelError(f"tagger unit must be 'morpheme' or 'char', got {p['unit']!r}")
        if p["char_position"] not in ("BI", "BIES"):
            raise ModelError(f"tagger char_position must be 'BI' or 'BIES', got {p['char_position']!r}")
        check_training_params(p, "tagger", ("hidden", "layers", "epochs", "batch_size", "eval_batch_size",
                                            "min_updates"))
        if p.get("pretrained"):
            self._check_encoder_params(folders)

    def _check_encoder_params(self, folders: bool = True) -> None:
        """The ``pretrained`` folder (a fast tokenizer and a config there) and the encoder's settings."""
        from . import pretrained
        p = self.params
        if folders:
            pretrained.check_tokenizer(p["pretrained"], "tagger.pretrained")
        lr, max_len = p["encoder_lr"], p["encoder_max_len"]
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
            raise ModelError(f"[tagger] encoder_lr must be a number above 0 (e.g. 3e-5), got {lr!r}")
        if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 3:
            raise ModelError(f"[tagger] encoder_max_len must be an integer of at least 3 (subwords), "
                             f"got {max_len!r}")
        if not isinstance(p["freeze_encoder"], bool):
            raise ModelError(f"[tagger] freeze_encoder must be true or false, got {p['freeze_encoder']!r}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "net_"):
            raise NotFittedError("the entity tagger is not trained; call fit() or EntityTagger.load()")

    def _units(self, text: str, tokens: Sequence[Token], spans: Sequence[Span] = (),
               exclude: frozenset[str] = frozenset()) -> _Units:
        """Tagging units and their gazetteer features; the same code at fit and predict.

        Morpheme units are the tokens split at dictionary-match boundaries (and, when
        ``spans`` are given at fit time, at gold span boundaries so every gold span is
        a run of whole units).
        """
        gaz: Gazetteer = self.gazetteer_
        fold = self.params.get("fold_case")
        folded = fold_ascii_case(text) if fold else text
        if folded is not text:   # one character for one: the offsets stay
            text = folded
            tokens = [Token(fold_ascii_case(t.surface), t.pos, t.start, t.end) for t in tokens]
        if self.params["unit"] == "char":
            toks = [t for t in tokens if t.end > t.start]
            matches = gaz.find(text, [t.start for t in toks], exclude) if len(gaz) else []
            starts, words, pos = [], [], []
            bies = self.params["char_position"] == "BIES"
            for t in toks:
                for i in range(t.start, t.end):
                    starts.append(i)
                    words.append(t.surface)
                    if bies:
                        place = ("S" if t.end - t.start == 1 else "B" if i == t.start else
                                 "E" if i == t.end - 1 else "I")
                    else:
                        place = "B" if i == t.start else "I"
                    pos.append(f"{t.pos}/{place}{'_' if i == 0 or text[i - 1] == ' ' else ''}")
            ends = [i + 1 for i in starts]
            chars = [text[i] for i in starts]
            bigrams = [text[i:i + 2] for i in starts]
        else:
            toks = tokens
            if type(toks) is TokenColumns:   # a batch's tokens, already in columns
                words, tags, starts, ends = toks.surfaces, toks.tags, toks.starts, toks.ends
                if any(map(operator.ge, starts, ends)):
                    toks = [t for t in tokens if t.end > t.start]
                    if toks:
                        words, tags, starts, ends = zip(*toks, strict=True)
            elif toks:
                # the columns as tuples (one zip), lists only where they are built anyway
                words, tags, starts, ends = zip(*toks, strict=True)
                if any(map(operator.ge, starts, ends)):      # empty tokens carry nothing: drop them
                    toks = [t for t in tokens if t.end > t.start]
                    if toks:
                        words, tags, starts, ends = zip(*toks, strict=True)
            if not toks:
                return _Units([], [], [], [], [], [], [], self._gaz_dim())
            if not len(gaz):
                matches = []
            elif exclude or not all(map(operator.lt, starts, starts[1:])):
                matches = gaz.find(text, starts, exclude)
            else:   # token starts in order (a tokenizer's): the scan find would run, on the folded text
                matches = gaz._scan(text if fold else fold_ascii_case(text), starts)
            if matches or spans:
                # a match starts at a token start (the only places searched): its end may cut
                cuts = {m[1] for m in matches}
                if spans:
                    cuts.update(c for s in spans for c in (s.start, s.end))
                # most matches already fall on token boundaries: split only if needed
                cuts.difference_update(starts)
                cuts.difference_update(ends)
                if cuts:
                    words, tags, starts, ends = zip(*split_at(toks, cuts), strict=True)
            # "_" marks a unit that starts a word (text start or after a space)
            # (text[-1] for the first unit is read, but a unit at 0 takes the mark either way)
            pos = [t + "_" if text[s - 1] == " " or not s else t for t, s in zip(tags, starts, strict=True)]
            chars, bigrams = [], []
        k = len(self.gaz_types_)
        return _Units(starts, ends, words, pos, chars, bigrams,
                      self._gaz_hits(starts, ends, matches) if matches else [], 2 * k + 1 if k else 0)

    def _flat_units(self, items: Sequence[Item]) -> _FlatUnits | None:
        """:meth:`_units` of every item at once, in flat arrays (a batch parse's route).

        The texts are joined by NUL (which normalised text never holds, nor a dictionary
        surface: checked) into one text folded once and scanned once from every token start;
        word starts, POS ids, dictionary columns and vocabulary ids are read with arrays, the
        vocabulary once per distinct surface. A text whose tokens are not plain columns (not
        :class:`TokenColumns`, empty, out of order, overlapping, not spelling their offsets,
        past the text) or that a dictionary match cuts inside a token is cut by :meth:`_units`
        itself and its units appended. None (the plain route) for ``char`` units, texts with NUL, or
        items mostly not in columns.
        """
        if self.params["unit"] != "morpheme" or len(items) < FLAT_MIN_ITEMS:
            return None
        given = list(map(_SECOND, items))
        kinds = list(map(type, given))
        n_cols = kinds.count(TokenColumns)
        if 2 * n_cols < len(items):
            return None     # mostly token lists (fit's validation, a caller's own tokens): the plain way
        gaz: Gazetteer = self.gazetteer_
        if len(gaz) and gaz.holds("\x00"):
            return None
        texts = list(map(_FIRST, items))
        big = "\x00".join(texts)
        if big.count("\x00") != len(texts) - 1:
            return None
        n = len(items)
        at = None
        upper = np.zeros(n, dtype=bool)  # texts whose surfaces _units folds: those with Latin capitals
        try:
            codes = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32)
        except UnicodeEncodeError:      # a lone surrogate (normalised text has none)
            return None
        # the dictionary is matched on folded text (as _units does with or without fold_case); the
        # units' words are folded too with fold_case, in the texts that had capitals
        capital = (codes >= 65) & (codes <= 90)            # A-Z, as fold_ascii_case reads them
        if capital.any():
            if self.params.get("fold_case"):
                at = np.flatnonzero(capital)
            codes = codes + np.where(capital, np.uint32(32), np.uint32(0))
            big = codes.tobytes().decode("utf-32-le")
        cols = given if n_cols == n else [c if k is TokenColumns else _NO_COLUMNS for c, k in
                                          zip(given, kinds, strict=True)]
        parsed = list(map(_PARSED, cols))
        summed = None
        if None not in parsed:          # columns_many's: the offsets summed from all MeCab's output at once
            counts = np.fromiter(map(len, map(_SURFACES, cols)), dtype=np.int64, count=n)
            total = int(counts.sum())
            summed = _offsets_of(parsed, counts, total)
        if summed is not None:
            starts, ends = summed
        else:                           # columns given their offsets
            counts = np.fromiter((len(c.starts) for c in cols), dtype=np.int64, count=n)
            total = int(counts.sum())
            starts = np.fromiter(chain.from_iterable(c.starts for c in cols), dtype=np.int64, count=total)
            ends = np.fromiter(chain.from_iterable(c.ends for c in cols), dtype=np.int64, count=total)
        owner = np.repeat(np.arange(n), counts)
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        offset = np.zeros(n, dtype=np.int64)
        np.cumsum(lens[:-1] + 1, out=offset[1:])
        if at is not None:
            upper[np.searchsorted(offset, at, side="right") - 1] = True
        surfaces = list(chain.from_iterable(map(_SURFACES, cols)))
        tags = list(chain.from_iterable(map(_TAGS, cols)))
        # texts _units cuts itself: not columns, or tokens that are not in order, side by side, inside the text
        plain = np.fromiter((k is not TokenColumns for k in kinds), dtype=bool, count=n) if n_cols < n \
            else np.zeros(n, dtype=bool)
        bad = (starts >= ends) | (starts < 0) | (ends > lens[owner])
        if summed is None:              # (summed ones are as long as their surfaces)
            bad |= np.fromiter(map(len, surfaces), dtype=np.int64, count=total) != ends - starts
        same = owner[1:] == owner[:-1]
        bad[1:] |= same & (starts[1:] < ends[:-1])
        plain[owner[bad]] = True
        gstarts, gends = starts + offset[owner], ends + offset[owner]
        keep = ~plain[owner]
        matches = gaz._scan_codes(big, codes, gstarts[keep]) if len(gaz) else []
        if matches:
            m_start = np.fromiter(map(_FIRST, matches), dtype=np.int64, count=len(matches))
            m_end = np.fromiter(map(_SECOND, matches), dtype=np.int64, count=len(matches))
            # a match ending inside a token cuts it: _units splits that text
            cut = ~(np.isin(m_end, gstarts[keep]) | np.isin(m_end, gends[keep]))
            if cut.any():
                plain[np.searchsorted(offset, m_start[cut], side="right") - 1] = True
                keep = ~plain[owner]
                fine = ~plain[np.searchsorted(offset, m_start, side="right") - 1]
                matches = [m for m, ok in zip(matches, fine.tolist(), strict=True) if ok]
                m_start, m_end = m_start[fine], m_end[fine]
        # the units of the texts cut here: their tokens
        reg = np.flatnonzero(keep)
        sizes = np.where(plain, 0, counts)
        first = np.zeros(n, dtype=np.int64)
        np.cumsum(sizes[:-1], out=first[1:])
        u_starts, u_ends = starts[reg], ends[reg]
        g_starts = gstarts[reg]
        # a unit starts a word at the text's start or after a space
        marked = (u_starts == 0) | (codes[g_starts - 1] == 32)
        # POS ids and rows of distinct surfaces (numbered in order of first appearance): one
        # dictionary lookup per token (of every text), in C (map over the dictionary's __getitem__)
        tag_index: dict[str, int] = dict(zip(dict.fromkeys(tags), numbered()))
        tag_of = np.fromiter(map(tag_index.__getitem__, tags), dtype=np.int64, count=total)[reg]
        pget = self.pos_.stoi.get
        tag_ids = np.array([[pget(t, 1), pget(t + "_", 1)] for t in tag_index], dtype=np.int64).reshape(-1, 2)
        pos_ids = tag_ids[tag_of, marked.astype(np.int64)]
        words: dict[str, int] = dict(zip(dict.fromkeys(surfaces), numbered()))
        setdefault = words.setdefault
        word_row = np.fromiter(map(words.__getitem__, surfaces), dtype=np.int64, count=total)
        if at is not None:              # as _units gives them: folded where the text had capitals
            for j in np.flatnonzero(upper[owner] & keep).tolist():
                if _HAS_UPPER(surfaces[j]):   # (the others are as they are: their rows stay)
                    word_row[j] = setdefault(fold_ascii_case(surfaces[j]), len(words))
        word_row = word_row[reg]
        k = len(self.gaz_types_)
        hit_units = hit_cols = np.zeros(0, dtype=np.int64)
        if matches and k:
            hit_units, hit_cols = self._flat_hits(matches, m_start, m_end, g_starts, gends[reg], k)
        extra = np.flatnonzero(plain).tolist()
        if extra:                       # the others, cut by _units, after them (in lists, then arrays once)
            more_s: list[int] = []
            more_e: list[int] = []
            more_w: list[int] = []
            more_p: list[int] = []
            more_h: list[tuple[int, int]] = []
            base = len(reg)
            for i in extra:
                units = self._units(*items[i])
                m = len(units.starts)
                first[i], sizes[i] = base, m
                more_s += units.starts
                more_e += units.ends
                more_w += [words.setdefault(w, len(words)) for w in units.words]
                more_p += [pget(x, 1) for x in units.pos]
                if units.gaz_hits:
                    more_h += [(u + base, c) for u, c in units.gaz_hits]
                base += m
            u_starts, u_ends, word_row, pos_ids = (
                np.concatenate([x, np.array(more, dtype=np.int64).reshape(len(more))])
                for x, more in ((u_starts, more_s), (u_ends, more_e), (word_row, more_w), (pos_ids, more_p)))
            if more_h:
                hu, hc = np.array(more_h, dtype=np.int64).reshape(-1, 2).T
                hit_units, hit_cols = np.concatenate([hit_units, hu]), np.concatenate([hit_cols, hc])
        wget = self.words_.stoi.get
        word_list = list(words)
        word_ids = np.array([wget(w, 1) for w in word_list], dtype=np.int64)
        return _FlatUnits(first, sizes, u_starts, u_ends, word_row, word_list, word_ids, pos_ids,
                          hit_units, hit_cols)

    def _flat_hits(self, matches: Sequence[Any], m_start: np.ndarray, m_end: np.ndarray, g_starts: np.ndarray,
                   g_ends: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_gaz_hits` of many texts' matches at once: units (in order, side by side, none
        cut by a match) as rows of the flat arrays, ``g_starts``/``g_ends`` their offsets in the
        joined text."""
        cached = getattr(self, "_gaz_index", None)
        if cached is None or cached[0] is not self.gaz_types_:
            cached = (self.gaz_types_, {e: i for i, e in enumerate(self.gaz_types_)}, {})
            self._gaz_index = cached
        index, columns = cached[1], cached[2]
        col_lists = []
        for _, _, types in matches:
            cols = columns.get(types)
            if cols is None:
                cols = columns[types] = tuple(index[t] for t in types if t in index)
            col_lists.append(cols)
        per = np.fromiter(map(len, col_lists), dtype=np.int64, count=len(col_lists))
        # the units of a match: from the one it starts at, while they end inside it
        u0 = np.searchsorted(g_starts, m_start)
        span = np.maximum(np.searchsorted(g_ends, m_end, side="right") - u0, 0)
        rep = np.repeat(np.arange(len(col_lists)), per)
        col = np.fromiter(chain.from_iterable(col_lists), dtype=np.int64, count=int(per.sum()))
        u0, span = u0[rep], span[rep]
        total = int(span.sum())
        step = np.arange(total) - np.repeat(np.cumsum(span) - span, span)
        units = np.repeat(u0, span) + step
        return units, np.repeat(col, span) + np.where(step == 0, 0, k)

    def _add_subwords(self, texts: Sequence[str], prepared: Sequence[_Units]) -> None:
        """Give each prepared item its encoder input: the subword ids of its text (the fast
        tokenizer's, cut at ``encoder_max_len``) and the ``(units, subwords)`` matrix averaging the
        subwords whose character offsets overlap each unit (a row of zeros for a unit none
        overlaps: past the cut, or text the tokenizer dropped)."""
        from . import pretrained
        enc = pretrained.tokenize(self.tokenizer_, list(texts), truncation=True,   # one thread at a time
                                  max_length=self.encoder_max_len_, return_offsets_mapping=True,
                                  return_attention_mask=False, return_token_type_ids=False)
        for u, ids, offsets in zip(prepared, enc["input_ids"], enc["offset_mapping"], strict=True):
            offs = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
            starts = np.asarray(u.starts, dtype=np.int64)[:, None]
            ends = np.asarray(u.ends, dtype=np.int64)[:, None]
            hit = (offs[None, :, 0] < ends) & (offs[None, :, 1] > starts) & (offs[None, :, 1] > offs[None, :, 0])
            count = hit.sum(axis=1, keepdims=True)
            u.sub = (list(ids), (hit / np.maximum(count, 1)).astype(np.float32))
            u.enc = None

    def _encode_subwords(self, prepared: Sequence[_Units], n: int) -> dict[str, torch.Tensor]:
        """The encoder's part of a batch: cached features ``enc`` when every item has them, else
        padded subword ids ``enc_ids``, their mask ``enc_mask`` and the averaging ``enc_pool``."""
        dev, b = self.device_, len(prepared)
        if all(u.enc is not None for u in prepared):
            feats = np.zeros((b, n, self.net_.encoder.config.hidden_size), dtype=np.float32)
            for r, u in enumerate(prepared):
                feats[r, :len(u)] = u.enc
            return {"enc": torch.from_numpy(feats).to(dev)}
        width = max(len(u.sub[0]) for u in prepared)
        pad = self.tokenizer_.pad_token_id
        ids = np.full((b, width), 0 if pad is None else int(pad), dtype=np.int64)
        mask = np.zeros((b, width), dtype=np.int64)
        pool = np.zeros((b, n, width), dtype=np.float32)
        for r, u in enumerate(prepared):
            k = len(u.sub[0])
            ids[r, :k] = u.sub[0]
            mask[r, :k] = 1
            pool[r, :len(u), :k] = u.sub[1]
        t = torch.from_numpy
        return {"enc_ids": t(ids).to(dev), "enc_mask": t(mask).to(dev), "enc_pool": t(pool).to(dev)}

    def _cache_encodings(self, prepared: Sequence[_Units], batch_size: int = 32) -> None:
        """A frozen encoder's features of each item (``enc``), computed once before training."""
        net = self.net_
        was = net.encoder.training
        net.encoder.eval()
        items = [u for u in prepared if len(u)]
        with torch.inference_mode():
            for k in range(0, len(items), batch_size):
                chunk = items[k:k + batch_size]
                n = max(len(u) for u in chunk)
                feats = net.unit_encodings(self._encode_subwords(chunk, n)).float().cpu().numpy()
                for r, u in enumerate(chunk):
                    u.enc = feats[r, :len(u)].copy()
        net.encoder.train(was)

    @property
    def has_encoder(self) -> bool:
        """Whether the tagger reads a pretrained encoder (``pretrained`` at fit time)."""
        return self.__dict__.get("tokenizer_") is not None

    def _gaz_hits(self, starts: Sequence[int], ends: Sequence[int], matches: Sequence[Any]
                  ) -> list[tuple[int, int]]:
        """The ``(unit, column)`` ones of :func:`match_features`, without the dense matrix.

        A unit inside a match ``[s, e)`` gets the B (at ``s``) or I column of each of the
        match's types; units are sorted and do not overlap.
        """
        k = len(self.gaz_types_)
        if not k:
            return []
        cached: tuple[list[str], dict[str, int], dict[tuple[str, ...], tuple[int, ...]]] | None
        cached = getattr(self, "_gaz_index", None)
        if cached is None or cached[0] is not self.gaz_types_:
            cached = (self.gaz_types_, {e: i for i, e in enumerate(self.gaz_types_)}, {})
            self._gaz_index = cached
        index, columns = cached[1], cached[2]   # columns: per types tuple, its B columns
        hits: list[tuple[int, int]] = []
        n = len(starts)
        for s, e, types in matches:
            u = bisect_left(starts, s)
            cols = columns.get(types)
            if cols is None:
                cols = columns[types] = tuple(index[t] for t in types if t in index)
            while u < n and ends[u] <= e:
                off = 0 if starts[u] == s else k
                if len(cols) == 1:
                    hits.append((u, off + cols[0]))
                else:
                    hits += [(u, off + c) for c in cols]
                u += 1
        return hits

    def _encode(self, prepared: Sequence[_Units]) -> dict[str, torch.Tensor]:
        """Pad a batch of prepared items into tensors (on the model's device).

        The char CNN runs once per distinct surface of the batch (``surfaces``), and
        ``surface_index`` places the results; row 0 is padding.
        """
        sizes = [len(u.starts) for u in prepared]
        n = max(1, max(sizes))
        b = len(prepared)
        words = np.zeros((b, n), dtype=np.int64)
        pos = np.zeros((b, n), dtype=np.int64)
        surface_index = np.zeros((b, n), dtype=np.int64)
        char_mode = self.params["unit"] == "char"
        unit_chars = np.zeros((b, n) if char_mode else (1, 1), dtype=np.int64)
        bigrams = np.zeros((b, n) if char_mode else (1, 1), dtype=np.int64)
        k = self._gaz_dim()
        gaz = np.zeros((b, n, k), dtype=np.float32)
        size_arr = np.array(sizes, dtype=np.int64)
        lengths = np.maximum(size_arr, 1)
        # every unit of the batch in row-major order: one assignment per array
        valid = np.arange(n)[None, :] < size_arr[:, None]
        wget, cget, pget, bget = (self.words_.stoi.get, self.chars_.stoi.get, self.pos_.stoi.get,
                                  self.bigrams_.stoi.get)
        all_words = [w for u in prepared for w in u.words]
        words[valid] = [wget(w, 1) for w in all_words]
        pos[valid] = [pget(x, 1) for u in prepared for x in u.pos]
        surfaces: dict[str, int] = {"": 0}
        setdefault = surfaces.setdefault
        surface_index[valid] = [setdefault(w, len(surfaces)) for w in all_words]
        if char_mode:
            unit_chars[valid] = [cget(c, 1) for u in prepared for c in u.chars]
            bigrams[valid] = [bget(x, 1) for u in prepared for x in u.bigrams]
        if k:
            gaz[:, :, k - 1] = valid
            hits = [(r, u, col) for r, units in enumerate(prepared) for u, col in units.gaz_hits]
            if hits:
                rows, units_, cols = np.array(hits).T
                gaz[rows, units_, cols] = 1.0
                gaz[rows, units_, k - 1] = 0.0
        chars = self._char_ids(surfaces)   # in index order (dicts keep insertion order)
        dev = self.device_
        t = torch.from_numpy
        out = {"words": t(words).to(dev), "pos": t(pos).to(dev), "unit_chars": t(unit_chars).to(dev),
               "bigrams": t(bigrams).to(dev), "surfaces": t(chars).to(dev),
               "surface_index": t(surface_index).to(dev), "gaz": t(gaz).to(dev),
               "lengths": t(lengths).to(dev), "vocab_chars": self._vocab_chars()}
        if self.__dict__.get("tokenizer_") is not None:
            out.update(self._encode_subwords(prepared, n))
        return out

    def _encode_flat(self, flat: _FlatUnits, idx: Sequence[int]) -> dict[str, torch.Tensor]:
        """:meth:`_encode` of the items ``idx`` from their flat units (:meth:`_flat_units`): the
        same tensors, the distinct surfaces in the order the plain loop meets them."""
        rows = np.asarray(idx, dtype=np.int64)
        size_arr = flat.sizes[rows]
        b = len(rows)
        n = max(1, int(size_arr.max()) if b else 0)
        valid = np.arange(n)[None, :] < size_arr[:, None]
        total = int(size_arr.sum())
        before = np.cumsum(size_arr) - size_arr
        step = np.arange(total) - np.repeat(before, size_arr)
        units = np.repeat(flat.first[rows], size_arr) + step
        words = np.zeros((b, n), dtype=np.int64)
        pos = np.zeros((b, n), dtype=np.int64)
        surface_index = np.zeros((b, n), dtype=np.int64)
        row_of = flat.word_row[units]
        words[valid] = flat.word_ids[row_of]
        pos[valid] = flat.pos_ids[units]
        # the distinct surfaces numbered from 1 in order of first appearance ("" is row 0): np.unique's
        # rows, first places and inverse, read with a table over all rows instead of a sort
        first_place = np.full(len(flat.words), total, dtype=np.int64)
        np.minimum.at(first_place, row_of, np.arange(total))
        seen = np.flatnonzero(first_place < total)
        first_at = first_place[seen]
        place_of = np.empty(len(flat.words), dtype=np.int64)
        place_of[seen] = np.arange(len(seen))
        inverse = place_of[row_of]
        by_first = np.argsort(first_at, kind="stable")
        rank = np.empty(len(seen), dtype=np.int64)
        rank[by_first] = np.arange(1, len(seen) + 1)
        names = [flat.words[r] for r in seen[by_first].tolist()]
        if "" in names:                 # the padding row's surface: index 0, as the plain loop gives it
            empty = names.index("")
            rank[by_first[empty]] = 0
            rank[by_first[empty + 1:]] -= 1
            del names[empty]
        surface_index[valid] = rank[inverse.reshape(-1)]
        k = self._gaz_dim()
        gaz = np.zeros((b, n, k), dtype=np.float32)
        if k:
            gaz[:, :, k - 1] = valid
            if len(flat.hit_units):
                place = np.full(len(flat.word_row), -1, dtype=np.int64)
                place[units] = np.arange(total)
                at = place[flat.hit_units]
                ok = at >= 0
                if ok.any():
                    at = at[ok]
                    r = np.repeat(np.arange(b), size_arr)[at]
                    u = step[at]
                    gaz[r, u, flat.hit_cols[ok]] = 1.0
                    gaz[r, u, k - 1] = 0.0
        chars = self._char_ids(["", *names])
        dev = self.device_
        t = torch.from_numpy
        blank = np.zeros((1, 1), dtype=np.int64)
        return {"words": t(words).to(dev), "pos": t(pos).to(dev), "unit_chars": t(blank).to(dev),
                "bigrams": t(blank.copy()).to(dev), "surfaces": t(chars).to(dev),
                "surface_index": t(surface_index).to(dev), "gaz": t(gaz).to(dev),
                "lengths": t(np.maximum(size_arr, 1)).to(dev), "vocab_chars": self._vocab_chars()}

    def _char_ids(self, surfaces: Iterable[str]) -> np.ndarray:
        """The char ids of each surface, one row each (``max_chars`` at most, 0 after its end)."""
        cut = list(surfaces)
        width = max(1, min(int(self.params["max_chars"]), max(map(len, cut), default=0)))
        chars = np.zeros((len(cut), width), dtype=np.int64)
        # the characters of every surface at once: code points → ids by table
        cut = [w[:width] for w in cut]
        sizes = np.fromiter(map(len, cut), dtype=np.int64, count=len(cut))
        codes = np.frombuffer("".join(cut).encode("utf-32-le"), dtype=np.uint32)
        if codes.size:
            table = self._char_table()
            ids = np.where(codes < len(table), table[np.minimum(codes, len(table) - 1)], 1)
            ends = np.cumsum(sizes)
            chars[np.repeat(np.arange(len(cut)), sizes), np.arange(codes.size) - np.repeat(ends - sizes, sizes)] = ids
        return chars

    def _vocab_chars(self) -> torch.Tensor:
        """:meth:`_char_ids` of every word of the vocabulary (row = word id), made once per vocabulary:
        what lets inference fold each word's char CNN features into its row (:meth:`_Net._word_chars`)."""
        cached = self.__dict__.get("_vocab_char_ids")
        if cached is None or cached[0] is not self.words_ or cached[1] is not self.chars_:
            ids = torch.from_numpy(self._char_ids(self.words_.itos)).to(self.device_)
            cached = self.__dict__["_vocab_char_ids"] = (self.words_, self.chars_, ids)
        return cached[2]

    def _char_table(self) -> np.ndarray:
        """Code point → character id (1, unknown, beyond the table), cached per vocabulary."""
        cached = self.__dict__.get("_char_lookup")
        if cached is None or cached[0] is not self.chars_:
            singles = [(ord(c), i) for i, c in enumerate(self.chars_.itos[2:], start=2) if len(c) == 1]
            table = np.ones(max([o for o, _ in singles] + [0xFFFF]) + 1, dtype=np.int64)
            for o, i in singles:
                table[o] = i
            cached = self.__dict__["_char_lookup"] = (self.chars_, table)
        return cached[1]

    # ------------------------------------------------------------------ fit
    @staticmethod
    def _validate(items: Sequence[Any], what: str, with_spans: bool) -> None:
        if not isinstance(items, (list, tuple)):
            raise InputError(f"{what} must be a list of tuples, got {type(items).__name__}")
        width = 3 if with_spans else 2
        for n, item in enumerate(items):
            if not isinstance(item, (list, tuple)) or len(item) != width or not isinstance(item[0], str):
                shape = "(text, tokens, spans)" if with_spans else "(text, tokens)"
                raise InputError(f"{what}[{n}] must be a tuple {shape} with a str text; "
                                 f"got {item!r:.80}")
            text = item[0]
            for t in item[1]:
                if not isinstance(t, Token) or not 0 <= t.start <= t.end <= len(text):
                    raise InputError(f"{what}[{n}]: token {t!r} is not a Token inside the text of "
                                     f"length {len(text)}; tokenise the same normalised text")
            if with_spans:
                for s in item[2]:
                    if not isinstance(s, Span) or not 0 <= s.start < s.end <= len(text):
                        raise InputError(f"{what}[{n}]: span {s!r} is not a Span inside the text "
                                         f"of length {len(text)}")

    def fit(self, train: Sequence[TrainItem], valid: Sequence[TrainItem] = (),
            dictionary: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
            embeddings: Any = None, progress: bool = True, char_embeddings: Any = None,
            init: EntityTagger | None = None) -> EntityTagger:
        """Train on ``(text, tokens, spans)`` items; early-stop on validation span F1.

        ``init`` (a fitted tagger with the same ``unit``, e.g. the model being retrained)
        warm-starts the network: the word, character, POS and bigram vocabularies grow
        from ``init``'s, rows of known items, tags (and their CRF transitions) and
        dictionary-feature columns of known entity types are copied, every other weight
        of the same shape too; new rows keep the usual initialisation (Word2Vec vectors
        for new words) and the CRF's invalid IOB2 moves stay pinned. Labels come from
        ``train`` as always. ``warm_start_`` records what was copied.

        ``embeddings`` initialise the word (morpheme) embedding. ``char_embeddings``
        (``unit="char"`` only; optional) are vectors with the same interface whose
        one-character entries initialise the unit-character embedding and whose
        two-character entries initialise the bigram embedding; their ``dim`` must equal
        ``unit_char_dim`` and ``bigram_dim``, and their entries join those vocabularies.
        """
        p = self.params
        self._validate(train, "train", True)
        self._validate(valid, "valid", True)
        if not train:
            raise ModelError("the tagger needs at least one training sentence")
        self.check_params(folders=not (init is not None and init.__dict__.get("tokenizer_") is not None))
        if char_embeddings is not None:
            if p["unit"] != "char":
                raise ModelError("char_embeddings need unit='char'")
            dim = int(char_embeddings.dim)
            if dim != int(p["unit_char_dim"]) or dim != int(p["bigram_dim"]):
                raise ModelError(f"char_embeddings have dim {dim}; set unit_char_dim and bigram_dim "
                                 f"to {dim} (got {p['unit_char_dim']} and {p['bigram_dim']})")
        init = warm_init(init, p, "unit", "tagger")
        self.warm_start_: dict[str, Any] | None = None
        gen = set_seed(p["seed"])
        rng = np.random.RandomState(p["seed"] if p["seed"] is not None else None)
        self.device_ = choose_device(p["device"])
        merged, excludes = self._lexicon(train, dictionary if p["use_gazetteer"] else None)
        self.gazetteer_ = Gazetteer(merged)
        self.gaz_types_ = list(self.gazetteer_.entity_types)
        encoder = self._load_pretrained(init)

        labels = sorted({label_of(s) for _, _, spans in train for s in spans})
        self.labels_ = labels
        self.tags_ = ["O"] + [f"{bi}-{lab}" for lab in labels for bi in ("B", "I")]
        tag_index = {t: i for i, t in enumerate(self.tags_)}

        prep_train = [self._units(text, toks, spans, ex)
                      for (text, toks, spans), ex in zip(train, excludes, strict=True)]
        gold_train = [[tag_index.get(t, 0) for t in iob_tags(u.tokens(), spans)]
                      for u, (_, _, spans) in zip(prep_train, train, strict=True)]
        if encoder is not None:
            self._add_subwords([text for text, _, _ in train], prep_train)
        self.words_ = Vocab.build((u.words for u in prep_train),
                                  extra=list(getattr(embeddings, "vocab", [])) if embeddings else ())
        pre = list(getattr(char_embeddings, "vocab", [])) if char_embeddings is not None else []
        self.chars_ = Vocab.build(["".join(u.words) + "".join(u.chars) for u in prep_train],
                                  extra=[x for x in pre if len(x) == 1])
        self.pos_ = Vocab.build(u.pos for u in prep_train)
        self.bigrams_ = Vocab.build((u.bigrams for u in prep_train), min_count=2,
                                    extra=[x for x in pre if len(x) == 2])
        if init is not None:
            self.words_ = grow_vocab(init.words_, self.words_)
            self.chars_ = grow_vocab(init.chars_, self.chars_)
            self.pos_ = grow_vocab(init.pos_, self.pos_)
            self.bigrams_ = grow_vocab(init.bigrams_, self.bigrams_)
        word_dim = int(getattr(embeddings, "dim", 0) or p["word_dim"])
        self.net_ = self._build_net(word_dim, encoder)
        if embeddings is not None:
            self._init_embeddings(embeddings)
        if char_embeddings is not None:
            self._init_char_embeddings(char_embeddings)
        if init is not None:
            self.warm_start_ = self._warm_start(init)
        self.net_.to(self.device_)
        if encoder is not None and self.net_.freeze_encoder:
            self._cache_encodings(prep_train)

        keep = [i for i, u in enumerate(prep_train) if len(u)]
        if valid:
            val_items = [(text, toks) for text, toks, _ in valid]
            val_gold = [{(s.start, s.end, label_of(s)) for s in spans} for _, _, spans in valid]
        else:  # no validation split: monitor (a sample of) the training data
            sample = keep[:500]
            val_items = [(train[i][0], train[i][1]) for i in sample]
            val_gold = [{(s.start, s.end, label_of(s)) for s in train[i][2]} for i in sample]

        if encoder is None:
            opt = torch.optim.Adam(self.net_.parameters(), lr=p["lr"], weight_decay=p["weight_decay"])
        else:   # the encoder's weights in their own group, at their own (small) learning rate
            own = {id(w) for w in self.net_.encoder.parameters()}
            groups = [{"params": [w for w in self.net_.parameters() if id(w) not in own]}]
            if not self.net_.freeze_encoder:
                groups.append({"params": list(self.net_.encoder.parameters()), "lr": float(p["encoder_lr"])})
            opt = torch.optim.AdamW(groups, lr=p["lr"], weight_decay=p["weight_decay"])
        stopper = EarlyStopping(patience=int(p["patience"]), mode="max")
        self.history_: list[dict[str, Any]] = []
        bs = int(p["batch_size"])
        bar = epoch_bar(int(p["epochs"]), progress, "tagger")
        cycled = list(keep) * passes_per_epoch(len(keep), bs, int(p["epochs"]), int(p["min_updates"]))
        with torch_threads(p["threads"]):
            for epoch in bar:
                t0 = time.perf_counter()
                self.net_.train()
                total, count = 0.0, 0
                for idx in _length_batches(cycled, [len(u) for u in prep_train], bs, rng):
                    batch = self._encode([prep_train[i] for i in idx])
                    if p["word_dropout"] > 0:
                        drop = torch.rand(batch["words"].shape, generator=gen) < p["word_dropout"]
                        batch["words"] = batch["words"].masked_fill(drop.to(self.device_)
                                                                    & (batch["words"] > 0), 1)
                    n = batch["words"].shape[1]
                    tags = torch.zeros(len(idx), n, dtype=torch.long)
                    for r, i in enumerate(idx):
                        tags[r, :len(gold_train[i])] = torch.tensor(gold_train[i])
                    mask = (torch.arange(n).unsqueeze(0) < batch["lengths"].cpu().unsqueeze(1))
                    em = self.net_.emissions(batch)
                    loss = -self.net_.crf(em, tags.to(self.device_), mask.to(self.device_),
                                          reduction="mean")
                    opt.zero_grad()
                    loss.backward()
                    if p["clip"]:
                        nn.utils.clip_grad_norm_(self.net_.parameters(), p["clip"])
                    opt.step()
                    self.net_.constrain()
                    total += loss.item() * len(idx)
                    count += len(idx)
                f1 = self._evaluate(val_items, val_gold)
                self.history_.append({"epoch": epoch + 1, "loss": total / max(count, 1),
                                      "valid_f1": f1, "lr": opt.param_groups[0]["lr"],
                                      "seconds": time.perf_counter() - t0})
                if hasattr(bar, "set_postfix"):
                    bar.set_postfix(loss=f"{total / max(count, 1):.3f}", f1=f"{f1:.4f}")
                if stopper.step(f1, self.net_, epoch + 1):
                    break
                if stopper.bad_epochs and p["lr_decay"] != 1.0:
                    for group in opt.param_groups:
                        group["lr"] *= float(p["lr_decay"])
        stopper.restore(self.net_)
        self.best_epoch_ = stopper.best_epoch
        self.net_.eval()
        return self

    def _load_pretrained(self, init: EntityTagger | None = None) -> Any:
        """The encoder of ``pretrained`` (its tokenizer in ``tokenizer_``), or None without one.

        When the folder is gone but ``init`` (the tagger being retrained) has an encoder, that
        bundled copy is the starting point: its tokenizer and its fine-tuned weights."""
        import copy
        import os

        from ..errors import ConfigError
        p = self.params
        self.tokenizer_ = None
        self.encoder_from_ = None
        if not p.get("pretrained"):
            return None
        from . import pretrained
        try:
            self.tokenizer_, encoder = pretrained.load_pretrained(p["pretrained"], "tagger.pretrained")
        except ConfigError:
            if init is None or not init.has_encoder or os.path.isdir(os.path.expanduser(str(p["pretrained"]))):
                raise
            self.tokenizer_, encoder = init.tokenizer_, copy.deepcopy(init.net_.encoder).cpu()
            self.encoder_from_ = "the retrained tagger's own copy (the pretrained folder is gone)"
        self.encoder_max_len_ = self._max_len(encoder)
        return encoder.float()   # a half-precision checkpoint is fine-tuned (and saved, reloaded) in float32

    def _max_len(self, encoder: Any) -> int:
        """``encoder_max_len``, at most the encoder's own position limit (RoBERTa's two fewer)."""
        from . import pretrained as _pretrained
        return _pretrained.max_positions(encoder, int(self.params["encoder_max_len"]))

    def _warm_start(self, old: EntityTagger) -> dict[str, Any]:
        """Copy ``old``'s weights into the freshly built network, item by item (see :meth:`fit`).

        A pretrained encoder's weights are copied (the old fine-tuned ones) only when the old
        tagger's encoder reads the same subword vocabulary; otherwise they stay as loaded."""
        net, prev = self.net_, old.net_
        tags = index_map(self.tags_, old.tags_)
        k_new, k_old = len(self.gaz_types_), len(old.gaz_types_)
        types = index_map(self.gaz_types_, old.gaz_types_)
        # gazetteer columns: B of each type, I of each type, then "outside"
        gaz = ([t for t in types] + [k_old + t if t >= 0 else -1 for t in types]
               + [2 * k_old if k_old else -1]) if k_new else []
        fixed = net.lstm.input_size - net.gaz_dim
        maps: dict[str, dict[int, Sequence[int]]] = {
            "word.weight": {0: index_map(self.words_.itos, old.words_.itos)},
            "char.weight": {0: index_map(self.chars_.itos, old.chars_.itos)},
            "unit_char.weight": {0: index_map(self.chars_.itos, old.chars_.itos)},
            "pos.weight": {0: index_map(self.pos_.itos, old.pos_.itos)},
            "bigram.weight": {0: index_map(self.bigrams_.itos, old.bigrams_.itos)},
            "out.weight": {0: tags}, "out.bias": {0: tags},
            "crf.transitions": {0: tags, 1: tags},
            "crf.start_transitions": {0: tags}, "crf.end_transitions": {0: tags},
        }
        if gaz:
            maps["gaz_out.weight"] = {0: tags, 1: gaz}
        if fixed == prev.lstm.input_size - prev.gaz_dim:  # same features before the gazetteer's
            columns = list(range(fixed)) + [fixed + g if g >= 0 else -1 for g in gaz]
            for d in ("", "_reverse"):
                maps[f"lstm.weight_ih_l0{d}"] = {1: columns}
        skip = ["allowed", "allowed_start"]
        if net.encoder is not None:
            same = old.has_encoder and old.tokenizer_.get_vocab() == self.tokenizer_.get_vocab()
            if not same:
                skip += [k for k in net.state_dict() if k.startswith("encoder.")]
        stats = warm_start(net, prev.state_dict(), maps, skip=skip)
        if net.encoder is not None:
            stats["encoder"] = ("pretrained" if len(skip) > 2 else "copied where the shapes match") + \
                (f", from {self.encoder_from_}" if self.__dict__.get("encoder_from_") else "")
        net.constrain()  # new tags' invalid moves pinned again
        return stats

    def _evaluate(self, items: Sequence[Item], gold: Sequence[set[tuple[int, int, str]]]) -> float:
        """Exact-span micro F1 (labels with roles) of the current weights on ``items``."""
        pred = self.predict(items, confidence=False)
        return _span_f1(gold, [{(s, e, f"{ent}:{role}" if role else ent) for s, e, ent, role, _ in spans}
                               for spans in pred])

    def _lexicon(self, train: Sequence[TrainItem], dictionary: Mapping[str, Mapping[str, Sequence[str]]] | None
                 ) -> tuple[dict[str, dict[str, list[str]]], list[frozenset[str]]]:
        """The dictionary to match, plus per training item the surfaces to hide from it.

        With ``train_lexicon`` the surfaces of training spans join the dictionary. A
        surface that only one training sentence provides is hidden while that sentence
        is featurised (leave-one-out), so training sees the lexicon as it will be on
        new text: helpful when a name recurs, silent when it is new.
        """
        merged: dict[str, dict[str, list[str]]] = {
            e: {v: list(syn or []) for v, syn in values.items()} for e, values in (dictionary or {}).items()}
        if self.params.get("spelled_numbers", False):
            for values in merged.values():
                for v, syn in values.items():
                    syn.extend(dict.fromkeys(w for f in (v, *syn) for w in spellings(f) if w not in syn))
        excludes = [frozenset()] * len(train)
        if not self.params["train_lexicon"]:
            return merged, excludes
        known = {surf for values in merged.values() for v, syn in values.items() for surf in [v, *syn]}
        min_len = int(self.params["lexicon_min_length"])
        per_item = [{(text[s.start:s.end], s.entity) for s in spans
                     if s.end - s.start >= min_len and text[s.start:s.end].strip() == text[s.start:s.end]}
                    for text, _, spans in train]
        freq: dict[str, int] = {}
        for found in per_item:
            for surf in {surf for surf, _ in found}:
                freq[surf] = freq.get(surf, 0) + 1
        for found in per_item:
            for surf, entity in found:
                merged.setdefault(entity, {}).setdefault(surf, [])
        excludes = [frozenset(surf for surf, _ in found if freq[surf] == 1 and surf not in known)
                    for found in per_item]
        return merged, excludes

    def _build_net(self, word_dim: int, encoder: Any = None) -> _Net:
        p = self.params
        net = _Net(len(self.words_), word_dim, len(self.chars_), int(p["char_dim"]),
                   int(p["char_filters"]), int(p["char_kernel"]), len(self.pos_), int(p["pos_dim"]),
                   int(p["unit_char_dim"]) if p["unit"] == "char" else 0,
                   self._gaz_dim(), int(p["hidden"]), int(p["layers"]), float(p["dropout"]),
                   len(self.tags_), len(self.bigrams_),
                   int(p["bigram_dim"]) if p["unit"] == "char" else 0,
                   encoder=encoder, freeze_encoder=bool(p.get("freeze_encoder")))
        allowed, start = _iob_constraints(self.tags_)
        net.allowed.copy_(allowed)
        net.allowed_start.copy_(start)
        net.constrain()
        return net

    def _gaz_dim(self) -> int:
        k = len(self.gaz_types_)
        return 2 * k + 1 if k else 0

    def _init_embeddings(self, embeddings: Any) -> None:
        """Copy pretrained vectors into the word embedding rows they cover."""
        weight = self.net_.word.weight
        vec_of = getattr(embeddings, "vector", None)
        found = 0
        with torch.no_grad():
            for i, w in enumerate(self.words_.itos[2:], start=2):
                v = vec_of(w) if vec_of else None
                if v is not None and len(v) == weight.shape[1]:
                    weight[i] = torch.as_tensor(np.asarray(v, dtype=np.float32))
                    found += 1
        self.pretrained_coverage_ = found / max(1, len(self.words_) - 2)

    def _init_char_embeddings(self, embeddings: Any) -> None:
        """Copy pretrained character and bigram vectors into the rows they cover."""
        found = 0
        with torch.no_grad():
            for vocab, layer in ((self.chars_, self.net_.unit_char), (self.bigrams_, self.net_.bigram)):
                for i, w in enumerate(vocab.itos[2:], start=2):
                    v = embeddings.vector(w)
                    if v is not None:
                        layer.weight[i] = torch.as_tensor(np.asarray(v, dtype=np.float32))
                        found += 1
        self.char_pretrained_coverage_ = found / max(1, len(self.chars_) + len(self.bigrams_) - 4)

    # ------------------------------------------------------------------ predict
    def predict(self, items: Sequence[Item], confidence: bool = True, *, validate: bool = True
                ) -> list[list[Pred]]:
        """Spans ``(start, end, entity, role, confidence)`` per ``(text, tokens)`` item.

        Offsets index the given (normalised) text; spans are sorted by start. With
        ``confidence=False`` every confidence is 1.0 and the forward-backward pass is
        skipped. ``validate=False`` skips checking every token of the input (for callers
        that tokenised the text themselves, like :class:`nlukit.NLU`).
        """
        self._check_fitted()
        if validate:
            self._validate(items, "items", False)
        out: list[list[Pred]] = [[] for _ in items]
        encoder = self.__dict__.get("tokenizer_") is not None
        flat = None if encoder else self._flat_units(items)   # an encoder reads each item's text: the plain way
        if flat is None:
            prepared = [self._units(text, toks) for text, toks in items]
            if encoder:
                self._add_subwords([text for text, _ in items], prepared)
            sizes = [len(u.starts) for u in prepared]
        else:                           # many texts: their units in flat arrays
            sizes = flat.sizes.tolist()
        order = sorted((i for i, k in enumerate(sizes) if k), key=sizes.__getitem__)
        bs = int(self.params["eval_batch_size"])
        net = self.net_
        was_training = net.training
        if was_training:
            net.eval()
        crf = net.crf
        tags_of = self.tags_
        inside_of = {t[2:]: k for k, t in enumerate(tags_of) if t.startswith("I-")}
        outside = tags_of.index("O")
        parts: dict[int, tuple[str, str | None]] = {}   # opening tag → (entity, role)
        with torch.inference_mode():
            start, trans, end = (x.detach().cpu().numpy() for x in
                                 (crf.start_transitions, crf.transitions, crf.end_transitions))
            for k in range(0, len(order), bs):
                idx = order[k:k + bs]
                batch = (self._encode([prepared[i] for i in idx]) if flat is None
                         else self._encode_flat(flat, idx))
                em = net.emissions(batch).float().cpu().numpy()
                lengths = batch["lengths"].cpu().numpy()
                best = _viterbi(em, lengths, start, trans, end)
                hit_rows, rows_r, starts_r, ends_r, opener = _decoded_runs(best, lengths, tags_of, outside)
                if confidence and len(rows_r):
                    # marginals of the rows with spans only (rows are independent)
                    em_h, best_h, len_h = em[hit_rows], best[hit_rows], lengths[hit_rows]
                    alpha, beta, log_z = _forward_backward(em_h, len_h, start, trans, end)
                    inside = {t: inside_of[tags_of[t][2:]] for t in set(opener.tolist())}
                    probs = _span_probs(alpha, beta, log_z, em_h, trans, end, best_h, rows_r, starts_r, ends_r,
                                        len_h, np.array([inside[t] for t in opener.tolist()], dtype=np.int64)
                                        ).tolist()
                else:
                    probs = [1.0] * len(rows_r)
                if flat is not None:    # each run's item and offsets read with arrays, then one append each
                    owner = np.asarray(idx, dtype=np.int64)[hit_rows[rows_r]]
                    at = flat.first[owner]
                    for i, s, e, tag, conf in zip(owner.tolist(), flat.starts[at + starts_r].tolist(),
                                                  flat.ends[at + ends_r - 1].tolist(), opener.tolist(), probs,
                                                  strict=True):
                        entity, role = parts.get(tag) or parts.setdefault(tag, split_label(tags_of[tag][2:]))
                        out[i].append((s, e, entity, role, conf))
                    continue
                rows = hit_rows.tolist()   # list items index faster than NumPy scalars
                for r, j, e, tag, conf in zip(rows_r.tolist(), starts_r.tolist(), ends_r.tolist(), opener.tolist(),
                                              probs, strict=True):
                    i = idx[rows[r]]
                    entity, role = parts.get(tag) or parts.setdefault(tag, split_label(tags_of[tag][2:]))
                    units = prepared[i]
                    out[i].append((units.starts[j], units.ends[e - 1], entity, role, conf))
        if was_training:
            net.train()
        return out

    def predict_tags(self, items: Sequence[Item]) -> list[tuple[list[Token], list[str]]]:
        """The tagging units (tokens split as at fit time) and their Viterbi IOB2 tags."""
        self._check_fitted()
        self._validate(items, "items", False)
        out: list[tuple[list[Token], list[str]]] = []
        with torch.inference_mode():
            for text, toks in items:
                units = self._units(text, toks)
                if not len(units):
                    out.append(([], []))
                    continue
                if self.has_encoder:
                    self._add_subwords([text], [units])
                batch = self._encode([units])
                crf = self.net_.crf
                em = self.net_.eval().emissions(batch).float().cpu().numpy()
                best = _viterbi(em, batch["lengths"].cpu().numpy(),
                                *(x.detach().cpu().numpy() for x in
                                  (crf.start_transitions, crf.transitions, crf.end_transitions)))
                out.append((units.tokens(), [self.tags_[k] for k in best[0].tolist()]))
        return out

    # ------------------------------------------------------------------ save / load
    def save(self, path: str) -> None:
        """Write ``meta.json``, ``vocab.json``, ``gazetteer.json`` and ``weights.pt`` atomically."""
        self._check_fitted()
        with atomic_dir(path) as tmp:
            write_json(tmp / "meta.json", {
                "kind": "tagger", "format": FORMAT, "nlukit_version": __version__,
                "params": self.params, "labels": self.labels_, "tags": self.tags_,
                "word_dim": int(self.net_.word.weight.shape[1]),
                "history": self.history_, "best_epoch": getattr(self, "best_epoch_", None),
                **({"warm_start": self.warm_start_} if getattr(self, "warm_start_", None) else {}),
                **({"encoder": self._encoder_meta()} if self.has_encoder else {})})
            write_json(tmp / "vocab.json", {"words": self.words_.to_json(),
                                            "chars": self.chars_.to_json(),
                                            "pos": self.pos_.to_json(),
                                            "bigrams": self.bigrams_.to_json()})
            write_json(tmp / "gazetteer.json", self.gazetteer_.to_json())
            save_state(tmp / "weights.pt", self.net_.state_dict())
            if self.has_encoder:   # its configuration and tokenizer; its weights are in weights.pt
                from . import pretrained
                pretrained.save_encoder(tmp / pretrained.FOLDER, self.tokenizer_, self.net_.encoder)

    def _encoder_meta(self) -> dict[str, Any]:
        """What ``meta.json`` says of the encoder: its bundled folder, where it came from (for
        information only: loading reads the bundle's copy), its kind and width."""
        from . import pretrained
        config = self.net_.encoder.config
        return {"folder": pretrained.FOLDER, "source": str(self.params.get("pretrained") or ""),
                "model_type": getattr(config, "model_type", None), "hidden": int(config.hidden_size),
                "max_len": int(self.encoder_max_len_), "frozen": bool(self.net_.freeze_encoder)}

    @classmethod
    def load(cls, path: str, device: str | None = "cpu") -> EntityTagger:
        """Rebuild a tagger saved by :meth:`save`; damage is a :class:`BundleError` naming the file."""
        import os

        from ..errors import BundleError
        if not os.path.isdir(path):
            raise BundleError(f"{path}: tagger directory is missing; re-train or copy the whole model")
        meta_path = os.path.join(path, "meta.json")
        meta = check_format(read_json(meta_path), meta_path, "tagger", FORMAT)
        params = {**DEFAULTS, **{k: v for k, v in meta.get("params", {}).items() if k in DEFAULTS}}
        if "fold_case" not in meta.get("params", {}):
            params["fold_case"] = False   # trained before folding: it saw the letters as typed
        self = cls(**params)
        vocab_path = os.path.join(path, "vocab.json")
        vocab = read_json(vocab_path)
        gaz_path = os.path.join(path, "gazetteer.json")
        try:
            self.words_ = Vocab.from_json(vocab["words"], vocab_path)
            self.chars_ = Vocab.from_json(vocab["chars"], vocab_path)
            self.pos_ = Vocab.from_json(vocab["pos"], vocab_path)
            self.bigrams_ = Vocab.from_json(vocab.get("bigrams", ["<pad>", "<unk>"]), vocab_path)
            self.labels_ = list(meta["labels"])
            self.tags_ = list(meta["tags"])
            word_dim = int(meta["word_dim"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BundleError(f"{path}: vocab.json or meta.json lacks {exc}; re-save the model") from exc
        try:
            self.gazetteer_ = Gazetteer.from_json(read_json(gaz_path))
        except (KeyError, TypeError, AttributeError, InputError) as exc:
            raise BundleError(f"{gaz_path}: not a gazetteer ({exc}); re-save the model") from exc
        self.gaz_types_ = list(self.gazetteer_.entity_types)
        self.history_ = list(meta.get("history", []))
        self.best_epoch_ = meta.get("best_epoch")
        self.device_ = choose_device(device)
        encoder, self.tokenizer_ = None, None
        info = meta.get("encoder")
        if info:
            from . import pretrained
            folder = os.path.join(path, str(info.get("folder") or pretrained.FOLDER) if isinstance(info, dict)
                                  else pretrained.FOLDER)
            if not os.path.isdir(folder):
                raise BundleError(f"{folder}: the tagger's encoder folder is missing; re-train or copy the "
                                  "whole model")
            self.tokenizer_, encoder = pretrained.load_encoder(folder)
            self.encoder_max_len_ = pretrained.max_positions(encoder, int(info.get("max_len") or self._max_len(encoder)))
        self.net_ = self._build_net(word_dim, encoder)
        load_module_state(self.net_, os.path.join(path, "weights.pt"))
        self.net_.constrain()
        self.net_.to(self.device_).eval()
        return self


def _span_probs(alpha: np.ndarray, beta: np.ndarray, log_z: np.ndarray, em: np.ndarray,
                trans: np.ndarray, end: np.ndarray, best: np.ndarray, rows: np.ndarray,
                starts: np.ndarray, ends: np.ndarray, lengths: np.ndarray, inside: np.ndarray
                ) -> np.ndarray:
    """Marginal probability of each decoded span, vectorised over all spans of a batch.

    For span ``[s, e)`` of row ``r`` with decoded tags ``y``: P(tags[s:e] == y[s:e] and
    tags[e] != I-label) = exp(alpha[s, y_s] + path score of y over s+1..e-1 + tail - log Z),
    where the tail sums, over every next tag but I-label, the transition, emission and
    backward score (or is the end transition when the span closes the sentence).
    """
    if len(rows) == 0:
        return np.zeros(0)
    b, n, t = em.shape
    # score of each decoded step k >= 1 (transition into y_k plus its emission), cumulated
    prev, cur = best[:, :-1], best[:, 1:]
    step = trans[prev, cur] + np.take_along_axis(em[:, 1:], cur[:, :, None], axis=2)[:, :, 0]
    cum = np.concatenate([np.zeros((b, 1), dtype=step.dtype), np.cumsum(step, axis=1)], axis=1)
    lp = alpha[rows, starts, best[rows, starts]] + cum[rows, ends - 1] - cum[rows, starts]
    last = best[rows, ends - 1]
    closes = ends >= lengths[rows]
    tail = np.empty(len(rows), dtype=np.float64)
    tail[closes] = end[last[closes]]
    open_ = ~closes
    if open_.any():
        r, e = rows[open_], ends[open_]
        nxt = (trans[last[open_]] + em[r, e] + beta[r, e]).astype(np.float64)
        nxt[np.arange(len(r)), inside[open_]] = -np.inf
        m = nxt.max(axis=1)
        tail[open_] = m + np.log(np.exp(nxt - m[:, None]).sum(axis=1))
    return np.minimum(1.0, np.exp(lp + tail - log_z[rows]))


class TaggerEnsemble:
    """Several fitted taggers (e.g. different seeds) combined by averaging tag marginals.

    Each member's CRF gives every unit a posterior over tags (forward-backward);
    the ensemble averages these posteriors over members and decodes the sequence
    maximising the sum of their logarithms under the IOB2 constraints (no transition
    scores of its own). A span's confidence is the mean over members of its exact
    marginal probability, i.e. its probability under the uniform mixture of the members.

    Members must share the tag set and the tagging units (same ``unit`` and
    ``char_position``, same gazetteer for morpheme units); this is checked at predict
    time. ``predict`` returns what :meth:`EntityTagger.predict` returns.
    """

    def __init__(self, members: Sequence[EntityTagger]) -> None:
        if not members:
            raise ModelError("an ensemble needs at least one fitted tagger")
        for m in members:
            m._check_fitted()
        tags = members[0].tags_
        if any(m.tags_ != tags for m in members[1:]):
            raise ModelError("ensemble members must share the same tags; fit them on the same data")
        self.members = list(members)
        self.tags_ = list(tags)
        allowed, start = _iob_constraints(self.tags_)
        self._trans = np.where(allowed.numpy(), 0.0, NEG)
        self._start = np.where(start.numpy(), 0.0, NEG)
        self._end = np.zeros(len(self.tags_))

    def predict(self, items: Sequence[Item], confidence: bool = True) -> list[list[Pred]]:
        """Spans ``(start, end, entity, role, confidence)`` per ``(text, tokens)`` item."""
        EntityTagger._validate(items, "items", False)
        out: list[list[Pred]] = [[] for _ in items]
        prepared = [[m._units(text, toks) for text, toks in items] for m in self.members]
        for m, units in zip(self.members, prepared, strict=True):
            if m.has_encoder:
                m._add_subwords([text for text, _ in items], units)
        for units in prepared[1:]:
            for u0, u1 in zip(prepared[0], units, strict=True):
                if list(u0.starts) != list(u1.starts) or list(u0.ends) != list(u1.ends):
                    raise ModelError("ensemble members split the text into different units; "
                                     "use the same unit and gazetteer for every member")
        first = prepared[0]
        order = sorted((i for i, u in enumerate(first) if len(u)), key=lambda i: len(first[i]))
        bs = int(self.members[0].params["eval_batch_size"])
        inside_of = {t[2:]: k for k, t in enumerate(self.tags_) if t.startswith("I-")}
        for k in range(0, len(order), bs):
            idx = order[k:k + bs]
            per_member = []
            for m, units in zip(self.members, prepared, strict=True):
                net = m.net_
                was_training = net.training
                net.eval()
                with torch.inference_mode():
                    batch = m._encode([units[i] for i in idx])
                    em = net.emissions(batch).float().cpu().numpy()
                    crf = net.crf
                    start, trans, end = (x.detach().cpu().numpy() for x in
                                         (crf.start_transitions, crf.transitions, crf.end_transitions))
                if was_training:
                    net.train()
                lengths = batch["lengths"].cpu().numpy()
                alpha, beta, log_z = _forward_backward(em, lengths, start, trans, end)
                per_member.append((em, trans, end, alpha, beta, log_z))
            marg = np.mean([_unit_marginals(alpha, beta, log_z, lengths)
                            for _, _, _, alpha, beta, log_z in per_member], axis=0)
            with np.errstate(divide="ignore"):
                scores = np.maximum(np.log(marg), NEG)
            best = _viterbi(scores, lengths, self._start, self._trans, self._end)
            hit_rows, found = _decoded_spans(best, lengths, self.tags_, self.tags_.index("O"))
            if confidence and found:
                a = np.array([(hit_rows[r], j, e, inside_of[label]) for r, j, e, label in found],
                             dtype=np.int64)
                probs = np.mean([_span_probs(alpha, beta, log_z, em, trans, end, best, a[:, 0], a[:, 1],
                                             a[:, 2], lengths, a[:, 3])
                                 for em, trans, end, alpha, beta, log_z in per_member], axis=0).tolist()
            else:
                probs = [1.0] * len(found)
            for (r, j, e, label), conf in zip(found, probs, strict=True):
                i = idx[hit_rows[r]]
                entity, role = split_label(label)
                out[i].append((first[i].starts[j], first[i].ends[e - 1], entity, role, conf))
        return out


def _unit_marginals(alpha: _LogScaled, beta: _LogScaled, log_z: np.ndarray, lengths: np.ndarray
                    ) -> np.ndarray:
    """P(tag of unit i = t) per row (B, L, T) from forward-backward; padded positions hold 0."""
    n = alpha.values.shape[1]
    logs = alpha.logs + beta.logs - log_z[:, None]                 # (B, L)
    marg = alpha.values * beta.values * np.exp(np.minimum(logs, 50.0))[:, :, None]
    marg[~(np.arange(n)[None, :] < lengths[:, None])] = 0.0
    return marg
