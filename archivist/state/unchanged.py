"""The no-change check: whether a build has anything to do, decided before
any article is loaded.

A successful build stores a small record beside its state: a digest of
every input (each entry below the content folder by its stat, the theme's
files, lunr.js, the package's own files, the settings, the stage versions,
the working folder the article paths are named from) and the marks of the
output it committed (each output folder's type, mtime and inode, and the
state files').  The next build computes the digest again and stats those
folders: when all are the same, it reports what the last one did and writes
nothing.  Adding, removing or renaming a file in a folder changes the
folder's mtime; a file overwritten in place does not (the full check, which
compares the manifest with the files present, misses that too).

Stats only, no file is read: at 100,000 articles this is one scan of the
content folder and a stat per output folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import archivist
from archivist.config import SiteConfig
from archivist.model import Corpus, Failure
from archivist.output.write import JOURNAL, LOCK, MANIFEST, OutputError, SiteWriter, state_dir, write_atomically
from archivist.resources import PACKAGE, lunr_js

RECORD = "unchanged.json"
FORMAT = 1
# Folders of other tools that a build never reads (hidden: ``discover`` skips
# them): their churn (``git status`` rewrites .git/index) would make every
# build a full one.
NOT_CONTENT = frozenset({".git", ".hg", ".svn"})
NOT_CODE = frozenset({"__pycache__"})
# What does not change what a build makes or reports (a file's time limit
# does: a file that timed out is never recorded, see ``recordable``).
NOT_INPUTS = frozenset({"workers", "scheduler", "debug", "config_path"})
STATE_FILES = (MANIFEST, "state.json", "aliases.json")


def entry_line(name: str, status: os.stat_result) -> str:
    return f"{name}\0{status.st_mode}\0{status.st_size}\0{status.st_mtime_ns}\0{status.st_ctime_ns}\0{status.st_ino}\n"


def followed(path: str) -> str:
    """Where a path (a symlink) leads and what is there (or why nothing is)."""
    try:
        target = os.readlink(path) if os.path.islink(path) else ""
        return f"->{target}\0{os.path.realpath(path)}\0{entry_line('', os.stat(path))}"
    except (OSError, RuntimeError) as error:
        return f"->!{getattr(error, 'errno', error)}\n"


def tree_digest(digest: Any, folder: Path, skip: frozenset[str] = frozenset()) -> None:
    """Every entry below ``folder``, by relative name and stat (type and
    permissions, size, mtime, ctime, inode); a symlink also by its target and
    what it leads to; a folder that cannot be listed by its error.  Links to
    folders are not entered (nor are they by the build)."""
    try:
        digest.update(entry_line(f"{folder}\0{os.path.realpath(folder)}", os.stat(folder)).encode())
    except OSError as error:
        digest.update(f"{folder}\0!{error.errno}\n".encode())
        return
    pending = [("", os.fspath(folder))]
    while pending:
        prefix, current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            digest.update(f"{prefix}\0!{error.errno}\n".encode("utf-8", "surrogateescape"))
            continue
        lines = []
        for entry in entries:
            if entry.name in skip:
                continue
            name = prefix + entry.name
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError as error:
                lines.append(f"{name}\0!{error.errno}\n")
                continue
            lines.append(entry_line(name, status))
            if stat.S_ISLNK(status.st_mode):
                lines.append(followed(entry.path))
            elif stat.S_ISDIR(status.st_mode):
                pending.append((name + "/", entry.path))
        digest.update("".join(lines).encode("utf-8", "surrogateescape"))


def settings_text(config: SiteConfig) -> str:
    return repr([(f.name, getattr(config, f.name)) for f in fields(config) if f.name not in NOT_INPUTS])


def inputs_digest(config: SiteConfig, versions: dict[str, str]) -> str:
    """Everything a build reads besides its output and its state, by stat."""
    digest = hashlib.sha256()
    context = (FORMAT, archivist.__version__, sys.version, sorted(versions.items()), settings_text(config))
    digest.update(f"{context}\0{os.getcwd()}\0{lunr_js()}\0{followed(os.fspath(lunr_js()))}".encode())
    digest.update(b"\0package\0")
    tree_digest(digest, PACKAGE, NOT_CODE)
    for number, folder in enumerate((*config.template_dirs, *config.static_dirs, config.content_dir)):
        digest.update(f"\0tree {number}\0".encode())
        tree_digest(digest, folder, NOT_CONTENT)
    return digest.hexdigest()


def output_folders(output: Path) -> list[str]:
    """The output folder and every folder below it that holds a file of the
    last commit's manifest, as relative POSIX paths."""
    folders = {""}
    for name in SiteWriter(output).previous_files():
        end = name.rfind("/")
        while end > 0:
            folder = name[:end]
            if folder in folders:
                break
            folders.add(folder)
            end = name.rfind("/", 0, end)
    return sorted(folders)


