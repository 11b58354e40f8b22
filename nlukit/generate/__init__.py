"""From patterns and dictionaries to a labelled dataset.

* :mod:`nlukit.generate.dictionary` — entity dictionaries (CSV, long and wide form);
* :mod:`nlukit.generate.grammar` — the pattern grammar (``@intent``, ``{slot}``, ``(a|b)``, particles);
* :mod:`nlukit.generate.generator` — controlled sampling, splits and the dataset writer.

Only the standard library is imported here; MeCab loads when a dataset is written.

Importing this package replaces the function ``nlukit.generate`` by the package, so
the package itself is callable and ``nlukit.generate(...)`` keeps working either way.
"""
from __future__ import annotations

import sys
import types
from typing import Any

from .dictionary import Dictionary, load_dictionaries

__all__ = ["Dictionary", "generate", "load_dictionaries", "load_patterns"]


def __getattr__(name: str) -> Any:
    """Lazy attributes: the generator and grammar load on first use."""
    if name == "generate":
        from .generator import generate
        return generate
    if name == "__signature__":   # inspect.signature(nlukit.generate) once the package replaced the function
        import inspect

        from .generator import generate as _generate
        return inspect.signature(_generate)
    if name == "load_patterns":
        from .grammar import load_patterns
        return load_patterns
    raise AttributeError(f"module 'nlukit.generate' has no attribute {name!r}")


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .generator import generate
        return generate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
