"""New Markdown drafts (``build.py new``): a name of their own, never a file overwritten."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from archivist.text.slug import make_slug

MAX_SUFFIX = 99
TITLE_READ = 4096  # bytes of an existing draft read to see whether it is this title's


class DraftExists(Exception):
    """A draft of the same title, made the same day, is there already."""


def candidate_slugs(title: str, now: datetime) -> Iterator[str]:
    """The usual slug (the first words' pinyin); then, when another title
    begins with the same words, the whole title's; then that with -2, -3 ..."""
    date = now.isoformat()
    short = make_slug(title, date)
    yield short
    whole = make_slug(title, date, max_syllables=len(title))
    if whole != short:
        yield whole
    for number in range(2, MAX_SUFFIX + 1):
        yield f"{whole}-{number}"


def title_line(title: str) -> str:
    return f"title: {json.dumps(title, ensure_ascii=False)}"


def draft_text(title: str, now: datetime, slug: str | None) -> str:
    # A lengthened or numbered name is pinned as the slug, so that the page's
    # address is the file's name, not the other draft's address with -2.
    pinned = f"slug: {slug}\n" if slug else ""
    return f"---\n{title_line(title)}\ndate: {now:%Y-%m-%d %H:%M:%S}\n{pinned}source: \nauthors: []\ndraft: true\n---\n\n正文。\n"


def holds_title(path: Path, title: str) -> bool:
    """Whether the file at ``path`` starts as ``new`` writes a draft of
    ``title`` (read without following a link, and only its first bytes)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        head = os.read(handle, TITLE_READ).decode("utf-8", "replace")
    except OSError:
        return False
    finally:
        os.close(handle)
    return f"\n{title_line(title)}\n" in head.split("\n---", 1)[0] + "\n"


def create_draft(content: Path, title: str, now: datetime) -> Path:
    """Write a draft of ``title`` under a file name no other file has."""
    for number, slug in enumerate(candidate_slugs(title, now)):
        path = content / f"{slug}.md"
        try:
            with path.open("x", encoding="utf-8") as handle:  # "x": fails if the name exists
                handle.write(draft_text(title, now, slug if number else None))
            return path
        except FileExistsError:
            if holds_title(path, title):
                raise DraftExists(f"{path} already exists (a draft of the same title); not overwritten") from None
    raise DraftExists(f"{content}: every name for a draft of {title!r} is taken; not overwritten")
