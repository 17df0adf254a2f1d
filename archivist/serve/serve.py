"""``build.py serve``: build, serve the output on loopback, watch the sources,
rebuild what changed and reload the open browser.

The server only calls the build; what it adds is a watcher that coalesces
bursts of file events into one rebuild (``watch``), a session that rebuilds
and remembers the last good site (``preview``), an event stream that tells
pages to reload or to show a build error (``livereload``) and the HTTP server
that injects its script into HTML responses (``server``).  This module is
the loop that ties them together.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.observers import Observer

from archivist.config import SiteConfig
from archivist.serve.preview import Preview, printable
from archivist.serve.server import allowed_hosts, browser_url, exposure_warning, listen, make_handler
from archivist.serve.watch import FAST_RENDER_QUIET, Changes, Watcher
from archivist.state.state import load_state, save_state


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
    preview = Preview(load, config, cache=load_state(config.output_dir, in_memory=True))
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
            save_state(preview.config.output_dir, preview.cache)  # the next build goes on from here
        if observer.is_alive():
            # Stopping races the watcher's last read; watchdog logs that as an error
            # ("queue_events() called when the thread is inactive"): nothing is lost.
            logging.getLogger("watchdog.observers.inotify").setLevel(logging.CRITICAL)
            observer.stop()
            observer.join(timeout=5)
        if serving:
            server.shutdown()
        server.server_close()
    return 0
