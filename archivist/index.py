"""The client-side search index: lunr's format, built here, loaded by lunr.js.

Everything is written as ``.js`` files that set a global, so the search page
loads them with ``<script>`` tags and works from ``file://`` as well as over
HTTP.  Fields are pre-tokenised with our own tokeniser and the lunr pipelines
are left empty, so the serialised index names no function lunr.js lacks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lunr.builder import Builder
from lunr.query import Query, QueryPresence

from .gazetteer import short_form
from .model import Article
from .shards import LUNR_VERSION, Field, FieldTerms, Postings, field_terms, postings_from_terms, shard_payload, split
from .tokenize import fold_map, query_terms, tokenize

FIELDS = ({"field_name": "title", "boost": 10}, {"field_name": "tags", "boost": 5}, {"field_name": "body"})
LUNR_JS = Path("node_modules") / "lunr" / "lunr.min.js"


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
        "body": [token for text in (*article.headings, *article.paragraphs) for token in tokenize(text)],
    }


def build_index(documents: list[dict[str, Any]]) -> Any:
    builder = Builder()  # no stemmer, stop words or trimmer: tokens are final
    builder.ref("ref")
    for field in FIELDS:
        builder.field(**field)
    for doc in documents:
        builder.add(doc)
    return builder.build()


def meta_entry(article: Article, url: str) -> dict[str, Any]:
    return {
        "t": article.title,
        "u": url,
        "d": article.date[:10] if article.date else "",
        "y": article.year or "",
        "r": [list(region.names) for region in article.regions],
        "i": list(article.initiatives),
    }


def js_literal(data: object) -> str:
    # ``</`` is escaped so no string can end a script element early.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def as_script(variable: str, data: object) -> str:
    return f"window.{variable}={js_literal(data)};\n"


SHARD_BUDGET = 6000  # postings per shard (one document in one field each)
META_CHUNK = 1000  # documents per metadata file


@dataclass(frozen=True)
class SearchFiles:
    files: dict[str, str]  # relative path -> text
    shards: int
    postings: Postings


def search_documents(articles: list[Article]) -> tuple[list[Article], Callable[[], Iterator[dict[str, Any]]]]:
    """Articles in ref order, and a way to tokenise them one at a time."""
    ordered = sorted(articles, key=lambda a: a.slug)
    return ordered, lambda: (document(str(n), article) for n, article in enumerate(ordered))


def terms_key(article: Article) -> str:
    """What an article's search terms are made from."""
    text = "\x00".join([article.title, *tag_terms(article), "\x01", *article.headings, *article.paragraphs])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def search_files(
    articles: list[Article], url_of: Any, budget: int = SHARD_BUDGET, terms: dict[str, list[FieldTerms]] | None = None
) -> SearchFiles:
    """The term-sharded index, metadata in chunks, per-article text stores
    and the fold map, as scripts setting globals.  ``terms`` caches each
    article's term data between builds."""
    ordered = sorted(articles, key=lambda a: a.slug)
    cache = terms if terms is not None else {}
    per_article = []
    used: dict[str, list[FieldTerms]] = {}
    for article in ordered:
        key = terms_key(article)
        if key not in cache:  # tokenised once per text
            tokens = document("", article)
            cache[key] = [field_terms(tokens[f["field_name"]]) for f in FIELDS]
        used[key] = cache[key]
        per_article.append(cache[key])
    if terms is not None:  # keep what this build used, and only that
        terms.clear()
        terms.update(used)
    fields = [Field(f["field_name"], f.get("boost", 1)) for f in FIELDS]
    postings = postings_from_terms(per_article, fields)
    shards = split(postings, budget)
    directory = {
        "version": LUNR_VERSION,
        "fields": postings.fields,
        "documents": len(ordered),
        "metaChunk": META_CHUNK,
        "shards": [[shard.first, shard.last] for shard in shards],
    }
    files = {
        "search/index.js": as_script("ARCHIVE_SEARCH", directory),
        "search/fold.js": as_script("ARCHIVE_FOLD", dict(sorted(fold_map().items()))),
    }
    for number, shard in enumerate(shards):
        files[f"search/shards/{number}.js"] = register("ARCHIVE_SHARDS", str(number), shard_payload(postings, shard))
    for chunk, meta in meta_chunks(ordered, url_of).items():
        files[f"search/meta/{chunk}.js"] = merge_script("ARCHIVE_META", meta)
    for ref, article in enumerate(ordered):
        text = "\n".join([article.title, *article.paragraphs])
        files[f"search/docs/{ref}.js"] = register("ARCHIVE_DOCS", str(ref), text)
    return SearchFiles(files, len(shards), postings)


def meta_chunks(ordered: list[Article], url_of: Any) -> dict[int, dict[str, Any]]:
    chunks: dict[int, dict[str, Any]] = {}
    for ref, article in enumerate(ordered):
        chunks.setdefault(ref // META_CHUNK, {})[str(ref)] = meta_entry(article, url_of(article))
    return chunks


def register(variable: str, key: str, data: object) -> str:
    return f"(window.{variable}=window.{variable}||{{}})[{js_literal(key)}]={js_literal(data)};\n"


def merge_script(variable: str, data: dict[str, Any]) -> str:
    return f"Object.assign(window.{variable}=window.{variable}||{{}},{js_literal(data)});\n"


def lunr_script(project_root: Path) -> bytes:
    path = project_root / LUNR_JS
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
