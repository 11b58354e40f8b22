"""The on-disk model bundle: layout, atomic writes, versions and load-time checks.

A model store ``models/<name>/`` holds one directory per version and a ``current``
symlink naming the version in use::

    models/demo/
      current -> 20261121T234812Z
      20261121T234812Z/
        meta.json  w2v/  intent/  tagger/  dicts/dictionary.json  report.json
        patterns/patterns.txt  generation.json   (what `nlukit retrain` regenerates from)
        memory.json   (the taught sentences' intents, by memory_key; absent with train.memory = false)

A version is built in a hidden temporary directory next to it and renamed into
place; ``current`` is switched with :func:`os.replace` of a fresh symlink, so a
reader sees either the old model or the new one, never half of one, and a failed
training leaves the working model untouched.

``meta.json`` records the sha256 of every other file; :func:`check_bundle` refuses
a bundle with a missing or altered file, a newer bundle format, another major
nlukit version or a tokenizer this install cannot provide. No pickle anywhere.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator
from typing import Any

from .errors import BundleError, OutputExistsError, raise_if_stopped

META = "meta.json"
CURRENT = "current"


def sha256_file(path: str) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_json(obj: Any) -> str:
    """Hex sha256 of a JSON value in canonical form (sorted keys, UTF-8)."""
    data = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _walk_files(root: str) -> Iterator[str]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            yield os.path.relpath(full, root).replace(os.sep, "/")


def file_digests(root: str) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root`` except ``meta.json``."""
    return {rel: sha256_file(os.path.join(root, rel)) for rel in _walk_files(root) if rel != META}


def write_json(path: str, obj: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=1, sort_keys=False)
        fh.write("\n")


def read_json(path: str, what: str = "file") -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise BundleError(f"{path} is missing; the {what} is incomplete — retrain with "
                          "`nlukit train DATA -o MODEL`") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is not valid JSON ({exc}); the {what} is corrupted — "
                          "retrain with `nlukit train DATA -o MODEL`") from exc


# ---------------------------------------------------------------- versions & current


def is_bundle(path: str) -> bool:
    """True when ``path`` is one version directory (it has ``meta.json``)."""
    return os.path.isfile(os.path.join(path, META))


def is_store(path: str) -> bool:
    """True when ``path`` is a model store (it has a ``current`` pointer)."""
    return os.path.lexists(os.path.join(path, CURRENT))


def current_version(store: str) -> str | None:
    """The version name ``current`` points to, or None when there is none yet."""
    ptr = os.path.join(store, CURRENT)
    if os.path.islink(ptr):
        return os.path.basename(os.readlink(ptr).rstrip("/"))
    if os.path.isfile(ptr):  # filesystems without symlinks: a one-line file
        with open(ptr, encoding="utf-8") as fh:
            return fh.read().strip() or None
    return copied_current(store)


def copied_current(store: str) -> str | None:
    """The version a ``current`` that is a real folder is a copy of, else None.

    Copying a store with a tool that follows links (``scp -r``, ``cp -rL``, a zip on Windows,
    ``aws s3 sync``) turns the ``current`` link into a copy of the version it named. That copy
    stands for the version its ``meta.json`` names when the store holds that version with the
    very same ``meta.json`` (which holds every file's sha256).
    """
    ptr = os.path.join(store, CURRENT)
    if os.path.islink(ptr) or not os.path.isdir(ptr):
        return None
    try:
        with open(os.path.join(ptr, META), "rb") as fh:
            raw = fh.read()
        version = json.loads(raw).get("version")
        if not isinstance(version, str) or not version or version != os.path.basename(version) \
                or version.startswith(".") or version == CURRENT:
            return None
        with open(os.path.join(store, version, META), "rb") as fh:
            return version if fh.read() == raw else None
    except (OSError, ValueError, AttributeError):
        return None


def versions(store: str) -> list[str]:
    """Version directories in a store, oldest first."""
    if not os.path.isdir(store):
        return []
    return sorted(d for d in os.listdir(store)
                  if not d.startswith(".") and d != CURRENT and is_bundle(os.path.join(store, d)))


def resolve(path: str) -> str:
    """The version directory that ``path`` names: itself, or its ``current`` version."""
    if is_bundle(path):
        return path
    if is_store(path):
        version = current_version(path)
        target = os.path.join(path, version) if version else ""
        if not version and os.path.isdir(os.path.join(path, CURRENT)):
            _check_current_replaceable(path)
        if not version or not is_bundle(target):
            raise BundleError(f"{path}/current points to {version!r}, which is not a model "
                              f"version; available: {', '.join(versions(path)) or 'none'} — "
                              "retrain, or point current at a good version")
        return target
    if not os.path.exists(path):
        raise BundleError(f"model {path!r} does not exist; train one with "
                          f"`nlukit train DATA -o {path}`")
    raise BundleError(f"{path!r} is not a model bundle (no meta.json and no current pointer); "
                      "pass the folder given to `nlukit train -o`, or a version folder inside it")


