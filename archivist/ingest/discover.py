"""Which files of the content folder are articles, and when each must be read again."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from archivist.ingest.inputs import inside, kind_of, printable_path, walk
from archivist.ingest.read import PAGE_SUFFIXES, SOURCE_SUFFIXES
from archivist.model import Failure
from archivist.state.keys import stat_key


def discover(
    content_dir: Path, notices: list[str] | None = None, links: set[Path] | None = None
) -> tuple[list[Path], list[Failure]]:
    """Content files below ``content_dir``, sorted; symlinks that lead out of
    it, files that are no regular files and folders that cannot be listed
    are refused by name.  Links to folders are not followed (a cycle, or a
    link to ``/``, is one entry; one that leads out is named in ``notices``),
    nor are ``<page>_files`` folders walked.  ``links`` is told which of the
    files are symlinks (inside the folder)."""
    root = os.path.realpath(content_dir)
    files: list[Path] = []
    refused: list[Failure] = []
    unlistable: list[tuple[Path, str]] = []
    for entry in walk(content_dir, skipped_in_content, unlistable):
        path = Path(entry.path)
        wanted = path.suffix.lower() in SOURCE_SUFFIXES
        try:
            if entry.is_symlink():
                if links is not None:
                    links.add(path)
                target = os.path.realpath(path)
                if not inside(target, root):
                    where = f"symlink pointing outside the content folder ({printable_path(target)})"
                    if wanted:
                        refused.append(Failure(printable_path(path), f"{where} refused"))
                    elif notices is not None and os.path.isdir(path):
                        notices.append(f"{printable_path(path)}: {where}: its files are not read")
                    continue
            if not wanted:
                continue
            mode = entry.stat().st_mode  # follows a link inside the folder
        except OSError as error:  # a link cycle, a file gone since it was listed
            refused.append(Failure(printable_path(path), f"cannot read: {error.strerror}"))
            continue
        if stat.S_ISREG(mode):
            files.append(path)
        elif not stat.S_ISDIR(mode):  # a folder named like an article is no article, and no error
            refused.append(Failure(printable_path(path), f"not a regular file ({kind_of(mode)}); not read"))
    refused += [Failure(printable_path(folder), problem) for folder, problem in unlistable]
    return sorted(files), sorted(refused, key=lambda failure: failure.path)


def skipped_in_content(entry: os.DirEntry) -> bool:
    """Hidden files and folders, and saved pages' resource folders."""
    return entry.name.startswith(".") or resource_folder(Path(entry.path))


def resource_folder(path: Path) -> bool:
    """Whether ``path`` is the ``<name>_files`` folder a browser saves beside
    ``<name>.html`` (frames and ads of the page, not articles)."""
    name = path.name
    return name.endswith("_files") and any(
        path.with_name(name[: -len("_files")] + suffix).is_file() for suffix in PAGE_SUFFIXES
    )


def source_key(path: Path) -> tuple | None:
    """When a file must be read again: its stat, and for a saved page the
    stats of its ``<name>_files`` folder (an image added to or removed from
    it changes what the page's article shows).  The folder is walked only
    when it is a real folder: a link (to ``/usr``, say) is keyed by where it
    leads, never walked."""
    key = stat_key(path)
    if path.suffix.lower() not in PAGE_SUFFIXES:
        return key
    resources = path.with_name(path.stem + "_files")
    try:
        mode = os.lstat(resources).st_mode
        if stat.S_ISLNK(mode):
            return (key, ("symlink", printable_path(os.readlink(resources))))
    except OSError:
        return key
    if not stat.S_ISDIR(mode):
        return key
    entries = []
    for entry in walk(resources, lambda entry: False, []):
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(status.st_mode):
            entries.append((printable_path(os.path.relpath(entry.path, resources)), status.st_mtime_ns, status.st_size))
    return (key, tuple(sorted(entries)))
