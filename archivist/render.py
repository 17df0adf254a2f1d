"""Pages from Articles, with jinja2 templates; every link relative.

Each page is written twice: in Simplified at its path, and in Traditional
(OpenCC's phrase tables, at build time) below ``zh-hant/``.  The 简/繁 switch
links the twins.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
from jinja2 import meta
from markupsafe import Markup

from . import cluster
from .aliases import load_address_book, redirect_page, redirects, save_address_book, source_key
from .cache import BuildCache, code_version, forget_cache, stable_repr, stat_key
from .config import SiteConfig
from .feeds import FEED_SIZE, atom_feed, sitemaps
from .glossary import build_glossary
from .index import lunr_script, result_texts, search_files, shard_path
from .media import MAX_SIDE, ImageError, article_images, image_notice, prepared, without_images
from .model import Article, Corpus
from .pages import (
    Page,
    Site,
    article_path,
    by_date,
    linked_blocks,
    page_groups,
    page_signature,
    related_articles,
    site_key,
    term_feed,
)
from .resources import default_theme, lunr_js
from .script import SIMPLIFIED, STANDARD_TRADITIONAL, TRADITIONAL, to_traditional
from .shards import shard_name
from .taxonomy import build_taxonomy
from .workers import can_fork, map_forked, worker_count
from .write import OutputError, SiteWriter, check_output_dir, files_below, state_dir

TRADITIONAL_DIR = "zh-hant/"


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


PLACEHOLDER = re.compile("\ue000([0-9]+)\ue001")  # private-use marks: in no phrase OpenCC converts
FRAGMENT_LIMIT = 20_000  # list items kept at once (about 2 KB each with their Traditional text)


@dataclass
class Fragments:
    """List items rendered once per article, link root and script and
    reused on every list that shows them; their Traditional text converted
    once.  Without ``share``, every page renders and converts all of itself."""

    share: bool = True
    form: str = STANDARD_TRADITIONAL  # OpenCC's configuration for the Traditional text
    html: dict[tuple, str] = field(default_factory=dict)
    traditional: dict[tuple, str] = field(default_factory=dict)
    issued: list[tuple] = field(default_factory=list)  # the marks on the page being rendered, in order

    def converted(self, key: tuple) -> str:
        if key not in self.traditional:
            self.traditional[key] = to_traditional(self.html[key], self.form)
        return self.traditional[key]


def render_page(
    environment: jinja2.Environment,
    page: Page,
    site: Site,
    config: SiteConfig,
    script: str,
    fragments: Fragments | None = None,
) -> str:
    """One page in one script.  The Traditional page is the Simplified one
    converted by OpenCC, its list items converted apart (a phrase never
    spans the markup between them, so the text is the same)."""
    fragments = fragments or Fragments(share=False, form=config.traditional)
    traditional = script == TRADITIONAL
    html = render_template(environment, page, site, config, script, fragments)
    if not traditional:
        return html
    if not fragments.share:
        return to_traditional(html, config.traditional)
    converted = to_traditional(html, config.traditional)
    issued = fragments.issued
    if len(PLACEHOLDER.findall(converted)) != len(issued) or converted.count("\ue000") != len(issued):
        # The page's own text holds the marks: render and convert it whole.
        return render_page(environment, page, site, config, script, Fragments(share=False, form=config.traditional))
    return PLACEHOLDER.sub(lambda match: fragments.converted(issued[int(match[1])]), converted)


def render_template(
    environment: jinja2.Environment, page: Page, site: Site, config: SiteConfig, script: str, fragments: Fragments
) -> str:
    traditional = script == TRADITIONAL
    path = TRADITIONAL_DIR + page.path if traditional else page.path
    links = Links(relative_root(path), TRADITIONAL_DIR if traditional else "")
    twin = links.root + (page.path if traditional else TRADITIONAL_DIR + page.path)
    fragments.issued = []
    if len(fragments.html) > FRAGMENT_LIMIT:  # between pages: no mark of this page is lost
        fragments.html.clear()
        fragments.traditional.clear()

    def list_item(article: Article, macro: Any) -> Markup:
        """``macro(article)``, rendered once per article for pages at this
        depth in this script; on a Traditional page, a mark for now."""
        if not fragments.share:
            return macro(article)
        key = (macro.name, article.slug, links.root, links.prefix)
        if key not in fragments.html:
            fragments.html[key] = str(macro(article))
        if not traditional:
            return Markup(fragments.html[key])
        fragments.issued.append(key)
        return Markup(f"\ue000{len(fragments.issued) - 1}\ue001")

    try:
        return environment.get_template(page.template).render(
            site=config,
            root=links.root,
            url=links.url,
            asset=links.asset,
            twin=twin,
            script=script,
            lang=script,
            page=page,
            page_path=page.path,
            canonical=config.base_url + path,
            article_path=article_path,
            taxonomy=site.taxonomy,
            glossary=site.glossary,
            standalone=standalone_parts(config, path) if page.path == NOT_FOUND else None,
            list_item=list_item,
            **page.context,
        )
    except jinja2.TemplateSyntaxError as error:
        raise RenderError(syntax_error_message(error)) from None
    except jinja2.TemplateError as error:
        where = template_line(error) or page.template
        raise RenderError(f"template {where}: {error} (rendering {page.path})") from None


NOT_FOUND = "404.html"


def theme_file(config: SiteConfig, relpath: str) -> str:
    """A static file's text, the user's theme first."""
    for folder in config.static_dirs:
        if (folder / relpath).is_file():
            return (folder / relpath).read_text(encoding="utf-8")
    return ""


def standalone_parts(config: SiteConfig, path: str) -> dict[str, Any]:
    """What the 404 page carries inline.  A host serves it for any missing
    path, where its relative links would point nowhere: its style is inline,
    and a small script re-roots its links at ``base_url``'s path when the page
    was served from below that path (from file:// and a zip it is opened as
    itself, and its relative links are right)."""
    return {
        "css": Markup(theme_file(config, "style.css")),
        # A page with no icon of its own makes the browser ask for /favicon.ico.
        "icon": "data:image/svg+xml," + quote(theme_file(config, "favicon.svg")),
        "script": Markup(theme_file(config, "notfound.js")),
        "base_path": urlsplit(config.base_url).path,
        "self": path,
    }


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


def make_site(corpus: Corpus, build_cache: BuildCache) -> Site:
    glossary = build_glossary(
        corpus.articles, corpus.editorial.glossary if corpus.editorial else None, build_cache.part("glossary")
    )
    return Site(
        corpus=corpus,
        taxonomy=build_taxonomy(corpus.articles, build_cache.part("slugs")),
        glossary=glossary,
        ordered=by_date(corpus.articles),
        related=related_articles(corpus.articles, glossary),
    )


def corpus_key(articles: list[Article], config: SiteConfig) -> str:
    """Everything the search files are made from."""
    shown = tuple(
        (a.slug, a.content_hash, a.title, a.date, a.regions, a.initiatives, a.slogans) for a in by_date(articles)
    )
    settings = (config.base_url, config.title, config.traditional)
    return hashlib.sha256(repr((shown, settings, code_version())).encode()).hexdigest()


def reuse(writer: SiteWriter, build_cache: BuildCache, part: str, key: str) -> bool:
    """Keep a part's files from the last build when its inputs are the same."""
    previous = build_cache.search.get(part)
    if not previous or previous[0] != key:
        return False
    files = previous[1]
    return all(writer.keep(name) for name in files)


