"""Work on a Dask cluster (``[build] scheduler``, ``--scheduler``):
``local:N`` starts one on this machine, ``tcp://HOST:PORT`` joins a running
one.  Dask is an optional extra: a build without a scheduler never imports
it.

The executor knows nothing of articles or pages: it sends a stage's shared
data once to every worker, items in batches (one task per batch), keeps a
bounded window of tasks in flight and yields results in the items' order.
Dask runs the tasks of a worker that is lost again on the others; the
shared data, which Dask cannot make again, is sent again.
"""

from __future__ import annotations

import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from typing import Any, TypeVar

from archivist.run import environment
from archivist.run.pool import batches

Item = TypeVar("Item")
Shared = TypeVar("Shared")
Result = TypeVar("Result")

BATCH = 32  # items per task: a task costs about a millisecond of scheduling
WINDOW = 64  # tasks in flight per worker: a slow reader does not fill memory
LOSSES = 3  # times a stage's shared data may be lost before the build gives up


class ClusterError(Exception):
    """A scheduler that cannot be used; the message says why."""


def check_workers(client: Any) -> None:
    """The one place a cluster's workers are checked before any work is
    sent to them: their archivist, Python and libraries against the build's
    (one error naming the worker, not a Dask traceback later)."""
    environment.check_workers(client, ClusterError)


@contextmanager
def connected(scheduler: str) -> Iterator[Any]:
    """A Dask client for ``scheduler`` for the length of the block (None
    without one); a ``local`` cluster is started and stopped with it."""
    if not scheduler:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError(
            f"scheduler {scheduler!r} needs Dask: pip install -r requirements-dask.txt (or pip install .[dask])"
        ) from None
    if scheduler.startswith("local"):
        workers = int(scheduler.partition(":")[2] or os.cpu_count() or 1)
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            ) as local,
            Client(local) as client,
        ):
            check_workers(client)
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        check_workers(client)
        yield client


def run_batch(stage: Callable[[Any, Any], Any], batch: list[Any], shared: Any) -> list[Any]:
    """On a worker: one task's items (``shared`` is the worker's one copy)."""
    return [stage(item, shared) for item in batch]


class DaskExecutor:
    """``map`` on the cluster of ``client``.  The last shared data sent is
    remembered: a stage that maps several times with the same object (the
    planned site, kind of page by kind of page) sends it once."""

    remote = True

    def __init__(self, client: Any, batch: int = 0, window: int = 0) -> None:
        self.client = client
        self.batch = batch or BATCH
        self.window = window or WINDOW
        self.sent: tuple[Any, Any] | None = None  # (shared, its future on the cluster)

    def share(self, shared: Any) -> Any:
        if self.sent is None or self.sent[0] is not shared:
            self.sent = None  # one stage's data at a time: let the last go first
            # In a list: scatter sends a collection's items one by one.
            # hash=False: naming it by its contents would walk the whole archive.
            [future] = self.client.scatter([shared], broadcast=True, hash=False)
            self.sent = (shared, future)
        return self.sent[1]

    def map(self, stage: Callable[[Item, Shared], Result], items: Iterable[Item], shared: Shared) -> Iterator[Result]:
        """The results in the items' order.  Scattered data has no task to
        make it again: when the workers that held it are lost (or the
        scheduler drops its extra copies, as its memory manager does) the
        tasks waiting on it are cancelled.  Then it is sent again and those
        tasks resubmitted, a few times before the build gives up."""
        remote_shared = self.share(shared)
        window = self.window * max(1, len(self.client.scheduler_info().get("workers", {})))
        # Tasks named after the stage (read_file-…, render_pages-…): the dashboard and logs say what runs.
        name = getattr(stage, "__name__", type(stage).__name__)

        def submit(batch: list[Item], on: Any) -> Any:
            return self.client.submit(run_batch, stage, batch, on, key=f"{name}-{uuid.uuid4().hex}", pure=False)

        source = batches(items, self.batch)
        pending: deque[tuple[list[Item], Any]] = deque()
        losses = 0
        while True:
            # A bounded window in flight: a slow reader does not fill memory with results waiting.
            while len(pending) < window and (batch := next(source, None)) is not None:
                pending.append((batch, submit(batch, remote_shared)))
            if not pending:
                return
            try:
                results = pending[0][1].result()
            except CancelledError:
                losses += 1
                if losses > LOSSES:
                    raise ClusterError(
                        f"the cluster lost the data of {name} {losses} times (its workers gone); the build stops"
                    ) from None
                self.sent = None
                remote_shared = self.share(shared)
                pending = deque((batch, submit(batch, remote_shared)) for batch, _ in pending)
                continue
            pending.popleft()
            yield from results
