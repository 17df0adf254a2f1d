"""Which pages a site has, and what each shows (Pelican's generators)."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass, replace
from functools import partial
from typing import Any

from markupsafe import Markup, escape

from .charts import bar_chart, column_chart
from .config import SiteConfig
from .glossary import Entry, Glossary, Use
from .maps import RegionMap, region_map
from .media import image_path
from .model import Article, Corpus
from .taxonomy import InitiativeNode, RegionNode, Taxonomy

# The version of planning and rendering pages (pages, render, charts): bump it when a page's HTML would change
# for the same inputs and templates (the build state keeps what this stage made per version).
VERSION = 1

RELATED = 5
RELATED_KEY_LIMIT = 200  # a tag shared by more articles than this says little about relatedness


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
    ordered: list[Article]  # newest first
    related: dict[str, list[Article]]


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


def related_articles(articles: list[Article], glossary: Glossary) -> dict[str, list[Article]]:
    """For each article, the ones sharing most initiatives, slogans and places."""
    slogans_of = defaultdict(set)
    for entry in glossary.entries.values():
        for slug in entry.articles:
            slogans_of[slug].add(entry.slogan)
    holders: dict[tuple[str, str], list[Article]] = defaultdict(list)
    weights = {"initiative": 3, "slogan": 2, "place": 2, "area": 1}

    def keys(article: Article) -> set[tuple[str, str]]:
        found = {("initiative", name) for name in article.initiatives}
        found |= {("slogan", name) for name in slogans_of[article.slug]}
        for region in article.regions:
            found.add(("place", region.codes[-1]))
            found |= {("area", code) for code in region.codes[:-1]}
        return found

    article_keys = {a.slug: keys(a) for a in articles}
    for article in articles:
        for key in article_keys[article.slug]:
            holders[key].append(article)
    related = {}
    for article in articles:
        scores: Counter[str] = Counter()
        by_slug = {}
        for key in article_keys[article.slug]:
            # A tag every article has says nothing; skip the very common ones.
            if len(holders[key]) > RELATED_KEY_LIMIT:
                continue
            for other in holders[key]:
                if other.slug != article.slug:
                    scores[other.slug] += weights[key[0]]
                    by_slug[other.slug] = other
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:RELATED]
        related[article.slug] = [by_slug[slug] for slug, _ in best]
    return related


def link_slogans(text: str, entries: list[Entry], url: Callable[[str], str]) -> Markup:
    """Each slogan's first use in ``text`` linked to its entry, with a preview."""
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
                url(entry.path), preview, text[start:end]
            )
        )
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def linked_blocks(
    article: Article, glossary: Glossary, url: Callable[[str], str], asset: Callable[[str], str] | None = None
) -> list[dict[str, Any]]:
    """Body blocks with paragraph anchors (``p1`` ..., headings ``s1`` ...,
    figures ``f1`` ...); images are files of both scripts' pages (``asset``)."""
    asset = asset or url
    entries = sorted(glossary.for_article(article.slug), key=lambda e: len(e.slogan), reverse=True)
    blocks = []
    paragraph = heading = 0
    figure = 0
    for block in article.blocks:
        if block.kind == "figure":
            figure += 1
            if not block.src:  # an image the build could not copy: its text, no broken image
                if block.text:
                    html = Markup('<p class="image-left-out">{}</p>').format(block.text)
                    blocks.append({"kind": "figure", "anchor": f"f{figure}", "html": html, "markdown": True})
                continue
            src = asset(image_path(article, figure, block.src))
            caption = Markup("<figcaption>{}</figcaption>").format(block.text) if block.text else ""
            html = Markup('<figure><img src="{}" alt="{}" loading="lazy">{}</figure>').format(src, block.text, caption)
            blocks.append({"kind": "figure", "anchor": f"f{figure}", "html": html, "markdown": True})
            continue
        if block.kind == "h":
            heading += 1
            blocks.append({"kind": "h", "anchor": f"s{heading}", "html": escape(block.text)})
            continue
        paragraph += 1
        html = Markup(block.html) if block.html else link_slogans(block.text, entries, url)
        blocks.append({"kind": "p", "anchor": f"p{paragraph}", "html": html, "markdown": bool(block.html)})
    return blocks


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
    charts = place_charts(site, None, site.ordered, maps, "")
    for number, count, items in paginate(site.ordered, per_page):
        context = {
            "articles": items,
            **pager(index_path, number, count),
            "total": len(site.ordered),
            "charts": charts if number == 1 else {},
        }
        pages.append(Page(index_path(number), "index.html", context, feed="feed.xml"))
    return pages


def article_pages(site: Site) -> list[Page]:
    pages = []
    for position, article in enumerate(site.ordered):
        context = {
            "article": article,
            "newer": site.ordered[position - 1] if position > 0 else None,
            "older": site.ordered[position + 1] if position + 1 < len(site.ordered) else None,
            "body": partial(linked_blocks, article, site.glossary),
            "slogans": site.glossary.for_article(article.slug),
            "related": site.related[article.slug],
        }
        # A slogan chip shows the slogan's name and link, not its uses.
        chips = tuple((entry.slogan, entry.key) for entry in context["slogans"])
        pages.append(Page(article_path(article), "article.html", context, shown={"slogans": chips}))
    return pages


def by_month(articles: list[Article]) -> list[tuple[str, list[Article]]]:
    months: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        months[article.date[5:7] if article.date else ""].append(article)
    return [(f"{int(month)}月" if month else "日期不详", items) for month, items in months.items()]


def archive_pages(site: Site, per_page: int) -> list[Page]:
    years: dict[str, list[Article]] = defaultdict(list)
    for article in site.ordered:
        years[article.year or "undated"].append(article)
    listing = [(year, len(items)) for year, items in years.items()]
    pages = [
        Page(
            "archive/index.html",
            "archive.html",
            {"years": listing, "chart": column_chart(year_counts(site.ordered), "每年的文章数")},
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
        shown = {"items": tuple((n.name, n.slug, len(n.articles)) for n in page.context["items"])}
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
        linked = tuple(glossary.get(name).key for name in (*entry.parts, *entry.part_of, *entry.related))
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
        ],
    ]


def search_suggestions(site: Site) -> list[str]:
    """What the search page suggests trying: this archive's most reported
    initiative, its most used slogan and the city it reports on most."""
    initiatives = site.taxonomy.initiatives_by_count[:1]
    slogans = sorted(site.glossary.entries.values(), key=lambda e: (-len(e.articles), e.key))[:1]
    regions = sorted(site.taxonomy.regions.values(), key=lambda n: (n.level != 1, -len(n.articles), n.code))[:1]
    names = [node.name for node in initiatives] + [entry.slogan for entry in slogans] + [node.name for node in regions]
    return list(dict.fromkeys(names))


def plan_pages(site: Site, config: SiteConfig) -> list[Page]:
    return [page for group in page_groups(site, config) for page in group()]


# --- signatures: what a page shows, so an unchanged page is not rendered again ---


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


def digest(value: Any, memo: dict[int, str], whole: bool = False) -> str:
    """A short hash of everything a template can read from ``value``.
    Articles count by what a list shows of them (by their whole text with
    ``whole``); shared objects are hashed once per build."""
    if isinstance(value, str | int | float | bool) or value is None:
        return repr(value)  # hashed with what holds it
    key = id(value)
    if key in memo:
        return memo[key]
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
    memo[key] = hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()
    return memo[key]


def page_signature(page: Page, template_hash: str, site_key: str, memo: dict[int, str], whole: bool = False) -> str:
    # (The page holds every value hashed here: the memo's ids stay unique.)
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
