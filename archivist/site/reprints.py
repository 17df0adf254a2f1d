"""Reprints (转载): the same report published by many outlets, as one story.

A report is reprinted under another source and title, its ending trimmed, a
reporter line added, in the other script.  What stays is the run of its
text, so each article's body is folded to Simplified, stripped of spaces and
punctuation, and cut into overlapping runs of ``SHINGLE`` characters.
MinHash sketches of those sets (datasketch's permutations) are cut into LSH
bands, whose buckets name the candidate pairs without comparing every article
with every other (at most ``NEIGHBOURS`` per article and band: linear even in
an archive of like texts);
each candidate pair is then measured exactly, and the pairs that pass are
joined, by union-find, into stories.

The exact measure tells a reprint from an article that quotes another: a
reprint's shorter copy lies almost wholly inside the longer
(``CONTAINMENT``) and the two are of much the same text (``JACCARD``); an
article that quotes a statement or a paragraph or two of another shares
those runs and little else.

Between builds, each body's sketch is remembered by the body's digest and
each exact check by its two shingle sets': an edit sketches and checks only
the article it changed (the buckets are still made over the whole archive,
in array operations).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash

from archivist.model import Article
from archivist.text.script import to_simplified

VERSION = 1  # of the sketches and checks remembered between builds
SHINGLE = 5  # characters: long enough that a shared run is shared text, not shared words
NUM_PERM = 128
# LSH bands × rows (126 of the 128 values): a pair whose shingle sets have
# Jaccard 0.4 is a candidate with probability 0.94, 0.5 with 0.996; 0.2 with
# 0.29 and 0.1 with 0.04 (candidates the exact check turns away).
BANDS, ROWS = 42, 3
# A pair is one story when the shorter text's shingles lie at least this much
# inside the longer's, and the two texts' Jaccard is at least JACCARD.  On
# bench/reprints.py's development pages the planted reprints (trimmed,
# edited, in the other script) measured containment 0.87 and Jaccard 0.54 at
# the least, reports quoting the same passage 0.48 and 0.30 at the most: the
# thresholds sit between, containment nearer the quotations (heavier edits
# than the bench's lower it), Jaccard so that a copy keeps most of the text.
CONTAINMENT = 0.75
JACCARD = 0.4
# Below this many shingles a body is too short to tell a reprint from a
# shared phrase or boilerplate: such articles stand alone.
MIN_SHINGLES = 50
SEED = 1
# Everything but letters and digits (\w less the underscore): the spacing and
# punctuation a copy changes freely.
NOT_TEXT = re.compile(r"[\W_]+")
# Full-width letters and digits as ASCII (what NFKC does to them, at a
# fraction of its cost over a whole archive; full-width punctuation, in
# every Chinese text, goes with the rest).
FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B)}
# A candidate whose MinHash estimate of Jaccard is this far below JACCARD is
# turned away without the exact check (the estimate's standard error over 128
# values is 0.04 at most near the threshold: 0.15 is over three of them).
ESTIMATE_MARGIN = 0.15
MOST_CHECKED = 32  # candidates of one article checked exactly, at most
NEIGHBOURS = 8  # sketches after each in a band's bucket that are its candidates


@dataclass(frozen=True)
class Story:
    """A report and its reprints, as article slugs: the original first, then
    the copies by date (undated last) and slug."""

    original: str
    copies: tuple[str, ...]

    @property
    def slugs(self) -> tuple[str, ...]:
        return (self.original, *self.copies)


def comparable_text(article: Article) -> str:
    """The body (paragraphs and headings) folded to Simplified, compatibility
    forms unified, without spaces or punctuation."""
    body = "".join(block.text for block in article.blocks if block.kind in ("p", "h"))
    if FULL_WIDTH.search(body):
        body = body.translate(HALF_WIDTH)
    return NOT_TEXT.sub("", to_simplified(body).lower())


def shingles(text: str) -> np.ndarray:
    """The set of the text's runs of ``SHINGLE`` characters, each as a 64-bit
    hash (sorted, unique): a rolling polynomial over the code points, mixed."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    hashed = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        for offset in range(SHINGLE):
            hashed = hashed * np.uint64(1_000_003) + codes[offset : offset + count]
        hashed ^= hashed >> np.uint64(33)
        hashed *= np.uint64(0xFF51AFD7ED558CCD)
        hashed ^= hashed >> np.uint64(33)
    hashed.sort()
    return hashed[np.concatenate(([True], hashed[1:] != hashed[:-1]))]


