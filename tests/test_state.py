"""The build state: each part is kept while the version of the stage that
made it is today's, an earlier format is read again (never an error), and
the settings that change the output are a key of their own, not the paths
they were typed with."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

import archivist.ingest.reading
import archivist.pipeline
import archivist.render.render
from archivist.config import SiteConfig, load_config
from archivist.ingest import normalise
from archivist.pipeline import build
from archivist.site import pages
from archivist.state.keys import NOT_OUTPUT, OUTPUT_FIELDS, output_settings, settings_key
from archivist.state.state import STATE_FILE, BuildState, load_state, part_names, stage_versions
from archivist.state.stored import read_stored, write_stored

from .conftest import run_cli, write_site_toml

ARTICLES = 8


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A built site of a few articles; its settings file."""
    from bench.corpus import write_corpus

    write_corpus(ARTICLES, tmp_path / "content")
    config_path = write_site_toml(tmp_path, content="content", output="site")
    corpus, _ = build(load_config(config_path))
    assert not corpus.failures
    return config_path


@pytest.fixture
def counted(monkeypatch) -> tuple[list, list]:
    """Files read and pages rendered from here on, in this process."""
    reads: list = []
    renders: list = []
    real_normalise = archivist.ingest.reading.normalise
    real_render = archivist.render.render.render_page
    monkeypatch.setattr(archivist.ingest.reading, "normalise", lambda *args: reads.append(1) or real_normalise(*args))
    monkeypatch.setattr(
        archivist.render.render,
        "render_page",
        lambda env, page, *rest: renders.append(page.path) or real_render(env, page, *rest),
    )
    return reads, renders


@pytest.fixture
def bump(monkeypatch):
    """A new version of one stage's code, for the length of a test."""

    def bump(module) -> None:
        monkeypatch.setattr(module, "VERSION", module.VERSION + 1)
        stage_versions.cache_clear()

    yield bump
    stage_versions.cache_clear()  # (monkeypatch puts the version back after this)


def every_page(config_path: Path) -> set[str]:
    return set(load_state(config_path.parent / "site").pages)


def test_a_new_renderer_version_renders_every_page_again_and_reads_no_file(project, counted, bump):
    reads, renders = counted
    bump(pages)
    _, report = build(load_config(project))
    assert reads == []
    assert set(renders) == every_page(project) and report.changed == 0  # the same bytes: none written


def test_a_new_reader_version_reads_every_file_again_and_renders_no_unchanged_page(project, counted, bump):
    reads, renders = counted
    bump(normalise)
    build(load_config(project))
    assert len(reads) == ARTICLES and renders == []


def test_a_build_with_every_stage_version_unchanged_reads_and_renders_nothing(project, counted):
    reads, renders = counted
    _, report = build(load_config(project))
    assert (reads, renders, report.changed) == ([], [], 0)


def test_every_part_of_the_state_carries_a_stage_version():
    versions = stage_versions()
    assert all(name in versions or name == "inputs" for name in part_names())
    assert len(set(versions.values())) >= 5  # stages, not one version for all


def test_a_state_of_an_earlier_format_is_read_again_not_an_error(project, counted):
    state_folder = project.parent / ".site.archivist"
    (state_folder / STATE_FILE).unlink()
    for bucket in state_folder.glob("articles-*.json"):  # as the package's code hash versioned them
        _, mark, items = read_stored(bucket)
        write_stored(bucket, ("3f2a9c0d1e7b6a55", mark, items))
    write_stored(state_folder / "cache.json", {"version": "3f2a9c0d1e7b6a55", "pages": {}, "search": {}})
    reads, _ = counted
    corpus, report = build(load_config(project))
    assert not corpus.failures and len(reads) == ARTICLES and report.changed == 0
    assert not (state_folder / "cache.json").exists()
    assert load_state(project.parent / "site").articles  # the new format, read back


