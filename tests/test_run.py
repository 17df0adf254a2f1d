"""The executors: a stage mapped in this process, in a pool of processes
and on a Dask cluster gives the same results, in the items' order, with
the shared data sent once, and a stage's exception reaches the caller."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from archivist.ingest import reading
from archivist.ingest.editorial import Editorial
from archivist.model import Failure
from archivist.run import pool
from archivist.run.choose import executor_for
from archivist.run.pool import ProcessPool
from archivist.run.seam import InProcess

from .conftest import SEEDS


class Counted:
    """Shared data that counts how often this process pickles it."""

    pickled = 0

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def __getstate__(self) -> dict:
        Counted.pickled += 1
        return {"offset": self.offset}


def add_offset(item: int, shared: Counted) -> tuple[int, int]:
    time.sleep(random.random() / 1000)  # workers finish out of order
    return item + shared.offset, os.getpid()


def fail_on_seven(item: int, shared: object) -> int:
    if item == 7:
        raise ValueError(f"item {item} is bad")
    return item


def test_in_process_keeps_the_order_and_runs_here():
    results = list(InProcess().map(add_offset, range(50), Counted(1000)))
    assert [value for value, _ in results] == list(range(1000, 1050))
    assert {pid for _, pid in results} == {os.getpid()}


def test_a_pool_keeps_the_order_and_forked_workers_inherit_the_shared_data_unpickled():
    Counted.pickled = 0
    results = list(ProcessPool(2, batch=4).map(add_offset, range(300), Counted(1000)))
    assert [value for value, _ in results] == list(range(1000, 1300))
    assert os.getpid() not in {pid for _, pid in results}
    assert Counted.pickled == (0 if pool.can_fork() else 2)


def test_without_fork_the_shared_data_is_pickled_once_per_worker_not_per_item(monkeypatch):
    monkeypatch.setattr(pool, "can_fork", lambda: False)  # spawned workers, as on Windows or macOS
    Counted.pickled = 0
    results = list(ProcessPool(2, batch=4).map(add_offset, range(100), Counted(7)))
    assert [value for value, _ in results] == list(range(7, 107))
    assert Counted.pickled == 2


def test_fewer_items_than_parallel_from_run_in_this_process():
    executor = executor_for(workers=2, parallel_from=64)
    results = list(executor.map(add_offset, range(63), Counted(0)))
    assert {pid for _, pid in results} == {os.getpid()}
    results = list(executor.map(add_offset, range(64), Counted(0)))
    assert os.getpid() not in {pid for _, pid in results}


@pytest.mark.parametrize("executor", [InProcess(), ProcessPool(2, batch=2)], ids=["in-process", "pool"])
def test_a_stage_exception_reaches_the_caller(executor):
    with pytest.raises(ValueError, match="item 7 is bad"):
        list(executor.map(fail_on_seven, range(20), None))


def test_the_read_stage_gives_the_same_article_from_a_path_and_from_its_bytes():
    settings = reading.ReadSettings(Editorial(), root=SEEDS[0].parent)
    local = reading.read_file(SEEDS[0], settings)
    sent = reading.read_file(reading.file_bytes(SEEDS[0], SEEDS[0].parent), settings)
    assert local == sent and local[1] is not None  # with its search terms
    missing = reading.file_bytes(SEEDS[0].parent / "gone.txt", SEEDS[0].parent)
    failure, terms = reading.read_file(missing, settings)
    assert isinstance(failure, Failure) and "gone.txt" in failure.path and terms is None


# --- on a Dask cluster --------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


class CountingClient:
    """A Dask client that counts what it scatters."""

    def __init__(self, client) -> None:
        self.client = client
        self.scattered = 0

    def scatter(self, *args, **kwargs):
        self.scattered += 1
        return self.client.scatter(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.client, name)


def test_dask_gives_what_in_process_gives_in_order_and_sends_the_shared_data_once(client):
    counting = CountingClient(client)
    executor = executor_for(workers=1, client=counting)
    assert executor.remote
    shared = Counted(1000)
    first = [value for value, _ in executor.map(add_offset, range(200), shared)]
    again = [value for value, _ in executor.map(add_offset, range(200, 300), shared)]
    assert first + again == [value for value, _ in InProcess().map(add_offset, range(300), shared)]
    assert counting.scattered == 1  # the same shared data for two maps: sent once
    executor.map(add_offset, [1], Counted(0)).__next__()
    assert counting.scattered == 2


def test_a_stage_exception_on_dask_reaches_the_caller(client):
    with pytest.raises(ValueError, match="item 7 is bad"):
        list(executor_for(client=client).map(fail_on_seven, range(20), None))


def test_the_read_stage_on_dask_equals_the_read_in_process(client):
    paths = [Path(path) for path in SEEDS]
    settings = reading.ReadSettings(Editorial(), root=paths[0].parent)
    local = list(InProcess().map(reading.read_file, paths, settings))
    items = [reading.file_bytes(path, paths[0].parent) for path in paths]
    remote = list(executor_for(client=client).map(reading.read_file, items, settings))
    assert remote == local
