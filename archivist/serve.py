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
import json
import mimetypes
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .cache import BuildCache, load_cache, save_cache
from .config import ConfigError, SiteConfig
from .index import SearchAssetError
from .model import Corpus, Failure
from .pipeline import BuildReport, build, normalise_file
from .render import Rendered, RenderError
from .write import OutputError

EVENTS_PATH = "/__archivist/events"
CLIENT_PATH = "/__archivist/reload.js"
QUIET_SECONDS = 0.25  # a burst ends when no event came for this long
FAST_RENDER_QUIET = 0.03  # an edited article's page is rendered once its file is this quiet
MAX_WAIT_SECONDS = 2.0  # ... or when it has lasted this long
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
  source.addEventListener("reload", function () {
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


def make_handler(
    root: Path, broadcast: Broadcast, stopping: threading.Event, overlay: dict[str, str] | None = None
) -> type[SimpleHTTPRequestHandler]:
    """``overlay``: pages rendered in memory since the last build, by output
    path, served instead of their files until the rebuild writes them."""
    root = root.resolve()
    overlay = {} if overlay is None else overlay

    class PreviewHandler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def safe_path(self) -> Path | None:
            """The file a request names, or None when it would leave the
            output folder (``..``, ``%2e%2e``, a symlink out) or is hidden."""
            path = unquote(urlsplit(self.path).path)
            parts = [p for p in path.split("/") if p]
            if any(p in (".", "..") or p.startswith(".") or "\\\\" in p or "\\x00" in p for p in parts):
                return None
            target = root.joinpath(*parts)
            try:
                resolved = target.resolve(strict=True)
            except (OSError, RuntimeError):
                return target  # missing: a 404, not a refusal
            if resolved != root and root not in resolved.parents:
                return None
            if resolved.is_dir():
                index = resolved / "index.html"
                return index if index.is_file() else None
            return resolved

        def do_GET(self) -> None:
            route = urlsplit(self.path).path
            if route == EVENTS_PATH:
                self.stream_events()
            elif route == CLIENT_PATH:
                self.send_body(CLIENT_SCRIPT.encode(), CONTENT_TYPES[".js"])
            else:
                self.send_file(head_only=False)

        def do_HEAD(self) -> None:
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
            target = self.safe_path()
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
                        self.wfile.write(f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                broadcast.unsubscribe(mailbox)

    return PreviewHandler


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops connections when many clients arrive
    # at once; their retries back off for seconds.
    request_queue_size = 512


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
    committed_failures: set[str] = field(default_factory=set)
    builds: int = 0
    printed: set[str] = field(default_factory=set)
    # Told the settings before each build, so that new folders are watched
    # before the build reads them (an edit during the build is not missed).
    on_settings: Callable[[SiteConfig], None] = lambda config: None
    rendered: Rendered | None = None  # what the last build rendered from
    overlay: dict[str, str] = field(default_factory=dict)  # pages rendered since, by output path

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
                path, rendered.site.corpus.editorial, root=config.content_dir, max_bytes=config.max_input_bytes
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
                accept=self.accept,
                retain=self.retain,
                fork_renders=False,
            )
        except (ConfigError, OutputError, RenderError, SearchAssetError) as error:
            self.show_failure(str(error))
            print(f"error: {error}", flush=True)
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
        errors = [{"path": f.path, "error": f.error} for f in corpus.failures]
        if report.changed or report.removed or rendered_ahead:
            self.broadcast.send("reload", {"changed": report.changed})
        if errors:
            self.broadcast.send("failed", {"errors": errors})
        else:
            self.broadcast.send("ok", {})
        return report

    def show_failure(self, message: str) -> None:
        self.broadcast.send("failed", {"errors": [{"path": "build", "error": message}]})

    def print_new_messages(self, corpus: Corpus) -> None:
        """Each error and warning with its file, as ``build`` prints them;
        on a rebuild only those the terminal has not shown yet."""
        messages = [*corpus.errors(), *corpus.warnings()]
        for line in messages:
            if line not in self.printed:
                print(line, flush=True)
        self.printed = set(messages)

    def accept(self, failures: list[str]) -> bool:
        """Write the new site only if no file fails that did not fail before."""
        new = set(failures) - self.committed_failures
        if new and self.builds > 0:
            return False
        self.committed_failures = set(failures)
        return True


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
    try:
        return PreviewServer((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is in use; stop what uses it or choose another with --port"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {error.strerror}") from None


def serve(load: Callable[[], SiteConfig], config_path: Path | None, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve until Ctrl-C.  Settings errors before the first build raise
    ConfigError (the command line exits 2)."""
    config = load()
    stopping = threading.Event()
    # The last build's cache, when it is there: the first build is then as
    # quick as an incremental one.
    preview = Preview(load, config, cache=load_cache(config.output_dir, in_memory=True))
    # The output folder is served as it was when the server started.
    server = listen(host, port, make_handler(config.output_dir, preview.broadcast, stopping, preview.overlay))
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
            print(report.summary(), flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        serving = True
        print(f"Serving {config.output_dir} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)", flush=True)
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
                    print(f"Rebuilt in {time.perf_counter() - started:.2f} s: {report.summary()}", flush=True)
    except KeyboardInterrupt:
        print("Stopping.", flush=True)
    finally:
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
