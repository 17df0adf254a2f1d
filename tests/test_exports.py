"""The archive as data: data/ holds CSV, JSON Lines and a SQLite database
whose full-text table finds a phrase in either script; a real Datasette
serves it; an edit replaces only its article's rows."""

from __future__ import annotations

import csv
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from archivist.site.datafiles import COLUMNS
from tests.conftest import SEEDS, run_cli

PHRASE_SIMPLIFIED = "乡村振兴"
HANS = "新华社讯\n\n{title}\n\n2024-03-0{day} 10:00 来源：{source}\n\n{body}\n"


def article(title: str, body: str, day: int = 1, source: str = "人民网") -> str:
    return HANS.format(title=title, body=body, day=day, source=source)


PARAGRAPH = "本县组织党员干部深入田间地头，帮助群众解决生产生活中的实际困难，推动各项工作落到实处。"
FILES = {
    "hans-phrase.txt": article("某县全面推进乡村振兴", f"{PARAGRAPH}全面推进乡村振兴取得新成效。" * 3, 1),
    # Traditional script: folded, it holds the phrase too.
    "hant-phrase.txt": article(
        "某縣推進鄉村振興紀實",
        "本縣組織黨員幹部深入田間地頭，幫助群眾解決實際困難。鄉村振興戰略實施以來，農民收入持續增長。" * 3,
        2,
        "台灣新生報",
    ),
    "without.txt": article("某市召开党建工作会议", PARAGRAPH * 4, 3, "光明网"),
}


def project(tmp_path: Path, settings: str = "", files: dict[str, str] = FILES) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    config = tmp_path / "site.toml"
    config.write_text(f'[paths]\ncontent = "content"\noutput = "site"\n{settings}', encoding="utf-8")
    return config


def build(config: Path) -> int:
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split("Built ")[1].split(" articles")[0])


