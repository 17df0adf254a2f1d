"""Site settings from ``site.toml``, read and validated once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archivist.ingest.deadline import DEFAULT_FILE_TIMEOUT
from archivist.ingest.inputs import DEFAULT_MAX_INPUT_MB, MB
from archivist.resources import default_project_dir, default_theme
from archivist.text.script import STANDARD_TRADITIONAL, TRADITIONAL_FORMS

# Where site.toml is looked for when none is given: beside build.py in a
# checkout; the current folder for an installed package (a command's run).
PROJECT_ROOT = default_project_dir()
# The site is Simplified first, every page with its Traditional twin under
# zh-hant/: the one language setting that describes it.  A Traditional-first
# site (root pages in Traditional) is not made, so it is not accepted either.
LANGUAGES = ("zh-Hans",)
# ``[build] reprints``: lists, feeds and counts show each reprinted report
# once, as its original ("group"), or every copy ("all").
REPRINTS = ("group", "all")
MAX_INPUT_MB_CEILING = 4096  # past this the limit bounds nothing a build could hold


class ConfigError(Exception):
    """A setting that is missing, of the wrong type or out of range."""


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str
    language: str
    content_dir: Path
    output_dir: Path
    theme_dirs: tuple[Path, ...]  # searched in order: the user's own first
    per_page: int
    uses_per_page: int  # a glossary entry's uses: one line each, so more per page
    index_per_page: int  # lines per page of the glossary's and the initiatives' indexes
    feed_min_articles: int  # a region or initiative has its own feed from this many articles
    text_copies: bool  # a plain-text copy of each article beside its page
    maps: bool  # maps of where the articles come from, on the home and region pages
    config_path: Path | None
    # OpenCC's configuration for the Traditional pages (``[site] traditional``).
    traditional: str = STANDARD_TRADITIONAL
    # The archive as data in data/ (CSV, JSON Lines, SQLite) and its download page.
    exports: bool = True
    # Whether the sitemap lists the data files (for crawlers): off unless asked.
    exports_in_sitemap: bool = False
    # Processes that read files and render pages (0: one per core).  Not part
    # of what a page is made from: the site is the same for any number.
    workers: int = field(default=0, repr=False, compare=False)
    # A Dask scheduler to read on ("" none, "local[:N]", "tcp://HOST:PORT"); not
    # part of what a page is made from either.
    scheduler: str = field(default="", repr=False, compare=False)
    # A larger content file is a per-file error, not read (memory and time per input stay bounded).
    max_input_mb: int = DEFAULT_MAX_INPUT_MB
    reprints: str = "group"  # see REPRINTS

    @property
    def max_input_bytes(self) -> int:
        return self.max_input_mb * MB

    # Seconds one file may take to read before it is a per-file error (0: no limit).
    file_timeout: float = field(default=DEFAULT_FILE_TIMEOUT, repr=False, compare=False)
    # ``--debug``: an internal error in one file's stages is raised with its
    # traceback instead of being that file's error.
    debug: bool = field(default=False, repr=False, compare=False)

    @property
    def project_dir(self) -> Path:
        """The folder of the settings file: relative paths in it start here."""
        return self.config_path.resolve().parent if self.config_path is not None else PROJECT_ROOT

    @property
    def template_dirs(self) -> list[Path]:
        return [theme / "templates" for theme in self.theme_dirs]

    @property
    def static_dirs(self) -> list[Path]:
        return [theme / "static" for theme in self.theme_dirs]

    @property
    def protected_dirs(self) -> list[Path]:
        """Folders of the user's that the output folder must stay clear of."""
        return [self.content_dir, *self.template_dirs, *self.static_dirs]


DEFAULTS: dict[str, dict[str, Any]] = {
    "site": {
        "title": "乡村振兴与基层党建文章档案",
        "description": "地方基层党建与乡村振兴报道的可检索档案",
        "base_url": "https://example.org/",
        "language": "zh-Hans",
        "traditional": "standard",
    },
    "paths": {"content": "content", "output": "site", "theme": ""},
    "build": {
        "per_page": 20,
        "uses_per_page": 50,
        "index_per_page": 200,
        "feed_min_articles": 2,
        "text_copies": False,
        "maps": True,
        "exports": True,
        "exports_in_sitemap": False,
        "workers": 0,
        "scheduler": "",
        "max_input_mb": DEFAULT_MAX_INPUT_MB,
        "file_timeout": DEFAULT_FILE_TIMEOUT,
        "reprints": "group",
    },
}


def expect(section: str, key: str, value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"[{section}] {key} must be {kind.__name__}, not {type(value).__name__} {value!r}")
    return value


