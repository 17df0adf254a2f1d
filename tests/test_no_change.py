"""A build with nothing to do: decided from the stats of its inputs and of
the output folders before any article is loaded, reported as the last
build was, writing nothing; any change to what a build reads or to the
output it left makes it a full build again."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

import archivist.ingest.reading
import archivist.output.write
import archivist.pipeline
import archivist.state.state
from archivist.config import SiteConfig, load_config
from archivist.output.write import OutputError
from archivist.pipeline import build

from .conftest import SEEDS, run_cli, run_cli_as_user, write_site_toml
from .test_incremental import differences

ARTICLES = 4
SAMPLE = """---
title: 新增的文章
date: 2024-05-01
---

河北省唐山市乐亭县党建引领乡村振兴，推行“三联三促”。
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A built site of a few articles, with a theme of its own; its settings file."""
    from bench.corpus import write_corpus

    write_corpus(ARTICLES, tmp_path / "content")
    (tmp_path / "theme" / "static").mkdir(parents=True)
    (tmp_path / "theme" / "static" / "extra.css").write_text("body { color: #222; }\n", encoding="utf-8")
    config_path = write_site_toml(tmp_path, content="content", output="site", theme="theme")
    corpus, report = build(load_config(config_path))
    assert not corpus.failures and report.changed > 0
    return config_path


@pytest.fixture
def loads(monkeypatch) -> list[Path]:
    """The state folders a build loaded from here on (none when it had nothing to do)."""
    loaded: list[Path] = []
    real = archivist.state.state.load_state
    monkeypatch.setattr(archivist.pipeline, "load_state", lambda output: loaded.append(output) or real(output))
    return loaded


def clean_build(folder: Path) -> Path:
    """The project's content and theme built into a new folder."""
    clean = folder / "clean"
    clean.mkdir()
    write_site_toml(clean, content=str(folder / "content"), output="site", theme=str(folder / "theme"))
    corpus, _ = build(load_config(clean / "site.toml"))
    assert not corpus.failures, corpus.failures
    return clean / "site"


def content_files(config_path: Path) -> list[Path]:
    return sorted(path for path in (config_path.parent / "content").iterdir() if path.suffix in (".txt", ".md"))


def skipped(config: SiteConfig, loads: list[Path]) -> bool:
    """Build; whether it skipped (loaded no state, checked only), and wrote nothing then."""
    loads.clear()
    _, report = build(config)
    if loads:
        return False
    assert report.stages.keys() == {"check"} and (report.changed, report.removed) == (0, 0)
    return True


def test_a_build_with_nothing_changed_loads_no_article_and_writes_nothing(project, loads):
    site = project.parent / "site"
    before = {path: path.stat().st_mtime_ns for path in project.parent.rglob("*")}
    _, report = build(load_config(project))
    assert loads == [] and report.stages.keys() == {"check"}
    assert (report.articles, report.warnings, report.errors, report.changed, report.removed) == (ARTICLES, 0, 0, 0, 0)
    assert {path: path.stat().st_mtime_ns for path in project.parent.rglob("*")} == before
    assert report.summary().startswith(f"Built {ARTICLES} articles, 0 warnings, 0 errors in ")
    assert report.summary().endswith(f"(0 files written, 0 removed) -> {site / 'index.html'}")


def touch(config_path: Path) -> None:
    target = content_files(config_path)[0]
    status = target.stat()
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))


def edit(config_path: Path) -> None:
    target = content_files(config_path)[1]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n村里新修了一条水泥路。\n", encoding="utf-8")


def add(config_path: Path) -> None:
    (config_path.parent / "content" / "added.md").write_text(SAMPLE, encoding="utf-8")


def remove(config_path: Path) -> None:
    content_files(config_path)[2].unlink()


def rename(config_path: Path) -> None:
    target = content_files(config_path)[3]
    target.rename(target.with_name("renamed.txt"))


def add_in_a_new_folder(config_path: Path) -> None:
    (config_path.parent / "content" / "2024").mkdir()
    (config_path.parent / "content" / "2024" / "added.md").write_text(SAMPLE, encoding="utf-8")


def make_read_only(config_path: Path) -> None:
    content_files(config_path)[0].chmod(0o444)  # permissions decide whether a file can be read


def curate(config_path: Path) -> None:
    (config_path.parent / "content" / "glossary.yaml").write_text("hide:\n  - 三联三促\n", encoding="utf-8")


def restyle(config_path: Path) -> None:
    (config_path.parent / "theme" / "static" / "extra.css").write_text("body { color: #000; }\n", encoding="utf-8")


def add_a_template(config_path: Path) -> None:
    (config_path.parent / "theme" / "templates").mkdir()
    (config_path.parent / "theme" / "templates" / "unused.html").write_text("<p></p>\n", encoding="utf-8")


