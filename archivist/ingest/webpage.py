"""Saved web pages (``.html``, ``.htm``) to articles.

trafilatura finds the page's main text (its markup says where menus, share
bars and related lists are) and its metadata; the lines it keeps then go
through the same line stages as a text scrape: pinyin notes, punctuation,
furniture it left, Chinese metadata lines.  The lines of the page just above
and below the article are read for metadata only (an info bar or an editor's
line outside the article's own element), never as article text.

This module drives the reading; ``pagelayout`` reads the markup into pieces
and lines, ``pagelines`` puts them through the line stages, ``pagetitle``
reads the headline and site name from ``<title>`` and the headings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import escape

from archivist.ingest.markup import PERSON_NAME, best_date, canonical_url, guessed_date, marked_date, meta_content
from archivist.ingest.media import image_problem, on_the_web, web_images_warning
from archivist.ingest.pagelayout import CaptionLine, PageImage, Piece, in_page_order, layout, parse, pieces, squeezed
from archivist.ingest.pagelines import article_pieces, classified, recover_gaps
from archivist.ingest.pagetitle import TITLE_SEPARATORS, han, named_heading, page_title, site_name, title_key
from archivist.ingest.read import ReadError
from archivist.model import Article, Author
from archivist.text import clean, extract, lines, metalines
from archivist.text.clean import Block
from archivist.text.lexicon import Lexicon, package_lexicon
from archivist.text.linemodel import shipped_model
from archivist.text.script import detect_script, to_simplified, to_simplified_lines
from archivist.text.slug import make_slug


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
    from trafilatura.settings import Document

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
    # A Document (not as_dict), or None when it finds nothing.
    found = pieces(document.body) if isinstance(document, Document) and document.body is not None else []
    if not any(piece.kind != "img" for piece in found):
        raise ReadError("no article in the page (an index page, a login wall or a page of links?)")
    title = page_title(titles, h1s, [line for line in shown if isinstance(line, str)], found)
    agreed = bool(titles) and title is not None and title == named_heading(titles, h1s, found)
    title = title and clean.remove_pinyin_notes(title)
    return Extracted(found=found, title=title, shown=shown, titles=titles, agreed=agreed, **stated)


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
    reader: metalines.MetaReader,
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
    reader = metalines.meta_reader(lexicon)
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
