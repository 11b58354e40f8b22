"""Manage a model store's versions: list them, switch ``current`` (roll back), prune old ones.

Every ``nlukit train --force`` and ``nlukit retrain`` adds a version folder to the store
(see :mod:`nlukit.bundle`); these functions are what ``nlukit versions`` calls::

    list_versions("models/demo")              # one VersionInfo per folder, oldest first
    use_version("models/demo", "previous")    # roll back: current moves, checked first
    prune_versions("models/demo", keep=3)     # delete all but the 3 newest (and current)

Order is the order of the version names, which ``nlukit train`` makes from the UTC time
(``20261121T234812Z``), so it is also the order of creation. ``current`` only ever moves
to a version that passes :func:`~nlukit.bundle.check_bundle` with every file's sha256
verified, and it moves atomically. A pruned version is first renamed to a hidden
``.deleting-*`` folder in the same store, then removed, so an interrupted prune never
leaves a half-deleted folder that looks like a version; the next prune finishes the
job, and :func:`~nlukit.bundle.versions` ignores hidden folders anyway.
"""
from __future__ import annotations

import os
import shutil
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from .bundle import CURRENT, META, check_bundle, current_version, is_bundle, is_store, read_json, set_current
from .errors import BundleError, InputError

PREVIOUS = "previous"  # --use previous: the newest older version that passes the check
DELETING = ".deleting-"  # prefix of a version being removed by prune


@dataclass
class VersionInfo:
    """One version folder of a store, as :func:`list_versions` reads it from its meta."""

    version: str
    current: bool = False
    state: str = "ok"                      # "ok", "damaged" or "incompatible"
    problem: str | None = None             # why it is not "ok" (the check's message)
    created: str | None = None
    nlukit_version: str | None = None
    intent_accuracy: float | None = None
    entity_f1: float | None = None
    made: str | None = None                # "trained" or "retrained"
    retrained_from: str | None = None
    refused: bool | None = None            # retrain kept current on the old version (worse)
    forced: bool | None = None             # retrain switched although the new one was worse

    @property
    def usable(self) -> bool:
        return self.state == "ok"

    def how(self) -> str:
        """How the version was made, in words (``retrained from X, refused: worse``)."""
        if self.made != "retrained":
            return self.made or "?"
        text = f"retrained from {self.retrained_from}"
        if self.refused:
            text += ", refused: worse"
        elif self.forced:
            text += ", forced although worse"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SwitchResult:
    """What :func:`use_version` did: ``current`` was ``previous`` and is now ``current``."""

    store: str
    previous: str | None
    current: str

    @property
    def changed(self) -> bool:
        return self.previous != self.current

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed}


@dataclass
class PruneResult:
    """What :func:`prune_versions` removed (or, on a dry run, would remove) and kept."""

    store: str
    keep: int
    dry_run: bool
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # hidden folders of an interrupted prune,
                                                        # removed first (not on a dry run)
    stuck: list[str] = field(default_factory=list)      # hidden folders that could not be removed
    foreign: list[str] = field(default_factory=list)    # folders with nothing nlukit writes: never deleted

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- the store


def check_store(store: str) -> str:
    """``store`` as given when it is a model store (a ``current`` pointer, or at least one
    version folder); otherwise a :class:`BundleError` naming the fix."""
    store = os.fspath(store)
    if is_bundle(store):
        parent = os.path.dirname(os.path.normpath(store)) or "."
        raise BundleError(f"{store} is one model version, not a model store; pass the store that "
                          f"holds it ({parent})")
    if not os.path.exists(store):
        raise BundleError(f"model {store!r} does not exist; train one with "
                          f"`nlukit train DATA -o {store}`")
    if not os.path.isdir(store) or not (is_store(store) or _folders(store)):
        raise BundleError(f"{store!r} is not a model store (no current pointer and no version "
                          "folders); pass the folder given to `nlukit train -o`")
    return store


def _folders(store: str) -> list[str]:
    """Every version-like folder: not hidden, not ``current``; with or without meta.json."""
    try:
        names = os.listdir(store)
    except OSError:
        return []
    return sorted(n for n in names
                  if not n.startswith(".") and n != CURRENT and os.path.isdir(os.path.join(store, n)))


def leftovers(store: str) -> list[str]:
    """Hidden folders an interrupted prune left behind (removed by the next prune)."""
    try:
        names = os.listdir(store)
    except OSError:
        return []
    return sorted(n for n in names if n.startswith(DELETING))


