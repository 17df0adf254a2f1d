"""The oracle the search files are checked against: one whole lunr.py index.

The site never builds it (the browser merges shards and scores with lunr's
arithmetic); tests build it to prove the shards rank and score as one lunr
index would, and the search-quality bench ranks with it.  ``query_terms`` is
the Python twin of static/tokenize.js's query parsing, checked against the
same vectors."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lunr.builder import Builder
from lunr.query import Query, QueryPresence

from archivist.model import Article
from archivist.search.searchdocs import FIELDS, document
from archivist.search.shards import LUNR_VERSION, Field, Postings, field_terms, postings_from_terms
from archivist.search.tokenize import RUN, fold

K1, B = 1.2, 0.75  # lunr's BM25 parameters


def document_count(postings: Postings) -> int:
    return len(postings.lengths[0]) if postings.lengths else 0


def idf(documents_with_term: int, document_count: int) -> float:
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))


def build_index(documents: list[dict[str, Any]]) -> Any:
    builder = Builder()  # no stemmer, stop words or trimmer: tokens are final
    builder.ref("ref")
    for field in FIELDS:
        builder.field(**field)
    for doc in documents:
        builder.add(doc)
    return builder.build()


def search_documents(articles: list[Article]) -> tuple[list[Article], Callable[[], Iterator[dict[str, Any]]]]:
    """Articles in ref order, and a way to tokenise them one at a time."""
    ordered = sorted(articles, key=lambda a: a.slug)
    return ordered, lambda: (document(str(n), article) for n, article in enumerate(ordered))


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


def compute_postings(documents: Callable[[], Iterable[dict[str, Any]]], fields: list[Field]) -> Postings:
    """``documents()`` yields dicts with ``ref`` (0, 1, 2 ... in order) and,
    per field, its tokens."""
    terms = []
    for position, doc in enumerate(documents()):
        if int(doc["ref"]) != position:
            raise ValueError("document refs must be 0, 1, 2 ... in order")
        terms.append([field_terms(doc[f.name]) for f in fields])
    return postings_from_terms(terms, fields)


def serialize(postings: Postings, terms: list[str] | None = None) -> dict[str, Any]:
    """The lunr serialised index over ``terms`` (default: all of them), with
    lunr.py's BM25 (its arithmetic in its order, so equal to the last bit)."""
    count = document_count(postings)
    average = [sum(lengths) / count if count else 0 for lengths in postings.lengths]
    chosen = sorted(postings.docs if terms is None else terms)
    inverted = []
    vectors: dict[str, list[tuple[int, float]]] = {}
    for term in chosen:
        index = postings.order[term]
        lists = postings.docs[term]
        term_idf = idf(sum(len(refs) for refs, _ in lists), count)
        posting: dict[str, Any] = {"_index": index}
        for position, (name, (refs, tfs)) in enumerate(zip(postings.fields, lists, strict=True)):
            posting[name] = {str(ref): {} for ref in refs}
            boost = postings.boosts[position]
            for ref, tf in zip(refs, tfs, strict=True):
                length = postings.lengths[position][ref]
                norm = K1 * (1 - B + B * (length / average[position]))
                score = round(term_idf * ((K1 + 1) * tf) / (norm + tf) * boost, 3)
                vectors.setdefault(f"{name}/{ref}", []).append((index, score))
        inverted.append([term, posting])
    field_vectors = []
    # An empty field has its (empty) vector too.
    for field_ref in [f"{name}/{ref}" for ref in range(count) for name in postings.fields]:
        elements = sorted(vectors.get(field_ref, ()))
        field_vectors.append([field_ref, [value for pair in elements for value in pair]])
    return {
        "version": LUNR_VERSION,
        "fields": postings.fields,
        "fieldVectors": field_vectors,
        "invertedIndex": inverted,
        "pipeline": [],
    }


def query_terms(text: str) -> list[tuple[str, bool]]:
    """Terms of a query as (term, trailing wildcard).  A one-character Han run
    is a prefix (``党*``); a longer run gives its bigrams only, since the
    unigram at a run's end is an accident of where the document's run ended;
    the last Latin word is a prefix too, for search as you type."""
    runs = RUN.findall(fold(text))
    terms: list[tuple[str, bool]] = []
    for position, run in enumerate(runs):
        if not ("\u3400" <= run[0] <= "\ufaff"):
            terms.append((run, position == len(runs) - 1))
        elif len(run) == 1:
            terms.append((run, True))
        else:
            terms.extend((run[i : i + 2], False) for i in range(len(run) - 1))
    return list(dict.fromkeys(terms))
