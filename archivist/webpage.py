"""Saved web pages (``.html``, ``.htm``) to articles.

trafilatura finds the page's main text (its markup says where menus, share
bars and related lists are) and its metadata; the lines it keeps then go
through the same line stages as a text scrape: pinyin notes, punctuation,
furniture it left, Chinese metadata lines.  The lines of the page just above
and below the article are read for metadata only (an info bar or an editor's
line outside the article's own element), never as article text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import lxml.etree
import lxml.html
from markupsafe import escape

from . import clean, extract, lines
from .clean import Block
from .lexicon import Lexicon, fold_lines, package_lexicon
from .linemodel import shipped_model
from .markup import PERSON_NAME, best_date, canonical_url, guessed_date, marked_date, meta_content
from .media import CAPTION_MARK, caption_like, decorative, image_problem, on_the_web, web_images_warning
from .model import Article, Author
from .read import ReadError
from .repair import repair_garbled
from .script import detect_script, to_simplified, to_simplified_lines
from .slug import make_slug

CONTEXT_BEFORE = 8  # page lines above the article read for metadata
CONTEXT_AFTER = 6  # and below it
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
INVISIBLE_TAGS = {"head", "script", "style", "noscript", "template", "svg", "iframe", "select", "option", "button"}
TITLE_SEPARATORS = re.compile(r"\s*(?:[_|｜»]|::|\s[-–—]\s|——|--|(?<![0-9A-Za-z])-(?![0-9A-Za-z]))\s*")
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


def article_blocks(body: list[Piece]) -> list[Block]:
    """Blocks in page order: paragraph runs through the text rules
    (standalone and numbered headings), a list as one block, images with
    their captions."""
    blocks: list[Block] = []
    run: list[str] = []
    items: list[Piece] = []

    def close() -> None:
        if run:
            blocks.extend(clean.to_blocks(run))
            run.clear()
        if items:
            html = "<ul>" + "".join(f"<li>{escape(item.text)}</li>" for item in items) + "</ul>"
            blocks.append(Block("p", " ".join(item.text for item in items), html))
            items.clear()

    for piece in body:
        if piece.kind == "li":
            if run or (items and items[-1].group != piece.group):
                close()
            items.append(piece)
        elif piece.kind in ("p", "row"):
            if items:
                close()
            run.append(piece.text)
        else:
            close()
            if piece.kind == "h":
                blocks.append(Block("h", piece.text))
            else:
                blocks.append(Block("figure", piece.text, src=piece.src))
    close()
    return blocks


@dataclass
class Extracted:
    """What trafilatura and the page's own markup say, before the line stages."""

    url: str | None
    found: list[Piece]
    title: str | None
    shown: list[str | PageImage]  # the page's layout
    marked_date: str | None  # the markup's publication date
    site_name: str | None  # og:site_name
    titles: list[str]  # <title> and og:title
    author: str | None  # <meta name=author>
    agreed: bool = False  # the title is a heading the page's <title> names: no vote needed


def extract_page(text: str) -> Extracted:
    """The markup's own statements first (trafilatura prunes the tree it is
    given), then trafilatura's main text."""
    tree = parse(text)
    titles = [t.strip() for t in tree.xpath("//title//text() | //meta[@property='og:title']/@content") if t.strip()]
    h1s = [clean.normalise_space(h.text_content()) for h in tree.iter("h1")]
    shown = layout(tree)
    marked = marked_date(tree, text)
    stated = {
        "url": canonical_url(tree),
        "marked_date": marked,
        "site_name": meta_content(tree, "og:site_name", "application-name"),
        "author": meta_content(tree, "author", "article:author"),
    }
    import trafilatura  # imported when a page is read: a build of text files never loads it

    document = trafilatura.bare_extraction(
        tree,
        url=None,  # with an address it makes image links absolute; they are read beside the page
        fast=True,  # no second opinion from readability and jusText: the line stages check its result
        include_images=True,
        include_tables=True,
        include_comments=False,
        include_formatting=True,  # bold paragraphs are subheadings
        with_metadata=False,  # read above from the markup, and only what is used
        deduplicate=False,
    )
    found = pieces(document.body) if document is not None and document.body is not None else []
    if not any(piece.kind != "img" for piece in found):
        raise ReadError("no article in the page (an index page, a login wall or a page of links?)")
    title = page_title(titles, h1s, [line for line in shown if isinstance(line, str)], found)
    agreed = bool(titles) and title is not None and title == named_heading(titles, h1s, found)
    title = title and clean.remove_pinyin_notes(title)
    return Extracted(found=found, title=title, shown=shown, titles=titles, agreed=agreed, **stated)


