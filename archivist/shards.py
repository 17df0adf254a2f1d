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


def compute_postings(documents: Callable[[], Iterable[dict[str, Any]]], fields: list[Field]) -> Postings:
    """``documents()`` yields dicts with ``ref`` (0, 1, 2 ... in order) and,
    per field, its tokens; it is called twice (counts, then scores) so the
    token lists never all live at once."""
    order: dict[str, int] = {}
    counts: dict[str, int] = defaultdict(int)  # documents with the term, summed over fields
    lengths: dict[str, int] = dict.fromkeys((f.name for f in fields), 0)
    count = 0
    for position, document in enumerate(documents()):
        if int(document["ref"]) != position:
            raise ValueError("document refs must be 0, 1, 2 ... in order")
        count += 1
        for field in fields:
            tokens = document[field.name]
            for token in tokens:
                if token not in order:
                    order[sys.intern(token)] = len(order)
            for token in set(tokens):
                counts[token] += 1
            lengths[field.name] += len(tokens)
    average = {name: total / count if count else 0 for name, total in lengths.items()}
    idfs = {term: idf(n, count) for term, n in counts.items()}
    docs: dict[str, list[tuple[array, array]]] = {term: [(array("I"), array("I")) for _ in fields] for term in order}
    for document in documents():
        ref = int(document["ref"])
        for position, field in enumerate(fields):
            tokens = document[field.name]
            norm = K1 * (1 - B + B * (len(tokens) / average[field.name])) if average[field.name] else K1 * (1 - B)
            for term, tf in Counter(tokens).items():
                score = round(idfs[term] * ((K1 + 1) * tf) / (norm + tf) * field.boost, 3)
                refs, scores = docs[term][position]
                refs.append(ref)
                scores.append(round(score * 1000))
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
