"""Incremental builds: after any sequence of edits, additions, renames and
deletions, the site is byte for byte the site a clean build makes of the same
content, search index and feeds included."""

import random
import shutil
from pathlib import Path

import pytest

from archivist.config import load_config
from archivist.pipeline import build
from archivist.state.state import BuildState

from .conftest import same_file, write_site_toml


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def differences(one: Path, other: Path) -> list[str]:
    """Files that differ; redirect pages at the old addresses of retitled
    articles are ``one``'s history, which a clean build cannot have."""
    names_one, names_other = tree(one), tree(other)
    names_one -= {name for name in names_one - names_other if is_redirect(one / name)}
    differ = sorted(names_one ^ names_other)
    differ += [n for n in sorted(names_one & names_other) if not same_file(one / n, other / n)]
    return differ


def is_redirect(path: Path) -> bool:
    return path.suffix == ".html" and b'<meta http-equiv="refresh"' in path.read_bytes()


def clean_build(content: Path, folder: Path, settings: str = "") -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    config_path = write_site_toml(folder, content=str(content), output="site")
    config_path.write_text(config_path.read_text() + settings, encoding="utf-8")
    config = load_config(config_path)
    corpus, _ = build(config)
    assert not corpus.failures, corpus.failures
    return folder / "site"


def mutate(rng: random.Random, content: Path, step: int) -> str:
    files = sorted(p for p in content.iterdir() if p.suffix in (".txt", ".md"))
    action = rng.choice(["edit", "edit", "retitle", "add", "rename", "delete", "retag"])
    target = rng.choice(files)
    text = target.read_text(encoding="utf-8")
    if action == "edit":
        target.write_text(text.replace("党建", "党的建设", 1).replace("乡村", "农村", 1), encoding="utf-8")
    elif action == "retitle" and target.suffix == ".md":
        target.write_text(text.replace("title: ", f"title: 改{step}", 1), encoding="utf-8")
    elif action == "retag":
        target.write_text(text + "\n\n广西壮族自治区玉林市兴业县推行“新增工程”，成效明显。\n", encoding="utf-8")
    elif action == "add":
        (content / f"added-{step}.md").write_text(
            f"---\ntitle: 新增文章{step}\ndate: 2021-0{1 + step % 9}-1{step % 9}\n---\n\n"
            f"河北省唐山市乐亭县党建引领乡村振兴，第{step}篇，推行“三联三促”。\n",
            encoding="utf-8",
        )
    elif action == "rename":
        target.rename(content / f"renamed-{step}{target.suffix}")
    elif action == "delete" and len(files) > 5:
        target.unlink()
    return f"{action} {target.name}"


def test_random_edits_adds_renames_and_deletes_end_in_the_clean_site(tmp_path):
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(40, content)
    config_path = write_site_toml(tmp_path, content=str(content), output="site")
    config_path.write_text(config_path.read_text() + "[build]\nper_page = 4\n", encoding="utf-8")  # many pages
    config = load_config(config_path)
    memory = BuildState()  # as the preview server keeps it
    build(config, build_state=memory)
    build(config)  # and as the command line does, through the cache on disk
    rng = random.Random(7)
    for step in range(8):
        done = mutate(rng, content, step)
        build(config, build_state=memory if step % 2 else None)
        clean = clean_build(content, tmp_path / f"clean{step}", "[build]\nper_page = 4\n")
        assert differences(tmp_path / "site", clean) == [], done


def test_a_build_with_nothing_changed_writes_nothing(tmp_path):
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(20, content)
    config = load_config(write_site_toml(tmp_path, content=str(content), output="site"))
    build(config)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()}
    _, report = build(config)
    assert report.changed == 0 and report.removed == 0
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "site").rglob("*") if p.is_file()} == before


def test_a_file_removed_from_the_output_by_hand_comes_back(tmp_path):
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(10, content)
    config = load_config(write_site_toml(tmp_path, content=str(content), output="site"))
    build(config)
    (tmp_path / "site" / "feed.xml").unlink()
    page = next((tmp_path / "site" / "articles").glob("*/*.html"))
    page.unlink()
    build(config)
    assert (tmp_path / "site" / "feed.xml").exists() and page.exists()


