from __future__ import annotations

import filecmp
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from archivist.ingest.reading import normalise_file
from archivist.model import Article

# A shell that starts the tests in the background (`make test &`) makes them
# ignore Ctrl-C, and every command they start inherits that: the tests that
# stop a build or the preview server with SIGINT would wait for nothing.  A
# handler of our own is not inherited (exec resets it), the default is.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "content").glob("0*.txt"))


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def inspect_json(*paths: Path) -> list[dict]:
    result = run_cli("inspect", *map(str, paths))
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def seeds() -> dict[str, Article]:
    """The five seed articles, normalised, keyed by their number."""
    articles = {}
    for path in SEEDS:
        article = normalise_file(path)
        assert isinstance(article, Article), article
        articles[path.name[:3]] = article
    return articles


def entry_firsts(folder: Path) -> list[Path]:
    """The first pages of a bucketed list (``glossary/``, ``initiatives/``):
    one per entry, in folders of two hex digits."""
    return sorted(p for p in folder.glob("*/*.html") if re.fullmatch("[0-9a-f]{2}", p.parent.name))


def database_rows(path: Path) -> bytes:
    """A database's tables' rows, in order, without row ids or the full-text
    table's own pages: what two builds of one archive must agree on (an
    incremental build updates the database in place, so its pages differ
    from a clean build's), with the full-text table's answer to a query."""
    with closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute(
            "select name from sqlite_master where type = 'table' and name not like 'articles_fts%' order by name")]  # fmt: skip
        rows = {table: sorted(map(repr, db.execute(f"select * from {table}"))) for table in tables}
        rows["articles_fts"] = sorted(
            slug for (slug,) in db.execute(
                "select slug from articles where rowid in (select rowid from articles_fts where articles_fts match '党组织')")
        )  # fmt: skip
    return repr(rows).encode()


def same_file(one: Path, other: Path) -> bool:
    """Whether two builds wrote the same file (a database: the same rows)."""
    if one.suffix == ".db":
        return database_rows(one) == database_rows(other)
    return filecmp.cmp(one, other, shallow=False)


def write_site_toml(folder: Path, **paths: str) -> Path:
    lines = ["[paths]"] + [f'{key} = "{value}"' for key, value in paths.items()]
    config = folder / "site.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The sample content built once, for the browser tests."""
    folder = tmp_path_factory.mktemp("sample")
    config = write_site_toml(folder, content=str(ROOT / "content"), output="site")
    with config.open("a", encoding="utf-8") as handle:  # the path http_base serves it below
        handle.write('[site]\nbase_url = "https://example.org/site/"\n')
    result = run_cli("--config", str(config), "build", "-q")
    assert result.returncode == 0, result.stderr
    return folder / "site"


@pytest.fixture(scope="session")
def http_base(built_site):
    """The built site served over HTTP on a free loopback port, below a sub-path."""
    import functools
    import http.server
    import threading

    handler = functools.partial(QuietHandler, directory=str(built_site.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{built_site.name}/"
    server.shutdown()


class QuietHandler(__import__("http.server").server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=["http", "file"])
def site_url(request, built_site):
    """Base URL of the sample site, over HTTP and from file://."""
    if request.param == "http":
        return request.getfixturevalue("http_base")
    return built_site.as_uri() + "/"


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed requests."""
    context = browser.new_context()
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda m: tab.problems.append(f"console: {m.text}") if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    # A request the page's own navigation cut short (a favicon still loading
    # when a link is clicked) is not a failure; a missing file is (404, or
    # ERR_FILE_NOT_FOUND from file://).
    tab.on(
        "requestfailed",
        lambda r: None if "ERR_ABORTED" in (r.failure or "") else tab.problems.append(f"failed: {r.url} {r.failure}"),
    )
    yield tab
    context.close()


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def drop_permission_override() -> None:
    """In the child, before exec: root keeps permission checks (its
    capabilities to pass them are dropped from what the build will hold)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def run_cli_as_user(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``build.py`` with file permissions enforced, even when the tests run as root."""
    as_root = os.geteuid() == 0
    try:
        return subprocess.run(
            [sys.executable, str(ROOT / "build.py"), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=drop_permission_override if as_root else None,
        )
    except subprocess.SubprocessError as error:
        pytest.skip(f"cannot run the build without root's permission override: {error}")
