"""Pretrained Transformer encoders (KLUE-BERT, KoELECTRA, …) from a local folder.

nlukit never downloads weights: ``pretrained`` names a folder holding a Hugging Face model
(``config.json``, the weights, the tokenizer's files), as ``save_pretrained`` or
``huggingface-cli download klue/bert-base --local-dir DIR`` write it. The encoder is
fine-tuned with the model that uses it, and a bundle keeps its own copy of the
configuration, the tokenizer and the fine-tuned weights (a torch state dict read with
``weights_only=True``), so a bundle loads without the original folder.

``transformers`` is an optional dependency (``pip install 'nlukit[transformers]'``);
importing this module does not import it.
"""
from __future__ import annotations

import json
import os
import threading
import weakref
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ModelError

#: the files of a bundled encoder, below the component's folder
FOLDER = "encoder"
INSTALL = "pip install 'nlukit[transformers]' (transformers and tokenizers)"


def transformers_module() -> Any:
    """``transformers``, imported offline (no hub calls), or a :class:`ConfigError` naming the install."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    try:
        import transformers
    except ImportError as exc:   # pragma: no cover - the dev extra installs it
        raise ConfigError(f"a pretrained encoder needs transformers, which is not installed ({exc}); {INSTALL}") from exc
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()   # no "Loading weights" bar per load
    return transformers


def check_folder(path: Any, key: str) -> Path:
    """The folder ``path`` (setting ``key``), or a :class:`ConfigError` saying what a pretrained folder is."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise ConfigError(f"{key} must be the path of a local folder holding a pretrained model, got {path!r}")
    folder = Path(os.path.expanduser(str(path)))
    how = ("nlukit loads pretrained weights from a local folder only: download them where the network "
           "allows (e.g. huggingface-cli download klue/bert-base --local-dir DIR) and copy DIR here")
    if not folder.is_dir():
        raise ConfigError(f"{key}: {str(path)!r} is not a folder; {how}")
    if not (folder / "config.json").is_file():
        raise ConfigError(f"{key}: {str(folder)!r} has no config.json, so it is no Hugging Face model folder; {how}")
    _check_encoder_config(folder, key)
    if not any((folder / f).is_file() for f in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")):
        raise ConfigError(f"{key}: {str(folder)!r} has no tokenizer files (tokenizer.json or vocab.txt); save the "
                          "tokenizer into the same folder (tokenizer.save_pretrained(DIR))")
    return folder


#: model types that are decoder-only (causal) language models: no bidirectional encoder to fine-tune
_DECODER_ONLY = frozenset((
    "gpt2", "gpt_neo", "gpt_neox", "gpt_neox_japanese", "gptj", "gpt_bigcode", "openai-gpt", "ctrl", "transfo-xl",
    "bloom", "opt", "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2",
    "gemma3_text", "phi", "phi3", "falcon", "mpt", "codegen", "biogpt", "xglm", "persimmon", "stablelm",
    "starcoder2", "olmo", "olmo2", "cohere", "exaone", "rwkv", "mamba", "mamba2", "recurrent_gemma", "jamba",
    "dbrx", "granite", "internlm2", "baichuan", "chatglm", "glm", "deepseek_v2", "deepseek_v3", "kogpt"))
_ENCODERS = "a bidirectional encoder (BERT, RoBERTa, ELECTRA; e.g. klue/bert-base, klue/roberta-base)"


def _check_encoder_config(folder: Path, key: str) -> None:
    """A :class:`ConfigError` when ``folder``'s config.json is not an encoder's: a decoder-only
    (causal) language model (GPT-2, Llama ...; or a BERT saved with ``is_decoder``) reads each
    subword with only those before it, and an encoder-decoder (T5, BART) wants decoder inputs."""
    try:
        with open(folder / "config.json", encoding="utf-8") as fh:
            config = json.load(fh)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{key}: the config.json in {str(folder)!r} could not be read ({exc}); "
                          "it is no Hugging Face model folder: copy the downloaded folder whole") from exc
    if not isinstance(config, dict):
        raise ConfigError(f"{key}: the config.json in {str(folder)!r} is no JSON object; copy the downloaded "
                          "folder whole")
    model_type = str(config.get("model_type") or "").lower()
    archs = [a for a in config.get("architectures") or () if isinstance(a, str)]
    causal = bool(archs) and all(a.endswith(("ForCausalLM", "LMHeadModel")) for a in archs)
    if model_type in _DECODER_ONLY or config.get("is_decoder") is True or (
            causal and not config.get("is_encoder_decoder")):
        what = model_type or (archs[0] if archs else "model")
        raise ConfigError(f"{key}: {str(folder)!r} holds a {what} model, which is a decoder-only (causal) language "
                          f"model (each subword reads only those before it), not an encoder; nlukit fine-tunes "
                          f"{_ENCODERS}: point {key} at such a folder")
    if config.get("is_encoder_decoder") is True:
        raise ConfigError(f"{key}: {str(folder)!r} holds a {model_type or 'model'} model, an encoder-decoder "
                          f"(sequence-to-sequence) model, not an encoder; nlukit fine-tunes {_ENCODERS}: "
                          f"point {key} at such a folder, or remove {key} to train without one")


