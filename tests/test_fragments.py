"""List items rendered once and reused: every page is what rendering it
whole gives."""

from dataclasses import replace

import pytest

from archivist.config import load_config
from archivist.model import Corpus
from archivist.pipeline import load_corpus
from archivist.render import render
from archivist.state.state import BuildState
from archivist.text.script import SIMPLIFIED, TRADITIONAL
from bench.corpus import write_corpus

from .conftest import write_site_toml


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fragments")
    write_corpus(40, folder / "content")
    config = load_config(write_site_toml(folder, content="content", output="site"))
    corpus = load_corpus(config.content_dir)
    return config, corpus


def render_all(config, corpus: Corpus, fragments_of) -> dict[tuple[str, str], str]:
    environment, site, groups = render.plan(corpus, config, BuildState(), None)
    fragments = fragments_of()
    return {
        (page.path, script): render.render_page(environment, page, site, config, script, fragments)
        for group in groups
        for page in group()
        for script in (SIMPLIFIED, TRADITIONAL)
    }


def test_shared_list_items_give_every_page_in_both_scripts_as_rendering_it_whole(planned):
    config, corpus = planned
    shared = render_all(config, corpus, render.Fragments)
    whole = render_all(config, corpus, lambda: render.Fragments(share=False))
    lists = [key for key, html in whole.items() if 'class="article-list"' in html]
    assert len(lists) > 20 and any(script == TRADITIONAL for _, script in lists)
    assert [key for key in whole if shared[key] != whole[key]] == []


def test_a_page_whose_text_holds_the_marks_is_rendered_whole(planned, monkeypatch):
    config, corpus = planned
    marked = replace(corpus.articles[0], title=corpus.articles[0].title + "\ue0000\ue001")
    corpus = replace(corpus, articles=[marked, *corpus.articles[1:]])
    monkeypatch.setattr(render, "FRAGMENT_LIMIT", 5)  # and the items are let go between pages
    shared = render_all(config, corpus, render.Fragments)
    whole = render_all(config, corpus, lambda: render.Fragments(share=False))
    assert any("\ue000" in html for (path, script), html in whole.items() if script == TRADITIONAL)
    assert [key for key in whole if shared[key] != whole[key]] == []
