"""Writing a new folder all at once: staged in a hidden sibling, renamed into place.

``nlukit init`` and ``nlukit import`` write projects this way, so an error leaves nothing
behind and an existing non-empty folder is never written into.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import InputError, OutputExistsError

__all__ = ["check_new_folder", "new_folder"]


def check_new_folder(path: str, hint: str = "choose a new folder name") -> None:
    """Refuse ``path`` unless it does not exist or is an empty folder (:class:`OutputExistsError`
    ending in ``hint``); a link, even to nowhere, is in the way too."""
    if os.path.lexists(path) and (os.path.islink(path) or not os.path.isdir(path) or os.listdir(path)):
        raise OutputExistsError(f"{path} exists and is not an empty folder; {hint} (nothing was written)")


@contextmanager
def new_folder(path: str | os.PathLike[str], *, prefix: str, hint: str = "choose a new folder name"
               ) -> Iterator[str]:
    """Yield an empty staging folder that becomes ``path`` when the block ends without error.

    ``path`` must not exist, or be an empty folder; otherwise :class:`OutputExistsError`,
    before anything is written. ``prefix`` names the hidden staging folder made beside
    ``path`` (``.nlukit-init-``); it is removed whatever happens. ``hint`` ends the errors.
    """
    path = os.fspath(path)
    check_new_folder(path, hint)
    parent = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=prefix, dir=parent)
    except OSError as exc:
        raise InputError(f"cannot create {path}: {parent} is not a folder that can be written to "
                         f"({exc.strerror}); choose another place (nothing was written)") from None
    try:
        root = os.path.join(tmp, "project")
        os.mkdir(root)
        yield root
        emptied = os.path.isdir(path)
        if emptied:
            os.rmdir(path)  # empty: checked above
        try:
            os.rename(root, path)
        except OSError as exc:
            if emptied:
                os.mkdir(path)   # the user's empty folder stays as it was
            raise InputError(f"cannot create {path} ({exc.strerror}); choose another place "
                             "(nothing was written)") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
