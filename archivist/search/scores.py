"""lunr's BM25 weights, computed when the index is built and kept with the postings.

The browser then ranks by adding stored integers (no per-document table of
field lengths): a document's weight for a term is the sum over fields of
lunr's weight rounded as lunr rounds it (``Math.round(w * 1000) / 1000``),
kept as integer thousandths.  Each term's postings are ordered best first
and cut into tiers (128, then four times more each), so a query reads the
best postings of its terms first and stops once its top results are
settled (static/shards.js).

The weights are lunr's, computed against a base: the number of documents
and each field's average length rounded to three significant digits.  An
edit that moves an average by less than the rounding changes no weight but
the edited document's, and a clean build and an incremental one compute the
same base from the same archive.  A one-character query is a prefix (``党*``);
for each first character the postings of every term that starts with it are
summed per document into one list (key ``党*``), so such a query reads one
list instead of hundreds.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from archivist.search.shards import FieldTerms, let_go

K1, B = 1.2, 0.75  # lunr's BM25 parameters
TIER_FIRST = 128  # postings of a list kept with it in its shard
TIER_GROWTH = 4
PREFIX = "*"  # a prefix list's key: its character and this (no term holds it)

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Base:
    """What the weights are computed against."""

    documents: int
    averages: tuple[float, ...]  # per field, rounded to three significant digits


def three_digits(value: float) -> float:
    return float(f"{value:.3g}")


def base_of(lengths: list[npt.NDArray[np.float64]]) -> Base:
    count = len(lengths[0]) if lengths else 0
    return Base(count, tuple(three_digits(float(values.sum()) / count) if count else 0.0 for values in lengths))


def idf(documents_with_term: int, documents: int) -> float:
    """lunr.idf, operation for operation."""
    x = (documents - documents_with_term + 0.5) / (documents_with_term + 0.5)
    return math.log(1 + abs(x))


@dataclass
class Lists:
    """Every list, keys sorted: its postings best first (refs and weights
    in thousandths), ``starts[i]:starts[i + 1]`` the i-th list's."""

    keys: list[str]
    starts: Ints
    refs: Ints
    millis: Ints
    expanded: dict[str, int]  # prefix key -> how many terms it sums (lunr's query vector counts each)

    def of(self, position: int) -> tuple[Ints, Ints]:
        start, end = self.starts[position], self.starts[position + 1]
        return self.refs[start:end], self.millis[start:end]


@dataclass
class FlatPostings:
    """Every posting as numbers, one array each: what the weights are made from."""

    terms: list[str]  # term number -> term
    term_numbers: Ints
    refs: Ints
    tfs: Ints
    fields: Ints  # position of the field
    lengths: list[npt.NDArray[np.float64]]  # per field, each document's field length
    boosts: list[float]


