"""The theme's templates: the jinja2 environment, template sources and errors, theme files inlined."""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from jinja2 import meta
from markupsafe import Markup

from archivist.config import SiteConfig
from archivist.render.citations import gbt7714, json_ld, meta_tags, script_json
from archivist.text.script import to_traditional

TRADITIONAL_DIR = "zh-hant/"  # the Traditional twin of every page lives below this folder


class RenderError(Exception):
    """A template that fails; the message names the template and line."""


def relative_root(path: str) -> str:
    """The prefix leading from ``path`` back to the site root: ``../`` per level."""
    return "../" * path.count("/")


def make_environment(config: SiteConfig, loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=loader or jinja2.FileSystemLoader([str(d) for d in config.template_dirs if d.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["display_date"] = display_date
    environment.filters["json_text"] = json_text
    environment.filters["traditional"] = partial(to_traditional, form=config.traditional)
    environment.filters["script_json"] = script_json
    environment.globals.update(citation_json_ld=json_ld, citation_meta=meta_tags, citation_gbt7714=gbt7714)
    return environment


def json_text(value: str) -> Markup:
    """A JSON string for a page's ``<script type="application/json">``: its
    Chinese as it is (the Traditional page is the Simplified one converted,
    so no ``\\u`` escapes), and ``<``, ``>``, ``&`` escaped, so no text closes the element."""
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def template_sources(config: SiteConfig) -> dict[str, str]:
    """Every template as the build's loader finds it (a theme's first), by
    name: what a cluster's workers render with instead of a folder."""
    sources: dict[str, str] = {}
    for folder in config.template_dirs:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                try:
                    sources.setdefault(path.relative_to(folder).as_posix(), path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError) as error:
                    raise RenderError(f"template {path}: cannot read as UTF-8 text ({error})") from None
    return sources


def display_date(value: str | None) -> str:
    return value[:10] if value else "日期不详"


@dataclass(frozen=True)
class Links:
    """How one rendered file refers to others."""

    root: str  # from this file back to the site root
    prefix: str  # "" or "zh-hant/": pages of the same script

    def url(self, target: str) -> str:
        return self.root + self.prefix + target

    def asset(self, target: str) -> str:
        return self.root + target


def template_line(error: BaseException) -> str | None:
    """``file:line`` of the template line that raised: Jinja rewrites a
    render error's traceback so that its last template frames are the
    templates' own files and lines (an included or parent template's too)."""
    found = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        if "__jinja_exception__" in frame.f_globals and frame.f_code.co_filename:
            found = f"{frame.f_code.co_filename}:{line}"
    return found


def named_loader(templates: dict[str, str]) -> jinja2.BaseLoader:
    """Templates from their text (on a cluster worker), each under its own
    name, so that an error names the template (a DictLoader's have none)."""
    return jinja2.FunctionLoader(lambda name: (templates[name], name, lambda: True) if name in templates else None)


def syntax_error_message(error: jinja2.TemplateSyntaxError) -> str:
    return f"template {error.filename or error.name}, line {error.lineno}: {error.message}"


NOT_FOUND = "404.html"


def theme_file(config: SiteConfig, relpath: str) -> str:
    """A static file's text, the user's theme first."""
    for folder in config.static_dirs:
        if (folder / relpath).is_file():
            return (folder / relpath).read_text(encoding="utf-8")
    return ""


INLINED = ("style.css", "favicon.svg", "notfound.js")  # the theme files the 404 page carries


def inlined_key(config: SiteConfig) -> str:
    """The text of the theme files the 404 page carries inline."""
    return hashlib.sha256("\0".join(theme_file(config, name) for name in INLINED).encode()).hexdigest()


def standalone_parts(config: SiteConfig, path: str) -> dict[str, Any]:
    """What the 404 page carries inline.  A host serves it for any missing
    path, where its relative links would point nowhere: its style is inline,
    and a small script re-roots its links at ``base_url``'s path when the page
    was served from below that path (from file:// and a zip it is opened as
    itself, and its relative links are right)."""
    return {
        "css": Markup(theme_file(config, INLINED[0])),
        # A page with no icon of its own makes the browser ask for /favicon.ico.
        "icon": "data:image/svg+xml," + quote(theme_file(config, INLINED[1])),
        "script": Markup(theme_file(config, INLINED[2])),
        "base_path": urlsplit(config.base_url).path,
        "self": path,
    }


def template_hashes(environment: jinja2.Environment) -> Callable[[str], str]:
    """A hash of a template's source and of every template it extends,
    imports or includes: a page is re-rendered when any of them changes."""
    known: dict[str, str] = {}

    def of(name: str) -> str:
        if name not in known:
            known[name] = ""  # a cycle adds nothing
            assert environment.loader is not None, "an environment of ours always has a loader"
            source, filename, _ = environment.loader.get_source(environment, name)
            parsed = environment.parse(source, name, filename)
            referenced = sorted(n for n in meta.find_referenced_templates(parsed) if n)
            parts = [source, *(of(other) for other in referenced)]
            known[name] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        return known[name]

    return of