def check_tokenizer(path: Any, key: str) -> Any:
    """:func:`check_folder`, then the folder's tokenizer (no weights are read): a
    :class:`ConfigError` when it cannot be read or is slow only. For a settings check before
    any training; returns the fast tokenizer."""
    folder = check_folder(path, key)
    tf = transformers_module()
    try:
        tokenizer = tf.AutoTokenizer.from_pretrained(str(folder), local_files_only=True, use_fast=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{key}: the tokenizer in {str(folder)!r} could not be read ({exc}); save it "
                          "into the folder with tokenizer.save_pretrained(DIR)") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(f"{key}: {str(folder)!r} has only a slow tokenizer; nlukit needs a fast one "
                          "(tokenizer.json) for character offsets: save it with a fast tokenizer")
    return tokenizer


def load_pretrained(path: Any, key: str) -> tuple[Any, Any]:
    """``(tokenizer, encoder)`` from a local Hugging Face folder: a fast tokenizer (its character
    offsets are needed) and the bare encoder (``AutoModel``), weights included."""
    folder = check_folder(path, key)
    tf = transformers_module()
    try:
        tokenizer = tf.AutoTokenizer.from_pretrained(str(folder), local_files_only=True, use_fast=True)
        encoder = tf.AutoModel.from_pretrained(str(folder), local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{key}: {str(folder)!r} could not be read as a pretrained model: {exc}") from exc
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(f"{key}: {str(folder)!r} has only a slow tokenizer; nlukit needs a fast one "
                          "(tokenizer.json) for character offsets: save it with a fast tokenizer")
    return tokenizer, encoder


def save_encoder(folder: str | os.PathLike[str], tokenizer: Any, encoder: Any) -> None:
    """Write the encoder's configuration and tokenizer to ``folder`` (its weights are saved by the
    component with the rest of its state dict)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    encoder.config.to_json_file(str(out / "config.json"))
    tokenizer.save_pretrained(str(out))


def load_encoder(folder: str | os.PathLike[str]) -> tuple[Any, Any]:
    """``(tokenizer, encoder)`` from a bundle's copy: the architecture from its config, weights
    left for the caller's state dict (no pretrained weights are read, nothing is downloaded)."""
    tf = transformers_module()
    try:
        config = tf.AutoConfig.from_pretrained(str(folder), local_files_only=True)
        tokenizer = tf.AutoTokenizer.from_pretrained(str(folder), local_files_only=True, use_fast=True)
        encoder = tf.AutoModel.from_config(config)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"the bundled encoder in {str(folder)!r} could not be read ({exc}); "
                         "the bundle is damaged: retrain it") from exc
    return tokenizer, encoder


#: model types whose position ids start after the padding index (RoBERTa's 514 positions read 512 subwords)
_OFFSET_POSITIONS = frozenset(("roberta", "xlm-roberta", "camembert", "longformer", "data2vec-text", "xmod",
                               "roberta-prelayernorm", "mpnet", "ibert", "luke", "mluke"))


def max_positions(encoder: Any, want: int) -> int:
    """``want`` subwords, at most as many as ``encoder``'s position embeddings can read (past them
    a long text fails inside the encoder: the expanded size of the tensor must match)."""
    config = getattr(encoder, "config", None)
    limit = getattr(config, "max_position_embeddings", None)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0:
        return want
    if getattr(config, "model_type", None) in _OFFSET_POSITIONS:
        pad = getattr(config, "pad_token_id", None)
        limit -= (pad if isinstance(pad, int) and pad >= 0 else 1) + 1
    return max(3, min(want, limit))


_LOCKS: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_LOCK = threading.Lock()
_SHARED_LOCK = threading.Lock()   # tokenizers no weak reference can name


def tokenize(tokenizer: Any, texts: list[str], **options: Any) -> Any:
    """``tokenizer(texts, **options)``, one thread at a time per tokenizer.

    A fast tokenizer is one Rust object that each call reconfigures (truncation, padding)
    before it encodes with the GIL released; two threads in it at once (a server's request
    threads: ``parse(today=...)``, the bot's turns, ``parse_batch``) can meet a half-set
    configuration, or, with some ``tokenizers`` versions, ``RuntimeError: Already borrowed``.
    Tokenising a few short texts costs far less than the encoder that follows."""
    with _LOCKS_LOCK:
        try:
            lock = _LOCKS.get(tokenizer)
            if lock is None:
                lock = _LOCKS[tokenizer] = threading.Lock()
        except TypeError:   # not weakly referable or not hashable: one lock for all such
            lock = _SHARED_LOCK
    with lock:
        return tokenizer(texts, **options)



def _new_locks() -> None:
    """Fresh locks in a child just forked: one held by another thread of the parent at the fork
    (a server preloading, multiprocessing's fork) would never be released there, that thread not
    being copied, and the child's first :func:`tokenize` would wait forever."""
    global _LOCKS, _LOCKS_LOCK, _SHARED_LOCK
    _LOCKS, _LOCKS_LOCK, _SHARED_LOCK = weakref.WeakKeyDictionary(), threading.Lock(), threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_locks)


def encode_texts(tokenizer: Any, texts: list[str], max_len: int) -> dict[str, Any]:
    """Tokenise a batch for the encoder (torch tensors, padded to the longest, cut at ``max_len``)."""
    return tokenize(tokenizer, texts, padding=True, truncation=True, max_length=max_len, return_tensors="pt")
