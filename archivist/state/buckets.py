"""Large state parts stored in a fixed number of files by key: a build
rewrites only the buckets whose keys changed, and reads a part back only
when it needs it.  Each bucket carries the version of the stage that made
its values; a bucket of another version (or of no version: an earlier
format) is not read."""

from __future__ import annotations

import hashlib
import zlib
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


def flatten(part: dict) -> dict[tuple, object]:
    return {(key,): item for key, item in part.items()}


def unflatten(items: dict) -> dict:
    return {key[0]: value for key, value in items.items() if isinstance(key, tuple) and len(key) == 1}


def nested_name(store: str, file_name: str) -> str | None:
    """The name of the dict a nested store's bucket file holds (None for
    another store's file, or the earlier format's one-store buckets)."""
    if not (file_name.startswith(store + ".") and file_name[-8:-7] == "-" and file_name.endswith(".json")):
        return None
    return file_name[len(store) + 1 : -8] or None


def read_nested(folder: Path, store: str, version: str, marks: dict[str, int]) -> dict:
    """A part of content-keyed dicts by name, each dict in buckets of its own."""
    names = {nested_name(store, path.name) for path in folder.glob(f"{store}.*.json")} - {None}
    return {name: read_buckets(folder, f"{store}.{name}", version, marks) for name in sorted(names, key=str)}


def write_nested(folder: Path, store: str, version: str, part: dict, marks: dict[str, int]) -> None:
    """Each dict of ``part`` in buckets of its own: an edit rewrites a bucket
    or two of each, not most buckets of one store that mixes them.  Buckets
    of names the part no longer holds, and of the earlier one-store format,
    are removed."""
    for name, items in part.items():
        write_buckets(folder, f"{store}.{name}", version, items, {}, marks)
    for path in folder.glob(f"{store}[.-]*.json"):
        name = nested_name(store, path.name)
        if name not in part:
            path.unlink(missing_ok=True)