@cache
def permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine permutations (h -> a * h + b mod 2**32) for
    ``NUM_PERM`` and ``SEED``."""
    first, second = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    return first.astype(np.uint32), second.astype(np.uint32)


def sketch(shingled: np.ndarray) -> LeanMinHash:
    """The MinHash of a shingle set: what datasketch's ``MinHash.update_batch``
    makes of these values (already mixed: its pre-mix is left out), in one
    array operation rather than one Python call per shingle."""
    first, second = permutations()
    values = (shingled >> np.uint64(32)).astype(np.uint32)[:, None]
    with np.errstate(over="ignore"):
        hashvalues = (values * first + second).min(axis=0)
    return LeanMinHash(seed=SEED, hashvalues=hashvalues, scheme="affine32")


def same_story(first: np.ndarray, second: np.ndarray) -> bool:
    """The exact test of a candidate pair: containment of the shorter text's
    shingles in the longer's, and Jaccard."""
    # Both are sorted and unique: each of one looked up in the other.
    found = np.searchsorted(second, first).clip(max=len(second) - 1)
    shared = int(np.count_nonzero(second[found] == first))
    shorter = min(len(first), len(second))
    union = len(first) + len(second) - shared
    return shared >= CONTAINMENT * shorter and shared >= JACCARD * union


class Joined:
    """Union-find over article positions."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        root = item
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent.get(item, item)
        return root

    def join(self, first: int, second: int) -> None:
        roots = sorted((self.find(first), self.find(second)))
        if roots[0] != roots[1]:
            self.parent[roots[1]] = roots[0]

    def groups(self) -> Iterator[list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for item in sorted(self.parent):
            members[self.find(item)].append(item)
        for root, items in sorted(members.items()):
            yield sorted({root, *items})


def story_order(article: Article) -> tuple[int, str, str]:
    """Dated copies first, earliest first; undated after; then by slug."""
    return (0, article.date, article.slug) if article.date else (1, "", article.slug)


def reprints_only(stories: dict[str, Story]) -> set[str]:
    """The slugs of the copies that are not their story's original: what
    lists leave out when each report is shown once."""
    return {slug for slug, story in stories.items() if story.original != slug}


def reprint_counts(stories: dict[str, Story]) -> dict[str, int]:
    """By the slug of each story's original, its number of reprints."""
    return {story.original: len(story.copies) for story in stories.values()}


def band_keys(values: np.ndarray, band: int) -> np.ndarray:
    """Each sketch's key in one band: its ``ROWS`` values there, as one number."""
    rows = values[:, band * ROWS : (band + 1) * ROWS].astype(np.uint64)
    key = rows[:, 0]
    with np.errstate(over="ignore"):
        for column in range(1, ROWS):
            key = key * np.uint64(0x9E3779B97F4A7C15) + rows[:, column]
    return key


def candidate_pairs(values: np.ndarray) -> np.ndarray:
    """Pairs of rows of ``values`` (sketches) that agree in some band, as an
    (n, 2) array, smaller row first: LSH's candidates.  In a band's bucket
    each sketch is paired with its next ``NEIGHBOURS`` (a bucket sorted by a
    value of the sketch's own that differs by band), so a bucket of up to
    ``NEIGHBOURS + 1`` sketches yields every pair, and a bucket of thousands
    (an archive of many like texts) a number linear in its size, not
    quadratic: the copies of one story are joined through one another."""
    found = [np.empty((0, 2), dtype=np.int64)]
    rows = np.arange(len(values), dtype=np.int64)
    for band in range(BANDS):
        keys = band_keys(values, band)
        tiebreak = values[:, (band * ROWS + ROWS) % NUM_PERM]
        order = np.lexsort((rows, tiebreak, keys))
        ranked = keys[order]
        for step in range(1, NEIGHBOURS + 1):
            same = ranked[:-step] == ranked[step:]
            if not same.any():
                break
            found.append(np.stack((order[:-step][same], order[step:][same]), axis=1))
    pairs = np.sort(np.concatenate(found), axis=1)
    return np.unique(pairs, axis=0)


