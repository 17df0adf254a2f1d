"""The slogan glossary: extraction by shape, meanings, curation and two-way links."""

import re
import shutil

import pytest

from archivist.pipeline import load_corpus
from archivist.site.curation import parse_glossary_curation
from archivist.site.glossary import build_glossary
from archivist.tag.slogans import find_quoted_slogans

from .conftest import ROOT, SEEDS, entry_firsts, run_cli, write_site_toml


def quoted(paragraph: str) -> list[str]:
    return [s.text for s in find_quoted_slogans(paragraph)]


def test_numbered_slogans_are_slogans():
    assert quoted("提出“1313”总体思路，推进“五基三化”提升年，建立“四不四直”督导机制。") == [
        "1313",
        "五基三化",
        "四不四直",
    ]


def test_plus_models_are_slogans():
    assert quoted("推行“支部+合作社+基地+农户”发展模式。") == ["支部+合作社+基地+农户"]


def test_quoted_name_before_a_programme_head_is_a_slogan():
    assert quoted("深化“海边山党旗红”党建品牌建设。") == ["海边山党旗红"]
    assert quoted("召开“书记面对面”问效党建工作专题会。") == ["书记面对面"]


def test_quoted_speech_is_not_a_slogan():
    assert quoted("“排名落后使我们警醒，更使我们认识到形势迫人。”一位书记说。") == []


def test_quote_after_a_verb_of_saying_is_not_a_slogan():
    assert quoted("他表示：“五基三化”。") == []


def test_quoted_metaphor_without_a_programme_shape_is_not_a_slogan():
    assert quoted("牵住责任制这个“牛鼻子”。强化“一盘棋”。") == []


def test_trailing_plus_is_not_a_model():
    assert quoted("创新“党建+”发展模式。") == []


@pytest.fixture(scope="module")
def glossary():
    return build_glossary(load_corpus(ROOT / "content").articles)


@pytest.mark.parametrize("slogan", ["1313", "135基层党建质量提升工程", "五共", "四不四直", "六学模式", "一区四线"])
def test_seed_slogans_have_meanings_from_the_text(glossary, slogan):
    entry = glossary.get(slogan)
    assert entry is not None and entry.meaning
    article, anchor = entry.meaning_source
    assert any(use.slug == article for use in entry.uses) and re.fullmatch(r"p\d+", anchor)


def test_enumeration_before_the_quote_is_the_meaning(glossary):
    assert glossary.get("六学模式").meaning == "原原本本学、细化专题学、红色研讨学、上下互动学、对照榜样学、深入实践学"
    assert glossary.get("四不四直").meaning.startswith("不发通知、不打招呼、不定线路、不用陪同")
    assert glossary.get("五共").meaning == "共建红色组织、共推乡村振兴、共架人才桥梁、共设联育平台、共兴实体经济"


def test_numbered_parts_are_explained(glossary):
    meaning = glossary.get("135基层党建质量提升工程").meaning
    for part in ("“1”就是", "“3”就是", "“5”就是"):
        assert part in meaning
    assert glossary.get("1313").meaning.startswith("以擦亮“海边山党旗红”党建品牌为一个重点目标")


def test_unexplained_slogan_shows_contexts_and_no_invented_meaning(glossary):
    entry = glossary.get("五基三化")
    assert entry.meaning == "" and entry.meaning_source is None
    assert entry.uses and all("五基三化" in use.context for use in entry.uses)


def test_quoted_speech_is_not_an_entry(glossary):
    assert not any(name.startswith("排名落后") for name in glossary.entries)


def test_parts_link_both_ways(glossary):
    whole = glossary.get("1313")
    assert {"海边山党旗红", "五基三化"} <= set(whole.parts)
    for name, entry in glossary.entries.items():
        for part in entry.parts:
            assert name in glossary.get(part).part_of
        for whole_name in entry.part_of:
            assert name in glossary.get(whole_name).parts


def test_named_group_links_to_its_parts(glossary):
    assert glossary.get("三大专项行动").parts == ["固本强基·提质增效", "提档升级·示范创优", "乡村振兴·党员领航"]


def test_related_is_symmetric_and_every_entry_is_used(glossary):
    for name, entry in glossary.entries.items():
        assert entry.uses, name
        for other in entry.related:
            assert (
                name in glossary.get(other).related or name in glossary.get(other).parts + glossary.get(other).part_of
            )


def test_entry_has_traditional_form_and_first_use(glossary):
    entry = glossary.get("海边山党旗红")
    assert entry.traditional == "海邊山黨旗紅"
    assert entry.first_use == "2023-10-20T09:53:00"


def test_curation_adds_hides_merges_and_explains():
    articles = load_corpus(ROOT / "content").articles
    curation = parse_glossary_curation(
        {
            "entries": [
                {"slogan": "五基三化", "meaning": "基本组织、基本队伍……（编者注）"},
                {"slogan": "135基层党建质量提升工程", "aliases": ["135工程"]},
                {"slogan": "编者新增提法"},
            ],
            "hide": ["三位一体"],
        }
    )
    glossary = build_glossary(articles, curation)
    assert glossary.get("五基三化").meaning == "基本组织、基本队伍……（编者注）"
    assert glossary.get("三位一体") is None
    assert glossary.get("编者新增提法") is not None
    assert "135工程" in glossary.get("135基层党建质量提升工程").aliases


def test_built_glossary_links_resolve_both_ways(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, content)
    write_site_toml(tmp_path, content="content", output="site")
    assert run_cli("--config", str(tmp_path / "site.toml"), "build", "-q").returncode == 0
    site = tmp_path / "site"
    entry_pages = list(entry_firsts(site / "glossary"))
    assert entry_pages
    for page in entry_pages:
        html = page.read_text(encoding="utf-8")
        uses = re.findall(r'href="\.\./\.\./articles/([^/"]+/[^"#]+)#(p\d+)"', html)
        assert uses, page.name
        for article, anchor in uses:
            article_html = (site / "articles" / article).read_text(encoding="utf-8")
            assert f'id="{anchor}"' in article_html
            assert f'href="../../glossary/{page.parent.name}/{page.name}"' in article_html, (page.name, article)


def test_glossary_command_prints_the_contract():
    import json

    result = run_cli("glossary")
    entries = json.loads(result.stdout)
    keys = {"slogan", "traditional", "meaning", "meaning_source", "parts", "related", "uses"}
    assert entries and all(keys <= set(e) for e in entries)
    assert all({"article", "paragraph", "context"} <= set(u) for e in entries for u in e["uses"])


def test_inspect_lists_slogans():
    import json

    result = json.loads(run_cli("inspect", str(SEEDS[0])).stdout)[0]
    assert "1313" in result["slogans"] and "海边山党旗红" in result["slogans"]