def flat_postings(documents: list[list[FieldTerms] | None], boosts: list[float]) -> FlatPostings:
    """The postings of documents given as per-field term data (ref =
    position).  Each document's entry is let go (set to None) once read."""
    vocabulary: dict[str, int] = {}
    number = vocabulary.setdefault
    term_parts, tf_parts, sizes, lengths = [], [], [], [array("I") for _ in boosts]
    for _, document in let_go(documents):
        for position, data in enumerate(document):
            lengths[position].append(data.length)
            terms = data.terms
            term_parts.append(array("I", [number(term, len(vocabulary)) for term in terms]))
            tf_parts.append(data.counts)
            sizes.append(len(terms))
    counts = np.array(sizes, dtype=np.int64)
    fields = len(boosts)
    owners = np.arange(len(sizes), dtype=np.int64)
    term_numbers = np.concatenate([np.frombuffer(part, dtype=np.uint32) for part in term_parts if len(part)] or
                                  [np.zeros(0, np.uint32)]).astype(np.int64)  # fmt: skip
    tfs = np.concatenate(
        [np.asarray(part, dtype=np.int64) for part in tf_parts if len(part)] or [np.zeros(0, np.int64)]
    )
    return FlatPostings(
        list(vocabulary),
        term_numbers,
        np.repeat(owners // fields, counts),
        tfs,
        np.repeat(owners % fields, counts),
        [np.asarray(values, dtype=np.float64) for values in lengths],
        boosts,
    )


def grouped_sum(keys: Ints, values: Ints) -> tuple[Ints, Ints]:
    """Each distinct key (ascending) and the sum of its values."""
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    if not len(keys):
        return keys, values
    firsts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[firsts], np.add.reduceat(values, firsts)


def best_first(groups: Ints, refs: Ints, millis: Ints, count: int) -> tuple[Ints, Ints, Ints]:
    """Postings ordered by group, then weight (highest first), then ref; and
    where each of ``count`` groups starts.  One sort of one key: the three
    fit in 64 bits (groups and refs below 2**20 each, weights below 2**23)."""
    top = int(millis.max()) if len(millis) else 0
    if count >= 2**20 or top >= 2**23 or (len(refs) and int(refs.max()) >= 2**20):
        order = np.lexsort((refs, -millis, groups))
    else:
        order = np.argsort((groups << 43) | ((top - millis) << 20) | refs)
    starts = np.searchsorted(groups[order], np.arange(count + 1))
    return starts.astype(np.int64), refs[order], millis[order]


def scored_lists(postings: FlatPostings, base: Base) -> Lists:
    """Every term's list and every first character's prefix list, weighted
    against ``base``."""
    terms = postings.terms
    documents = base.documents
    term_numbers, refs, tfs, fields = postings.term_numbers, postings.refs, postings.tfs, postings.fields
    # lunr's idf counts a document once per field that holds the term.
    with_term = np.bincount(term_numbers, minlength=len(terms))
    term_idf = np.array([idf(count, documents) for count in with_term.tolist()], dtype=np.float64)
    lengths = np.zeros(len(refs), dtype=np.float64)
    averages = np.zeros(len(refs), dtype=np.float64)
    boosts = np.zeros(len(refs), dtype=np.float64)
    for f in range(len(postings.lengths)):
        chosen = fields == f
        lengths[chosen] = postings.lengths[f][refs[chosen]]
        averages[chosen] = base.averages[f]
        boosts[chosen] = postings.boosts[f]
    tf = tfs.astype(np.float64)
    norm = K1 * (1 - B + B * (lengths / averages)) + tf
    del lengths, averages
    score = term_idf[term_numbers] * ((K1 + 1) * tf) / norm
    score = score * boosts
    del norm, tf, boosts
    keys, millis = grouped_sum(term_numbers * (documents + 1) + refs, np.floor(score * 1000 + 0.5).astype(np.int64))
    del score
    term_numbers, refs = np.divmod(keys, documents + 1)
    del keys
    # Prefix lists: one per first character, the sum of its terms' weights.
    firsts = sorted({term[0] for term in terms})
    first_number = {c: n for n, c in enumerate(firsts)}
    first_of_term = np.array([first_number[term[0]] for term in terms], dtype=np.int64)
    prefix_keys, prefix_millis = grouped_sum(first_of_term[term_numbers] * (documents + 1) + refs, millis)
    prefix_firsts, prefix_refs = np.divmod(prefix_keys, documents + 1)
    # One key order for both: a prefix key sorts just before its character's terms.
    all_keys = [*terms, *(c + PREFIX for c in firsts)]
    order = sorted(range(len(all_keys)), key=all_keys.__getitem__)
    position = np.empty(len(all_keys), dtype=np.int64)
    position[order] = np.arange(len(all_keys))
    groups = np.concatenate((position[term_numbers], position[len(terms) + prefix_firsts]))
    starts, refs, millis = best_first(
        groups, np.concatenate((refs, prefix_refs)), np.concatenate((millis, prefix_millis)), len(all_keys)
    )
    counts = np.bincount(first_of_term, minlength=len(firsts)).tolist()
    return Lists(
        [all_keys[n] for n in order], starts, refs, millis, {c + PREFIX: k for c, k in zip(firsts, counts, strict=True)}
    )


def tier_bounds(size: int, first: int = TIER_FIRST) -> list[int]:
    """Where a list of ``size`` postings is cut into tiers."""
    bounds, tier, at = [0], first, 0
    while at + tier < size:
        at += tier
        bounds.append(at)
        tier *= TIER_GROWTH
    bounds.append(size)
    return bounds
