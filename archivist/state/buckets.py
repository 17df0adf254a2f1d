"""Large state parts stored in a fixed number of files by key: a build
rewrites only the buckets whose keys changed, and reads a part back only
when it needs it.  Each bucket carries the version of the stage that made
its values; a bucket of another version (or of no version: an earlier
format) is not read."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path

from archivist.state.stored import read_stored, write_stored

BUCKETS = 32


def bucket_of(key: object) -> int:
    return zlib.crc32(repr(key).encode()) % BUCKETS  # the same in every process, unlike hash()


def fingerprint(keys: list) -> int:
    """What a bucket holds, by its keys (values are named by their keys:
    content hashes, or a path with its stat key), in any order."""
    total = 0
    for key in keys:
        total += int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big")
    return total % 2**64


def bucket_name(store: str, number: int) -> str:
    return f"{store}-{number:02d}.json"


def read_buckets(folder: Path, store: str, version: str, marks: dict[str, int]) -> dict:
    """Every item of ``store`` made by ``version``; ``marks`` is told the
    fingerprint of each bucket read."""
    items: dict = {}
    for number in range(BUCKETS):
        name = bucket_name(store, number)
        data = read_stored(folder / name)
        if isinstance(data, tuple) and len(data) == 3 and data[0] == version and isinstance(data[2], dict):
            marks[name] = data[1]
            items.update(data[2])
    return items


def write_buckets(folder: Path, store: str, version: str, items: dict, named: dict, marks: dict[str, int]) -> None:
    """``items`` in buckets by key; a bucket whose keys (``named`` gives the
    fingerprint key of an item) are what was read is not written again."""
    buckets: list[dict] = [{} for _ in range(BUCKETS)]
    for key, value in items.items():
        buckets[bucket_of(key)][key] = value
    for number, bucket in enumerate(buckets):
        name = bucket_name(store, number)
        mark = fingerprint([named.get(key, key) for key in bucket])
        if marks.get(name) == mark and (folder / name).exists():
            continue
        write_stored(folder / name, (version, mark, bucket))
        marks[name] = mark


def flatten(part: dict, nested: bool) -> Iterator[tuple[tuple, object]]:
    """A part as (..., key) -> value, down to its content-keyed dicts (a
    nested part holds them one level down, by name)."""
    if nested:
        for name, value in part.items():
            yield from (((name, key), item) for key, item in value.items())
    else:
        yield from (((key,), item) for key, item in part.items())


def unflatten(items: dict) -> dict:
    part: dict = {}
    for key, value in items.items():
        into = part
        for step in key[:-1]:
            into = into.setdefault(step, {})
        into[key[-1]] = value
    return part
