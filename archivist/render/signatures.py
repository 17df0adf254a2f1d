"""What a page shows, as a digest: a page whose signature did not change since the
last build is not rendered again."""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from functools import partial
from typing import Any

from archivist.model import Article
from archivist.site.entries import Entry, Use
from archivist.site.maps import RegionMap
from archivist.site.pages import Page, Site
from archivist.site.taxonomy import InitiativeNode, RegionNode


def article_parts(article: Article, whole: bool) -> tuple:
    """What a list item shows of an article (title, date, byline, tags,
    excerpt), and with ``whole`` everything: its own page and a theme's
    templates, which may show any of it, depend on the text too."""
    shown = (
        "article", article.slug, article.title, article.date, article.source, article.channel, article.editor,
        tuple((a.role, a.name) for a in article.authors), tuple(r.codes for r in article.regions),
        article.initiatives, article.slogans, article.paragraphs[:1], article.path,
    )  # fmt: skip
    return (*shown, article.content_hash) if whole else shown


def digest(value: Any, memo: dict[int, tuple[str, Any]], whole: bool = False) -> str:
    """A short hash of everything a template can read from ``value``.
    Articles count by what a list shows of them (by their whole text with
    ``whole``); shared objects are hashed once per build.  The memo is by
    id and holds each object it names: an object made for the digest alone
    (a dataclass's fields as a dict) would otherwise be freed and its id
    given to another, which would be taken for it."""
    if isinstance(value, str | int | float | bool) or value is None:
        return repr(value)  # hashed with what holds it
    key = id(value)
    if key in memo:
        return memo[key][0]
    if isinstance(value, Article):
        parts: Any = article_parts(value, whole)
    elif isinstance(value, Use):  # thousands per glossary: no generic dataclass walk
        parts = ("use", value.slug, value.anchor, value.context, value.date, value.title)
    elif isinstance(value, Entry):
        parts = ("entry", value.slogan, value.key, value.meaning, value.meaning_source, tuple(value.parts),
                 tuple(value.part_of), tuple(value.related), tuple(value.aliases), digest(value.uses, memo, whole))  # fmt: skip
    elif isinstance(value, RegionNode):
        parts = (
            "region",
            value.code,
            value.name,
            value.parent,
            tuple(value.children),
            digest(value.articles, memo, whole),
        )
    elif isinstance(value, InitiativeNode):
        parts = ("initiative", value.name, value.slug, digest(value.articles, memo, whole))
    elif isinstance(value, RegionMap):  # plain data through and through: its repr says it all
        parts = ("map", repr(value))
    elif isinstance(value, partial):
        article, glossary = value.args
        links = tuple((e.slogan, e.key, e.meaning[:121]) for e in glossary.for_article(article.slug))
        parts = ("body", article_parts(article, whole=True), links)
    elif isinstance(value, dict):
        parts = tuple((k, digest(v, memo, whole)) for k, v in sorted(value.items()))
    elif isinstance(value, list | tuple):
        parts = tuple(digest(item, memo, whole) for item in value)
    elif is_dataclass(value):
        parts = (type(value).__name__, digest({f.name: getattr(value, f.name) for f in fields(value)}, memo, whole))
    else:
        raise TypeError(f"no digest for {type(value).__name__} in a page's context")
    hashed = hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
    memo[key] = (hashed, value)
    return hashed


def page_signature(
    page: Page, template_hash: str, site_key: str, memo: dict[int, tuple[str, Any]], whole: bool = False
) -> str:
    # What a page shows of a value is plain data: its repr is its digest.
    shown = {} if whole else page.shown
    context = tuple(
        (k, repr(shown[k]) if k in shown else digest(v, memo, whole)) for k, v in sorted(page.context.items())
    )
    description = (page.path, page.template, template_hash, site_key, context, page.depends)
    return hashlib.sha256(repr(description).encode()).hexdigest()


def site_key(site: Site, settings: Any) -> str:
    """What every page may show: settings, and the names behind tag links."""
    links = tuple((n.name, n.slug) for n in site.taxonomy.initiatives.values())
    return hashlib.sha256(repr((repr(settings), links)).encode()).hexdigest()