def retitle_the_site(config_path: Path) -> None:
    config_path.write_text(config_path.read_text(encoding="utf-8") + '[site]\ntitle = "另一个档案"\n', encoding="utf-8")


def delete_an_output_file(config_path: Path) -> None:
    next((config_path.parent / "site" / "articles").glob("*/*.html")).unlink()


def delete_an_output_folder(config_path: Path) -> None:
    shutil.rmtree(next((config_path.parent / "site" / "articles").glob("*/")))


def replace_an_output_file(config_path: Path) -> None:
    page = config_path.parent / "site" / "index.html"
    replacement = page.with_name("index.html.new")
    replacement.write_text("<p>not ours</p>\n", encoding="utf-8")
    replacement.replace(page)


def link_an_output_file(config_path: Path) -> None:
    page = config_path.parent / "site" / "feed.xml"
    page.unlink()
    page.symlink_to(config_path)


def delete_the_manifest(config_path: Path) -> None:
    (config_path.parent / ".site.archivist" / "manifest.json").unlink()


@pytest.mark.parametrize(
    "change",
    [
        touch,
        edit,
        add,
        remove,
        rename,
        add_in_a_new_folder,
        make_read_only,
        curate,
        restyle,
        add_a_template,
        retitle_the_site,
        delete_an_output_file,
        delete_an_output_folder,
        replace_an_output_file,
    ],
)
def test_a_change_to_an_input_or_to_the_output_makes_a_full_build_then_none(project, loads, change):
    assert skipped(load_config(project), loads)
    change(project)
    config = load_config(project)
    assert not skipped(config, loads)
    assert skipped(config, loads)  # the full build left its own record


@pytest.mark.parametrize("change", [link_an_output_file, delete_the_manifest])
def test_an_output_a_full_build_refuses_is_refused_again(project, loads, change):
    change(project)
    with pytest.raises(OutputError):
        build(load_config(project))


def test_the_site_after_a_skipped_build_is_the_site_a_full_build_makes(project, loads):
    edit(project)
    delete_an_output_file(project)
    build(load_config(project))
    pages = sorted(p.relative_to(project.parent) for p in (project.parent / "site").rglob("*.html"))
    assert skipped(load_config(project), loads)
    assert sorted(p.relative_to(project.parent) for p in (project.parent / "site").rglob("*.html")) == pages


def test_a_retargeted_symlink_in_the_content_is_a_change(project, loads):
    content = project.parent / "content"
    first, second = content_files(project)[:2]
    (content / "sub").mkdir()
    shutil.copy2(first, content / "sub" / "a.txt")
    shutil.copy2(second, content / "sub" / "b.txt")
    (content / "link.txt").symlink_to("sub/a.txt")
    config = load_config(project)
    assert not skipped(config, loads) and skipped(config, loads)
    (content / "link.txt").unlink()
    (content / "link.txt").symlink_to("sub/b.txt")
    assert not skipped(config, loads)


def test_another_output_or_content_folder_is_a_full_build(project, loads):
    from dataclasses import replace

    config = load_config(project)
    assert skipped(config, loads)
    assert not skipped(replace(config, output_dir=project.parent / "other-site"), loads)
    copy = project.parent / "copy"
    shutil.copytree(project.parent / "content", copy)
    assert not skipped(replace(config, content_dir=copy), loads)
    assert not skipped(config, loads)  # the content folder's own record was replaced by the copy's build


@pytest.mark.parametrize("stage", ["commit", "save_state"])
def test_a_build_that_fails_midway_leaves_no_record_to_skip_by(project, loads, monkeypatch, stage):
    edit(project)
    config = load_config(project)

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    target = (archivist.output.write.SiteWriter, "commit") if stage == "commit" else (archivist.pipeline, "save_state")
    real = getattr(*target)
    monkeypatch.setattr(*target, fail)
    with pytest.raises(KeyboardInterrupt):
        build(config)
    monkeypatch.setattr(*target, real)
    assert not skipped(config, loads)
    assert differences(project.parent / "site", clean_build(project.parent)) == []


def test_a_file_that_met_an_internal_error_is_read_again_by_the_next_build(project, loads, monkeypatch):
    real = archivist.ingest.reading.normalise

    def broken(*args):
        raise ValueError("a bug")

    edit(project)
    monkeypatch.setattr(archivist.ingest.reading, "normalise", broken)
    corpus, _ = build(load_config(project))
    assert any("internal error" in failure.error for failure in corpus.failures)
    monkeypatch.setattr(archivist.ingest.reading, "normalise", real)
    assert not skipped(load_config(project), loads)
    assert skipped(load_config(project), loads)


def test_a_change_to_the_packages_own_files_is_a_full_build(project, loads, monkeypatch):
    import archivist.state.unchanged

    package = project.parent / "package"
    package.mkdir()
    (package / "stage.py").write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.setattr(archivist.state.unchanged, "PACKAGE", package)
    config = load_config(project)
    assert not skipped(config, loads) and skipped(config, loads)
    (package / "stage.py").write_text("VERSION = 2\n", encoding="utf-8")
    assert not skipped(config, loads)


