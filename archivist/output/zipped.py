"""The built site as one zip file, to browse offline."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from archivist.config import SiteConfig
from archivist.output.write import OutputError, state_dir

DEFAULT_ZIP = Path("dist") / "site.zip"


def zip_destination(config: SiteConfig, requested: str | None) -> Path:
    """Where ``--zip`` writes, checked before anything is built: the default
    is ``dist/site.zip`` in the project folder; a path the user gives is
    theirs, but never inside the output or content folder (a zip inside the
    site would zip itself), and its folder must exist."""
    if requested:
        destination = Path(requested).expanduser().resolve()
        if not destination.parent.is_dir():
            raise OutputError(f"--zip {requested}: folder {destination.parent} does not exist")
    else:
        destination = (config.project_dir / DEFAULT_ZIP).resolve()
    for folder in (config.output_dir, state_dir(config.output_dir), *config.protected_dirs):
        folder = folder.resolve()
        if destination == folder or folder in destination.parents:
            raise OutputError(f"--zip {destination}: inside {folder}; write the zip somewhere else")
    if destination.is_dir():
        raise OutputError(f"--zip {destination}: is a folder; give a file name ending in .zip")
    return destination


def write_zip(output: Path, destination: Path) -> Path:
    """The built site as one zip for offline readers, written atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, suffix=".zip.tmp")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(output.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.write(path, Path(output.name) / path.relative_to(output))
        os.chmod(temporary, 0o644)
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return destination
