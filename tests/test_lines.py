"""Scrapes from many kinds of site: furniture dropped, metadata read, article
kept.  Each family of site has its own tests; the pages are small and made
up, the furniture is the kind each family carries."""

import json

import pytest

from archivist.ingest.normalise import normalise_scraped
from archivist.ingest.read import RawArticle
from archivist.model import Author
from archivist.tag.gazetteer import load_gazetteer
from archivist.tag.tag import Curation, tag_article
from archivist.text.lexicon import LexiconError, load_lexicon, package_lexicon, parse_lexicon

from .conftest import run_cli

PROSE = [
    "近年来，通渭县坚持以党建引领乡村振兴，在全县各村推行“三联三促”工作法，村级党组织的凝聚力不断增强。",
    "在马营镇，村党支部书记带领党员挨家挨户走访群众，收集意见建议一百多条，逐条推动解决。",
    "下一步，全县将继续深化党建引领，推动基层治理和产业发展取得新成效。",
]


def scrape(*lines: str, lexicon=None):
    text = "\n".join(lines)
    return normalise_scraped(RawArticle("page.txt", text, "utf-8", "txt"), lexicon or package_lexicon())


def body(article) -> str:
    return "\n".join(block.text for block in article.blocks)


def assert_article_kept(article):
    for line in PROSE:
        assert line in body(article)


# --- central news portals ------------------------------------------------------------


def test_central_portal_menus_breadcrumb_share_bars_and_related_list_are_dropped():
    article = scrape(
        "人民网首页 | 手机看新闻 | 党建 | 理论",
        "中国共产党新闻网",
        "首页 | 高层动态 | 党建 | 理论 | 党史 | 人事 | 反腐",
        "人民网>>中国共产党新闻网>>党建",
        "甘肃通渭：“三联三促”让村级党组织强起来",
        "2023年05月16日08:21  来源：人民网－中国共产党新闻网",
        "分享到：",
        "小字号",
        "大字号",
        *PROSE[:2],
        "点击查看大图",
        "▲ 党员在马营镇走访群众。",
        PROSE[2],
        "(责编：赵欣悦、宋美琪)",
        "分享让更多人看到",
        "相关新闻",
        "甘肃临潭：“红色驿站”温暖基层一线",
        "宁夏西吉：党建引领马铃薯产业提档升级",
        "扫一扫在手机打开当前页",
        "返回顶部",
        "京ICP证000006号  京公网安备11000002000008号",
    )
    assert article.title == "甘肃通渭：“三联三促”让村级党组织强起来"
    assert article.date == "2023-05-16T08:21:00"
    assert article.source == "人民网－中国共产党新闻网"
    assert article.editor == "赵欣悦、宋美琪"
    assert_article_kept(article)
    for furniture in ("点击查看大图", "党员在马营镇走访群众", "临潭", "ICP", "返回顶部", "分享"):
        assert furniture not in body(article)


def test_font_size_bar_in_any_form_is_furniture():
    lexicon = package_lexicon()
    for line in (
        "【字号 大 中 小】",
        "字体：大 中 小",
        "[大] [中] [小]",
        "【打印】 【字号 大 中 小】",
        "字體：大 中 小",
    ):
        from archivist.text.lexicon import fold_line

        assert lexicon.furniture_reason(fold_line(line)), line


# --- news agencies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "authors"),
    [
        ("新华社兰州11月3日电（记者马晓雯、张宏祥）", [Author("马晓雯", "记者"), Author("张宏祥", "记者")]),
        ("人民网贵阳5月16日电 （记者程宇 通讯员龙晓丽）", [Author("程宇", "记者"), Author("龙晓丽", "通讯员")]),
        ("本报讯（记者 李文娟 通讯员 王海军）", [Author("李文娟", "记者"), Author("王海军", "通讯员")]),
        ("【本报记者黄志伟湘西报道】", [Author("黄志伟", "本报记者")]),
    ],
)
def test_dateline_gives_its_reporters(opening, authors):
    article = scrape("驻村第一书记的“民情账本”", "2023-11-03 19:47:21　来源： 新华社", opening + PROSE[0], *PROSE[1:])
    assert list(article.authors) == authors
    assert PROSE[0] in body(article)


