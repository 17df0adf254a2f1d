from archivist.text import clean
from archivist.text.clean import Block


def test_pinyin_note_after_han_is_removed():
    assert clean.remove_pinyin_notes("區(qū)委鄉(xiāng)村報(bào)") == "區委鄉村報"


def test_parenthesised_place_name_is_kept():
    for text in ("峒中公路口岸(含里火通道)", "鄉鎮(街道)", "三縣(市)", "村(社區)", "旧址(震声楼)"):
        assert clean.remove_pinyin_notes(text) == text


def test_latin_abbreviation_in_parentheses_is_kept():
    assert clean.remove_pinyin_notes("文件(PDF)") == "文件(PDF)"


def test_ascii_punctuation_between_chinese_becomes_full_width():
    assert clean.restore_fullwidth_punctuation("抓,如何抓?来源:报;好!") == "抓，如何抓？来源：报；好！"


def test_punctuation_inside_numbers_and_times_is_kept():
    for text in ("资金1.08亿元", "2023-10-20 09:53:00", "访问 https://example.org/a?b=1", "Hello, world: ok"):
        assert clean.restore_fullwidth_punctuation(text) == text


def test_parentheses_around_chinese_become_full_width():
    assert clean.restore_fullwidth_punctuation("乡镇(街道)青年") == "乡镇（街道）青年"
    assert clean.restore_fullwidth_punctuation("model (v2)") == "model (v2)"


def test_breadcrumb_line_is_recognised():
    assert clean.is_breadcrumb("当前位置:首页>>地方>>广西 >> 正文")
    assert clean.is_breadcrumb("首页 > 新闻 > 地方 > 正文")


def test_sentence_with_greater_than_is_not_a_breadcrumb():
    assert not clean.is_breadcrumb("增速在全市排名第二，产值>100亿元，同比增长明显，位居前列")


def test_seo_link_list_is_recognised():
    assert clean.is_link_list("牟定县| 剑河县| 神木县| 栖霞市| 永定县| 河津市| 个旧市|")


def test_title_with_one_bar_is_not_a_link_list():
    assert not clean.is_link_list("基层党建特色品牌巡展 | 党建联建赋能粤桂边界区域融合发展")


def test_share_widget_lines_are_recognised():
    for line in ("1", "乡村干部报网", "微信公众号", "官方微博", "分享到"):
        assert clean.is_share_widget(line)


def test_short_sentence_is_not_a_share_widget():
    assert not clean.is_share_widget("记者走访了乡村干部报网。")
    assert not clean.is_share_widget("绘制基层党建“路线图”")


def test_paragraphs_split_on_lines_and_trim_full_width_indent():
    assert clean.split_paragraphs("\u3000\u3000第一段。\n\n  第二段。\n") == ["第一段。", "第二段。"]


def test_wrapped_lines_join_when_paragraphs_are_indented():
    text = "  第一段开始\n继续第一段。\n  第二段。\n  第三段。\n  第四段。"
    assert clean.split_paragraphs(text)[0] == "第一段开始继续第一段。"


def test_numbered_section_lead_becomes_heading():
    blocks = clean.split_numbered_heading("一、做足“铸魂赋能”文章。全面推进乡村振兴，提升本领是首要。")
    assert blocks == [Block("h", "一、做足“铸魂赋能”文章"), Block("p", "全面推进乡村振兴，提升本领是首要。")]


def test_decimal_number_at_paragraph_start_is_not_a_heading():
    assert clean.split_numbered_heading("1.5亿元资金投入使用。") == [Block("p", "1.5亿元资金投入使用。")]


def test_short_line_before_long_paragraph_is_heading():
    blocks = clean.to_blocks(
        ["绘制基层党建“路线图”", "入夏，位于石南镇六联村的兴业县联民火龙果种植专业合作社迎来收获的季节。"]
    )
    assert blocks[0].kind == "h" and blocks[1].kind == "p"


def test_short_sentence_is_not_a_heading():
    blocks = clean.to_blocks(
        ["排名落后使我们警醒。", "入夏，位于石南镇六联村的兴业县联民火龙果种植专业合作社迎来收获的季节。"]
    )
    assert blocks[0].kind == "p"
