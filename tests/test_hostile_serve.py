"""The preview server and the build's entry points against hostile requests,
signals and files: bad paths, foreign Host headers, idle clients, a port out
of range, Ctrl-C and SIGTERM, a failing file, undecodable file names, and an
article whose slug changes."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from archivist.cli import make_parser
from archivist.config import load_config
from archivist.output.write import LOCK, state_dir
from archivist.serve.livereload import Broadcast
from archivist.serve.preview import Preview
from archivist.serve.server import PreviewServer, allowed_hosts, exposure_warning, make_handler
from archivist.state.state import load_state

from .conftest import ROOT, SEEDS, run_cli, write_site_toml
from .test_serve import Server


def raw_request(port: int, request: bytes, timeout: float = 5.0) -> bytes:
    """Everything the server answers to ``request`` until it closes or stays silent."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"Content-Length: " in answer:
                    head, _, body = answer.partition(b"\r\n\r\n")
                    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
                    if len(body) >= length:
                        break
        except TimeoutError:
            pass
    return answer


def get(port: int, path: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    host_line = f"Host: {host}\r\n" if host is not None else ""
    answer = raw_request(port, f"GET {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n".encode())
    assert answer, f"{path}: the connection was dropped without an answer"
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.fixture
def site(tmp_path) -> Path:
    output = tmp_path / "site"
    (output / "articles").mkdir(parents=True)
    (output / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    (output / "articles" / "a.html").write_text("<html><body>文章</body></html>", encoding="utf-8")
    return output


def start(output: Path, **options) -> tuple[PreviewServer, Broadcast, threading.Event]:
    broadcast, stopping = Broadcast(), threading.Event()
    server = PreviewServer(("127.0.0.1", 0), make_handler(output, broadcast, stopping, **options))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, broadcast, stopping


@pytest.fixture
def preview_port(site):
    server, _, stopping = start(site, idle_timeout=0.5)
    yield server.server_address[1]
    stopping.set()
    server.shutdown()
    server.server_close()


# Item 12: NUL and backslash in a request path.


@pytest.mark.parametrize("path", ["/%00", "/articles/a%00.html", "/%5c..%5csite.toml", "/articles%5ca.html"])
def test_a_nul_or_backslash_in_the_path_is_a_bad_request_and_the_server_goes_on(preview_port, path, capsys):
    status, _, body = get(preview_port, path, host="127.0.0.1")
    assert status == 400 and "文章".encode() not in body
    assert get(preview_port, "/index.html", host="127.0.0.1")[0] == 200
    assert "Traceback" not in capsys.readouterr().err


# Item 13: Host header, idle timeout, nosniff, listening beyond loopback.


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.", ""])
def test_a_foreign_host_header_is_refused(preview_port, host):
    assert get(preview_port, "/index.html", host=host)[0] in (403, 421)
    assert get(preview_port, "/__archivist/events", host=host)[0] in (403, 421)


def test_a_request_without_a_host_header_is_refused(preview_port):
    assert get(preview_port, "/index.html", host=None)[0] in (400, 403, 421)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST:8000", "127.0.0.1:{port}", "[::1]:{port}"])
def test_loopback_host_headers_are_served(preview_port, host):
    status, _, body = get(preview_port, "/index.html", host=host.format(port=preview_port))
    assert status == 200 and "首页".encode() in body


def test_the_address_given_with_host_is_accepted_too():
    assert allowed_hosts("192.168.1.20")("192.168.1.20:8000")
    assert allowed_hosts("192.168.1.20")("localhost:8000")
    assert not allowed_hosts("192.168.1.20")("evil.example")
    assert allowed_hosts("::")("[fe80::1]:8000") and allowed_hosts("0.0.0.0")("10.0.0.5")
    assert not allowed_hosts("0.0.0.0")("rebound.evil.example:8000")  # a name could be rebound; an address cannot
    assert not allowed_hosts("127.0.0.1")("10.0.0.5")


@pytest.mark.parametrize("path", ["/index.html", "/missing.html", "/%00", "/.hidden", "/__archivist/reload.js"])
def test_every_response_says_nosniff(preview_port, path):
    assert get(preview_port, path, host="localhost")[1].get("X-Content-Type-Options") == "nosniff"
    assert get(preview_port, path, host="evil.example")[1].get("X-Content-Type-Options") == "nosniff"


def test_an_idle_connection_is_closed_after_the_timeout(preview_port):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", preview_port), timeout=5) as connection:
        connection.sendall(b"GET /index.html HTTP/1.1\r\n")  # and then nothing
        while connection.recv(65536):
            pass
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.168.1.20"])
def test_listening_beyond_loopback_is_warned_of(host):
    warning = exposure_warning(host)
    assert warning is not None and "other machines" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_listening_on_loopback_is_not_warned_of(host):
    assert exposure_warning(host) is None


def test_an_empty_host_listens_on_every_interface_and_says_so(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    write_site_toml(tmp_path, content="content", output="site")
    running = Server(tmp_path, "--host", "")
    try:
        printed = "".join(running.lines)
        assert "other machines" in printed
        assert running.get("index.html")[0] == 200
    finally:
        assert running.stop() == 0


# Item 7: the port's type, Ctrl-C and SIGTERM.


@pytest.mark.parametrize("port", ["70000", "-1", "abc", "65536"])
def test_a_port_out_of_range_or_not_a_number_is_a_usage_error(port, capsys):
    with pytest.raises(SystemExit) as stopped:
        make_parser().parse_args(["serve", "--port", port])
    assert stopped.value.code == 2
    assert "--port" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["0", "8000", "65535"])
def test_a_port_in_range_is_taken(port):
    assert make_parser().parse_args(["serve", "--port", port]).port == int(port)


STALLED_BUILD = """
import sys, time
from pathlib import Path
from archivist import cli
from archivist.output import write

def stalled_commit(self):
    Path(sys.argv[1]).write_text("staged")
    time.sleep(60)

write.SiteWriter.commit = stalled_commit
sys.exit(cli.main(sys.argv[2:]))
"""


def small_project(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, content)
    return write_site_toml(tmp_path, content="content", output="site")


def site_files(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def lock_is_free(output: Path) -> bool:
    descriptor = os.open(state_dir(output) / LOCK, os.O_RDWR)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(descriptor)


def test_ctrl_c_during_a_build_prints_one_line_exits_130_and_keeps_the_last_site(tmp_path):
    config = small_project(tmp_path)
    assert run_cli("--config", str(config), "build", "-q", "--workers", "1", cwd=tmp_path).returncode == 0
    before = site_files(tmp_path / "site")
    (tmp_path / "content" / "new.md").write_text("---\ntitle: 新文章\ndate: 2024-01-02\n---\n\n正文。\n", "utf-8")
    marker = tmp_path / "staged"
    build = subprocess.Popen(
        [sys.executable, "-c", STALLED_BUILD, str(marker), "--config", str(config), "build", "-q", "--workers", "1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while not marker.exists() and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=30)
    assert build.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "interrupted" in err, err
    assert site_files(tmp_path / "site") == before
    assert lock_is_free(tmp_path / "site")


def test_sigterm_on_serve_saves_the_cache_and_stops_like_ctrl_c(tmp_path):
    small_project(tmp_path)
    running = Server(tmp_path)
    running.process.send_signal(signal.SIGTERM)
    code = running.process.wait(timeout=20)
    printed = running.process.stdout.read()
    running.process.stdout.close()
    assert code == 0 and "Traceback" not in printed and "Stopping." in printed, printed
    assert load_state(tmp_path / "site").articles  # the next build starts from it
    assert lock_is_free(tmp_path / "site")


STALLED_REBUILD = """
import sys, time
from pathlib import Path
from archivist import cli
from archivist.serve import preview

first_build = preview.build
builds = []

def stalled_after_the_first(*args, **kwargs):
    builds.append(1)
    if len(builds) > 1:
        Path(sys.argv[1]).write_text("rebuilding")
        time.sleep(60)
    return first_build(*args, **kwargs)

preview.build = stalled_after_the_first
sys.exit(cli.main(sys.argv[2:]))
"""


def test_sigterm_during_a_rebuild_stops_serve_cleanly(tmp_path):
    config = small_project(tmp_path)
    marker = tmp_path / "rebuilding"
    command = [sys.executable, "-c", STALLED_REBUILD, str(marker), "--config", str(config), "serve", "--port", "0"]
    running = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        while "Ctrl-C to stop" not in running.stdout.readline():
            assert running.poll() is None
        (tmp_path / "content" / "new.md").write_text("---\ntitle: 新\ndate: 2024-01-02\n---\n\n正文。\n", "utf-8")
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        running.send_signal(signal.SIGTERM)
        code = running.wait(timeout=20)
        printed = running.stdout.read()
    finally:
        if running.poll() is None:
            running.kill()
            running.wait()
        running.stdout.close()
    assert code == 0 and "Stopping." in printed and "Traceback" not in printed, printed
    assert load_state(tmp_path / "site").articles
    assert lock_is_free(tmp_path / "site")


def test_ctrl_c_on_serve_prints_one_line(tmp_path):
    small_project(tmp_path)
    running = Server(tmp_path)
    assert running.stop() == 0
    after = "".join(running.lines).split("(Ctrl-C to stop)", 1)[1]
    assert after.strip() == "Stopping.", after


# Item 14: a failing file never holds back the others.


def preview_of(tmp_path: Path) -> Preview:
    config_path = small_project(tmp_path)
    return Preview(lambda: load_config(config_path), load_config(config_path))


def page_of(preview: Preview, name: str) -> str:
    assert preview.rendered is not None
    return next(a.page_path for a in preview.rendered.site.corpus.articles if Path(a.path).name == name)


def test_a_failing_draft_does_not_hold_back_new_and_edited_articles(tmp_path):
    preview = preview_of(tmp_path)
    assert preview.rebuild() is not None
    content = tmp_path / "content"
    (content / "typo.md").write_text("---\ntitle: 草稿\ndate: 2024-13-45\n---\n\n正文。\n", "utf-8")
    assert preview.rebuild() is not None
    (content / "later.md").write_text("---\ntitle: 后来的文章\ndate: 2024-02-03\n---\n\n广西玉林市的消息。\n", "utf-8")
    report = preview.rebuild()
    assert report is not None and report.changed and report.errors == 1
    assert "后来的文章" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    (content / "later.md").write_text("---\ntitle: 后来的文章\ndate: 2024-02-03\n---\n\n改过的正文。\n", "utf-8")
    preview.rebuild()
    assert "改过的正文" in (tmp_path / "site" / page_of(preview, "later.md")).read_text(encoding="utf-8")


def test_an_article_that_breaks_keeps_its_last_good_page_while_the_others_go_on(tmp_path):
    preview = preview_of(tmp_path)
    preview.rebuild()
    first = next((tmp_path / "content").glob("001_*.txt"))
    page = tmp_path / "site" / page_of(preview, first.name)
    good_page = page.read_bytes()
    first.write_bytes(b"\x00\x01binary junk")
    (tmp_path / "content" / "later.md").write_text("---\ntitle: 同时新增\ndate: 2024-02-03\n---\n\n正文。\n", "utf-8")
    report = preview.rebuild()
    assert report is not None and report.errors == 1
    assert page.read_bytes() == good_page
    assert "同时新增" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


# Item 1 (serve): a file name that is not UTF-8.


def read_event(stream, name: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    event = None
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            raise AssertionError("the event stream closed")
        line = line.decode("utf-8").rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: ") and event == name:
            return json.loads(line[len("data: ") :])
    raise AssertionError(f"no {name} event")


def test_a_file_name_that_is_not_utf8_does_not_break_the_event_stream_or_the_server(tmp_path, monkeypatch):
    import urllib.request

    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.delenv("PYTHONIOENCODING", raising=False)
    small_project(tmp_path)
    gbk_name = "广西".encode("gbk") + b".md"
    with open(os.path.join(os.fsencode(tmp_path / "content"), gbk_name), "wb") as handle:
        handle.write(b"---\n[\n---\nx")  # fails: its error names the file
    running = Server(tmp_path)
    try:
        with urllib.request.urlopen(running.url + "__archivist/events", timeout=30) as stream:
            failed = read_event(stream, "failed")
            (path,) = [error["path"] for error in failed["errors"]]
            assert not Path(path).is_absolute() and str(tmp_path) not in json.dumps(failed)
            assert path.startswith("content/") and path.endswith(".md")
            (tmp_path / "content" / "later.md").write_text(
                "---\ntitle: 后来\ndate: 2024-02-03\n---\n\n正文。\n", "utf-8"
            )
            read_event(stream, "reload")  # the stream lives on
        running.wait_for("index.html", "后来")
    finally:
        assert running.stop() == 0
    assert "Traceback" not in "".join(running.lines)


# Item 15: an article whose slug changes is followed, in the preview and in built sites.


def retitled_project(tmp_path: Path) -> tuple[Path, Path]:
    content = tmp_path / "content"
    content.mkdir()
    article = content / "a.md"
    article.write_text("---\ntitle: 原来的标题\ndate: 2024-01-02\n---\n\n广西玉林市兴业县的消息。\n", "utf-8")
    return write_site_toml(tmp_path, content="content", output="site"), article


def retitle(article: Path) -> None:
    article.write_text("---\ntitle: 新的标题\ndate: 2024-01-02\n---\n\n广西玉林市兴业县的消息。\n", "utf-8")


def test_the_reload_event_carries_an_article_s_move_to_its_new_address(tmp_path):
    config_path, article = retitled_project(tmp_path)
    preview = Preview(lambda: load_config(config_path), load_config(config_path))
    preview.rebuild()
    old = page_of(preview, "a.md")
    mailbox = preview.broadcast.subscribe()
    retitle(article)
    preview.rebuild()
    new = page_of(preview, "a.md")
    assert new != old
    reloads = []
    while not mailbox.empty():
        event, data = mailbox.get_nowait()
        if event == "reload":
            reloads.append(data)
    assert reloads and reloads[-1]["moved"]["/" + old] == "/" + new
    assert reloads[-1]["moved"]["/zh-hant/" + old] == "/zh-hant/" + new


def build_twice_with_a_retitle(tmp_path: Path) -> tuple[Path, str, str]:
    from archivist.pipeline import build

    config_path, article = retitled_project(tmp_path)
    corpus, _ = build(load_config(config_path))
    old = corpus.articles[0].page_path
    retitle(article)
    corpus, _ = build(load_config(config_path))
    return tmp_path / "site", old, corpus.articles[0].page_path


def test_a_built_site_keeps_a_redirect_page_at_an_article_s_old_address(tmp_path):
    output, old, new = build_twice_with_a_retitle(tmp_path)
    base_url = load_config(tmp_path / "site.toml").base_url
    for prefix in ("", "zh-hant/"):
        page = (output / prefix / old).read_text(encoding="utf-8")
        target = os.path.relpath(prefix + new, os.path.dirname(prefix + old))
        assert f'<meta http-equiv="refresh" content="0; url={target}">' in page
        assert f'<a href="{target}">' in page
        assert f'<link rel="canonical" href="{base_url + prefix + new if base_url else target}">' in page
    assert "新的标题" in (output / new).read_text(encoding="utf-8")


def test_the_redirect_outlives_later_builds_and_a_new_article_at_the_old_address_wins(tmp_path):
    from archivist.pipeline import build

    output, old, new = build_twice_with_a_retitle(tmp_path)
    config = load_config(tmp_path / "site.toml")
    build(config)
    assert "http-equiv" in (output / old).read_text(encoding="utf-8")
    (tmp_path / "content" / "b.md").write_text(
        "---\ntitle: 原来的标题\ndate: 2024-01-02\n---\n\n另一篇文章占了旧地址。\n", "utf-8"
    )
    corpus, _ = build(config)
    assert {a.page_path for a in corpus.articles} == {old, new}
    taken = (output / old).read_text(encoding="utf-8")
    assert "另一篇文章占了旧地址" in taken and "http-equiv" not in taken


def test_the_redirect_comes_back_after_a_build_in_which_its_article_failed(tmp_path):
    from archivist.pipeline import build

    output, old, _ = build_twice_with_a_retitle(tmp_path)
    article = tmp_path / "content" / "a.md"
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("date: 2024-01-02", "date: 2024-13-45"), encoding="utf-8")
    corpus, _ = build(load_config(tmp_path / "site.toml"))
    assert corpus.failures and not (output / old).exists()  # no article, no redirect to it
    article.write_text(good, encoding="utf-8")
    build(load_config(tmp_path / "site.toml"))
    assert "http-equiv" in (output / old).read_text(encoding="utf-8")


def test_the_redirect_stays_when_the_build_runs_from_another_folder(tmp_path, monkeypatch):
    from archivist.pipeline import build

    monkeypatch.chdir(tmp_path)  # the project's folder: files known as content/a.md
    output, old, _ = build_twice_with_a_retitle(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    build(load_config(tmp_path / "site.toml"))
    assert "http-equiv" in (output / old).read_text(encoding="utf-8")


def test_front_matter_aliases_become_redirect_pages_inside_the_site(tmp_path):
    from archivist.pipeline import build

    config_path, article = retitled_project(tmp_path)
    article.write_text(
        "---\ntitle: 原来的标题\ndate: 2024-01-02\naliases: [/old/url/, legacy.html, ../../outside, /index.html, "
        "zh-hant/x.html, /index.html/below.html]\n---\n\n广西玉林市兴业县的消息。\n",
        "utf-8",
    )
    corpus, _ = build(load_config(config_path))
    output = tmp_path / "site"
    new = corpus.articles[0].page_path
    assert "url=../../" + new in (output / "old" / "url" / "index.html").read_text(encoding="utf-8")
    assert "url=" + new in (output / "legacy.html").read_text(encoding="utf-8")
    assert "url=" + new in (output / "zh-hant" / "legacy.html").read_text(encoding="utf-8")  # zh-hant/ + new
    assert "http-equiv" not in (output / "index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "outside.html").exists() and not (output / "zh-hant" / "x.html").exists()
    warnings = " ".join(corpus.articles[0].warnings)
    assert "'../../outside' is not a path inside the site" in warnings and "zh-hant/x.html" in warnings


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_a_redirect_page_takes_the_browser_to_the_article(tmp_path, browser, scheme):
    import functools
    import http.server

    from .conftest import QuietHandler

    output, old, new = build_twice_with_a_retitle(tmp_path)
    server = None
    if scheme == "http":
        handler = functools.partial(QuietHandler, directory=str(output))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
    else:
        base = output.as_uri() + "/"
    page = browser.new_page()
    try:
        for prefix in ("", "zh-hant/"):
            page.goto(base + prefix + old)
            page.wait_for_url(base + prefix + new, timeout=10000)
            page.wait_for_selector("h1")
            assert ("新的标题" if not prefix else "新的標題") in page.inner_text("h1")
    finally:
        page.close()
        if server is not None:
            server.shutdown()
            server.server_close()


def test_an_open_preview_tab_follows_its_article_to_the_new_address(tmp_path, browser):
    _, article = retitled_project(tmp_path)
    running = Server(tmp_path)
    page = browser.new_page()
    try:
        (old,) = (tmp_path / "site" / "articles" / "2024").glob("*.html")
        page.goto(running.url + f"articles/2024/{old.name}")
        page.wait_for_selector("h1")
        retitle(article)
        page.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').innerText.includes('新的标题')"
        )
        assert page.url != running.url + f"articles/2024/{old.name}"
        assert Path(tmp_path / "site" / page.url.removeprefix(running.url)).is_file()
    finally:
        page.close()
        running.stop()
