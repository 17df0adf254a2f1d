"""Pages rendered by forked workers: the same site as one process makes."""

from dataclasses import replace
from pathlib import Path

import pytest

from archivist import pipeline
from archivist.config import load_config
from archivist.pipeline import build
from archivist.render import render
from archivist.run.pool import ProcessPool
from bench.corpus import write_corpus

from .conftest import run_cli, write_site_toml


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(60, folder)
    return folder


def test_a_build_rendered_by_two_workers_equals_one_rendered_in_process(corpus, tmp_path, monkeypatch):
    tasks = []
    real_map = ProcessPool.map

    def spy(self, stage, items, shared):
        items = list(items)
        if stage is render.render_pages and self.workers > 1 and len(items) >= self.parallel_from:
            tasks.append(len(items))
        return real_map(self, stage, items, shared)

    monkeypatch.setattr(ProcessPool, "map", spy)
    monkeypatch.setattr(pipeline, "PARALLEL_PAGES", 16)  # every kind of page this small site has goes to the workers
    base = load_config(write_site_toml(tmp_path, content=str(corpus), output="serial"))
    build(replace(base, workers=1))
    assert tasks == []
    build(replace(base, output_dir=tmp_path / "parallel", workers=2))
    assert len(tasks) >= 4  # the workers rendered the pages (articles, lists, glossary ...)
    serial, parallel = tree(tmp_path / "serial"), tree(tmp_path / "parallel")
    assert len(serial) > 500
    assert serial.keys() == parallel.keys()
    assert [name for name in serial if serial[name] != parallel[name]] == []


def test_a_template_error_in_a_worker_names_the_template_and_keeps_the_last_site(corpus, tmp_path):
    config = write_site_toml(tmp_path, content=str(corpus), output="site")
    assert run_cli("--config", str(config), "build", "-q", "--workers", "2").returncode == 0
    before = tree(tmp_path / "site")
    theme = tmp_path / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "article.html").write_text("{{ no_such_variable.oops }}", encoding="utf-8")
    with config.open("a", encoding="utf-8") as handle:
        handle.write('theme = "theme"\n')
    result = run_cli("--config", str(config), "build", "-q", "--workers", "2")
    assert result.returncode != 0
    assert "article.html" in result.stderr and "no_such_variable" in result.stderr
    assert tree(tmp_path / "site") == before


@pytest.mark.parametrize("arguments", [["--workers", "-1"], ["--workers", "65"]])
def test_a_bad_worker_count_is_a_usage_error_naming_it(tmp_path, arguments):
    result = run_cli("build", "--content", str(tmp_path), "--out", str(tmp_path / "site"), *arguments)
    assert result.returncode == 2 and "--workers" in result.stderr
