"""The preview server: edits, additions, renames and deletions rebuild and
reload; errors show in the browser; paths stay inside the output folder."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archivist.text.slug import bucket

from .conftest import ROOT, SEEDS, run_cli, same_file, write_site_toml


class Server:
    def __init__(self, project: Path, *options: str) -> None:
        command = [sys.executable, str(ROOT / "build.py"), "--config", str(project / "site.toml"), "serve"]
        self.project = project
        self.process = subprocess.Popen(
            [*command, "--port", "0", *options],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            self.lines.append(line)
            match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if match:
                self.url = match.group(1)
                return
        self.process.kill()  # a server left running would load every test after it
        self.process.wait()
        raise AssertionError("server did not start: " + "".join(self.lines))

    def get(self, path: str) -> tuple[int, str, bytes]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read()

    def wait_for(self, path: str, needle: str, present: bool = True, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, _, body = self.get(path)
            if (needle in body.decode("utf-8", "replace")) == present and (status == 200 or not present):
                return
            time.sleep(0.1)
        raise AssertionError(f"{path}: {needle!r} {'never appeared' if present else 'never went away'}")

    def stop(self) -> int:
        """Ctrl-C, then everything the server printed is in ``lines``."""
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=20)
            self.lines.extend(self.process.stdout.read().splitlines(keepends=True))
            return code
        finally:
            self.process.stdout.close()


@pytest.fixture
def project(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    shutil.copytree(ROOT / "templates", tmp_path / "theme" / "templates")
    write_site_toml(tmp_path, content="content", output="site", theme="theme")
    return tmp_path


@pytest.fixture
def server(project):
    running = Server(project)
    yield running
    if running.process.poll() is None:
        running.stop()


def seed_file(project: Path, number: str) -> Path:
    return next((project / "content").glob(f"{number}_*.txt"))


def test_edit_add_rename_delete_rebuild_and_match_a_clean_build(server, project):
    status, content_type, _ = server.get("index.html")
    assert status == 200 and content_type == "text/html; charset=utf-8"
    article = seed_file(project, "001")
    article.write_text(article.read_text(encoding="utf-8").replace("葵峰山上党旗扬", "葵峰山上党旗高高扬", 1), "utf-8")
    server.wait_for("index.html", "葵峰山上党旗高高扬")
    added = project / "content" / "new.md"
    added.write_text("---\ntitle: 新增的文章\ndate: 2025-01-02\n---\n\n广西玉林市兴业县的新消息。\n", encoding="utf-8")
    server.wait_for("index.html", "新增的文章")
    added.rename(project / "content" / "renamed.md")
    time.sleep(1)
    server.wait_for("index.html", "新增的文章")
    seed_file(project, "004").unlink()
    server.wait_for("index.html", "党的二十大指出", present=False)
    clean = project / "clean"
    (project / "cleanconf").mkdir()
    config = write_site_toml(
        project / "cleanconf", content=str(project / "content"), output=str(clean), theme=str(project / "theme")
    )
    assert run_cli("--config", str(config), "build", "-q").returncode == 0
    # The server may still be finishing its last rebuild; it must get there.
    deadline = time.monotonic() + 30
    while differences(project / "site", clean) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert differences(project / "site", clean) == []
    assert server.stop() == 0


def differences(served: Path, clean: Path) -> list[str]:
    """Files that differ between two sites (the build's bookkeeping aside)."""

    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    served_files, clean_files = files(served), files(clean)
    differ = sorted(served_files ^ clean_files)
    differ += [name for name in sorted(clean_files & served_files) if not same_file(served / name, clean / name)]
    return differ


def test_template_change_rerenders_pages_that_use_it(server, project):
    template = project / "theme" / "templates" / "entry.html"
    template.write_text(template.read_text(encoding="utf-8").replace("<h2>含义</h2>", "<h2>释义</h2>"), "utf-8")
    server.wait_for(f"glossary/{bucket('1313')}/1313.html", "释义")
    _, _, home = server.get("index.html")
    assert "释义" not in home.decode()


def test_build_error_shows_in_browser_and_last_good_site_stays(server, project, browser):
    page = browser.new_page()
    page.goto(server.url + "articles/2019/2019-08-12-yulin-kuifengshanshang.html")
    article = seed_file(project, "001")
    good = article.read_bytes()
    article.write_bytes(b"\x00\x01binary junk")
    page.wait_for_selector("#archivist-overlay", timeout=20000)
    assert article.name in page.inner_text("#archivist-overlay")
    status, _, body = server.get("articles/2019/2019-08-12-yulin-kuifengshanshang.html")
    assert status == 200 and "葵峰山" in body.decode()
    article.write_bytes(good)
    page.wait_for_selector("#archivist-overlay", state="detached", timeout=20000)
    page.close()


def test_open_page_reloads_and_keeps_its_scroll_position(server, project, browser):
    page = browser.new_page(viewport={"width": 800, "height": 400})
    page.goto(server.url + "articles/2019/2019-08-12-yulin-kuifengshanshang.html")
    page.wait_for_load_state("load")
    page.evaluate("window.scrollTo(0, 900); window.__before_reload = true")
    article = seed_file(project, "001")
    article.write_text(article.read_text(encoding="utf-8").replace("迈入新时代", "迈入崭新时代", 1), "utf-8")
    page.wait_for_function("window.__before_reload === undefined", timeout=20000)
    page.wait_for_function("document.body.innerText.indexOf('迈入崭新时代') >= 0", timeout=20000)
    assert abs(settled(page, "window.scrollY") - 900) < 50
    page.close()


def settled(page, expression: str, tries: int = 10):
    """``expression`` once the page stops reloading: the full rebuild after the
    edited page's own may reload it once more, at any moment."""
    from playwright.sync_api import Error

    for _ in range(tries):
        page.wait_for_timeout(300)
        page.wait_for_load_state("load")
        try:
            return page.evaluate(expression)
        except Error as error:
            if "context was destroyed" not in str(error):
                raise
    raise AssertionError(f"the page kept reloading: {expression}")


def test_burst_of_changes_is_one_rebuild(server, project):
    for n in range(60):
        (project / "content" / f"burst{n}.md").write_text(
            f"---\ntitle: 批量{n}\ndate: 2020-01-01\n---\n正文{n}。\n", "utf-8"
        )
    server.wait_for("index.html", "共 65 篇")
    time.sleep(1)
    assert server.stop() == 0
    rebuilt = [line for line in server.lines if line.startswith("Rebuilt")]
    assert 1 <= len(rebuilt) <= 2, rebuilt


@pytest.mark.parametrize(
    "path", ["../site.toml", "%2e%2e/site.toml", "%2E%2E/%2e%2e/etc/passwd", ".archivist-manifest.json"]
)
def test_paths_outside_the_output_are_refused(server, path):
    status, _, body = server.get(path)
    assert status in (403, 404) and b"[paths]" not in body


def test_symlink_pointing_out_is_refused(server, project):
    (project / "site" / "leak.txt").symlink_to(project / "site.toml")
    status, _, body = server.get("leak.txt")
    assert status == 403 and b"[paths]" not in body


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("index.html", "text/html; charset=utf-8"),
        ("static/style.css", "text/css; charset=utf-8"),
        ("static/search.js", "text/javascript; charset=utf-8"),
        ("feed.xml", "application/xml; charset=utf-8"),
    ],
)
def test_content_types(server, path, expected):
    status, content_type, _ = server.get(path)
    assert status == 200 and content_type == expected