def remember(writer: SiteWriter, build_cache: BuildCache, part: str, key: str, before: set[str]) -> None:
    build_cache.search[part] = (key, sorted(writer.written - before))


def feed_entry_key(article: Article) -> str:
    """Everything a feed shows of one entry."""
    shown = (
        article.slug,
        article.title,
        article.date,
        tuple(x.name for x in article.authors),
        article.source,
        article.paragraphs[:1],
        article.regions,
        article.initiatives,
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=8).hexdigest()


def feed_key(title: str, base_url: str, page: str, articles: list[Article], memo: dict[str, str]) -> str:
    """Everything a feed shows: its newest dated entries, as the feed shows
    them (each entry's part hashed once per build, by slug, in ``memo``)."""
    entries = []
    for article in islice((a for a in articles if a.date), FEED_SIZE):
        if article.slug not in memo:
            memo[article.slug] = feed_entry_key(article)
        entries.append(memo[article.slug])
    return hashlib.blake2b(repr((title, base_url, page, entries)).encode(), digest_size=16).hexdigest()


def write_feeds(writer: SiteWriter, site: Site, config: SiteConfig, build_cache: BuildCache) -> None:
    """Each feed is made again only when what it shows changed."""
    feeds = [(config.title, "index.html", "feed.xml", site.ordered)]
    for node in [*site.taxonomy.regions.values(), *site.taxonomy.initiatives.values()]:
        feed = term_feed(node, config.feed_min_articles)
        if feed:
            feeds.append((f"{node.name} · {config.title}", node.path, feed, node.articles))
    known = build_cache.search.get("feeds", {})
    keys = {}
    memo: dict[str, str] = {}
    for title, page, feed, articles in feeds:
        ordered = by_date(articles) if articles is not site.ordered else articles
        keys[feed] = feed_key(title, config.base_url, page, ordered, memo)
        if known.get(feed) == keys[feed] and writer.keep(feed):
            continue
        writer.write(feed, atom_feed(title, config.base_url, page, feed, ordered, article_path))
    build_cache.search["feeds"] = keys


