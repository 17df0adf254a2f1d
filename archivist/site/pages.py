"""Which pages a site has, and what each shows (Pelican's generators)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from markupsafe import Markup

from archivist.config import SiteConfig
from archivist.model import Article, Corpus
from archivist.render.articlebody import linked_blocks
from archivist.render.citations import citation_of
from archivist.site.charts import bar_chart, column_chart
from archivist.site.datafiles import COLUMNS, DATA_FILES, TEXT_COLUMN
from archivist.site.entries import Entry, Glossary
from archivist.site.maps import region_map
from archivist.site.reprints import Story
from archivist.site.taxonomy import InitiativeNode, RegionNode, Taxonomy

# The version of planning and rendering pages (pages, render, charts): bump it when a page's HTML would change
# for the same inputs and templates (the build state keeps what this stage made per version).
VERSION = 3


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, which template, what it shows."""

    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    feed: str | None = None  # the Atom feed that goes with the page
    depends: tuple = ()  # site-wide data the template reads beyond its context
    shown: dict[str, Any] = field(default_factory=dict)  # what our templates show of a context value


@dataclass
class Site:
    """Everything the templates may look up, built once per build."""

    corpus: Corpus
    taxonomy: Taxonomy
    glossary: Glossary
    ordered: list[Article]  # newest first: every article has its page
    related: dict[str, list[Article]]
    stories: dict[str, Story] = field(default_factory=dict)  # reprints: each copy's slug -> its story
    # What lists, feeds and counts show, newest first: with ``reprints =
    # "group"`` each story once, as its original (None: ``ordered``).
    listed: list[Article] | None = None

    @property
    def lists(self) -> list[Article]:
        return self.ordered if self.listed is None else self.listed


def by_date(articles: list[Article]) -> list[Article]:
    """Newest first; undated last, in path order."""
    dated = sorted((a for a in articles if a.date), key=lambda a: (a.date, a.slug), reverse=True)
    undated = sorted((a for a in articles if not a.date), key=lambda a: a.path)
    return dated + undated


def article_path(article: Article) -> str:
    return article.page_path


