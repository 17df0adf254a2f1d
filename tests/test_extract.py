import pytest

from archivist.model import Author
from archivist.text import datelines, extract, metalines
from archivist.text.lexicon import package_lexicon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-10-20 09:53:00  来源:乡村干部报", "2023-10-20T09:53:00"),
        ("2019年08月12日 09:37:55 来源: 玉林日报", "2019-08-12T09:37:55"),
        ("发布时间:2021/3/5", "2021-03-05"),
        ("2020年1月2日 8:05", "2020-01-02T08:05:00"),
    ],
)
def test_date_and_time_become_iso_8601(text, expected):
    assert extract.parse_date(text) == expected


def test_no_date_is_none_not_a_guess():
    assert extract.parse_date("来源：乡村干部报") is None
    assert extract.parse_date("增长2019.5万元") is None


def test_impossible_date_is_skipped():
    assert extract.parse_date("2023-13-45") is None


READER = metalines.MetaReader(package_lexicon())


def test_source_is_read_from_dateline():
    assert READER.read("2019年08月12日 09:37:55 来源: 玉林日报 作者: 本报记者 王彦臻").source == "玉林日报"
    assert READER.read("2023-10-20 09:53:00  来源:乡村干部报  ").source == "乡村干部报"


def test_byline_gives_names_with_roles():
    assert READER.read("本报记者 倪敏 通讯员 刘荣精 黄莉").authors == [
        Author("倪敏", "本报记者"),
        Author("刘荣精", "通讯员"),
        Author("黄莉", "通讯员"),
    ]


def test_sentence_is_not_a_byline():
    assert READER.read("记者了解到，定于每季度召开一次的专题会").residue
    assert not READER.read("葵峰山上党旗扬").authors


def test_dateline_author_field_is_a_byline():
    meta = READER.read("2024-06-28 15:52:00 来源:乡村干部报 作者:本报记者 尹丹丹 通讯员 韦亮")
    assert meta.authors == [Author("尹丹丹", "本报记者"), Author("韦亮", "通讯员")]


@pytest.mark.parametrize("line", ["责编:尹丹丹", "责任编辑: 郑夏忆", "编辑：车婧", "【责任编辑：刘琼】"])
def test_editor_line_is_parsed(line):
    assert READER.read(line).editors[0] in {"尹丹丹", "郑夏忆", "车婧", "刘琼"}


def test_editor_word_inside_prose_is_not_an_editor():
    meta = READER.read("他担任编辑部主任多年，负责编辑工作。")
    assert not meta.editors and meta.residue


def test_channel_prefix_is_split_from_title():
    assert extract.split_channel("【广西】玉林:葵峰山上党旗扬") == ("广西", "玉林:葵峰山上党旗扬")
    assert extract.split_channel("“海边山党旗红” 固边富民筑堡垒") == (None, "“海边山党旗红” 固边富民筑堡垒")


def test_office_byline_opening_an_article_is_an_author():
    assert extract.parse_office_byline("广西百色市委常委、组织部部长 吴志伟") == Author(
        "吴志伟", "广西百色市委常委、组织部部长"
    )
    assert extract.parse_office_byline("以“三年行动”助力乡村振兴提质增速") is None


def test_derived_title_is_first_sentence_cut_at_a_clause():
    title = extract.derive_title(["党的二十大指出，全面建设社会主义现代化国家，最艰巨最繁重的任务仍然在农村。"])
    assert title == "党的二十大指出，全面建设社会主义现代化国家…"
    assert extract.derive_title(["短句。"]) == "短句"


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("文/张三 图/李四", [Author("张三", "文"), Author("李四", "图")]),
        ("新京报记者 彭冲 山东冠县报道", [Author("彭冲", "新京报记者")]),
        ("新华网黑龙江频道  记者  伊琳  李清芬", [Author("伊琳", "记者"), Author("李清芬", "记者")]),
        ("本报记者 宝音 郝佳丽", [Author("宝音", "本报记者"), Author("郝佳丽", "本报记者")]),
        ("ggjjzhzz 发表于 2005-9-15 11:46:00", [Author("ggjjzhzz", "作者")]),
        ("本贴由大卫于2005年8月12日16:12:21在〖心灵体操〗发表", [Author("大卫", "作者")]),
    ],
)
def test_bylines_of_real_pages_are_read(line, authors):
    assert READER.read(line).authors == authors


@pytest.mark.parametrize("line", ["[图片搜索] 汤加丽 梁朝伟", "图片精选", "记者调查 民意调查", "新华社记者 张三 摄"])
def test_sidebar_words_after_a_role_and_photo_credits_are_no_authors(line):
    assert READER.read(line).authors == []


def test_names_signed_in_brackets_at_the_end_are_authors_but_a_closing_remark_is_not():
    assert datelines.read_signature("过一个平安的新春佳节。（常书香 马丹阳 ）") == [
        Author("常书香", "作者"),
        Author("马丹阳", "作者"),
    ]
    assert datelines.read_signature("见附件。（全文完）") == []
    assert datelines.read_signature("他说。（完）") == []
