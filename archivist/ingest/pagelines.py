"""A saved page's lines through the line stages a text scrape goes through.

Each line is classified (article, metadata, furniture); lines trafilatura left
out between paragraphs it kept are recovered; the classifier and the model
then decide which extracted pieces are the article."""

from __future__ import annotations

import re

from archivist.ingest.media import CAPTION_MARK, caption_like, decorative
from archivist.ingest.pagelayout import PageImage, Piece, squeezed
from archivist.ingest.repair import repair_garbled
from archivist.text import clean, lines, metalines
from archivist.text.lexicon import Lexicon, fold_lines

# What a metadata line holds one of: a date or time, a label's colon, a role,
# a media name (lines in Simplified, punctuation as ASCII).
METADATA_HINT = re.compile(r"\d|:|记者|通讯员|编辑|责编|作者|来源|稿源|出处|发布|日期|时间|审核|摄|报|网|台|社|讯|电")


def classified(
    texts: list[str], lexicon: Lexicon, reader: metalines.MetaReader, warnings: list[str], outer: set[int] | None = None
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
        (n for n, item in enumerate(ordered[kept[-1] + 1 :], kept[-1] + 1) if isinstance(item, str) and item.strip()),
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
                if caption is not None and isinstance(text := ordered[caption], str):
                    ordered[caption] = Piece("p", text)
            continue
        if not isinstance(item, str):
            continue
        if line.kind == lines.PROSE:
            ordered[number] = Piece("p", item)
            continue
        if (
            line.kind == lines.SHORT
            and after is not None
            and after.kind == lines.PROSE  # a heading over prose
            and clean.is_standalone_heading(line.folded, after.folded)
        ):
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
        if isinstance(candidate := ordered[n], Piece)
        and candidate.kind != "img"
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