def test_filing_city_of_a_dateline_is_not_a_region():
    article = scrape(
        "驻村第一书记的“民情账本”",
        "2023-11-03 19:47:21　来源： 新华社",
        "新华社兰州11月3日电（记者马晓雯）甘肃省定西市" + PROSE[0],
        *PROSE[1:],
    )
    tagged = tag_article(article, load_gazetteer(), Curation())
    assert [r.path for r in tagged.regions] == ["甘肃省/定西市/通渭县"]


def test_agency_correction_and_print_links_are_furniture():
    article = scrape(
        "新华网 > > 正文",
        "一位驻村第一书记的“民情账本”",
        "2023-11-03 19:47:21　来源： 新华社",
        "【字体：大 中 小】 打印本页 关闭窗口",
        *PROSE,
        "【纠错】 【责任编辑:杨雪 】",
        "打印本页 关闭窗口",
        "Copyright © 2000-2023 XINHUANET.com　All rights reserved.",
    )
    assert article.editor == "杨雪" and article.source == "新华社"
    assert "纠错" not in body(article) and "Copyright" not in body(article)


# --- party-member portals and organisation departments ----------------------------------


def test_party_portal_channel_menus_and_boxed_byline():
    article = scrape(
        "湖南组工网",
        "中共湖南省委组织部主办",
        "首页 | 组工要闻 | 基层党建 | 干部工作 | 人才工作",
        "您当前的位置 ：首页 > 市州动态 > 邵阳",
        "城步：“双培双带”育出一批“田秀才”",
        "2022-04-18 09:12　　来源：湖南日报　　编辑：罗兰",
        "□ 记者 唐亚平 通讯员 杨琼 刘卫东",
        *PROSE,
        "责任编辑：唐慧",
        "打印本页　关闭窗口",
    )
    assert article.title == "城步：“双培双带”育出一批“田秀才”"
    assert article.editor == "罗兰、唐慧"
    assert [a.name for a in article.authors] == ["唐亚平", "杨琼", "刘卫东"]
    assert "组工网" not in body(article) and "主办" not in body(article)


# --- government sites --------------------------------------------------------------


def test_government_site_index_table_counters_and_footer():
    article = scrape(
        "宁陕县人民政府",
        "无障碍 | 长者模式 | English",
        "索引号：11610923016142345M/2023-00187",
        "发文机关：宁陕县委组织部",
        "成文日期：2023-06-01",
        "主题分类：组织人事",
        "宁陕县推行“三个清单”壮大村级集体经济",
        "发布时间：2023-06-02 10:15 信息来源：宁陕县委组织部 浏览次数：123",
        "【字体：大 中 小】",
        *PROSE,
        "【打印】【关闭】【收藏】",
        "网站标识码：6109230001",
        "备案号：陕ICP备05001234号-1",
        "陕公网安备 61092302000145号",
    )
    assert article.title == "宁陕县推行“三个清单”壮大村级集体经济"
    assert article.date == "2023-06-02T10:15:00"  # 发布时间, not 成文日期
    assert article.source == "宁陕县委组织部"
    assert_article_kept(article)
    assert "索引号" not in body(article) and "ICP" not in body(article) and "标识码" not in body(article)


def test_spaced_out_table_labels_are_read():
    article = scrape(
        "题目在此处的标题", "索 引 号：001234567", "名　　称：题目在此处的标题", "生成日期：2022-11-08", *PROSE
    )
    assert article.date == "2022-11-08" and "索" not in body(article)


# --- WeChat official accounts --------------------------------------------------------


def test_wechat_account_furniture_and_credit_block():
    article = scrape(
        "康乐县：小积分“兑”出乡村治理新气象",
        "原创 康乐县融媒体中心 康乐融媒 2023-07-21 18:30 发表于甘肃",
        "收录于合集 #乡村振兴 12个",
        "点击上方蓝字关注我们",
        "图片",
        PROSE[0],
        "图片",
        "▲ 村民兑换生活用品",
        *PROSE[1:],
        "来源｜康乐县融媒体中心",
        "记者｜马婷 何永强",
        "编辑｜韩梅",
        "审核｜马福林",
        "往期推荐",
        "积石山县：党建引领灾后重建加速推进",
        "长按识别二维码",
        "点个在看你最好看",
        "阅读原文",
    )
    assert article.date == "2023-07-21T18:30:00" and article.source == "康乐县融媒体中心"
    assert list(article.authors) == [Author("马婷", "记者"), Author("何永强", "记者")]
    assert article.editor == "韩梅"  # 审核 is not an editor
    assert_article_kept(article)
    assert not any(word in body(article) for word in ("图片", "积石山", "二维码", "阅读原文", "合集"))