def test_every_export_has_one_row_per_article_built(tmp_path):
    config = project(tmp_path, files={**FILES, **{p.name: p.read_text(encoding="utf-8") for p in SEEDS}})
    built = build(config)
    data = tmp_path / "site" / "data"
    with (data / "articles.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    lines = (data / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    with sqlite3.connect(data / "archive.db") as db:
        (in_db,) = db.execute("SELECT count(*) FROM articles").fetchone()
        (in_fts,) = db.execute("SELECT count(*) FROM articles_fts").fetchone()
    assert built == len(FILES) + len(SEEDS) == len(rows) == len(lines) == in_db == in_fts
    assert list(rows[0]) == [column.name for column in COLUMNS]
    records = [json.loads(line) for line in lines]
    assert all(record["text"] and record["title"] for record in records)
    by_slug = {record["slug"]: record for record in records}
    assert {row["slug"] for row in rows} == set(by_slug)
    # Lists: joined in a CSV cell, arrays in JSON Lines.
    row = next(row for row in rows if ";" in row["authors"])
    assert row["authors"].split("; ") == [
        f"{author['role']}:{author['name']}" if author["role"] else author["name"]
        for author in by_slug[row["slug"]]["authors"]
    ]
    traditional = next(record for record in records if record["source"] == "台湾新生报")
    assert traditional["script"] == "zh-Hant" and traditional["title"] == "某县推进乡村振兴纪实"
    assert traditional["title_hant"] == "某縣推進鄉村振興紀實"


def test_the_full_text_table_finds_a_phrase_written_in_either_script(tmp_path):
    build(project(tmp_path))
    database = tmp_path / "site" / "data" / "archive.db"
    query = f"select count(*) from articles_fts where articles_fts match '{PHRASE_SIMPLIFIED}'"
    with sqlite3.connect(database) as db:
        assert db.execute(query).fetchone() == (2,)
        titles = {title for (title,) in db.execute(
            "select articles.title from articles_fts join articles on articles.rowid = articles_fts.rowid "
            "where articles_fts match ?", (PHRASE_SIMPLIFIED,))}  # fmt: skip
        assert titles == {"某县全面推进乡村振兴", "某县推进乡村振兴纪实"}
        # Two-character words are below a trigram: LIKE over the articles table finds them.
        assert db.execute("select count(*) from articles where title like '%党建%'").fetchone() == (1,)
    if shutil.which("sqlite3"):  # the command a researcher types
        result = subprocess.run(["sqlite3", str(database), query], capture_output=True, text=True, check=True)
        assert result.stdout.strip() == "2"


def test_the_database_has_places_programmes_and_slogans_with_their_articles(tmp_path):
    build(project(tmp_path, files={p.name: p.read_text(encoding="utf-8") for p in SEEDS}))
    with sqlite3.connect(tmp_path / "site" / "data" / "archive.db") as db:
        # Every place an article names, with the places above it.
        counties = db.execute("select code, name, parent from regions where level = 3").fetchall()
        assert counties and all(parent for _, _, parent in counties)
        (orphans,) = db.execute(
            "select count(*) from article_regions where region not in (select code from regions)"
        ).fetchone()
        assert orphans == 0
        guangxi = db.execute(
            "select count(distinct article) from article_regions join regions on code = region "
            "where name = '广西壮族自治区'"
        ).fetchone()[0]
        assert (
            guangxi
            == db.execute("select count(*) from articles where region_names like '%广西壮族自治区%'").fetchone()[0]
            > 0
        )
        uses = db.execute("select slogan, count(*) from slogan_uses group by slogan").fetchall()
        assert uses and all(
            db.execute("select articles from slogans where slogan = ?", (slogan,)).fetchone() == (count,)
            for slogan, count in uses
        )
        assert db.execute("select count(*) from authors").fetchone()[0] > 0


def test_an_edit_replaces_only_its_own_rows_and_a_removal_leaves_no_trace(tmp_path):
    config = project(tmp_path)
    build(config)
    database = tmp_path / "site" / "data" / "archive.db"

    def rows() -> dict[str, tuple]:
        with sqlite3.connect(database) as db:
            return {
                slug: (rowid, title) for rowid, slug, title in db.execute("select rowid, slug, title from articles")
            }

    before = rows()
    (tmp_path / "content" / "without.txt").write_text(
        article("某市召开党建工作推进会", PARAGRAPH * 4, 3), encoding="utf-8"
    )
    (tmp_path / "content" / "hant-phrase.txt").unlink()
    build(config)
    after = rows()
    kept = next(slug for slug, (_, title) in before.items() if title == "某县全面推进乡村振兴")
    assert after[kept] == before[kept]  # untouched: the same row
    assert "某市召开党建工作推进会" in {title for _, title in after.values()} and len(after) == 2
    with sqlite3.connect(database) as db:
        assert db.execute(
            f"select count(*) from articles_fts where articles_fts match '{PHRASE_SIMPLIFIED}'"
        ).fetchone() == (1,)
        assert db.execute("select count(*) from articles_fts where articles_fts match '推进会'").fetchone() == (1,)
        assert db.execute(
            "select count(*) from authors where article not in (select slug from articles)"
        ).fetchone() == (0,)
        assert db.execute("select count(*) from export_rows").fetchone() == (2,)


def test_a_damaged_database_in_the_output_is_made_again(tmp_path):
    config = project(tmp_path)
    build(config)
    database = tmp_path / "site" / "data" / "archive.db"
    database.write_bytes(b"not a database")
    (tmp_path / "content" / "without.txt").write_text(article("另一篇", PARAGRAPH * 3, 4), encoding="utf-8")
    build(config)
    with sqlite3.connect(database) as db:
        assert db.execute("select count(*) from articles").fetchone() == (3,)


def test_exports_are_listed_in_the_footer_and_the_sitemap_only_as_set(tmp_path):
    build(project(tmp_path))
    site = tmp_path / "site"
    assert 'href="data.html">数据下载</a>' in (site / "index.html").read_text(encoding="utf-8")
    assert 'data.html">數據下載</a>' in (site / "zh-hant" / "index.html").read_text(encoding="utf-8")
    assert 'href="../data/archive.db"' in (site / "zh-hant" / "data.html").read_text(encoding="utf-8")
    page = (site / "data.html").read_text(encoding="utf-8")
    assert all(f"<code>{column.name}</code>" in page for column in COLUMNS)
    assert 'href="data/archive.db"' in page
    assert "data/articles.csv" not in (site / "sitemap.xml").read_text(encoding="utf-8")

    crawled = tmp_path / "crawled"
    crawled.mkdir()
    build(project(crawled, "[build]\nexports_in_sitemap = true\n"))
    assert "https://example.org/data/articles.csv" in (crawled / "site" / "sitemap.xml").read_text(encoding="utf-8")


def test_turning_exports_off_removes_the_files_their_page_and_link(tmp_path):
    config = project(tmp_path)
    build(config)
    config.write_text(config.read_text(encoding="utf-8") + "[build]\nexports = false\n", encoding="utf-8")
    build(config)
    site = tmp_path / "site"
    assert not (site / "data").exists() and not (site / "data.html").exists()
    assert "数据下载" not in (site / "index.html").read_text(encoding="utf-8")


def test_a_bad_exports_setting_is_refused_with_its_name(tmp_path):
    result = run_cli("--config", str(project(tmp_path, '[build]\nexports = "yes"\n')), "build")
    assert result.returncode == 2 and "[build] exports must be bool" in result.stderr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(shutil.which("datasette", path=str(Path(sys.executable).parent)) is None, reason="no Datasette")
def test_datasette_serves_the_database_with_its_metadata_and_search(tmp_path):
    build(project(tmp_path))
    port = free_port()
    # Configuration-directory mode: the folder's metadata.json is read with its database.
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", str(tmp_path / "site" / "data"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> dict | list:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return json.loads(response.read())

    try:
        for _ in range(100):
            try:
                metadata = get("/-/metadata.json")
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(
                f"Datasette did not start: {server.stderr.read().decode() if server.poll() is not None else ''}"
            )
        assert metadata["databases"]["archive"]["tables"]["articles"]["fts_table"] == "articles_fts"
        assert metadata["title"] == "乡村振兴与基层党建文章档案"
        found = get("/archive/articles.json?_shape=array&_search=" + urllib.parse.quote(PHRASE_SIMPLIFIED))
        assert sorted(row["title"] for row in found) == ["某县全面推进乡村振兴", "某县推进乡村振兴纪实"]
        facets = get("/archive/articles.json?_facet=source")
        assert {item["value"] for item in facets["facet_results"]["source"]["results"]} == {
            "人民网",
            "台湾新生报",
            "光明网",
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_word_count_counts_each_han_character_and_each_run_of_other_letters_or_digits():
    from archivist.output.exports import word_count

    assert word_count("A股市场2024年，GDP增长") == len("股市场年增长") + len(["A", "2024", "GDP"])
    assert word_count("黨建 引领 ") == 4


def test_the_exports_name_each_reprints_group_by_its_original(tmp_path):
    from tests.test_reprints import REPORT, scrape

    files = {
        "report.txt": scrape("政府工作报告", "2024-03-05 10:00", "新华社", REPORT),
        "report-copy.txt": scrape("政府工作报告全文", "2024-03-06 08:00", "甲报", REPORT[:-1]),
        "alone.txt": FILES["without.txt"],
    }
    build(project(tmp_path, files=files))
    data = tmp_path / "site" / "data"
    with (data / "articles.csv").open(encoding="utf-8-sig", newline="") as handle:
        groups = {row["source"]: row["reprint_group"] for row in csv.DictReader(handle)}
    assert groups["新华社"] == groups["甲报"] == "2024-03-05-zhengfugongzuobaogao" and groups["光明网"] == ""
    with sqlite3.connect(data / "archive.db") as db:
        rows = db.execute(
            "select articles.source, original, is_original from reprint_groups "
            "join articles on slug = article order by is_original desc"
        ).fetchall()
    assert rows == [("新华社", "2024-03-05-zhengfugongzuobaogao", 1), ("甲报", "2024-03-05-zhengfugongzuobaogao", 0)]
