"""The top-level Python API: ``nlukit.train`` & co. are lazy wrappers that must still show
the real functions' signatures and docstrings (``help``, ``inspect``, type checkers)."""
from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys

import nlukit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: wrapper name -> the module holding the real function of that name
REAL = {"load": "nlukit.nlu", "generate": "nlukit.generate.generator", "train": "nlukit.train",
        "retrain": "nlukit.retrain", "list_versions": "nlukit.versions", "use_version": "nlukit.versions",
        "prune_versions": "nlukit.versions"}
HEAVY = ("torch", "gensim", "MeCab", "flask", "numpy")

_FRESH = f"""
import inspect, json, pydoc, sys
import nlukit
wrappers = {{n: getattr(nlukit, n) for n in {sorted(REAL)!r}}}
out = {{n: {{"signature": str(inspect.signature(w)), "doc": inspect.getdoc(w),
            "help": pydoc.render_doc(w, renderer=pydoc.plaintext)}} for n, w in wrappers.items()}}
out["heavy"] = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
print(json.dumps(out))
"""


def _without_example(doc: str) -> str:
    """A docstring up to its first doctest (the wrappers leave the examples to the real function)."""
    return doc.split("\n>>> ", 1)[0].rstrip()


def test_should_show_the_real_signature_and_doc_of_every_lazy_wrapper_without_importing_torch():
    # Given a fresh interpreter that only imported nlukit (the wrappers not yet replaced by submodules)
    env = dict(os.environ, PYTHONPATH=ROOT)
    run = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, env=env, check=True)
    fresh = json.loads(run.stdout)
    # Then no heavy library was loaded to show them
    assert fresh.pop("heavy") == []
    for name, module in REAL.items():
        real = getattr(importlib.import_module(module), name)
        # the real parameters, defaults and annotations, not (*args, **kwargs)
        assert fresh[name]["signature"] == str(inspect.signature(real)), name
        assert "*args" not in fresh[name]["help"], name
        # and the real docstring, pointing to where the function lives
        doc = fresh[name]["doc"]
        assert doc.startswith(_without_example(inspect.getdoc(real))), name
        assert f"{module}.{name}" in doc, name


def test_should_keep_the_real_signature_once_a_submodule_replaced_the_wrapper():
    # Given the submodules imported (nlukit.train is then the module, itself callable)
    for name in ("generate", "train", "retrain"):
        importlib.import_module(f"nlukit.{name}")
        replaced = getattr(nlukit, name)
        assert inspect.ismodule(replaced)
        real = getattr(importlib.import_module(REAL[name]), name)
        # Then inspect still names the real parameters
        assert inspect.signature(replaced) == inspect.signature(real), name
    assert "data_dir" in inspect.signature(nlukit.train).parameters