def test_account_signing_as_itself_is_the_source_not_an_author():
    article = scrape(
        "江华：瑶山深处“党建红”",
        "永州发布 2024-01-05 20:15 湖南",
        "以下文章来源于永州日报 ，作者永州日报",
        *PROSE,
    )
    assert article.source == "永州日报" and not article.authors


# --- newspapers' digital editions -----------------------------------------------------


def test_digital_edition_provenance_line_gives_the_date_and_paper():
    article = scrape(
        "光明网 > 光明日报 > 正文",
        "江西兴国：红土地上党旗红 老区振兴步履疾",
        "作者：本报记者 胡晓军 通讯员 钟华平",
        "《光明日报》（2020年10月12日 07版）",
        *PROSE,
        "阅读剩余全文（）",
        "[ 责编：张倩 ]",
    )
    assert article.date == "2020-10-12" and article.source == "光明日报"
    assert article.editor == "张倩"
    assert list(article.authors) == [Author("胡晓军", "本报记者"), Author("钟华平", "通讯员")]


# --- Traditional mirrors ----------------------------------------------------------------


def test_traditional_mirror_labels_and_share_line():
    article = scrape(
        "巴馬：長壽之鄉黨旗紅",
        "2021年9月8日  來源:廣西日報  記者 黃麗萍 通訊員 覃勇",
        "字體：大 中 小",
        "分享到：Facebook Twitter 微博 LINE",
        "近年來，巴馬縣堅持以黨建引領鄉村振興，在全縣各村推行“三帶”行動，村級黨組織的凝聚力不斷增強。",
        "責任編輯:韋曉東",
        "【版權聲明】本網刊載內容之知識產權為本網所有，未經書面授權，不得轉載。",
    )
    assert article.date == "2021-09-08" and article.source == "广西日报"
    assert article.editor == "韦晓东"
    assert [a.name for a in article.authors] == ["黄丽萍", "覃勇"]
    assert "版权" not in body(article) and "Facebook" not in body(article)


# --- everywhere ------------------------------------------------------------------------


def test_title_glued_to_its_metadata_line():
    article = scrape(
        "网易首页 > 新闻中心 > 正文", "沂南县这个村“党建+”蹚出致富新路径2023-04-12 09:30:11 来源：大众日报", *PROSE
    )
    assert article.title == "沂南县这个村“党建+”蹚出致富新路径"
    assert article.date == "2023-04-12T09:30:11" and article.source == "大众日报"


def test_two_labels_on_one_line_give_two_fields_never_an_author_named_editor():
    article = scrape("某某村的新变化在此", "作者：李明远 审核：王海涛 编辑：刘畅 发布日期：2023.05.16", *PROSE)
    assert list(article.authors) == [Author("李明远", "作者")]
    assert article.editor == "刘畅" and article.date == "2023-05-16"


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("发布时间：2023-05-16", "2023-05-16"),
        ("日期:2023/5/16 来源:某某日报", "2023-05-16"),
        ("时间｜2023.05.16", "2023-05-16"),
        ("2023年05月16日08:21 来源：某某日报", "2023-05-16T08:21:00"),
        ("【发布时间：2023-07-21 18:30】", "2023-07-21T18:30:00"),
        ("［日期］2023-07-21", "2023-07-21"),
    ],
)
def test_dates_in_every_form_with_or_without_a_time(line, date):
    assert scrape("某某村的新变化在此", line, *PROSE).date == date


@pytest.mark.parametrize(
    "line",
    [
        "来源：某某日报",
        "来源:某某日报",
        "来源｜某某日报",
        "来源丨某某日报",
        "（来源：某某日报）",
        "[来源：某某日报]",
        "來源：某某日報",
    ],
)
def test_source_label_with_any_separator_bracket_or_script(line):
    assert scrape("某某村的新变化在此", line, *PROSE).source == "某某日报"


