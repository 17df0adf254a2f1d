"""Hostile input, injection, paths, crashes and concurrent builds.

The long ones (50 MB lines, 100,000 files, a server under load) are marked
``slow`` and run by ``make robustness`` (and CI), not by ``make test``.
"""

import codecs
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.ingest.normalise import normalise
from archivist.ingest.read import ReadError, read_bytes
from archivist.ingest.reading import normalise_file
from archivist.model import Article, Failure

from .conftest import ROOT, SEEDS, database_rows, run_cli, write_site_toml

PIECES = [*"党建联建乡村振兴“”‘’「」，。？！:;?!()（）|> \n\t", "\u200b", "\u200f", "\u202e", "\ufeff", "\u0301", "🎉"]
PIECES += ["\x00", "\r", "區(qū)", "?!", "\ue7c8", "€", "\x93", "当前位置:首页>>", "乡村干部报网\n微信公众号\n"]
NASTY_TEXT = st.lists(st.sampled_from(PIECES), max_size=200).map("".join)


def outcome(data: bytes, name: str = "x.txt") -> Article | Failure:
    try:
        return normalise(read_bytes(name, data))
    except ReadError as error:
        return Failure(name, str(error))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_give_an_article_or_a_clear_error(data):
    result = outcome(data)
    assert isinstance(result, Article | Failure)
    if isinstance(result, Failure):
        assert result.error


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NASTY_TEXT, st.sampled_from(["utf-8", "utf-16", "gb18030", "utf-8-sig"]))
def test_nasty_text_in_any_encoding_gives_an_article_or_a_clear_error(text, encoding):
    data = text.encode(encoding, errors="replace")
    result = outcome(data)
    assert isinstance(result, Article | Failure)
    if isinstance(result, Article):
        assert result.slug and result.slug.isascii() and "/" not in result.slug


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(max_size=12), st.recursive(st.none() | st.text(max_size=20) | st.integers(),
                        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
                        max_leaves=20), max_size=6))  # fmt: skip
def test_any_front_matter_gives_an_article_or_a_clear_error(front):
    import yaml

    data = ("---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n正文一段。\n").encode()
    assert isinstance(outcome(data, "x.md"), Article | Failure)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("truncated.txt", "标题\n\n正文内容很长".encode()[:-1]),
        ("mixed.txt", "标题\n\n".encode() + "正文".encode("gb18030") + "內容".encode("big5")),
        ("nul.txt", b"title\x00\x00\x00body"),
        ("rtl.txt", "\u202e标题\u200b\n\n\u200f正文\u0301内容🎉。\n".encode()),
        ("cp1252.txt", b"\x93Smart quotes\x94 and \x96 dashes\n\nbody text here.\n"),
        ("surrogate.md", b'---\ntitle: "\\ud800 lone"\n---\nbody\n'),
        ("nested.md", b"---\na: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nbody\n"),
        ("huge-front.md", b"---\n" + b"k: " + b"v" * 70000 + b"\n---\nbody\n"),
        ("bom-only.txt", codecs.BOM_UTF8),
    ],
)
def test_nasty_file_gives_an_article_or_an_error_naming_it(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    result = normalise_file(path)
    if isinstance(result, Failure):
        assert name in result.path and result.error


def build_project(tmp_path: Path, files: dict[str, bytes], seeds: bool = False) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    if seeds:
        for seed in SEEDS:
            shutil.copy(seed, content)
    for name, data in files.items():
        (content / name).write_bytes(data)
    return write_site_toml(tmp_path, content="content", output="site")


def test_articles_in_equal_pages_out_plus_errors(tmp_path):
    import random

    rng = random.Random(3)
    files = {f"random{n}.txt": bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) for n in range(40)}
    files |= {f"good{n}.md": f"---\ntitle: 好文章{n}\n---\n正文{n}。\n".encode() for n in range(20)}
    files["empty.txt"] = b""
    config = build_project(tmp_path, files, seeds=True)
    result = run_cli("--config", str(config), "build")
    assert result.returncode in (0, 1)
    errors = set(re.findall(r"^error: (.+?): ", result.stderr, re.MULTILINE))  # repeated after the warnings
    duplicates = re.findall(r"^warning: .*same article as", result.stderr, re.MULTILINE)
    pages = list((tmp_path / "site" / "articles").glob("*/*.html"))
    assert len(files) + len(SEEDS) == len(pages) + len(errors) + len(duplicates)


HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">&amp;&lt;'


