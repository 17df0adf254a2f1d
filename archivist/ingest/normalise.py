"""One content file to one Article: the per-article stages in order.

read -> repair -> clean -> extract -> Simplified.  Everything here is a pure
function of the file's bytes, so results can be cached by content hash and run
in any worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

import markdown
import nh3

from archivist.ingest.aliases import front_matter_aliases
from archivist.ingest.media import markdown_images, web_images_warning
from archivist.ingest.read import RawArticle, ReadError
from archivist.ingest.repair import repair_garbled
from archivist.ingest.webpage import normalise_webpage
from archivist.model import Article, Author
from archivist.text import clean, extract, lines, metalines
from archivist.text.clean import Block
from archivist.text.lexicon import Lexicon, package_lexicon
from archivist.text.linemodel import shipped_model
from archivist.text.script import detect_script, to_simplified, to_simplified_lines
from archivist.text.segment import segment
from archivist.text.slug import clean_slug, make_slug

# The version of reading, repairing, cleaning, extracting and tagging a file (read, repair, clean, extract,
# lines, webpage, tag, slogans...): bump it when any of them changes what an Article holds, and every file is
# read again (the build state keeps what this stage made per version).
VERSION = 1


def normalise_scraped(
    raw: RawArticle, lexicon: Lexicon | None = None, scorer: lines.LineScorer | None = None
) -> Article:
    lexicon = lexicon or package_lexicon()
    scorer = scorer or shipped_model()
    warnings: list[str] = []
    repaired = repair_garbled(raw.text)
    if repaired.recovered or repaired.lost:
        warnings.append(
            f"garbled GBK spans repaired: {repaired.recovered} characters recovered, {repaired.lost} lost (shown as □)"
        )
    text = clean.remove_pinyin_notes(repaired.text)
    page = segment(text, lexicon, scorer)
    body = "\n".join(line.text for line in page.body)
    original = [clean.restore_fullwidth_punctuation(p) for p in clean.split_paragraphs(body)]
    paragraphs = to_simplified_lines(original)
    if not any(clean.is_prose(paragraph) for paragraph in paragraphs):
        raise ReadError(lines.NO_ARTICLE_TEXT, lines.refused_lines(page))
    reader = metalines.meta_reader(lexicon)
    meta, dateline = lines.article_metadata(page, paragraphs, reader)
    blocks = clean.to_blocks(paragraphs)
    title_original = page.title.text.strip() if page.title else page.title_text
    channel, title = (None, None)
    if title_original:
        channel, title = extract.split_channel(clean.normalise_space(to_simplified(title_original)))
    derived = not title
    if not title:
        title = extract.derive_title([b.text for b in blocks if b.kind == "p"])
        warnings.append(f"no title line found (field 'title'); derived title {title!r} from the first sentence")
    if meta.date is None:
        warnings.append("no date found (field 'date')")
    if meta.source is None:
        warnings.append("no source found (field 'source')")
    original_text = "\n\n".join([clean.normalise_space(title_original or ""), *original]).strip()
    return Article(
        path=raw.path,
        kind=raw.kind,
        encoding=raw.encoding,
        script=detect_script(text),
        title=title,
        title_derived=derived,
        channel=channel,
        date=meta.date,
        source=meta.source,
        authors=tuple(meta.authors),
        editor="、".join(meta.editors) or None,
        slug=make_slug(title, meta.date),
        blocks=tuple(blocks),
        original_text=original_text,
        warnings=tuple(warnings),
        dateline=dateline.text if dateline else "",
        dropped=tuple(page.dropped),
    )


FENCE = re.compile(r"^(```|~~~)")


def markdown_blocks(text: str) -> list[str]:
    """Blank-line separated blocks, keeping fenced code whole."""
    blocks: list[str] = []
    current: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if FENCE.match(line.strip()):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption", "figure", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip


@cache
def markdown_converter() -> markdown.Markdown:
    # Building the parser costs more than converting a paragraph: keep one.
    return markdown.Markdown(extensions=["tables", "fenced_code"], output_format="html")


IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")


def markdown_to_html(source: str, warnings: list[str] | None = None, remote: list[str] | None = None) -> str:
    """Markdown with its raw HTML passed through an allow-list sanitiser, and
    no image loaded from the web (each one's address goes to ``remote``) or
    from outside the content folder (named in ``warnings``); an image
    without alt text gets an empty one (decorative), as screen readers
    otherwise read out its file name."""
    html = markdown_converter().reset().convert(source)
    html = nh3.clean(html, tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto"}, link_rel="noopener")
    if "<img" in html:
        html = markdown_images(html, [] if warnings is None else warnings, [] if remote is None else remote)
    return IMG_WITHOUT_ALT.sub('<img alt=""', html)


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
FRONT_MATTER_KEYS = (
    "title", "date", "source", "authors", "author", "editor", "channel", "slug", "regions", "initiatives", "draft",
    "aliases",
)  # fmt: skip


def normalise_markdown(raw: RawArticle) -> Article:
    warnings: list[str] = []
    front = raw.front_matter
    for key in front:
        if key not in FRONT_MATTER_KEYS:
            warnings.append(
                f"front matter key {key!r} is not one this tool reads (known: {', '.join(FRONT_MATTER_KEYS)})"
            )
    blocks: list[Block] = []
    remote: list[str] = []  # images on the web, one warning for all
    title = None
    for source in markdown_blocks(to_simplified(raw.text)):
        heading = HEADING.match(source.strip()) if "\n" not in source.strip() else None
        if heading and title is None and source.lstrip().startswith("# "):
            title = heading.group(1)
            continue
        if heading:
            blocks.append(Block("h", heading.group(1)))
            continue
        html = markdown_to_html(source, warnings, remote)
        text = plain_text(html)
        if text:
            blocks.append(Block("p", text, html))
    if remote:
        warnings.append(web_images_warning(remote, "shown as a link"))
    title = string_field(front, "title") or title
    derived = False
    if not title:
        title, derived = extract.derive_title([b.text for b in blocks if b.kind == "p"]), True
        warnings.append(f"no title in front matter or heading; derived title {title!r}")
    warnings += front_matter_aliases(front.get("aliases"))[1]
    date = date_field(front)
    if date is None:
        warnings.append("no date in front matter (field 'date'); published undated")
    slug = clean_slug(string_field(front, "slug") or "") or make_slug(title, date)
    return Article(
        path=raw.path,
        kind=raw.kind,
        encoding=raw.encoding,
        script=detect_script(raw.text),
        title=to_simplified(title),
        title_derived=derived,
        channel=simplified_field(front, "channel"),
        date=date,
        source=simplified_field(front, "source"),
        authors=authors_field(front),
        editor=simplified_field(front, "editor"),
        slug=slug,
        blocks=tuple(blocks),
        original_text=raw.text.strip(),
        warnings=tuple(warnings),
        draft=bool_field(front, "draft"),
        front_matter=dict(front),
    )


def string_field(front: dict[str, Any], key: str) -> str | None:
    value = front.get(key)
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        text = str(value).strip()
        return text or None
    raise ReadError(f"front matter {key!r} must be text, not {type(value).__name__}")


def simplified_field(front: dict[str, Any], key: str) -> str | None:
    """A shown field, in Simplified like everything extracted (the
    Traditional pages convert it back)."""
    value = string_field(front, key)
    return to_simplified(value) if value else None


def bool_field(front: dict[str, Any], key: str) -> bool:
    value = front.get(key, False)
    if not isinstance(value, bool):
        raise ReadError(f"front matter {key!r} must be true or false, not {value!r}")
    return value


def date_field(front: dict[str, Any]) -> str | None:
    value = front.get("date")
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    parsed = extract.parse_date(str(value))
    if parsed is None:
        raise ReadError(f"front matter 'date': cannot read {value!r} as a date")
    return parsed


def authors_field(front: dict[str, Any]) -> tuple[Author, ...]:
    value = front.get("authors", front.get("author"))
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    authors = []
    for item in items:
        if isinstance(item, str):
            authors.append(Author(name=to_simplified(item.strip()), role="作者"))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            authors.append(
                Author(name=to_simplified(item["name"]), role=to_simplified(str(item.get("role") or "作者")))
            )
        else:
            raise ReadError(f"front matter 'authors': each entry must be a name or {{name, role}}, not {item!r}")
    return tuple(authors)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def normalise(
    raw: RawArticle, data_hash: str = "", lexicon: Lexicon | None = None, exists: Callable[[str], bool] = os.path.isfile
) -> Article:
    if raw.kind == "html":
        article = normalise_webpage(raw.path, raw.text, raw.encoding, lexicon, exists)
        # What a page shows depends on the images found beside it, too.
        shown = "\0".join(block.src for block in article.blocks if block.kind == "figure")
        data_hash = hashlib.sha256(f"{data_hash}\0{shown}".encode()).hexdigest()[:16] if shown else data_hash
    elif raw.kind == "md":
        article = normalise_markdown(raw)
    else:
        article = normalise_scraped(raw, lexicon)
    return replace(article, content_hash=data_hash)
