"""Metadata from the lines of a cleaned, Simplified article.

Each function looks at one line (or the header or tail of an article) and says
what it holds; none guesses: a field not found is None.
"""

from __future__ import annotations

import re
from datetime import datetime

from .clean import HAN
from .model import Author

DATE = re.compile(
    r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)


def parse_date(text: str) -> str | None:
    """The first valid date in ``text`` as ISO 8601, with its time if given."""
    for match in DATE.finditer(text):
        year, month, day, hour, minute, second = match.groups()
        try:
            if hour is None:
                return datetime(int(year), int(month), int(day)).date().isoformat()
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        except ValueError:
            continue
        return moment.isoformat()
    return None


DATELINE_WORDS = re.compile(r"来源|发布时间|发布日期|时间[:：]|日期[:：]|作者[:：]|浏览|点击")


def is_dateline(line: str) -> bool:
    """The line under a title that holds its date and source."""
    return len(line) <= 120 and (bool(DATE.search(line)) or bool(DATELINE_WORDS.search(line)))


FIELD_END = r"(?=\s|$|作者|编辑|责编|来源|发布|浏览|点击)"
SOURCE = re.compile(rf"来源\s*[:：]\s*([^\s:：]+?){FIELD_END}")


def parse_source(line: str) -> str | None:
    match = SOURCE.search(line)
    return match.group(1).strip() if match else None


ROLE = re.compile(
    r"^(本报记者|本报通讯员|本报特约记者|特约记者|实习记者|见习记者|首席记者|记者|通讯员|特约通讯员|实习生|作者|摄影|撰稿|文/图|文|图)$"
)
NAME = re.compile(rf"^[{HAN}·]{{2,5}}$")


def parse_byline(text: str) -> list[Author] | None:
    """``本报记者 倪敏 通讯员 刘荣精 黄莉``: roles, each followed by names.
    None when the text is anything else (a sentence, a heading)."""
    tokens = [token for token in re.split(r"[\s:：,，、]+", text.strip()) if token]
    authors: list[Author] = []
    role: str | None = None
    for token in tokens:
        if ROLE.match(token):
            # In ``作者：本报记者 X`` the later, more specific role wins.
            role = token
            continue
        if role is None or not NAME.match(token):
            return None
        authors.append(Author(name=token, role=role))
    return authors or None


BYLINE_FIELD = re.compile(r"作者\s*[:：]\s*(.+?)\s*$")


def parse_dateline_authors(line: str) -> list[Author]:
    match = BYLINE_FIELD.search(line)
    if not match:
        return []
    return parse_byline("作者 " + match.group(1)) or []


EDITOR = re.compile(r"^\s*[\[【(（]?\s*(?:责任编辑|责编|编辑|值班编辑|网络编辑)\s*[:：]\s*([^\s\]】)）]{2,12})")


def parse_editor(line: str) -> str | None:
    match = EDITOR.match(line)
    return match.group(1) if match else None


CHANNEL = re.compile(r"^\s*[【\[]([^】\]]{1,12})[】\]]\s*")


def split_channel(title: str) -> tuple[str | None, str]:
    """``【广西】玉林:葵峰山上党旗扬`` is the channel 广西 and the title."""
    match = CHANNEL.match(title)
    if not match or not title[match.end() :].strip():
        return None, title.strip()
    return match.group(1).strip(), title[match.end() :].strip()


OFFICE = re.compile(
    rf"^([{HAN}、·（）()]{{2,40}}(?:书记|部长|主任|市长|县长|区长|局长|常委|主席|厅长|委员|院长|校长|镇长|乡长|村长|记者|代表))\s+([{HAN}·]{{2,4}})$"
)


def parse_office_byline(line: str) -> Author | None:
    """``广西百色市委常委、组织部部长 吴志伟``: an office and a name, opening a
    signed article in place of a title."""
    match = OFFICE.match(line.strip())
    return Author(name=match.group(2), role=match.group(1)) if match else None


def looks_like_title(line: str) -> bool:
    stripped = line.strip()
    return 2 <= len(stripped) <= 90 and not stripped.endswith(("。", "；", "：", ":")) and not is_dateline(stripped)


def derive_title(paragraphs: list[str], limit: int = 32) -> str:
    """The first sentence, cut at a clause boundary to fit ``limit``."""
    for paragraph in paragraphs:
        sentence = re.split(r"(?<=[。！？!?])", paragraph, maxsplit=1)[0].rstrip("。")
        if len(sentence) <= limit:
            return sentence
        clauses = re.split(r"(?<=[，、；：,;:])", sentence)
        title = ""
        for clause in clauses:
            if len(title) + len(clause) > limit:
                break
            title += clause
        title = title.rstrip("，、；：,;:")
        return title + "…" if title else sentence[:limit] + "…"
    return "无题"
