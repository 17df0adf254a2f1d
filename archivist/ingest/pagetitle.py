"""A saved page's headline and site name from its <title>, og:title and headings."""

from __future__ import annotations

import re

from archivist.ingest.pagelayout import Piece, squeezed
from archivist.text import clean, metalines
from archivist.text.script import to_simplified

TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜»]|::|\s[-–—]\s|——|--|(?<![0-9A-Za-z])-(?![0-9A-Za-z]))\s*")


def named_heading(titles: list[str], h1s: list[str], found: list[Piece]) -> str | None:
    """The article's own first heading, or the page's ``<h1>``, when the
    page's title names it (and it is not just the site's name, a logo in an
    ``<h1>``): a headline the markup agrees on.  With no title at all, the
    first heading."""
    parts = [part.strip() for t in titles for part in TITLE_SEPARATORS.split(t) if part.strip()]
    longest = max((han(part) for part in parts), default=0)
    heading = next((piece.text for piece in found[:3] if piece.kind == "h"), None)
    keys = [title_key(t) for t in titles]
    for candidate in ([heading] if heading else []) + h1s:
        named = not titles or any(title_key(candidate) in key for key in keys)
        if candidate and named and han(clean.remove_pinyin_notes(candidate)) >= 0.6 * longest:
            return candidate
    return None


def page_title(titles: list[str], h1s: list[str], visible: list[str], found: list[Piece]) -> str | None:
    """The headline: a heading the page's title names (``named_heading``);
    else the part of the page's title (``headline_column_site``) that the
    page shows as a line of its own; else its longest part."""
    named = named_heading(titles, h1s, found)
    if named:
        return named
    parts = [part.strip() for t in titles for part in TITLE_SEPARATORS.split(t) if part.strip()]
    shown = {title_key(line): line for line in visible}
    for part in sorted(parts, key=len, reverse=True):
        if title_key(part) in shown and han(part) >= 4:
            return shown[title_key(part)]
    if parts:
        first = [part for part in TITLE_SEPARATORS.split(titles[0]) if part.strip()] or parts
        return max(first, key=han).strip()
    return next((piece.text for piece in found[:3] if piece.kind == "h"), None)


def han(text: str) -> int:
    return len(clean.HAN_CHAR.findall(text))


def title_key(text: str) -> str:
    """For finding a headline in a page's title: no spaces, no pinyin notes."""
    return squeezed(clean.remove_pinyin_notes(text))


def site_name(named: str | None, titles: list[str], headline: str | None, reader: metalines.MetaReader) -> str | None:
    """The site's own name: Open Graph's, else the last part of the page's
    title that is not the headline (``headline｜site``) when it names a
    paper, a station or a news site."""
    if named:
        return named
    title = titles[0] if titles else ""
    parts = [part.strip() for part in TITLE_SEPARATORS.split(title) if part.strip()]
    others = [part for part in parts if not headline or title_key(part) != title_key(headline)]
    if len(parts) > 1 and others and 2 <= han(others[-1]) <= 16 and reader.is_media_name(to_simplified(others[-1])):
        return others[-1]
    return None
