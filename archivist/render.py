"""Pages from Articles, with jinja2 templates; every link relative."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2

from .config import SiteConfig
from .model import Article, Corpus
from .taxonomy import Taxonomy, build_taxonomy
from .write import SiteWriter, check_output_dir


class RenderError(Exception):
    """A template that fails; the message names the template and line."""


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template, what it shows."""

    path: str
    template: str
    context: dict[str, Any]


def relative_root(path: str) -> str:
    """The prefix leading from ``path`` back to the site root: ``../`` per level."""
    depth = path.count("/")
    return "../" * depth


def make_environment(config: SiteConfig) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in config.template_dirs if d.is_dir()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["display_date"] = display_date
    return environment


def display_date(value: str | None) -> str:
    if not value:
        return "日期不详"
    return value[:10]


def by_date(articles: list[Article]) -> list[Article]:
    """Newest first; undated last, in path order."""
    dated = sorted((a for a in articles if a.date), key=lambda a: (a.date, a.slug), reverse=True)
    undated = sorted((a for a in articles if not a.date), key=lambda a: a.path)
    return dated + undated


def article_path(article: Article) -> str:
    return f"articles/{article.slug}.html"


def paginate(items: list[Article], per_page: int) -> Iterator[tuple[int, int, list[Article]]]:
    pages = max(1, -(-len(items) // per_page))
    for number in range(1, pages + 1):
        yield number, pages, items[(number - 1) * per_page : number * per_page]


def index_path(number: int) -> str:
    return "index.html" if number == 1 else f"page/{number}.html"


def plan_tag_pages(taxonomy: Taxonomy) -> list[Page]:
    pages = [
        Page("regions/index.html", "regions.html", {}),
        Page("initiatives/index.html", "initiatives.html", {}),
    ]
    for node in taxonomy.regions.values():
        pages.append(Page(node.path, "region.html", {"node": node, "articles": by_date(node.articles)}))
    for initiative in taxonomy.initiatives.values():
        pages.append(
            Page(initiative.path, "initiative.html", {"node": initiative, "articles": by_date(initiative.articles)})
        )
    return pages


def plan_pages(corpus: Corpus, config: SiteConfig, taxonomy: Taxonomy) -> list[Page]:
    ordered = by_date(corpus.articles)
    pages: list[Page] = plan_tag_pages(taxonomy)
    for number, count, items in paginate(ordered, config.per_page):
        pages.append(
            Page(
                index_path(number),
                "index.html",
                {
                    "articles": items,
                    "page_number": number,
                    "page_count": count,
                    "previous_page": index_path(number - 1) if number > 1 else None,
                    "next_page": index_path(number + 1) if number < count else None,
                    "total": len(ordered),
                },
            )
        )
    for position, article in enumerate(ordered):
        newer = ordered[position - 1] if position > 0 else None
        older = ordered[position + 1] if position + 1 < len(ordered) else None
        pages.append(Page(article_path(article), "article.html", {"article": article, "newer": newer, "older": older}))
    return pages


def render_page(environment: jinja2.Environment, page: Page, config: SiteConfig, taxonomy: Taxonomy) -> str:
    root = relative_root(page.path)

    def url(target: str) -> str:
        return posixpath.join(root, target) if root else target

    try:
        template = environment.get_template(page.template)
        return template.render(
            site=config,
            root=root,
            url=url,
            article_path=article_path,
            page_path=page.path,
            taxonomy=taxonomy,
            **page.context,
        )
    except jinja2.TemplateSyntaxError as error:
        raise RenderError(f"template {error.filename or error.name}, line {error.lineno}: {error.message}") from None
    except jinja2.TemplateError as error:
        raise RenderError(f"template {page.template} (rendering {page.path}): {error}") from None


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


def render_site(corpus: Corpus, config: SiteConfig) -> tuple[int, int]:
    """Render every page and sync the output folder; (changed, removed)."""
    check_output_dir(config.output_dir, [config.content_dir, *config.template_dirs, *config.static_dirs])
    environment = make_environment(config)
    taxonomy = build_taxonomy(corpus.articles)
    with SiteWriter(config.output_dir) as writer:
        for page in plan_pages(corpus, config, taxonomy):
            writer.write(page.path, render_page(environment, page, config, taxonomy))
        for article in corpus.articles:
            writer.write(f"articles/{article.slug}.txt", article.original_text + "\n")
        copy_static(writer, config)
        return writer.commit()