def test_a_new_stage_version_is_a_full_build(project, loads, monkeypatch):
    from archivist.site import pages

    monkeypatch.setattr(pages, "VERSION", pages.VERSION + 1)
    archivist.state.state.stage_versions.cache_clear()
    try:
        assert not skipped(load_config(project), loads)
    finally:
        monkeypatch.undo()
        archivist.state.state.stage_versions.cache_clear()


def cli_project(tmp_path: Path) -> Path:
    """Seeds, a duplicate (a warning) and two broken files (errors)."""
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    (content / "copy.txt").write_bytes(SEEDS[1].read_bytes())
    (content / "empty.txt").write_bytes(b"")
    (content / "bad.md").write_bytes(b"---\n[\n---\nx")
    return write_site_toml(tmp_path, content="content", output="site")


def counts(summary: str) -> tuple[str, ...]:
    found = re.match(r"Built (\d+) articles, (\d+) warnings, (\d+) errors in [\d.]+ s", summary)
    assert found, summary
    return found.groups()


def test_a_skipped_build_prints_the_same_errors_warnings_summary_and_exit_code(tmp_path):
    config_path = cli_project(tmp_path)
    runs = [run_cli("--config", str(config_path), "build", "--timings", cwd=tmp_path) for _ in range(2)]
    first, again = runs
    assert first.returncode == again.returncode == 1
    assert "warning: " in first.stderr and "error: " in first.stderr
    assert again.stderr == first.stderr
    summaries = [run.stdout.splitlines()[0] for run in runs]
    assert counts(summaries[1]) == counts(summaries[0]) == ("5", "8", "2")
    assert summaries[1].endswith("(0 files written, 0 removed) -> " + str(tmp_path / "site" / "index.html"))
    timings = json.loads(again.stdout.splitlines()[1])
    assert set(timings["stages"]) == {"check"} and timings["changed"] == 0
    quiet = run_cli("--config", str(config_path), "build", "-q", cwd=tmp_path)
    assert quiet.returncode == 1 and "warning: " not in quiet.stderr and "error: " in quiet.stderr


def test_a_skipped_build_of_a_read_only_output_and_state_folder_succeeds(tmp_path):
    config_path = cli_project(tmp_path)
    (tmp_path / "content" / "empty.txt").unlink()
    (tmp_path / "content" / "bad.md").unlink()
    assert run_cli("--config", str(config_path), "build", "-q", cwd=tmp_path).returncode == 0
    folders = [tmp_path / "site", tmp_path / ".site.archivist"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        again = run_cli_as_user("--config", str(config_path), "build", "--timings", cwd=tmp_path)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert again.returncode == 0, again.stderr
    assert "(0 files written, 0 removed)" in again.stdout and '"check"' in again.stdout


def test_a_file_added_to_the_output_by_hand_makes_one_full_check(project, loads):
    (project.parent / "site" / "notes.txt").write_text("mine\n", encoding="utf-8")
    config = load_config(project)
    assert not skipped(config, loads)
    assert skipped(config, loads)
    assert (project.parent / "site" / "notes.txt").exists()


@pytest.mark.parametrize("where", ["above", "inside", "elsewhere", "through_a_link"])
def test_names_and_address_keys_from_one_resolve_per_folder_are_those_of_one_per_file(tmp_path, monkeypatch, where):
    from archivist.ingest.aliases import source_key, source_keys
    from archivist.ingest.discover import discover
    from archivist.ingest.reading import shown_path, shown_paths

    real = tmp_path / "real" / "content"
    (real / "2024" / "05").mkdir(parents=True)
    for name in ("a.txt", "2024/b.md", "2024/05/c.html", "\u4e2d\u6587.txt"):
        (real / name).write_text("x", encoding="utf-8")
    (real / os.fsdecode(b"gbk-\xd6\xd0.txt")).write_text("x", encoding="utf-8")
    (real / "linked.txt").symlink_to("2024/b.md")
    (real / "2024" / "up.txt").symlink_to("../a.txt")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    (tmp_path / "elsewhere").mkdir()
    content = {
        "above": Path("real/content"),
        "inside": real / "2024",
        "elsewhere": real,
        "through_a_link": Path("alias/content"),
    }[where]
    monkeypatch.chdir({"inside": real / "2024", "elsewhere": tmp_path / "elsewhere"}.get(where, tmp_path))
    if where == "inside":
        content = Path("..")
    links: set[Path] = set()
    paths, _ = discover(content, links=links)
    assert len(paths) == 7 and len(links) == 2
    names = shown_paths(content, paths, links)
    assert names == {path: shown_path(path) for path in paths}
    key = source_keys(content)  # the address book's keys, each folder resolved once
    assert [key(name) for name in names.values()] == [source_key(name, content) for name in names.values()]