def write_images(writer: SiteWriter, corpus: Corpus, config: SiteConfig, build_cache: BuildCache) -> None:
    """Saved pages' images beside their articles; each prepared again only
    when its file changed.  An image that cannot be copied is a warning
    naming the page and the image, and its article is built without it
    (before its pages are planned: no page links a file that is not there)."""
    known = build_cache.search.get("images", {})
    keys = {}
    for index, article in enumerate(corpus.articles):
        if article.kind != "html":
            continue
        refused: set[int] = set()
        for number, image in enumerate(article_images(article), start=1):
            key = (str(image.source), stat_key(image.source), MAX_SIDE)
            if known.get(image.path) == key and writer.keep(image.path):
                keys[image.path] = key
                continue
            try:
                writer.write(image.path, prepared(image.source, config.content_dir, max_bytes=config.max_input_bytes))
            except ImageError as error:
                corpus.notices.append(image_notice(article, image, error))
                refused.add(number)
                continue
            keys[image.path] = key
        if refused:
            corpus.articles[index] = without_images(article, refused)
    build_cache.search["images"] = keys


def write_search(
    writer: SiteWriter, articles: list[Article], build_cache: BuildCache, form: str = STANDARD_TRADITIONAL
) -> None:
    terms = build_cache.part("terms")
    previous = build_cache.search.get("index")

    def load(relpath: str) -> str:
        return (writer.output / relpath).read_text(encoding="utf-8")

    # Converted once per text: an edit converts only the texts it changed.
    known = build_cache.part("traditional")
    converted: dict[str, str] = {}

    def text_key(text: str) -> str:
        # The form is part of the key: another [site] traditional converts every text again.
        return hashlib.blake2b(f"{form}\0{text}".encode(), digest_size=16).hexdigest()

    def traditional(text: str) -> str:
        key = text_key(text)
        converted[key] = known.get(key) or converted.get(key) or to_traditional(text, form)
        return converted[key]

    if previous and not all(writer.has(shard_path(shard_name(s.first))) for s in previous.shards):
        previous = None  # a shard is gone: make them all again
    made = search_files(
        articles,
        article_path,
        terms=terms,
        previous=previous,
        load=load,
        convert=traditional,
        present=writer.has,
        release=lambda: build_cache.release("terms"),
    )
    for path in made.kept:
        writer.keep(path)
    build_cache.search["index"] = made.state
    for relpath, text in made.files.items():
        writer.write(relpath, text)
    for relpath, text in made.later():
        writer.write(relpath, text)
    # Texts of kept results are not converted this time; they stay known.
    kept_refs = {int(path.rsplit("/", 1)[1][:-3]) for path in made.kept if path.startswith("search/docs/")}
    if kept_refs:
        ordered = sorted(articles, key=lambda a: a.slug)
        for ref in kept_refs:
            for text in result_texts(ordered[ref]):
                key = text_key(text)
                if key in known:
                    converted[key] = known[key]
    build_cache.search["traditional"] = converted
    build_cache.release("traditional")
    writer.write("static/lunr.min.js", lunr_script(lunr_js()))


