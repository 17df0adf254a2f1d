import codecs

import pytest

from archivist.ingest.read import ReadError, decode_page, read_bytes

TEXT = "廣西防城港市防城區位于中國南疆北部灣畔，是廣西唯一既沿邊又沿海的市轄區。\n"


def test_utf8_without_bom():
    raw = read_bytes("a.txt", TEXT.encode("utf-8"))
    assert raw.encoding == "utf-8" and raw.text == TEXT


def test_utf8_bom_is_removed_and_recorded():
    raw = read_bytes("a.txt", codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    assert raw.encoding == "utf-8-sig" and raw.text == TEXT


def test_gb18030_is_detected():
    raw = read_bytes("a.txt", TEXT.encode("gb18030"))
    assert raw.encoding == "gb18030" and raw.text == TEXT


def test_big5_is_detected():
    raw = read_bytes("a.txt", TEXT.encode("big5"))
    assert raw.encoding == "big5" and raw.text == TEXT


def test_utf16_with_bom():
    raw = read_bytes("a.txt", TEXT.encode("utf-16"))
    assert raw.encoding == "utf-16" and raw.text == TEXT


def test_crlf_and_cr_line_ends_become_newlines():
    assert read_bytes("a.txt", b"a\r\nb\rc").text == "a\nb\nc"


@pytest.mark.parametrize("data", [b"", b"   \n\n"])
def test_empty_file_is_an_error(data):
    with pytest.raises(ReadError, match="empty"):
        read_bytes("a.txt", data)


def test_binary_file_is_an_error():
    with pytest.raises(ReadError, match="binary"):
        read_bytes("a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_front_matter_is_parsed():
    raw = read_bytes("a.md", "---\ntitle: 标题\ndraft: false\n---\n正文\n".encode())
    assert raw.front_matter == {"title": "标题", "draft": False} and raw.text == "正文\n"


def test_invalid_front_matter_is_an_error_with_its_line():
    with pytest.raises(ReadError, match="invalid front matter"):
        read_bytes("a.md", b"---\ntitle: [unclosed\n---\nbody\n")


def test_front_matter_that_is_not_a_mapping_is_an_error():
    with pytest.raises(ReadError, match="mapping"):
        read_bytes("a.md", b"---\n- a\n- b\n---\nbody\n")


def test_unclosed_front_matter_is_an_error():
    with pytest.raises(ReadError, match="never closed"):
        read_bytes("a.md", b"---\ntitle: x\nbody\n")


def test_page_with_a_broken_gbk_byte_is_read_as_a_browser_reads_it():
    body = "<p>" + "乡村振兴，党建引领。" * 50 + "</p>"
    data = (
        b'<html><head><meta charset="gbk"><title>\xb0 x</title></head><body>' + body.encode("gbk") + b"</body></html>"
    )
    text, encoding = decode_page(data)
    assert encoding == "gb18030"
    assert text.count("\ufffd") == 1 and "乡村振兴，党建引领。" in text


def test_bytes_that_are_mostly_no_character_are_still_refused():
    with pytest.raises(ReadError, match="cannot decode"):
        decode_page(b"<html><body>" + b"\xff\x80" * 500 + "乡村".encode("gbk") + b"</body></html>")
