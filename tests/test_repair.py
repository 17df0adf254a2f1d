from archivist.ingest.repair import PLACEHOLDER, repair_garbled


def test_lost_lead_byte_is_found_from_the_pinyin_note():
    assert repair_garbled("納入?yún)^(qū)委").text == "納入區(qū)委"


def test_out_of_step_run_is_realigned():
    result = repair_garbled("我們?cè)诳傮w規")
    assert result.text == "我們在總體規"
    assert result.recovered >= 3 and result.lost == 0


def test_run_with_private_use_characters_is_realigned():
    assert repair_garbled("三地?fù)屪ァ\ue1aa裾棵\ue1d6瘏^(qū)域").text == "三地搶抓‘玉湛茂’區(qū)域"


def test_unrecoverable_characters_become_placeholders():
    result = repair_garbled("“?!钡臐摿?,")
    assert result.text == f"“{PLACEHOLDER}”的潛{PLACEHOLDER},"
    assert result.lost == 2


def test_genuine_question_mark_at_line_end_is_kept():
    text = "基層黨建工作怎麼抓,如何抓?\n下一段"
    assert repair_garbled(text).text == text


def test_genuine_question_mark_before_han_text_is_kept():
    text = "組織建立起來了,如何發揮作用?陸川縣委組織部相關負責人告訴記者"
    assert repair_garbled(text).text == text


def test_question_mark_in_latin_text_is_kept():
    text = "Is it done?! Yes."
    assert repair_garbled(text).text == text
