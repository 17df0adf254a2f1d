"""The client-side search index: lunr's format, built here, loaded by lunr.js.

Everything is written as ``.js`` files that set a global, so the search page
loads them with ``<script>`` tags and works from ``file://`` as well as over
HTTP.  Fields are pre-tokenised with our own tokeniser and the lunr pipelines
are left empty, so the serialised index names no function lunr.js lacks.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lunr.builder import Builder
from lunr.query import Query, QueryPresence

from .gazetteer import short_form
from .model import Article
from .script import to_traditional
from .shards import (
    LUNR_VERSION,
    Change,
    Field,
    FieldTerms,
    Shard,
    field_terms,
    payload_terms,
    postings_from_terms,
    shard_name,
    shard_payload,
    split,
    term_changes,
    term_size,
    update_shards,
)
from .slug import bucket
from .tokenize import fold, fold_map, query_terms, tokenize

FIELDS = ({"field_name": "title", "boost": 10}, {"field_name": "tags", "boost": 5}, {"field_name": "body"})


class SearchAssetError(Exception):
    """A browser library the site needs is missing."""


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


def build_index(documents: list[dict[str, Any]]) -> Any:
    builder = Builder()  # no stemmer, stop words or trimmer: tokens are final
    builder.ref("ref")
    for field in FIELDS:
        builder.field(**field)
    for doc in documents:
        builder.add(doc)
    return builder.build()


def result_entry(article: Article, url: str, convert: Callable[[str], str]) -> dict[str, Any]:
    """What a result shows, in both scripts: title, link, date, place,
    initiatives and the text its snippet is cut from."""
    shown = dict(zip("tpix", result_texts(article), strict=True))
    return {
        "u": url,
        "d": article.date[:10] if article.date else "",
        **shown,
        **{key.upper(): convert(value) for key, value in shown.items()},
    }


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


def facets_of(ordered: list[Article]) -> Facets:
    units: dict[str, tuple[str, str | None]] = {}
    for article in ordered:
        for region in article.regions:
            for depth, (code, name) in enumerate(zip(region.codes, region.names, strict=True)):
                units.setdefault(code, (name, region.codes[depth - 1] if depth else None))
    codes = sorted(units, key=lambda code: (name_order(units[code][0]), code))
    number = {code: n for n, code in enumerate(codes)}
    parents = [number.get(units[code][1], -1) for code in codes]
    initiatives = sorted({name for article in ordered for name in article.initiatives}, key=name_order)
    return Facets(codes, [units[code][0] for code in codes], parents, initiatives)


def table_row(article: Article, lengths: list[int], numbers: dict[str, dict[str, int]]) -> list[Any]:
    """One document in the table: its field lengths (for scores), year and
    facet value numbers (for counts); no names, so one table serves both scripts."""
    regions = sorted({numbers["region"][region.codes[-1]] for region in article.regions})
    initiatives = sorted({numbers["initiative"][name] for name in article.initiatives})
    return [*lengths, int(article.year) if article.year and article.year.isdigit() else 0, regions, initiatives]


def js_literal(data: object) -> str:
    # ``</`` is escaped so no string can end a script element early.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def as_script(variable: str, data: object) -> str:
    return f"window.{variable}={js_literal(data)};\n"


SHARD_BUDGET = 6000  # postings per shard (one document in one field each)
TABLE_CHUNK = 250  # documents per table file (field lengths and facet numbers)
NAME_PIECE = 500  # facet value names per file
DOCS_FOLDER = 1000  # result files per folder


@dataclass(frozen=True)
class SearchState:
    """What the next build needs to patch the index instead of making it
    again: the documents in ref order, what each one's terms were made
    from, and where the shards were cut."""

    slugs: tuple[str, ...]
    keys: tuple[str, ...]
    shards: list[Shard]
    budget: int


@dataclass(frozen=True)
class SearchFiles:
    files: dict[str, str]  # relative path -> text
    kept: list[str]  # files the last build wrote that stay as they are (shards, text stores)
    state: SearchState
    # The shards and result files to write, each made as it is asked for: a
    # whole archive's postings and texts are never held as text all at once.
    later: Callable[[], Iterator[tuple[str, str]]] = lambda: iter(())

    def all_files(self) -> dict[str, str]:
        return {**self.files, **dict(self.later())}


class ShardMissing(Exception):
    """A shard the last build wrote cannot be read back."""


def search_documents(articles: list[Article]) -> tuple[list[Article], Callable[[], Iterator[dict[str, Any]]]]:
    """Articles in ref order, and a way to tokenise them one at a time."""
    ordered = sorted(articles, key=lambda a: a.slug)
    return ordered, lambda: (document(str(n), article) for n, article in enumerate(ordered))


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


def shard_path(name: str) -> str:
    return f"search/shards/{bucket(name)}/{name}.js"


def doc_path(ref: int) -> str:
    return f"search/docs/{ref // DOCS_FOLDER}/{ref}.js"


def read_shard(text: str) -> dict[str, Any]:
    """A shard file's postings, as ``register`` wrote them."""
    try:
        return payload_terms(json.loads(text[text.index("]=") + 2 :].rstrip().rstrip(";")))
    except (ValueError, TypeError, IndexError) as error:  # not a shard this version wrote
        raise ShardMissing(str(error)) from None


