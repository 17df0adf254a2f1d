"""Pages from Articles, with jinja2 templates; every link relative."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape
from pypinyin import lazy_pinyin

from .config import PROJECT_ROOT, SiteConfig
from .glossary import Entry, Glossary, build_glossary
from .index import lunr_script, search_files
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


def initial(slogan: str) -> str:
    """Index letter: the pinyin initial of the first character, ``#`` for digits."""
    first = lazy_pinyin(slogan[0])[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def plan_glossary_pages(glossary: Glossary, articles: dict[str, Article]) -> list[Page]:
    groups: dict[str, list[Entry]] = {}
    for entry in sorted(glossary.ordered(), key=lambda e: (initial(e.slogan), lazy_pinyin(e.slogan), e.slogan)):
        groups.setdefault(initial(entry.slogan), []).append(entry)
    ordered_groups = sorted(groups.items(), key=lambda item: (item[0] == "#", item[0]))
    pages = [Page("glossary/index.html", "glossary.html", {"groups": ordered_groups})]
    for entry in glossary.entries.values():
        timeline = sorted(entry.uses, key=lambda u: (u.date is None, u.date or "", u.slug, int(u.anchor[1:])))
        source = articles.get(entry.meaning_source[0]) if entry.meaning_source else None
        pages.append(Page(entry.path, "entry.html", {"entry": entry, "timeline": timeline, "source": source}))
    return pages


def linked_blocks(article: Article, glossary: Glossary, root: str) -> list[dict[str, Any]]:
    """Body blocks with paragraph anchors, each slogan's first use in a
    paragraph linked to its entry with a preview of its meaning."""
    entries = sorted(glossary.for_article(article.slug), key=lambda e: len(e.slogan), reverse=True)
    blocks = []
    paragraph = heading = 0
    for block in article.blocks:
        if block.kind == "h":
            heading += 1
            blocks.append({"kind": "h", "anchor": f"s{heading}", "html": escape(block.text)})
            continue
        paragraph += 1
        html = Markup(block.html) if block.html else link_slogans(block.text, entries, root)
        blocks.append({"kind": "p", "anchor": f"p{paragraph}", "html": html, "markdown": bool(block.html)})
    return blocks


def link_slogans(text: str, entries: list[Entry], root: str) -> Markup:
    spans: list[tuple[int, int, Entry]] = []
    for entry in entries:
        position = text.find(f"“{entry.slogan}”")
        position = position + 1 if position >= 0 else text.find(entry.slogan)
        end = position + len(entry.slogan)
        if position < 0 or any(s < end and position < e for s, e, _ in spans):
            continue
        spans.append((position, end, entry))
    out, cursor = [], 0
    for start, end, entry in sorted(spans, key=lambda s: s[0]):
        preview = entry.meaning[:120] + ("…" if len(entry.meaning) > 120 else "") if entry.meaning else "查看用例"
        out.append(escape(text[cursor:start]))
        out.append(
            Markup('<a class="slogan" href="{}" data-preview="{}">{}</a>').format(
                root + entry.path, preview, text[start:end]
            )
        )
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def plan_pages(corpus: Corpus, config: SiteConfig, taxonomy: Taxonomy, glossary: Glossary) -> list[Page]:
    ordered = by_date(corpus.articles)
    pages: list[Page] = plan_tag_pages(taxonomy)
    pages += plan_glossary_pages(glossary, {a.slug: a for a in ordered})
    pages.append(Page("search.html", "search.html", {}))
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
        context = {
            "article": article,
            "newer": newer,
            "older": older,
            "body": linked_blocks(article, glossary, relative_root(article_path(article))),
            "slogans": glossary.for_article(article.slug),
        }
        pages.append(Page(article_path(article), "article.html", context))
    return pages


def render_page(
    environment: jinja2.Environment, page: Page, config: SiteConfig, taxonomy: Taxonomy, glossary: Glossary
) -> str:
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
            glossary=glossary,
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
    glossary = build_glossary(corpus.articles, corpus.editorial.glossary if corpus.editorial else None)
    with SiteWriter(config.output_dir) as writer:
        for page in plan_pages(corpus, config, taxonomy, glossary):
            writer.write(page.path, render_page(environment, page, config, taxonomy, glossary))
        for article in corpus.articles:
            writer.write(f"articles/{article.slug}.txt", article.original_text + "\n")
        for relpath, text in search_files(corpus.articles, article_path).files.items():
            writer.write(relpath, text)
        writer.write("static/lunr.min.js", lunr_script(PROJECT_ROOT))
        copy_static(writer, config)
        return writer.commit()
