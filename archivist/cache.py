"""What the last build made, so the next one redoes only what changed.

Per content file: its stat key and the Article (or Failure) it gave.  Per
output page: the signature of everything it showed.  Kept in memory by the
preview server and stored as JSON (``stored``: data, never code) in the
build's state folder (beside the output folder, never in it; its owner's
only) between builds; any change to this package's code makes an old cache
void, and a file that is not what this package wrote is ignored.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from pathlib import Path

from .model import Article, Failure
from .stored import read_stored, write_stored
from .write import private_folder, state_dir

CACHE_FILE = "cache.json"
# Per-article data, large and keyed by content: each part is stored on its
# own, read only when a build needs it and let go as soon as it is used.
BULK_PARTS = ("terms", "traditional", "glossary", "slugs")
NESTED_PARTS = ("glossary",)  # parts that hold content-keyed dicts by name
BUCKETS = 32  # the large parts are stored in this many files; a build rewrites the ones it changed


@cache
def code_version() -> str:
    """A hash of this package's source and data (lexicon, map outlines): new
    code, new cache."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for source in sorted([*package.glob("*.py"), *package.glob("*.yaml"), *package.glob("geodata/*")]):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def stable_repr(value: object) -> str:
    """A repr that is the same in every process: sets are sorted (a set of
    text iterates in an order that changes with each interpreter's hash
    seed), patterns are their source."""
    if is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__name__}({', '.join(stable_repr(getattr(value, f.name)) for f in fields(value))})"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(stable_repr(item) for item in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(stable_repr(item) for item in value) + "]"
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r})"
    return repr(value)


def stat_key(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


@dataclass
class BuildCache:
    version: str = field(default_factory=code_version)
    # path -> (stat key, editorial fingerprint, result)
    articles: dict[str, tuple[tuple[int, int] | None, str, Article | Failure]] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)  # output path -> signature
    search: dict[str, object] = field(default_factory=dict)  # search-index parts by key
    # Whether this build changed anything the cache holds (if not, the cache
    # on disk is still right and is not written again).
    dirty: bool = field(default=True, compare=False)
    bulk_from: Path | None = field(default=None, compare=False)  # where BULK_PARTS wait to be read
    # Where this cache is kept between builds (None: in memory only, as the
    # preview server keeps it): a part let go is written there first.
    folder: Path | None = field(default=None, compare=False)
    # What each stored bucket held when it was read: unchanged buckets are not written again.
    stored: dict[str, int] = field(default_factory=dict, compare=False)

    def part(self, name: str) -> dict:
        """One of ``BULK_PARTS``, read from disk the first time a build needs it."""
        if name not in self.search and self.bulk_from is not None:
            place = self.search.setdefault(name, {})
            for key, value in read_buckets(self.bulk_from, bulk_store(name), self.version, self.stored).items():
                into = place
                for step in key[:-1]:
                    into = into.setdefault(step, {})
                into[key[-1]] = value
        return self.search.setdefault(name, {})

    def release(self, name: str) -> None:
        """Write one of ``BULK_PARTS`` where the cache is kept and let it go
        from memory: its entries are keyed by content, so they stay true
        whatever this build does next.  The preview server's cache, kept in
        memory, keeps its parts.  The dict ``part`` gave is emptied."""
        if self.folder is None or name not in self.search:
            return
        private_folder(self.folder)
        part = self.search.pop(name)
        write_buckets(self.folder, bulk_store(name), dict(flatten({name: part}, within=name)), {}, self)
        part.clear()
        self.bulk_from = self.folder  # read back from there if asked for again

    def lookup(self, path: str, key: tuple | None, editorial: str) -> Article | Failure | None:
        hit = self.articles.get(path)
        if hit and key is not None and hit[0] == key and hit[1] == editorial:
            return hit[2]
        return None


def bucket_of(key: object) -> int:
    return zlib.crc32(repr(key).encode()) % BUCKETS  # the same in every process, unlike hash()


def fingerprint(keys: list) -> int:
    """What a bucket holds, by its keys (values are named by their keys:
    content hashes, or a path with its stat key), in any order."""
    total = 0
    for key in keys:
        total += int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big")
    return total % 2**64


def flatten(parts: dict, within: str) -> Iterator[tuple[tuple, object]]:
    """One part as (..., key) -> value, down to its content-keyed dicts (the
    glossary's are one level down)."""
    part = parts[within]
    if within in NESTED_PARTS:
        for name, value in part.items():
            yield from (((name, key), item) for key, item in value.items())
    else:
        yield from (((key,), item) for key, item in part.items())


def bulk_store(name: str) -> str:
    return f"bulk-{name}"


def bucket_name(store: str, number: int) -> str:
    return f"{store}-{number:02d}.json"


def read_buckets(folder: Path, store: str, version: str, stored: dict[str, int]) -> dict:
    items: dict = {}
    for number in range(BUCKETS):
        name = bucket_name(store, number)
        data = read_stored(folder / name)
        if isinstance(data, tuple) and len(data) == 3 and data[0] == version and isinstance(data[2], dict):
            stored[name] = data[1]
            items.update(data[2])
    return items


def write_buckets(folder: Path, store: str, items: dict, named: dict, build_cache: BuildCache) -> None:
    """``items`` in buckets by key; a bucket whose keys (``named`` gives the
    fingerprint key of an item) are what was read is not written again."""
    buckets: list[dict] = [{} for _ in range(BUCKETS)]
    for key, value in items.items():
        buckets[bucket_of(key)][key] = value
    for number, bucket in enumerate(buckets):
        name = bucket_name(store, number)
        mark = fingerprint([named.get(key, key) for key in bucket])
        if build_cache.stored.get(name) == mark and (folder / name).exists():
            continue
        write_stored(folder / name, (build_cache.version, mark, bucket))
        build_cache.stored[name] = mark


def load_cache(output: Path, in_memory: bool = False) -> BuildCache:
    """The last build's cache; ``in_memory`` keeps every part it reads in
    memory until the cache is saved (the preview server's, rebuilt often)."""
    folder = state_dir(output)
    cached = read_stored(folder / CACHE_FILE)
    if not (isinstance(cached, dict) and cached.get("version") == code_version()):
        return BuildCache(folder=None if in_memory else folder)
    pages, search = cached.get("pages"), cached.get("search")
    if not isinstance(pages, dict) or not isinstance(search, dict):
        return BuildCache(folder=None if in_memory else folder)
    stored: dict[str, int] = {}
    return BuildCache(
        version=cached["version"],
        articles=read_buckets(folder, "articles", cached["version"], stored),
        pages=pages,
        search=search,
        dirty=False,
        bulk_from=folder,
        folder=None if in_memory else folder,
        stored=stored,
    )


def save_cache(output: Path, build_cache: BuildCache) -> None:
    """The cache in buckets: the articles, and the search and glossary data
    when this build loaded or made it (a build that changed nothing reads
    none of it back); only buckets whose content changed are written.  The
    small file goes last: it is what makes the rest count."""
    folder = private_folder(state_dir(output))
    named = {path: (path, entry[0], entry[1]) for path, entry in build_cache.articles.items()}
    write_buckets(folder, "articles", build_cache.articles, named, build_cache)
    for earlier in folder.glob("*.pickle"):  # earlier layouts; never read
        earlier.unlink()
    bulk = {name: build_cache.search.pop(name) for name in BULK_PARTS if name in build_cache.search}
    try:
        for name in bulk:
            write_buckets(folder, bulk_store(name), dict(flatten(bulk, within=name)), {}, build_cache)
        summary = {"version": build_cache.version, "pages": build_cache.pages, "search": build_cache.search}
        write_stored(folder / CACHE_FILE, summary)
    finally:
        build_cache.search.update(bulk)


def forget_cache(output: Path) -> None:
    (state_dir(output) / CACHE_FILE).unlink(missing_ok=True)