def set_current(store: str, version: str) -> None:
    """Point ``store/current`` at ``version`` atomically."""
    if not is_bundle(os.path.join(store, version)):
        raise BundleError(f"cannot switch {store}/current to {version!r}: not a model version")
    ptr = os.path.join(store, CURRENT)
    copy = None
    if os.path.isdir(ptr) and not os.path.islink(ptr):
        _check_current_replaceable(store)
        # a copy of a version the store still holds (the link followed by a copy): set aside,
        # so the pointer can take its place, then removed — nothing is lost
        copy = os.path.join(store, f".current-copy.{os.getpid()}.{time.monotonic_ns()}")
        os.rename(ptr, copy)
    tmp = os.path.join(store, f".current.{os.getpid()}.{time.monotonic_ns()}")
    try:
        os.symlink(version, tmp)
    except OSError:  # no symlinks here: a pointer file, replaced atomically too
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(version + "\n")
    os.replace(tmp, ptr)
    if copy is not None:
        shutil.rmtree(copy, ignore_errors=True)


def _check_current_replaceable(store: str) -> None:
    ptr = os.path.join(store, CURRENT)
    if os.path.isdir(ptr) and not os.path.islink(ptr) and copied_current(store) is None:
        raise BundleError(f"{ptr} is a real directory, not a pointer, and no copy of a version this store "
                          "holds (its meta.json differs from every version's); move it away, e.g. out of "
                          f"{store}, then `nlukit versions {store} --use VERSION`")


def new_version_name(store: str) -> str:
    """A fresh, sortable version name (UTC time, with a suffix on collision)."""
    base = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    name, n = base, 1
    while os.path.lexists(os.path.join(store, name)):
        n += 1
        name = f"{base}-{n}"
    return name


class BundleWriter:
    """Build a new version in a temporary directory; :meth:`commit` renames it into place.

    >>> import tempfile, os
    >>> store = os.path.join(tempfile.mkdtemp(), "demo")
    >>> with BundleWriter(store) as w:
    ...     _ = open(os.path.join(w.path, "x.txt"), "w").write("hi")
    ...     _ = w.commit({"name": "demo"})
    >>> current_version(store) == w.version
    True
    """

    def __init__(self, store: str, *, force: bool = False, version: str | None = None,
                 switch: bool = True) -> None:
        if os.path.exists(store) and not os.path.isdir(store):
            raise OutputExistsError(f"{store} exists and is a file; choose another output folder")
        if is_bundle(store):
            raise OutputExistsError(
                f"{store} is a single model version, not a model store; pass its parent folder "
                "or a new folder to -o")
        # a staging folder (.tmp-*) is all a killed first training leaves: the folder is still ours
        if os.path.isdir(store) and not is_store(store) and any(
                not (n.startswith(".tmp-") and os.path.isdir(os.path.join(store, n))) for n in os.listdir(store)):
            raise OutputExistsError(
                f"{store} exists and is not an nlukit model folder; choose a new folder with -o "
                "(nothing was written)")
        if is_store(store) and not force:
            raise OutputExistsError(
                f"{store} already holds a model (current → {current_version(store)}); pass "
                "--force (force=True) to train a new version and switch current to it")
        if switch:  # refused now, not after the training
            _check_current_replaceable(store)
        self.store = store
        self.switch = switch
        try:
            os.makedirs(store, exist_ok=True)
            self.version = version or new_version_name(store)
            self.path = tempfile.mkdtemp(prefix=f".tmp-{self.version}-", dir=store)
        except OSError as exc:  # a parent that is a file, a read-only disk, no permission
            raise OutputExistsError(f"cannot create {store} ({exc.strerror}); choose another output "
                                    "folder with -o (nothing was written)") from None
        self.final = os.path.join(store, self.version)
        self.committed = False

    def commit(self, meta: dict[str, Any]) -> str:
        """Write ``meta.json`` with every file's sha256, rename into place, switch current."""
        raise_if_stopped()  # a swallowed SIGTERM still commits nothing
        meta = dict(meta)
        meta["version"] = self.version
        meta["files"] = file_digests(self.path)
        write_json(os.path.join(self.path, META), meta)
        for dirpath, _dirs, _files in os.walk(self.path):  # mkdtemp makes 0700 directories
            os.chmod(dirpath, 0o755)
        if os.path.lexists(self.final):
            raise OutputExistsError(f"{self.final} appeared while training; nothing was replaced")
        os.rename(self.path, self.final)
        self.committed = True
        if self.switch:
            set_current(self.store, self.version)
        return self.final

    def abort(self) -> None:
        if not self.committed:
            shutil.rmtree(self.path, ignore_errors=True)
            try:  # leave no empty store behind when the very first training fails
                if not os.listdir(self.store):
                    os.rmdir(self.store)
            except OSError:
                pass

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.abort()


