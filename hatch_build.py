"""Hatchling build hook: the default theme goes into the wheel as package data.

The repository keeps the theme at the top (``templates/``, ``static/``, and
lunr.min.js from npm); a wheel maps them to ``archivist/theme/``, where
``archivist/resources.py`` finds them installed.  An editable install maps
nothing: it runs the checkout, which reads its own folders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

THEME = {
    "templates": "archivist/theme/templates",
    "static": "archivist/theme/static",
    "node_modules/lunr/lunr.min.js": "archivist/theme/lunr.min.js",
}


class ThemeHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        for source, target in THEME.items():
            path = Path(self.root) / source
            if not path.exists():
                raise FileNotFoundError(f"{path} is missing: run `npm ci` (package.json pins lunr) before building")
            build_data["force_include"][str(path)] = target
