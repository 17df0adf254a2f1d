"""The theme's static files copied into the site."""

from __future__ import annotations

from archivist.config import SiteConfig
from archivist.output.write import SiteWriter


def copy_static(writer: SiteWriter, config: SiteConfig) -> None:
    """Static files, the user's theme first: a file there replaces ours."""
    seen: set[str] = set()
    for folder in config.static_dirs:
        if not folder.is_dir():
            continue
        for source in sorted(folder.rglob("*")):
            if source.is_file() and not source.is_symlink():
                relpath = "static/" + source.relative_to(folder).as_posix()
                if relpath not in seen:
                    seen.add(relpath)
                    writer.copy(relpath, source)
