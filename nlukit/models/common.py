"""Torch helpers shared by the neural models: seeding, device, threads, early stopping,
progress bars, vocabularies and safe save/load of component directories.

Importing this module imports torch; ``import nlukit`` does not import it.

>>> v = Vocab.build([["서울", "날씨"], ["서울"]], min_count=1)
>>> v.itos[:2], v.index("서울") > 1, v.index("부산") == v.unk_index
(['<pad>', '<unk>'], True, True)
"""
from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import BundleError, ModelError, OutputExistsError, raise_if_stopped

PAD = "<pad>"
UNK = "<unk>"


# --------------------------------------------------------------------------- runtime
def set_seed(seed: int | None) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator seeded the same way."""
    gen = torch.Generator()
    if seed is None:
        gen.seed()
        return gen
    random.seed(seed)
    np.random.seed(seed % (2 ** 32))
    torch.manual_seed(seed)
    gen.manual_seed(seed)
    return gen


def choose_device(device: str | None = None) -> torch.device:
    """``None``/``"auto"`` → CUDA when present else CPU; otherwise the named device."""
    if device in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as exc:
        raise ModelError(f"unknown device {device!r} ({exc}); use 'cpu', 'cuda' or 'auto'") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"device {device!r} asked for but CUDA is not available; use 'cpu'")
    return dev


def set_threads(n: int | None) -> None:
    """Limit torch's intra-op threads (``None`` or 0 keeps torch's choice)."""
    if n:
        torch.set_num_threads(int(n))


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run a block with ``n`` torch threads, then restore the previous count."""
    if not n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def epoch_bar(epochs: int, enabled: bool, desc: str) -> Any:
    """A tqdm bar over epochs (a plain range when progress is off). Each epoch starts with a
    check for a stop request (SIGTERM in the CLI), see :func:`nlukit.errors.request_stop`."""
    if enabled:
        from tqdm.auto import tqdm
        return tqdm(_stoppable(range(epochs)), desc=desc, unit="epoch", leave=False, total=epochs)
    return _stoppable(range(epochs))


def _stoppable(epochs: Iterable[int]) -> Iterator[int]:
    for epoch in epochs:
        raise_if_stopped()
        yield epoch


def check_training_params(p: dict[str, Any], section: str, sizes: Iterable[str],
                          error: type[Exception] = ModelError) -> None:
    """Refuse training settings no fit can use, naming ``[section] key``: each of ``sizes``
    a positive integer (``true`` is no number), ``lr`` a number >= 0, ``lr_decay`` in (0, 1]."""
    for key in sizes:
        if not isinstance(p[key], int) or isinstance(p[key], bool) or p[key] < 1:
            raise error(f"[{section}] {key} must be a positive integer, got {p[key]!r}")
    if isinstance(p["lr"], bool) or not isinstance(p["lr"], (int, float)) or not p["lr"] >= 0:
        raise error(f"[{section}] lr must be a positive number (e.g. 0.003; 0 keeps the starting weights), "
                    f"got {p['lr']!r}")
    decay = p["lr_decay"]
    if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0.0 < decay <= 1.0:
        raise error(f"[{section}] lr_decay must be a number in (0, 1] (1 keeps the rate), got {decay!r}")


