"""How an article page says to cite it: JSON-LD, meta tags, GB/T 7714, RIS, BibTeX."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import lxml.html
import pytest

from archivist.render.citations import Citation, bibtex, citation_of, converted, gbt7714, json_ld, ris, script_json
from archivist.text.script import to_traditional

from .conftest import SEEDS, run_cli, write_site_toml

BASE = "https://example.org/site/"  # the sample site's base_url (conftest's built_site)

# Properties schema.org lists for https://schema.org/NewsArticle (its own,
# and those it has from Article, CreativeWork and Thing): the ones an
# article page may state.  Types of the values, from https://schema.org/Person,
# /Organization and /WebPage (Thing's properties, and Person's jobTitle).
NEWS_ARTICLE_PROPERTIES = {
    # NewsArticle
    "dateline", "printColumn", "printEdition", "printPage", "printSection",
    # Article
    "articleBody", "articleSection", "backstory", "pageEnd", "pageStart", "pagination", "speakable", "wordCount",
    # CreativeWork
    "about", "abstract", "alternativeHeadline", "author", "citation", "contentLocation", "contributor",
    "copyrightHolder", "copyrightYear", "creator", "dateCreated", "dateModified", "datePublished", "editor",
    "genre", "hasPart", "headline", "inLanguage", "isAccessibleForFree", "isBasedOn", "isPartOf", "keywords",
    "license", "locationCreated", "mentions", "position", "publisher", "sourceOrganization", "spatialCoverage",
    "temporalCoverage", "text", "thumbnailUrl", "translator", "version",
    # Thing
    "additionalType", "alternateName", "description", "identifier", "image", "mainEntityOfPage", "name",
    "sameAs", "subjectOf", "url",
}  # fmt: skip
THING_PROPERTIES = {"additionalType", "alternateName", "description", "identifier", "image", "name", "sameAs", "url"}
NESTED_PROPERTIES = {
    "Person": THING_PROPERTIES | {"jobTitle", "affiliation", "worksFor"},
    "Organization": THING_PROPERTIES | {"logo"},
    "WebPage": THING_PROPERTIES,
}
HEADLINE_LIMIT = 110  # Google's Article guidelines (of old; a longer one may be cut in results)

HOSTILE_TITLE = "</script><script>alert(1)</script>"


def article_pages(site: Path) -> list[Path]:
    pages = sorted((site / "articles").rglob("*.html")) + sorted((site / "zh-hant" / "articles").rglob("*.html"))
    assert pages
    return pages


def head_of(page: Path) -> tuple[dict, list[tuple[str, str]]]:
    """A page's JSON-LD (exactly one) and its named meta tags, in order."""
    tree = lxml.html.parse(str(page)).getroot()
    scripts = tree.xpath("//head/script[@type='application/ld+json']")
    assert len(scripts) == 1, page
    metas = [(meta.get("name"), meta.get("content")) for meta in tree.xpath("//head/meta[@name]")]
    return json.loads(scripts[0].text), metas


def page_url(site: Path, page: Path) -> str:
    return BASE + page.relative_to(site).as_posix()


def script_of(site: Path, page: Path) -> str:
    return "zh-Hant" if page.relative_to(site).parts[0] == "zh-hant" else "zh-Hans"


def test_every_article_page_states_a_schema_org_news_article(built_site):
    for page in article_pages(built_site):
        data, _ = head_of(page)
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert set(data) - {"@context", "@type"} <= NEWS_ARTICLE_PROPERTIES, page
        for value in data.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    assert set(item) - {"@type", "@id"} <= NESTED_PROPERTIES[item["@type"]], (page, item)
        assert 0 < len(data["headline"]) <= HEADLINE_LIMIT
        assert data["url"] == data["mainEntityOfPage"]["@id"] == page_url(built_site, page)
        assert data["inLanguage"] == script_of(built_site, page)
        if "datePublished" in data:
            datetime.fromisoformat(data["datePublished"])  # ISO 8601, or ValueError


def test_news_article_names_authors_editor_and_source_of_the_article(built_site):
    data, _ = head_of(built_site / "articles/2023/2023-10-20-haibianshandangqihong.html")
    assert data["author"] == [
        {"@type": "Person", "name": "倪敏", "jobTitle": "本报记者"},
        {"@type": "Person", "name": "刘荣精", "jobTitle": "通讯员"},
        {"@type": "Person", "name": "黄莉", "jobTitle": "通讯员"},
    ]
    assert data["editor"] == {"@type": "Person", "name": "尹丹丹"}
    assert data["publisher"] == data["sourceOrganization"] == {"@type": "Organization", "name": "乡村干部报"}
    assert data["datePublished"] == "2023-10-20T09:53:00"