# ---------------------------------------------------------------- list


def inspect_version(store: str, version: str, *, verify: bool = False,
                    current: str | None = None) -> VersionInfo:
    """Read one version folder's meta into a :class:`VersionInfo`; never raises for a
    damaged or incompatible version, it says so in ``state`` and ``problem``."""
    path = os.path.join(store, version)
    info = VersionInfo(version=version, current=version == current)
    if not os.path.isfile(os.path.join(path, META)):
        info.state, info.problem = "damaged", f"{path}/{META} is missing; not a complete version"
        return info
    try:
        meta = read_json(os.path.join(path, META), "model bundle")
        if not isinstance(meta, dict):
            raise BundleError(f"{path}/{META} is not an object; the bundle is corrupted")
    except BundleError as exc:
        info.state, info.problem = "damaged", str(exc)
        return info
    info.created = _str(meta.get("created"))
    info.nlukit_version = _str(meta.get("nlukit_version"))
    metrics = meta.get("metrics")
    if not isinstance(metrics, dict):
        metrics = {}
    info.intent_accuracy = _num(metrics.get("intent_accuracy"))
    info.entity_f1 = _num(metrics.get("entity_f1"))
    rt = meta.get("retrain")
    if isinstance(rt, dict):
        info.made = "retrained"
        info.retrained_from = _str(rt.get("from"))
        forced, not_worse = bool(rt.get("forced")), rt.get("not_worse")
        info.refused = rt.get("current") is False
        info.forced = forced and not_worse is False and not info.refused
    else:
        info.made = "trained"
    try:
        with warnings.catch_warnings():  # another minor nlukit version: fine for a listing
            warnings.simplefilter("ignore")
            check_bundle(path, verify=False)
    except BundleError as exc:
        info.state, info.problem = "incompatible", str(exc)
        return info
    if verify:
        from .bundle import verify_files
        try:
            verify_files(path, meta)
        except BundleError as exc:
            info.state, info.problem = "damaged", str(exc)
    return info


def list_versions(store: str, *, verify: bool = False) -> list[VersionInfo]:
    """Every version folder of ``store``, oldest first, ``current`` marked.

    A folder without a readable ``meta.json`` is listed as ``damaged`` and one this nlukit
    cannot load (newer bundle format, another major version, missing tokenizer) as
    ``incompatible``; ``verify=True`` also checks every file's sha256 (slower: it reads
    every weight file). Hidden folders (a training in progress, an interrupted prune)
    are not versions and are left out.
    """
    store = check_store(store)
    cur = current_version(store)
    return [inspect_version(store, v, verify=verify, current=cur) for v in _folders(store)]


# ---------------------------------------------------------------- use / roll back


def use_version(store: str, version: str) -> SwitchResult:
    """Point ``store/current`` at ``version`` after checking it fully; return old and new.

    ``version`` is a version folder's name, or ``"previous"``: the newest version older
    than the current one that passes the check (a roll back; run it again to go further
    back). The version must pass :func:`~nlukit.bundle.check_bundle` with every file's
    sha256 verified, else a :class:`BundleError` names the cause and ``current`` stays.
    """
    store = check_store(store)
    old = current_version(store)
    version = _version_name(store, version)
    if version == PREVIOUS:
        target = _previous(store, old)
    else:
        _check_name(store, version)
        target = version
        if target != old:
            try:
                check_bundle(os.path.join(store, target), verify=True)
            except BundleError as exc:
                raise BundleError(f"cannot switch {store} to {target}: {exc} (current stays at "
                                  f"{old}; see `nlukit versions {store}` for the others)") from exc
    if target != old:
        set_current(store, target)
    return SwitchResult(store=store, previous=old, current=target)


def _version_name(store: str, version: str) -> str:
    """The folder name a shell completion gives as ``20261121T234812Z/`` or ``models/demo/20261121T234812Z``."""
    name = version.rstrip("/" + os.sep)
    head, base = os.path.split(name)
    if head and base and os.path.isdir(head) and os.path.samefile(head, store):
        return base
    return name or version


def _check_name(store: str, version: str) -> None:
    names = _folders(store)
    if version not in names:
        raise BundleError(f"{store} has no version {version!r}; available: "
                          f"{', '.join(names) or 'none'} (or {PREVIOUS!r}) — see `nlukit versions {store}`")


