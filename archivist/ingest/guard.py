"""The per-file catch-all: a bug in one file's stages is that file's error,
not the end of a build of a hundred thousand.

A stage handles the problems it expects of its input (an undecodable file,
a timeout, a pattern that runs too long) and returns a Failure for them.
``Guarded`` wraps a stage so that anything else it raises becomes a Failure
too, saying it is an internal error to report; with ``debug`` it is raised
as it was, traceback and all.  A Guarded stage is plain data (picklable):
it goes to a process pool or a Dask worker with the debug flag inside it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from archivist.ingest.deadline import TIMED_OUT, FileTimeout
from archivist.ingest.inputs import InputError
from archivist.ingest.read import ReadError
from archivist.model import Failure
from archivist.text.lexicon import PatternTimeout

Result = TypeVar("Result")

EXPECTED = (ReadError, InputError, FileTimeout, PatternTimeout)  # a stage reports these as they are


INTERNAL = "internal error: "


def internal_error(path: str, error: BaseException) -> Failure:
    if isinstance(error, EXPECTED):
        return Failure(path, str(error))
    message = " ".join(str(error).split())[:300]  # one line, whatever the exception holds
    return Failure(path, f"{INTERNAL}{type(error).__name__}: {message} (please report; --debug shows the traceback)")


def is_internal(result: object) -> bool:
    """Whether a file failed for a bug, not for what it holds: such a result
    is not kept in the build state (the next build, or ``--debug``, tries
    the file again)."""
    return isinstance(result, Failure) and result.error.startswith(INTERNAL)


def is_transient(result: object) -> bool:
    """Whether a file's failure says more about this run than about the file:
    a bug of ours, or its time running out (a busy machine, a limit since
    raised).  Such a result is not kept in the build state: the next build
    tries the file again."""
    return is_internal(result) or (isinstance(result, Failure) and TIMED_OUT in result.error)


def as_failure(failure: Failure) -> Any:
    return failure


def as_read_result(failure: Failure) -> Any:
    """A failure in the (result, term data) shape of a build's read."""
    return failure, None


@dataclass(frozen=True)
class Guarded(Generic[Result]):
    """``stage(item, ...)`` with its unexpected exceptions as the item's
    Failure (named by ``name(item)``, shaped by ``failed``)."""

    stage: Callable[..., Result]
    debug: bool = False
    name: Callable[[Any], str] = str
    failed: Callable[[Failure], Result] = as_failure

    def __call__(self, item: Any, *args: Any, **kwargs: Any) -> Result:
        if self.debug:
            return self.stage(item, *args, **kwargs)
        try:
            return self.stage(item, *args, **kwargs)
        except Exception as error:
            return self.failed(internal_error(self.name(item), error))