# ---------------------------------------------------------------- checks on load


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


def check_bundle(path: str, *, tokenizer: str | None = None, verify: bool = True) -> dict[str, Any]:
    """Read and check ``meta.json`` of the version directory ``path``; return the meta.

    Raises :class:`BundleError` for a newer bundle format, another major nlukit
    version, a tokenizer mismatch or a missing/altered file. A different minor
    version only warns, naming both versions.
    """
    from . import BUNDLE_FORMAT_VERSION, __version__
    from .text import available_tokenizers

    meta = read_json(os.path.join(path, META), "model bundle")
    if not isinstance(meta, dict):
        raise BundleError(f"{path}/meta.json is not an object; the bundle is corrupted — retrain")
    fmt = meta.get("bundle_format")
    if not isinstance(fmt, int):
        raise BundleError(f"{path}/meta.json has no bundle_format; it was not written by "
                          "`nlukit train` — retrain the model")
    if fmt > BUNDLE_FORMAT_VERSION:
        raise BundleError(
            f"{path} uses bundle format {fmt}, newer than this nlukit {__version__} reads "
            f"(format {BUNDLE_FORMAT_VERSION}); upgrade nlukit (it was written by nlukit "
            f"{meta.get('nlukit_version', '?')})")
    if fmt < 1:
        raise BundleError(f"{path} uses unknown bundle format {fmt}; retrain the model")
    made_by = str(meta.get("nlukit_version", "?"))
    if _major(made_by) != _major(__version__):
        raise BundleError(
            f"{path} was trained with nlukit {made_by}, this is nlukit {__version__} (another "
            f"major version); retrain it with this version or install nlukit {made_by}")
    if made_by != __version__:
        warnings.warn(f"{path} was trained with nlukit {made_by}, this is nlukit {__version__}; "
                      "it should work, retrain if results look off", stacklevel=3)
    tok = meta.get("tokenizer")
    if tokenizer is not None and tok != tokenizer:
        raise BundleError(
            f"{path} was trained with tokenizer {tok!r} but {tokenizer!r} was requested; the "
            f"same tokenizer must be used — load it with tokenizer={tok!r} or retrain")
    if tok not in available_tokenizers():
        raise BundleError(
            f"{path} was trained with tokenizer {tok!r}, which this install does not provide "
            f"(available: {', '.join(available_tokenizers())}); install it or retrain")
    if verify:
        verify_files(path, meta)
    return meta


def verify_files(path: str, meta: dict[str, Any]) -> None:
    """Compare every file with the sha256 recorded in ``meta['files']``."""
    files = meta.get("files")
    if not isinstance(files, dict) or not files:
        raise BundleError(f"{path}/meta.json lists no files; the bundle is corrupted — retrain")
    for rel, digest in files.items():
        full = os.path.join(path, *rel.split("/"))
        if not os.path.isfile(full):
            raise BundleError(f"{path}: file {rel} is missing; the bundle is incomplete — "
                              "copy the whole folder again or retrain")
        if sha256_file(full) != digest:
            raise BundleError(f"{path}: file {rel} is corrupted (sha256 differs from meta.json); "
                              "copy the bundle again or retrain")
    # a pretrained encoder's folder is read whole by transformers: a file added there (vocab.txt,
    # special_tokens_map.json) can change the tokenising unseen, so it must be one meta.json lists
    encoders = {rel.rsplit("/", 1)[0] for rel in files if rel.rsplit("/", 2)[-2:-1] == ["encoder"]}
    for folder in sorted(encoders):
        for name in sorted(os.listdir(os.path.join(path, *folder.split("/")))):
            if f"{folder}/{name}" not in files:
                raise BundleError(f"{path}: {folder}/{name} is not a file of this bundle (meta.json does not "
                                  "list it); a file added to a pretrained encoder's folder can change how texts "
                                  "are tokenised: remove it, or retrain")
