"""Pages from Articles, with jinja2 templates; every link relative.

Each page is written twice: in Simplified at its path, and in Traditional
(OpenCC's phrase tables, at build time) below ``zh-hant/``.  The 简/繁 switch
links the twins.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jinja2
from markupsafe import Markup

from archivist.config import SiteConfig
from archivist.model import Article, Corpus
from archivist.output.assets import copy_static
from archivist.output.feeds import sitemaps, write_feeds
from archivist.output.write import SiteWriter
from archivist.render.articlebody import linked_blocks
from archivist.render.citations import citation_files, citation_of, converted, download_paths
from archivist.render.signatures import page_signature, site_key
from archivist.render.templates import (
    NOT_FOUND,
    TRADITIONAL_DIR,
    Links,
    RenderError,
    inlined_key,
    make_environment,
    named_loader,
    relative_root,
    standalone_parts,
    syntax_error_message,
    template_hashes,
    template_line,
    template_sources,
)
from archivist.resources import default_theme
from archivist.run.seam import Executor
from archivist.site.datafiles import DATA_FILES
from archivist.site.glossary import build_glossary
from archivist.site.pages import Page, Site, article_path, by_date, page_groups
from archivist.site.related import related_articles
from archivist.site.reprints import Story, find_stories, reprints_only
from archivist.site.taxonomy import build_taxonomy
from archivist.state.keys import settings_key, template_settings
from archivist.state.state import BuildState, outputs_since, reuse
from archivist.text.script import SIMPLIFIED, STANDARD_TRADITIONAL, TRADITIONAL, to_traditional

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
            site=template_settings(config),  # the keyed settings, not the paths
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


def make_site(
    corpus: Corpus, build_state: BuildState, reprints: str = "group", stories: dict[str, Story] | None = None
) -> Site:
    """The site-wide stages.  With ``reprints = "group"``, a reprinted
    report's copies have their pages but no place in lists, feeds and
    counts (its original stands for them): every tag link still leads to a
    page, as the taxonomy is made from every article."""
    glossary = build_glossary(
        corpus.articles, corpus.editorial.glossary if corpus.editorial else None, build_state.part("glossary")
    )
    if stories is None:
        stories = find_stories(
            corpus.articles, build_state.part("reprint_sketches"), build_state.part("reprint_checks")
        )
    taxonomy = build_taxonomy(corpus.articles, build_state.part("slugs"))
    ordered = by_date(corpus.articles)
    listed = ordered
    if reprints == "group" and stories:
        copies = reprints_only(stories)
        listed = [article for article in ordered if article.slug not in copies]
        for region in taxonomy.regions.values():
            region.articles = [article for article in region.articles if article.slug not in copies]
        for initiative in taxonomy.initiatives.values():
            initiative.articles = [article for article in initiative.articles if article.slug not in copies]
    return Site(
        corpus=corpus,
        taxonomy=taxonomy,
        glossary=glossary,
        ordered=ordered,
        related=related_articles(corpus.articles, glossary),
        stories=stories,
        listed=listed,
    )


def output_paths(page: Page) -> list[str]:
    return [page.path, TRADITIONAL_DIR + page.path]


def cites(page: Page) -> bool:
    """Whether the page is an article's, with RIS and BibTeX files beside it."""
    return page.template == "article.html" and "citation" in page.context


def download_names(page: Page) -> list[str]:
    """The paths of the citation files beside an article's page, in both scripts."""
    return [name for path in output_paths(page) for name in download_paths(path).values()] if cites(page) else []


def download_files(page: Page, config: SiteConfig) -> list[tuple[str, str]]:
    """(path, text) of the citation files beside an article's page in
    each script (the Traditional ones' text converted, their addresses not)."""
    if not cites(page):
        return []
    citation = page.context["citation"]
    traditional = converted(citation, partial(to_traditional, form=config.traditional))
    files = citation_files(citation, page.path, config.base_url + page.path, SIMPLIFIED)
    path = TRADITIONAL_DIR + page.path
    return files + citation_files(traditional, path, config.base_url + path, TRADITIONAL)


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
        context = {
            **page.context,
            "article": article,
            "body": partial(linked_blocks, article, self.site.glossary),
            "citation": citation_of(article),
        }
        edited = Page(page.path, page.template, context)
        return {
            path: render_page(self.environment, edited, self.site, self.config, script)
            for path, script in zip(output_paths(page), (SIMPLIFIED, TRADITIONAL), strict=True)
        }


def plan(
    corpus: Corpus,
    config: SiteConfig,
    build_state: BuildState,
    retain: Callable[[Rendered], None] | None,
    stories: dict[str, Story] | None = None,
) -> tuple[jinja2.Environment, Site, list[Callable[[], list[Page]]]]:
    """The site-wide stages and the pages, kind by kind (``retain`` is
    given them all at once: the preview server keeps the plan); ``stories``:
    the reprints, when already found."""
    environment = make_environment(config)
    site = make_site(corpus, build_state, config.reprints, stories)
    groups = page_groups(site, config)
    if retain is not None:
        pages = [page for group in groups for page in group()]
        retain(Rendered(environment, site, {page.path: page for page in pages}, config))
        groups = [lambda: pages]
    return environment, site, groups