def test_an_edit_inside_an_article_renders_only_that_articles_pages(tmp_path, monkeypatch):
    """A list shows an article's title, date, byline, tags and excerpt: a
    sentence added at its end re-renders its own page (both scripts), no list."""
    import archivist.render.render
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(30, content)
    config_path = write_site_toml(tmp_path, content=str(content), output="site")
    config_path.write_text(config_path.read_text() + "[build]\nper_page = 4\n", encoding="utf-8")
    config = load_config(config_path)
    corpus, _ = build(config)
    article = corpus.articles[7]
    rendered = []
    real = archivist.render.render.render_page
    monkeypatch.setattr(
        archivist.render.render,
        "render_page",
        lambda env, page, *rest: rendered.append(page.path) or real(env, page, *rest),
    )
    source = Path(article.path)
    source.write_text(source.read_text(encoding="utf-8").rstrip() + "\n\n编辑补记一句。\n", encoding="utf-8")
    build(config)
    assert rendered == [article.page_path] * 2
    assert differences(tmp_path / "site", clean_build(content, tmp_path / "clean", "[build]\nper_page = 4\n")) == []


def test_an_edit_rewrites_one_bucket_of_the_article_cache(tmp_path):
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(40, content)
    config = load_config(write_site_toml(tmp_path, content=str(content), output="site"))
    build(config)
    state = tmp_path / ".site.archivist"
    before = {p.name: p.stat().st_mtime_ns for p in state.glob("articles-*.json")}
    assert len(before) == 32
    target = sorted(content.iterdir())[5]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n编辑补记一句。\n", encoding="utf-8")
    build(config)
    after = {p.name: p.stat().st_mtime_ns for p in state.glob("articles-*.json")}
    assert len([name for name in after if after[name] != before[name]]) == 1
    # ... and the next build reads every article back from the buckets.
    _, report = build(config)
    assert report.changed == 0 and report.stages.get("site") is None


def test_a_build_that_fails_before_its_commit_leaves_a_cache_that_still_describes_the_output(tmp_path, monkeypatch):
    """The preview server keeps its cache across a failed build: the search
    state must not run ahead of the shards on disk that the next build
    patches."""
    import archivist.output.write
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(30, content)
    config = load_config(write_site_toml(tmp_path, content=str(content), output="site"))
    memory = BuildState()
    build(config, build_state=memory)
    target = sorted(content.iterdir())[3]
    text = target.read_text(encoding="utf-8")
    # Words the article has already: the edit changes term counts, so the
    # next build patches shards that exist (new words could add shards).
    lines = [line for line in text.splitlines() if len(line) > 20]
    target.write_text(text + "\n\n" + lines[-1] + "\n", encoding="utf-8")
    real_commit = archivist.output.write.SiteWriter.commit

    def failing_commit(self):
        raise OSError("disk full")

    monkeypatch.setattr(archivist.output.write.SiteWriter, "commit", failing_commit)
    with pytest.raises(OSError, match="disk full"):
        build(config, build_state=memory)
    monkeypatch.setattr(archivist.output.write.SiteWriter, "commit", real_commit)
    target.write_text(target.read_text(encoding="utf-8") + "\n\n" + lines[-2] + "\n", encoding="utf-8")
    build(config, build_state=memory)
    assert differences(tmp_path / "site", clean_build(content, tmp_path / "clean")) == []


def test_a_shard_edited_by_hand_is_made_again_from_the_articles(tmp_path):
    from bench.corpus import write_corpus

    content = tmp_path / "content"
    write_corpus(20, content)
    config = load_config(write_site_toml(tmp_path, content=str(content), output="site"))
    build(config)
    for shard in (tmp_path / "site" / "search" / "shards").glob("*.js"):
        shard.write_text('(window.ARCHIVE_SHARDS=window.ARCHIVE_SHARDS||{})["x"]=[1,2];\n', encoding="utf-8")
    target = sorted(content.iterdir())[2]
    target.write_text(target.read_text(encoding="utf-8") + "\n\n村里新修了一条水泥路。\n", encoding="utf-8")
    build(config)
    assert differences(tmp_path / "site", clean_build(content, tmp_path / "clean")) == []