def load_config(path: Path | None = None) -> SiteConfig:
    """Read ``path`` (default: ``site.toml`` beside ``build.py``, or in the
    current folder for an installed package, if present)."""
    if path is None:
        candidate = PROJECT_ROOT / "site.toml"
        path = candidate if candidate.exists() else None
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from None
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise ConfigError(f"{path}: unknown section(s) {sorted(unknown)}; expected {sorted(DEFAULTS)}")
    merged: dict[str, dict[str, Any]] = {}
    for section, defaults in DEFAULTS.items():
        given = data.get(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        extra = set(given) - set(defaults)
        if extra:
            raise ConfigError(f"{path}: unknown key(s) in [{section}]: {sorted(extra)}")
        merged[section] = {**defaults, **given}
    site, paths, build = merged["site"], merged["paths"], merged["build"]
    for key in ("title", "description", "base_url", "language", "traditional"):
        expect("site", key, site[key], str)
    if site["traditional"] not in TRADITIONAL_FORMS:
        raise ConfigError(
            f"[site] traditional must be one of {', '.join(map(repr, TRADITIONAL_FORMS))}, not {site['traditional']!r}"
        )
    for key in ("content", "output", "theme"):
        expect("paths", key, paths[key], str)
    sizes = {}
    for key in ("per_page", "uses_per_page", "index_per_page"):
        sizes[key] = expect("build", key, build[key], int)
        if not 1 <= sizes[key] <= 1000:
            raise ConfigError(f"[build] {key} must be between 1 and 1000, not {sizes[key]}")
    text_copies = expect("build", "text_copies", build["text_copies"], bool)
    maps = expect("build", "maps", build["maps"], bool)
    exports = expect("build", "exports", build["exports"], bool)
    exports_in_sitemap = expect("build", "exports_in_sitemap", build["exports_in_sitemap"], bool)
    feed_min_articles = expect("build", "feed_min_articles", build["feed_min_articles"], int)
    if feed_min_articles < 1:
        raise ConfigError(f"[build] feed_min_articles must be at least 1, not {feed_min_articles}")
    workers = check_workers(expect("build", "workers", build["workers"], int), "[build] workers")
    scheduler = check_scheduler(expect("build", "scheduler", build["scheduler"], str), "[build] scheduler")
    max_input_mb = expect("build", "max_input_mb", build["max_input_mb"], int)
    if not 1 <= max_input_mb <= MAX_INPUT_MB_CEILING:
        raise ConfigError(f"[build] max_input_mb must be between 1 and {MAX_INPUT_MB_CEILING}, not {max_input_mb}")
    file_timeout = check_file_timeout(build["file_timeout"])
    reprints = expect("build", "reprints", build["reprints"], str)
    if reprints not in REPRINTS:
        raise ConfigError(f"[build] reprints must be one of {', '.join(map(repr, REPRINTS))}, not {reprints!r}")
    if site["language"] not in LANGUAGES:
        raise ConfigError(
            f"{path}: [site] language {site['language']!r} is not supported: the site is always Simplified "
            '(zh-Hans) first, with each page\'s Traditional twin under zh-hant/; remove the key or set "zh-Hans"'
        )
    base_url = site["base_url"]
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"[site] base_url must be an absolute http(s) URL, not {base_url!r}")
    root = path.parent if path is not None else PROJECT_ROOT
    themes = [default_theme()]
    if paths["theme"]:
        theme = (root / paths["theme"]).resolve()
        if not theme.is_dir():
            raise ConfigError(f"{path}: [paths] theme {paths['theme']!r}: no such folder ({theme})")
        if not (theme / "templates").is_dir() and not (theme / "static").is_dir():
            raise ConfigError(f"{path}: [paths] theme {paths['theme']!r} has neither templates/ nor static/ ({theme})")
        themes.insert(0, theme)
    return SiteConfig(
        title=site["title"],
        description=site["description"],
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=site["language"],
        content_dir=(root / paths["content"]).resolve(),
        output_dir=(root / paths["output"]).resolve(),
        theme_dirs=tuple(themes),
        per_page=sizes["per_page"],
        uses_per_page=sizes["uses_per_page"],
        index_per_page=sizes["index_per_page"],
        text_copies=text_copies,
        maps=maps,
        feed_min_articles=feed_min_articles,
        config_path=path,
        workers=workers,
        scheduler=scheduler,
        max_input_mb=max_input_mb,
        file_timeout=file_timeout,
        reprints=reprints,
        traditional=TRADITIONAL_FORMS[site["traditional"]],
        exports=exports,
        exports_in_sitemap=exports_in_sitemap,
    )


SCHEDULER = re.compile(r"^(?:local(?::(?P<workers>\d{1,2}))?|(?:tcp|tls)://[\w.\-\[\]:]+:\d{1,5})$")


def check_scheduler(value: str, name: str) -> str:
    """``""``, ``local``, ``local:N`` or a scheduler's ``tcp://HOST:PORT``."""
    match = SCHEDULER.match(value) if value else None
    if value and (not match or (match.group("workers") is not None and not 1 <= int(match.group("workers")) <= 64)):
        raise ConfigError(f"{name} must be local, local:N (N from 1 to 64) or tcp://HOST:PORT, not {value!r}")
    return value


def check_workers(value: int, name: str) -> int:
    if not 0 <= value <= 64:
        raise ConfigError(f"{name} must be between 0 (one per core) and 64, not {value}")
    return value


def check_file_timeout(value: Any) -> float:
    """Seconds, from 0 (no limit) to a day."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86400:
        raise ConfigError(f"[build] file_timeout must be a number of seconds from 0 (no limit) to 86400, not {value!r}")
    return float(value)
