"""Where the default theme, lunr.min.js and the package's data files are.

Installed from a wheel, the theme travels inside the package
(``archivist/theme/templates``, ``theme/static``, ``theme/lunr.min.js``: the
build maps the repository's top-level folders there).  Run from a checkout,
the package has no ``theme/`` and the repository's own ``templates/``,
``static/`` and ``node_modules/lunr/`` are used, so an edit to them shows at
once.  Every other module asks here, never next to ``__file__``.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

# An installed package is a folder on disk (pip unpacks wheels), so its files have paths.
PACKAGE = Path(str(resources.files(__package__ or "archivist")))
_INSTALLED_THEME = PACKAGE / "theme"
# The repository around the package, when this is a checkout (None when installed).
CHECKOUT: Path | None = (
    PACKAGE.parent
    if (PACKAGE.parent / "pyproject.toml").is_file() and (PACKAGE.parent / "templates").is_dir()
    else None
)


def default_theme() -> Path:
    """The folder holding the default ``templates/`` and ``static/``."""
    if _INSTALLED_THEME.is_dir() or CHECKOUT is None:
        return _INSTALLED_THEME
    return CHECKOUT


def lunr_js() -> Path:
    """The lunr.js copied into every site (pinned in package.json)."""
    if _INSTALLED_THEME.is_dir() or CHECKOUT is None:
        return _INSTALLED_THEME / "lunr.min.js"
    return CHECKOUT / "node_modules" / "lunr" / "lunr.min.js"


def default_project_dir() -> Path:
    """Where ``site.toml`` is looked for and relative default paths start
    when no settings file is given: beside ``build.py`` when the checkout's
    ``build.py`` was run; otherwise (the ``archivist`` command, ``python -m
    archivist``, even from an editable install) the current folder, as a
    project of its own, as Hugo and MkDocs do."""
    started = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if CHECKOUT is not None and started == (CHECKOUT / "build.py").resolve():
        return CHECKOUT
    return Path.cwd()


def package_data(name: str) -> Path:
    """A data file or folder shipped inside the package (lexicon.yaml, geodata/)."""
    return PACKAGE / name
