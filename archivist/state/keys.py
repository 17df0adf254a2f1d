"""What cached work is keyed on: stable reprs, file stats, and the settings
that change what a site shows (never how its paths were typed)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from archivist.config import SiteConfig
from archivist.ingest.media import article_images
from archivist.model import Article, Corpus
from archivist.resources import lunr_js
from archivist.site.pages import by_date


def stable_repr(value: object) -> str:
    """A repr that is the same in every process: sets are sorted (a set of
    text iterates in an order that changes with each interpreter's hash
    seed), patterns are their source."""
    if is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__name__}({', '.join(stable_repr(getattr(value, f.name)) for f in fields(value))})"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(stable_repr(item) for item in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(sorted(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(stable_repr(item) for item in value) + "]"
    if isinstance(value, re.Pattern):
        return f"re({value.pattern!r})"
    return repr(value)


def stat_key(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


# The settings a page, feed or search file can show, by SiteConfig field.
OUTPUT_FIELDS = (
    "title",
    "description",
    "base_url",
    "language",
    "traditional",  # the OpenCC form of every Traditional page
    "per_page",
    "uses_per_page",
    "index_per_page",
    "feed_min_articles",
    "text_copies",
    "maps",
    "exports",  # the data files and the footer link to their page
    "exports_in_sitemap",
    "max_input_mb",  # which files are read, which images are copied
    "reprints",
)
# Every other SiteConfig field, and why it is not part of the output's key.
# (A test fails when a field is in neither: each new setting is classified.)
NOT_OUTPUT = {
    "content_dir": "where the articles are: each is keyed by its own content and path",
    "output_dir": "where the site goes, not what it is; the state folder is kept beside it",
    "theme_dirs": "keyed by the themes' files (template sources, static files), not by where they are",
    "config_path": "where the settings were read from, not what they say",
    "workers": "the site is the same for any number",
    "scheduler": "the site is the same on a cluster",
    "file_timeout": "how long a file may take; what it reads to does not change",
    "debug": "whether an internal error stops the build",
}


def output_settings(config: SiteConfig) -> dict[str, Any]:
    """The settings that change what the site shows, as plain data."""
    return {name: getattr(config, name) for name in OUTPUT_FIELDS}


@cache
def settings_key(config: SiteConfig) -> str:
    """A digest of ``output_settings``: the same for ``--config site.toml``,
    ``./site.toml`` or its absolute path, from any folder."""
    text = json.dumps(output_settings(config), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def template_settings(config: SiteConfig) -> SimpleNamespace:
    """What templates see as ``site``: the keyed settings only, so that no
    page can show a setting its signature does not hold."""
    return SimpleNamespace(**output_settings(config))


def corpus_key(articles: list[Article], config: SiteConfig, reprinted: dict[str, int] | None = None) -> str:
    """Everything the search files are made from (``reprinted``: each
    original's number of reprints, shown with its result)."""
    shown = tuple(
        (a.slug, a.content_hash, a.title, a.date, a.regions, a.initiatives, a.slogans) for a in by_date(articles)
    )
    settings = (config.base_url, config.title, config.traditional)
    counts = sorted((reprinted or {}).items())
    return hashlib.sha256(repr((shown, settings, counts)).encode()).hexdigest()


def inputs_key(corpus: Corpus, config: SiteConfig, versions: dict[str, str]) -> str:
    """Everything a build reads besides the output: each stage's version, the settings,
    the curation files, each article's file (by content) and slug, a saved
    page's images, every template and static file.  When it is the same as last time, nothing is
    rendered, planned or even tagged again."""
    digest = hashlib.sha256()
    digest.update(f"{sorted(versions.items())}\0{settings_key(config)}\0".encode())
    digest.update(stable_repr(corpus.editorial).encode())
    for article in sorted(corpus.articles, key=lambda a: a.path):
        digest.update(f"\0{article.path}\0{article.content_hash}\0{article.slug}".encode())
        for image in article_images(article) if article.kind == "html" else ():
            digest.update(f"\0{image.source}\0{stat_key(image.source)}".encode())
    for folder in (*config.template_dirs, *config.static_dirs, lunr_js()):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if path.is_file():
                status = path.stat()
                digest.update(f"\0{path}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    return digest.hexdigest()
