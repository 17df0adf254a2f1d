"""The archive as data, written with every build into ``data/``: one row per
article as CSV (for a spreadsheet) and JSON Lines (with the text), a SQLite
database with full-text search (``database``) and Datasette's metadata for it.
One list of columns describes them all, and the download page too."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import regex

from archivist.config import SiteConfig
from archivist.model import Article
from archivist.output.database import ArchiveDatabase, keep_if_same
from archivist.output.write import SiteWriter
from archivist.site.datafiles import (
    COLUMNS,
    CSV_FILE,
    DATABASE_FILE,
    JSONL_FILE,
    LIST_SEPARATOR,
    METADATA_FILE,
    TEXT_COLUMN,
)
from archivist.site.pages import Site
from archivist.state.keys import corpus_key
from archivist.text.script import to_traditional

# The version of the exports (the build state keeps what this stage made per version).
VERSION = 1

# What a word count counts: each Han character, and each run of other letters or digits.
NOT_HAN = regex.compile(r"\P{Han}+")
WORDS = regex.compile(r"[\p{L}\p{N}--\p{Han}]+", flags=regex.V1)


def word_count(text: str) -> int:
    return len(NOT_HAN.sub("", text)) + len(WORDS.findall(text))


def article_text(article: Article) -> str:
    return "\n\n".join(block.text for block in article.blocks if block.kind in ("h", "p") and block.text)


def region_path(names: Iterable[str]) -> str:
    return " > ".join(names)


@dataclass(frozen=True)
class Record:
    """One article as the exports show it: its row (lists kept as lists)
    and its text."""

    row: dict[str, Any]
    text: str

    def flat(self) -> dict[str, Any]:
        """The row with each list joined into one cell."""
        return {
            name: LIST_SEPARATOR.join(value) if isinstance(value, list) else value for name, value in self.row.items()
        }

    def values(self) -> tuple[Any, ...]:
        flat = self.flat()
        return tuple(flat[column.name] for column in COLUMNS)

    def digest(self) -> str:
        data = json.dumps([self.row, self.text], ensure_ascii=False, sort_keys=True)
        return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


def record_of(article: Article, config: SiteConfig, group: str | None) -> Record:
    text = article_text(article)
    row = {
        "slug": article.slug,
        "url": config.base_url + article.page_path,
        "title": article.title,
        "title_hant": to_traditional(article.title, config.traditional),
        "date": article.date,
        "year": int(article.year) if article.year and article.year.isdigit() else None,
        "source": article.source,
        "authors": [f"{author.role}:{author.name}" if author.role else author.name for author in article.authors],
        "editor": article.editor,
        "channel": article.channel,
        "region_codes": [region.codes[-1] for region in article.regions],
        "region_names": [region_path(region.names) for region in article.regions],
        "initiatives": list(article.initiatives),
        "slogans": list(article.slogans),
        "word_count": word_count(article.title + "\n" + text),
        "original_url": article.url,
        "reprint_group": group,
        "script": article.script,
    }
    return Record(row, text)


def json_line(record: Record, article: Article) -> str:
    row = {
        **record.row,
        "authors": [{"name": author.name, "role": author.role} for author in article.authors],
        "regions": [{"codes": list(r.codes), "names": list(r.names)} for r in article.regions],
        "text": record.text,
    }
    return json.dumps(row, ensure_ascii=False) + "\n"


def datasette_metadata(config: SiteConfig) -> dict[str, Any]:
    """What ``datasette data/`` shows: titles, descriptions, facets, and
    which table searches ``articles``."""
    columns = {column.name: column.description for column in (*COLUMNS, TEXT_COLUMN)}
    return {
        "title": config.title,
        "description": config.description,
        "source": config.title,
        "source_url": config.base_url,
        "databases": {
            "archive": {
                "title": f"{config.title}（数据）",
                "tables": {
                    "articles": {
                        "title": "文章",
                        "description": "每篇文章一行；搜索框查 articles_fts（标题和正文，三字以上的词）。",
                        "label_column": "title",
                        "sort_desc": "date",
                        "facets": ["year", "source", "channel", "script"],
                        "fts_table": "articles_fts",
                        "fts_pk": "rowid",
                        "columns": columns,
                    },
                    "authors": {"title": "作者", "facets": ["role"]},
                    "regions": {"title": "地区", "description": "报道涉及的行政区划及其上级", "facets": ["level"]},
                    "article_regions": {"title": "文章的地区", "description": "每篇文章及其各级地区"},
                    "initiatives": {"title": "工作与项目", "label_column": "name"},
                    "article_initiatives": {"title": "文章报道的工作与项目"},
                    "slogans": {"title": "提法与口号", "label_column": "slogan", "facets": ["kind"]},
                    "slogan_uses": {"title": "提法的用例", "description": "每篇文章用到的每个提法，附发布日期"},
                    "reprint_groups": {"title": "同文转载组", "description": "组内每篇文章，首发者 is_original 为 1"},
                    "export_rows": {"hidden": True},
                },
            }
        },
    }


def exports_key(site: Site, config: SiteConfig, groups: Mapping[str, str]) -> str:
    """Everything the exports are made from: what the search files are made
    from (``corpus_key``), with the reprint groups, the slogans' meanings and
    the description."""
    articles = corpus_key(site.ordered, config)
    meanings = sorted((entry.slogan, entry.kind, entry.meaning) for entry in site.glossary.entries.values())
    extra = (sorted(groups.items()), config.description)
    return hashlib.sha256(repr((VERSION, articles, meanings, extra)).encode()).hexdigest()


def write_exports(writer: SiteWriter, site: Site, config: SiteConfig, groups: Mapping[str, str]) -> None:
    """The files of ``DATA_FILES``, written as the articles go by (an
    archive's text is not held twice); the database is brought up to date
    row by row.  ``groups``: each reprinted article's group (its original's slug)."""
    ordered = site.ordered  # newest first
    table, lines = writer.staged(CSV_FILE), writer.staged(JSONL_FILE)
    database = ArchiveDatabase(writer, DATABASE_FILE)
    try:
        # The BOM (utf-8-sig) tells Excel the file is UTF-8; csv, pandas and R read past it.
        with table.open("w", encoding="utf-8-sig", newline="") as csv_file, lines.open("w", encoding="utf-8") as jsonl:
            rows = csv.DictWriter(csv_file, fieldnames=[column.name for column in COLUMNS], lineterminator="\r\n")
            rows.writeheader()
            for article in ordered:
                group = groups.get(article.slug)
                record = record_of(article, config, group)
                rows.writerow(record.flat())
                jsonl.write(json_line(record, article))
                database.add(record, article, group)
    except BaseException:
        database.close()
        raise
    database.finish(ordered, site.glossary.entries)
    keep_if_same(writer, CSV_FILE, table)
    keep_if_same(writer, JSONL_FILE, lines)
    metadata = json.dumps(datasette_metadata(config), ensure_ascii=False, indent=2) + "\n"
    writer.write(METADATA_FILE, metadata)