def mark(path: Path) -> list[int] | None:
    try:
        status = os.lstat(path)
    except OSError:
        return None
    # Its type, not its permissions: a site made read-only is the same site.
    return [stat.S_IFMT(status.st_mode), status.st_size, status.st_mtime_ns, status.st_ino]


def output_marks(output: Path, folders: list[str]) -> dict[str, Any]:
    """The output folders' stats (a folder's mtime changes when a file in it
    is added, removed or renamed over), and the state files'."""
    output = output.resolve()
    state = state_dir(output)
    return {
        "folders": [[folder, *(mark(output / folder) or [])] for folder in folders],
        "state": {name: mark(state / name) for name in STATE_FILES},
    }


@dataclass(frozen=True)
class Outcome:
    """What the last build reported: its article count, its errors and warnings as printed."""

    articles: int
    failures: list[Failure]
    warnings: list[str]  # each line's text after "warning: "

    def corpus(self) -> Corpus:
        """A corpus that reports as the last one did (its articles are not loaded)."""
        return Corpus(failures=list(self.failures), notices=list(self.warnings))


def outcome_of(corpus: Corpus) -> Outcome:
    warnings = [line.removeprefix("warning: ") for line in corpus.warnings()]
    return Outcome(len(corpus.articles), [Failure(f.path, f.error) for f in corpus.failures], warnings)


def unchanged_outcome(config: SiteConfig, inputs: str) -> Outcome | None:
    """The last build's outcome when nothing it read or wrote has changed
    since (``inputs`` as ``inputs_digest`` gives it now); else None, and the
    record (stale) is removed."""
    output = config.output_dir.resolve()
    state = state_dir(output)
    record = read_record(state / RECORD)
    if record is not None and record.get("inputs") == inputs and not (state / JOURNAL).exists():
        marks = record.get("marks")
        folders = marks.get("folders") if isinstance(marks, dict) else None
        listed = isinstance(folders, list) and all(isinstance(entry, list) and entry for entry in folders)
        if listed and marks == output_marks(output, [str(entry[0]) for entry in folders or ()]):
            return parsed_outcome(record)
    forget_unchanged(output)
    return None


def read_record(path: Path) -> dict | None:
    try:
        record = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("format") == FORMAT else None


def parsed_outcome(record: dict) -> Outcome | None:
    articles, failures, warnings = record.get("articles"), record.get("failures"), record.get("warnings")
    if not (isinstance(articles, int) and isinstance(failures, list) and isinstance(warnings, list)):
        return None
    if not all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair) for pair in failures
    ):
        return None
    if not all(isinstance(line, str) for line in warnings):
        return None
    return Outcome(articles, [Failure(path, error) for path, error in failures], warnings)


def save_unchanged(output: Path, inputs: str, outcome: Outcome) -> None:
    """The record of a build that finished (and committed, or found its
    output whole), from the inputs digest taken before it read anything: an
    input changed during the build makes the next one a full build."""
    output = output.resolve()
    record = {
        "format": FORMAT,
        "inputs": inputs,
        "marks": output_marks(output, output_folders(output)),
        "articles": outcome.articles,
        "failures": [[failure.path, failure.error] for failure in outcome.failures],
        "warnings": outcome.warnings,
    }
    data = json.dumps(record, ensure_ascii=False).encode("utf-8", "surrogatepass")
    with contextlib.suppress(OSError):  # a read-only state folder: the next build is a full one, as before
        write_atomically(state_dir(output) / RECORD, data)


def forget_unchanged(output: Path) -> None:
    """No record: the next build is a full one.  (A state folder that cannot
    be written keeps a stale record, which the next check finds stale.)"""
    with contextlib.suppress(OSError):
        (state_dir(output) / RECORD).unlink(missing_ok=True)


def check_not_writing(output: Path) -> None:
    """OutputError when another build holds the output's lock (a build with
    nothing to do still must not report a site that is being replaced)."""
    lock = state_dir(output.resolve()) / LOCK
    try:
        descriptor = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return  # no lock file: no build has written here under a lock
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OutputError(f"another build is writing to {output.resolve()}; wait for it to finish") from None
    finally:
        os.close(descriptor)
