"""Trainable components: embeddings (``embeddings``), intent classifiers (``intent``)
and the entity tagger (``tagger``). Import the submodules directly; this package
imports nothing heavy, so ``import nlukit.models`` stays fast.
"""
from __future__ import annotations

__all__ = ["common", "embeddings", "intent", "tagger", "gazetteer"]
