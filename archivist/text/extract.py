"""Metadata from the lines of a cleaned, Simplified article.

Each function looks at one line (or the header or tail of an article) and says
what it holds; none guesses: a field not found is None.
"""

from __future__ import annotations

import re
from datetime import datetime

from archivist.model import Author
from archivist.text.clean import HAN

DATE = re.compile(
    # 2023-11-03, 2023年11月3日, and a news agency's 2023 11/03 19:47:21
    r"(?:(?<!\d)(?P<year>\d{4})\s*(?:[-/.年]|\s(?=\s*\d{1,2}/))\s*"
    # 19-05-07: a two-digit year comes first on Chinese sites (one separator
    # throughout, not part of a longer dotted or dashed number)
    r"|(?<![\d.:/-])(?P<short_year>\d{2})(?P<sep>[-/.])(?=\d{1,2}(?P=sep)\d{1,2}(?![\d:/-]|\.\d)))"
    r"(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(?P<hour>\d{1,2})\s*[:：时]\s*(?P<minute>\d{1,2})(?:\s*[:：分]\s*(?P<second>\d{1,2}))?)?"
)


def full_year(short: str) -> int:
    """A two-digit year as POSIX's ``%y`` reads it: 69-99 are 1969-1999,
    00-68 are 2000-2068."""
    return int(short) + (1900 if int(short) >= 69 else 2000)


def parse_date(text: str) -> str | None:
    """The first valid date in ``text`` as ISO 8601, with its time if given."""
    for match in DATE.finditer(text):
        year = int(match["year"]) if match["year"] else full_year(match["short_year"])
        month, day, hour, minute, second = match.group("month", "day", "hour", "minute", "second")
        try:
            if hour is None:
                return datetime(int(year), int(month), int(day)).date().isoformat()
            moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        except ValueError:
            continue
        return moment.isoformat()
    return None


BRACKETS = re.compile(r"[【】\[\]［］]")
SPACED_LABEL = re.compile(rf"^((?:[{HAN}]\s*){{2,6}}?)(?=:)")
SPACES = re.compile(r"\s+")
CHANNEL = re.compile(r"^\s*[【\[]([^】\]]{1,12})[】\]]\s*")


SUBJECT_LABEL = re.compile(r"^(?:主题|标题|题目|帖子主题)\s*[:：]\s*")  # a forum's "subject:"
PAGE_MARK = re.compile(r"\s*[(（](?:页\s*\d+|第\s*\d+\s*页|\d+\s*/\s*\d+)[)）]$")  # (页 1), (第2页), (1/3)


def split_channel(title: str) -> tuple[str | None, str]:
    """``【广西】玉林:葵峰山上党旗扬`` is the channel 广西 and the title; a
    forum's ``主题:`` and a page number after the title are neither."""
    title = PAGE_MARK.sub("", SUBJECT_LABEL.sub("", title.strip()))
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