def test_seo_blocks_of_places_never_give_regions():
    article = scrape(
        "白银网首页 | 手机看新闻 |",
        "会宁县：红色热土焕发振兴活力",
        "2023-03-21 09:15 来源：白银日报",
        "白银市会宁县" + PROSE[0].replace("通渭县", "会宁县"),
        *PROSE[1:],
        "热门城市：北京 上海 广州 深圳 兰州 西宁 银川",
        "相关地区：靖远县| 景泰县| 白银区| 平川区|",
        "甘肃省 定西市 通渭县 陇西县 渭源县",
    )
    tagged = tag_article(article, load_gazetteer(), Curation())
    assert [r.path for r in tagged.regions] == ["甘肃省/白银市/会宁县"]


def test_a_place_said_in_passing_beside_the_subject_is_not_a_region():
    article = scrape(
        "固原：“冷凉蔬菜”长在党建示范带上",
        "日期:2023-10-26 来源:宁夏广播电视台",
        "金秋时节，在宁夏固原市的冷凉蔬菜基地，一车车新鲜蔬菜从田间地头直接运往广东、上海等地的市场。",
        "固原市坚持以党建引领产业发展，在全市打造党建示范带，带动农户增收，固原的蔬菜产业越做越大。",
        "县委组织部会同县农业农村局，结合各村资源禀赋和产业基础，逐村研究制定发展计划，一个模范县的样子正在形成。",
    )
    tagged = tag_article(article, load_gazetteer(), Curation())
    assert [r.path for r in tagged.regions] == ["宁夏回族自治区/固原市"]


def test_missing_fields_are_null_with_a_warning_naming_each():
    article = scrape(*PROSE)
    assert article.date is None and article.source is None and article.title_derived
    for name in ("'title'", "'date'", "'source'"):
        assert any(name in warning for warning in article.warnings), name


# --- teaching a new site without code ---------------------------------------------------


def test_a_users_furniture_file_teaches_a_new_site(tmp_path):
    (tmp_path / "furniture.yaml").write_text(
        "lines: [本站推荐好文章]\npatterns: ['^小编温馨提示']\nlabels:\n  source: [稿源]\n  editor: [值班主任]\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon(tmp_path)
    article = scrape(
        "某某村的新变化在此",
        "稿源：某某晚报 值班主任：钱多多",
        *PROSE,
        "本站推荐好文章",
        "小编温馨提示：转发请注明出处。",
        lexicon=lexicon,
    )
    assert article.source == "某某晚报" and article.editor == "钱多多"
    assert "小编" not in body(article) and "本站推荐" not in body(article)
    # The package's own lexicon does not know them.
    plain = scrape("某某村的新变化在此", "稿源：某某晚报 值班主任：钱多多", *PROSE, "小编温馨提示：转发请注明出处。")
    assert plain.source is None and "小编" in body(plain)


def test_a_user_keep_pattern_overrides_the_lexicon(tmp_path):
    (tmp_path / "furniture.yaml").write_text("keep: ['^图为']\n", encoding="utf-8")
    article = scrape(
        "某某村的新变化在此",
        "来源：某某日报",
        *PROSE,
        "图为村民在田间劳作的场景，大家干劲十足。",
        lexicon=load_lexicon(tmp_path),
    )
    assert "图为村民" in body(article)


@pytest.mark.parametrize(
    "text", ["patterns: ['(unclosed']\n", "labels:\n  sorce: [稿源]\n", "lines: 本站\n", "color: red\n"]
)
def test_a_broken_furniture_file_says_what_is_wrong(tmp_path, text):
    with pytest.raises(LexiconError):
        parse_lexicon(__import__("yaml").safe_load(text), "furniture.yaml", package_lexicon())


def test_broken_furniture_file_is_reported_by_name_and_the_build_goes_on(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "furniture.yaml").write_text("patterns: ['(unclosed']\n", encoding="utf-8")
    (content / "a.txt").write_text("\n".join(["某某村的新变化在此", "来源：某某日报", *PROSE]), encoding="utf-8")
    result = run_cli("check", "--content", str(content))
    assert result.returncode == 1 and "furniture.yaml" in result.stderr and "(unclosed" in result.stderr


def test_inspect_shows_each_dropped_line_and_why(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text(
        "\n".join(["首页 | 新闻 | 党建 | 理论", "某某村的新变化在此", "来源：某某日报", *PROSE, "返回顶部"]), "utf-8"
    )
    record = json.loads(run_cli("inspect", str(path)).stdout)[0]
    dropped = {item["line"]: item["reason"] for item in record["dropped"]}
    assert dropped["首页 | 新闻 | 党建 | 理论"].startswith("rule:")
    assert "lexicon" in dropped["返回顶部"]
