"""The client-side search index: lunr's postings and weights, built here,
ranked in the browser with lunr's arithmetic (static/shards.js), and merged
into an index lunr.js loads where an archive is small.

Everything is written as ``.js`` files that set a global, so the search page
loads them with ``<script>`` tags and works from ``file://`` as well as over
HTTP.  Fields are pre-tokenised with our own tokeniser and the lunr pipelines
are left empty, so the serialised index names no function lunr.js lacks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from archivist.model import Article
from archivist.search.histograms import FacetColumns, columns, histogram
from archivist.search.scores import TIER_FIRST, base_of, flat_postings, scored_lists, tier_bounds
from archivist.search.searchdocs import (
    FIELDS,
    article_terms,
    facets_of,
    result_entries,
    table_row,
    terms_key,
)
from archivist.search.shards import LUNR_VERSION, Cutter, Field, FieldTerms, shard_name
from archivist.search.tokenize import fold_map
from archivist.text.script import to_traditional
from archivist.text.slug import bucket

# The version of tokenising articles and making the search files: bump it when their term data or files change
# (the build state keeps what this stage made per version).
VERSION = 5


class SearchAssetError(Exception):
    """A browser library the site needs is missing."""


def js_literal(data: object) -> str:
    # ``</`` is escaped so no string can end a script element early.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def as_script(variable: str, data: object) -> str:
    return f"window.{variable}={js_literal(data)};\n"


SHARD_BUDGET = 4000  # postings kept in a shard (each list's best 128 at most), about 12 KB gzip
TABLE_CHUNK = 25  # documents per table file (year and facet numbers)
NAME_PIECE = 500  # facet value names per file
DOCS_FOLDER = 1000  # result files per folder
HISTOGRAM_FROM = 25  # a list of this many documents or more keeps its facet counts in a file
FACET_SHOWN = 50  # values a facet lists (static/search.js): the counts kept per facet


@dataclass(frozen=True)
class SearchState:
    """What the next build needs to keep result files that show the same:
    the documents in ref order and what each one's terms were made from."""

    slugs: tuple[str, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True)
class SearchFiles:
    files: dict[str, str]  # relative path -> text
    kept: list[str]  # result files the last build wrote that stay as they are
    state: SearchState
    # The shards, tiers, counts and result files to write, each made as it is
    # asked for: a whole archive's postings and texts are never held as text at once.
    later: Callable[[], Iterator[tuple[str, str]]] = lambda: iter(())


def shard_path(name: str) -> str:
    return f"search/shards/{bucket(name)}/{name}.js"


def tier_path(name: str, tier: int) -> str:
    return f"search/tiers/{bucket(name)}/{name}.{tier}.js"


def histogram_path(name: str) -> str:
    return f"search/counts/{bucket(name)}/{name}.js"


def doc_path(ref: int, traditional: bool = False) -> str:
    return f"search/{'docs-hant' if traditional else 'docs'}/{ref // DOCS_FOLDER}/{ref}.js"


def by_ref(refs: np.ndarray, millis: np.ndarray) -> list[list[int]]:
    """Postings as the files hold them: refs ascending, delta-coded, and their weights."""
    order = np.argsort(refs, kind="stable")
    return [np.diff(refs[order], prepend=0).tolist(), millis[order].tolist()]