@dataclass
class RenderJob:
    """What any page is rendered from: the planned site, the settings and
    (for workers that cannot read them) the templates' text, sent to or
    inherited by each worker once.  The building process hands it the pages
    of the kind being rendered, its environment and list items; a worker
    that was sent it pickled plans its own, a kind at a time (the build
    renders kind by kind)."""

    site: Site
    config: SiteConfig
    templates: dict[str, str] | None = None
    environment: jinja2.Environment | None = None
    fragments: Fragments | None = None
    planned: dict[int, list[Page]] = field(default_factory=dict)

    def __getstate__(self) -> dict[str, Any]:
        templates = self.templates if self.templates is not None else template_sources(self.config)
        return {"site": self.site, "config": self.config, "templates": templates}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def pages(self, group: int) -> list[Page]:
        if group not in self.planned:
            self.planned.clear()  # keep one kind's plan
            self.planned[group] = page_groups(self.site, self.config)[group]()
        return self.planned[group]

    def tools(self) -> tuple[jinja2.Environment, Fragments]:
        if self.environment is None:
            loader = named_loader(self.templates) if self.templates is not None else None
            self.environment = make_environment(self.config, loader)
        if self.fragments is None:
            self.fragments = Fragments(form=self.config.traditional)
        return self.environment, self.fragments


def render_pages(item: tuple[int, int], job: RenderJob) -> list[tuple[str, str]]:
    """The render stage: page ``item`` (its kind, its number in the kind's
    plan) in both scripts, as (output path, HTML)."""
    group, index = item
    page = job.pages(group)[index]
    environment, fragments = job.tools()
    return [
        (path, render_page(environment, page, job.site, job.config, script, fragments))
        for path, script in zip(output_paths(page), (SIMPLIFIED, TRADITIONAL), strict=True)
    ] + download_files(page, job.config)


def write_pages(
    writer: SiteWriter,
    environment: jinja2.Environment,
    site: Site,
    groups: list[Callable[[], list[Page]]],
    config: SiteConfig,
    build_state: BuildState,
    executor: Executor,
) -> dict[str, str]:
    """Render the pages whose signature changed (both scripts, by
    ``executor``), the feeds, sitemaps and static files; each page's
    signature, by path."""
    template_hash = template_hashes(environment)
    shared = site_key(site, settings_key(config))
    # A theme's templates may show any part of an article on any page.
    theme_templates = any(
        folder.resolve() != (default_theme() / "templates").resolve() and any(folder.rglob("*.html"))
        for folder in config.template_dirs
        if folder.is_dir()
    )
    signatures: dict[str, str] = {}
    html_paths = []
    # One job for every kind of page: a cluster is sent the planned site once.
    job = RenderJob(site, config, template_sources(config) if executor.remote else None, environment)
    job.fragments = Fragments(form=config.traditional)
    for number, group in enumerate(groups):
        # The memo is by object id: it must not outlive the pages it was made for.
        memo: dict[int, tuple[str, Any]] = {}
        pages = group()
        changed: list[tuple[int, int]] = []
        for index, page in enumerate(pages):
            try:
                signature = page_signature(page, template_hash(page.template), shared, memo, theme_templates)
            except jinja2.TemplateNotFound as error:
                folders = ", ".join(str(d) for d in config.template_dirs)
                raise RenderError(f"template {error.name} not found in {folders}") from None
            except jinja2.TemplateSyntaxError as error:
                raise RenderError(syntax_error_message(error)) from None
            if page.path == NOT_FOUND:  # it carries theme files inline: their text is part of it
                signature = hashlib.sha256(f"{signature}\0{inlined_key(config)}".encode()).hexdigest()
            signatures[page.path] = signature
            paths = output_paths(page)
            if page.path != NOT_FOUND:  # not a page a search engine should list
                html_paths += paths
            if build_state.pages.get(page.path) == signature and all(
                writer.keep(path) for path in paths + download_names(page)
            ):
                continue
            changed.append((number, index))
        del memo
        job.planned = {number: pages}  # forked workers inherit this kind's plan
        for rendered in executor.map(render_pages, changed, job):
            for path, html in rendered:
                writer.write(path, html)
        job.planned = {}
        del pages, changed
    for article in site.corpus.articles if config.text_copies else ():
        writer.write(article_path(article).removesuffix(".html") + ".txt", article.original_text + "\n")
    build_state.feeds = write_feeds(writer, site, config, build_state.feeds)
    if config.exports and config.exports_in_sitemap:
        html_paths += [data_file.path for data_file in DATA_FILES]
    sitemap_key = hashlib.blake2b(repr((config.base_url, html_paths)).encode(), digest_size=16).hexdigest()
    if not reuse(writer, build_state.sitemap, sitemap_key):
        before = set(writer.written)
        for name, data in sitemaps(config.base_url, html_paths).items():
            writer.write(name, data)
        build_state.sitemap = outputs_since(writer, sitemap_key, before)
    copy_static(writer, config)
    return signatures
