"""Region and initiative tagging: the traps measured on the seeds, each on its own."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archivist.ingest.reading import normalise_file
from archivist.model import Article
from archivist.tag.gazetteer import load_gazetteer, short_form
from archivist.tag.tag import Curation, find_initiatives, find_regions, parse_curation

GAZETTEER = load_gazetteer()


def regions(text: str, title: str = "") -> list[str]:
    return [r.path for r in find_regions(GAZETTEER, title, [text])]


def test_short_forms_are_derived_by_rule():
    assert short_form("广西壮族自治区") == "广西"
    assert short_form("乐亭县") == "乐亭"
    assert short_form("百色市") == "百色"
    assert short_form("黔东南苗族侗族自治州") == "黔东南"
    assert short_form("内蒙古自治区") == "内蒙古"
    assert short_form("城区") is None


def test_gazetteer_has_every_level():
    levels = [u.level for u in GAZETTEER.units.values()]
    assert levels.count("province") == 34 and levels.count("prefecture") > 300 and levels.count("county") > 2800


@pytest.mark.parametrize(
    ("text", "trap"),
    [
        ("全面推进乡村振兴", "振兴"),
        ("利用红色资源传承红色基因", "资源"),
        ("固边富民筑堡垒", "富民"),
        ("创新红旗乡镇争创机制", "红旗"),
        ("开展平安建设", "平安"),
        ("以光明行志愿服务队为样板", "光明"),
        ("给党员上党课", "上党"),
        ("联民火龙果种植专业合作社", "合作"),
        ("在葵阳镇龙口村", "龙口"),
        ("在大平山镇江下村", "平山"),
        ("与东盟国家海陆河相连接", "陆河"),
        ("坡子村党总支书记朱万年", "万年"),
    ],
)
def test_short_name_inside_ordinary_words_is_not_a_region(text, trap):
    assert regions(text) == [], trap


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("辽宁省丹东市振兴区", "辽宁省/丹东市/振兴区"),
        ("广西桂林资源县", "广西壮族自治区/桂林市/资源县"),
        ("云南昆明富民县", "云南省/昆明市/富民县"),
        ("山东烟台龙口", "山东省/烟台市/龙口市"),
        ("唐山乐亭", "河北省/唐山市/乐亭县"),
    ],
)
def test_same_names_with_their_parent_are_regions(text, expected):
    assert regions(text) == [expected]


def test_full_unambiguous_name_stands_alone():
    assert regions("兴业县创新实施") == ["广西壮族自治区/玉林市/兴业县"]


def test_short_name_without_parent_is_not_a_region():
    assert regions("乐亭大钊故里") == []


@pytest.mark.parametrize("name", ["鼓楼区", "宝山区", "朝阳区", "朝阳"])
def test_name_shared_by_several_places_alone_is_not_a_region(name):
    assert regions(f"在{name}召开会议") == []


def test_shared_name_is_resolved_by_an_ancestor_in_the_text():
    assert regions("福建省福州市鼓楼区召开会议") == ["福建省/福州市/鼓楼区"]
    assert regions("上海市宝山区召开会议") == ["上海市/宝山区"]
    assert regions("辽宁朝阳召开会议") == ["辽宁省/朝阳市"]


@pytest.mark.parametrize("word", ["城区", "郊区", "矿区", "城市", "县"])
def test_stop_words_are_not_regions(word):
    assert regions(f"推进{word}社区建设，山西省的经验") == ["山西省"]


def test_ancestor_mentions_fold_into_the_deepest_place():
    assert regions("广西玉林市兴业县") == ["广西壮族自治区/玉林市/兴业县"]


def test_regions_are_ordered_by_weight():
    found = regions("化州市一次。陆川县一次。", title="陆川县新闻")
    assert found[0] == "广西壮族自治区/玉林市/陆川县"


SEED_REGIONS = {
    "000": ["广西壮族自治区/防城港市/防城区"],
    "001": ["广西壮族自治区/玉林市/兴业县"],
    "002": ["河北省/唐山市/乐亭县"],
    "003": ["广西壮族自治区/玉林市/陆川县", "广东省/湛江市/廉江市", "广东省/茂名市/化州市"],
    "004": ["广西壮族自治区/百色市"],
}
SEED_INITIATIVES = {
    "000": ("海边山党旗红",),
    "001": ("135基层党建质量提升工程",),
    "002": ("基层党建示范引领三年行动",),
    "003": ("五共",),
    "004": ("红旗乡镇、红旗村",),
}


@pytest.mark.parametrize("number", sorted(SEED_REGIONS))
def test_seed_regions(seeds, number):
    assert [r.path for r in seeds[number].regions] == SEED_REGIONS[number]
    assert all(len(r.codes) == len(r.names) for r in seeds[number].regions)


@pytest.mark.parametrize("number", sorted(SEED_INITIATIVES))
def test_seed_initiatives(seeds, number):
    assert seeds[number].initiatives == SEED_INITIATIVES[number]


SPAM_NAMES = sorted(GAZETTEER.by_full)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(SPAM_NAMES), min_size=5, max_size=40))
def test_removed_spam_line_never_yields_a_tag(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("spam")
    article = "标题一则\n2023-01-02 10:00:00 来源:某报\n\n  这是一段没有任何地名的正文，讲述基层工作的经验。\n"
    plain = folder / "plain.txt"
    plain.write_text(article, encoding="utf-8")
    spammed = folder / "spammed.txt"
    spammed.write_text(article + "责编:某某\n" + "| ".join(names) + "|", encoding="utf-8")
    without, with_spam = normalise_file(plain), normalise_file(spammed)
    assert isinstance(with_spam, Article)
    assert with_spam.regions == without.regions == ()


def test_curated_alias_merges_a_variant():
    curation = parse_curation({"initiatives": [{"name": "135基层党建质量提升工程", "aliases": ["135工程"]}]})
    paragraphs = ["今年，兴业县实施“135工程”，成效明显。", "“135工程”推动党建。", "“135工程”深入推进。"]
    assert find_initiatives("兴业新闻", paragraphs, curation) == ("135基层党建质量提升工程",)


def test_curated_hide_removes_noise():
    paragraphs = ["开展“强村带弱村”活动。", "“强村带弱村”活动效果好。", "“强村带弱村”活动继续。"]
    assert find_initiatives("标题", paragraphs, Curation()) == ("强村带弱村",)
    assert find_initiatives("标题", paragraphs, parse_curation({"hide": ["强村带弱村"]})) == ()


def test_quoted_speech_is_not_an_initiative():
    paragraphs = ["“排名落后使我们警醒，更使我们认识到形势迫人。”一位书记说。"] * 3
    assert find_initiatives("标题", paragraphs, Curation()) == ()


def test_front_matter_overrides_regions_and_initiatives(tmp_path):
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: 瑞金\nregions: [江西省/赣州市/瑞金市]\ninitiatives: [红色名村]\n---\n广西玉林新闻。\n", "utf-8"
    )
    article = normalise_file(path)
    assert isinstance(article, Article)
    assert [r.path for r in article.regions] == ["江西省/赣州市/瑞金市"]
    assert article.regions[0].codes == ("36", "3607", "360781")
    assert article.initiatives == ("红色名村",)


def test_unknown_region_in_front_matter_is_an_error_naming_it(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("---\nregions: [江西省/不存在市]\n---\n正文。\n", "utf-8")
    failure = normalise_file(path)
    assert not isinstance(failure, Article)
    assert "江西省/不存在市" in failure.error
