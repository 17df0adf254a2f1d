"""Atom feeds and the sitemap: the only files with absolute URLs (from the
configured base URL).  ElementTree writes them, so any text is escaped."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from itertools import islice

from archivist.config import SiteConfig
from archivist.model import Article
from archivist.output.write import SiteWriter
from archivist.site.pages import Site, article_path, by_date, term_feed
from archivist.site.taxonomy import InitiativeNode, RegionNode

# The version of the Atom feeds and sitemaps (the build state keeps what this stage made per version).
VERSION = 2

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50
# The feed of a tag whose articles are all undated has no entries, and so no
# newest date; its ``updated`` is the epoch rather than an invented date.
NO_DATE = "1970-01-01T00:00:00"


def timestamp(date: str | None) -> str:
    moment = date or NO_DATE
    if "T" not in moment:
        moment += "T00:00:00"
    return moment + "+08:00"  # the archive's articles are dated in China Standard Time


def atom_feed(title: str, base_url: str, page: str, feed: str, articles: list[Article], url_of) -> bytes:
    """The newest ``FEED_SIZE`` dated articles (a feed is a list by date: an
    undated article has no place in it); ``updated`` is the newest article's
    date, so an unchanged archive gives byte-identical feeds."""
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = title
    ET.SubElement(root, "id").text = base_url + page
    ET.SubElement(root, "link", href=base_url + page)
    ET.SubElement(root, "link", rel="self", href=base_url + feed)
    items = [article for article in articles if article.date][:FEED_SIZE]
    newest = max((a.date for a in items if a.date), default=None)
    ET.SubElement(root, "updated").text = timestamp(newest)
    for article in items:
        entry = ET.SubElement(root, "entry")
        link = base_url + url_of(article)
        ET.SubElement(entry, "title").text = article.title
        ET.SubElement(entry, "id").text = link
        ET.SubElement(entry, "link", href=link)
        ET.SubElement(entry, "updated").text = timestamp(article.date)
        for author in article.authors or ():
            person = ET.SubElement(entry, "author")
            ET.SubElement(person, "name").text = author.name
        if not article.authors:
            person = ET.SubElement(entry, "author")
            ET.SubElement(person, "name").text = article.source or title
        summary = article.paragraphs[0] if article.paragraphs else article.title
        ET.SubElement(entry, "summary").text = summary[:300]
        for region in article.regions:
            ET.SubElement(entry, "category", term="/".join(region.names))
        for name in article.initiatives:
            ET.SubElement(entry, "category", term=name)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


SITEMAP_URLS = 25_000  # per sitemap file: the protocol allows 50,000; this keeps each file near 2.5 MB


def sitemap(base_url: str, paths: list[str]) -> bytes:
    root = ET.Element("urlset", xmlns=SITEMAP)
    for path in sorted(paths):
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = base_url + path
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def sitemaps(base_url: str, paths: list[str], per_file: int = SITEMAP_URLS) -> dict[str, bytes]:
    """``sitemap.xml`` itself when the site has few enough pages; otherwise
    an index there and the URLs in ``sitemaps/1.xml``, ``2.xml`` ...
    (the protocol's sitemap index), each at most ``per_file`` URLs."""
    ordered = sorted(paths)
    if len(ordered) <= per_file:
        return {"sitemap.xml": sitemap(base_url, ordered)}
    files = {}
    root = ET.Element("sitemapindex", xmlns=SITEMAP)
    for number, start in enumerate(range(0, len(ordered), per_file), start=1):
        name = f"sitemaps/{number}.xml"
        files[name] = sitemap(base_url, ordered[start : start + per_file])
        ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = base_url + name
    ET.indent(root)
    files["sitemap.xml"] = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    return files


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


def write_feeds(writer: SiteWriter, site: Site, config: SiteConfig, known: dict[str, str]) -> dict[str, str]:
    """Each feed is made again only when what it shows changed (``known``:
    each feed's key as the last build wrote it); the keys of this build."""
    feeds = [(config.title, "index.html", "feed.xml", site.lists)]
    nodes: list[RegionNode | InitiativeNode] = [*site.taxonomy.regions.values(), *site.taxonomy.initiatives.values()]
    for node in nodes:
        feed = term_feed(node, config.feed_min_articles)
        if feed:
            feeds.append((f"{node.name} · {config.title}", node.path, feed, node.articles))
    keys = {}
    memo: dict[str, str] = {}
    for title, page, feed, articles in feeds:
        ordered = by_date(articles) if articles is not site.lists else articles
        keys[feed] = feed_key(title, config.base_url, page, ordered, memo)
        if known.get(feed) == keys[feed] and writer.keep(feed):
            continue
        writer.write(feed, atom_feed(title, config.base_url, page, feed, ordered, article_path))
    return keys
