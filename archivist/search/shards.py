"""lunr's index as term data, split by term range and scored in the browser.

The shards hold, per term and field, the documents that contain the term
and how often (no scores): an edit changes the postings of the terms it
touches and nothing else.  The BM25 weights depend on site-wide counts (the
number of documents, each field's average length) and on each document's
field lengths; those travel in small files of their own, and the browser
computes lunr's weights when it merges the shards a query needs
(static/shards.js, with lunr.js's own formula and rounding).

Shards are cut where the content says, not every N postings: a shard ends
before a term whose hash is a boundary once the shard holds half its budget
(or when it would pass twice the budget), so an edit that changes one
shard's size moves no cut outside its neighbourhood.  A shard's file is
named after its first term, so inserting a shard renumbers no other file.

The tests prove the shards equal to one whole lunr.py index, scores and all
(``bench/lunr_oracle.py`` builds it).
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, MutableSequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

LUNR_VERSION = "2.3.9"
NAME_LIMIT = 16  # a shard starts only at a term this short: its file is named after it
BOUNDARY_ONE_IN = 8  # a term ends a half-full shard with this chance

# Per field: refs (ascending), term frequencies; arrays when made here, lists
# when read back from a shard, and changed in place by a rebuild.
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


def postings_from_terms(documents: list[list[FieldTerms] | None], fields: list[Field]) -> Postings:
    """The postings of documents given as per-field term data (ref =
    position).  Each document's entry is let go (set to None) once it is
    read, so the caller's list does not hold every document's term data
    beside the postings made from it."""
    order: dict[str, int] = {}
    docs: dict[str, TermLists] = {}
    lengths = [array("I") for _ in fields]
    for ref, document in enumerate(documents):
        if document is None:
            raise ValueError(f"document {ref} was already read")
        documents[ref] = None
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


def term_size(lists: TermLists) -> int:
    return sum(len(refs) for refs, _ in lists) + 4


def is_boundary(term: str) -> bool:
    return hashlib.blake2b(term.encode(), digest_size=2).digest()[0] % BOUNDARY_ONE_IN == 0


def shard_name(first: str) -> str:
    """The file a shard is in: its first term's code points in hex (the
    browser computes the same from the directory)."""
    return "-".join(f"{ord(c):x}" for c in first)


@dataclass(frozen=True)
class Shard:
    first: str
    last: str
    first_size: int  # what the next build needs to tell whether a cut still falls before it


@dataclass
class Cutter:
    """Groups sorted terms into shards; the same rule for a whole index and
    for the stretch an edit re-cuts."""

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


def split(postings: Postings, budget: int) -> list[list[str]]:
    """Sorted terms cut into shards of about ``budget`` postings each (a
    posting is one document in one field): a prefix such as ``党*`` falls in
    one or two shards."""
    cutter = Cutter(budget)
    for term in sorted(postings.docs):
        cutter.add(term, term_size(postings.docs[term]))
    cutter.flush()
    return cutter.groups


def shard_payload(docs: dict[str, TermLists], terms: list[str]) -> list[Any]:
    """Per term, per field: refs (ascending, delta-coded) and term frequencies."""
    entries = []
    for term in terms:
        per_field = []
        for refs, tfs in docs[term]:
            deltas = [refs[0], *(b - a for a, b in pairwise(refs))] if len(refs) else []
            per_field.append([deltas, list(tfs)])
        entries.append([term, per_field])
    return entries


def payload_terms(payload: list[Any]) -> dict[str, TermLists]:
    """A shard's payload read back: term -> per field (refs, tfs) as lists."""
    terms: dict[str, TermLists] = {}
    for term, per_field in payload:
        lists: TermLists = []
        for deltas, tfs in per_field:
            refs: list[int] = []
            ref = 0
            for delta in deltas:
                ref += delta
                refs.append(ref)
            lists.append((refs, list(tfs)))
        terms[term] = lists
    return terms


Change = list[dict[int, int | None]]  # per field: ref -> new frequency, None for gone


def term_changes(old: list[FieldTerms] | None, new: list[FieldTerms] | None, ref: int, into: dict[str, Change]) -> None:
    """The postings that differ between one document's old and new terms."""
    fields = len(old or new or [])
    for position in range(fields):
        before = dict(zip(old[position].terms, old[position].counts, strict=True)) if old else {}
        after = dict(zip(new[position].terms, new[position].counts, strict=True)) if new else {}
        for term in before.keys() | after.keys():
            if before.get(term) != after.get(term):
                change = into.setdefault(term, [{} for _ in range(fields)])
                change[position][ref] = after.get(term)


def apply_changes(terms: dict[str, TermLists], changes: dict[str, Change]) -> None:
    for term, change in changes.items():
        lists: TermLists = terms.get(term) or [([], []) for _ in change]
        for (refs, tfs), updates in zip(lists, change, strict=True):
            for ref, tf in updates.items():
                at = bisect_left(refs, ref)
                present = at < len(refs) and refs[at] == ref
                if tf is None:
                    if present:
                        del refs[at], tfs[at]
                elif present:
                    tfs[at] = tf
                else:
                    refs.insert(at, ref)
                    tfs.insert(at, tf)
        if any(refs for refs, _ in lists):
            terms[term] = lists
        else:
            terms.pop(term, None)


def update_shards(
    previous: list[Shard], changes: dict[str, Change], load: Callable[[str], dict[str, TermLists]], budget: int
) -> tuple[list[Shard], dict[str, list[Any]]]:
    """The shards after ``changes``, and the payloads of the shards that were
    cut again, by file name; equal to cutting the changed index whole.

    Re-cutting starts one shard before the first changed one (the cut before
    that shard depends on nothing that changed) and goes on until a cut
    falls where an old one did, before a shard that did not change: from
    there on the old cuts stand."""
    firsts = [shard.first for shard in previous]
    by_shard: dict[int, dict[str, Change]] = defaultdict(dict)
    for term, change in changes.items():
        by_shard[max(bisect_right(firsts, term) - 1, 0)][term] = change
    result: list[Shard] = []
    payloads: dict[str, list[Any]] = {}
    position = 0
    for changed in sorted(by_shard):
        if changed < position:
            continue  # re-cut with an earlier change
        start = max(changed - 1, position)
        result.extend(previous[position:start])
        cutter = Cutter(budget)
        data: dict[str, TermLists] = {}
        at = start
        while True:
            terms = load(shard_name(previous[at].first))
            apply_changes(terms, by_shard.get(at, {}))
            for term in sorted(terms):
                cutter.add(term, term_size(terms[term]))
            data.update(terms)
            at += 1
            if at == len(previous):
                break
            following = previous[at]
            if at not in by_shard and cutter.cuts_before(following.first, following.first_size):
                break
        cutter.flush()
        for group in cutter.groups:
            result.append(Shard(group[0], group[-1], term_size(data[group[0]])))
            payloads[shard_name(group[0])] = shard_payload(data, group)
        position = at
    result.extend(previous[position:])
    return result, payloads