# What a metadata line holds one of: a date or time, a label's colon, a role,
# a media name (lines in Simplified, punctuation as ASCII).
METADATA_HINT = re.compile(r"\d|:|记者|通讯员|编辑|责编|作者|来源|稿源|出处|发布|日期|时间|审核|摄|报|网|台|社|讯|电")


def classified(
    texts: list[str], lexicon: Lexicon, reader: extract.MetaReader, warnings: list[str], outer: set[int] | None = None
) -> lines.Page:
    """Every line through the scrape stages: garbled spans, pinyin notes,
    then each classified as article, metadata or furniture.  ``outer``
    lines (above and below the extracted article) are read for metadata
    only: one with no sign of any is furniture without further reading."""
    repaired = repair_garbled("\n".join(texts))  # in one pass, as a text scrape is
    if repaired.recovered or repaired.lost:
        warnings.append(
            f"garbled GBK spans repaired: {repaired.recovered} characters recovered, {repaired.lost} lost (shown as □)"
        )
    fixed = repaired.text.split("\n")
    if len(fixed) != len(texts):  # a repair took a line break with it: line by line instead
        fixed = [repair_garbled(line).text for line in texts]
    texts = [clean.remove_pinyin_notes(line) for line in fixed]
    page = lines.Page([lines.Line(n, t, f) for n, (t, f) in enumerate(zip(texts, fold_lines(texts), strict=True))])
    previous: lines.Line | None = None
    for line in page.lines:
        if not line.text.strip():
            line.kind = lines.BLANK
            continue
        if outer and line.number in outer and not METADATA_HINT.search(line.folded):
            line.kind, line.reason = lines.FURNITURE, "rule: outside the article's main text"
            previous = line
            continue
        lines.classify(line, lexicon, reader)
        if previous is not None and labels_a_value(previous, line):
            # A label and its value laid out as two lines (an index table's
            # cells in their own blocks): the value is metadata too.
            line.kind, line.reason = lines.META, "value of the metadata label above it"
        previous = line
    return page


LABEL_ONLY = re.compile(r"^[\w\s]{1,10}[:：]$")


def labels_a_value(label: lines.Line, value: lines.Line) -> bool:
    return (
        label.kind == lines.META
        and bool(LABEL_ONLY.match(label.folded.strip()))
        and value.kind in (lines.SHORT, lines.FURNITURE)
        and len(value.folded) <= 30
    )


def recover_gaps(ordered: list[Piece | str | PageImage], page: lines.Page) -> None:
    """Article lines trafilatura left out between two paragraphs it kept (a
    list in a layout table's cell, a heading in an odd wrapper, a figure and
    its caption): prose, short heading-like lines over prose, and images
    that are no QR code or logo, with the short line under them."""
    kept = [n for n, item in enumerate(ordered) if isinstance(item, Piece) and page.lines[n].kind == lines.PROSE]
    if not kept:
        return
    following = shown_after(page)
    extracted = {item.src for item in ordered if isinstance(item, Piece) and item.kind == "img"}
    # A figure may close the article: images right after its last paragraph count too.
    end = next(
        (n for n in range(kept[-1] + 1, len(ordered)) if isinstance(ordered[n], str) and ordered[n].strip()),
        len(ordered),
    )
    for number in range(kept[0] + 1, end):
        item, line = ordered[number], page.lines[number]
        if number > kept[-1] and not isinstance(item, PageImage):
            continue
        after = next_line(page, following, number)
        if isinstance(item, PageImage):
            if item.src and item.src not in extracted and not decorative(item.src, item.alt, after):
                ordered[number] = Piece("img", item.alt, src=item.src)
                # Its caption: the first of the next two lines that reads as one
                # (a "click to enlarge" may stand between).
                below = [n for n in (following[number],) if n is not None]
                below += [n for n in (following[below[0]],) if n is not None] if below else []
                caption = next((n for n in below if caption_like(page.lines[n], next_line(page, following, n))), None)
                if caption is not None and isinstance(ordered[caption], str):
                    ordered[caption] = Piece("p", ordered[caption])
            continue
        if not isinstance(item, str):
            continue
        if line.kind == lines.PROSE:
            ordered[number] = Piece("p", item)
            continue
        over_prose = after is not None and after.kind == lines.PROSE
        if line.kind == lines.SHORT and over_prose and clean.is_standalone_heading(line.folded, after.folded):
            ordered[number] = Piece("h", item)


