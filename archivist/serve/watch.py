"""Watching the sources for the preview: file events coalesced into bursts, each
burst one rebuild; a folder the settings name after an edit is watched from then on."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from archivist.config import SiteConfig

QUIET_SECONDS = 0.25  # a burst ends when no event came for this long


FAST_RENDER_QUIET = 0.03  # an edited article's page is rendered once its file is this quiet


MAX_WAIT_SECONDS = 2.0  # ... or when it has lasted this long


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