def _previous(store: str, cur: str | None) -> str:
    if cur is None:
        raise BundleError(f"{store} has no current version, so no previous one; pick a version by "
                          f"name (see `nlukit versions {store}`)")
    skipped: list[str] = []
    for name in reversed([v for v in _folders(store) if v < cur]):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                check_bundle(os.path.join(store, name), verify=True)
        except BundleError as exc:
            skipped.append(f"{name} ({exc})")
            continue
        return name
    why = f"; skipped {'; '.join(skipped)}" if skipped else ""
    raise BundleError(f"{store} has no usable version older than {cur}{why} — current stays at "
                      f"{cur}; see `nlukit versions {store}`")


# ---------------------------------------------------------------- prune


def prune_versions(store: str, keep: int, *, dry_run: bool = False) -> PruneResult:
    """Delete all but the ``keep`` newest version folders of ``store``, never ``current``.

    ``current`` is kept in addition when it is older than those. Folders listed as
    ``damaged`` (no readable ``meta.json``: not loadable, whatever their age) do not count
    among the ``keep`` and are deleted too, unless ``current`` names one — but a folder
    holding nothing a bundle has (no ``meta.json``, component folder or ``*.pt``: a user's
    own ``notes/``) is never deleted: it is listed in ``foreign``. Each folder is
    renamed to a hidden name in the store first, then removed, so a crash never leaves a
    half-deleted folder that looks like a version; leftovers of an interrupted prune are
    removed too.
    ``dry_run=True`` only says what would go.
    """
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise InputError(f"keep must be a whole number of at least 1, not {keep!r}; a store keeps at "
                         "least its newest version (--keep 1 keeps only the newest, and current)")
    store = check_store(store)
    cur = current_version(store)
    rows = [inspect_version(store, n, current=cur) for n in _folders(store)]
    # a damaged folder holding nothing nlukit writes (a user's notes/) is not ours to delete
    foreign = [r.version for r in rows if r.state == "damaged" and not _written_by_nlukit(os.path.join(store, r.version))]
    rows = [r for r in rows if r.version not in foreign]
    names = [r.version for r in rows]
    newest = set([r.version for r in rows if r.state != "damaged"][-keep:])
    result = PruneResult(store=store, keep=keep, dry_run=dry_run, leftovers=leftovers(store), foreign=foreign)
    result.kept = [n for n in names if n in newest or n == cur]
    result.removed = [n for n in names if n not in newest and n != cur]
    if dry_run:
        return result
    for name in result.leftovers:
        _discard(os.path.join(store, name))
    removed = []
    for name in result.removed:
        if name == current_version(store):  # switched while we pruned: keep it
            result.kept.append(name)
            continue
        if _remove(store, name):
            removed.append(name)
    result.removed = removed
    result.kept.sort()
    result.stuck = leftovers(store)
    return result


#: what a version folder holds (bundle layout): any of these marks a folder as nlukit's
_BUNDLE_PARTS = ("meta.json", "intent", "tagger", "w2v", "dicts", "memory.json", "report.json")


def _written_by_nlukit(path: str) -> bool:
    """True when ``path`` holds a part of a bundle or a weights file (``*.pt``), even half-written."""
    try:
        names = os.listdir(path)
    except OSError:
        return True  # unreadable: listed as damaged, and removing it is what prune did before
    return any(n in _BUNDLE_PARTS or n.endswith(".pt") for n in names) or os.path.islink(path)


def _remove(store: str, name: str) -> bool:
    """Rename ``store/name`` to a hidden folder, then delete it; False when it was gone."""
    hidden = os.path.join(store, f"{DELETING}{name}.{os.getpid()}.{time.monotonic_ns()}")
    try:
        os.rename(os.path.join(store, name), hidden)
    except FileNotFoundError:  # another prune took it
        return False
    except OSError as exc:
        raise BundleError(f"cannot remove {store}/{name} ({exc}); check its permissions, "
                          "nothing of it was deleted") from exc
    _discard(hidden)  # what stays is hidden, so not a version; the next prune retries
    return True


def _discard(path: str) -> None:
    if os.path.islink(path):  # a version linked in from elsewhere: only the link goes
        os.remove(path)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


__all__ = ["PruneResult", "SwitchResult", "VersionInfo", "check_store",
           "inspect_version", "leftovers", "list_versions", "prune_versions", "use_version"]
