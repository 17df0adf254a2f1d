"""Work in worker processes over this machine's cores.

Where the system can fork, workers are forked once per ``map`` and inherit
the stage's shared data (the planned site, the curation files) instead of
receiving it pickled: only items and results cross.  Elsewhere the shared
data is pickled once per worker, through the pool's initializer.  Items go
in batches (one task costs about as much as a small item), with a bounded
number of batches in flight, so a slow consumer does not fill memory.
"""

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
from dataclasses import dataclass
from typing import Any, TypeVar

from archivist.run.seam import InProcess

Item = TypeVar("Item")
Shared = TypeVar("Shared")
Result = TypeVar("Result")

MAX_WORKERS = 8
BATCH = 32  # items per task


def worker_count(requested: int = 0) -> int:
    """``requested`` workers, or (0) one per core, at most ``MAX_WORKERS``."""
    return requested if requested > 0 else min(os.cpu_count() or 1, MAX_WORKERS)


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# In a worker process: the stage and its shared data, set once by
# ``receive`` (in the building process it stays None).
_received: tuple[Callable[[Any, Any], Any], Any] | None = None


def receive(stage: Callable[[Any, Any], Any], shared: Any, parent: int) -> None:
    global _received
    _received = (stage, shared)
    exit_with_parent(parent)


def run_batch(batch: list[Any]) -> list[Any]:
    assert _received is not None, "called outside a pool's worker"
    stage, shared = _received
    return [stage(item, shared) for item in batch]


@dataclass(frozen=True)
class ProcessPool:
    """``workers`` processes; fewer than ``parallel_from`` items (where a
    pool costs more than it saves) run in this process."""

    workers: int
    parallel_from: int = 0
    batch: int = BATCH
    remote = False

    def map(self, stage: Callable[[Item, Shared], Result], items: Iterable[Item], shared: Shared) -> Iterator[Result]:
        items = list(items)
        if self.workers < 2 or len(items) < max(self.parallel_from, 1):
            yield from InProcess().map(stage, items, shared)
            return
        forked = can_fork()
        context = multiprocessing.get_context("fork" if forked else "spawn")
        window = 2 * self.workers  # results waiting to be taken stay few
        # The build's objects are left out of forked workers' garbage
        # collection: a collection would write to every object's header and
        # so copy each page of the build's memory into every worker.
        if forked:
            gc.freeze()
        try:
            with ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=receive,
                initargs=(stage, shared, os.getpid()),
            ) as pool:
                futures = (pool.submit(run_batch, batch) for batch in batches(items, self.batch))
                for results in in_order(futures, window):
                    yield from results
        finally:
            if forked:
                gc.unfreeze()
