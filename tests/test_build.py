"""The build command: exit codes, bad input, output safety."""

import html
import os
import re
import shutil
from pathlib import Path

import pytest

from archivist.search.tokenize import fold
from archivist.text.script import to_traditional

from .conftest import ROOT, SEEDS, run_cli, write_site_toml


def make_project(tmp_path: Path, files: dict[str, bytes] | None = None, seeds: bool = True) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    if seeds:
        for seed in SEEDS:
            shutil.copy(seed, content / seed.name)
    for name, data in (files or {}).items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(data)
    write_site_toml(tmp_path, content="content", output="site")
    return tmp_path


def build(project: Path, *args: str):
    return run_cli("--config", str(project / "site.toml"), "build", "--quiet", *args)


def test_build_writes_home_article_pages_and_stylesheet(tmp_path):
    project = make_project(tmp_path)
    result = build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / "index.html").exists() and (site / "static" / "style.css").exists()
    assert len(list((site / "articles").glob("*/*.html"))) == 5
    assert "Built 5 articles" in result.stdout and "0 errors" in result.stdout


def test_home_lists_newest_first_and_undated_last(tmp_path):
    project = make_project(tmp_path)
    build(project)
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    order = [home.index(t) for t in ("党建联建赋能", "固边富民筑堡垒", "三年行动", "葵峰山上党旗扬", "党的二十大指出")]
    assert order == sorted(order)


def test_every_internal_link_resolves(tmp_path):
    """A link checker over the whole output: every href and src is relative
    and names a file that exists, and every #anchor exists in it."""
    project = make_project(tmp_path)
    build(project)
    site = project / "site"
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'(?:href|src)="([^"]+)"', html):
            if href.startswith("data:"):  # inline, e.g. the 404 page's icon
                continue
            assert not href.startswith(("/", "http:", "https:", "//")), (page, href)
            path, _, anchor = href.partition("#")
            target = (page.parent / path.split("?")[0]).resolve() if path else page
            assert target.is_file(), (page, href)
            assert site.resolve() in target.parents
            if anchor and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(re.findall(r'id="([^"]+)"', target.read_text(encoding="utf-8")))
                assert anchor in ids[target], (page, href)
            checked += 1
    assert checked > 1000


def test_bad_files_are_reported_and_the_rest_are_built(tmp_path):
    project = make_project(
        tmp_path, {"empty.txt": b"", "binary.txt": b"\x00\x01\x02\x03PK", "bad.md": b"---\n[\n---\nx"}
    )
    result = build(project)
    assert result.returncode == 1
    for name in ("empty.txt", "binary.txt", "bad.md"):
        assert name in result.stderr
    assert len(list((project / "site" / "articles").glob("*/*.html"))) == 5


def test_unknown_command_is_usage_error():
    assert run_cli("frobnicate").returncode == 2


def test_bad_config_is_usage_error_naming_the_setting(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text("[build]\nper_page = 0\n", encoding="utf-8")
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 2 and "per_page" in result.stderr


def test_titles_and_bodies_are_escaped(tmp_path):
    hostile = "---\ntitle: '<script>alert(1)</script>'\n---\n\n正文<img src=x onerror=alert(1)>内容\n"
    project = make_project(tmp_path, {"evil.md": hostile.encode()}, seeds=False)
    assert build(project).returncode == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in (project / "site").rglob("*.html"))
    assert "<script>alert" not in pages and "onerror" not in pages
    assert "&lt;script&gt;" in pages


def test_unchanged_files_are_not_rewritten(tmp_path):
    project = make_project(tmp_path)
    build(project)
    page = next((project / "site" / "articles").glob("*/*.html"))
    os.utime(page, (1_000_000, 1_000_000))
    assert build(project).returncode == 0
    assert page.stat().st_mtime == 1_000_000


def test_removed_article_page_is_removed_and_user_files_kept(tmp_path):
    project = make_project(tmp_path)
    build(project)
    note = project / "site" / "my-note.txt"
    note.write_text("mine", encoding="utf-8")
    (project / "content" / SEEDS[0].name).unlink()
    build(project)
    assert len(list((project / "site" / "articles").glob("*/*.html"))) == 4
    assert note.read_text(encoding="utf-8") == "mine"


def test_output_folder_that_holds_user_files_is_refused(tmp_path):
    project = make_project(tmp_path)
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.txt").write_text("precious", encoding="utf-8")
    result = build(project, "--out", str(other))
    assert result.returncode == 2 and "not empty" in result.stderr
    assert [p.name for p in other.iterdir()] == ["thesis.txt"]


def test_output_folder_equal_to_content_is_refused(tmp_path):
    project = make_project(tmp_path)
    result = build(project, "--out", str(project / "content"))
    assert result.returncode == 2


