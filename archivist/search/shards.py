"""lunr's index as term data: per term and field, the documents that hold
the term and how often, and where the shards of the search files are cut.

Shards are cut where the content says, not every N postings: a shard ends
before a key whose hash is a boundary once the shard holds half its budget
(or when it would pass twice the budget), so a change in one shard's size
moves no cut outside its neighbourhood.  A shard's file is named after its
first key, so inserting a shard renumbers no other file.

The tests prove the postings equal to one whole lunr.py index, scores and
all (``bench/lunr_oracle.py`` builds it).
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, MutableSequence
from dataclasses import dataclass, field

LUNR_VERSION = "2.3.9"
NAME_LIMIT = 16  # a shard starts only at a term this short: its file is named after it
BOUNDARY_ONE_IN = 8  # a term ends a half-full shard with this chance

# Per field: refs (ascending), term frequencies.
TermLists = list[tuple[MutableSequence[int], MutableSequence[int]]]


@dataclass(frozen=True)
class Field:
    name: str
    boost: float = 1


@dataclass
class Postings:
    """The index before serialisation, in compact arrays: a 10,000-article
    index holds tens of millions of postings."""

    fields: list[str]
    boosts: list[float]
    order: dict[str, int]  # term -> lunr's _index (order of first appearance)
    docs: dict[str, TermLists]
    lengths: list[array]  # per field, each document's field length (by ref)


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


def small_array(values: Iterable[int]) -> array:
    """Counts in the smallest unsigned type that holds them (nearly always
    one byte: a term occurs a few times in a text)."""
    values = list(values)
    top = max(values, default=0)
    return array("B" if top < 2**8 else "H" if top < 2**16 else "I", values)


def field_terms(tokens: list[str]) -> FieldTerms:
    counts = Counter(tokens)  # insertion order is the order of first appearance
    return FieldTerms("\0".join(counts), small_array(counts.values()), len(tokens))


def let_go(documents: list[list[FieldTerms] | None]) -> Iterator[tuple[int, list[FieldTerms]]]:
    """Each document's term data with its ref (its position), let go from
    the caller's list (set to None) as it is read, so that the list does not
    hold every document's term data beside what is made from it."""
    for ref, document in enumerate(documents):
        if document is None:
            raise ValueError(f"document {ref} was already read")
        documents[ref] = None
        yield ref, document


def postings_from_terms(documents: list[list[FieldTerms] | None], fields: list[Field]) -> Postings:
    """The postings of documents given as per-field term data (ref =
    position).  Each document's entry is let go (set to None) once it is
    read, so the caller's list does not hold every document's term data
    beside the postings made from it."""
    order: dict[str, int] = {}
    docs: dict[str, TermLists] = {}
    lengths = [array("I") for _ in fields]
    for ref, document in let_go(documents):
        for position, data in enumerate(document):
            lengths[position].append(data.length)
            for term, tf in zip(data.terms, data.counts, strict=True):
                lists = docs.get(term)
                if lists is None:
                    term = sys.intern(term)
                    order[term] = len(order)
                    lists = docs[term] = [(array("I"), array("H")) for _ in fields]
                refs, tfs = lists[position]
                refs.append(ref)
                if tf >= 2**16 and isinstance(tfs, array) and tfs.typecode == "H":  # found 65,536 times in one field
                    tfs = array("I", tfs)
                    lists[position] = (refs, tfs)
                tfs.append(tf)
    return Postings([f.name for f in fields], [f.boost for f in fields], order, docs, lengths)


# --- shards ---


def is_boundary(term: str) -> bool:
    return hashlib.blake2b(term.encode(), digest_size=2).digest()[0] % BOUNDARY_ONE_IN == 0


def shard_name(first: str) -> str:
    """The file a shard is in: its first term's code points in hex (the
    browser computes the same from the directory)."""
    return "-".join(f"{ord(c):x}" for c in first)


@dataclass
class Cutter:
    """Groups sorted keys into shards."""

    budget: int
    groups: list[list[str]] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    weight: int = 0

    def cuts_before(self, term: str, size: int) -> bool:
        if not self.weight or len(term) > NAME_LIMIT:
            return False
        return self.weight + size > 2 * self.budget or (self.weight >= self.budget // 2 and is_boundary(term))

    def add(self, term: str, size: int) -> None:
        if self.cuts_before(term, size):
            self.flush()
        self.current.append(term)
        self.weight += size

    def flush(self) -> None:
        if self.current:
            self.groups.append(self.current)
        self.current, self.weight = [], 0