def agreement(pairs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many MinHash values each pair's sketches share (chunked: a pair
    costs a row of values while it is compared)."""
    counts = [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(pairs), 100_000):
        chunk = pairs[start : start + 100_000]
        counts.append(np.count_nonzero(values[chunk[:, 0]] == values[chunk[:, 1]], axis=1))
    return np.concatenate(counts)


def likeliest(pairs: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The candidate pairs worth the exact check, likeliest first: those
    whose estimated Jaccard (the share of MinHash values they agree on) is
    not far below ``JACCARD``, and of those at most ``MOST_CHECKED`` per
    article (a story's copies are joined through one another, so no copy
    needs to be checked against every other)."""
    agree = agreement(pairs, values)
    keep = agree >= (JACCARD - ESTIMATE_MARGIN) * NUM_PERM
    pairs, agree = pairs[keep], agree[keep]
    # Each pair seen from both its articles; an article keeps its likeliest.
    directed = np.concatenate((pairs, pairs[:, ::-1]))
    weight = np.concatenate((agree, agree))
    order = np.lexsort((directed[:, 1], -weight, directed[:, 0]))
    directed, weight = directed[order], weight[order]
    first = np.concatenate(([True], directed[1:, 0] != directed[:-1, 0]))
    starts = np.flatnonzero(first)
    rank = np.arange(len(directed)) - np.repeat(starts, np.diff(np.append(starts, len(directed))))
    kept = directed[rank < MOST_CHECKED]
    chosen, where = np.unique(np.sort(kept, axis=1), axis=0, return_index=True)
    strength = weight[rank < MOST_CHECKED][where]
    return chosen[np.lexsort((chosen[:, 1], chosen[:, 0], -strength))]


def body_key(article: Article) -> str:
    """What an article's sketch is remembered by: the text it is made from."""
    body = "\0".join(block.text for block in article.blocks if block.kind in ("p", "h"))
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def sketched_body(article: Article) -> bytes:
    """An article's shingle set's digest (16 bytes) and its MinHash values;
    empty when the body is too short to be joined."""
    shingled = shingles(comparable_text(article))
    if len(shingled) < MIN_SHINGLES:
        return b""
    digest = hashlib.blake2b(shingled.tobytes(), digest_size=16).digest()
    return digest + sketch(shingled).hashvalues.astype("<u4").tobytes()


def kept_only(remembered: dict | None, used: dict) -> None:
    """``remembered`` left holding only what this build used: an edited
    article's old sketch, and checks of pairs no longer candidates, go."""
    if remembered is not None:
        remembered.clear()
        remembered.update(used)


def find_stories(
    articles: Sequence[Article], sketches: dict | None = None, checked: dict | None = None
) -> dict[str, Story]:
    """Every article that is one of two or more copies of a report, by slug,
    mapped to its story; articles that stand alone are absent.

    The original is the earliest dated copy (ISO dates compared as text, so a
    day without a time comes before that day's times); copies without a date
    come after every dated one; equal dates, and stories with no date at all,
    are ordered by slug.  Bodies shorter than ``MIN_SHINGLES`` shingles are
    never joined.  The result depends only on the articles, not their order.

    ``sketches`` (body key -> ``sketched_body``) and ``checked`` (two shingle
    digests -> one story or not) are what the last build remembered; they
    are updated to this build's."""
    ordered = sorted(articles, key=lambda a: a.slug)
    joined = Joined()
    sketched: list[int] = []  # positions of the articles with a sketch, by row of ``values``
    values: list[np.ndarray] = []
    digests: list[bytes] = []  # by row of ``values``: the shingle set's digest
    first_of: dict[bytes, int] = {}  # identical bodies are joined without the index
    known = sketches if sketches is not None else {}
    used_sketches: dict[str, bytes] = {}
    for position, article in enumerate(ordered):
        key = body_key(article)
        entry = known.get(key)
        if entry is None:
            entry = sketched_body(article)
        used_sketches[key] = entry
        if not entry:
            continue
        digest = entry[:16]
        if digest in first_of:
            joined.join(first_of[digest], position)
            continue
        first_of[digest] = position
        sketched.append(position)
        digests.append(digest)
        values.append(np.frombuffer(entry, dtype="<u4", offset=16))
    kept_only(sketches, used_sketches)

    @lru_cache(maxsize=4096)
    def shingled_at(position: int) -> np.ndarray:
        return shingles(comparable_text(ordered[position]))

    earlier = checked if checked is not None else {}
    used_checks: dict[str, bool] = {}
    table = np.array(values, dtype=np.uint32).reshape(len(values), NUM_PERM)
    for first, second in likeliest(candidate_pairs(table), table).tolist():
        position, other = sketched[first], sketched[second]
        if joined.find(other) == joined.find(position):
            continue
        pair = b"".join(sorted((digests[first], digests[second]))).hex()
        same = earlier.get(pair)
        if same is None:
            same = same_story(shingled_at(position), shingled_at(other))
        used_checks[pair] = same
        if same:
            joined.join(position, other)
    kept_only(checked, used_checks)
    stories: dict[str, Story] = {}
    for group in joined.groups():
        copies = sorted((ordered[position] for position in group), key=story_order)
        story = Story(copies[0].slug, tuple(copy.slug for copy in copies[1:]))
        for copy in copies:
            stories[copy.slug] = story
    return stories