def passes_per_epoch(n: int, batch_size: int, epochs: int, min_updates: int) -> int:
    """How many times an epoch goes over ``n`` examples so that all epochs make ``min_updates``
    batches (1 once the data alone gives that many: demo-sized data trains as before)."""
    batches = epochs * -(-max(n, 1) // batch_size)
    return max(1, -(-min_updates // batches))


class EarlyStopping:
    """Track a validation metric, keep a copy of the best weights, say when to stop.

    ``mode`` is ``"max"`` (accuracy, F1) or ``"min"`` (loss). Ties do not count as
    improvement, so the earliest best epoch wins.
    """

    def __init__(self, patience: int = 3, mode: str = "max", min_delta: float = 0.0) -> None:
        if mode not in ("max", "min"):
            raise ValueError("mode must be 'max' or 'min'")
        self.patience, self.mode, self.min_delta = patience, mode, min_delta
        self.best: float | None = None
        self.best_epoch = -1
        self.bad_epochs = 0
        self._state: dict[str, torch.Tensor] | None = None

    def _better(self, value: float) -> bool:
        if self.best is None:
            return True
        if self.mode == "max":
            return value > self.best + self.min_delta
        return value < self.best - self.min_delta

    def step(self, value: float, model: torch.nn.Module, epoch: int) -> bool:
        """Record this epoch's metric; return True when training should stop."""
        if self._better(value):
            self.best, self.best_epoch, self.bad_epochs = value, epoch, 0
            self._state = copy.deepcopy(model.state_dict())
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience

    def restore(self, model: torch.nn.Module) -> None:
        """Load the best weights seen back into ``model``."""
        if self._state is not None:
            model.load_state_dict(self._state)


# --------------------------------------------------------------------------- vocab
class Vocab:
    """String ↔ index map with ``<pad>`` = 0 and ``<unk>`` = 1, saved as JSON."""

    def __init__(self, itos: Sequence[str]) -> None:
        self.itos = list(itos)
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        if self.itos[:2] != [PAD, UNK]:
            raise ValueError("a Vocab starts with <pad>, <unk>")

    pad_index = 0
    unk_index = 1

    @classmethod
    def build(cls, sequences: Iterable[Iterable[str]], min_count: int = 1,
              extra: Iterable[str] = ()) -> Vocab:
        """Items seen at least ``min_count`` times, most frequent first (ties by string)."""
        counts: Counter[str] = Counter()
        for seq in sequences:
            counts.update(seq)
        items = sorted((s for s, c in counts.items() if c >= min_count and s not in (PAD, UNK)),
                       key=lambda s: (-counts[s], s))
        seen = set(items)
        items += [s for s in extra if s not in seen and s not in (PAD, UNK)]
        return cls([PAD, UNK] + items)

    def __len__(self) -> int:
        return len(self.itos)

    def index(self, item: str) -> int:
        return self.stoi.get(item, 1)

    def encode(self, items: Iterable[str]) -> list[int]:
        get = self.stoi.get
        return [get(s, 1) for s in items]

    def to_json(self) -> list[str]:
        return list(self.itos)

    @classmethod
    def from_json(cls, obj: Any, path: str | os.PathLike[str] = "vocab") -> Vocab:
        if not isinstance(obj, list) or not all(isinstance(s, str) for s in obj) or obj[:2] != [PAD, UNK]:
            raise BundleError(f"{path}: not an nlukit vocabulary (a JSON list starting "
                              "'<pad>', '<unk>'); re-save the model")
        return cls(obj)


def warm_init(init: Any, params: dict[str, Any], key: str, what: str) -> Any:
    """``init`` when it can warm-start a model with ``params`` (same ``key``), else None with a warning.

    ``init`` must be fitted; a model of another kind (``key``) is not warm-started from,
    the new one trains from scratch.
    """
    if init is None:
        return None
    init._check_fitted()
    if init.params[key] != params[key]:
        import warnings
        warnings.warn(f"warm start skipped: the old {what} has {key}={init.params[key]!r}, this one "
                      f"{params[key]!r}; it trains from scratch", stacklevel=3)
        return None
    return init


def grow_vocab(old: Vocab, new: Vocab) -> Vocab:
    """``old``'s entries at their indices, then ``new``'s entries ``old`` lacks (warm starts).

    >>> grow_vocab(Vocab(["<pad>", "<unk>", "서울"]), Vocab(["<pad>", "<unk>", "부산", "서울"])).itos
    ['<pad>', '<unk>', '서울', '부산']
    """
    return Vocab(old.itos + [s for s in new.itos[2:] if s not in old.stoi])


def index_map(new: Sequence[str], old: Sequence[str]) -> list[int]:
    """For each item of ``new``, its index in ``old`` (-1 when ``old`` lacks it).

    >>> index_map(["O", "B-date", "B-food"], ["O", "B-date"])
    [0, 1, -1]
    """
    where = {s: i for i, s in enumerate(old)}
    return [where.get(s, -1) for s in new]


def warm_start(module: torch.nn.Module, old_state: dict[str, torch.Tensor],
               maps: dict[str, dict[int, Sequence[int]]] | None = None,
               skip: Iterable[str] = ()) -> dict[str, Any]:
    """Copy an older model's weights into ``module`` where they fit (a warm start).

    ``maps[name][dim]`` gives, for each index of ``module``'s tensor ``name`` along
    ``dim``, the index of the same item (word, label, feature) in ``old_state[name]``,
    or -1 for a new item, whose slice keeps ``module``'s own initialisation. Dimensions
    without a map must have the same size. A tensor that cannot be matched this way
    (another shape, absent from ``old_state``) keeps its initialisation and is listed
    under ``"fresh"``. Returns counts for the report: tensors copied whole or in part,
    and per mapped tensor the new slices (first mapped dimension) left initialised.
    """
    maps = maps or {}
    skip = set(skip)
    state = module.state_dict()
    stats: dict[str, Any] = {"copied": 0, "partial": 0, "fresh": [], "new_rows": {}}
    with torch.no_grad():
        for name, tensor in state.items():
            old = old_state.get(name)
            if name in skip:
                continue
            if old is None or old.dim() != tensor.dim():
                stats["fresh"].append(name)
                continue
            dim_maps = maps.get(name, {})
            if tensor.dim() == 0 or not dim_maps:
                if tuple(old.shape) == tuple(tensor.shape):
                    tensor.copy_(old.to(tensor.dtype))
                    stats["copied"] += 1
                else:
                    stats["fresh"].append(name)
                continue
            new_idx, old_idx = [], []
            fits = True
            for d in range(tensor.dim()):
                m = dim_maps.get(d)
                if m is None:
                    if old.shape[d] != tensor.shape[d]:
                        fits = False
                        break
                    new_idx.append(np.arange(tensor.shape[d]))
                    old_idx.append(np.arange(tensor.shape[d]))
                    continue
                if len(m) != tensor.shape[d]:
                    raise ModelError(f"warm start: map of {name} dim {d} has {len(m)} entries for "
                                     f"{tensor.shape[d]} rows")
                pairs = [(i, j) for i, j in enumerate(m) if 0 <= j < old.shape[d]]
                new_idx.append(np.array([i for i, _ in pairs], dtype=np.int64))
                old_idx.append(np.array([j for _, j in pairs], dtype=np.int64))
            if not fits or any(len(ix) == 0 for ix in new_idx):
                stats["fresh"].append(name)
                continue
            dst = tuple(torch.from_numpy(a) for a in np.ix_(*new_idx))
            src = tuple(torch.from_numpy(a) for a in np.ix_(*old_idx))
            tensor[dst] = old[src].to(tensor.dtype)
            stats["partial"] += 1
            first = min(dim_maps)
            stats["new_rows"][name] = int(tensor.shape[first] - len(new_idx[first]))
    return stats


def pad_batch(rows: Sequence[Sequence[int]], min_len: int = 1, max_len: int | None = None) -> torch.Tensor:
    """Right-pad index lists with 0 into a LongTensor (truncated to ``max_len``)."""
    width = max([len(r) for r in rows] + [min_len])
    if max_len is not None:
        width = min(width, max(max_len, min_len))
    out = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        n = min(len(r), width)
        if n:
            out[i, :n] = r[:n]
    return torch.from_numpy(out)


# --------------------------------------------------------------------------- files
def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write UTF-8 JSON (readable Korean, stable key order)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read JSON; a missing or malformed file is a :class:`BundleError` naming it."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError as exc:
        raise BundleError(f"{path}: file is missing; the model directory is incomplete, "
                          "re-train or copy the whole directory") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{path}: cannot read JSON ({exc}); the file is corrupted, "
                          "re-train or restore the model") from exc


def save_state(path: str | os.PathLike[str], state: dict[str, torch.Tensor]) -> None:
    """Save a ``state_dict`` (tensors only) with ``torch.save``."""
    torch.save({k: v.detach().cpu() for k, v in state.items()}, path)


def load_state(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """Load a ``state_dict`` with ``weights_only=True``; damage is a :class:`BundleError`."""
    if not os.path.isfile(path):
        raise BundleError(f"{path}: weights file is missing; the model directory is "
                          "incomplete, re-train or copy the whole directory")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for damaged zip/pickle data
        raise BundleError(f"{path}: cannot load weights ({type(exc).__name__}: {exc}); "
                          "the file is corrupted, re-train or restore the model") from exc
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BundleError(f"{path}: not a state_dict of tensors; re-save the model")
    return state


def load_module_state(module: torch.nn.Module, path: str | os.PathLike[str]) -> None:
    """Load weights from ``path`` into ``module``; shape/key mismatch is a BundleError."""
    state = load_state(path)
    try:
        module.load_state_dict(state)
    except RuntimeError as exc:
        raise BundleError(f"{path}: weights do not fit the saved hyperparameters ({exc}); "
                          "the directory mixes files of different models") from exc


def check_format(meta: Any, path: str | os.PathLike[str], kind: str, supported: int) -> dict[str, Any]:
    """Check a component meta's ``kind`` and ``format`` version, naming both on mismatch."""
    if not isinstance(meta, dict) or meta.get("kind") != kind:
        found = meta.get("kind") if isinstance(meta, dict) else type(meta).__name__
        raise BundleError(f"{path}: expected a {kind!r} component, found {found!r}")
    fmt = meta.get("format")
    if not isinstance(fmt, int) or fmt > supported or fmt < 1:
        from .. import __version__
        raise BundleError(f"{path}: {kind} format {fmt!r} is not supported by nlukit "
                          f"{__version__} (reads format ≤ {supported}; saved by nlukit "
                          f"{meta.get('nlukit_version', '?')}); upgrade nlukit or re-train")
    return meta


@contextlib.contextmanager
def atomic_dir(dest: str | os.PathLike[str], overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary sibling directory; on success it replaces ``dest`` by rename.

    ``dest`` may be absent or an empty directory; a non-empty one is refused unless
    ``overwrite``. On error the temporary directory is removed and ``dest`` untouched.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise OutputExistsError(f"{dest} exists and is not a directory; choose another path")
    if dest.is_dir() and any(dest.iterdir()) and not overwrite:
        raise OutputExistsError(f"{dest} exists and is not empty; choose another path or "
                                "remove it first")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        yield tmp
        raise_if_stopped()
        if dest.is_dir():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
            os.replace(dest, old / "x")
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
