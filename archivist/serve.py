"""``build.py serve``: build, serve the output on loopback, watch the sources,
rebuild what changed and reload the open browser.

The server only calls the build; what it adds is a watcher that coalesces
bursts of file events into one rebuild, an event stream (server-sent events)
that tells pages to reload or to show a build error, and a small script it
injects into HTML responses (the files on disk stay exactly what ``build``
writes).
"""

from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import os
import queue
import re
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .cache import BuildCache, load_cache, save_cache
from .config import ConfigError, SiteConfig
from .index import SearchAssetError
from .model import Article, Corpus, Failure
from .pipeline import BuildReport, build
from .reading import normalise_file
from .render import TRADITIONAL_DIR, Rendered, RenderError
from .write import OutputError

EVENTS_PATH = "/__archivist/events"
CLIENT_PATH = "/__archivist/reload.js"
QUIET_SECONDS = 0.25  # a burst ends when no event came for this long
FAST_RENDER_QUIET = 0.03  # an edited article's page is rendered once its file is this quiet
MAX_WAIT_SECONDS = 2.0  # ... or when it has lasted this long
IDLE_TIMEOUT = 30.0  # seconds a connection may stay silent (slow clients must not hold threads forever)
WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # listening on every interface
# No file of the site has these in its name: a NUL, a control character or a backslash is a malformed request.
UNSERVABLE = re.compile(r"[\x00-\x1f\x7f\\]")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}

CLIENT_SCRIPT = """(function () {
  "use strict";
  var key = "archivist-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var y = parseInt(saved, 10);
    window.scrollTo(0, y);
    window.addEventListener("load", function () { window.scrollTo(0, y); });
  }
  function overlay(report) {
    var box = document.getElementById("archivist-overlay");
    if (!report) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "archivist-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:99999;max-height:50vh;overflow:auto;" +
        "background:#2b0b0b;color:#fff;font:14px/1.5 monospace;padding:1rem;border-radius:8px;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "构建出错（显示的是上一次成功的版本）\\n\\n" + report.errors.map(function (e) {
      return e.path + "\\n  " + e.error;
    }).join("\\n");
  }
  var source = new EventSource("/__archivist/events");
  source.addEventListener("reload", function (event) {
    var moved = (JSON.parse(event.data).moved || {})[location.pathname];
    if (moved) { location.replace(moved + location.hash); return; }  // the article's slug changed: follow it
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  });
  source.addEventListener("failed", function (event) { overlay(JSON.parse(event.data)); });
  source.addEventListener("ok", function () { overlay(null); });
})();
"""


@dataclass
class Broadcast:
    """Build outcomes, fanned out to every connected page."""

    listeners: list[queue.Queue] = field(default_factory=list)
    last_failure: dict | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0

    def subscribe(self) -> queue.Queue:
        mailbox: queue.Queue = queue.Queue()
        with self.lock:
            self.listeners.append(mailbox)
            if self.last_failure:
                mailbox.put(("failed", self.last_failure))
        return mailbox

    def unsubscribe(self, mailbox: queue.Queue) -> None:
        with self.lock:
            if mailbox in self.listeners:
                self.listeners.remove(mailbox)

    def send(self, event: str, data: dict) -> None:
        with self.lock:
            self.last_failure = data if event == "failed" else None
            if event == "reload":
                self.generation += 1
            for mailbox in self.listeners:
                mailbox.put((event, data))


def host_name(header: str) -> str:
    """The name or address a Host header (or ``--host``) gives, without port
    or brackets, in lower case."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


def is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(listen_host: str) -> Callable[[str], bool]:
    """Which Host headers the preview answers: loopback names and addresses,
    and the address ``--host`` names.  A page on another site whose name was
    rebound to this machine's address (DNS rebinding) sends its own name and
    is refused; listening on every interface, any address is accepted, but
    still no name but ``localhost`` and this machine's."""
    listening = host_name(listen_host)
    everywhere = listen_host in WILDCARD_HOSTS
    names = {"localhost", listening} | ({socket.gethostname().lower()} if everywhere else set())

    def accepts(header: str) -> bool:
        name = host_name(header)
        if not name:
            return False
        if name in names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return everywhere or address.is_loopback

    return accepts