def test_an_undated_article_states_no_publication_date(built_site):
    undated = sorted((built_site / "articles" / "undated").glob("*.html"))
    assert undated
    for page in undated:
        data, metas = head_of(page)
        assert "datePublished" not in data
        assert not [name for name, _ in metas if name in ("citation_publication_date", "citation_date", "DC.date")]


def test_citation_meta_agrees_with_the_json_ld(built_site):
    for page in article_pages(built_site):
        data, metas = head_of(page)
        values: dict[str, list[str]] = {}
        for name, content in metas:
            values.setdefault(name, []).append(content)
        authors = [person["name"] for person in data.get("author", [])]
        assert values["citation_title"] == values["DC.title"] == [data["name"]]
        assert values.get("citation_author", []) == values.get("DC.creator", []) == authors
        assert values["citation_language"] == values["DC.language"] == [data["inLanguage"]]
        assert values["citation_fulltext_html_url"] == values["DC.identifier"] == [data["url"]]
        assert values["citation_public_url"] == [data.get("isBasedOn", data["url"])]
        if "datePublished" in data:
            day = data["datePublished"][:10]
            assert values["citation_publication_date"] == values["citation_date"] == [day.replace("-", "/")]
            assert values["DC.date"] == [day]
        if "publisher" in data:
            assert values["citation_journal_title"] == values["DC.publisher"] == [data["publisher"]["name"]]


def test_gbt7714_reference_of_a_known_article(built_site):
    page = built_site / "articles/2023/2023-10-20-haibianshandangqihong.html"
    tree = lxml.html.parse(str(page)).getroot()
    section = tree.xpath("//section[@aria-labelledby='cite-title']")[0]
    assert section.xpath("string(.//h2[@id='cite-title'])") == "引用"
    assert section.xpath("string(.//p[@class='reference'])") == (
        "倪敏, 刘荣精, 黄莉. “海边山党旗红” 固边富民筑堡垒 —— 访广西防城港市防城区委常委、组织部部长甘英喜[N/OL]. "
        "乡村干部报, 2023-10-20. https://example.org/site/articles/2023/2023-10-20-haibianshandangqihong.html."
    )
    assert section.xpath(".//a/@href") == [
        "2023-10-20-haibianshandangqihong.ris",
        "2023-10-20-haibianshandangqihong.bib",
    ]


def test_traditional_page_cites_in_traditional_with_its_own_files(built_site):
    page = built_site / "zh-hant/articles/2023/2023-10-20-haibianshandangqihong.html"
    tree = lxml.html.parse(str(page)).getroot()
    reference = tree.xpath("string(//p[@class='reference'])")
    assert reference.startswith("倪敏, 劉榮精, 黃莉. “海邊山黨旗紅”")
    assert "鄉村幹部報, 2023-10-20. https://example.org/site/zh-hant/articles/2023/" in reference
    for href in tree.xpath("//section[@class='cite']//a/@href"):
        assert (page.parent / href).is_file()
    assert "TI  - “海邊山黨旗紅”" in (page.parent / "2023-10-20-haibianshandangqihong.ris").read_text(encoding="utf-8")


def citation(**changes) -> Citation:
    fields = {
        "slug": "2024-05-01-ceshi",
        "title": "测试标题",
        "date": "2024-05-01T08:00:00",
        "source": "人民日报",
        "authors": (("张三", "记者"),),
        "editor": None,
        "original": None,
    }
    return Citation(**{**fields, **changes})


PAGE = "https://example.org/articles/2024/2024-05-01-ceshi.html"


def test_gbt7714_lists_three_authors_then_et_al():
    names = tuple((name, "记者") for name in ("甲", "乙", "丙", "丁"))
    assert gbt7714(citation(authors=names), PAGE) == f"甲, 乙, 丙, 等. 测试标题[N/OL]. 人民日报, 2024-05-01. {PAGE}."
    assert gbt7714(citation(authors=names[:3]), PAGE).startswith("甲, 乙, 丙. 测试标题")


def test_gbt7714_without_author_source_or_date_starts_with_the_title_and_leaves_them_out():
    bare = citation(authors=(), source=None, date=None)
    assert gbt7714(bare, PAGE) == f"测试标题[N/OL]. {PAGE}."
    assert gbt7714(citation(authors=(), date=None), PAGE) == f"测试标题[N/OL]. 人民日报. {PAGE}."


def test_gbt7714_gives_the_original_address_when_known():
    original = "https://paper.example.cn/2024/05/01/a.html"
    assert gbt7714(citation(original=original), PAGE).endswith(f"2024-05-01. {original}.")


