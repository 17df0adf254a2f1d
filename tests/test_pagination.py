"""Every list that grows with the archive is cut into pages: regions,
initiatives, archive years (``[build] per_page``), glossary uses
(``uses_per_page``), the glossary's and the initiatives' indexes
(``index_per_page``)."""

import re
from pathlib import Path

import pytest

from archivist.config import load_config
from archivist.pipeline import build

from .conftest import entry_firsts, write_site_toml

PER_PAGE = 3
INDEX_PER_PAGE = 7


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from bench.corpus import write_corpus

    folder = tmp_path_factory.mktemp("paged")
    write_corpus(40, folder / "content")
    config_path = write_site_toml(folder, content="content", output="site")
    settings = f"[build]\nper_page = {PER_PAGE}\nuses_per_page = {PER_PAGE}\nindex_per_page = {INDEX_PER_PAGE}\n"
    config_path.write_text(config_path.read_text() + settings, encoding="utf-8")
    corpus, _ = build(load_config(config_path))
    assert not corpus.failures
    return folder / "site"


def series(site: Path, first: str) -> list[str]:
    """A list's pages, followed by their 下一页 links from the first."""
    pages, path = [], first
    while path:
        pages.append(path)
        html = (site / path).read_text(encoding="utf-8")
        following = re.search(r'<a rel="next" href="([^"]+)">下一页', html)
        path = resolve(path, following.group(1)) if following else None
    return pages


def resolve(page: str, link: str) -> str:
    """A relative link from ``page``, as a path below the site root."""
    parts = page.split("/")[:-1]
    for part in link.split("/"):
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def listed(site: Path, page: str, item: str) -> list[str]:
    html = (site / page).read_text(encoding="utf-8")
    return re.findall(item, html)


@pytest.mark.parametrize("folder", ["regions", "initiatives", "archive"])
def test_every_list_is_paged_and_shows_each_item_once(site, folder):
    firsts = [
        p
        for p in sorted(entry_firsts(site / folder) if folder == "initiatives" else (site / folder).glob("*.html"))
        if p.name != "index.html"
    ]
    longest = 0
    for first in firsts:
        pages = series(site, first.relative_to(site).as_posix())
        count = int(re.search(r'<p class="count">(\d+) 篇', first.read_text(encoding="utf-8")).group(1))
        items = [link for page in pages for link in listed(site, page, r'<h2><a href="([^"]+)">')]
        assert len(items) == len(set(items)) == count, first.name
        assert all(len(listed(site, page, r'<h2><a href="')) <= PER_PAGE for page in pages)
        assert len(pages) == -(-count // PER_PAGE)
        longest = max(longest, len(pages))
    assert longest > 1  # the corpus is big enough to page something


def test_glossary_uses_are_paged_with_the_count_on_every_page(site):
    pages = []
    for first in sorted(entry_firsts(site / "glossary")):
        chain = series(site, first.relative_to(site).as_posix())
        uses = int(re.search(r"(\d+) 处用例", first.read_text(encoding="utf-8")).group(1))
        shown = sum(len(listed(site, page, r'<blockquote class="context">')) for page in chain)
        assert shown == uses, first.name
        # The meaning and the related slogans are on the first page only.
        assert all(not listed(site, page, r'<section class="meaning">') for page in chain[1:])
        pages.append(len(chain))
    assert max(pages) > 1


@pytest.mark.parametrize("index", ["glossary", "initiatives"])
def test_an_index_of_names_is_paged_and_lists_each_name_once(site, index):
    chain = series(site, f"{index}/index.html")
    item = r'<dt><a href="([^"]+)">' if index == "glossary" else r'<li><a href="([^"]+)">'
    links = [resolve(page, link) for page in chain for link in listed(site, page, item)]
    expected = sorted(p.relative_to(site).as_posix() for p in entry_firsts(site / index))
    assert sorted(links) == expected and len(links) == len(set(links))
    assert len(chain) == -(-len(expected) // INDEX_PER_PAGE) > 1


def test_each_initial_in_the_glossary_bar_links_to_the_page_its_entries_start_on(site):
    chain = series(site, "glossary/index.html")
    bar = re.findall(r'<a href="([^"]*)#(letter-[^"]+)">', (site / chain[-1]).read_text(encoding="utf-8"))
    assert len(bar) > 3
    for link, anchor in bar:
        target = resolve(chain[-1], link) if link else chain[-1]
        html = (site / target).read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html
        earlier = chain[: chain.index(target)]
        assert not any(f'id="{anchor}"' in (site / page).read_text(encoding="utf-8") for page in earlier)


def test_later_pages_say_their_number_in_the_title(site):
    region = next(p for p in (site / "regions").iterdir() if p.is_dir())
    second = sorted(region.glob("*.html"))[0]
    assert re.search(r"<title>[^<]*第 \d+ 页", second.read_text(encoding="utf-8"))
