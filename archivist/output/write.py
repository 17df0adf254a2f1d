"""Putting bytes on disk, inside the output folder and nowhere else.

A build stages every file first; only when rendering finished does it sync the
staged tree into the output folder.  Files whose bytes did not change are left
alone (their mtimes stay, so deploys upload only what changed), and only files
an earlier build wrote, listed in its manifest, are ever removed.

The build's own state (manifest, journal, lock, staging, cache) lives in a
hidden folder beside the output folder, never in it: the published folder
holds only what readers load.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import stat
from pathlib import Path

MANIFEST = "manifest.json"
STAGING = "staging"
JOURNAL = "journal.json"
LOCK = "lock"
# Earlier versions kept their state inside the output folder under these names.
LEGACY_STATE = (".archivist-manifest.json", ".archivist-cache.pickle", ".archivist-lock", ".archivist-journal.json")
LEGACY_STAGING = ".archivist-staging"


def state_dir(output: Path) -> Path:
    """Where the build keeps its bookkeeping for ``output``: a hidden sibling
    (same file system, so staged files move into place atomically)."""
    output = output.resolve()
    return output.parent / f".{output.name}.archivist"


class OutputError(Exception):
    """The output folder cannot be used, or a path would leave it."""


def private_folder(folder: Path) -> Path:
    """``folder`` made if need be, its owner's only (it holds drafts in the
    cache); a symbolic link there is refused, not followed."""
    if folder.is_symlink():
        raise OutputError(f"refusing to use {folder}: it is a symbolic link")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError as error:
        raise OutputError(f"cannot create {folder}: {error.strerror}") from None
    if folder.stat().st_mode & 0o077:
        # Made by an earlier version, readable by all (on a read-only file
        # system it stays so: a build with nothing to write still runs).
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
    return folder


def safe_relative(relpath: str) -> str:
    """A relative POSIX path that stays below its root, or OutputError.
    (String checks: this runs for every file of every build.)"""
    if ":" in relpath or "\\" in relpath:
        raise OutputError(f"refusing to write {relpath!r}: drive or backslash in path")
    if not relpath or relpath.startswith("/") or any(part in ("", ".", "..") for part in relpath.split("/")):
        raise OutputError(f"refusing to write {relpath!r}: not a plain relative path")
    return relpath


def check_output_dir(output: Path, protected: list[Path]) -> None:
    """Refuse an output folder that holds, or is, a folder of the user's, or
    that is a non-empty folder no build of ours made."""
    output = output.resolve()
    for folder in protected:
        folder = folder.resolve()
        if output == folder or output in folder.parents or folder in output.parents:
            raise OutputError(f"output folder {output} overlaps {folder}; keep them apart")
    if output.exists() and not output.is_dir():
        raise OutputError(f"output {output} exists and is not a folder")
    made_by_us = (state_dir(output) / MANIFEST).exists() or (output / LEGACY_STATE[0]).exists()
    if output.is_dir() and any(output.iterdir()) and not made_by_us:
        raise OutputError(
            f"output folder {output} is not empty and was not made by this tool (no {state_dir(output) / MANIFEST}); "
            "choose an empty or new folder"
        )


class SiteWriter:
    """Stages a build's files, then commits them under a lock and a journal.

    Until the commit starts the previous site is untouched.  The commit first
    writes a journal of its moves and removals; a build killed during the
    commit leaves the staged files and the journal, and the next build
    finishes that commit before doing anything else."""

    def __init__(self, output: Path) -> None:
        self.output = output.resolve()
        self.state = state_dir(self.output)
        self.staging = self.state / STAGING
        self.written: set[str] = set()
        self.kept: set[str] = set()
        self.lock_file: int | None = None
        self.present: set[str] | None = None  # regular files in the output, scanned once, on the first keep()

    def __enter__(self) -> SiteWriter:
        try:
            self.output.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OutputError(f"cannot create {error.filename}: {error.strerror}") from None
        private_folder(self.state)
        self.lock_file = open_lock(self.state / LOCK)
        try:
            fcntl.flock(self.lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.lock_file)
            self.lock_file = None
            raise OutputError(f"another build is writing to {self.output}; wait for it to finish") from None
        if (self.state / JOURNAL).exists():
            self.finish_interrupted_commit()
        self.move_legacy_state()
        if self.staging.exists():
            shutil.rmtree(self.staging)  # left by a build killed before its commit
        # The staging folder is made by the first write: a build that writes
        # nothing writes nothing, even on a read-only file system.
        return self

    def move_legacy_state(self) -> None:
        """An output folder from an earlier version: take its manifest, drop
        the rest of its bookkeeping from the published folder."""
        legacy_manifest = self.output / LEGACY_STATE[0]
        if legacy_manifest.is_file() and not (self.state / MANIFEST).exists():
            write_atomically(self.state / MANIFEST, legacy_manifest.read_bytes())
        # Only what is there: on a read-only file system even removing a
        # missing file fails.
        for name in LEGACY_STATE:
            legacy = self.output / name
            if legacy.exists() or legacy.is_symlink():
                self.check_writable([legacy])  # its folder, the output, must be writable
                legacy.unlink()
        if (self.output / LEGACY_STAGING).exists():
            shutil.rmtree(self.output / LEGACY_STAGING, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.lock_file is not None:
            os.close(self.lock_file)  # closing releases the lock
            self.lock_file = None

    def write(self, relpath: str, data: bytes | str) -> None:
        rel = safe_relative(relpath)
        if isinstance(data, str):
            data = data.encode("utf-8")
        existing = self.output / rel
        # has(): a regular file reached through no link (read only then).
        same_size = self.has(rel) and existing.stat().st_size == len(data)
        if same_size and existing.read_bytes() == data:
            # Same bytes as the last build: nothing to stage or move.
            self.written.add(rel)
            self.kept.add(rel)
            return
        target = self.staging / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            raise OutputError(f"cannot write the build's state folder {self.state}: {error.strerror}") from None
        self.written.add(rel)

    def has(self, relpath: str) -> bool:
        """Whether the output holds ``relpath`` as a regular file."""
        if self.present is None:
            self.present = files_below(self.output)
        return safe_relative(relpath) in self.present

    def keep(self, relpath: str) -> bool:
        """Count an output file as written without touching it, when an
        earlier build wrote it from the same inputs; False if it is gone or
        not a regular file.  (Nothing but the commit adds files to the
        output, so one scan answers for the whole build.)"""
        if not self.has(relpath):
            return False
        rel = safe_relative(relpath)
        self.written.add(rel)
        self.kept.add(rel)
        return True

    def staged(self, relpath: str, previous: bool = False) -> Path:
        """Where a file that is made in place (a database, a long export) is
        made: in the staging folder, counted as written; with ``previous``,
        holding the last build's copy when there is one."""
        rel = safe_relative(relpath)
        target = self.staging / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if previous and self.has(rel):
                shutil.copyfile(self.output / rel, target, follow_symlinks=False)
        except OSError as error:
            raise OutputError(f"cannot write the build's state folder {self.state}: {error.strerror}") from None
        self.written.add(rel)
        return target

    def copy(self, relpath: str, source: Path) -> None:
        self.write(relpath, source.read_bytes())

    def previous_files(self) -> set[str]:
        try:
            listed = json.loads((self.state / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {name for name in listed if isinstance(name, str)}

    def commit(self) -> tuple[int, int]:
        """Move changed files into place, remove files of the last build that
        this one did not write.  Returns (files changed, files removed)."""
        moves = sorted(self.written - self.kept)
        checked: set[str] = set()
        for name in moves:
            target = self.output / name
            link = symlink_on_path(self.output, name, checked)
            if link is not None:
                raise OutputError(f"refusing to write below {link}: it is a symbolic link")
            if target.is_symlink() or target.is_dir():
                raise OutputError(f"refusing to replace {target}: not a regular file")
        # A file the last build wrote that is now reached through a link is
        # not ours to remove.
        removals = sorted(
            name
            for name in self.previous_files() - self.written
            if symlink_on_path(self.output, safe_relative(name), checked) is None
        )
        if moves or removals:
            # Checked before the journal is written: a commit that would stop
            # halfway must not start, and the last site stays whole.
            self.check_writable([self.output / name for name in (*moves, *removals)])
        journal = {"moves": moves, "removals": removals, "manifest": sorted(self.written)}
        write_atomically(self.state / JOURNAL, json.dumps(journal, ensure_ascii=False).encode())
        changed, removed = self.apply(journal)
        return changed, removed

    def check_writable(self, paths: list[Path]) -> None:
        """OutputError when a folder that ``paths`` are written into or
        removed from (or the nearest one that exists) cannot be written."""
        folders = {path.parent for path in paths}
        checked: set[Path] = set()
        for folder in folders:
            while not folder.exists() and folder != self.output and self.output in folder.parents:
                folder = folder.parent
            if folder in checked:
                continue
            checked.add(folder)
            if not os.access(folder, os.W_OK | os.X_OK):
                where = "" if folder == self.output else f" ({folder} cannot be written)"
                raise OutputError(
                    f"output folder {self.output} is read-only{where}; nothing was changed "
                    "(make it writable or choose another --out)"
                )

    def apply(self, journal: dict) -> tuple[int, int]:
        """The journal's moves and removals, each through folders opened
        without following links (a link planted during the build is refused,
        not written through)."""
        changed = removed = 0
        with FolderHandles(self.output) as folders:
            for name in journal["moves"]:
                staged = self.staging / safe_relative(name)
                if staged.exists():  # already moved when finishing an interrupted commit
                    folder, leaf = folders.parent_of(name, create=True)
                    os.replace(staged, leaf, dst_dir_fd=folder)
                    changed += 1
            for name in journal["removals"]:
                try:
                    folder, leaf = folders.parent_of(safe_relative(name), create=False)
                    if stat.S_ISREG(os.stat(leaf, dir_fd=folder, follow_symlinks=False).st_mode):
                        os.unlink(leaf, dir_fd=folder)
                        removed += 1
                except (OSError, OutputError):
                    continue  # gone already, or not ours to remove
        write_atomically(self.state / MANIFEST, json.dumps(journal["manifest"], ensure_ascii=False).encode())
        (self.state / JOURNAL).unlink()
        prune_empty_dirs(self.output, journal["removals"])
        return changed, removed

    def finish_interrupted_commit(self) -> None:
        try:
            journal = json.loads((self.state / JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            (self.state / JOURNAL).unlink(missing_ok=True)  # torn before it was complete: nothing moved yet
            return
        self.apply(journal)


def symlink_on_path(root: Path, relpath: str, checked: set[str]) -> Path | None:
    """The first folder of ``relpath`` below ``root`` that is a symbolic
    link, or None; ``checked`` remembers folders found not to be one."""
    prefix = ""
    for part in relpath.split("/")[:-1]:
        prefix = f"{prefix}/{part}" if prefix else part
        if prefix in checked:
            continue
        if (root / prefix).is_symlink():
            return root / prefix
        checked.add(prefix)
    return None


class FolderHandles:
    """Folders below ``root`` opened one component at a time with
    ``O_NOFOLLOW``: a path is reached only through real folders."""

    FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW

    def __init__(self, root: Path) -> None:
        self.root = root
        self.handles: dict[str, int] = {}

    def __enter__(self) -> FolderHandles:
        self.handles[""] = os.open(self.root, self.FLAGS)
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles.values():
            os.close(handle)
        self.handles.clear()

    def parent_of(self, relpath: str, create: bool) -> tuple[int, str]:
        """The open folder that holds ``relpath``, and its last component."""
        *folders, leaf = relpath.split("/")
        prefix = ""
        for part in folders:
            below = f"{prefix}/{part}" if prefix else part
            if below not in self.handles:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o777, dir_fd=self.handles[prefix])  # less the umask, as before
                try:
                    self.handles[below] = os.open(part, self.FLAGS, dir_fd=self.handles[prefix])
                except OSError as error:
                    if error.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise OutputError(f"refusing to write below {self.root / below}: not a plain folder") from None
                    raise
            prefix = below
        return self.handles[prefix], leaf


def open_lock(path: Path) -> int:
    """The lock file, opened to be locked; read-only when the state folder
    cannot be written (a build that has nothing to write still runs)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        if not path.is_file():
            raise OutputError(f"cannot create the lock {path}: {error.strerror}") from None
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW)


def write_atomically(path: Path, data: bytes) -> None:
    """``data`` in ``path`` (in the state folder: its owner's only), whole or not at all."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def prune_empty_dirs(root: Path, removed: list[str]) -> None:
    """Folders left empty by the removals, deepest first (only those: a
    commit does not walk the whole site)."""
    folders = {parent for name in removed for parent in (root / name).parents if root in parent.parents}
    checked: set[str] = set()
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if symlink_on_path(root, folder.relative_to(root).as_posix() + "/", checked) is not None:
            continue
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()


def files_below(root: Path) -> set[str]:
    """Regular files below ``root`` (no symlinks), as relative POSIX paths:
    one scan, file types from the directory entries, no stat per file."""
    found: set[str] = set()
    pending = [("", str(root))]
    while pending:
        prefix, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((prefix + entry.name + "/", entry.path))
            elif entry.is_file(follow_symlinks=False):
                found.add(prefix + entry.name)
    return found
