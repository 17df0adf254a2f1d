"""The package installed into fresh virtual environments from a copy of the
repository, for tests that run it as a user would: from another folder, with
no PYTHONPATH and no checkout on the path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT

LUNR = Path("node_modules") / "lunr" / "lunr.min.js"


@dataclass(frozen=True)
class Venv:
    folder: Path

    @property
    def bin(self) -> Path:
        return self.folder / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def site_packages(self) -> Path:
        [folder] = (self.folder / "lib").glob("python3.*/site-packages")
        return folder


def copy_repository(destination: Path) -> Path:
    """The repository's files (tracked, or new and not ignored) and lunr.min.js
    (which npm fetches) copied to ``destination``: what a clone holds after
    ``npm ci``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in [*listed.split("\0"), str(LUNR)]:
        source = ROOT / name
        # Not a tracked file deleted in the working tree, nor a link to a folder (a checkout's .venv).
        if name and source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return destination


def fresh_venv(folder: Path, borrow_dependencies: bool) -> Venv:
    """A new virtual environment; with ``borrow_dependencies`` it sees the
    running interpreter's installed packages (a .pth file), after its own:
    installing archivist with --no-deps is then enough, and quick."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    venv = Venv(folder)
    if borrow_dependencies:
        paths = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
        (venv.site_packages() / "borrowed-dependencies.pth").write_text("\n".join(paths) + "\n", encoding="utf-8")
    return venv


def pip_install(venv: Venv, *args: str, timeout: float = 300) -> None:
    """This interpreter's pip installing into ``venv`` (which has none of its own)."""
    command = [sys.executable, "-m", "pip", "--python", str(venv.python), "install", "--quiet", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=user_environment())
    assert result.returncode == 0, result.stderr


def install_copy(tmp: Path, name: str, change: tuple[str, str] | None = None) -> Venv:
    """A copy of the repository installed into a fresh environment under
    ``tmp/name`` (dependencies borrowed); ``change`` appends a line to one
    of the copy's files first: a real difference in the installed code."""
    copy = copy_repository(tmp / f"{name}-source")
    if change is not None:
        path, line = change
        with (copy / path).open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    venv = fresh_venv(tmp / name, borrow_dependencies=True)
    pip_install(venv, "--no-deps", "--no-build-isolation", str(copy))
    return venv


def user_environment() -> dict[str, str]:
    """The environment without anything that would put the checkout on the path."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=user_environment())


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
