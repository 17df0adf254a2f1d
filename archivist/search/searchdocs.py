"""What each article gives the search: its tokens per field (title, tags, body),
the key they are kept under, its result entry, and its row of facet numbers."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from archivist.model import Article
from archivist.search.shards import FieldTerms, field_terms
from archivist.search.tokenize import fold, tokenize
from archivist.tag.gazetteer import short_form


class FieldSpec(TypedDict):
    """A field as lunr's builder takes it (``boost`` 1 when not given)."""

    field_name: str
    boost: NotRequired[int]


FIELDS: tuple[FieldSpec, ...] = (
    {"field_name": "title", "boost": 10},
    {"field_name": "tags", "boost": 5},
    {"field_name": "body"},
)


def tag_terms(article: Article) -> list[str]:
    """Regions at every level (full and short names), initiatives, slogans,
    people and source: what a reader may search by besides the text."""
    names: list[str] = []
    for region in article.regions:
        for name in region.names:
            names.append(name)
            short = short_form(name)
            if short:
                names.append(short)
    names.extend(article.initiatives)
    names.extend(article.slogans)
    names.extend(author.name for author in article.authors)
    names.extend(n for n in (article.editor, article.source, article.channel) if n)
    return names


def document(ref: str, article: Article) -> dict[str, Any]:
    return {
        "ref": ref,
        "title": tokenize(article.title),
        "tags": [token for name in tag_terms(article) for token in tokenize(name)],
        "body": [
            token for text in (*article.headings, *article.paragraphs, *article.captions) for token in tokenize(text)
        ],
    }


def result_entries(
    article: Article, url: str, convert: Callable[[str], str], reprinted: int = 0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a result shows, once per script (each page loads its own):
    title, link, date, place, initiatives and the text its snippet is cut
    from; and of a reprinted report's original, its number of reprints."""
    shown = dict(zip("tpix", result_texts(article), strict=True))
    common: dict[str, Any] = {"u": url, "d": article.date[:10] if article.date else ""}
    if reprinted:
        common["r"] = reprinted
    return {**common, **shown}, {**common, **{key: convert(value) for key, value in shown.items()}}


def result_texts(article: Article) -> tuple[str, str, str, str]:
    """A result's title, place, initiatives and text (for its snippet)."""
    place = article.regions[0].names if article.regions else ()
    return (
        article.title,
        " · ".join(place[1:]) or (place[0] if place else ""),
        "、".join(article.initiatives),
        "\n".join([article.title, *article.paragraphs, *article.captions]),
    )


def name_order(name: str) -> tuple[bytes, bytes]:
    """Facet names in the order the browser compares them (folded, by UTF-16
    code units), so that it finds a name's piece by its range."""
    return fold(name).encode("utf-16-be"), name.encode("utf-16-be")


@dataclass(frozen=True)
class Facets:
    """Each facet's values in the order they are numbered in the table:
    places as units (by code: two counties may share a name), each with its
    parent's number, so that a row lists only its deepest places."""

    regions: list[str]  # codes
    region_names: list[str]
    parents: list[int]  # the parent's number, or -1
    initiatives: list[str]

    def names(self) -> dict[str, list[str]]:
        return {"region": self.region_names, "initiative": self.initiatives}


INITIATIVE = "\x00"  # before an initiative's name in the counts: apart from the region codes


def facets_of(ordered: list[Article]) -> Facets:
    """Facet values numbered most common first: the names a result list shows
    (its most common values) then sit in the first pieces of names, not
    in every piece."""
    units: dict[str, tuple[str, str | None]] = {}
    articles: Counter[str] = Counter()
    for article in ordered:
        for region in article.regions:
            for depth, (code, name) in enumerate(zip(region.codes, region.names, strict=True)):
                units.setdefault(code, (name, region.codes[depth - 1] if depth else None))
        articles.update({code for region in article.regions for code in region.codes})
        articles.update({INITIATIVE + name for name in article.initiatives})
    codes = sorted(units, key=lambda code: (-articles[code], name_order(units[code][0]), code))
    number = {code: n for n, code in enumerate(codes)}
    parents = [number.get(parent, -1) if (parent := units[code][1]) is not None else -1 for code in codes]
    initiatives = sorted(
        {name for article in ordered for name in article.initiatives},
        key=lambda name: (-articles[INITIATIVE + name], name_order(name)),
    )
    return Facets(codes, [units[code][0] for code in codes], parents, initiatives)


def table_row(article: Article, numbers: dict[str, dict[str, int]]) -> list[Any]:
    """One document in the table: its year and facet value numbers (for
    filters and counts); no names, so one table serves both scripts."""
    regions = sorted({numbers["region"][region.codes[-1]] for region in article.regions})
    initiatives = sorted({numbers["initiative"][name] for name in article.initiatives})
    return [int(article.year) if article.year and article.year.isdigit() else 0, regions, initiatives]


def terms_key(article: Article) -> str:
    """What an article's search terms are made from (and its date, which its
    result shows)."""
    captions = ["\x02", *article.captions] if article.captions else []
    text = "\x00".join(
        [
            article.date or "",
            article.title,
            *tag_terms(article),
            "\x01",
            *article.headings,
            *article.paragraphs,
            *captions,
        ]
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def article_terms(article: Article) -> tuple[str, list[FieldTerms]]:
    """An article's term data for the index, and the key it is kept under:
    made where the article is read (a worker), so that the build does not
    tokenise it again."""
    tokens = document("", article)
    return terms_key(article), [field_terms(tokens[f["field_name"]]) for f in FIELDS]