def template_hashes(environment: jinja2.Environment) -> Callable[[str], str]:
    """A hash of a template's source and of every template it extends,
    imports or includes: a page is re-rendered when any of them changes."""
    known: dict[str, str] = {}

    def of(name: str) -> str:
        if name not in known:
            known[name] = ""  # a cycle adds nothing
            source, filename, _ = environment.loader.get_source(environment, name)
            parsed = environment.parse(source, name, filename)
            referenced = sorted(n for n in meta.find_referenced_templates(parsed) if n)
            parts = [source, *(of(other) for other in referenced)]
            known[name] = hashlib.sha256("\0".join(parts).encode()).hexdigest()
        return known[name]

    return of


def output_paths(page: Page) -> list[str]:
    return [page.path, TRADITIONAL_DIR + page.path]


def inputs_key(corpus: Corpus, config: SiteConfig) -> str:
    """Everything a build reads besides the output: the code, the settings,
    the curation files, each article's file (by content) and slug, a saved
    page's images, every template and static file.  When it is the same as last time, nothing is
    rendered, planned or even tagged again."""
    digest = hashlib.sha256()
    digest.update(f"{code_version()}\0{config!r}\0".encode())
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


@dataclass(frozen=True)
class Rendered:
    """What a build rendered from: the preview server keeps it to render an
    edited article's page again at once, before the whole rebuild."""

    environment: jinja2.Environment
    site: Site
    pages: dict[str, Page]
    config: SiteConfig

    def article_page(self, article: Article) -> dict[str, str] | None:
        """An edited article's page in both scripts, by output path, from
        the site as last built; None when the edit changes more than the
        page (its slug) and only the whole rebuild can show it."""
        page = self.pages.get(article_path(article))
        if page is None or page.template != "article.html" or page.context["article"].path != article.path:
            return None
        context = {**page.context, "article": article, "body": partial(linked_blocks, article, self.site.glossary)}
        edited = Page(page.path, page.template, context)
        return {
            path: render_page(self.environment, edited, self.site, self.config, script)
            for path, script in zip(output_paths(page), (SIMPLIFIED, TRADITIONAL), strict=True)
        }


def plan(
    corpus: Corpus, config: SiteConfig, build_cache: BuildCache, retain: Callable[[Rendered], None] | None
) -> tuple[jinja2.Environment, Site, list[Callable[[], list[Page]]]]:
    """The site-wide stages and the pages, kind by kind (``retain`` is
    given them all at once: the preview server keeps the plan)."""
    environment = make_environment(config)
    site = make_site(corpus, build_cache)
    groups = page_groups(site, config)
    if retain is not None:
        pages = [page for group in groups for page in group()]
        retain(Rendered(environment, site, {page.path: page for page in pages}, config))
        groups = [lambda: pages]
    return environment, site, groups


RENDER_SLICE = 32  # pages per task for a worker
PARALLEL_PAGES = 256  # below this many pages, workers cost more than they save


