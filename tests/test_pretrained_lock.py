"""The lock around a pretrained tokenizer (``nlukit.models.pretrained.tokenize``): no weights, no
``transformers``; stand-in tokenizers that wait or record who is inside."""
from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from nlukit.models import pretrained


class _Waiting:
    """A tokenizer that, called by a thread other than the main one, waits in its call until
    ``go`` is set (a long text being encoded)."""

    def __init__(self) -> None:
        self.inside, self.go = threading.Event(), threading.Event()

    def __call__(self, texts, **options):
        if threading.current_thread() is not threading.main_thread():
            self.inside.set()
            self.go.wait(10)
        return [len(t) for t in texts]


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs os.fork")
def test_should_tokenize_in_a_child_forked_while_another_thread_was_tokenizing():
    # review13: a process forked while one of its threads was inside tokenize (a preloading server,
    # multiprocessing's fork) inherited the tokenizer's lock held by a thread the child does not
    # have: the child's first tokenize waited forever
    tok = _Waiting()
    busy = threading.Thread(target=pretrained.tokenize, args=(tok, ["긴 글"]), daemon=True)
    busy.start()
    assert tok.inside.wait(10)
    pid = os.fork()   # the busy thread still inside: the child's own call waits for nothing but the lock
    if pid == 0:   # the child: tokenize once, say how it went by the exit code
        code = 1
        try:
            code = 0 if pretrained.tokenize(tok, ["부산"]) == [2] else 2
        finally:
            os._exit(code)
    tok.go.set()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        busy.join(10)
        pytest.fail("the forked child never got the tokenizer's lock")
    busy.join(10)
    assert os.waitstatus_to_exitcode(status) == 0