def exposure_warning(host: str) -> str | None:
    """What to tell the user who listens beyond loopback, or None."""
    if host in WILDCARD_HOSTS:
        return (
            "warning: listening on every network interface: the preview is reachable from other machines "
            "(use --host 127.0.0.1 to keep it on this one)"
        )
    if is_loopback(host_name(host) or host):
        return None
    return f"warning: listening on {host}: the preview is reachable from other machines on that network"


def make_handler(
    root: Path,
    broadcast: Broadcast,
    stopping: threading.Event,
    overlay: dict[str, str] | None = None,
    accepts_host: Callable[[str], bool] | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
) -> type[SimpleHTTPRequestHandler]:
    """``overlay``: pages rendered in memory since the last build, by output
    path, served instead of their files until the rebuild writes them.
    ``accepts_host``: which Host headers are answered (default: loopback)."""
    root = root.resolve()
    overlay = {} if overlay is None else overlay
    accepts_host = accepts_host or allowed_hosts("127.0.0.1")

    class PreviewHandler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = idle_timeout  # set on the socket: a silent client is let go

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def end_headers(self) -> None:
            # Every response, errors included: a browser must not guess a type.
            self.send_header("X-Content-Type-Options", "nosniff")
            super().end_headers()

        def host_refused(self) -> bool:
            """Answer 403 to a Host this server is not (DNS rebinding)."""
            hosts = self.headers.get_all("Host") or []
            if len(hosts) == 1 and accepts_host(hosts[0]):
                return False
            self.close_connection = True
            self.send_body(b"Forbidden: unknown Host\n", "text/plain; charset=utf-8", HTTPStatus.FORBIDDEN)
            return True

        def request_parts(self) -> list[str] | None:
            """The request path's segments, or None when malformed (a NUL, a
            control character, a backslash)."""
            path = unquote(urlsplit(self.path).path)
            if UNSERVABLE.search(path):
                return None
            return [p for p in path.split("/") if p]

        def safe_path(self, parts: list[str]) -> Path | None:
            """The file a request names, or None when it would leave the
            output folder (``..``, ``%2e%2e``, a symlink out) or is hidden."""
            if any(p in (".", "..") or p.startswith(".") for p in parts):
                return None
            target = root.joinpath(*parts)
            try:
                resolved = target.resolve(strict=True)
            except (OSError, RuntimeError, ValueError):
                return target  # missing: a 404, not a refusal
            if resolved != root and root not in resolved.parents:
                return None
            if resolved.is_dir():
                index = resolved / "index.html"
                return index if index.is_file() else None
            return resolved

        def do_GET(self) -> None:
            if self.host_refused():
                return
            route = urlsplit(self.path).path
            if route == EVENTS_PATH:
                self.stream_events()
            elif route == CLIENT_PATH:
                self.send_body(CLIENT_SCRIPT.encode(), CONTENT_TYPES[".js"])
            else:
                self.send_file(head_only=False)

        def do_HEAD(self) -> None:
            if not self.host_refused():
                self.send_file(head_only=True)

        def send_body(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def send_file(self, head_only: bool) -> None:
            fresh = overlay.get(unquote(urlsplit(self.path).path).lstrip("/"))
            if fresh is not None:
                self.send_body(inject(fresh.encode()), CONTENT_TYPES[".html"])
                return
            parts = self.request_parts()
            if parts is None:
                self.send_body(b"Bad request\n", "text/plain; charset=utf-8", HTTPStatus.BAD_REQUEST)
                return
            target = self.safe_path(parts)
            if target is None:
                self.send_body(b"Forbidden\n", "text/plain; charset=utf-8", HTTPStatus.FORBIDDEN)
                return
            if not target.is_file():
                self.send_body(self.not_found_page(), CONTENT_TYPES[".html"], HTTPStatus.NOT_FOUND)
                return
            body = target.read_bytes()
            content_type = CONTENT_TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
            if target.suffix == ".html":
                body = inject(body)
            self.send_body(body, content_type or "application/octet-stream")

        def not_found_page(self) -> bytes:
            """The site's own 404 page, in the script of the missing path; a
            ``<base>`` makes its relative links start where the file lives."""
            traditional = urlsplit(self.path).path.startswith("/zh-hant/")
            name = "zh-hant/404.html" if traditional else "404.html"
            page = root / name
            if not page.is_file():
                return b"Not found\n"
            html = page.read_bytes()
            head = html.find(b"<head>")
            if head >= 0:
                html = html[: head + 6] + f'<base href="/{name}">'.encode() + html[head + 6 :]
            return inject(html)

        def stream_events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            mailbox = broadcast.subscribe()
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while not stopping.is_set():
                    try:
                        event, data = mailbox.get(timeout=1.0)
                    except queue.Empty:
                        self.wfile.write(b": keep-alive\n\n")
                    else:
                        # ASCII JSON: a text that does not encode (an undecodable file name) cannot end the stream.
                        self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
            except OSError:  # the page went away, or stopped reading
                pass
            finally:
                broadcast.unsubscribe(mailbox)

    return PreviewHandler


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections when many clients arrive
    # at once; their retries back off for seconds.
    request_queue_size = 512

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that went away or stayed silent: nothing to report
        super().handle_error(request, client_address)


class PreviewServer6(PreviewServer):
    address_family = socket.AF_INET6


def inject(html: bytes) -> bytes:
    tag = f'<script src="{CLIENT_PATH}"></script>'.encode()
    position = html.rfind(b"</body>")
    return html[:position] + tag + html[position:] if position >= 0 else html + tag


class Changes(FileSystemEventHandler):
    """Remembers that a watched file changed, and when; the rebuild loop
    decides when a burst is over."""

    def __init__(self, folders: list[Path], files: list[Path], output: Path) -> None:
        self.folders = folders
        self.files = set(files)
        self.output = output.resolve()
        self.first: float | None = None
        self.last = 0.0
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.paths: set[Path] = set()  # changed since the last take_paths()

    def relevant(self, raw: str | bytes) -> bool:
        if not raw:
            return False
        path = Path(os.fsdecode(raw)).absolute()
        if path == self.output or self.output in path.parents:
            return False  # our own output
        return path in self.files or any(folder == path or folder in path.parents for folder in self.folders)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if not (self.relevant(event.src_path) or self.relevant(getattr(event, "dest_path", "") or "")):
            return
        with self.lock:
            now = time.monotonic()
            self.first = self.first or now
            self.last = now
            for raw in (event.src_path, getattr(event, "dest_path", "")):
                if raw:
                    self.paths.add(Path(os.fsdecode(raw)).absolute())
        self.wake.set()

    def take_paths(self, quiet: float) -> set[Path]:
        """The files changed, once no event came for ``quiet`` seconds."""
        with self.lock:
            if not self.paths or time.monotonic() - self.last < quiet:
                return set()
            taken, self.paths = self.paths, set()
            return taken

    def burst_over(self) -> bool:
        with self.lock:
            if self.first is None:
                return False
            now = time.monotonic()
            if now - self.last >= QUIET_SECONDS or now - self.first >= MAX_WAIT_SECONDS:
                self.first = None
                return True
            return False


@dataclass
class Preview:
    """A preview session: how to read the settings, the build cache, and what
    the terminal was last told."""

    load: Callable[[], SiteConfig]  # the settings file with the command line's folders on top
    config: SiteConfig
    broadcast: Broadcast = field(default_factory=Broadcast)
    cache: BuildCache = field(default_factory=BuildCache)
    builds: int = 0
    printed: set[str] = field(default_factory=set)
    # Told the settings before each build, so that new folders are watched
    # before the build reads them (an edit during the build is not missed).
    on_settings: Callable[[SiteConfig], None] = lambda config: None
    rendered: Rendered | None = None  # what the last build rendered from
    overlay: dict[str, str] = field(default_factory=dict)  # pages rendered since, by output path
    published: dict[str, Article] = field(default_factory=dict)  # the last build's articles, by file

    @property
    def project(self) -> Path:
        return self.config.content_dir.parent

    def retain(self, rendered: Rendered) -> None:
        self.rendered = rendered

    def render_edited(self, paths: set[Path]) -> int:
        """Fast render: an edited article's page, rendered at once from the
        site as last built and served from memory, before the rebuild that
        brings every other page up to date (and writes this one).  Anything
        but an edit that keeps the article's slug waits for the rebuild."""
        rendered = self.rendered
        if rendered is None:
            return 0
        by_path = {Path(a.path).absolute(): a for a in rendered.site.corpus.articles}
        count = 0
        for path in sorted(paths):
            old = by_path.get(path)
            if old is None or not path.is_file():
                continue
            # Read as the build reads: inside the content folder, not through a link swapped in since.
            config = rendered.config
            article = normalise_file(
                path,
                rendered.site.corpus.editorial,
                root=config.content_dir,
                max_bytes=config.max_input_bytes,
                file_timeout=config.file_timeout,
            )
            if isinstance(article, Failure) or article.draft or article.slug != old.slug:
                continue
            try:
                pages = rendered.article_page(article)
            except RenderError:
                continue  # the rebuild reports it
            if pages:
                self.overlay.update(pages)
                count += 1
        if count:
            self.broadcast.send("reload", {"changed": count})
        return count

    def rebuild(self) -> BuildReport | None:
        """One build; a file that newly fails keeps the last good site and
        shows the error in the browser instead."""
        addresses = {path: article.page_path for path, article in self.published.items()}
        try:
            if self.builds:
                self.config = self.load()
            self.on_settings(self.config)
            # Pages are rendered in this process: the server's own threads
            # are running, and a forked worker would copy their locks.
            # A preview rebuilds a few files: a cluster would cost more to start than it saves.
            corpus, report = build(
                replace(self.config, scheduler=""),
                build_cache=self.cache,
                stand_in=self.stand_in,
                retain=self.retain,
                render_here=True,
            )
        except (ConfigError, OutputError, RenderError, SearchAssetError) as error:
            self.show_failure(str(error))
            print(printable(f"error: {error}"), flush=True)
            return None
        except Exception as error:  # a bug of ours: keep serving, say what happened
            self.show_failure(f"{type(error).__name__}: {error}")
            traceback.print_exc()
            return None
        finally:
            rendered_ahead = bool(self.overlay)
            self.overlay.clear()  # what is served is what the output folder holds
        self.builds += 1
        self.print_new_messages(corpus)
        errors = [
            {"path": shown_path(f.path, self.project), "error": shown_text(f.error, self.project)}
            for f in corpus.failures
        ]
        if report.changed or report.removed or rendered_ahead:
            self.broadcast.send("reload", {"changed": report.changed, "moved": self.moved_since(addresses)})
        if errors:
            self.broadcast.send("failed", {"errors": errors})
        else:
            self.broadcast.send("ok", {})
        return report

    def moved_since(self, addresses: dict[str, str]) -> dict[str, str]:
        """Old URL path -> new, both scripts, of each article whose address
        changed (as a browser's ``location.pathname`` spells them)."""
        moved = {}
        for path, article in self.published.items():
            before = addresses.get(path)
            if before is not None and before != article.page_path:
                for prefix in ("/", "/" + TRADITIONAL_DIR):
                    moved[quote(prefix + before)] = quote(prefix + article.page_path)
        return moved

    def show_failure(self, message: str) -> None:
        self.broadcast.send("failed", {"errors": [{"path": "build", "error": shown_text(message, self.project)}]})

    def print_new_messages(self, corpus: Corpus) -> None:
        """Each error and warning with its file, as ``build`` prints them;
        on a rebuild only those the terminal has not shown yet."""
        messages = [*corpus.errors(), *corpus.warnings()]
        for line in messages:
            if line not in self.printed:
                print(printable(line), flush=True)
        self.printed = set(messages)

    def stand_in(self, corpus: Corpus) -> None:
        """A file that fails now but was published before keeps its last good
        article, so a broken edit does not take its page away (its error is
        still reported); every other file is built as it is now.  Not when
        another article has taken its address since."""
        addresses = {article.page_path for article in corpus.articles}
        for failure in corpus.failures:
            last_good = self.published.get(failure.path)
            if last_good is not None and last_good.page_path not in addresses:
                corpus.articles.append(last_good)
                addresses.add(last_good.page_path)
        corpus.articles.sort(key=lambda article: article.path)
        self.published = {article.path: article for article in corpus.articles}


def printable(text: str) -> str:
    """Text that encodes as UTF-8 wherever it goes (terminal, JSON): the bytes
    of a file name that is not UTF-8, kept by ``os.fsdecode`` as lone
    surrogates, shown as ``\\xNN``."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return data.decode("utf-8", "backslashreplace")


def shown_path(path: str, project: Path) -> str:
    """A file as the browser is told of it: relative to the project (a page
    need not learn where it lives on this machine), printable."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(project.absolute())
        except ValueError:
            candidate = Path(candidate.name)
    return printable(candidate.as_posix())


def shown_text(message: str, project: Path) -> str:
    """A message for the browser, the project's own location left out."""
    return printable(message.replace(str(project.absolute()) + os.sep, ""))


def watched_folders(config: SiteConfig) -> list[Path]:
    folders = [config.content_dir, *config.template_dirs, *config.static_dirs]
    return list(dict.fromkeys(f.absolute() for f in folders if f.is_dir()))


@dataclass
class Watcher:
    """The folders being watched; a theme or content folder that the
    settings name after an edit is watched from then on."""

    observer: Any
    changes: Changes
    scheduled: set[Path] = field(default_factory=set)

    def follow(self, config: SiteConfig) -> None:
        for folder in watched_folders(config):
            if folder not in self.scheduled:
                self.scheduled.add(folder)
                self.changes.folders.append(folder)
                self.observer.schedule(self.changes, str(folder), recursive=True)


def listen(host: str, port: int, handler: type[SimpleHTTPRequestHandler]) -> PreviewServer:
    server_class = PreviewServer6 if ":" in host else PreviewServer
    try:
        return server_class((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is in use; stop what uses it or choose another with --port"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


def browser_url(host: str, port: int) -> str:
    """Where to open the preview (this machine's loopback when listening on every interface)."""
    if host in WILDCARD_HOSTS:
        host = "::1" if ":" in host else "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class Stop(BaseException):
    """SIGTERM: stop as Ctrl-C does (like KeyboardInterrupt, not caught
    where a failed rebuild is)."""


def stop_on_sigterm(signum: int, frame: object) -> None:
    raise Stop


def serve(load: Callable[[], SiteConfig], config_path: Path | None, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until Ctrl-C.  Settings errors before the first build raise
    ConfigError (the command line exits 2)."""
    config = load()
    stopping = threading.Event()
    # The last build's cache, when it is there: the first build is then as
    # quick as an incremental one.
    preview = Preview(load, config, cache=load_cache(config.output_dir, in_memory=True))
    # The output folder is served as it was when the server started.
    handler = make_handler(config.output_dir, preview.broadcast, stopping, preview.overlay, allowed_hosts(host))
    server = listen(host, port, handler)
    warning = exposure_warning(host)
    if warning:
        print(warning, flush=True)
    signal.signal(signal.SIGTERM, stop_on_sigterm)  # a service manager's stop: save the cache as Ctrl-C does
    observer = Observer()
    serving = False
    files = [config_path.absolute()] if config_path is not None else []
    changes = Changes([], files, config.output_dir)
    preview.on_settings = Watcher(observer, changes).follow
    try:
        for file in files:
            observer.schedule(changes, str(file.parent), recursive=False)
        observer.start()
        report = preview.rebuild()
        if report is not None:
            print(printable(report.summary()), flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        serving = True
        url = browser_url(host, server.server_address[1])
        print(printable(f"Serving {config.output_dir} at {url} (Ctrl-C to stop)"), flush=True)
        while True:
            changes.wake.wait(timeout=0.02)
            edited = changes.take_paths(quiet=FAST_RENDER_QUIET)
            rendered = preview.render_edited(edited) if edited else 0
            if rendered:
                print(f"Rendered {rendered} edited page(s) ahead of the rebuild", flush=True)
            if changes.burst_over():
                changes.wake.clear()
                started = time.perf_counter()
                report = preview.rebuild()
                if report is not None:
                    seconds = time.perf_counter() - started
                    print(printable(f"Rebuilt in {seconds:.2f} s: {report.summary()}"), flush=True)
    except (KeyboardInterrupt, Stop):
        print("Stopping.", flush=True)
    finally:
        # A second Ctrl-C or SIGTERM must not cut the cache's saving short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stopping.set()
        if preview.cache.dirty and preview.builds:
            save_cache(preview.config.output_dir, preview.cache)  # the next build goes on from here
        if observer.is_alive():
            observer.stop()
            observer.join(timeout=5)
        if serving:
            server.shutdown()
        server.server_close()
    return 0