@pytest.mark.parametrize("title", ["海边山党旗红", "海边\n党旗红"])  # a line break in a field: field by field
def test_traditional_citation_converts_every_text_field_and_no_address(title):
    original = "https://paper.example.cn/党建.html"
    simplified = citation(
        title=title, editor="郑夏忆", authors=(("刘荣精", "通讯员"),), keywords=("防城区",), original=original
    )
    traditional = converted(simplified, to_traditional)
    assert traditional.title == to_traditional(title)
    assert (traditional.source, traditional.editor) == ("人民日報", "鄭夏憶")
    assert traditional.authors == (("劉榮精", "通訊員"),)
    assert traditional.keywords == ("防城區",)
    assert (traditional.original, traditional.slug, traditional.date) == (original, simplified.slug, simplified.date)
    assert converted(citation(source=None, editor=None, authors=()), to_traditional).source is None


def ris_records(text: str) -> list[list[tuple[str, str]]]:
    """RIS as records of (tag, value): every line ``XX  - value``, each record from TY to ER."""
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - ?(.*)", line)
        assert match, line
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = []
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            records.append(current)
            current = None
        else:
            current.append((tag, value))
    assert current is None, "record without ER"
    return records


def bibtex_entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """BibTeX as (type, key, fields): braces balanced, every field ``name = {value}``."""
    entries = []
    position = 0
    while (start := text.find("@", position)) != -1:
        match = re.compile(r"@(\w+)\{([^,\s{}]+),").match(text, start)
        assert match, text[start:]
        fields: dict[str, str] = {}
        position = match.end()
        while True:
            field = re.compile(r"\s*(\w+) = \{").match(text, position)
            if not field:
                break
            depth, index = 1, field.end()
            while depth:
                char = text[index]
                if char == "\\":
                    index += 2
                    continue
                depth += {"{": 1, "}": -1}.get(char, 0)
                index += 1
            fields[field[1]] = text[field.end() : index - 1]
            position = index + 1 if text[index : index + 1] == "," else index
        closing = re.compile(r"\s*\}").match(text, position)
        assert closing, text[position:]
        position = closing.end()
        entries.append((match[1], match[2], fields))
    return entries


def test_ris_and_bibtex_files_beside_each_page_parse_and_agree_with_it(built_site):
    for page in article_pages(built_site):
        data, _ = head_of(page)
        records = ris_records(page.with_suffix(".ris").read_text(encoding="utf-8"))
        assert len(records) == 1
        record = records[0]
        assert record[0] == ("TY", "NEWS")
        assert ("TI", data["name"]) in record
        assert [value for tag, value in record if tag == "AU"] == [p["name"] for p in data.get("author", [])]
        assert ("UR", data.get("isBasedOn", data["url"])) in record
        assert ("LA", data["inLanguage"]) in record
        [(kind, key, fields)] = bibtex_entries(page.with_suffix(".bib").read_text(encoding="utf-8"))
        assert (kind, key) == ("article", page.stem)
        assert fields["title"] == data["name"]
        assert fields.get("author", "") == " and ".join("{" + p["name"] + "}" for p in data.get("author", []))
        if "datePublished" in data:
            assert ("DA", data["datePublished"][:10].replace("-", "/")) in record
            assert fields["date"] == data["datePublished"][:10]
        if "publisher" in data:
            assert ("T2", data["publisher"]["name"]) in record
            assert fields["journal"] == data["publisher"]["name"]


def test_bibtex_escapes_what_would_unbalance_its_braces():
    text = bibtex(citation(title="{未闭合 100% & $x_1$ #1 ~ ^ \\"), PAGE, "zh-Hans")
    [(_, _, fields)] = bibtex_entries(text)
    assert fields["title"] == r"\{未闭合 100\% \& \$x\_1\$ \#1 \~{} \^{} \textbackslash{}"


def test_a_line_break_in_a_field_cannot_start_another_ris_tag():
    text = ris(citation(title="第一行\nER  - \nTY  - JOUR"), PAGE, "zh-Hans")
    [record] = ris_records(text)
    assert ("TI", "第一行 ER - TY - JOUR") in record


