"""Cleaning rules for scraped text, each a small function of text or lines.

The rules are written for the shapes scraping leaves behind (where a line sits,
how long it is, how dense its separators are), not for one site's strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archivist.ingest.repair import PINYIN_LETTERS, readings

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")
TONE_MARKS = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ")

PINYIN_NOTE = re.compile(rf"(?<=[{HAN}])\(([{PINYIN_LETTERS}]{{1,7}})\)")


def remove_pinyin_notes(text: str) -> str:
    """``區(qū)`` becomes ``區``; a parenthesis holding anything but a reading of
    the character before it (``(街道)``, ``(PDF)``) stays."""

    def replace(match: re.Match[str]) -> str:
        note = match.group(1)
        han = text[match.start() - 1]
        if note in readings(han) or TONE_MARKS.intersection(note):
            return ""
        return match.group(0)

    return PINYIN_NOTE.sub(replace, text)


# Punctuation the scraper folded to ASCII, restored only between Chinese text.
ASCII_TO_FULLWIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
CJK_CONTEXT = f"{HAN}\u3000-\u303f\uff00-\uffef“”‘’□"
CHINESE_PUNCT = re.compile(rf"(?<=[{CJK_CONTEXT}])\s*([,:;?!])|([,:;?!])\s*(?=[{CJK_CONTEXT}])")


# "三变"改革: straight quotes around Chinese, in pairs, become “ ”.
ASCII_QUOTES = re.compile(rf'"([^"\n]*[{HAN}][^"\n]*)"')


def restore_fullwidth_punctuation(text: str) -> str:
    """``,`` ``:`` ``?`` ... next to Chinese text become ``，`` ``：`` ``？``;
    ``1.08亿元``, ``09:53``, URLs and Latin text keep theirs."""

    def replace(match: re.Match[str]) -> str:
        mark = match.group(1) or match.group(2)
        return ASCII_TO_FULLWIDTH[mark]

    text = CHINESE_PUNCT.sub(replace, text)
    text = ASCII_QUOTES.sub(lambda m: f"“{m.group(1)}”", text)
    return restore_fullwidth_parentheses(text)


def restore_fullwidth_parentheses(text: str) -> str:
    """A parenthesis pair whose content holds Chinese becomes full width."""
    out = []
    pos = 0
    for match in re.finditer(r"\(([^()\n]*)\)", text):
        inner = match.group(1)
        out.append(text[pos : match.start()])
        if HAN_CHAR.search(inner):
            out.append(f"（{inner}）")
        else:
            out.append(match.group(0))
        pos = match.end()
    out.append(text[pos:])
    return "".join(out)


BREADCRUMB_LEAD = re.compile(r"^\s*[您你]?(?:当前|現在|现在|目前|當前)?(?:所在)?的?位置\s*[:：]")
BREADCRUMB_SEPARATOR = re.compile(r"\s*(>>|>|»|›|→)\s*")


def is_breadcrumb(line: str) -> bool:
    """``当前位置:首页>>地方>>广西 >> 正文`` and bare ``首页 > 新闻 > 正文``."""
    if BREADCRUMB_LEAD.match(line):
        return True
    parts = [p for p in BREADCRUMB_SEPARATOR.split(line.strip()) if p and not BREADCRUMB_SEPARATOR.fullmatch(p)]
    separators = len(BREADCRUMB_SEPARATOR.findall(line))
    return separators >= 2 and len(parts) >= 3 and all(len(p) <= 8 for p in parts)


LINK_LIST_SEPARATOR = re.compile(r"\s*[|｜]\s*")


CLAUSE_IN_ITEM = re.compile(r"[，,、：:；;]")


def is_link_list(line: str) -> bool:
    """An SEO list: many short items joined by ``|``.  A title with one ``|``
    between two long halves is not one."""
    items = [item for item in LINK_LIST_SEPARATOR.split(line.strip()) if item]
    if len(items) < 5:
        return False
    # Link text is short and has no clauses inside; the last item may be cut off.
    link_like = sum(len(item) <= 16 and not CLAUSE_IN_ITEM.search(item) for item in items)
    return link_like / len(items) >= 0.8


SENTENCE_END = re.compile(r"[。！？!?；;…]")
FULL_STOP = re.compile(r"[。！？!?]")
CLAUSE_MARK = re.compile(r"[，；,;]")


def is_prose(paragraph: str) -> bool:
    """A line of running text: a sentence that ends, or a long run of
    clauses.  Menus, labels, link lists and place lists are neither."""
    han = len(HAN_CHAR.findall(paragraph))
    return (han >= 6 and bool(FULL_STOP.search(paragraph))) or (han >= 20 and bool(CLAUSE_MARK.search(paragraph)))


SHARE_WORDS = re.compile(
    r"微信|微博|公众号|公眾號|分享|扫一扫|掃一掃|二维码|二維碼|客户端|客戶端|订阅|訂閱|打印|字号|字號|收藏|网$|網$"
)


def is_share_widget(line: str) -> bool:
    """Lines of a share bar: very short, no sentence, a widget word or a lone
    number (a counter)."""
    stripped = line.strip()
    if not stripped or len(stripped) > 12 or SENTENCE_END.search(stripped):
        return False
    return stripped.isdigit() or bool(SHARE_WORDS.search(stripped))


INDENT = re.compile(r"^[ \t\u3000\u00a0]+")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are lines, or runs of lines when the file wraps them: a line
    continues the one before when the file marks paragraph starts by
    indentation and this line has none."""
    lines = text.split("\n")
    body = [line for line in lines if line.strip()]
    indented = sum(bool(INDENT.match(line)) for line in body)
    wraps = indented >= max(3, len(body) * 0.6)
    paragraphs: list[str] = []
    joinable = False
    for line in lines:
        if not line.strip():
            joinable = False
            continue
        if wraps and joinable and not INDENT.match(line):
            paragraphs[-1] += line.strip()
            continue
        paragraphs.append(normalise_space(line))
        joinable = True
    return paragraphs