def rendered_pages(
    environment: jinja2.Environment,
    pages: list[Page],
    site: Site,
    config: SiteConfig,
    fragments: Fragments,
    fork: bool = True,
    on_cluster: Callable[[list[tuple[int, int]]], Iterator[tuple[str, str]]] | None = None,
) -> Iterator[tuple[str, str]]:
    """Each page in both scripts, as (output path, HTML), in the order of
    ``pages`` whichever process rendered it.  Workers are forked: they
    inherit the planned site and the templates, and send back only HTML;
    ``on_cluster`` renders the slices of ``pages`` on a Dask cluster."""

    # (A forked worker fills its own copy of ``fragments``.)
    def render_slice(bounds: tuple[int, int]) -> list[tuple[str, str]]:
        return [
            (path, render_page(environment, page, site, config, script, fragments))
            for page in pages[bounds[0] : bounds[1]]
            for path, script in zip(output_paths(page), (SIMPLIFIED, TRADITIONAL), strict=True)
        ]

    slices = [(at, min(at + RENDER_SLICE, len(pages))) for at in range(0, len(pages), RENDER_SLICE)]
    if on_cluster is not None:
        yield from on_cluster(slices)
        return
    workers = worker_count(config.workers)
    if workers < 2 or len(pages) < PARALLEL_PAGES or not fork or not can_fork():
        for bounds in slices:
            yield from render_slice(bounds)
        return
    for rendered in map_forked(render_slice, slices, workers):
        yield from rendered


def write_pages(
    writer: SiteWriter,
    environment: jinja2.Environment,
    site: Site,
    groups: list[Callable[[], list[Page]]],
    config: SiteConfig,
    build_cache: BuildCache,
    fork_renders: bool = True,
    client: Any = None,
) -> dict[str, str]:
    """Render the pages whose signature changed (both scripts), the feeds,
    sitemaps and static files; each page's signature, by path.  With a Dask
    ``client``, the pages are rendered on its cluster."""
    template_hash = template_hashes(environment)
    shared = site_key(site, config)
    # A theme's templates may show any part of an article on any page.
    theme_templates = any(
        folder.resolve() != (default_theme() / "templates").resolve() and any(folder.rglob("*.html"))
        for folder in config.template_dirs
        if folder.is_dir()
    )
    signatures: dict[str, str] = {}
    html_paths = []
    fragments = Fragments(form=config.traditional)
    snapshot = cluster.share_site(client, site, config, template_sources(config)) if client is not None else None
    for number, group in enumerate(groups):
        # The memo is by object id: it must not outlive the pages it was made for.
        memo: dict[int, str] = {}
        changed: list[Page] = []
        indices: list[int] = []
        for index, page in enumerate(group()):
            try:
                signature = page_signature(page, template_hash(page.template), shared, memo, theme_templates)
            except jinja2.TemplateNotFound as error:
                folders = ", ".join(str(d) for d in config.template_dirs)
                raise RenderError(f"template {error.name} not found in {folders}") from None
            except jinja2.TemplateSyntaxError as error:
                raise RenderError(syntax_error_message(error)) from None
            signatures[page.path] = signature
            paths = output_paths(page)
            if page.path != NOT_FOUND:  # not a page a search engine should list
                html_paths += paths
            if build_cache.pages.get(page.path) == signature and all(writer.keep(path) for path in paths):
                continue
            changed.append(page)
            indices.append(index)
        del memo
        remote = partial(cluster.render_slices, client, snapshot, number, indices) if snapshot is not None else None
        for path, html in rendered_pages(environment, changed, site, config, fragments, fork_renders, remote):
            writer.write(path, html)
        del changed
    for article in site.corpus.articles if config.text_copies else ():
        writer.write(article_path(article).removesuffix(".html") + ".txt", article.original_text + "\n")
    write_feeds(writer, site, config, build_cache)
    sitemap_key = hashlib.blake2b(repr((config.base_url, html_paths)).encode(), digest_size=16).hexdigest()
    if not reuse(writer, build_cache, "sitemap", sitemap_key):
        before = set(writer.written)
        for name, data in sitemaps(config.base_url, html_paths).items():
            writer.write(name, data)
        remember(writer, build_cache, "sitemap", sitemap_key, before)
    copy_static(writer, config)
    return signatures


