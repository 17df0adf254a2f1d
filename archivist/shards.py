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
from collections import defaultdict
from dataclasses import dataclass
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
    """The index before serialisation: what the shards are cut from."""

    fields: list[str]
    order: dict[str, int]  # term -> lunr's _index (order of first appearance)
    docs: dict[str, dict[str, dict[str, float]]]  # term -> field -> ref -> score
    field_refs: list[str]  # "field/ref", in lunr's order


def compute_postings(documents: list[dict[str, Any]], fields: list[Field]) -> Postings:
    """``documents``: dicts with ``ref`` and, per field, its list of tokens."""
    order: dict[str, int] = {}
    frequencies: list[tuple[str, str, dict[str, int]]] = []
    lengths: dict[str, list[int]] = {f.name: [] for f in fields}
    counts: dict[str, int] = defaultdict(int)  # documents with the term, summed over fields
    for document in documents:
        ref = str(document["ref"])
        for field in fields:
            tokens = document[field.name]
            term_counts: dict[str, int] = {}
            for token in tokens:
                if token not in order:
                    order[token] = len(order)
                term_counts[token] = term_counts.get(token, 0) + 1
            for token in term_counts:
                counts[token] += 1
            frequencies.append((field.name, ref, term_counts))
            lengths[field.name].append(len(tokens))
    average = {name: sum(values) / len(values) if values else 0 for name, values in lengths.items()}
    boost = {f.name: f.boost for f in fields}
    count = len(documents)
    idfs = {term: idf(n, count) for term, n in counts.items()}
    docs: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    field_refs = []
    for (field_name, ref, term_counts), length in zip(
        frequencies, _lengths_in_order(frequencies, lengths), strict=True
    ):
        field_refs.append(f"{field_name}/{ref}")
        norm = K1 * (1 - B + B * (length / average[field_name])) if average[field_name] else K1 * (1 - B)
        for term, tf in term_counts.items():
            score = idfs[term] * ((K1 + 1) * tf) / (norm + tf) * boost[field_name]
            docs[term][field_name][ref] = round(score, 3)
    return Postings([f.name for f in fields], order, docs, field_refs)


def _lengths_in_order(frequencies: list[tuple[str, str, dict[str, int]]], lengths: dict[str, list[int]]) -> list[int]:
    cursor = dict.fromkeys(lengths, 0)
    ordered = []
    for field_name, _, _ in frequencies:
        ordered.append(lengths[field_name][cursor[field_name]])
        cursor[field_name] += 1
    return ordered


def serialize(postings: Postings, terms: list[str] | None = None) -> dict[str, Any]:
    """A lunr.js serialised index over ``terms`` (default: all of them)."""
    chosen = sorted(postings.docs if terms is None else terms)
    inverted = []
    vectors: dict[str, list[tuple[int, float]]] = {ref: [] for ref in postings.field_refs} if terms is None else {}
    for term in chosen:
        index = postings.order[term]
        posting: dict[str, Any] = {"_index": index}
        for field in postings.fields:
            refs = postings.docs[term].get(field, {})
            posting[field] = {ref: {} for ref in refs}
            for ref, score in refs.items():
                vectors.setdefault(f"{field}/{ref}", []).append((index, score))
        inverted.append([term, posting])
    field_vectors = []
    for field_ref in postings.field_refs:
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
        size = sum(len(refs) for refs in postings.docs[term].values()) + 4
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
        for field in postings.fields:
            refs = postings.docs[term].get(field, {})
            ordered = sorted(refs.items(), key=lambda item: int(item[0]))
            deltas, previous = [], 0
            for ref, _ in ordered:
                deltas.append(int(ref) - previous)
                previous = int(ref)
            per_field.append([deltas, [round(score * 1000) for _, score in ordered]])
        entries.append([term, postings.order[term], per_field])
    return entries
