"""A saved page's markup as the pieces the article is read from.

The page's visible lines in order (its layout, with images and the lines the
markup marks as captions), trafilatura's extracted body as pieces (paragraphs,
headings, list items, table rows, images), and the two put back in page order
with the lines around the article that trafilatura left out."""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from archivist.ingest.read import ReadError
from archivist.text import clean

CONTEXT_BEFORE = 8  # page lines above the article read for metadata


CONTEXT_AFTER = 6  # and below it


XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip


INVISIBLE_TAGS = {"head", "script", "style", "noscript", "template", "svg", "iframe", "select", "option", "button"}


HEADING_LIMIT = 40  # characters: a longer bold paragraph is emphasis, not a heading


# Elements in one page: a news page has a few thousand; past this it is a dump
# of many pages, and reading it would take minutes and gigabytes (memory grows
# some 2.5 KB per element through the extraction).
MAX_ELEMENTS = 200_000


@dataclass(frozen=True, slots=True)
class Piece:
    """One line of the extracted article, with the element it came from."""

    kind: str  # "h", "p", "li", "row" or "img"
    text: str
    group: int = 0  # items of one list share it
    src: str = ""  # images: the src as the page wrote it


def parse(text: str, max_elements: int = MAX_ELEMENTS) -> lxml.html.HtmlElement:
    try:
        tree = lxml.html.document_fromstring(XML_DECLARATION.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError) as error:
        raise ReadError(f"cannot parse the page as HTML: {error}") from None
    elements = sum(1 for _ in tree.iter())
    if elements > max_elements:
        raise ReadError(
            f"{elements:,} elements in one page, over the limit of {max_elements:,} "
            "(a dump of many pages, not an article); not read"
        )
    return tree


@dataclass(frozen=True, slots=True)
class PageImage:
    """An ``<img>`` where the page shows it, between its lines."""

    src: str
    alt: str


class CaptionLine(str):
    """A line the page's markup marks as an image's caption (``<figcaption>``,
    or an element whose class names a caption)."""


def marks_caption(tag: str, element: lxml.html.HtmlElement) -> bool:
    return tag == "figcaption" or "caption" in (element.get("class") or "").lower()


def layout(tree: lxml.html.HtmlElement) -> list[str | PageImage]:
    """The page's text as a browser lays it out, and its images: block
    elements and ``<br>`` end lines; scripts, styles and the head are not
    shown."""
    found: list[str | PageImage] = []
    current: list[str] = []
    in_caption = 0  # depth of caption elements around the current line

    def flush() -> None:
        line = clean.normalise_space(" ".join("".join(current).split()))
        if line:
            found.append(CaptionLine(line) if in_caption else line)
        current.clear()

    def walk(element: lxml.html.HtmlElement) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""  # comments have no tag name
        if not tag or tag in INVISIBLE_TAGS:
            if element.tail:
                current.append(element.tail)
            return
        if tag == "img":
            flush()
            found.append(PageImage(element.get("src") or "", element.get("alt") or element.get("title") or ""))
        nonlocal in_caption
        caption = marks_caption(tag, element)
        block = tag in BLOCK_TAGS or tag == "br" or caption
        if block:
            flush()
        in_caption += caption
        if element.text:
            current.append(element.text)
        for child in element:
            walk(child)
        if block:
            flush()
        in_caption -= caption
        if element.tail:
            current.append(element.tail)

    body = tree.find("body")
    walk(body if body is not None else tree)
    flush()
    return found


def element_text(element: lxml.etree._Element) -> list[str]:
    """An extracted element's text, split where the page broke lines."""
    parts = [""]
    for piece in element.xpath(".//text() | .//lb"):
        if isinstance(piece, str):
            parts[-1] += piece
        else:
            parts.append("")
    return [line for line in (clean.normalise_space(" ".join(p.split())) for p in parts) if line]


def bold_only(element: lxml.etree._Element) -> bool:
    """A short paragraph all in bold: how news pages mark a subheading."""
    children = list(element)
    text = "".join(element.itertext()).strip()
    return (
        len(children) == 1
        and children[0].tag == "hi"
        and children[0].get("rend", "") in ("#b", "#strong")
        and not (element.text or "").strip()
        and not (children[0].tail or "").strip()
        and 2 <= len(text) <= HEADING_LIMIT
        and not clean.SENTENCE_END.search(text[-1:])
    )


STRUCTURE = {"p", "head", "list", "table", "graphic", "quote", "code"}


