"""``data/archive.db``: the archive as a SQLite database a researcher can
query — articles with their text, places, programmes, slogans and reprint
groups, and a full-text table that finds Chinese words.

Made incrementally: the last build's database is copied into the build's
staging folder and only the rows of articles that changed are replaced
(``export_rows`` keeps each row's digest).  The full-text table is FTS5's
``trigram`` tokenizer (any three characters; shorter words are found with
``LIKE`` over ``articles``) over the text folded to Simplified, so a query in
Simplified finds articles written in either script.  It is kept in step with
``articles`` here, not by triggers: a new or mostly new database is indexed
in one ``rebuild`` (twice as fast as row by row), an edit row by row."""

from __future__ import annotations

import filecmp
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from archivist.model import Article
from archivist.output.write import SiteWriter
from archivist.site.entries import Entry


class Record(Protocol):
    """An article's row as the exports make it (``exports.Record``)."""

    @property
    def row(self) -> dict[str, Any]: ...

    @property
    def text(self) -> str: ...

    def values(self) -> tuple[Any, ...]: ...

    def digest(self) -> str: ...


SCHEMA_VERSION = "2"
LIST_COLUMNS = ("authors", "region_codes", "region_names", "initiatives", "slogans")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE articles (
    slug TEXT PRIMARY KEY, url TEXT, title TEXT, title_hant TEXT, date TEXT, year INTEGER,
    source TEXT, authors TEXT, editor TEXT, channel TEXT, region_codes TEXT, region_names TEXT,
    initiatives TEXT, slogans TEXT, word_count INTEGER, original_url TEXT, reprint_group TEXT,
    script TEXT, text TEXT
);
CREATE INDEX articles_date ON articles (date);
CREATE INDEX articles_source ON articles (source);
CREATE TABLE authors (article TEXT REFERENCES articles (slug), name TEXT, role TEXT);
CREATE INDEX authors_article ON authors (article);
CREATE INDEX authors_name ON authors (name);
CREATE TABLE regions (code TEXT PRIMARY KEY, name TEXT, level INTEGER, parent TEXT REFERENCES regions (code));
CREATE TABLE article_regions (
    article TEXT REFERENCES articles (slug), region TEXT REFERENCES regions (code), PRIMARY KEY (article, region)
);
CREATE INDEX article_regions_region ON article_regions (region);
CREATE TABLE initiatives (name TEXT PRIMARY KEY, articles INTEGER);
CREATE TABLE article_initiatives (
    article TEXT REFERENCES articles (slug), initiative TEXT REFERENCES initiatives (name),
    PRIMARY KEY (article, initiative)
);
CREATE INDEX article_initiatives_initiative ON article_initiatives (initiative);
CREATE TABLE slogans (slogan TEXT PRIMARY KEY, kind TEXT, meaning TEXT, articles INTEGER);
CREATE TABLE slogan_uses (
    article TEXT REFERENCES articles (slug), slogan TEXT REFERENCES slogans (slogan), date TEXT,
    PRIMARY KEY (article, slogan)
);
CREATE INDEX slogan_uses_slogan ON slogan_uses (slogan, date);
CREATE TABLE reprint_groups (
    article TEXT PRIMARY KEY REFERENCES articles (slug), original TEXT REFERENCES articles (slug), is_original INTEGER
);
CREATE INDEX reprint_groups_original ON reprint_groups (original);
CREATE TABLE export_rows (slug TEXT PRIMARY KEY, digest TEXT);
CREATE VIRTUAL TABLE articles_fts USING fts5 (title, text, content="articles", tokenize="trigram");
"""
PER_ARTICLE = ("articles", "authors", "article_regions", "article_initiatives", "slogan_uses", "reprint_groups")


def opened(path: Path) -> sqlite3.Connection:
    """The last build's database at ``path`` when it is one of this schema;
    else a new one in its place."""
    if path.exists():
        try:
            connection = connected(path)
            found = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found == (SCHEMA_VERSION,):
                return connection
            connection.close()
        except sqlite3.DatabaseError:
            pass  # not a database of ours (or damaged): made again
        path.unlink()
    connection = connected(path)
    connection.executescript(SCHEMA)
    connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    connection.commit()
    return connection


def connected(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    # A copy in the staging folder: a build that stops leaves it to be thrown
    # away, so neither a journal nor a sync buys anything.
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    # The last build's copy is read from the published folder, which others
    # may have touched: its schema may not call functions with side effects.
    connection.execute("PRAGMA trusted_schema = OFF")
    return connection


def article_rows(record: Record, article: Article, group: str | None) -> dict[str, list[tuple]]:
    """The rows one article contributes to each per-article table."""
    slug = article.slug
    regions = sorted({code for region in article.regions for code in region.codes})
    return {
        "articles": [(*record.values(), record.text)],
        "authors": [(slug, author.name, author.role) for author in article.authors],
        "article_regions": [(slug, code) for code in regions],
        "article_initiatives": [(slug, name) for name in dict.fromkeys(article.initiatives)],
        "slogan_uses": [(slug, slogan, article.date) for slogan in dict.fromkeys(article.slogans)],
        "reprint_groups": [(slug, group, int(group == slug))] if group else [],
    }


def placeholders(count: int) -> str:
    return ", ".join("?" * count)


def insert_article(
    connection: sqlite3.Connection, record: Record, digest: str, article: Article, group: str | None
) -> None:
    for table, rows in article_rows(record, article, group).items():
        if rows:
            connection.executemany(f"INSERT INTO {table} VALUES ({placeholders(len(rows[0]))})", rows)
    connection.execute("INSERT INTO export_rows VALUES (?, ?)", (article.slug, digest))


def remove_articles(connection: sqlite3.Connection, slugs: Sequence[str]) -> None:
    connection.executemany(
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) "
        "SELECT 'delete', rowid, title, text FROM articles WHERE slug = ?",
        ((slug,) for slug in slugs),
    )
    for table in PER_ARTICLE:
        key = "slug" if table == "articles" else "article"
        connection.executemany(f"DELETE FROM {table} WHERE {key} = ?", ((slug,) for slug in slugs))
    connection.executemany("DELETE FROM export_rows WHERE slug = ?", ((slug,) for slug in slugs))


def site_tables(articles: Sequence[Article], entries: Mapping[str, Entry]) -> dict[str, list[tuple[Any, ...]]]:
    """The small tables of the whole archive: made again each time."""
    units: dict[str, tuple[str, int, str | None]] = {}
    initiatives: dict[str, int] = {}
    slogans: dict[str, int] = {}
    for article in articles:
        for region in article.regions:
            for depth, (code, name) in enumerate(zip(region.codes, region.names, strict=True)):
                units.setdefault(code, (name, depth + 1, region.codes[depth - 1] if depth else None))
        for name in dict.fromkeys(article.initiatives):
            initiatives[name] = initiatives.get(name, 0) + 1
        for slogan in dict.fromkeys(article.slogans):
            slogans[slogan] = slogans.get(slogan, 0) + 1
    meanings = {entry.slogan: entry for entry in entries.values()}
    return {
        "regions": [(code, *units[code]) for code in sorted(units)],
        "initiatives": sorted(initiatives.items()),
        "slogans": [
            (slogan, meanings[slogan].kind if slogan in meanings else None,
             meanings[slogan].meaning or None if slogan in meanings else None, count)
            for slogan, count in sorted(slogans.items())
        ],
    }  # fmt: skip


def keep_if_same(writer: SiteWriter, relpath: str, staged: Path) -> None:
    """A staged file with the bytes the output already has is not moved."""
    if writer.has(relpath) and filecmp.cmp(staged, writer.output / relpath, shallow=False):
        writer.keep(relpath)


class ArchiveDatabase:
    """The database, brought up to date one article at a time (``add``, in
    the site's order) and then ``finish``-ed: rows whose digest is the last
    build's are left as they are."""

    def __init__(self, writer: SiteWriter, relpath: str) -> None:
        self.writer = writer
        self.relpath = relpath
        self.path = writer.staged(relpath, previous=True)
        self.connection = opened(self.path)
        self.stored = dict(self.connection.execute("SELECT slug, digest FROM export_rows"))
        self.seen: set[str] = set()
        self.changed: list[str] = []

    def add(self, record: Record, article: Article, group: str | None) -> None:
        self.seen.add(article.slug)
        digest = record.digest()
        if self.stored.get(article.slug) == digest:
            return
        if article.slug in self.stored:
            remove_articles(self.connection, [article.slug])
        insert_article(self.connection, record, digest, article, group)
        self.changed.append(article.slug)

    def finish(self, articles: Sequence[Article], entries: Mapping[str, Entry]) -> None:
        connection = self.connection
        gone = sorted(set(self.stored) - self.seen)
        remove_articles(connection, gone)
        kept = len(self.seen) - len(self.changed)
        if len(self.changed) > kept:  # mostly new: index the whole table at once
            connection.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        else:
            connection.executemany(
                "INSERT INTO articles_fts (rowid, title, text) SELECT rowid, title, text FROM articles WHERE slug = ?",
                ((slug,) for slug in self.changed),
            )
        for table, rows in site_tables(articles, entries).items():
            if connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == rows:
                continue  # rewritten, the same rows would still change the file's bytes
            connection.execute(f"DELETE FROM {table}")
            if rows:
                connection.executemany(f"INSERT INTO {table} VALUES ({placeholders(len(rows[0]))})", rows)
        connection.commit()
        self.close()
        keep_if_same(self.writer, self.relpath, self.path)

    def close(self) -> None:
        self.connection.close()
