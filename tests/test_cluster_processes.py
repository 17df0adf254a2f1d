"""Cluster builds as the README tells them: a ``dask scheduler`` and ``dask
worker``s in processes of their own, started in another folder from an
environment where only the package is installed (no PYTHONPATH, no checkout).
The build gets the local build's site byte for byte, also when a worker is
killed mid-read; a worker that differs is one clear error before any work.

(``python -m dask`` is the ``dask`` command: these environments borrow their
dependencies, so they have no ``dask`` script of their own.)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.corpus import write_corpus

from .conftest import ROOT, run_cli
from .installed import Venv, fresh_venv, install_copy, run, tree, user_environment

distributed = pytest.importorskip("distributed")

PYTHON_MINOR = sys.version_info[1]
# The digest of the archivist an environment would import, as the probe reports it.
DIGEST = "from archivist.run.environment import probe; print(probe([])['code'])"


@dataclass
class Cluster:
    address: str
    folder: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, venv: Venv, *args: str) -> subprocess.Popen:
        """``dask ARGS`` from ``venv``, in its own process group (killed as a machine is lost)."""
        log = (self.folder / f"dask-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [str(venv.python), "-m", "dask", *args],
            cwd=self.folder,
            env=user_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def add_worker(self, venv: Venv) -> subprocess.Popen:
        with distributed.Client(self.address, timeout="30s") as client:
            before = len(client.scheduler_info()["workers"])
            worker = self.start(
                venv, "worker", self.address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"
            )
            client.wait_for_workers(before + 1, timeout=120)
        return worker

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-2000:] for path in sorted(self.folder.glob("dask-*.log")))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_gone(cluster: Cluster, workers: int) -> None:
    """Until the scheduler counts ``workers`` workers (a stopped one has left)."""
    with distributed.Client(cluster.address, timeout="30s") as client:
        deadline = time.monotonic() + 60
        while len(client.scheduler_info()["workers"]) != workers:
            assert time.monotonic() < deadline, cluster.logs()
            time.sleep(0.2)


@contextlib.contextmanager
def dask_cluster(scheduler: Venv, workers: list[Venv], folder: Path) -> Iterator[Cluster]:
    """``dask scheduler`` from ``scheduler`` and a ``dask worker`` from each of
    ``workers``, in ``folder``; all stopped at the end of the block."""
    folder.mkdir()
    cluster = start_scheduler(scheduler, folder)
    try:
        for venv in workers:
            cluster.add_worker(venv)
        yield cluster
    finally:
        for process in reversed(cluster.processes):
            stop(process)


def only_worker(cluster: Cluster) -> str:
    with distributed.Client(cluster.address, timeout="30s") as client:
        [address] = client.scheduler_info()["workers"]
    return address


def start_scheduler(venv: Venv, folder: Path) -> Cluster:
    """``dask scheduler`` on a free loopback port; its address from the scheduler file."""
    scheduler_file = folder / "scheduler.json"
    cluster = Cluster("", folder)
    process = cluster.start(
        venv,
        "scheduler",
        "--scheduler-file",
        str(scheduler_file),
        "--no-dashboard",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    )
    deadline = time.monotonic() + 120
    while not cluster.address:
        assert process.poll() is None and time.monotonic() < deadline, cluster.logs()
        time.sleep(0.2)
        with contextlib.suppress(OSError, ValueError, KeyError):  # not written yet, or half
            cluster.address = json.loads(scheduler_file.read_text())["address"]
    return cluster


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Venv:
    """The package installed from a copy of the repository."""
    return install_copy(tmp_path_factory.mktemp("venv"), "installed")


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Venv:
    """A copy with one module changed, installed: the same version, other code."""
    return install_copy(
        tmp_path_factory.mktemp("venv"), "changed", change=("archivist/text/slug.py", "# a change here only")
    )


def write_content(folder: Path, articles: int) -> Path:
    """Generated articles, the seeds, and saved web pages with their images."""
    write_corpus(articles, folder)
    for seed in (ROOT / "content").glob("0*.txt"):
        shutil.copy(seed, folder / f"seed-{seed.name}")
    pages = ROOT / "tests" / "fixtures" / "pages"
    for name in ("central-portal-1", "wechat-2"):
        shutil.copy(pages / f"{name}.html", folder)
        if (pages / f"{name}_files").is_dir():
            shutil.copytree(pages / f"{name}_files", folder / f"{name}_files")
    return folder


def local_build(content: Path, out: Path) -> dict[str, bytes]:
    result = run_cli("build", "--content", str(content), "--out", str(out), "-q", "--workers", "1")
    assert result.returncode == 0, result.stderr
    return tree(out)


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return write_content(tmp_path_factory.mktemp("content"), 60)


@pytest.fixture(scope="module")
def local_site(content, tmp_path_factory) -> dict[str, bytes]:
    return local_build(content, tmp_path_factory.mktemp("local") / "site")


@pytest.fixture
def cluster(installed, tmp_path) -> Iterator[Cluster]:
    """A scheduler and two workers, started from the installed package in a
    folder of their own."""
    with dask_cluster(installed, [installed, installed], tmp_path / "cluster") as cluster:
        yield cluster


def cluster_build(venv: Venv, cluster: Cluster, content: Path, out: Path, cwd: Path) -> subprocess.Popen:
    """``archivist build --scheduler`` in a project folder with the checkout's settings."""
    shutil.copy(ROOT / "site.toml", cwd / "site.toml")
    return subprocess.Popen(
        [str(venv.bin / "archivist"), "build", "-q", "--content", str(content), "--out", str(out), "--scheduler", cluster.address],
        cwd=cwd, env=user_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def assert_same_site(expected: dict[str, bytes], out: Path) -> None:
    got = tree(out)
    assert len(expected) > 300 and any(name.endswith("/1.jpg") for name in expected)
    assert got.keys() == expected.keys()
    assert [name for name in expected if expected[name] != got[name]] == []


def test_dask_scheduler_and_worker_processes_build_the_local_site(installed, cluster, content, local_site, tmp_path):
    build = cluster_build(installed, cluster, content, tmp_path / "site", tmp_path)
    _, errors = build.communicate(timeout=600)
    assert build.returncode == 0, errors + cluster.logs()
    assert_same_site(local_site, tmp_path / "site")


@pytest.mark.slow
def test_a_worker_process_killed_mid_read_leaves_the_site_whole(installed, cluster, tmp_path):
    # Enough files that reading takes many tasks on each worker: the kill lands with most still to read.
    content = write_content(tmp_path / "content", 1000)
    local_site = local_build(content, tmp_path / "local")
    victim = cluster.processes[1]  # the first worker and its nanny, killed together: as a machine is lost
    with distributed.Client(cluster.address, timeout="30s") as client:
        [address] = [worker for worker, parent in client.run(os.getppid).items() if parent == victim.pid]
        build = cluster_build(installed, cluster, content, tmp_path / "site", tmp_path)
        deadline = time.monotonic() + 300
        while True:  # until files are being read on the victim
            in_flight = [str(key) for key in client.processing().get(address, ())]
            if in_flight:
                break
            assert build.poll() is None and time.monotonic() < deadline, build.stderr.read() if build.stderr else ""
            time.sleep(0.02)
        os.killpg(victim.pid, signal.SIGKILL)
    _, errors = build.communicate(timeout=900)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert any(key.startswith("read_file-") for key in in_flight), in_flight  # killed while it was reading
    assert build.returncode == 0, errors + cluster.logs()
    assert_same_site(local_site, tmp_path / "site")


def mismatch_error(venv: Venv, cluster: Cluster, content: Path, tmp_path: Path) -> str:
    out = tmp_path / "site"
    result = run(
        [str(venv.bin / "archivist"), "build", "--content", str(content), "--out", str(out), "--scheduler", cluster.address],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and not out.exists()
    [line] = result.stderr.splitlines()
    return line


def test_a_worker_with_other_code_is_one_error_naming_it_before_any_work(installed, changed, content, tmp_path):
    with dask_cluster(installed, [changed], tmp_path / "cluster") as cluster:
        address = only_worker(cluster)
        line = mismatch_error(installed, cluster, content, tmp_path)
        same = run([str(installed.python), "-c", DIGEST], tmp_path).stdout.strip()
        changed = run([str(changed.python), "-c", DIGEST], tmp_path).stdout.strip()
        assert same != changed
        assert line == (
            f"error: Dask worker {address} runs archivist 0.1.0 (code {changed}) with Python 3.{PYTHON_MINOR}, "
            f"this build archivist 0.1.0 (code {same}) with Python 3.{PYTHON_MINOR}; "
            "install the same version and dependencies on every worker (requirements-dask.txt pins them)"
        )
        with distributed.Client(cluster.address, timeout="30s") as client:
            assert client.run(lambda: __import__("sys").modules.get("archivist") is None) == {address: True}


def test_a_worker_without_archivist_is_one_error_saying_so(installed, content, tmp_path):
    bare = fresh_venv(tmp_path / "bare", borrow_dependencies=True)  # Dask and the rest, not archivist
    with dask_cluster(bare, [bare], tmp_path / "cluster") as cluster:
        address = only_worker(cluster)
        line = mismatch_error(installed, cluster, content, tmp_path)
        assert line == (
            f"error: Dask worker {address} has no archivist installed (Python 3.{PYTHON_MINOR}); "
            "install archivist 0.1.0 with its dask extra on every worker"
        )
