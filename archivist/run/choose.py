"""Which executor a build's stage runs on, from the settings."""

from __future__ import annotations

from typing import Any

from archivist.run.cluster import DaskExecutor
from archivist.run.pool import ProcessPool, worker_count
from archivist.run.seam import Executor


def executor_for(workers: int = 0, client: Any = None, parallel_from: int = 0) -> Executor:
    """The Dask cluster of ``client`` when there is one; else ``workers``
    processes of this machine (0: one per core), for ``parallel_from``
    items or more (fewer run in this process)."""
    if client is not None:
        return DaskExecutor(client)
    return ProcessPool(worker_count(workers), parallel_from)
