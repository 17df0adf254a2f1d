"""The client-side search index: lunr.py at build time, lunr.js in the browser.

Everything is written as ``.js`` files that set a global, so the search page
loads them with ``<script>`` tags and works from ``file://`` as well as over
HTTP.  Fields are pre-tokenised with our own tokeniser and the lunr pipelines
are left empty, so the serialised index names no function lunr.js lacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lunr.builder import Builder
from lunr.query import Query, QueryPresence

from .gazetteer import short_form
from .model import Article
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


@dataclass(frozen=True)
class SearchFiles:
    files: dict[str, str]  # relative path -> text


def search_files(articles: list[Article], url_of: Any) -> SearchFiles:
    """Index, metadata, per-article text stores and the fold map, as scripts."""
    ordered = sorted(articles, key=lambda a: a.slug)
    refs = {article.slug: str(n) for n, article in enumerate(ordered)}
    files = {
        "search/index.js": as_script(
            "ARCHIVE_INDEX", build_index([document(refs[a.slug], a) for a in ordered]).serialize()
        ),
        "search/meta.js": as_script("ARCHIVE_META", {refs[a.slug]: meta_entry(a, url_of(a)) for a in ordered}),
        "search/fold.js": as_script("ARCHIVE_FOLD", dict(sorted(fold_map().items()))),
    }
    for article in ordered:
        text = "\n".join([article.title, *article.paragraphs])
        ref = refs[article.slug]
        files[f"search/docs/{ref}.js"] = (
            f"(window.ARCHIVE_DOCS=window.ARCHIVE_DOCS||{{}})[{js_literal(ref)}]={js_literal(text)};\n"
        )
    return SearchFiles(files)


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
