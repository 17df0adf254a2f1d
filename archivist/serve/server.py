"""The preview's HTTP server: the output folder on loopback (or where the user
says, with a warning), only to the host names it answers to, with the live-reload
script injected into HTML and pages rendered ahead of the rebuild served from memory."""

from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import queue
import re
import socket
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from archivist.config import ConfigError
from archivist.serve.livereload import CLIENT_PATH, CLIENT_SCRIPT, EVENTS_PATH, Broadcast, inject

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
    # New names, so that the handler's methods see them as never None.
    rendered: dict[str, str] = {} if overlay is None else overlay
    answers_host: Callable[[str], bool] = accepts_host or allowed_hosts("127.0.0.1")

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
            if len(hosts) == 1 and answers_host(hosts[0]):
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
                self.send_file()

        def do_HEAD(self) -> None:
            if not self.host_refused():
                self.send_file()

        def send_body(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def send_file(self) -> None:
            fresh = rendered.get(unquote(urlsplit(self.path).path).lstrip("/"))
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