def shown_after(page: lines.Page) -> list[int | None]:
    """For each line, the number of the next line that is not blank (None
    after the last).  One pass from the end: looking ahead from each line
    was quadratic on pages of thousands of paragraphs and images."""
    following: list[int | None] = [None] * len(page.lines)
    nearest = None
    for number in range(len(page.lines) - 1, -1, -1):
        following[number] = nearest
        if page.lines[number].kind != lines.BLANK:
            nearest = number
    return following


def next_line(page: lines.Page, following: list[int | None], number: int) -> lines.Line | None:
    """The next line after ``number`` that is not blank (``following``: ``shown_after(page)``)."""
    found = following[number]
    return page.lines[found] if found is not None else None


def article_pieces(
    ordered: list[Piece | str | PageImage], page: lines.Page, title: str | None, scorer: lines.LineScorer | None = None
) -> list[Piece]:
    """The extracted lines the classifier keeps as the article; the short
    line right under an image as its caption.  Lines above a repeat of the
    title, below the last paragraph, or under a related-articles heading
    are the page's, not the article's."""
    numbers = [n for n, item in enumerate(ordered) if isinstance(item, Piece)]
    title_key = squeezed(title or "")
    prose = [n for n in numbers if page.lines[n].kind == lines.PROSE]
    repeats = [n for n in numbers if title_key and squeezed(page.lines[n].text) == title_key]
    repeated = set(repeats)
    start = repeats[0] + 1 if repeats and (not prose or repeats[0] < prose[0]) else 0
    end = prose[-1] if prose else len(ordered)
    cells = data_cells(ordered, page)
    candidates = [
        n
        for n in numbers
        if isinstance(ordered[n], Piece)
        and ordered[n].kind != "img"
        and page.lines[n].kind in (lines.PROSE, lines.SHORT)
        and not lines.kept_by_lexicon(page.lines[n])
        and n not in cells
    ]
    doubted = scorer.dropped(page, candidates, "page") if scorer else {}
    following = shown_after(page)
    # Each piece's next piece on a line that is not blank, from the end (a
    # scan forward from each image was quadratic).
    piece_after: dict[int, lines.Line | None] = {}
    nearest = None
    for number in reversed(numbers):
        piece_after[number] = nearest
        if page.lines[number].kind != lines.BLANK:
            nearest = page.lines[number]
    body: list[Piece] = []
    captioned: set[int] = set()
    in_list = False
    since_image = 0  # lines read since the last image
    previous_kind = ""
    for number in numbers:
        piece, line = ordered[number], page.lines[number]
        assert isinstance(piece, Piece)
        original = clean.restore_fullwidth_punctuation(clean.normalise_space(line.text))
        reason = ""
        if line.kind == lines.LIST_HEADING:
            in_list = True
        elif line.kind == lines.PROSE:
            in_list = False
        if piece.kind == "img":
            after = piece_after[number]
            if start <= number and not decorative(piece.src, piece.text, after):
                body.append(piece)
                since_image = 0
            continue
        # The caption is the line right under the image, or the one after a
        # "click to enlarge" between.
        if line.kind != lines.BLANK:
            since_image += 1 if since_image == 0 or previous_kind == lines.FURNITURE else 2
            previous_kind = line.kind
        if (
            piece.kind in ("p", "row")
            and body
            and body[-1].kind == "img"
            and len(body) - 1 not in captioned
            and since_image <= 2
            and caption_like(line, next_line(page, following, number))
        ):
            # The short line right under an image is its caption (in a text
            # scrape it reads as furniture): it stays, with the image.
            captioned.add(len(body) - 1)
            body[-1] = Piece("img", CAPTION_MARK.sub("", original), src=body[-1].src)
            continue
        if line.kind in (lines.META, lines.BLANK):
            continue
        if number < start or number in repeated:
            reason = "rule: above the article's title, or the title again"
        elif line.kind == lines.SHORT and in_list:
            reason = "rule: item of a list of other articles"
        elif line.kind == lines.SHORT and number > end and piece.kind != "li":
            reason = "rule: below the article's last paragraph"
        elif number in doubted:
            reason = doubted[number]
        elif line.kind in (lines.PROSE, lines.SHORT):
            body.append(Piece(piece.kind, original, piece.group))
            continue
        line.kind = lines.FURNITURE
        page.dropped.append((line.text.strip(), reason or line.reason))
    for line in page.lines:
        if line.kind in (lines.PROSE, lines.SHORT, lines.LIST_HEADING) and not isinstance(ordered[line.number], Piece):
            line.kind = lines.FURNITURE  # lines around the article are read for metadata only
            page.dropped.append((line.text.strip(), "rule: outside the article's main text"))
        elif line.kind == lines.FURNITURE and not isinstance(ordered[line.number], Piece):
            page.dropped.append((line.text.strip(), line.reason))
    return body