def test_a_state_file_that_is_not_a_state_is_ignored(project, counted):
    """The small file is what makes the buckets count: without a valid one
    every file is read again."""
    state_folder = project.parent / ".site.archivist"
    write_stored(state_folder / STATE_FILE, {"schema": "x", "parts": {"pages": ("v", ["not", "a", "dict"])}})
    reads, _ = counted
    corpus, report = build(load_config(project))
    assert not corpus.failures and len(reads) == ARTICLES and report.changed == 0
    assert isinstance(load_state(project.parent / "site"), BuildState)


def test_every_setting_is_keyed_as_output_or_deliberately_left_out():
    """Fails when a SiteConfig field is added without saying whether a
    change to it must render the site again (keys.OUTPUT_FIELDS or NOT_OUTPUT)."""
    names = {f.name for f in fields(SiteConfig)}
    assert not set(OUTPUT_FIELDS) & set(NOT_OUTPUT)
    assert names == set(OUTPUT_FIELDS) | set(NOT_OUTPUT), names ^ (set(OUTPUT_FIELDS) | set(NOT_OUTPUT))


def test_the_settings_file_named_any_way_renders_and_writes_nothing_again(project, counted, monkeypatch):
    monkeypatch.chdir(project.parent)
    (project.parent / "sub").mkdir()
    build(load_config(Path("site.toml")))  # from here articles are named relative to this folder
    reads, renders = counted
    reads.clear()
    renders.clear()
    for typed in (Path("./site.toml"), Path("sub/../site.toml"), project.resolve()):
        config = load_config(typed)
        assert settings_key(config) == settings_key(load_config(Path("site.toml")))
        _, report = build(config)
        assert (reads, renders, report.changed, report.removed) == ([], [], 0, 0), typed


def test_the_settings_file_by_its_absolute_path_from_another_folder_writes_nothing(project):
    elsewhere = project.parent / "elsewhere"
    elsewhere.mkdir()
    first = run_cli("--config", "site.toml", "build", "-q", cwd=project.parent)
    assert first.returncode == 0, first.stderr
    again = run_cli("--config", str(project.resolve()), "build", "-q", cwd=elsewhere)
    assert again.returncode == 0, again.stderr
    assert "(0 files written, 0 removed)" in again.stdout, again.stdout


def test_a_changed_output_setting_renders_the_pages_again(project, counted):
    _, renders = counted
    project.write_text(project.read_text(encoding="utf-8") + '[site]\ntitle = "另一个档案"\n', encoding="utf-8")
    config = load_config(project)
    assert output_settings(config)["title"] == "另一个档案"
    build(config)
    assert set(renders) == every_page(project)
    assert "另一个档案" in (project.parent / "site" / "index.html").read_text(encoding="utf-8")


def test_templates_see_only_the_keyed_settings(project):
    from archivist.state.keys import template_settings

    shown = vars(template_settings(load_config(project)))
    assert set(shown) == set(OUTPUT_FIELDS)  # no path: a page cannot show what its signature does not hold


def test_a_new_release_with_the_same_stage_versions_reads_and_renders_nothing(project):
    """The package copied and one of its modules changed (as an upgrade
    changes code no stage's version names): the next build reads no file
    (they are made unreadable: a read would be an error) and renders nothing."""
    import os
    import shutil
    import subprocess
    import sys

    from .conftest import ROOT, drop_permission_override

    release = project.parent / "release"
    shutil.copytree(ROOT / "archivist", release / "archivist", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("templates", "static", "node_modules/lunr"):
        shutil.copytree(ROOT / folder, release / folder)
    for name in ("build.py", "pyproject.toml"):  # a checkout: build.py reads the top-level theme beside it
        shutil.copy(ROOT / name, release / name)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(release / "build.py"), "--config", str(project), *args],
            cwd=project.parent,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=drop_permission_override if os.geteuid() == 0 else None,
        )

    first = run("build", "-q")
    assert first.returncode == 0, first.stderr
    with (release / "archivist" / "cli.py").open("a", encoding="utf-8") as module:
        module.write("\n# a change in the next release that no stage's version names\n")
    for source in (project.parent / "content").iterdir():
        source.chmod(0)
    again = run("build", "-q", "--timings")
    assert again.returncode == 0, again.stderr
    assert "(0 files written, 0 removed)" in again.stdout and '"render"' not in again.stdout, again.stdout


