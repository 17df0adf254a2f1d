"""How to cite an article: schema.org JSON-LD and the meta tags reference
managers read (Highwire Press ``citation_*``, Dublin Core), a reference in
GB/T 7714-2015, and RIS and BibTeX records to download.

Everything is made from a ``Citation`` (plain data, part of the article
page's context, so the page's signature covers it), the page's absolute
address (``base_url`` and its path) and the page's script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from archivist.model import Article

SCHEMA_CONTEXT = "https://schema.org"
# Google's Article documentation once capped a headline at 110 characters; a
# longer title is cut there and kept whole as ``name``.
HEADLINE_LIMIT = 110
GBT_MAX_AUTHORS = 3  # GB/T 7714-2015 8.1.2: the first three, then "等"


@dataclass(frozen=True)
class Citation:
    """What a citation of an article is made from."""

    slug: str
    title: str
    date: str | None  # ISO 8601, as the article has it
    source: str | None  # the newspaper or site that published it
    authors: tuple[tuple[str, str], ...]  # (name, role)
    editor: str | None
    original: str | None  # the original's web address, when known
    dateline: str = ""
    keywords: tuple[str, ...] = ()


def web_address(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def citation_of(article: Article) -> Citation:
    places = (region.names[-1] for region in article.regions)
    return Citation(
        slug=article.slug,
        title=article.title,
        date=article.date,
        source=article.source,
        authors=tuple((author.name, author.role) for author in article.authors if author.name),
        editor=article.editor,
        original=web_address(article.url),
        dateline=article.dateline,
        keywords=tuple(dict.fromkeys((*places, *article.initiatives))),
    )


def converted(citation: Citation, convert: Callable[[str], str]) -> Citation:
    """``citation``'s text in another script; its addresses and slug as they
    are.  One call of ``convert`` for all of it (a call costs more than
    converting a field), one per field when a field's line breaks would
    muddle the lines."""
    authors = [part for author in citation.authors for part in author]
    texts = [citation.title, citation.source or "", citation.editor or "", citation.dateline]
    texts += authors + list(citation.keywords)
    lines = convert("\n".join(texts)).split("\n")
    if len(lines) != len(texts):
        lines = [convert(text) for text in texts]
    title, source, editor, dateline = lines[:4]
    names = lines[4 : 4 + len(authors)]
    return replace(
        citation,
        title=title,
        source=source or None,
        editor=editor or None,
        dateline=dateline,
        authors=tuple(zip(names[::2], names[1::2], strict=True)),
        keywords=tuple(lines[4 + len(authors) :]),
    )


def reference_url(citation: Citation, page_url: str) -> str:
    """The address a reference gives: the original's when known, else this archive's page."""
    return citation.original or page_url


def day(date: str | None, separator: str = "-") -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY/MM/DD``) of an ISO date, None when there is none."""
    if not date or not re.match(r"\d{4}-\d{2}-\d{2}", date):
        return None
    return date[:10].replace("-", separator)


def one_line(text: str) -> str:
    """Whitespace runs (line breaks too) as one space: a field of a line-based record stays on its line."""
    return " ".join(text.split())


# -- schema.org ---------------------------------------------------------------


def json_ld(citation: Citation, page_url: str, script: str) -> dict[str, Any]:
    """The article as a schema.org ``NewsArticle``."""
    headline = citation.title
    if len(headline) > HEADLINE_LIMIT:
        headline = headline[: HEADLINE_LIMIT - 1] + "…"
    data: dict[str, Any] = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle",
        "headline": headline,
        "name": citation.title,
        "url": page_url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page_url},
        "inLanguage": script,
    }
    if citation.date:
        data["datePublished"] = citation.date
    if citation.authors:
        data["author"] = [person(name, role) for name, role in citation.authors]
    if citation.editor:
        data["editor"] = person(citation.editor, "")
    if citation.source:
        organization = {"@type": "Organization", "name": citation.source}
        data["publisher"] = organization
        data["sourceOrganization"] = organization
    if citation.original:
        data["isBasedOn"] = citation.original
    if citation.dateline:
        data["dateline"] = citation.dateline
    if citation.keywords:
        data["keywords"] = ", ".join(citation.keywords)
    return data


def person(name: str, role: str) -> dict[str, str]:
    """A byline's name; its role (本报记者, 通讯员, an official's post) as the job title."""
    return {"@type": "Person", "name": name, **({"jobTitle": role} if role else {})}


