"""A time limit on one file's reading: past it, the file is a per-file
error and the build goes on with the others."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TIMED_OUT = "([build] file_timeout)"  # in the message of a file that ran out of time
DEFAULT_FILE_TIMEOUT = 300.0  # seconds: many times what the largest real article takes; bounds a hang


class FileTimeout(BaseException):
    """Raised in the reading code when its time is up.  A BaseException, as
    KeyboardInterrupt is: libraries' ``except Exception`` (trafilatura has
    many) must not swallow it."""


def can_time_out() -> bool:
    """Whether a limit can be set here: signals reach only a process's main
    thread (a Dask worker's tasks run in other threads, without a limit)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise FileTimeout in the block after ``seconds`` (0: no limit).  The
    limit is an interval timer of this process, so it works in the build and
    in each worker process alike."""
    if seconds <= 0 or not can_time_out():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise FileTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
