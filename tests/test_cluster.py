"""Builds on a real Dask cluster (a LocalCluster of two worker processes):
the same site as a local build, even when a worker is lost mid-build."""

from __future__ import annotations

import operator
import os
import shutil
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from archivist.config import load_config
from archivist.pipeline import build
from archivist.render import render
from archivist.run import cluster
from bench.corpus import write_corpus

from .conftest import ROOT, run_cli, write_site_toml

distributed = pytest.importorskip("distributed")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dask_cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as local:
        yield local


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """Generated articles, the seeds, and saved web pages with their images."""
    folder = tmp_path_factory.mktemp("content")
    write_corpus(150, folder)
    for seed in (ROOT / "content").glob("0*.txt"):
        shutil.copy(seed, folder / f"seed-{seed.name}")
    pages = ROOT / "tests" / "fixtures" / "pages"
    for name in ("central-portal-1", "trad-mirror-2", "gov-site-1", "wechat-2"):
        shutil.copy(pages / f"{name}.html", folder)
        if (pages / f"{name}_files").is_dir():
            shutil.copytree(pages / f"{name}_files", folder / f"{name}_files")
    return folder


def test_a_build_on_a_dask_cluster_equals_a_local_build(dask_cluster, content, tmp_path):
    local = run_cli("build", "--content", str(content), "--out", str(tmp_path / "local"), "-q", "--workers", "1")
    assert local.returncode == 0, local.stderr
    on_cluster = run_cli(
        "build", "--content", str(content), "--out", str(tmp_path / "cluster"), "-q",
        "--scheduler", dask_cluster.scheduler_address,
    )  # fmt: skip
    assert on_cluster.returncode == 0, on_cluster.stderr
    expected, got = tree(tmp_path / "local"), tree(tmp_path / "cluster")
    assert len(expected) > 1000 and any(name.endswith("/1.jpg") for name in expected)
    assert expected.keys() == got.keys()
    assert [name for name in expected if expected[name] != got[name]] == []


def test_a_worker_lost_mid_build_has_its_files_read_again_and_the_site_is_whole(
    dask_cluster, content, tmp_path, monkeypatch
):
    base = load_config(write_site_toml(tmp_path, content=str(content), output="local"))
    build(replace(base, workers=1))
    killed = []
    with distributed.Client(dask_cluster) as client:
        pids = client.run(os.getpid)  # worker address -> its process

        def progress(items, total=None):
            for number, item in enumerate(items):
                if number == 40 and not killed:  # a worker is lost with its tasks in flight
                    address, pid = sorted(pids.items())[0]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(address)
                yield item

        monkeypatch.setattr(cluster, "BATCH", 8)  # many tasks, so the lost worker holds some
        rendered = []
        real_map = cluster.DaskExecutor.map

        def spy(self, stage, items, shared):
            items = list(items)
            if stage is render.render_pages:
                rendered.extend(items)
            return real_map(self, stage, items, shared)

        monkeypatch.setattr(cluster.DaskExecutor, "map", spy)
        _, report = build(
            replace(base, output_dir=tmp_path / "cluster", scheduler=dask_cluster.scheduler_address), progress
        )
    assert killed and report.errors == 0
    assert len(rendered) > 200  # the pages were rendered on the cluster, too
    expected, got = tree(tmp_path / "local"), tree(tmp_path / "cluster")
    assert expected.keys() == got.keys()
    assert [name for name in expected if expected[name] != got[name]] == []


def test_a_failing_file_on_a_worker_is_an_error_naming_it_and_the_rest_are_built(dask_cluster, tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(ROOT / "content" / sorted(p.name for p in (ROOT / "content").glob("0*.txt"))[0], folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "index.html").write_text("<html><body><ul><li><a href='/a'>新闻</a></li></ul></body></html>", "utf-8")
    result = run_cli(
        "build",
        "--content",
        str(folder),
        "--out",
        str(tmp_path / "site"),
        "--scheduler",
        dask_cluster.scheduler_address,
    )
    assert result.returncode == 1
    assert "empty.txt: empty file" in result.stderr and "index.html: no article" in result.stderr
    assert "Built 1 articles" in result.stdout


@pytest.mark.parametrize("value", ["banana", "local:0", "local:99", "tcp://nohost", "http://x:1"])
def test_a_bad_scheduler_is_a_usage_error_naming_the_setting(tmp_path, value):
    result = run_cli("build", "--content", str(tmp_path), "--out", str(tmp_path / "site"), "--scheduler", value)
    assert result.returncode == 2 and "--scheduler must be local" in result.stderr
    config = tmp_path / "site.toml"
    config.write_text(f'[build]\nscheduler = "{value}"\n', encoding="utf-8")
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 2 and "[build] scheduler must be local" in result.stderr


def test_an_unreachable_scheduler_is_an_error_naming_it(tmp_path):
    (tmp_path / "content").mkdir()
    result = run_cli(
        "build",
        "--content",
        str(tmp_path / "content"),
        "--out",
        str(tmp_path / "site"),
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert result.returncode == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


def test_without_dask_a_scheduler_is_an_error_saying_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(cluster.ClusterError, match=r"requirements-dask\.txt"), cluster.connected("local:1"):
        pass


def test_shared_data_lost_mid_map_is_sent_again_and_every_result_comes_in_order(dask_cluster):
    with distributed.Client(dask_cluster) as client:
        executor = cluster.DaskExecutor(client, batch=2, window=2)
        results = executor.map(operator.add, range(100), 1000)
        first = [next(results) for _ in range(10)]
        lost = executor.sent
        assert lost is not None
        client.cancel(lost[1])  # as when the workers that held it are gone: its waiting tasks are cancelled
        rest = list(results)
        assert first + rest == [1000 + n for n in range(100)]
        assert executor.sent is not None and executor.sent[1].key != lost[1].key  # it was sent again


def test_shared_data_lost_again_and_again_stops_the_build_with_a_clear_error(dask_cluster):
    with distributed.Client(dask_cluster) as client:
        executor = cluster.DaskExecutor(client, batch=2, window=2)
        results = executor.map(operator.add, range(100), 1000)
        with pytest.raises(cluster.ClusterError, match="lost the data of add 4 times"):
            for _ in results:
                assert executor.sent is not None
                client.cancel(executor.sent[1])