HEADER_LINES = 15  # visible lines above the article's first paragraph where its headline is looked for


def lines_above(data: Extracted, first: str | None) -> list[str]:
    """The page's visible lines above the article's first paragraph."""
    shown = [line for line in data.shown if isinstance(line, str)]
    key = squeezed(first or "")
    at = next((n for n, line in enumerate(shown) if key and key[:20] in squeezed(line)), None)
    return shown[max(0, at - HEADER_LINES) : at] if at is not None else []


def voted_headline(
    data: Extracted,
    first: str | None,
    lexicon: Lexicon,
    reader: extract.MetaReader,
    scorer: lines.LineScorer | None = None,
) -> str | None:
    """The headline: a heading the page's ``<title>`` names (decided in
    ``extract_page``); else the title model's pick among the lines above the
    article; else the rules' heading-like line there (as a text scrape's
    title is found) when the ``<title>`` or ``og:title`` names it; the
    markup's choice when the page shows it above the article; the layout's
    line when it sits right above the article's date line; else the
    markup's choice."""
    if data.agreed:
        return data.title
    above = lines_above(data, first)
    if not above:
        return data.title
    header = classified(above, lexicon, reader, [])
    if scorer is not None:
        end = len(header.lines)
        chosen = scorer.headline(header, lines.title_candidates(header.lines, end), end, data.titles)
        if chosen is not None:
            return clean.normalise_space(header.lines[chosen].text)
    line, glued = lines.find_title(header.lines, len(header.lines))
    layout = clean.normalise_space(line.text) if line else glued
    if not layout or (data.title and title_key(data.title) in title_key(layout)):
        return data.title  # the same line, or the markup's without the site's name
    parts = [part for t in data.titles for part in TITLE_SEPARATORS.split(t) if part.strip()]
    longest = max((han(part) for part in parts), default=0)
    named = han(layout) >= max(4, 0.6 * longest) and any(title_key(layout) in title_key(t) for t in data.titles)
    if named or not data.title or line is None:
        return layout or data.title
    if any(title_key(data.title) == title_key(text) for text in above):
        return data.title
    below = next((o for o in header.lines[line.number + 1 :] if o.kind != lines.BLANK), None)
    if below is not None and below.kind == lines.META and below.meta and below.meta.dates:
        return layout
    return data.title


DATA_CELL = 16  # characters: a table's cell of figures or names, not a layout table's text
MAX_TABLE_LINES = 40


def data_cells(ordered: list[Piece | str | PageImage], page: lines.Page) -> set[int]:
    """Short cells of a table that stands between two of the article's
    paragraphs (a paragraph, not a row, on each side): the article's own
    table, which the model has seen too few of to judge.  A layout table's
    lists of links run on to the page's end, with no paragraph after."""
    found: set[int] = set()
    run: list[int] = []
    opened = False
    for number, item in enumerate(ordered):
        line = page.lines[number]
        if line.kind == lines.BLANK or (isinstance(item, Piece) and item.kind == "h"):
            continue
        if isinstance(item, Piece) and item.kind == "row":
            run.append(number)
            continue
        paragraph = isinstance(item, Piece) and item.kind == "p" and line.kind == lines.PROSE
        if paragraph and opened and run and len(run) <= MAX_TABLE_LINES:
            found.update(n for n in run if len(page.lines[n].folded) <= DATA_CELL)
        opened, run = paragraph, []
    return found