def test_hostile_title_cannot_close_the_json_ld_script():
    serialised = str(script_json(json_ld(citation(title=HOSTILE_TITLE, source="甲 & 乙 <!--"), PAGE, "zh-Hans")))
    assert not set("<>&") & set(serialised)
    assert json.loads(serialised)["headline"] == HOSTILE_TITLE


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-citation")
    content = folder / "content"
    content.mkdir()
    (content / "hostile.md").write_text(
        f"---\ntitle: '{HOSTILE_TITLE}'\ndate: 2024-05-01\nsource: '某报 & <b>'\n"
        "authors: [甲, 乙, 丙, 丁]\n---\n正文第一段，说了一件事。\n",
        encoding="utf-8",
    )
    result = run_cli("build", "--content", str(content), "--out", "site", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "site"


def test_hostile_title_on_a_built_page_stays_inside_its_json_ld(hostile_site):
    pages = sorted((hostile_site / "articles" / "2024").glob("*.html"))
    pages += sorted((hostile_site / "zh-hant" / "articles" / "2024").glob("*.html"))
    assert len(pages) == 2
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html
        tree = lxml.html.document_fromstring(html)
        scripts = [s.get("type") or s.get("src") for s in tree.xpath("//script")]
        # The JSON-LD and the site's script, nothing injected.
        assert scripts == [
            "application/ld+json",
            "../../static/site.js" if "zh-hant" not in page.parts else "../../../static/site.js",
        ]
        data, metas = head_of(page)
        assert data["headline"] == HOSTILE_TITLE
        assert ("citation_title", HOSTILE_TITLE) in metas
        assert tree.xpath("string(//p[@class='reference'])").startswith(f"甲, 乙, 丙, 等. {HOSTILE_TITLE}[N/OL]. 某")


def build(content: Path, folder: Path) -> None:
    result = run_cli("build", "--content", str(content), "--out", "site", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr


def citation_files(site: Path, stem: str) -> list[Path]:
    return sorted(site.rglob(f"{stem}.ris")) + sorted(site.rglob(f"{stem}.bib"))


def test_removed_article_takes_its_citation_files_with_it(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, content)
    build(content, tmp_path)
    site = tmp_path / "site"
    gone, kept = "2023-10-20-haibianshandangqihong", "2019-08-12-yulin-kuifengshanshang"
    assert len(citation_files(site, gone)) == len(citation_files(site, kept)) == 4  # RIS, BibTeX; both scripts
    (content / SEEDS[0].name).unlink()
    build(content, tmp_path)
    assert citation_files(site, gone) == []
    assert len(citation_files(site, kept)) == 4


def test_citation_file_deleted_from_the_output_is_written_again(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEEDS[1], content)
    build(content, tmp_path)
    bib = tmp_path / "site/articles/2019/2019-08-12-yulin-kuifengshanshang.bib"
    text = bib.read_text(encoding="utf-8")
    bib.unlink()
    build(content, tmp_path)
    assert bib.read_text(encoding="utf-8") == text


@pytest.mark.browser
@pytest.mark.parametrize("link, start", [("RIS", "TY  - NEWS\n"), ("BibTeX", "@article{")])
def test_cite_block_is_shown_and_its_downloads_arrive(page, site_url, link, start):
    page.goto(site_url + "articles/2023/2023-10-20-haibianshandangqihong.html")
    block = page.get_by_role("region", name="引用")
    assert block.is_visible()
    assert block.locator(".reference").inner_text().startswith("倪敏, 刘荣精, 黄莉. ")
    anchor = block.get_by_role("link", name=link)
    address = anchor.evaluate("a => a.href")
    assert address == site_url + f"articles/2023/2023-10-20-haibianshandangqihong.{link[:3].lower()}"
    if address.startswith("file:"):
        # From file:// the download attribute does nothing (no origin): the link is a plain one to the file.
        text = Path(url2pathname(urlsplit(address).path)).read_text(encoding="utf-8")
    else:
        with page.expect_download() as started:
            anchor.click()
        text = Path(started.value.path()).read_text(encoding="utf-8")
    assert text.startswith(start)
    assert page.problems == []


def test_a_new_base_url_rewrites_the_citation_files(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEEDS[1], content)
    config = write_site_toml(tmp_path, content=str(content), output="site")
    settings = config.read_text(encoding="utf-8")
    ris_file = tmp_path / "site/articles/2019/2019-08-12-yulin-kuifengshanshang.ris"
    for base in ("https://one.example.org/", "https://two.example.org/archive/"):
        config.write_text(settings + f'[site]\nbase_url = "{base}"\n', encoding="utf-8")
        result = run_cli("--config", str(config), "build", "-q")
        assert result.returncode == 0, result.stderr
        assert f"UR  - {base}articles/2019/2019-08-12-yulin-kuifengshanshang.html\n" in ris_file.read_text("utf-8")


@pytest.mark.parametrize(
    "url, based_on",
    [
        ("https://paper.example.cn/a.html", "https://paper.example.cn/a.html"),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_only_a_web_address_of_the_original_is_cited(seeds, url, based_on):
    article = replace(seeds["001"], url=url)
    data = json_ld(citation_of(article), PAGE, "zh-Hans")
    assert data.get("isBasedOn") == based_on
    assert gbt7714(citation_of(article), PAGE).endswith(f" {based_on or PAGE}.")


def test_a_long_title_is_cut_for_the_headline_and_kept_whole_as_the_name():
    title = "乡村振兴" * 40
    data = json_ld(citation(title=title), PAGE, "zh-Hans")
    assert len(data["headline"]) == HEADLINE_LIMIT
    assert data["headline"] == title[: HEADLINE_LIMIT - 1] + "…"
    assert data["name"] == title
