"""The client-side search index: lunr's format, built here, loaded by lunr.js.

Everything is written as ``.js`` files that set a global, so the search page
loads them with ``<script>`` tags and works from ``file://`` as well as over
HTTP.  Fields are pre-tokenised with our own tokeniser and the lunr pipelines
are left empty, so the serialised index names no function lunr.js lacks.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archivist.model import Article
from archivist.search.searchdocs import (
    FIELDS,
    article_terms,
    facets_of,
    result_entry,
    table_row,
    terms_key,
)
from archivist.search.shards import (
    LUNR_VERSION,
    Change,
    Field,
    FieldTerms,
    Shard,
    payload_terms,
    postings_from_terms,
    shard_name,
    shard_payload,
    split,
    term_changes,
    term_size,
    update_shards,
)
from archivist.search.tokenize import fold, fold_map
from archivist.text.script import to_traditional
from archivist.text.slug import bucket

# The version of tokenising articles and making the search files: bump it when their term data or files change
# (the build state keeps what this stage made per version).
VERSION = 1


class SearchAssetError(Exception):
    """A browser library the site needs is missing."""


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


class ShardMissing(Exception):
    """A shard the last build wrote cannot be read back."""


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
    # Every article's term data is still held here (``postings_from_terms`` lets them go).
    lengths = [
        array("I", (terms[position].length for terms in per_article if terms is not None))
        for position in range(len(fields))
    ]
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
    previous_keys = previous.keys if previous is not None and previous.slugs == state.slugs else None
    made_refs = []
    for ref in range(len(ordered)):
        # The key covers everything a result shows.
        if previous_keys is not None and previous_keys[ref] == keys[ref] and present(doc_path(ref)):
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