CELL_VALUE_LIMIT = 40  # characters: a longer paragraph in a cell is text laid out by the table


def pieces(container: lxml.etree._Element, found: list[Piece] | None = None) -> list[Piece]:
    """trafilatura's article tree as lines, keeping headings, lists, table
    rows and images apart from paragraphs.  A table whose cells hold
    paragraphs is page layout: its cells are read as the article they hold."""
    found = [] if found is None else found
    for element in container:
        tag = element.tag
        if tag == "head":
            found += [Piece("h", text) for text in element_text(element)]
        elif tag == "list":
            group = len(found)
            found += [Piece("li", text, group=group) for item in element.iter("item") for text in element_text(item)]
        elif tag == "table":
            for row in element.iter("row"):
                cells = list(row.iter("cell"))
                if any(layout_cell(cell) for cell in cells):
                    for cell in cells:
                        pieces(cell, found)
                    continue
                line = " ".join(" ".join(element_text(cell)) for cell in cells).strip()
                if line:
                    found.append(Piece("row", line))
        elif tag == "graphic":
            found.append(image_piece(element))
        elif tag == "p" and bold_only(element):
            found += [Piece("h", text) for text in element_text(element)]
        else:
            found += [image_piece(graphic) for graphic in element.iter("graphic")]
            found += [Piece("p", text) for text in element_text(element)]
    return found


def layout_cell(cell: lxml.etree._Element) -> bool:
    """A table cell that lays out part of the page (paragraphs, a heading, a
    list, an image) rather than holding one value of a row (an index
    table's 发布机构 | 平远县仁居镇人民政府 is a row of values)."""
    if any(child.tag in ("head", "list", "graphic", "table") for child in cell.iter()):
        return True
    paragraphs = [child for child in cell if child.tag in STRUCTURE]
    return len(paragraphs) > 2 or any(len("".join(child.itertext())) > CELL_VALUE_LIMIT for child in paragraphs)


def image_piece(graphic: lxml.etree._Element) -> Piece:
    return Piece("img", graphic.get("alt") or graphic.get("title") or "", src=graphic.get("src", ""))


SPACES = re.compile(r"\s+")


def squeezed(text: str) -> str:
    return SPACES.sub("", text)


def in_page_order(page: list[str | PageImage], found: list[Piece], title: str | None) -> list[Piece | str | PageImage]:
    """The extracted pieces with the page lines around and between them
    that trafilatura left out (info bars, editors' lines outside the
    article's own element), in page order: the lines below the title and
    above the article, those between its pieces, and a few below it."""
    keys = [squeezed(line) if isinstance(line, str) else "" for line in page]
    ordered: list[Piece | str | PageImage] = []
    cursor: int | None = None
    for piece in found:
        key = squeezed(piece.text)
        start = 0 if cursor is None else cursor
        at = next((i for i in range(start, len(keys)) if key and (keys[i] == key or key in keys[i])), None)
        spanned = spanned_lines(keys, key, start) if at is None and piece.kind != "img" else None
        if spanned:
            # Many of the page's lines run together (trafilatura's fallback
            # reads a page it cannot segment as one text): the lines again.
            first, end = spanned
            if cursor is None:
                cursor = max(0, first - CONTEXT_BEFORE)
            ordered += page[cursor:first]
            kind = "row" if piece.kind == "row" else "p"  # a table row's cells, laid out one per line
            ordered += [Piece(kind, line) if isinstance(line, str) else line for line in page[first:end]]
            cursor = end
            continue
        if piece.kind == "img" or at is None:
            ordered.append(piece)
            continue
        if cursor is None:
            cursor = max(0, at - CONTEXT_BEFORE)
        # The title line itself is not read again (it is no metadata).
        ordered += [
            line
            for line, key in zip(page[cursor:at], keys[cursor:at], strict=True)
            if not (title and key == squeezed(title))
        ]
        ordered.append(piece)
        cursor = at + 1
    if cursor is not None:
        ordered += page[cursor : cursor + CONTEXT_AFTER]
    return ordered


def spanned_lines(keys: list[str], key: str, start: int) -> tuple[int, int] | None:
    """The run of page lines (from ``start``) that together make ``key``,
    when it is two lines or more."""
    for first in range(start, len(keys)):
        if not keys[first] or not key.startswith(keys[first]):
            continue
        position, end = 0, first
        while end < len(keys) and key.startswith(keys[end], position):
            position += len(keys[end])
            end += 1
        if position == len(key) and end - first >= 2:
            return first, end
    return None
