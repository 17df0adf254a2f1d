"""The five seed articles end to end, against the expectations of the spec."""

import re

import pytest

from archivist.model import Author
from archivist.text.clean import is_link_list, is_share_widget

from .conftest import SEEDS, inspect_json

EXPECTED = {
    "000": (
        "“海边山党旗红” 固边富民筑堡垒 —— 访广西防城港市防城区委常委、组织部部长甘英喜",
        "2023-10-20T09:53:00",
        "乡村干部报",
        "尹丹丹",
    ),
    "001": ("玉林:葵峰山上党旗扬", "2019-08-12T09:37:55", "玉林日报", "郑夏忆"),
    "002": (
        "以“三年行动”助力乡村振兴提质增速——访河北省唐山市乐亭县委常委、组织部部长付征",
        "2022-09-30T09:51:00",
        "乡村干部报",
        "车婧",
    ),
    "003": ("基层党建特色品牌巡展 | 党建联建赋能粤桂边界区域融合发展", "2024-06-28T15:52:00", "乡村干部报", "刘琼"),
}


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_seed_metadata(seeds, number):
    title, date, source, editor = EXPECTED[number]
    article = seeds[number]
    assert (article.title, article.date, article.source, article.editor) == (title, date, source, editor)
    assert not article.title_derived


def test_seed_001_channel(seeds):
    assert seeds["001"].channel == "广西"


def test_seed_004_has_a_derived_flagged_title_and_its_byline_as_author(seeds):
    article = seeds["004"]
    assert article.title_derived
    assert any("derived title" in w for w in article.warnings)
    assert (article.date, article.source, article.editor) == (None, None, None)
    assert [a.name for a in article.authors] == ["吴志伟"]


def test_seed_authors_with_roles(seeds):
    assert seeds["000"].authors == (Author("倪敏", "本报记者"), Author("刘荣精", "通讯员"), Author("黄莉", "通讯员"))
    assert seeds["003"].authors == (Author("尹丹丹", "本报记者"), Author("韦亮", "通讯员"))
    assert {a.name for a in seeds["002"].authors} == {"姜丽萍", "车婧"}


PINYIN_NOTE = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜ]+\)")


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_seed_paragraphs_are_clean(seeds, number):
    for paragraph in seeds[number].paragraphs:
        assert not PINYIN_NOTE.search(paragraph), paragraph
        assert "?" not in paragraph, paragraph
        assert not is_share_widget(paragraph), paragraph
        assert not is_link_list(paragraph), paragraph
        assert "|" not in paragraph, paragraph
        assert "相关稿件" not in paragraph


def test_seed_garbled_spans_are_recovered(seeds):
    text = "\n".join(seeds["000"].paragraphs + seeds["002"].paragraphs + seeds["003"].paragraphs)
    for recovered in ("纳入区委", "我们在总体", "三地抢抓‘玉湛茂’区域", "“□”的潜□"):
        assert recovered in text


def test_seed_text_is_simplified_and_script_recorded(seeds):
    assert seeds["000"].script == "zh-Hant" and seeds["001"].script == "zh-Hans"
    assert "党建" in seeds["000"].paragraphs[1] and "黨" not in "".join(seeds["000"].paragraphs)


def test_seed_headings(seeds):
    assert seeds["004"].headings[0] == "一、做足“铸魂赋能”文章"
    assert "牵住责任制这个“牛鼻子”" in seeds["001"].headings


def test_inspect_prints_the_contract_for_each_seed():
    results = inspect_json(*SEEDS)
    assert len(results) == 5
    keys = {"path", "encoding", "script", "title", "title_derived", "channel", "date", "source", "authors",
            "editor", "slug", "headings", "paragraphs", "warnings"}  # fmt: skip
    for result in results:
        assert keys <= set(result)
        assert result["slug"].isascii()
    assert len({r["slug"] for r in results}) == 5
