"""What the last build made, so the next one redoes only what changed.

Per content file: its stat key and the Article (or Failure) it gave.  Per
output page: the signature of everything it showed.  Kept in memory by the
preview server and pickled in the build's state folder (beside the output
folder, never in it) between builds; any change to this package's code makes
an old cache void.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache
from pathlib import Path

from .model import Article, Failure
from .write import state_dir

CACHE_FILE = "cache.pickle"
BULK_FILE = "search-terms.pickle"
BULK_PARTS = ("terms", "traditional", "glossary")  # per-article data, large: kept in BULK_FILE


@cache
def code_version() -> str:
    """A hash of this package's source: new code, new cache."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
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

    def part(self, name: str) -> dict:
        """One of ``BULK_PARTS``, read from disk the first time a build needs it."""
        if name not in self.search and self.bulk_from is not None:
            stored = read_pickle(self.bulk_from)
            self.bulk_from = None
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.version:
                self.search.update(stored[1])
        return self.search.setdefault(name, {})

    def lookup(self, path: str, key: tuple[int, int] | None, editorial: str) -> Article | Failure | None:
        hit = self.articles.get(path)
        if hit and key is not None and hit[0] == key and hit[1] == editorial:
            return hit[2]
        return None


def read_pickle(path: Path) -> object:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


def write_pickle(path: Path, value: object) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def load_cache(output: Path) -> BuildCache:
    cached = read_pickle(state_dir(output) / CACHE_FILE)
    if not isinstance(cached, BuildCache) or cached.version != code_version():
        return BuildCache()
    cached.dirty = False
    cached.bulk_from = state_dir(output) / BULK_FILE
    return cached


def save_cache(output: Path, build_cache: BuildCache) -> None:
    """The cache in two files: the search term data, the bulk of it, only
    when this build loaded or made it (a build that changed nothing reads
    neither file back in full)."""
    folder = state_dir(output)
    folder.mkdir(parents=True, exist_ok=True)
    bulk = {name: build_cache.search.pop(name) for name in BULK_PARTS if name in build_cache.search}
    try:
        if bulk:
            write_pickle(folder / BULK_FILE, (build_cache.version, bulk))
        write_pickle(folder / CACHE_FILE, build_cache)
    finally:
        build_cache.search.update(bulk)


def forget_cache(output: Path) -> None:
    (state_dir(output) / CACHE_FILE).unlink(missing_ok=True)