def test_a_theme_stylesheet_edit_reaches_the_404_page_that_carries_it_inline(project):
    theme = project.parent / "theme"
    (theme / "static").mkdir(parents=True)
    (theme / "static" / "style.css").write_text("body { color: red }\n", encoding="utf-8")
    project.write_text(project.read_text(encoding="utf-8") + 'theme = "theme"\n', encoding="utf-8")  # in [paths]
    build(load_config(project))
    (theme / "static" / "style.css").write_text("body { color: green }\n", encoding="utf-8")
    build(load_config(project))
    assert "color: green" in (project.parent / "site" / "404.html").read_text(encoding="utf-8")


def test_a_stage_whose_code_changed_has_a_new_version_or_was_recorded_as_unchanged_in_output():
    from .stage_sources import current, recorded

    stale = [
        module
        for module, now in current().items()
        if (before := recorded().get(module)) is not None
        and now["sources"] != before["sources"]
        and now["version"] == before["version"]
    ]
    assert not stale, (
        f"{stale}: their code changed but not their VERSION. Bump VERSION where the change can alter what the "
        "stage makes; otherwise record the sources as they are: python -m tests.stage_sources"
    )
    assert set(recorded()) == set(current()), "a stage was added or removed: python -m tests.stage_sources"


def test_every_library_that_shapes_output_is_in_some_stages_version():
    import archivist.state.state as state_module
    from archivist.run.environment import OUTPUT_DEPENDENCIES

    asked: list[str] = []
    real = state_module.library.__wrapped__

    def library(name: str) -> str:
        asked.append(name.lower())
        return real(name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state_module, "library", library)
        state_module.stage_versions.__wrapped__()
    assert {name.lower() for name in OUTPUT_DEPENDENCIES} <= set(asked)


def test_a_nested_part_edit_rewrites_a_bucket_or_two_of_its_dict_and_reads_back_whole(tmp_path, monkeypatch):
    from archivist.state import buckets

    written: list[str] = []
    real_write = buckets.write_stored
    monkeypatch.setattr(
        buckets, "write_stored", lambda path, value: written.append(path.name) or real_write(path, value)
    )
    part = {"texts": {f"text{n}": ("read", n) for n in range(300)}, "meanings": {f"use{n}": n for n in range(300)}}
    marks: dict[str, int] = {}
    buckets.write_nested(tmp_path, "bulk-glossary", "v1", part, marks)
    (tmp_path / "bulk-glossary-03.json").write_text("{}", encoding="utf-8")  # the earlier one-store format
    written.clear()
    read_marks: dict[str, int] = {}
    again = buckets.read_nested(tmp_path, "bulk-glossary", "v1", read_marks)
    assert again == part
    del again["texts"]["text7"]
    again["texts"]["text7-edited"] = ("read", 7)
    buckets.write_nested(tmp_path, "bulk-glossary", "v1", again, read_marks)
    assert 1 <= len(written) <= 2 and all(name.startswith("bulk-glossary.texts-") for name in written)
    assert not (tmp_path / "bulk-glossary-03.json").exists()
    assert buckets.read_nested(tmp_path, "bulk-glossary", "v2", {}) == {"meanings": {}, "texts": {}}  # another version
    del again["meanings"]
    buckets.write_nested(tmp_path, "bulk-glossary", "v1", again, {})
    assert buckets.read_nested(tmp_path, "bulk-glossary", "v1", {}) == again