def test_ctrl_c_stops_cleanly(server):
    assert server.stop() == 0
    assert os.path.exists(server.project / "site" / "index.html")


def test_command_line_folders_hold_for_every_rebuild(tmp_path):
    """``serve --content X --out Y``: rebuilds after an edit go to Y from X,
    not to the folders of site.toml."""
    content = tmp_path / "elsewhere"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    write_site_toml(tmp_path, content="content", output="site")
    running = Server(tmp_path, "--content", str(content), "--out", str(tmp_path / "preview"))
    try:
        article = next(content.glob("001_*.txt"))
        article.write_text(article.read_text(encoding="utf-8").replace("葵峰山上党旗扬", "葵峰山上红旗扬", 1), "utf-8")
        running.wait_for("index.html", "葵峰山上红旗扬")
        assert "葵峰山上红旗扬" in (tmp_path / "preview" / "index.html").read_text(encoding="utf-8")
        assert not (tmp_path / "site").exists()
    finally:
        running.stop()


def test_a_theme_switched_on_while_serving_is_used_and_watched(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    config = write_site_toml(tmp_path, content="content", output="site")
    running = Server(tmp_path)
    try:
        templates = tmp_path / "mytheme" / "templates"
        templates.mkdir(parents=True)
        shutil.copy(ROOT / "templates" / "404.html", templates / "404.html")
        page = templates / "404.html"
        page.write_text(page.read_text(encoding="utf-8").replace("找不到这个页面", "主题一"), "utf-8")
        config.write_text(config.read_text(encoding="utf-8") + 'theme = "mytheme"\n', encoding="utf-8")
        running.wait_for("404.html", "主题一")
        page.write_text(page.read_text(encoding="utf-8").replace("主题一", "主题二"), "utf-8")
        running.wait_for("404.html", "主题二")
    finally:
        running.stop()


def test_terminal_shows_each_error_and_warning_with_its_file(server, project):
    (project / "content" / "odd.md").write_text("---\ntitle: 标题\nlayout: x\n---\n\n正文内容。\n", "utf-8")
    server.wait_for("index.html", "标题")
    (project / "content" / "broken.md").write_bytes(b"---\n[\n---\nx")
    time.sleep(3)  # the rebuild that fails keeps the site as it was: nothing to wait for over HTTP
    server.stop()
    printed = "".join(server.lines)
    assert re.search(r"error: \S*broken\.md: invalid front matter", printed), printed
    assert re.search(r"warning: \S*odd\.md: front matter key 'layout'", printed), printed


def test_missing_page_in_serve_links_home_to_the_site_root(server, browser):
    status, _, body = server.get("no/such/page.html")
    assert status == 404 and b'<base href="/404.html">' in body
    page = browser.new_page()
    page.goto(server.url + "no/such/page.html")
    page.click("main a >> text=首页")
    page.wait_for_load_state("load")
    assert page.url == server.url + "index.html"
    traditional = page.goto(server.url + "zh-hant/missing.html")
    assert traditional.status == 404 and "找不到這個頁面" in page.inner_text("h1")
    page.close()


def test_an_edited_article_is_rendered_ahead_of_the_rebuild_then_written(tmp_path):
    """Fast render: the edited article's page (both scripts) is rendered
    from the last build's site and served from memory at once; the rebuild
    then writes it and every other page it changes, and the memory is let go."""
    from archivist.config import load_config
    from archivist.serve.preview import Preview

    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    config_path = write_site_toml(tmp_path, content="content", output="site")
    preview = Preview(lambda: load_config(config_path), load_config(config_path))
    assert preview.rebuild() is not None
    source = seed_file(tmp_path, "001")
    article = next(a for a in preview.rendered.site.corpus.articles if Path(a.path).absolute() == source.absolute())
    page = article.page_path
    source.write_text(source.read_text(encoding="utf-8").replace("葵峰山上党旗扬", "葵峰山上党旗高高扬", 1), "utf-8")
    assert preview.render_edited({source.absolute()}) == 1
    assert "葵峰山上党旗高高扬" in preview.overlay[page]
    assert "葵峯山上黨旗高高揚" in preview.overlay["zh-hant/" + page]
    assert "葵峰山上党旗高高扬" not in (tmp_path / "site" / page).read_text(encoding="utf-8")
    report = preview.rebuild()
    assert report is not None and report.changed
    assert preview.overlay == {}
    assert "葵峰山上党旗高高扬" in (tmp_path / "site" / page).read_text(encoding="utf-8")


def test_a_retitled_article_waits_for_the_rebuild(tmp_path):
    from archivist.config import load_config
    from archivist.serve.preview import Preview

    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        "---\ntitle: 原来的标题\ndate: 2024-01-02\n---\n\n广西玉林市兴业县的消息。\n", "utf-8"
    )
    config_path = write_site_toml(tmp_path, content="content", output="site")
    preview = Preview(lambda: load_config(config_path), load_config(config_path))
    preview.rebuild()
    (content / "a.md").write_text("---\ntitle: 新的标题\ndate: 2024-01-02\n---\n\n广西玉林市兴业县的消息。\n", "utf-8")
    assert preview.render_edited({(content / "a.md").absolute()}) == 0  # its slug changes: only a rebuild can move it
    assert preview.overlay == {}


def test_serve_shows_an_edit_from_memory_first(server, project):
    article = seed_file(project, "001")
    article.write_text(article.read_text(encoding="utf-8").replace("葵峰山上党旗扬", "葵峰山上党旗高高扬", 1), "utf-8")
    server.wait_for("index.html", "葵峰山上党旗高高扬")
    assert server.stop() == 0
    assert any(line.startswith("Rendered 1 edited page(s) ahead of the rebuild") for line in server.lines)
