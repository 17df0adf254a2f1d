"""The per-file read stage: one content file to a tagged Article (or a
Failure naming the problem) and, for the search index, its term data.

``read_file`` is the stage an executor maps over a build's files: given a
path, it reads the file where it runs (a worker on this machine); given a
file's name and bytes, read by the build, it touches no disk (a worker on a
cluster), seeing the content folder's images through the list it was sent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from archivist.ingest.deadline import DEFAULT_FILE_TIMEOUT, TIMED_OUT, FileTimeout, time_limit
from archivist.ingest.editorial import Editorial
from archivist.ingest.guard import Guarded, as_read_result
from archivist.ingest.inputs import DEFAULT_MAX_INPUT_BYTES, InputError, printable_path, read_input, walk
from archivist.ingest.normalise import content_hash, normalise
from archivist.ingest.read import ReadError, read_bytes
from archivist.model import Article, Failure
from archivist.search.searchdocs import article_terms
from archivist.tag.gazetteer import load_gazetteer
from archivist.tag.slogans import article_slogans
from archivist.tag.tag import tag_article
from archivist.text.lexicon import PatternTimeout

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def display_path(path: Path) -> Path:
    """Relative to the working folder when below it, as a user typed it."""
    try:
        return path.resolve().relative_to(Path.cwd())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return path


def shown_path(path: Path) -> str:
    """A content file's name in messages, keys and JSON (Article.path)."""
    return printable_path(display_path(path))


def shown_paths(content_dir: Path, paths: Iterable[Path], links: Collection[Path]) -> dict[Path, str]:
    """``shown_path`` of each file ``discover`` listed below ``content_dir``,
    resolving the folder once: below it, a listed file is reached through
    real folders only (links to folders are not walked), so it resolves to
    the resolved folder joined with its name; only ``links`` (and a path
    not spelled from the folder) are resolved one by one."""
    real_root = os.path.realpath(content_dir)
    below_cwd = os.path.join(os.getcwd(), "")
    prefix = os.path.join(os.fspath(content_dir), "")
    names = {}
    for path in paths:
        spelled = os.fspath(path)
        if path in links or not spelled.startswith(prefix):
            names[path] = shown_path(path)
            continue
        resolved = os.path.join(real_root, spelled[len(prefix) :])
        # As display_path: relative to the working folder when below it, else as given.
        names[path] = printable_path(resolved[len(below_cwd) :] if resolved.startswith(below_cwd) else path)
    return names


def normalise_file(
    path: Path,
    editorial: Editorial | None = None,
    keep_source: bool = True,
    root: Path | None = None,
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES,
    file_timeout: float = DEFAULT_FILE_TIMEOUT,
) -> Article | Failure:
    """One file to a tagged Article, or a Failure naming the problem; never
    raises for bad input.  The file is read only if it is a regular file
    inside ``root`` (default: its own folder) at most ``max_bytes`` long.
    Without ``keep_source`` the cleaned source text
    and the lines set aside as furniture are left out (only plain-text copies
    and ``inspect`` show them: a large archive need not hold a second copy of
    every text)."""
    shown = shown_path(path)
    try:
        data = read_input(path, root if root is not None else path.absolute().parent, max_bytes)
    except InputError as error:
        return Failure(shown, str(error))
    return normalise_data(shown, data, editorial, keep_source, file_timeout=file_timeout)


def normalise_data(
    path: str,
    data: bytes,
    editorial: Editorial | None = None,
    keep_source: bool = True,
    exists: Callable[[str], bool] = os.path.isfile,
    file_timeout: float = DEFAULT_FILE_TIMEOUT,
) -> Article | Failure:
    """A file's bytes to a tagged Article or a Failure, touching no disk but
    through ``exists`` (which image files lie beside a saved page); a file
    that takes more than ``file_timeout`` seconds is a Failure too."""
    try:
        editorial = editorial or Editorial()
        with time_limit(file_timeout):
            article = normalise(read_bytes(path, data), content_hash(data), editorial.lexicon, exists)
            article = tag_article(article, load_gazetteer(), editorial.initiatives)
            found = (editorial.glossary.canonical(s) for s in article_slogans(article.paragraphs))
            slogans = tuple(s for s in dict.fromkeys(found) if s not in editorial.glossary.hidden)
        if not keep_source:
            article = replace(article, original_text="", dropped=())
        return replace(article, slogans=slogans)
    except (ReadError, PatternTimeout) as error:
        return Failure(path, str(error), getattr(error, "dropped", ()) if keep_source else ())
    except RecursionError:
        return Failure(path, "structure nested too deeply to read")
    except FileTimeout:
        return Failure(path, f"took longer than {file_timeout:g} s to read {TIMED_OUT}; left out")


ReadResult = tuple[Article | Failure, tuple[str, list] | None]


def with_term_data(result: Article | Failure, wanted: bool = True) -> ReadResult:
    """A read file's result and, when wanted and it is an article, its term data."""
    return result, article_terms(result) if wanted and isinstance(result, Article) else None


@dataclass(frozen=True)
class ReadSettings:
    """What reading any file needs besides the file: sent to (or inherited
    by) each worker once.  ``images`` lists the content folder's image files
    for a worker that cannot see them (None: look on the disk)."""

    editorial: Editorial
    keep_source: bool = True
    with_terms: bool = True
    root: Path | None = None
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES
    file_timeout: float = DEFAULT_FILE_TIMEOUT
    images: frozenset[str] | None = None
    debug: bool = False  # raise a stage's unexpected exception instead of making it the file's error


# A file as a stage is given it: its path, or its name and what the build
# read of it (its bytes, or the Failure that reading it was).
FileItem = Path | tuple[str, bytes | Failure]


def read_file(item: FileItem, settings: ReadSettings) -> ReadResult:
    """The read stage: a file to its article and, when wanted, its term data;
    an unexpected exception in its stages is the file's internal error."""
    return Guarded(read_one, settings.debug, item_name, as_read_result)(item, settings)


def item_name(item: FileItem) -> str:
    return shown_path(item) if isinstance(item, Path) else item[0]


def read_one(item: FileItem, settings: ReadSettings) -> ReadResult:
    if isinstance(item, Path):
        result = normalise_file(
            item,
            settings.editorial,
            settings.keep_source,
            root=settings.root,
            max_bytes=settings.max_bytes,
            file_timeout=settings.file_timeout,
        )
    else:
        path, data = item
        if isinstance(data, Failure):
            return data, None
        exists = settings.images.__contains__ if settings.images is not None else os.path.isfile
        result = normalise_data(path, data, settings.editorial, settings.keep_source, exists, settings.file_timeout)
    return with_term_data(result, settings.with_terms)


def file_bytes(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> tuple[str, bytes | Failure]:
    """A file read by the build for a worker elsewhere: its name and bytes,
    or a Failure as a local build would have it."""
    shown = shown_path(path)
    try:
        return shown, read_input(path, root, max_bytes)
    except InputError as error:
        return shown, Failure(shown, str(error))


def image_files(content_dir: Path) -> frozenset[str]:
    """The content folder's image files, as the paths pages are read under
    (real folders only: a link to a folder is not walked)."""
    return frozenset(
        os.path.normpath(shown_path(Path(entry.path)))
        for entry in walk(content_dir, lambda entry: False, [])
        if entry.name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()
    )