def hostile_files() -> dict[str, bytes]:
    markdown = (
        "---\n"
        f"title: '{HOSTILE}'\n"
        f"source: '{HOSTILE}'\n"
        f"authors: [{{name: '<b onmouseover=alert(1)>x</b>', role: '<script>r</script>'}}]\n"
        f"initiatives: ['{HOSTILE}']\n"
        "slug: ../../etc/passwd\n"
        "date: 2024-01-01\n"
        "---\n\n"
        f"正文“<script>window.__pwned=1</script>工程”开展。{HOSTILE}\n\n"
        '[点我](javascript:window.__pwned=1) <a href="javascript:window.__pwned=1">链接</a>\n\n'
        '<iframe src="javascript:window.__pwned=1"></iframe><svg onload="window.__pwned=1"></svg>\n'
    )
    scraped = f"{HOSTILE}标题\n2024-02-02 10:00:00 来源:{HOSTILE}\n\n  正文“<script>x</script>模式”推行。{HOSTILE}\n"
    return {"hostile.md": markdown.encode(), "hostile.txt": scraped.encode()}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    config = build_project(folder, hostile_files(), seeds=True)
    result = run_cli("--config", str(config), "build", "-q")
    assert result.returncode == 0, result.stderr
    return folder / "site"


class MarkupAudit(HTMLParser):
    """Collects what a browser would act on: scripts with inline code, event
    handler attributes, javascript: URLs, frames and SVG.  A JSON-LD block is
    data: the text in it must stay JSON (text that closed the block early
    would leave it broken, and be parsed as markup after it)."""

    def __init__(self) -> None:
        super().__init__()
        self.findings: list[str] = []
        self.in_script = False
        self.in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_script = tag == "script"
        self.in_json_ld = self.in_script and ("type", "application/ld+json") in attrs
        if tag in ("iframe", "svg", "object", "embed"):
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"{tag} {name}=")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.findings.append(f"{tag} {name}=javascript:")

    def handle_data(self, data: str) -> None:
        if self.in_json_ld:
            try:
                json.loads(data)
            except ValueError:
                self.findings.append("broken JSON-LD")
        elif self.in_script and "pwned" in data:
            self.findings.append("inline script")

    def handle_endtag(self, tag: str) -> None:
        self.in_script = self.in_json_ld = False


