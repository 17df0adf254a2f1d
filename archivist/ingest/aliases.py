"""Old addresses of articles (Hugo's ``aliases``): a page whose slug changed
(a title fixed in a scrape moves its URL) leaves a small redirect page at
its old address, and Markdown can name more in ``aliases:``.

The addresses each article had are remembered in the build's state folder
(beside the output, in JSON), across builds and code versions.  A redirect
is never written where a live page is.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivist.model import Article
from archivist.output.write import state_dir, write_atomically

ALIASES_FILE = "aliases.json"
TRADITIONAL = "zh-hant"  # the folder of the Traditional pages
MAX_ALIASES = 32  # per article, from its front matter
# What an alias may not hold: a NUL, control characters, a backslash or a drive, URL syntax.
UNSAFE = re.compile(r"[\x00-\x1f\x7f\\:?#%<>\"']")


@dataclass
class AddressBook:
    """Where each article (by file) was last published, and the addresses
    it left (old page path -> file)."""

    addresses: dict[str, str] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)

    def update(self, published: dict[str, str], failed: set[str]) -> None:
        """Remember this build's addresses (file -> page path); an article
        published elsewhere than last time leaves its old address behind.  A
        file that failed this build keeps what it had, for when it is fixed."""
        for source, page_path in published.items():
            before = self.addresses.get(source)
            if before is not None and before != page_path:
                self.moved[before] = source
        kept = {source: page for source, page in self.addresses.items() if source in failed}
        self.addresses = kept | published
        # An article back at an old address, or one gone, leaves nothing to redirect.
        self.moved = {
            old: source
            for old, source in self.moved.items()
            if source in self.addresses and self.addresses[source] != old
        }


def source_key(shown: str, content_dir: Path) -> str:
    """An article's file as the address book knows it: relative to the
    content folder, so a build run from another folder finds it again."""
    return os.path.relpath(os.path.realpath(os.path.abspath(shown)), os.path.realpath(content_dir))


def source_keys(content_dir: Path) -> Callable[[str], str]:
    """``source_key`` for many files of one folder: each folder on their
    paths is resolved once, a file on its own only when it is a symlink."""
    root = os.path.join(os.path.realpath(content_dir), "")
    folders: dict[str, str] = {}

    def key(shown: str) -> str:
        path = os.path.abspath(shown)
        folder, name = os.path.split(path)
        if not name or os.path.islink(path):
            real = os.path.realpath(path)
        else:
            if folder not in folders:
                folders[folder] = os.path.realpath(folder)
            real = os.path.join(folders[folder], name)
        return real[len(root) :] if real.startswith(root) else os.path.relpath(real, root)

    return key


def load_address_book(output: Path) -> AddressBook:
    try:
        data = json.loads((state_dir(output) / ALIASES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AddressBook()
    if not isinstance(data, dict):
        return AddressBook()
    return AddressBook(text_map(data.get("addresses")), text_map(data.get("moved")))


def text_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def save_address_book(output: Path, book: AddressBook) -> None:
    folder = state_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"addresses": book.addresses, "moved": book.moved}, ensure_ascii=False, sort_keys=True)
    write_atomically(folder / ALIASES_FILE, data.encode("utf-8", "backslashreplace"))


def front_matter_aliases(value: Any) -> tuple[list[str], list[str]]:
    """The page paths a Markdown article's ``aliases:`` names, and a warning
    for each entry that cannot be one.  ``/old/url/`` is ``old/url/index.html``,
    ``old`` is ``old.html``."""
    if value is None:
        return [], []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return [], [f"front matter 'aliases' must be a list of paths, not {type(value).__name__}"]
    paths, problems = [], []
    for entry in value[:MAX_ALIASES]:
        path = alias_path(entry) if isinstance(entry, str) else None
        if path is None:
            problems.append(f"front matter 'aliases': {str(entry)[:80]!r} is not a path inside the site; ignored")
        else:
            paths.append(path)
    if len(value) > MAX_ALIASES:
        problems.append(f"front matter 'aliases': only the first {MAX_ALIASES} are used")
    return paths, problems


def alias_path(entry: str) -> str | None:
    entry = entry.strip()
    if not entry or UNSAFE.search(entry) or len(entry) > 300:
        return None
    path = entry.lstrip("/")
    if not path or path.endswith("/"):
        path += "index.html"
    elif not path.endswith((".html", ".htm")):
        path += ".html"
    parts = path.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts) or parts[0] == TRADITIONAL:
        return None  # the Traditional mirror of each alias is made with it
    return path


def redirects(book: AddressBook, articles: dict[str, Article], live: set[str]) -> dict[str, Article]:
    """Old page path -> the article now published elsewhere (``articles`` by
    their address book key); never a path a live page (of any article, or any
    other page) holds."""
    found: dict[str, Article] = {}
    for article in articles.values():
        if article.kind == "md":
            for old in front_matter_aliases(article.front_matter.get("aliases"))[0]:
                found.setdefault(old, article)
    for old, source in sorted(book.moved.items()):
        if source in articles:
            found.setdefault(old, articles[source])
    return {old: article for old, article in found.items() if not taken(old, live)}


def taken(old: str, live: set[str]) -> bool:
    """Whether a live page is at ``old``, or at a folder on its way."""
    parts = old.split("/")
    return any("/".join(parts[:end]) in live for end in range(1, len(parts) + 1))


def redirect_page(old: str, new: str, title: str, base_url: str) -> str:
    """A page at ``old`` that sends the reader to ``new``: a relative URL,
    so it works hosted anywhere and opened from a folder (file://)."""
    target = html.escape(posixpath.relpath(new, posixpath.dirname(old) or "."))
    canonical = html.escape(base_url + new) if base_url else target
    name = html.escape(title)
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">\n'
        f"<title>{name}</title>\n"
        f'<link rel="canonical" href="{canonical}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f'</head><body><p>本文已移至 <a href="{target}">{name}</a>。</p></body></html>\n'
    )