def script_json(data: Any) -> Markup:
    """JSON for inside a ``<script>`` element: ``<``, ``>`` and ``&``
    escaped, so no text of an article can close the element or open a
    comment; its Chinese as it is (the Traditional page is converted whole)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


# -- meta tags ----------------------------------------------------------------


def meta_tags(citation: Citation, page_url: str, script: str) -> list[tuple[str, str]]:
    """``<meta name content>`` pairs in the order they go in ``<head>``:
    Highwire Press tags (Zotero's Embedded Metadata translator, Google
    Scholar), then Dublin Core.  Zotero takes ``citation_journal_title`` as
    the item's publication (a newspaper's name goes there)."""
    published = day(citation.date, "/")
    address = reference_url(citation, page_url)
    tags = [("citation_title", citation.title)]
    tags += [("citation_author", name) for name, _ in citation.authors]
    if published:
        tags += [("citation_publication_date", published), ("citation_date", published)]
    if citation.source:
        tags.append(("citation_journal_title", citation.source))
    tags += [
        ("citation_language", script),
        ("citation_public_url", address),
        ("citation_fulltext_html_url", page_url),
    ]
    if citation.keywords:
        tags.append(("citation_keywords", "; ".join(citation.keywords)))
    tags.append(("DC.title", citation.title))
    tags += [("DC.creator", name) for name, _ in citation.authors]
    if citation.date:
        tags.append(("DC.date", day(citation.date) or citation.date))
    if citation.source:
        tags.append(("DC.publisher", citation.source))
    tags += [("DC.language", script), ("DC.identifier", page_url)]
    if citation.original:
        tags.append(("DC.source", citation.original))
    return [(name, one_line(value)) for name, value in tags]


# -- GB/T 7714-2015 -----------------------------------------------------------


def gbt7714(citation: Citation, page_url: str) -> str:
    """A newspaper article read online, as GB/T 7714-2015 describes one:
    ``主要责任者. 题名[N/OL]. 报纸名, 出版日期. 获取和访问路径.``  Up to
    three authors, then ``, 等``; no author, the title first; a part that
    is not known is left out.  The citation date (``[引用日期]``) is left
    out too: the page is the same whichever day it is built or read, and
    the reader adds the day they cite it."""
    parts = []
    names = [one_line(name) for name, _ in citation.authors]
    if names:
        shown = ", ".join(names[:GBT_MAX_AUTHORS])
        parts.append(shown + (", 等" if len(names) > GBT_MAX_AUTHORS else ""))
    parts.append(f"{one_line(citation.title)}[N/OL]")
    published = day(citation.date)
    where = ", ".join(value for value in (one_line(citation.source or ""), published or "") if value)
    if where:
        parts.append(where)
    parts.append(reference_url(citation, page_url))
    return ". ".join(parts) + "."


# -- RIS and BibTeX -----------------------------------------------------------


def ris(citation: Citation, page_url: str, script: str) -> str:
    """A RIS record of type ``NEWS`` (T2: the newspaper)."""
    lines = [("TY", "NEWS"), ("TI", citation.title)]
    lines += [("AU", name) for name, _ in citation.authors]
    published = day(citation.date, "/")
    if published:
        lines += [("PY", published[:4]), ("DA", published)]
    if citation.source:
        lines.append(("T2", citation.source))
    lines += [("UR", reference_url(citation, page_url)), ("LA", script)]
    if citation.original:
        lines.append(("L2", page_url))  # the archive's copy beside the original
    lines += [("KW", keyword) for keyword in citation.keywords]
    text = "".join(f"{tag}  - {one_line(value)}\n" for tag, value in lines)
    return text + "ER  - \n"


BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def bibtex_text(value: str) -> str:
    """A field's text with TeX's special characters escaped: braces stay balanced."""
    return BIBTEX_SPECIAL.sub(lambda m: BIBTEX_ESCAPES.get(m[0], "\\" + m[0]), one_line(value))


def bibtex_url(value: str) -> str:
    """An address for a ``url`` field (read verbatim by biblatex and the url
    package): the characters that would unbalance it percent-encoded."""
    return value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex_key(slug: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "-", slug) or "article"


def bibtex(citation: Citation, page_url: str, script: str) -> str:
    """A BibTeX ``@article`` (journal: the newspaper), keyed by the slug;
    biblatex reads ``date``, BibTeX ``year`` and ``month``."""
    fields = [("title", bibtex_text(citation.title))]
    if citation.authors:
        fields.append(("author", " and ".join("{" + bibtex_text(name) + "}" for name, _ in citation.authors)))
    published = day(citation.date)
    if published:
        fields += [("date", published), ("year", published[:4]), ("month", str(int(published[5:7])))]
    if citation.source:
        fields.append(("journal", bibtex_text(citation.source)))
    fields += [("url", bibtex_url(reference_url(citation, page_url))), ("language", script)]
    if citation.keywords:
        fields.append(("keywords", bibtex_text(", ".join(citation.keywords))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@article{{{bibtex_key(citation.slug)},\n{body}\n}}\n"


def download_paths(page_path: str) -> dict[str, str]:
    """The RIS and BibTeX files beside an article's page, by format."""
    stem = page_path.removesuffix(".html")
    return {"ris": stem + ".ris", "bib": stem + ".bib"}


def citation_files(citation: Citation, page_path: str, page_url: str, script: str) -> list[tuple[str, str]]:
    """(path, text) of the RIS and BibTeX files beside the page at ``page_path``."""
    paths = download_paths(page_path)
    return [(paths["ris"], ris(citation, page_url, script)), (paths["bib"], bibtex(citation, page_url, script))]