def test_injected_markup_is_text_in_every_page(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    for path in pages:
        audit = MarkupAudit()
        audit.feed(path.read_text(encoding="utf-8"))
        # Our charts are inline SVG; any handler on them would show as "svg onload=".
        assert [f for f in audit.findings if f != "<svg>"] == [], (path, audit.findings)
    assert any("&lt;script&gt;window.__pwned" in p.read_text(encoding="utf-8") for p in pages)


def test_injected_markup_is_text_in_feeds_and_search_data(hostile_site):
    for feed in hostile_site.rglob("*.xml"):
        root = ET.parse(feed).getroot()
        assert not any(element.tag.split("}")[-1] in ("script", "img", "iframe") for element in root.iter()), feed
    for script in (hostile_site / "search").rglob("*.js"):
        assert "</script" not in script.read_text(encoding="utf-8").lower(), script


def test_hostile_slug_stays_inside_the_output(hostile_site):
    assert list((hostile_site / "articles").glob("*/etc-passwd.html"))
    assert not (hostile_site.parent.parent / "etc").exists()


@pytest.mark.slow  # about a minute; `make robustness` also opens every hostile page in Chromium
@pytest.mark.browser
def test_no_injected_script_runs_in_pages_or_search(hostile_site, browser):
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    targets = [*sorted(hostile_site.rglob("*.html"))]
    executed = 0
    for target in targets:
        page.goto(target.as_uri())
        executed += page.evaluate("window.__pwned === 1 ? 1 : 0")
    for query in ("script", "pwned", "正文", "img"):
        page.goto((hostile_site / "search.html").as_uri() + f"?q={query}")
        page.wait_for_timeout(300)
        executed += page.evaluate("window.__pwned === 1 ? 1 : 0")
    context.close()
    assert executed == 0 and dialogs == []
    assert len(targets) > 50


def test_symlink_out_of_content_is_refused(tmp_path):
    config = build_project(tmp_path, {}, seeds=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("标题\n\n机密内容。\n", encoding="utf-8")
    (tmp_path / "content" / "leak.txt").symlink_to(secret)
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 1 and "leak.txt" in result.stderr and "symlink" in result.stderr
    assert "机密内容" not in "".join(p.read_text("utf-8") for p in (tmp_path / "site").rglob("*.html"))


@pytest.mark.parametrize(
    "slug", ["../../etc/passwd", "/etc/passwd", "C:\\Windows\\system32", "CON", "aux", "..", "%2e%2e"]
)
def test_hostile_slug_in_front_matter_is_made_safe(tmp_path, slug):
    path = tmp_path / "a.md"
    path.write_text(f"---\ntitle: 标题\nslug: {json.dumps(slug)}\n---\n正文。\n", encoding="utf-8")
    article = normalise_file(path)
    assert isinstance(article, Article)
    assert re.fullmatch(r"[a-z0-9-]+", article.slug) and article.slug not in ("con", "aux")


def test_two_builds_at_once_are_refused_with_a_clear_message(tmp_path):
    config = build_project(tmp_path, {}, seeds=True)
    assert run_cli("--config", str(config), "build", "-q").returncode == 0
    import fcntl

    with open(tmp_path / ".site.archivist" / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_cli("--config", str(config), "build", "-q")
    assert result.returncode == 2 and "another build" in result.stderr


def snapshot(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): database_rows(p) if p.suffix == ".db" else p.read_bytes()
        for p in site.rglob("*")
        if p.is_file()
    }


# One delay in every run; the others (later in the build) with the long tests.
@pytest.mark.parametrize("delay", [0.3, *(pytest.param(d, marks=pytest.mark.slow) for d in (0.8, 1.5, 2.5))])
def test_killed_build_leaves_the_previous_site_whole_and_the_next_build_works(tmp_path, delay):
    from bench.corpus import write_corpus

    write_corpus(150, tmp_path / "content")
    config = write_site_toml(tmp_path, content="content", output="site")
    assert run_cli("--config", str(config), "build", "-q").returncode == 0
    before = snapshot(tmp_path / "site")
    for path in sorted((tmp_path / "content").iterdir())[::3]:
        path.write_text(path.read_text("utf-8").replace("推动", "推进"), "utf-8")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(config), "build", "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after_kill = snapshot(tmp_path / "site")
    interrupted_commit = (tmp_path / ".site.archivist" / "journal.json").exists()
    assert run_cli("--config", str(config), "build", "-q").returncode == 0
    final = snapshot(tmp_path / "site")
    if interrupted_commit:
        # Killed inside the commit: each file is whole, the old or the new one.
        assert all(data in (before.get(name), final.get(name)) for name, data in after_kill.items())
    else:
        assert after_kill == before or process.returncode == 0
    clean = tmp_path / "clean"
    clean.mkdir()
    clean_config = write_site_toml(clean, content=str(tmp_path / "content"), output="site")
    assert run_cli("--config", str(clean_config), "build", "-q").returncode == 0
    assert final == snapshot(clean / "site")


# --- slow: run by `make robustness` -------------------------------------------------


@pytest.mark.slow
def test_fifty_megabyte_single_line_file(tmp_path):
    path = tmp_path / "line.txt"
    path.write_bytes(("标题\n" + "党建联建，乡村振兴" * 3_000_000).encode()[:50_000_000])
    result = normalise_file(path)
    assert isinstance(result, Article | Failure)


@pytest.mark.slow
def test_hundred_thousand_tiny_files(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for n in range(100_000):
        (content / f"{n:06d}.md").write_text(f"---\ntitle: 短文{n}\n---\n第{n}篇。\n", encoding="utf-8")
    config = write_site_toml(tmp_path, content="content", output="site")
    result = run_cli("--config", str(config), "build", "-q", timeout=3600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Built 100000 articles" in result.stdout


@pytest.mark.slow
def test_preview_server_under_load_while_files_change(tmp_path):
    from .test_serve import Server

    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    write_site_toml(tmp_path, content="content", output="site")
    server = Server(tmp_path)
    stop = threading.Event()
    errors: list[str] = []
    requests = [0]

    def client(n: int) -> None:
        paths = ["index.html", "search.html", "static/style.css", "regions/index.html", "glossary/index.html"]
        while not stop.is_set():
            try:
                with urllib.request.urlopen(server.url + paths[n % len(paths)], timeout=30) as response:
                    response.read()
                    requests[0] += 1
            except (urllib.error.URLError, OSError) as error:
                errors.append(f"{paths[n % len(paths)]}: {error}")

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(200)]
    for thread in threads:
        thread.start()
    article = next(content.glob("001_*.txt"))
    deadline = time.monotonic() + 30
    edit = 0
    while time.monotonic() < deadline:
        edit += 1
        article.write_text(
            re.sub(r"葵峰山上党旗扬\d*", f"葵峰山上党旗扬{edit}", article.read_text("utf-8"), count=1), "utf-8"
        )
        time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    server.wait_for("index.html", f"葵峰山上党旗扬{edit}")
    assert server.stop() == 0
    assert errors == [] and requests[0] > 1000
    print(f"load: {requests[0]} requests from 200 clients in 30 s, {len(errors)} errors, {edit} edits")


def processes_naming(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_killed_build_leaves_no_pool_worker_behind(tmp_path):
    from bench.corpus import write_corpus

    write_corpus(150, tmp_path / "content")
    config = write_site_toml(tmp_path, content="content", output="site")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(config), "build", "-q"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while len(processes_naming(str(config))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # until the pool has started
    assert len(processes_naming(str(config))) >= 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while processes_naming(str(config)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_naming(str(config)) == []
