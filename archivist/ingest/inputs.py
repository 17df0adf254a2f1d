"""Reading the content folder safely: the one function every content read
goes through (articles, saved pages, curation files), the walk that lists
the folder, and how a path is shown.

A file is read only if it is a regular file inside the content folder when
it is opened, not only when it was listed: the path is opened one folder at
a time without following links, so a file or folder swapped for a symlink
during a long build is refused, not published.  Reads are bounded by a size
limit checked on the opened file.  Names are bytes on Linux (a GBK name from
a tar or a Windows share is no UTF-8): they are shown escaped, never as
lone surrogates that break an encoder.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

MB = 1024 * 1024
DEFAULT_MAX_INPUT_MB = 50  # a saved page with its images inlined runs to a few MB; 50 is far above any article
DEFAULT_MAX_INPUT_BYTES = DEFAULT_MAX_INPUT_MB * MB
# Characters that would break a one-line message or a terminal: C0 and C1
# controls, line and paragraph separators, bidirectional overrides.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC  # a FIFO opens without waiting
OPEN_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symlink",
}


class InputError(Exception):
    """A content file that is not read; the message says why (the caller names the file)."""


def printable_path(path: str | os.PathLike[str]) -> str:
    """A path as text any encoder, JSON and terminal accept: bytes that are
    not UTF-8 as ``\\xNN``, control characters as ``\\xNN`` or ``\\uNNNN``.
    Use it wherever a path is shown, sent or used as a key."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return UNPRINTABLE.sub(lambda m: escape(m.group()), text)


def escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def kind_of(mode: int) -> str:
    return KINDS.get(stat.S_IFMT(mode), "not a file")


def inside(path: str, root: str) -> bool:
    """Whether resolved ``path`` lies below resolved ``root``."""
    return path.startswith(root.rstrip(os.sep) + os.sep)


def size_problem(size: int, max_bytes: int) -> str | None:
    if size <= max_bytes:
        return None
    return f"{size / MB:.1f} MB is over the limit of {max_bytes / MB:g} MB per input ([build] max_input_mb); not read"


def read_input(path: Path, root: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, a regular file inside ``root`` (a symlink to
    one inside is followed), at most ``max_bytes`` of them; else InputError."""
    try:
        mode = os.stat(path).st_mode  # the type before opening: a device is never opened
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"not a regular file ({kind_of(mode)}); not read")
    descriptor = open_inside(path, root)
    with open(descriptor, "rb", closefd=True) as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"not a regular file ({kind_of(status.st_mode)}); not read")
        problem = size_problem(status.st_size, max_bytes)
        if problem:
            raise InputError(problem)
        # Its measured size and one byte more (a read of the limit would
        # allocate the limit); a file that grew since is read on, up to it.
        data = handle.read(status.st_size + 1)
        if len(data) > status.st_size:
            data += handle.read(max_bytes + 1 - len(data))
    problem = size_problem(len(data), max_bytes)
    if problem:
        raise InputError(problem)
    return data


class LinkOnPath(InputError):
    """A symlink where the path was opened without following links."""


def open_inside(path: Path, root: Path) -> int:
    """A descriptor of ``path``, opened one folder at a time from ``root``
    without following links; a path through a symlink is opened where it
    leads if that is inside ``root``, else refused."""
    base = os.path.abspath(root)
    relative = os.path.relpath(os.path.abspath(path), base)
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
        try:
            return open_below(base, relative.split(os.sep))
        except LinkOnPath:
            pass  # resolved below: a link inside the folder is followed
    real_root, real = os.path.realpath(root), os.path.realpath(path)
    if not inside(real, real_root):
        if os.path.islink(path):
            raise InputError("leads outside the content folder (a symlink); not read")
        if not inside(os.path.abspath(path), base):  # ``..`` or an absolute path, no link
            raise InputError("outside the content folder; not read")
        raise InputError("leads outside the content folder (a folder on its path is a symlink); not read")
    return open_below(real_root, os.path.relpath(real, real_root).split(os.sep))


def open_below(root: str, parts: list[str]) -> int:
    """A descriptor of ``root/parts…``, each step opened without following a
    link: whatever was swapped for a symlink since the path was resolved is
    refused."""
    try:
        folder = os.open(root, OPEN_FOLDER & ~os.O_NOFOLLOW)
    except OSError as error:
        raise InputError(f"cannot open the content folder: {error.strerror}") from None
    try:
        for part in parts[:-1]:
            below = os.open(part, OPEN_FOLDER, dir_fd=folder)
            os.close(folder)
            folder = below
        return os.open(parts[-1], OPEN_FILE, dir_fd=folder)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise LinkOnPath("became a symlink after it was listed; not read") from None
        raise InputError(f"cannot read: {error.strerror}") from None
    finally:
        os.close(folder)


def walk(folder: Path, skip: Callable[[os.DirEntry], bool], problems: list[tuple[Path, str]]) -> Iterator[os.DirEntry]:
    """The entries below ``folder`` but those ``skip`` says, depth first.
    Only real folders are entered, never a symlink to one: a link cycle or a
    link to ``/`` is one entry, not a walk.  A folder that cannot be listed
    goes to ``problems`` and the walk goes on."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as error:
            problems.append((current, f"cannot list the folder: {error.strerror}; its files are not read"))
            continue
        for entry in entries:
            if skip(entry):
                continue
            yield entry
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                pending.append(Path(entry.path))