def normalise_webpage(
    path: str,
    text: str,
    encoding: str,
    lexicon: Lexicon | None = None,
    exists: Callable[[str], bool] = os.path.isfile,
    scorer: lines.LineScorer | None = None,
) -> Article:
    """``exists`` tells which image files are beside the page (on a cluster
    worker, from a listing the build sent, not from a disk)."""
    lexicon = lexicon or package_lexicon()
    scorer = scorer or shipped_model()
    warnings: list[str] = []
    page_data = extract_page(text)
    reader = extract.meta_reader(lexicon)
    title_original = page_data.title
    ordered = in_page_order(page_data.shown, page_data.found, title_original)
    texts = [item if isinstance(item, str) else "" if isinstance(item, PageImage) else item.text for item in ordered]
    kept = [n for n, item in enumerate(ordered) if isinstance(item, Piece)]
    outer = {n for n in range(len(ordered)) if not kept or n < kept[0] or n > kept[-1]}
    page = classified(texts, lexicon, reader, warnings, outer)
    # Lines the markup marks as captions (an extracted piece is its text again).
    captions = {squeezed(line) for line in page_data.shown if isinstance(line, CaptionLine)}
    for line, item in zip(page.lines, ordered, strict=True):
        line.caption = isinstance(item, CaptionLine) or (isinstance(item, Piece) and squeezed(item.text) in captions)
    recover_gaps(ordered, page)
    for line, item in zip(page.lines, ordered, strict=True):
        if isinstance(item, Piece):
            line.element = item.kind
    body = copyable(article_pieces(ordered, page, title_original, scorer), path, warnings, exists)
    first = next((piece.text for piece in body if piece.kind != "img" and han(piece.text) >= 10), None)
    title_original = voted_headline(page_data, first, lexicon, reader, scorer)
    if title_original:
        # The headline the layout gave may have been read as the article's first line.
        body = [piece for piece in body if piece.kind == "img" or title_key(piece.text) != title_key(title_original)]
    originals = [piece.text for piece in body]
    simplified = to_simplified_lines(originals)
    body = [Piece(p.kind, s, p.group, p.src) for p, s in zip(body, simplified, strict=True)]
    paragraphs = [piece.text for piece in body if piece.kind != "img"]
    if not any(clean.is_prose(paragraph) for paragraph in paragraphs):
        raise ReadError(lines.NO_ARTICLE_TEXT, lines.refused_lines(page))
    meta, dateline = lines.article_metadata(page, paragraphs, reader)
    channel, title = (None, None)
    if title_original:
        channel, title = extract.split_channel(clean.normalise_space(to_simplified(title_original)))
    blocks = article_blocks(body)
    derived = not title
    if not title:
        title = extract.derive_title([b.text for b in blocks if b.kind == "p"])
        warnings.append(f"no title found (field 'title'); derived title {title!r} from the first sentence")
    # htmldate's reading of the markup, the last resort (on a tree of its own:
    # trafilatura has pruned the first).
    date = best_date(meta.date, page_data.marked_date) or guessed_date(parse(text))
    named = site_name(page_data.site_name, page_data.titles, title_original, reader)
    source = meta.source or (to_simplified(named) if named else None)
    authors = list(meta.authors)
    if not authors and page_data.author:
        authors = [Author(to_simplified(name.strip()), "作者") for name in re.split(r"[;；,，、]", page_data.author)]
        # A name, not a user number or a profile's address.
        authors = [a for a in authors if PERSON_NAME.fullmatch(a.name)]
    if date is None:
        warnings.append("no date found (field 'date')")
    if source is None:
        warnings.append("no source found (field 'source')")
    original_text = "\n\n".join(
        [clean.normalise_space(title_original or ""), *(p.text for p in body if p.kind != "img")]
    ).strip()
    return Article(
        path=path,
        kind="html",
        encoding=encoding,
        script=detect_script("\n".join(originals), "\n".join(simplified)),
        title=title,
        title_derived=derived,
        channel=channel,
        date=date,
        source=source,
        authors=tuple(authors),
        editor="、".join(meta.editors) or None,
        slug=make_slug(title, date),
        blocks=tuple(blocks),
        original_text=original_text,
        warnings=tuple(warnings),
        dateline=dateline.text if dateline else "",
        dropped=tuple(page.dropped),
        url=page_data.url,
    )


def site_name(named: str | None, titles: list[str], headline: str | None, reader: extract.MetaReader) -> str | None:
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


def copyable(body: list[Piece], path: str, warnings: list[str], exists: Callable[[str], bool]) -> list[Piece]:
    """The article without the images that cannot be copied into the site,
    each named in a warning."""
    kept, remote = [], []
    for piece in body:
        if piece.kind == "img" and on_the_web(piece.src):
            remote.append(piece.src)
            continue
        problem = image_problem(path, piece.src, exists) if piece.kind == "img" else None
        if problem:
            warnings.append(problem)
        else:
            kept.append(piece)
    if remote:
        warnings.append(web_images_warning(remote, "not saved with the page; left out"))
    return kept