def search_files(
    articles: list[Article],
    url_of: Any,
    budget: int = SHARD_BUDGET,
    terms: dict[str, list[FieldTerms]] | None = None,
    previous: SearchState | None = None,
    load: Callable[[str], str] | None = None,
    convert: Callable[[str], str] = to_traditional,
    present: Callable[[str], bool] = lambda path: False,
    release: Callable[[], None] = lambda: None,
) -> SearchFiles:
    """The term-sharded index, the document table in chunks, facet names in
    pieces, a file per result (both scripts, ``convert`` making the
    Traditional) and the fold map, as scripts setting globals.
    ``terms`` caches each article's term data between builds; with the last
    build's ``previous`` state and a way to ``load`` its shard files, only the
    shards whose postings changed are made again, and a result file that is
    still ``present`` and shows the same is kept.  ``release`` is called once
    the cache holds what this build used and may let it go: the postings are
    then made from each article's term data as it is let go too, so that a
    whole archive's term data and postings are not held at once."""
    ordered = sorted(articles, key=lambda a: a.slug)
    cache = terms if terms is not None else {}
    per_article: list[list[FieldTerms] | None] = []
    keys = []
    for article in ordered:
        key = terms_key(article)
        if key not in cache:  # tokenised once per text
            cache[key] = article_terms(article)[1]
        keys.append(key)
        per_article.append(cache[key])
    fields = [Field(f["field_name"], f.get("boost", 1)) for f in FIELDS]
    state = SearchState(tuple(a.slug for a in ordered), tuple(keys), [], budget)
    patched = None
    if previous and load and previous.shards and (previous.slugs, previous.budget) == (state.slugs, budget):
        patched = patch_index(previous, state, cache, load)
    if terms is not None:  # keep what this build used, and only that
        used = {key: cache[key] for key in keys}
        terms.clear()
        terms.update(used)
        del used
    lengths = [array("I", (terms[position].length for terms in per_article)) for position in range(len(fields))]
    release()
    if patched is None:
        postings = postings_from_terms(per_article, fields)
        groups = split(postings, budget)
        shards = [Shard(g[0], g[-1], term_size(postings.docs[g[0]])) for g in groups]
        payloads: Mapping[str, list[Any]] = LazyPayloads(postings.docs, {shard_name(g[0]): g for g in groups})
    else:
        shards, payloads = patched
    del per_article
    state = SearchState(state.slugs, state.keys, shards, budget)
    facets = facets_of(ordered)
    names = facets.names()
    numbers = {
        "region": {code: n for n, code in enumerate(facets.regions)},
        "initiative": {name: n for n, name in enumerate(facets.initiatives)},
    }
    directory = {
        "version": LUNR_VERSION,
        "fields": [f.name for f in fields],
        "boosts": [f.boost for f in fields],
        "documents": len(ordered),
        "lengths": [sum(values) for values in lengths],
        "tableChunk": TABLE_CHUNK,
        "docsFolder": DOCS_FOLDER,
        "namePiece": NAME_PIECE,
        # Per facet, each piece's first and last folded name: a name in a
        # link (?region=...) is found by loading the piece its range holds.
        "names": {
            kind: [[fold(values[at]), fold(values[min(at + NAME_PIECE, len(values)) - 1])]
                   for at in range(0, len(values), NAME_PIECE)]
            for kind, values in names.items()
        },
        "parents": {"region": facets.parents},
        "shards": [[shard.first, shard.last] for shard in shards],
    }  # fmt: skip
    files = {
        "search/index.js": as_script("ARCHIVE_SEARCH", directory),
        "search/fold.js": as_script("ARCHIVE_FOLD", dict(sorted(fold_map().items()))),
    }
    kept = [shard_path(shard_name(s.first)) for s in shards if shard_name(s.first) not in payloads]
    for start in range(0, len(ordered), TABLE_CHUNK):
        rows = [
            table_row(ordered[ref], [values[ref] for values in lengths], numbers)
            for ref in range(start, min(start + TABLE_CHUNK, len(ordered)))
        ]
        files[f"search/table/{start // TABLE_CHUNK}.js"] = register("ARCHIVE_TABLE", str(start // TABLE_CHUNK), rows)
    for kind, values in names.items():
        for at in range(0, len(values), NAME_PIECE):
            piece = f"{kind}-{at // NAME_PIECE}"
            files[f"search/names/{piece}.js"] = register("ARCHIVE_NAMES", piece, values[at : at + NAME_PIECE])
            hant = [convert(value) for value in values[at : at + NAME_PIECE]]
            files[f"search/names-hant/{piece}.js"] = register("ARCHIVE_NAMES", piece, hant)
    same_refs = previous is not None and previous.slugs == state.slugs
    made_refs = []
    for ref in range(len(ordered)):
        # The key covers everything a result shows.
        if same_refs and previous.keys[ref] == keys[ref] and present(doc_path(ref)):
            kept.append(doc_path(ref))
        else:
            made_refs.append(ref)

    def later() -> Iterator[tuple[str, str]]:
        for name in payloads:
            yield shard_path(name), register("ARCHIVE_SHARDS", name, payloads[name])
        for ref in made_refs:  # results too are made as they are written
            entry = result_entry(ordered[ref], url_of(ordered[ref]), convert)
            yield doc_path(ref), register("ARCHIVE_DOCS", str(ref), entry)

    return SearchFiles(files, kept, state, later)


class LazyPayloads(Mapping[str, list[Any]]):
    """Shard payloads by name, each made from the postings when read."""

    def __init__(self, docs: dict[str, Any], groups: dict[str, list[str]]) -> None:
        self.docs, self.groups = docs, groups

    def __getitem__(self, name: str) -> list[Any]:
        return shard_payload(self.docs, self.groups[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)


def patch_index(
    previous: SearchState, state: SearchState, cache: dict[str, list[FieldTerms]], load: Callable[[str], str]
) -> tuple[list[Shard], dict[str, list[Any]]] | None:
    """The shards after changing the postings of the documents whose terms
    changed, or None when the last build's shards cannot be read back."""
    changes: dict[str, Change] = {}
    for ref, (old, new) in enumerate(zip(previous.keys, state.keys, strict=True)):
        if old != new:
            if old not in cache:
                return None
            term_changes(cache[old], cache[new], ref, changes)
    if not changes:
        return previous.shards, {}
    try:
        return update_shards(previous.shards, changes, lambda name: read_shard(load(shard_path(name))), state.budget)
    except (OSError, ShardMissing):
        return None


def register(variable: str, key: str, data: object) -> str:
    return f"(window.{variable}=window.{variable}||{{}})[{js_literal(key)}]={js_literal(data)};\n"


def lunr_script(path: Path) -> bytes:
    if not path.exists():
        raise SearchAssetError(f"{path} is missing: run `npm ci` (package.json pins lunr)")
    return path.read_bytes()


def run_query(index: Any, terms: list[tuple[str, bool]], required: bool) -> list[tuple[str, float]]:
    """One lunr query over pre-tokenised terms, as search.js runs it."""
    query = index.create_query()
    for term, wildcard in terms:
        query.term(
            term,
            presence=QueryPresence.REQUIRED if required else QueryPresence.OPTIONAL,
            wildcard=Query.WILDCARD_TRAILING if wildcard else Query.WILDCARD_NONE,
            use_pipeline=False,
        )
    return [(match["ref"], match["score"]) for match in index.query(query)]


def search(index: Any, text: str) -> list[str]:
    """Refs in the order the search page lists them: documents with every
    term first, then documents with some."""
    terms = query_terms(text)
    if not terms:
        return []
    strict = [ref for ref, _ in run_query(index, terms, required=True)]
    loose = [ref for ref, _ in run_query(index, terms, required=False)] if len(terms) > 1 else []
    return strict + [ref for ref in loose if ref not in strict]
