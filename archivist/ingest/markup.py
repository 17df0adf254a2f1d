"""What a saved page's markup states about its article, apart from its text:
the canonical address and the publication date (meta tags, JSON-LD,
``<time>``, a WeChat page's script), and named meta values."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlsplit

import lxml.html

from archivist.text.extract import parse_date


def canonical_url(tree: lxml.html.HtmlElement) -> str | None:
    """The page's canonical address (``<link rel=canonical>``, else
    ``og:url``), when it is an absolute web address."""
    found = tree.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href")
    found += tree.xpath("//meta[@property='og:url']/@content")
    for url in found:
        url = url.strip()
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
            return url
    return None


DATE_TIME = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
DATE_META = (
    "article:published_time", "og:article:published_time", "publishdate", "pubdate", "publish_date",
    "publishtime", "datepublished", "dc.date.issued", "dc.date",
)  # fmt: skip
# mp.weixin.qq.com pages give their publication time only to a script, as
# seconds since 1970 (shown in China's time).
SCRIPT_TIMESTAMP = re.compile(r"""\bvar\s+ct\s*=\s*["']?(\d{10})\b""")
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
PERSON_NAME = re.compile(r"[\u3400-\u9fff·]{2,12}|[A-Za-z][A-Za-z .'-]{1,40}")


def iso_date(text: str) -> str | None:
    match = DATE_TIME.search(text)
    if not match:
        return parse_date(text)  # 19-05-07: year first, before htmldate reads it day first
    year, month, day, hour, minute, second = match.groups()
    try:
        stamp = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    return stamp.isoformat() if hour else stamp.date().isoformat()


def marked_date(tree: lxml.html.HtmlElement, text: str) -> str | None:
    """The publication date the markup declares (meta tags, ``<time>``)."""
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key in DATE_META and element.get("content"):
            found = iso_date(element.get("content"))
            if found:
                return found
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        found = linked_data_date(script)
        if found:
            return found
    for element in tree.iter("time"):
        found = iso_date(element.get("datetime") or "")
        if found:
            return found
    stamp = SCRIPT_TIMESTAMP.search(text)
    if stamp:
        return dt.datetime.fromtimestamp(int(stamp.group(1)), CHINA_TIME).replace(tzinfo=None).isoformat()
    return None


LINKED_DATA_DATES = ("datePublished", "pubDate", "dateCreated")


def linked_data_date(script: str) -> str | None:
    """A publication date in a page's JSON-LD (schema.org's, or the
    ``pubDate`` Chinese search engines ask for)."""
    try:
        data = json.loads(script)
    except ValueError:
        return None
    pending = [data]
    while pending:
        item = pending.pop(0)
        if isinstance(item, list):
            pending += item
        elif isinstance(item, dict):
            for key in LINKED_DATA_DATES:
                if isinstance(item.get(key), str) and iso_date(item[key]):
                    return iso_date(item[key])
            pending += [value for value in item.values() if isinstance(value, (dict, list))]
    return None


def best_date(shown: str | None, marked: str | None) -> str | None:
    """The date the page shows beside the article, with the markup's time
    when it shows none; else the markup's."""
    if shown:
        if "T" not in shown and marked and marked.startswith(shown) and "T" in marked:
            return marked
        return shown
    return marked


def guessed_date(tree: lxml.html.HtmlElement) -> str | None:
    """htmldate's reading of the markup (not of the text: a search of the
    text guesses from copyright years and link paths)."""
    import htmldate  # as trafilatura: loaded only when a page needs it

    found = htmldate.find_date(tree, extensive_search=False, original_date=True)
    return found or None


def meta_content(tree: lxml.html.HtmlElement, *names: str) -> str | None:
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or "").lower()
        if key in names and (element.get("content") or "").strip():
            return element.get("content").strip()
    return None
