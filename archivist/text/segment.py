"""A scrape's lines segmented: each line classified, the article is the densest
run of prose, its title the heading-like line above its metadata or its first
paragraph; the rest is the site around it."""

from __future__ import annotations

from archivist.text import clean, metalines
from archivist.text.lexicon import Lexicon, fold_lines
from archivist.text.lines import (
    BLANK,
    FURNITURE,
    KICKER,
    LIST_HEADING,
    META,
    PROSE,
    RUN_BREAK,
    SHORT,
    Line,
    LineScorer,
    Page,
    classify,
    find_title,
    han_count,
    kept_by_lexicon,
    title_candidates,
)


def runs(lines: list[Line]) -> list[tuple[int, int]]:
    """Runs of the article: prose lines, with what stands between them, up
    to a list heading or ``RUN_BREAK`` short lines between two prose lines
    (a list of other headlines)."""
    found: list[tuple[int, int]] = []
    start: int | None = None
    end = 0  # set with start
    shorts = 0
    for index, line in enumerate(lines):
        if line.kind == PROSE:
            if start is None:
                start = index
            end = index
            shorts = 0
        elif line.kind == LIST_HEADING or (line.kind == SHORT and (shorts := shorts + 1) >= RUN_BREAK):
            if start is not None:
                found.append((start, end))
            start, end = None, 0
            shorts = 0
    if start is not None:
        found.append((start, end))
    return found


def weight(lines: list[Line], run: tuple[int, int]) -> int:
    return sum(han_count(line.folded) for line in lines[run[0] : run[1] + 1] if line.kind == PROSE)


def segment(text: str, lexicon: Lexicon, scorer: LineScorer | None = None) -> Page:
    """Classify the lines of a scrape and find its article and title; the
    ``scorer`` (a learned model) has the last word on the lines kept."""
    reader = metalines.meta_reader(lexicon)
    lines = []
    raw_lines = text.split("\n")
    for number, (raw, folded) in enumerate(zip(raw_lines, fold_lines(raw_lines), strict=True)):
        stripped = raw.strip()
        line = Line(number, raw, folded)
        if not stripped:
            line.kind = BLANK
        else:
            classify(line, lexicon, reader)
        lines.append(line)
    page = Page(lines)
    found = runs(lines)
    if not found:
        page.title, page.title_text = find_title(lines, len(lines))
        return drop_rest(page, set())
    best = max(found, key=lambda run: weight(lines, run))
    start, end = best
    # A title that ends in ！ or ？ reads as prose: it heads the run, short,
    # with metadata right under it.
    first = lines[start]
    following = next((line for line in lines[start + 1 :] if line.kind not in (BLANK, FURNITURE)), None)
    if len(first.folded) <= 40 and not clean.CLAUSE_MARK.search(first.folded) and following and following.kind == META:
        first.kind = SHORT
        start = following.number
    page.title, page.title_text = find_title(lines, start)
    chosen = scorer.headline(page, title_candidates(lines, start), start, []) if scorer is not None else None
    if chosen is not None:
        page.title, page.title_text = lines[chosen], None
    start = lead_in(lines, start, page.title)
    body = {
        line.number for line in lines[start : end + 1] if line.kind in (PROSE, SHORT, BLANK) and line is not page.title
    }
    if scorer is not None:
        # A column banner between the metadata and the first paragraph is the
        # article's own (``lead_in``): the rules' reading of it stands.
        first_paragraph = first_prose(lines, body)
        candidates = sorted(
            n
            for n in body
            if lines[n].kind in (PROSE, SHORT)
            and not kept_by_lexicon(lines[n])
            and not (KICKER.match(lines[n].folded) and n < first_paragraph)
        )
        for number, reason in scorer.dropped(page, candidates, "text").items():
            body.discard(number)
            lines[number].kind, lines[number].reason = FURNITURE, reason
    page.body = [line for line in lines if line.number in body]
    return drop_rest(page, body)


def first_prose(lines: list[Line], body: set[int]) -> int:
    return min((n for n in body if lines[n].kind == PROSE), default=len(lines))


def lead_in(lines: list[Line], start: int, title: Line | None) -> int:
    """Short lines between the title's metadata and the first paragraph (a
    column banner, a subtitle) belong to the article."""
    floor = title.number + 1 if title else start
    metas = [line.number for line in lines[floor:start] if line.kind == META]
    floor = max([floor, *(number + 1 for number in metas)])
    index = start
    while index > floor and lines[index - 1].kind in (SHORT, BLANK, FURNITURE):
        index -= 1
    return index if any(line.kind == SHORT for line in lines[index:start]) else start


def drop_rest(page: Page, body: set[int]) -> Page:
    for line in page.lines:
        if line.number in body or line is page.title or line.kind in (BLANK, META):
            continue
        if line.kind in (PROSE, SHORT):
            line.kind, line.reason = FURNITURE, "rule: outside the article's main text"
        page.dropped.append((line.text.strip(), line.reason))
    return page