SPACE_RUN = re.compile(r"[ \t]{2,}")


def normalise_space(line: str) -> str:
    """Trim indentation and collapse runs of spaces; a single space between
    Latin words stays."""
    line = line.replace("\u00a0", " ").replace("\u3000", " ")
    return SPACE_RUN.sub(" ", line).strip()


NUMBERED_LEAD = re.compile(
    r"^((?:[一二三四五六七八九十]{1,3}|[0-9]{1,2})[、.．](?![0-9])\s*[^。！？\n]{2,40}?)([。！？]|$)"
)


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # "p", "h" or "figure" (an image, its caption as text)
    text: str
    html: str | None = None  # Markdown and lists of web pages; scraped text is escaped
    src: str = ""  # figures: the image as the page referred to it


def split_numbered_heading(paragraph: str) -> list[Block]:
    """``一、做足“鑄魂賦能”文章。全面推進…`` is a section heading and a paragraph."""
    match = NUMBERED_LEAD.match(paragraph)
    if not match:
        return [Block("p", paragraph)]
    heading = match.group(1).strip()
    rest = paragraph[match.end() :].strip()
    blocks = [Block("h", heading)]
    if rest:
        blocks.append(Block("p", rest))
    return blocks


def is_standalone_heading(paragraph: str, following: str | None) -> bool:
    """A short line with no sentence end, followed by a longer paragraph."""
    if len(paragraph) > 26 or len(paragraph) < 4 or SENTENCE_END.search(paragraph[-1:]):
        return False
    if re.search(r"[：:]$", paragraph) or not HAN_CHAR.search(paragraph):
        return False
    return following is not None and len(following) > len(paragraph) * 2


def to_blocks(paragraphs: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if is_standalone_heading(paragraph, following):
            blocks.append(Block("h", paragraph))
        else:
            blocks.extend(split_numbered_heading(paragraph))
    return blocks
