"""What the data exports hold, file by file and column by column: one
description for the files themselves (``output.exports``), Datasette's
metadata and the download page."""

from __future__ import annotations

from dataclasses import dataclass

FOLDER = "data"
CSV_FILE = f"{FOLDER}/articles.csv"
JSONL_FILE = f"{FOLDER}/articles.jsonl"
DATABASE_FILE = f"{FOLDER}/archive.db"
METADATA_FILE = f"{FOLDER}/metadata.json"
LIST_SEPARATOR = "; "  # between the values of a list in one CSV cell


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    kind: str = "TEXT"  # its SQLite type


COLUMNS = (
    Column("slug", "文章的标识，也是页面文件名"),
    Column("url", "文章在本站的地址"),
    Column("title", "标题（简体）"),
    Column("title_hant", "标题（繁体）"),
    Column("date", "发布日期（ISO 8601，北京时间）"),
    Column("year", "年份", "INTEGER"),
    Column("source", "来源（媒体或网站）"),
    Column("authors", "作者及其身份，如“本报记者:张三”，多人以“; ”分隔"),
    Column("editor", "责任编辑"),
    Column("channel", "栏目"),
    Column("region_codes", "报道地区的行政区划代码（最细一级），多个以“; ”分隔"),
    Column("region_names", "报道地区（省 > 市 > 县），多个以“; ”分隔"),
    Column("initiatives", "报道的工作或项目，多个以“; ”分隔"),
    Column("slogans", "文中的提法和口号，多个以“; ”分隔"),
    Column("word_count", "字数（汉字各计一字，字母或数字连续计一词）", "INTEGER"),
    Column("original_url", "原文网址（网页原件注明时）"),
    Column("reprint_group", "同文转载组：组内首发文章的标识；未见转载时为空"),
    Column("script", "原件的字体：zh-Hans 简体，zh-Hant 繁体"),
)
TEXT_COLUMN = Column("text", "正文（简体，段落以空行分隔）")


@dataclass(frozen=True)
class ExportFile:
    path: str
    title: str
    description: str


DATA_FILES = (
    ExportFile(CSV_FILE, "文章表（CSV）", "每篇文章一行，UTF-8 编码（带 BOM，Excel 可直接打开），不含正文。"),
    ExportFile(JSONL_FILE, "文章表（JSON Lines）", "每行一篇文章的 JSON 对象，含正文；列表字段为数组。"),
    ExportFile(
        DATABASE_FILE,
        "SQLite 数据库",
        "articles 表（含正文）、地区、工作项目、提法及其用例、同文转载组；"
        "articles_fts 全文索引（三字组分词，繁简统一为简体）。"
        "可用 sqlite3 查询，或以 datasette data/ 浏览。",
    ),
    ExportFile(METADATA_FILE, "Datasette 元数据", "数据库各表与各列的说明和常用分面，datasette 读取。"),
)