def render_site(
    corpus: Corpus,
    config: SiteConfig,
    build_cache: BuildCache | None = None,
    timings: dict[str, float] | None = None,
    retain: Callable[[Rendered], None] | None = None,
    fork_renders: bool = True,
    client: Any = None,
) -> tuple[int, int]:
    """Render the pages whose inputs changed and sync the output folder;
    (files changed, files removed).  Seconds per stage go into ``timings``;
    ``retain`` is given what the pages were rendered from."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    check_output_dir(config.output_dir, config.protected_dirs)
    build_cache = build_cache or BuildCache()
    inputs = inputs_key(corpus, config)
    if build_cache.search.get("inputs") == inputs:
        with SiteWriter(config.output_dir) as writer:
            previous = writer.previous_files()
            if previous and previous <= files_below(config.output_dir):
                if retain is not None:  # the preview server's first build: it needs the plan
                    plan(corpus, config, build_cache, retain)
                lap("write")
                return 0, 0  # every file is there, as the last build left it
    build_cache.dirty = True
    # A build that fails or is stopped before its commit leaves the cache
    # describing the output as it is (the search shards are patched from it).
    kept_state = (dict(build_cache.search), dict(build_cache.pages))
    try:
        with SiteWriter(config.output_dir) as writer:
            # The search index first, from the articles alone: what it holds
            # while it is made is let go before the site and its pages are
            # planned, so a large archive's peak memory is the larger of the
            # two stages, not their sum.
            write_images(writer, corpus, config, build_cache)
            key = corpus_key(corpus.articles, config)
            if not reuse(writer, build_cache, "search", key):
                before = set(writer.written)
                write_search(writer, corpus.articles, build_cache, config.traditional)
                remember(writer, build_cache, "search", key, before)
            lap("search")
            environment, site, groups = plan(corpus, config, build_cache, retain)
            for name in ("glossary", "slugs"):  # used only to make the site
                build_cache.release(name)
            lap("site")
            signatures = write_pages(writer, environment, site, groups, config, build_cache, fork_renders, client)
            write_redirects(writer, corpus, set(signatures), config)
            lap("render")
            # Killed after the commit but before the new cache is saved, a build
            # must not leave a cache that describes the site before it.
            forget_cache(config.output_dir)
            changes = writer.commit()
            lap("write")
    except BaseException:
        build_cache.search.clear()
        build_cache.search.update(kept_state[0])
        build_cache.pages = kept_state[1]
        raise
    build_cache.pages = signatures
    build_cache.search["inputs"] = inputs
    return changes


def write_redirects(writer: SiteWriter, corpus: Corpus, pages: set[str], config: SiteConfig) -> None:
    """A redirect page (both scripts) at each old address of a live article:
    where its slug was before, and its front matter's ``aliases``."""
    book = load_address_book(config.output_dir)
    before = (dict(book.addresses), dict(book.moved))
    articles = {source_key(article.path, config.content_dir): article for article in corpus.articles}
    failed = {source_key(failure.path, config.content_dir) for failure in corpus.failures}
    book.update({source: article.page_path for source, article in articles.items()}, failed)
    live = {path for page in pages for path in (page, TRADITIONAL_DIR + page)}
    for old, article in redirects(book, articles, live).items():
        for prefix in ("", TRADITIONAL_DIR):
            title = to_traditional(article.title, form=config.traditional) if prefix else article.title
            page = redirect_page(prefix + old, prefix + article.page_path, title, config.base_url)
            writer.write(prefix + old, page)
    if (book.addresses, book.moved) != before:
        save_address_book(config.output_dir, book)


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
