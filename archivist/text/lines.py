"""A scraped page, line by line: which lines are the article, which are its
metadata, and which are the site around it.

The same idea as jusText or trafilatura for HTML, on lines of text: each line
is classified from general signals (a lexicon of furniture phrases and
metadata labels, length, clause punctuation, separator density), the article
is the densest run of prose, and its title is the heading-like line above its
metadata or its first paragraph (``segment`` finds the run and the title;
this module holds the lines, their classes and the metadata they give).
Nothing here names a site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from archivist.model import Author
from archivist.text import clean, datelines, extract, metalines
from archivist.text.lexicon import Lexicon

# Kinds of line.
PROSE, SHORT, META, FURNITURE, LIST_HEADING, BLANK = "prose", "short", "meta", "furniture", "list-heading", "blank"
MAX_RESIDUE_HAN = 2  # a metadata line leaves at most this much unexplained text
RUN_BREAK = 3  # this many short lines in a row, between prose, end a run of the article
KEPT = "kept by the lexicon"
NO_ARTICLE_TEXT = "no article text: only page furniture (menus, labels, link or place lists) left after cleaning"
NOT_PROSE = "rule: not prose (no paragraph of the article is left)"
MENU_SEPARATORS = re.compile(r"\s*(?:[|｜丨/·•\t]|\s{2,}|\u3000|\s[-–—]\s)\s*")  # a tab: a table's cells, copied


@dataclass(slots=True)  # a long page has a million of them
class Line:
    number: int
    text: str  # as in the file, trimmed
    folded: str  # Simplified, separators as ASCII
    kind: str = SHORT
    reason: str = ""
    meta: metalines.MetaLine | None = None
    element: str = ""  # a saved page's line: the kind of element it came from ("p", "h", "li", "row")
    caption: bool = False  # a saved page's line its markup marks as an image's caption


@dataclass
class Page:
    """What the lines of one scrape were found to be."""

    lines: list[Line]
    body: list[Line] = field(default_factory=list)
    title: Line | None = None
    title_text: str | None = None  # when it came from a glued meta line
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (line, why)


def han_count(text: str) -> int:
    return len(clean.HAN_CHAR.findall(text))


def is_menu(folded: str) -> bool:
    """A row of short items: channel menus, tool bars, place lists."""
    items = [item for item in MENU_SEPARATORS.split(folded) if item.strip()]
    if len(items) < 3 or clean.CLAUSE_MARK.search(folded) or clean.FULL_STOP.search(folded):
        return False
    return sum(len(item) <= 8 for item in items) / len(items) >= 0.75


def classify(line: Line, lexicon: Lexicon, reader: metalines.MetaReader) -> None:
    line.kind, line.reason, line.meta = classification(lexicon, reader, line.folded)


@lru_cache(maxsize=32_768)  # sites repeat their menus, footers and labels on every page
def classification(
    lexicon: Lexicon, reader: metalines.MetaReader, folded: str
) -> tuple[str, str, metalines.MetaLine | None]:
    """What a folded line is: its kind, why, and what it says if metadata
    (shared between equal lines: nothing changes a line's reading later)."""
    line = Line(0, folded, folded)
    _classify(line, lexicon, reader)
    return line.kind, line.reason, line.meta


def _classify(line: Line, lexicon: Lexicon, reader: metalines.MetaReader) -> None:
    folded = line.folded
    if lexicon.kept(folded):
        line.kind, line.reason = PROSE if clean.is_prose(folded) else SHORT, KEPT
        return
    if lexicon.is_list_heading(folded):
        line.kind, line.reason = LIST_HEADING, "heading of a list of other articles"
        return
    reason = lexicon.furniture_reason(folded)
    if reason:
        line.kind, line.reason = FURNITURE, reason
        return
    name = folded.strip(" .。·")
    if reader.is_media_name(name) and len(name.split()) == 1 and not reader.matches(name):
        line.kind, line.reason = FURNITURE, "rule: name of a paper or site"
        return
    office = extract.parse_office_byline(folded)
    if office:
        line.kind, line.reason = META, "office and name of a signed article"
        line.meta = metalines.MetaLine(authors=[office])
        return
    if not clean.is_prose(folded) or len(folded) <= 120:
        meta = reader.read(line.folded)
        found = meta.dates or meta.labels or meta.authors or meta.weak_source
        if found and han_count(meta.residue) <= MAX_RESIDUE_HAN:
            line.kind, line.reason, line.meta = META, "metadata", meta
            return
        if meta.title_prefix and han_count(meta.residue) <= MAX_RESIDUE_HAN:
            line.kind, line.reason, line.meta = META, "title glued to its metadata", meta
            return
        celled = cells_meta(folded, reader)
        if celled is not None:
            line.kind, line.reason, line.meta = META, "metadata, in cells beside page tools", celled
            return
    for rule, test in (
        ("breadcrumb", clean.is_breadcrumb),
        ("list of links", clean.is_link_list),
        ("menu or tool bar", is_menu),
    ):
        if test(folded):
            line.kind, line.reason = FURNITURE, f"rule: {rule}"
            return
    if clean.is_prose(folded):
        line.kind = PROSE
        return
    if clean.is_share_widget(folded):
        line.kind, line.reason = FURNITURE, "rule: share widget"
        return
    if not clean.HAN_CHAR.search(folded) and not re.search(r"[A-Za-z]{3}", folded):
        line.kind, line.reason = FURNITURE, "rule: no words"


CELL_BREAK = re.compile(r"\t+|\s{2,}|\u3000+|\s*--|\s·\s")  # a copied table's cells, a tool bar's items
MAX_TOOL_HAN = 6  # a cell beside the metadata with no metadata: a page tool (我来说两句(0), 发表评论)


def cells_meta(folded: str, reader: metalines.MetaReader) -> metalines.MetaLine | None:
    """A metadata line laid out in cells beside the page's tools (an info
    bar copied from a table: 时间:… 作者:… <tab> 我来说两句(0)): its cells
    read one by one, the short ones with no metadata set aside."""
    cells = [cell for cell in CELL_BREAK.split(folded) if cell.strip()]
    if len(cells) < 2:
        return None
    found = metalines.MetaLine()
    for cell in cells:
        meta = reader.read(cell)
        # A cell may name its channel beside the date (同人连载 2022-02-14 03:01).
        if (meta.dates or meta.labels or meta.authors) and han_count(meta.residue) <= MAX_TOOL_HAN - 2:
            found.dates += meta.dates
            found.source = found.source or meta.source
            found.weak_source = found.weak_source or meta.weak_source
            found.authors += meta.authors
            found.editors += meta.editors
            found.labels += meta.labels
        elif han_count(cell) > MAX_TOOL_HAN:
            return None
    return found if found.dates or found.labels else None


SITE_NAME = re.compile(r"(?:网站|门户网站|门户网|电子版|首页|官网|客户端|频道)$|>")
KICKER = re.compile(r"^[【\[][^】\]]+[】\]]$")  # a column banner, 【乡村振兴看一线】


def title_like(line: Line) -> bool:
    """A heading-like line; one that ends in ！ or ？ reads as prose but is
    short and has no clauses."""
    exclaimed = line.kind == PROSE and len(line.folded) <= 40 and not clean.CLAUSE_MARK.search(line.folded)
    return (
        (line.kind == SHORT or exclaimed)
        and han_count(line.folded) >= 4
        and len(line.folded) <= 90
        and not line.folded.endswith(("。", ":", "；"))
        and not KICKER.match(line.folded)
        and "\t" not in line.text.strip()  # cells of a layout table, not one heading
    )


def title_score(line: Line, following: list[Line | None], last_title_like: int) -> tuple[int, int]:
    """Titles are the longest heading-like line of the header, next to the
    metadata or the article; site names and section paths are not.
    ``following``: each line's next shown line above the article;
    ``last_title_like``: the number of the header's last heading-like line."""
    score = min(han_count(line.folded), 40)
    neighbour = following[line.number]
    if neighbour is None or neighbour.kind == META:
        score += 6
        if neighbour and neighbour.meta and neighbour.meta.dates and last_title_like <= neighbour.number:
            score += 12  # the headline sits right above its date line, with none nearer the article
    if SITE_NAME.search(line.folded):
        score -= 12
    return score, line.number


def shown_after(lines: list[Line], start: int) -> list[Line | None]:
    """For each line above ``start``, the next one up to it that is neither
    blank nor furniture (None: the article's first line follows).  One pass
    from the end: looking ahead from each candidate was quadratic on a
    scrape of thousands of heading-like lines."""
    following: list[Line | None] = [None] * start
    nearest = None
    for number in range(start - 1, -1, -1):
        following[number] = nearest
        if lines[number].kind not in (BLANK, FURNITURE):
            nearest = lines[number]
    return following


def find_title(lines: list[Line], start: int) -> tuple[Line | None, str | None]:
    """The best heading-like line above the article; a title glued to a
    metadata line when there is none."""
    candidates = [line for line in lines[:start] if title_like(line)]
    if candidates:
        following = shown_after(lines, start)
        last = candidates[-1].number
        best = max(candidates, key=lambda line: title_score(line, following, last))
        if title_score(best, following, last)[0] >= 5:
            return best, None
    for line in lines[:start]:
        if line.kind == META and line.meta and line.meta.title_prefix:
            return None, line.meta.title_prefix
    return (candidates[-1], None) if candidates else (None, None)


def kept_by_lexicon(line: Line) -> bool:
    return line.reason == KEPT


class LineScorer(Protocol):
    """The learned models (``linemodel.Models``): which of the lines the
    rules kept are not article after all, each with why, and which line
    above the article is its headline."""

    def dropped(self, page: Page, candidates: list[int], form: str) -> dict[int, str]: ...

    def headline(self, page: Page, candidates: list[int], start: int, titles: list[str]) -> int | None:
        """Which of ``candidates`` (lines above the article) is its headline,
        or None to leave it to the rules."""
        ...


def title_candidates(lines: list[Line], start: int, window: int = 40) -> list[int]:
    """Lines above the article that could be its headline: words, not too long."""
    return [
        line.number
        for line in lines[max(0, start - window) : start]
        if line.kind not in (BLANK, META) and han_count(line.folded) >= 1 and len(line.folded) <= 120
    ]


@dataclass
class Metadata:
    """The fields the metadata lines give, each from the best line."""

    date: str | None = None
    source: str | None = None
    authors: list[Author] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)