def site_files(site: Path) -> dict[Path, bytes]:
    """What a reader gets: every file but the build's own bookkeeping."""
    return {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_failed_render_leaves_previous_site_whole(tmp_path):
    project = make_project(tmp_path)
    build(project)
    before = site_files(project / "site")
    theme = project / "theme" / "templates"
    theme.mkdir(parents=True)
    (theme / "article.html").write_text("{{ no_such_variable.oops }}", encoding="utf-8")
    with (project / "site.toml").open("a", encoding="utf-8") as config:
        config.write('theme = "theme"\n')
    result = build(project)
    assert result.returncode != 0
    after = site_files(project / "site")
    assert after == before


def test_duplicate_articles_build_one_page_and_warn(tmp_path):
    project = make_project(tmp_path, {"copy.txt": SEEDS[1].read_bytes()})
    result = run_cli("--config", str(project / "site.toml"), "build")
    assert result.returncode == 0
    content = project / "content"
    assert f"{content / 'copy.txt'}: same article as {content / SEEDS[1].name}; published once" in result.stderr
    assert len(list((project / "site" / "articles").glob("*/*.html"))) == 5


HARBOUR = [
    "本报讯 记者从市交通运输局获悉，今年以来，我市港口货物吞吐量持续增长，前两个月累计完成货物吞吐量两千三百万吨。",
    "据介绍，港口新建的自动化码头已投入试运行，装卸效率比传统码头提高三成以上，每年可为企业节省物流成本近亿元。",
]


def test_the_same_article_saved_as_a_scrape_and_as_a_page_is_published_once(tmp_path):
    # The page is the same article in Traditional, without its date line.
    scrape = "\n\n".join(["港口货物吞吐量持续增长", "2024-03-01 10:00  来源：滨海日报", *HARBOUR])
    title, *paragraphs = (to_traditional(text) for text in ["港口货物吞吐量持续增长", *HARBOUR])
    page = (
        f'<html lang="zh-Hant"><head><meta charset="utf-8"><title>{title}</title></head><body><article>'
        f"<h1>{title}</h1>{''.join(f'<p>{p}</p>' for p in paragraphs)}</article></body></html>"
    )
    project = make_project(tmp_path, {"harbour.txt": scrape.encode(), "saved/harbour.html": page.encode()}, seeds=False)
    result = run_cli("--config", str(project / "site.toml"), "build")
    assert result.returncode == 0, result.stderr
    content = project / "content"
    assert (
        f"{content / 'saved/harbour.html'}: same article as {content / 'harbour.txt'}; published once" in result.stderr
    )
    assert len(list((project / "site" / "articles").glob("*/*.html"))) == 1


def test_help_lists_commands():
    result = run_cli("--help")
    assert result.returncode == 0 and "build" in result.stdout and "inspect" in result.stdout


def test_repository_has_no_tracked_output():
    assert "/site/" in (ROOT / ".gitignore").read_text(encoding="utf-8")


def test_check_reports_problems_and_writes_nothing(tmp_path):
    project = make_project(tmp_path, {"empty.txt": b""})
    result = run_cli("--config", str(project / "site.toml"), "check")
    assert result.returncode == 1 and "empty.txt" in result.stderr
    assert "Checked 6 files: 5 articles" in result.stdout
    assert not (project / "site").exists()


def test_new_creates_a_draft_and_never_overwrites(tmp_path):
    project = make_project(tmp_path, seeds=False)
    first = run_cli("--config", str(project / "site.toml"), "new", "兴业县的新消息")
    assert first.returncode == 0
    created = list((project / "content").glob("*.md"))
    assert len(created) == 1 and "draft: true" in created[0].read_text(encoding="utf-8")
    created[0].write_text(created[0].read_text(encoding="utf-8") + "编辑写的内容。\n", encoding="utf-8")
    second = run_cli("--config", str(project / "site.toml"), "new", "兴业县的新消息")
    assert second.returncode == 1 and "already exists" in second.stderr  # same day, same slug
    assert "编辑写的内容" in created[0].read_text(encoding="utf-8")
    build(project)
    assert not list((project / "site" / "articles").glob("*/*.html"))  # a draft is not published


def test_cache_key_of_the_curation_files_is_the_same_in_every_process(tmp_path):
    """Sets iterate in an order that changes with the hash seed: a key made
    from them would make every build re-read every file."""
    import subprocess
    import sys

    project = make_project(
        tmp_path,
        {"initiatives.yaml": "initiatives: [{name: 甲工程, aliases: [甲, 甲甲]}]\nhide: [乙, 丙, 丁]\n".encode()},
    )
    code = (
        "import sys; from pathlib import Path; from archivist.ingest.editorial import load_editorial; "
        "from archivist.state.keys import stable_repr; print(stable_repr(load_editorial(Path(sys.argv[1]))[0]))"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", code, str(project / "content")],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": str(seed)}, check=True,
        ).stdout
        for seed in (1, 2, 3)
    }  # fmt: skip
    assert len(keys) == 1


def test_plain_text_copies_are_written_and_linked_only_when_asked(tmp_path):
    project = make_project(tmp_path)
    site = project / "site"
    assert build(project).returncode == 0
    assert not list(site.rglob("*.txt"))
    config = project / "site.toml"
    config.write_text(config.read_text(encoding="utf-8") + "[build]\ntext_copies = true\n", encoding="utf-8")
    assert build(project).returncode == 0
    pages = list((site / "articles").glob("*/*.html"))
    assert len(pages) == 5
    for page in pages:
        copy = page.with_suffix(".txt")
        title = re.search(r"<h1>(.*?)</h1>", page.read_text(encoding="utf-8")).group(1)
        # The cleaned source, in the script it was written in.
        assert fold(html.unescape(title).rstrip("…"))[:12] in fold(copy.read_text(encoding="utf-8"))
        assert f'/{page.parent.name}/{copy.name}"' in page.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace("true", "false"), encoding="utf-8")
    assert build(project).returncode == 0
    assert not list(site.rglob("*.txt"))


@pytest.mark.parametrize("setting", ["uses_per_page = 0", "index_per_page = 5000", "feed_min_articles = 0",
                                     'text_copies = "yes"', "workers = -1", 'workers = "all"'])  # fmt: skip
def test_a_bad_build_setting_is_a_usage_error_naming_it(tmp_path, setting):
    config = tmp_path / "site.toml"
    config.write_text(f"[build]\n{setting}\n", encoding="utf-8")
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 2 and setting.split()[0] in result.stderr
