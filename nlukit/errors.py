"""One catalogue of nlukit errors, all under :class:`NlukitError`.

Every error names the cause and the fix. Grammar errors carry ``file:line:column``.
Each class has a stable ``code`` that the REST layer and the CLI print.
"""
from __future__ import annotations


class NlukitError(Exception):
    """Root of every error nlukit raises on purpose."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Terminated(SystemExit):
    """The process was asked to stop (SIGTERM). A subclass of SystemExit, so ``except
    Exception`` never swallows it; its exit status is 128 + the signal number."""


_stop_requests: list[int] = []


def request_stop(signum: int) -> None:
    """Record a stop request and raise :class:`Terminated`. Called from a signal handler.

    The record matters because a signal handler runs wherever the main thread is: when that
    is a ``__del__`` or a garbage-collector callback, Python prints the exception and goes
    on. Training checks :func:`raise_if_stopped` every epoch and before it commits, so a
    stop request that was swallowed still stops the work and never commits a model."""
    _stop_requests.append(signum)
    raise Terminated(128 + signum)


def raise_if_stopped() -> None:
    """Raise :class:`Terminated` when a stop was requested (see :func:`request_stop`)."""
    if _stop_requests:
        raise Terminated(128 + _stop_requests[0])


class InputError(NlukitError, ValueError):
    """A caller passed a bad value (wrong type, too long, malformed)."""

    code = "E001"


class TextTooLongError(InputError):
    """A text exceeds the configured length limit."""

    code = "E002"


class PatternError(NlukitError):
    """A pattern file has a syntax or reference error, located at file:line:column."""

    code = "E010"

    def __init__(self, path: str, line: int, column: int, message: str, text: str = "", hint: str = "") -> None:
        self.path, self.line, self.column, self.detail, self.text = path, line, column, message, text
        self.hint = hint
        where = f"{path}:{line}:{column}"
        shown = f" in {text!r}" if text else ""
        super().__init__(f"{where}: {message}{shown}{f'; {hint}' if hint else ''}")


class DictionaryError(NlukitError):
    """A dictionary file cannot be read or is inconsistent."""

    code = "E020"


class DatasetError(NlukitError):
    """A generated dataset is missing, malformed or inconsistent."""

    code = "E030"


class OutputExistsError(NlukitError):
    """An output path exists and ``force`` was not given."""

    code = "E031"


class TokenizerError(NlukitError):
    """A tokenizer is unknown or its backend (MeCab, konlpy, Java) is missing."""

    code = "E040"


class ConfigError(NlukitError):
    """A configuration file or override is invalid."""

    code = "E050"


class ModelError(NlukitError):
    """A model cannot be trained, saved or used."""

    code = "E060"


class NotFittedError(ModelError):
    """A component is used before ``fit`` or ``load``."""

    code = "E061"


class BundleError(ModelError):
    """A model bundle is missing, corrupted, or incompatible with this nlukit."""

    code = "E070"


class ScenarioError(NlukitError):
    """A scenario file is invalid; the message names file and key."""

    code = "E080"


class SessionStoreError(NlukitError):
    """A session store cannot be reached or holds bad data."""

    code = "E090"
