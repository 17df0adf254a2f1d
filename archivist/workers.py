"""Where per-file and per-page work runs: in this process, or in worker
processes over the machine's cores.  Results come back in input order, so
the output never depends on the number of workers."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 8


def worker_count(requested: int = 0) -> int:
    """``requested`` workers, or (0) one per core, at most ``MAX_WORKERS``."""
    return requested if requested > 0 else min(os.cpu_count() or 1, MAX_WORKERS)


def exit_with_parent(parent: int) -> None:
    """A worker ends when the build that started it is gone (killed builds
    otherwise leave their workers waiting for work forever).  Ctrl-C is the
    build's to handle: a worker ignores it and ends with the build."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def map_in_pool(
    work: Callable[[Item], Result], items: Iterable[Item], workers: int, chunksize: int = 1
) -> Iterator[Result]:
    """``work`` over ``items`` in a pool of processes; ``work`` and its
    items are pickled to reach them."""
    with ProcessPoolExecutor(max_workers=workers, initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(work, items, chunksize=chunksize)


# What forked workers were handed: set in each worker by ``inherit`` (in
# the building process it stays None).
_inherited: Callable[[Any], Any] | None = None


def inherit(work: Callable[[Any], Any], parent: int) -> None:
    global _inherited
    _inherited = work
    exit_with_parent(parent)


def call_inherited(item: Any) -> Any:
    assert _inherited is not None, "called outside a forked worker"
    return _inherited(item)


def in_order(futures: Iterable[Any], window: int) -> Iterator[Any]:
    """The results of ``futures`` (anything with ``result()``: a process
    pool's, a Dask client's) in their order, taking each as the next is
    submitted once ``window`` are in flight: a slow reader does not fill
    memory with results waiting."""
    pending: deque[Any] = deque()
    for future in futures:
        pending.append(future)
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_forked(work: Callable[[Item], Result], items: Iterable[Item], workers: int) -> Iterator[Result]:
    """``work`` over ``items`` in forked workers, which inherit ``work`` and
    everything it refers to (the planned site, the templates) instead of
    receiving it pickled: only the items and the results cross.  Callers
    check ``can_fork()`` first."""
    context = multiprocessing.get_context("fork")
    window = 2 * workers  # results waiting to be taken stay few: a slow reader does not fill memory
    # The build's objects are left out of the workers' garbage collection: a
    # collection would write to every object's header and so copy each page
    # of the build's memory into every worker.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=inherit, initargs=(work, os.getpid())
        ) as pool:
            yield from in_order((pool.submit(call_inherited, item) for item in items), window)
    finally:
        gc.unfreeze()