def paginate(items: list[Article], per_page: int) -> Iterator[tuple[int, int, list[Article]]]:
    pages = max(1, -(-len(items) // per_page))
    for number in range(1, pages + 1):
        yield number, pages, items[(number - 1) * per_page : number * per_page]


def index_path(number: int) -> str:
    return "index.html" if number == 1 else f"page/{number}.html"


def list_path(first: str, number: int) -> str:
    """Page 1 of a list at its own path, later pages in a folder beside it:
    ``regions/440000.html``, ``regions/440000/2.html``."""
    return first if number == 1 else f"{first.removesuffix('.html')}/{number}.html"


def pager(path_of: Callable[[int], str], number: int, count: int) -> dict[str, Any]:
    return {
        "page_number": number,
        "page_count": count,
        "previous_page": path_of(number - 1) if number > 1 else None,
        "next_page": path_of(number + 1) if number < count else None,
    }


def list_pages(
    first: str, template: str, items: list, per_page: int, context: dict[str, Any], **page: Any
) -> list[Page]:
    """A list in pages of ``per_page`` items (``items`` in the context, with
    the pager); what ``context`` holds is shown on the first page only when
    it is heavy (charts)."""
    pages = []
    path_of = partial(list_path, first)
    for number, count, chunk in paginate(items, per_page):
        values = {**context, "items": chunk, "total": len(items), **pager(path_of, number, count)}
        if number > 1 and "charts" in values:
            values["charts"] = {}
        pages.append(Page(path_of(number), template, values, **page))
    return pages


def year_counts(articles: list[Article]) -> list[tuple[str, int]]:
    counts = Counter(a.year for a in articles if a.year)
    if not counts:
        return []
    first, last = int(min(counts)), int(max(counts))
    return [(str(year), counts.get(str(year), 0)) for year in range(first, last + 1)]


def region_chart(site: Site, node: RegionNode | None) -> Markup:
    children = site.taxonomy.children(node) if node else site.taxonomy.provinces
    data = [(child.name, len(child.articles)) for child in children[:12]]
    label = f"{node.name}各下级地区的文章数" if node else "各省份的文章数"
    return bar_chart(data, label) if len(data) > 1 else Markup("")


def place_charts(
    site: Site, node: RegionNode | None, articles: list[Article], maps: bool, title: str
) -> dict[str, Any]:
    """A place's (or the whole archive's) ``articles`` by year, and by its
    parts: on a map when there is one, else in bars."""
    drawn = region_map(site.taxonomy, node) if maps else None
    charts: dict[str, Any] = {"years": column_chart(year_counts(articles), f"{title}每年的文章数")}
    charts["map"] = drawn
    # Our templates show the bars only where there is no map table (a theme's own may show both).
    charts["regions"] = region_chart(site, node)
    charts["map_table"] = bool(drawn and drawn.rows)
    return charts


def home_pages(site: Site, per_page: int, maps: bool = True) -> list[Page]:
    pages = []
    charts = place_charts(site, None, site.lists, maps, "")
    for number, count, items in paginate(site.lists, per_page):
        context = {
            "articles": items,
            **pager(index_path, number, count),
            "total": len(site.lists),
            "charts": charts if number == 1 else {},
        }
        pages.append(Page(index_path(number), "index.html", context, feed="feed.xml"))
    return pages


REPRINTS_LISTED = 20  # other copies an article page lists (a story reprinted everywhere lists its first)


def reprints_of(article: Article, site: Site, by_slug: dict[str, Article]) -> tuple[tuple[Article, ...], int]:
    """The other copies of the article's story, the original first, at most
    ``REPRINTS_LISTED``; and how many more there are."""
    story = site.stories.get(article.slug)
    if story is None:
        return (), 0
    # From the story's first copies only: a story of thousands is not copied once per copy.
    first = (story.original, *story.copies[:REPRINTS_LISTED])
    others = [slug for slug in first if slug != article.slug][:REPRINTS_LISTED]
    return tuple(by_slug[slug] for slug in others), len(story.copies) - len(others)


def article_pages(site: Site) -> list[Page]:
    pages = []
    by_slug = {article.slug: article for article in site.ordered} if site.stories else {}
    story_slugs: dict[str, frozenset[str]] = {}  # by original: made once per story, not once per copy
    for position, article in enumerate(site.ordered):
        slogans = site.glossary.for_article(article.slug)
        reprints, unlisted = reprints_of(article, site, by_slug)
        found = site.stories.get(article.slug)
        if found is not None and found.original not in story_slugs:
            story_slugs[found.original] = frozenset(found.slugs)
        story = story_slugs[found.original] if found is not None else frozenset()
        context = {
            "article": article,
            "newer": site.ordered[position - 1] if position > 0 else None,
            "older": site.ordered[position + 1] if position + 1 < len(site.ordered) else None,
            "body": partial(linked_blocks, article, site.glossary),
            "slogans": slogans,
            # The other copies are listed as such, not as related articles.
            "related": [other for other in site.related[article.slug] if other.slug not in story],
            # Its page shows of the other copies what a list item does: it
            # changes when its story does.
            "reprints": reprints,
            "unlisted_reprints": unlisted,
            "citation": citation_of(article),
            "original": found.original if found is not None else None,
        }
        # A slogan chip shows the slogan's name and link, not its uses.
        chips = tuple((entry.slogan, entry.key) for entry in slogans)
        pages.append(Page(article_path(article), "article.html", context, shown={"slogans": chips}))
    return pages


def by_month(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    months: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        months[article.date[5:7] if article.date else ""].append(article)
    return [(f"{int(month)}月" if month else "日期不详", items) for month, items in months.items()]


def archive_pages(site: Site, per_page: int) -> list[Page]:
    years: dict[str, list[Article]] = defaultdict(list)
    for article in site.lists:
        years[article.year or "undated"].append(article)
    listing = [(year, len(items)) for year, items in years.items()]
    pages = [
        Page(
            "archive/index.html",
            "archive.html",
            {"years": listing, "chart": column_chart(year_counts(site.lists), "每年的文章数")},
        )
    ]
    for year, items in years.items():
        for page in list_pages(f"archive/{year}.html", "year.html", items, per_page, {"year": year}):
            page.context["months"] = by_month(page.context["items"])
            pages.append(page)
    return pages


def term_feed(node: RegionNode | InitiativeNode, minimum: int) -> str | None:
    """A region's or initiative's own feed, once it has ``minimum`` articles:
    a name met once in the archive is not worth a file of its own."""
    return node.path.replace(".html", ".xml") if len(node.articles) >= minimum else None


def tag_pages(site: Site, per_page: int, index_per_page: int, feed_minimum: int, maps: bool = True) -> list[Page]:
    taxonomy = site.taxonomy
    tree = tuple((n.code, n.name, n.parent, len(n.articles)) for n in taxonomy.regions.values())
    national = region_map(taxonomy, None) if maps else None
    index = {"chart": region_chart(site, None), "map": national}
    pages = [Page("regions/index.html", "regions.html", index, depends=tree)]
    # The list of initiatives grows with the archive: in pages, each showing its own lines.
    for page in list_pages(
        "initiatives/index.html", "initiatives.html", taxonomy.initiatives_by_count, index_per_page, {}
    ):
        shown: dict[str, Any] = {"items": tuple((n.name, n.slug, len(n.articles)) for n in page.context["items"])}
        pages.append(replace(page, shown=shown))
    for node in taxonomy.regions.values():
        articles = by_date(node.articles)
        charts = place_charts(site, node, articles, maps, node.name)
        context = {"node": node, "charts": charts}
        feed = term_feed(node, feed_minimum)
        # Each page shows its own items, and of the place its name and counts.
        children = tuple((code, len(taxonomy.regions[code].articles)) for code in node.children)
        shown = {"node": (node.code, node.name, node.parent, children, len(node.articles))}
        pages += list_pages(node.path, "region.html", articles, per_page, context, feed=feed, shown=shown)
    for initiative in taxonomy.initiatives.values():
        articles = by_date(initiative.articles)
        charts = {"years": column_chart(year_counts(articles), f"“{initiative.name}”每年的文章数")}
        context = {"node": initiative, "charts": charts}
        feed = term_feed(initiative, feed_minimum)
        shown = {"node": (initiative.name, initiative.slug, len(initiative.articles))}
        pages += list_pages(initiative.path, "initiative.html", articles, per_page, context, feed=feed, shown=shown)
    return pages


def glossary_index_pages(site: Site, per_page: int) -> list[Page]:
    """The entries by initial, in pages of ``per_page`` lines; every page
    has the bar of initials, each linking to the page its entries start on."""
    entries = sorted(site.glossary.ordered(), key=lambda e: (e.index_key[0] == "#", *e.index_key, e.slogan))
    path_of = partial(list_path, "glossary/index.html")
    letters: dict[str, str] = {}
    for position, entry in enumerate(entries):
        letters.setdefault(entry.index_key[0], path_of(position // per_page + 1))
    bar = tuple(letters.items())
    pages = []
    for page in list_pages("glossary/index.html", "glossary.html", entries, per_page, {"letters": bar}):
        groups: dict[str, list[Entry]] = {}
        for entry in page.context["items"]:
            groups.setdefault(entry.index_key[0], []).append(entry)
        page.context["groups"] = list(groups.items())
        # Each line shows the entry's name, link, count of uses and the start of its meaning.
        shown = {
            "items": tuple(
                (e.slogan, e.key, e.traditional, len(e.uses), e.meaning[:81]) for e in page.context["items"]
            ),
            "groups": tuple((letter, len(items)) for letter, items in groups.items()),
        }
        pages.append(replace(page, shown=shown))
    return pages


def glossary_pages(site: Site, per_page: int, index_per_page: int) -> list[Page]:
    """The index and each entry's page; an entry's uses in pages of ``per_page``."""
    glossary = site.glossary
    articles = {a.slug: a for a in site.ordered}
    pages = glossary_index_pages(site, index_per_page)
    for entry in glossary.entries.values():
        timeline = sorted(entry.uses, key=lambda u: (u.date is None, u.date or "", u.slug, int(u.anchor[1:])))
        source = articles.get(entry.meaning_source[0]) if entry.meaning_source else None
        linked = tuple(glossary.entries[name].key for name in (*entry.parts, *entry.part_of, *entry.related))
        # Counted once per entry, not once per page: a popular slogan has
        # thousands of pages, each showing these.
        article_count, first_use = len(entry.articles), entry.first_use
        context = {"entry": entry, "source": source, "article_count": article_count, "first_use": first_use}
        # Each page shows its own uses, and of the entry all but the other uses.
        shown = {
            "entry": (
                entry.slogan, entry.key, entry.meaning, entry.meaning_source, tuple(entry.parts),
                tuple(entry.part_of), tuple(entry.related), tuple(entry.aliases), len(entry.uses),
            )
        }  # fmt: skip
        pages += list_pages(entry.path, "entry.html", timeline, per_page, context, depends=linked, shown=shown)
    return pages


def page_groups(site: Site, config: SiteConfig) -> list[Callable[[], list[Page]]]:
    """The site's pages, kind by kind, each kind planned when it is asked
    for: a build holds one kind's plan at a time, not a whole archive's."""
    per_page = config.per_page
    return [
        partial(home_pages, site, per_page, config.maps),
        partial(article_pages, site),
        partial(archive_pages, site, per_page),
        partial(tag_pages, site, per_page, config.index_per_page, config.feed_min_articles, config.maps),
        partial(glossary_pages, site, config.uses_per_page, config.index_per_page),
        lambda: [
            Page("search.html", "search.html", {"suggestions": search_suggestions(site)}),
            Page("404.html", "404.html"),
            *data_page(site, config),
        ],
    ]


def data_page(site: Site, config: SiteConfig) -> list[Page]:
    """The page that describes the data files, when they are made."""
    if not config.exports:
        return []
    context = {"files": DATA_FILES, "columns": COLUMNS, "text_column": TEXT_COLUMN, "count": len(site.corpus.articles)}
    return [Page("data.html", "data.html", context)]


def search_suggestions(site: Site) -> list[str]:
    """What the search page suggests trying: this archive's most reported
    initiative, its most used slogan and the city it reports on most."""
    initiatives = site.taxonomy.initiatives_by_count[:1]
    slogans = sorted(site.glossary.entries.values(), key=lambda e: (-len(e.articles), e.key))[:1]
    regions = sorted(site.taxonomy.regions.values(), key=lambda n: (n.level != 1, -len(n.articles), n.code))[:1]
    names = [node.name for node in initiatives] + [entry.slogan for entry in slogans] + [node.name for node in regions]
    return list(dict.fromkeys(names))