def article_metadata(
    page: Page, paragraphs: list[str], reader: metalines.MetaReader
) -> tuple[Metadata, datelines.Dateline | None]:
    """The fields of the metadata lines, the dateline opening the first
    paragraph, and, when nothing else names an author, the names signed in
    brackets at the end of the last."""
    dateline = datelines.read_dateline(paragraphs[0], reader)
    found = gather(page, dateline)
    if not found.authors:
        found.authors = datelines.read_signature(paragraphs[-1])
    return found, dateline


def gather(page: Page, dateline: datelines.Dateline | None) -> Metadata:
    """Labelled dates before unlabelled ones, dates with a time before dates
    without, the first found before later ones; a labelled source before a
    media name beside a date, before a dateline's agency."""
    found = Metadata()
    dates: list[tuple[int, bool, int, str]] = []
    weak_sources: list[str] = []
    known: set[str] = set()
    for line in page.lines:
        meta = line.meta
        if line.kind != META or meta is None:
            continue
        for priority, date in meta.dates:
            dates.append((priority, "T" in date, -line.number, date))
        if meta.source and found.source is None:
            found.source = meta.source
        if meta.weak_source:
            weak_sources.append(meta.weak_source)
        for author in meta.authors:
            if author.name not in known:
                known.add(author.name)
                found.authors.append(author)
        found.editors.extend(e for e in meta.editors if e not in found.editors)
    if dateline:
        for author in dateline.authors:
            if author.name not in known:
                known.add(author.name)
                found.authors.append(author)
    if dates:
        found.date = max(dates)[3]
    if found.source is None:
        found.source = next(iter(weak_sources), None) or (dateline.agency if dateline else None)
    return found


def refused_lines(page: Page) -> tuple[tuple[str, str], ...]:
    """Of a file refused as having no article text: every line, in order,
    with why it is not the article's (what ``inspect`` shows)."""
    why = dict(page.dropped)
    found = []
    for line in page.lines:
        text = line.text.strip()
        if not text:
            continue
        if text in why:
            found.append((text, why[text]))
        elif line is page.title:
            found.append((text, "rule: title line, with no article text under it"))
        elif line.kind == META:
            found.append((text, "rule: metadata line"))
        else:
            found.append((text, NOT_PROSE))
    return tuple(found)