def search_files(
    articles: list[Article],
    url_of: Any,
    budget: int = SHARD_BUDGET,
    terms: dict[str, list[FieldTerms]] | None = None,
    previous: SearchState | None = None,
    convert: Callable[[str], str] = to_traditional,
    present: Callable[[str], bool] = lambda path: False,
    release: Callable[[], None] = lambda: None,
    tier_first: int = TIER_FIRST,
    reprinted: dict[str, int] | None = None,
) -> SearchFiles:
    """The search files: lists of weighted postings cut into shards and
    tiers, facet counts of the longer lists, the facet table in chunks,
    facet names in pieces, a file per result and script (``convert``
    making the Traditional) and the fold map, as scripts setting globals.
    ``terms`` caches each article's term data between builds; a result
    file of the ``previous`` build that is still ``present`` and shows the
    same is kept.  ``release`` is called once the cache holds what this
    build used and may let it go: the postings are then made from each
    article's term data as it is let go too, so that a whole archive's term
    data and postings are not held at once.  ``reprinted``: by slug, how
    many reprints of each report an original stands for (shown with it)."""
    ordered = sorted(articles, key=lambda a: a.slug)
    reprinted = reprinted or {}
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
    # A result shows its reprints' number too: it is part of the result's key.
    shown_keys = [
        f"{key}:{reprinted[a.slug]}" if a.slug in reprinted else key for a, key in zip(ordered, keys, strict=True)
    ]
    state = SearchState(tuple(a.slug for a in ordered), tuple(shown_keys))
    if terms is not None:  # keep what this build used, and only that
        used = {key: cache[key] for key in keys}
        terms.clear()
        terms.update(used)
        del used
    release()
    postings = flat_postings(per_article, [f.boost for f in fields])
    del per_article
    base = base_of(postings.lengths)
    lists = scored_lists(postings, base)
    del postings
    facets = facets_of(ordered)
    names = facets.names()
    numbers = {
        "region": {code: n for n, code in enumerate(facets.regions)},
        "initiative": {name: n for n, name in enumerate(facets.initiatives)},
    }
    rows = [table_row(article, numbers) for article in ordered]
    counted = columns(
        [row[0] for row in rows],
        [with_ancestors(row[1], facets.parents) for row in rows],
        [row[2] for row in rows],
    )
    cutter = Cutter(budget)
    for position, key in enumerate(lists.keys):
        size = int(lists.starts[position + 1] - lists.starts[position])
        cutter.add(key, min(size, tier_first) + 4)
    cutter.flush()
    groups = cutter.groups
    directory = {
        "version": LUNR_VERSION,
        "fields": [f.name for f in fields],
        "boosts": [f.boost for f in fields],
        "documents": len(ordered),
        "averages": list(base.averages),
        "tableChunk": TABLE_CHUNK,
        "docsFolder": DOCS_FOLDER,
        "namePiece": NAME_PIECE,
        # Per facet, its pieces of names (most common first): a name in a
        # link (?region=...) is looked for in every piece of its facet.
        "names": {kind: -(-len(values) // NAME_PIECE) for kind, values in names.items()},
        "parents": {"region": facets.parents},
        "shards": [[group[0], group[-1]] for group in groups],
    }  # fmt: skip
    files = {
        "search/index.js": as_script("ARCHIVE_SEARCH", directory),
        "search/fold.js": as_script("ARCHIVE_FOLD", dict(sorted(fold_map().items()))),
    }
    for start in range(0, len(ordered), TABLE_CHUNK):
        chunk = rows[start : start + TABLE_CHUNK]
        files[f"search/table/{start // TABLE_CHUNK}.js"] = register("ARCHIVE_TABLE", str(start // TABLE_CHUNK), chunk)
    for kind, values in names.items():
        for at in range(0, len(values), NAME_PIECE):
            piece = f"{kind}-{at // NAME_PIECE}"
            files[f"search/names/{piece}.js"] = register("ARCHIVE_NAMES", piece, values[at : at + NAME_PIECE])
            hant = [convert(value) for value in values[at : at + NAME_PIECE]]
            files[f"search/names-hant/{piece}.js"] = register("ARCHIVE_NAMES", piece, hant)
    same = previous is not None and previous.slugs == state.slugs
    kept: list[str] = []
    made_refs: list[int] = []
    for ref in range(len(ordered)):
        # The key covers everything a result shows.
        paths = (doc_path(ref), doc_path(ref, traditional=True))
        if same and previous is not None and previous.keys[ref] == shown_keys[ref] and all(map(present, paths)):
            kept.extend(paths)
        else:
            made_refs.append(ref)

    def later() -> Iterator[tuple[str, str]]:
        at = 0
        for group in groups:
            entries = []
            for key in group:
                refs, millis = lists.of(at)
                at += 1
                bounds = tier_bounds(len(refs), tier_first)
                yield from list_files(key, refs, millis, bounds, counted)
                entry = [key, len(refs), *by_ref(refs[: bounds[1]], millis[: bounds[1]]), tier_tops(bounds, millis),
                         int(len(refs) >= HISTOGRAM_FROM)]  # fmt: skip
                if key in lists.expanded:
                    entry.append(lists.expanded[key])
                entries.append(entry)
            yield shard_path(shard_name(group[0])), register("ARCHIVE_SHARDS", shard_name(group[0]), entries)
        for ref in made_refs:  # results too are made as they are written
            article = ordered[ref]
            simplified, traditional = result_entries(article, url_of(article), convert, reprinted.get(article.slug, 0))
            yield doc_path(ref), register("ARCHIVE_DOCS", str(ref), simplified)
            yield doc_path(ref, traditional=True), register("ARCHIVE_DOCS_HANT", str(ref), traditional)

    return SearchFiles(files, kept, state, later)


def tier_tops(bounds: list[int], millis: np.ndarray) -> list[int]:
    """Each tier's best weight after the first: what a document not yet read may still add."""
    return [int(millis[start]) for start in bounds[1:-1]]


def list_files(
    key: str, refs: np.ndarray, millis: np.ndarray, bounds: list[int], counted: FacetColumns
) -> Iterator[tuple[str, str]]:
    """A list's tiers after the first, and its facet counts."""
    name = shard_name(key)
    for tier, (start, end) in enumerate(pairwise(bounds)):
        if tier:
            yield (
                tier_path(name, tier),
                register("ARCHIVE_TIERS", f"{name}.{tier}", by_ref(refs[start:end], millis[start:end])),
            )
    if len(refs) >= HISTOGRAM_FROM:
        yield histogram_path(name), register("ARCHIVE_COUNTS", name, histogram(counted, refs, FACET_SHOWN))


def with_ancestors(places: list[int], parents: list[int]) -> list[int]:
    found: list[int] = []
    for place in places:
        while place >= 0 and place not in found:
            found.append(place)
            place = parents[place]
    return sorted(found)


def register(variable: str, key: str, data: object) -> str:
    return f"(window.{variable}=window.{variable}||{{}})[{js_literal(key)}]={js_literal(data)};\n"


def lunr_script(path: Path) -> bytes:
    if not path.exists():
        raise SearchAssetError(f"{path} is missing: run `npm ci` (package.json pins lunr)")
    return path.read_bytes()
