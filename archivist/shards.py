"""lunr's serialised index computed directly, and split by term range.

lunr.py's builder is exact but slow (a Python object per posting and vector
element).  ``compute_index`` produces the same serialised index (the same
``_index`` order, lunr's BM25 with k1 1.2 and b 0.75, its idf, scores
rounded to three places); a test proves it equal to lunr.py's on small
corpora.

``split`` cuts it into shards of sorted term ranges.  Each shard holds its
terms' postings and, for the documents containing them, the field-vector
elements of those terms.  The browser loads the shards a query's terms fall
in and merges them into one serialised index for ``lunr.Index.load``: lunr.js
scores a document by the dot product of the query vector with the field
vector over the query's own terms, so these partial vectors score exactly as
the whole index would.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

K1, B = 1.2, 0.75
LUNR_VERSION = "2.3.9"


@dataclass(frozen=True)
class Field:
    name: str
    boost: float = 1


def idf(documents_with_term: int, document_count: int) -> float:
    x = (document_count - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))


@dataclass
class Postings:
    """The index before serialisation: what the shards are cut from.  Per
    term and field, the documents holding it (ascending refs) and their
    scores in thousandths, in compact arrays: a 10,000-article index holds
    tens of millions of postings."""

    fields: list[str]
    order: dict[str, int]  # term -> lunr's _index (order of first appearance)
    docs: dict[str, list[tuple[array, array]]]  # term -> per field (refs, scores x 1000)
    document_count: int

    def field_refs(self) -> list[str]:
        return [f"{field}/{ref}" for ref in range(self.document_count) for field in self.fields]


@dataclass(frozen=True)
class FieldTerms:
    """What one field of one document contributes to the index: its distinct
    terms in order of first appearance, their frequencies, its length.
    Computed once per article text and cached between builds."""

    text: str  # the terms joined by NUL: one object to store, not hundreds
    counts: array
    length: int

    @property
    def terms(self) -> list[str]:
        return self.text.split("\0") if self.text else []


def field_terms(tokens: list[str]) -> FieldTerms:
    counts = Counter(tokens)  # insertion order is the order of first appearance
    return FieldTerms("\0".join(counts), array("I", counts.values()), len(tokens))


def compute_postings(documents: Callable[[], Iterable[dict[str, Any]]], fields: list[Field]) -> Postings:
    """``documents()`` yields dicts with ``ref`` (0, 1, 2 ... in order) and,
    per field, its tokens."""
    terms = []
    for position, document in enumerate(documents()):
        if int(document["ref"]) != position:
            raise ValueError("document refs must be 0, 1, 2 ... in order")
        terms.append([field_terms(document[field.name]) for field in fields])
    return postings_from_terms(terms, fields)


def postings_from_terms(documents: list[list[FieldTerms]], fields: list[Field]) -> Postings:
    """The postings of documents given as per-field term data (ref = position)."""
    order: dict[str, int] = {}
    counts: dict[str, int] = defaultdict(int)  # documents with the term, summed over fields
    lengths = [0] * len(fields)
    for document in documents:
        for position, data in enumerate(document):
            for term in data.terms:
                if term not in order:
                    order[sys.intern(term)] = len(order)
                counts[term] += 1
            lengths[position] += data.length
    count = len(documents)
    average = [total / count if count else 0 for total in lengths]
    idfs = {term: idf(n, count) for term, n in counts.items()}
    docs: dict[str, list[tuple[array, array]]] = {term: [(array("I"), array("I")) for _ in fields] for term in order}
    # Per field, each term's arrays looked up once: this loop runs once per
    # posting.  (The arithmetic is lunr.py's, in its order, so the scores are
    # the same to the last bit.)
    by_field = [{term: lists[position] for term, lists in docs.items()} for position in range(len(fields))]
    saturation = K1 + 1
    for ref, document in enumerate(documents):
        for position, data in enumerate(document):
            mean = average[position]
            norm = K1 * (1 - B + B * (data.length / mean)) if mean else K1 * (1 - B)
            boost = fields[position].boost
            lists = by_field[position]
            for term, tf in zip(data.terms, data.counts, strict=True):
                refs, scores = lists[term]
                refs.append(ref)
                scores.append(round(round(idfs[term] * (saturation * tf) / (norm + tf) * boost, 3) * 1000))
    return Postings([f.name for f in fields], order, docs, count)


def serialize(postings: Postings, terms: list[str] | None = None) -> dict[str, Any]:
    """A lunr.js serialised index over ``terms`` (default: all of them)."""
    chosen = sorted(postings.docs if terms is None else terms)
    inverted = []
    field_refs = postings.field_refs()
    vectors: dict[str, list[tuple[int, float]]] = {ref: [] for ref in field_refs} if terms is None else {}
    for term in chosen:
        index = postings.order[term]
        posting: dict[str, Any] = {"_index": index}
        for field, (refs, scores) in zip(postings.fields, postings.docs[term], strict=True):
            posting[field] = {str(ref): {} for ref in refs}
            for ref, score in zip(refs, scores, strict=True):
                vectors.setdefault(f"{field}/{ref}", []).append((index, score / 1000))
        inverted.append([term, posting])
    field_vectors = []
    for field_ref in field_refs:
        if field_ref in vectors:
            elements = sorted(vectors[field_ref])
            field_vectors.append([field_ref, [value for pair in elements for value in pair]])
    return {
        "version": LUNR_VERSION,
        "fields": postings.fields,
        "fieldVectors": field_vectors,
        "invertedIndex": inverted,
        "pipeline": [],
    }


@dataclass(frozen=True)
class Shard:
    first: str
    last: str
    terms: list[str]


def split(postings: Postings, budget: int) -> list[Shard]:
    """Sorted terms cut into consecutive ranges of about ``budget`` postings
    each (a posting is one document in one field): shard sizes follow what
    they hold, and a prefix such as ``党*`` falls in one or two shards."""
    shards: list[Shard] = []
    current: list[str] = []
    weight = 0
    for term in sorted(postings.docs):
        size = sum(len(refs) for refs, _ in postings.docs[term]) + 4
        if current and weight + size > budget:
            shards.append(Shard(current[0], current[-1], current))
            current, weight = [], 0
        current.append(term)
        weight += size
    if current:
        shards.append(Shard(current[0], current[-1], current))
    return shards


def shard_payload(postings: Postings, shard: Shard) -> list[Any]:
    """Compact: per term its ``_index`` and, per field, refs (as numbers,
    ascending, delta-coded) and scores (thousandths, as integers)."""
    entries = []
    for term in shard.terms:
        per_field = []
        for refs, scores in postings.docs[term]:
            deltas = [refs[0], *(b - a for a, b in pairwise(refs))] if refs else []
            per_field.append([deltas, scores.tolist()])
        entries.append([term, postings.order[term], per_field])
    return entries
