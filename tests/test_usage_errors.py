"""What a new user meets first: folders, zips, drafts, bad dates, themes and
templates, the `new` command; each case was seen going wrong once."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, SEEDS, run_cli
from .test_build import build, make_project

DRAFT = "---\ntitle: 草稿标题\ndate: 2024-03-01\ndraft: true\n---\n\n这是一段尚未发表的草稿正文，秘密内容不应出现。\n"


def published_text(site: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in site.rglob("*") if p.is_file())


def test_draft_text_and_build_bookkeeping_never_reach_the_published_folder(tmp_path):
    project = make_project(tmp_path, {"draft.md": DRAFT.encode()})
    assert build(project).returncode == 0
    site = project / "site"
    assert "秘密内容" not in published_text(site)
    assert str(tmp_path) not in published_text(site)  # no absolute local paths
    hidden = [p.relative_to(site).as_posix() for p in site.rglob(".*")]
    assert hidden == []
    # The second build still knows what the first wrote (its state is beside the site).
    assert "0 files written" in build(project).stdout


def test_a_site_left_by_an_earlier_version_is_taken_over_and_its_bookkeeping_removed(tmp_path):
    project = make_project(tmp_path)
    site = project / "site"
    site.mkdir()
    (site / ".archivist-manifest.json").write_text('["old.html"]', encoding="utf-8")
    (site / ".archivist-cache.pickle").write_bytes(b"old cache")
    (site / "old.html").write_text("old", encoding="utf-8")
    assert build(project).returncode == 0
    assert not (site / "old.html").exists() and not (site / ".archivist-cache.pickle").exists()
    assert not (site / ".archivist-manifest.json").exists()


@pytest.mark.parametrize("where", ["site/inside.zip", "content/x.zip", "missing/dir/x.zip", "site"])
def test_zip_inside_the_site_or_content_or_in_a_missing_folder_is_refused_before_building(tmp_path, where):
    project = make_project(tmp_path)
    result = build(project, "--zip", str(project / where))
    assert result.returncode == 2, result.stderr
    assert "--zip" in result.stderr
    assert not (project / "missing").exists()
    assert not (project / "site").exists()  # refused before anything was built


def test_default_zip_goes_to_the_project_folder_not_the_working_folder(tmp_path):
    (tmp_path / "project").mkdir()
    project = make_project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("--config", str(project / "site.toml"), "build", "-q", "--zip", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert (project / "dist" / "site.zip").is_file() and not (elsewhere / "dist").exists()
    with zipfile.ZipFile(project / "dist" / "site.zip") as archive:
        assert "site/index.html" in archive.namelist()


@pytest.mark.parametrize("command", ["build", "check", "inspect"])
def test_impossible_front_matter_date_is_an_error_naming_file_field_and_value(tmp_path, command):
    project = make_project(
        tmp_path, {"bad-date.md": b"---\ntitle: T\ndate: 2024-13-45\n---\n\n\xe6\xad\xa3\xe6\x96\x87\xe3\x80\x82\n"}
    )
    args = ["inspect", str(project / "content" / "bad-date.md")] if command == "inspect" else [command]
    result = run_cli("--config", str(project / "site.toml"), *args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    message = result.stderr if command != "inspect" else json.loads(result.stdout)[0]["error"]
    assert "bad-date.md" in message or command == "inspect"
    assert "'date'" in message and "2024-13-45" in message
    if command == "build":
        assert len(list((project / "site" / "articles").glob("*/*.html"))) == 5


def test_template_syntax_error_in_a_theme_names_the_file_and_line(tmp_path):
    project = make_project(tmp_path)
    templates = project / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "article.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n{% if page %}\n{% endblock %}\n', encoding="utf-8"
    )
    with (project / "site.toml").open("a", encoding="utf-8") as config:
        config.write('theme = "theme"\n')
    result = build(project)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "<unknown>" not in result.stderr
    assert "article.html" in result.stderr and "line 4" in result.stderr


def test_a_theme_that_does_not_exist_is_an_error(tmp_path):
    project = make_project(tmp_path)
    with (project / "site.toml").open("a", encoding="utf-8") as config:
        config.write('theme = "nonexistent"\n')
    result = build(project)
    assert result.returncode == 2 and "nonexistent" in result.stderr and "no such folder" in result.stderr


def test_new_refuses_an_empty_title_and_a_missing_content_folder(tmp_path):
    project = make_project(tmp_path)
    empty = run_cli("--config", str(project / "site.toml"), "new", "  ")
    assert empty.returncode == 2 and "title" in empty.stderr
    assert len(list((project / "content").iterdir())) == len(SEEDS)
    missing = run_cli("--config", str(project / "site.toml"), "new", "标题", "--content", str(tmp_path / "nope"))
    assert missing.returncode == 2 and not (tmp_path / "nope").exists()


def test_content_that_is_a_file_says_so(tmp_path):
    project = make_project(tmp_path)
    result = build(project, "--content", str(project / "content" / SEEDS[0].name))
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr


def test_empty_content_folder_builds_with_a_warning(tmp_path):
    project = make_project(tmp_path, seeds=False)
    result = run_cli("--config", str(project / "site.toml"), "build")
    assert result.returncode == 0
    assert "warning:" in result.stderr and "no articles" in result.stderr


def test_duplicate_explicit_slug_is_renamed_with_a_warning(tmp_path):
    page = "---\ntitle: {title}\nslug: same-slug\n---\n\n{title}的正文内容，写得足够长。\n"
    files = {name: page.format(title=name).encode() for name in ("甲文章", "乙文章")}
    project = make_project(tmp_path, {f"{n}.md": data for n, data in files.items()}, seeds=False)
    result = run_cli("--config", str(project / "site.toml"), "build")
    assert result.returncode == 0
    assert "same-slug" in result.stderr and "same-slug-2" in result.stderr and "乙文章.md" in result.stderr


def test_unknown_front_matter_key_is_a_warning_naming_the_key(tmp_path):
    project = make_project(tmp_path, {"a.md": "---\ntitle: 标题\ntags: [x]\n---\n\n正文内容在此。\n".encode()})
    result = run_cli("--config", str(project / "site.toml"), "build")
    assert result.returncode == 0
    assert "a.md" in result.stderr and "'tags'" in result.stderr


def test_image_without_alt_gets_an_empty_alt(tmp_path):
    from archivist.ingest.normalise import markdown_to_html

    html = markdown_to_html('<img src="a.png"> and <img src="b.png" alt="图">')
    assert '<img alt="" src="a.png">' in html and 'alt="图"' in html


def test_file_of_only_site_furniture_is_a_per_file_error(tmp_path):
    furniture = "网站首页 | 手机看新闻\n责任编辑：张三\n热门城市：北京 上海 广州 深圳 兰州 西宁\n甘肃省 定西市 通渭县 陇西县 渭源县\n版权所有 XX网 2023\n"
    project = make_project(tmp_path, {"furniture.txt": furniture.encode()})
    result = build(project)
    assert result.returncode == 1
    assert "furniture.txt" in result.stderr and "no article text" in result.stderr
    assert len(list((project / "site" / "articles").glob("*/*.html"))) == 5


def test_simplified_pages_show_traditional_front_matter_in_simplified(tmp_path):
    page = "---\ntitle: 標題\nsource: 玉林日報\neditor: 鄭夏憶\nauthors: [{name: 王彥臻, role: 本報記者}]\n---\n\n正文內容。\n"
    project = make_project(tmp_path, {"t.md": page.encode()}, seeds=False)
    assert build(project).returncode == 0
    html = next((project / "site" / "articles").glob("*/*.html")).read_text(encoding="utf-8")
    assert "玉林日报" in html and "郑夏忆" in html and "本报记者" in html
    assert "玉林日報" not in html


def test_serve_on_a_port_in_use_says_so_and_exits_2(tmp_path):
    import socket

    project = make_project(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--config", str(project / "site.toml"), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert "in use" in result.stderr and "Traceback" not in result.stderr + result.stdout
