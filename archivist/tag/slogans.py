"""Telling slogans from other quoted text, by shape.

A slogan is the short quoted name of a brand, programme, model or mechanism
(“海边山党旗红”, “1313”, “五基三化”, “支部+合作社+基地+农户”).  Quoted speech
and quoted titles are longer, hold clauses, or follow a verb of saying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archivist.text.clean import HAN

QUOTE = re.compile(r"[“‘「]([^“”‘’「」\n]{1,40})[”’」]")
NUMERALS = "一二三四五六七八九十百千万两双"
NUMERAL_VALUE = {c: v for v, c in enumerate("零一二三四五六七八九十", start=0)} | {"两": 2, "双": 2}
MAX_LENGTH = 20
CLAUSE_MARK = re.compile(r"[。！？；，,：:…?!;]")
SAYING = re.compile(r"(说|说道|表示|指出|强调|认为|介绍|坦言|告诉记者|问道|称)[：:，,]?\s*$")
HEADS = (
    "工程", "行动", "品牌", "模式", "机制", "工作法", "活动", "计划", "制度", "平台", "体系", "专题会", "工作站",
    "示范带", "党建带", "项目", "课堂", "讲坛", "联盟", "思路", "主题", "提升年", "工作室", "服务队",
)  # fmt: skip
HEAD = "|".join(HEADS)
HEAD_NEAR = re.compile(rf"^(?:[”“、]*等?)?[{HAN}0-9]{{0,10}}?(?:{HEAD})")
NUMBERED_PHRASE = re.compile(rf"^([{NUMERALS}][大条个项]?[{HAN}]{{0,6}}?(?:{HEAD}|带))")
RUN_GAP = re.compile(r"^[、和及与]?$")
# ``“稻鱼鸭”，是指…``: a quoted name the text goes on to define.
DEFINED_AFTER = re.compile(r"^\s*[，,]?\s*(?:是指|即|就是|指的是|也就是)")


@dataclass(frozen=True)
class QuotedSlogan:
    text: str
    start: int  # of the opening quote in its paragraph
    end: int  # after the closing quote
    kind: str  # numbered, model or programme


def numeral_total(text: str) -> int:
    """What the name counts: 三清一改 4, 五基三化 8; a numeral ending the name
    counts nothing (四统一 is 4)."""
    counted = text[:-1] if len(text) > 1 and text[-1] in NUMERAL_VALUE and text[-2] not in NUMERAL_VALUE else text
    return sum(NUMERAL_VALUE.get(c, 0) for c in counted if c in NUMERAL_VALUE)


def is_numbered(text: str) -> bool:
    """``1313``, ``135基层…``, ``五基三化``, ``四不四直``, ``两个确立``."""
    if text[0].isdigit():
        return True
    numerals = sum(c in NUMERALS for c in text)
    if numerals >= 2 and len(text) <= 6:
        return True
    # ``三变``, ``四必访``, ``五星支部``, ``三个清单``: a count, then what is counted.
    # (一 is left out: “一盘棋”, “一把手” are figures of speech.)
    return bool(re.match(f"^[{NUMERALS[1:]}](?:个|大|项|条)?[{HAN}]{{1,5}}$", text)) and len(text) <= 6


def is_model(text: str) -> bool:
    """``支部+合作社+基地+农户``: two or more named parts joined by ``+``."""
    parts = text.split("+")
    return len(parts) >= 2 and all(re.search(f"[{HAN}0-9]", p) for p in parts)


def has_slogan_shape(text: str, before: str) -> bool:
    if not 2 <= len(text) <= MAX_LENGTH or CLAUSE_MARK.search(text) or "□" in text:
        return False
    if not re.search(f"[{HAN}0-9]", text) or text.endswith("+"):
        return False
    return not SAYING.search(before[-8:])


def quote_runs(paragraph: str) -> list[list[re.Match[str]]]:
    """Adjacent quotes (“A”“B”、“C”) grouped: an enumeration shares its context."""
    runs: list[list[re.Match[str]]] = []
    for match in QUOTE.finditer(paragraph):
        if runs and RUN_GAP.match(paragraph[runs[-1][-1].end() : match.start()]):
            runs[-1].append(match)
        else:
            runs.append([match])
    return runs


def find_quoted_slogans(paragraph: str) -> list[QuotedSlogan]:
    found = []
    for run in quote_runs(paragraph):
        after_run = paragraph[run[-1].end() :]
        run_has_head = bool(HEAD_NEAR.match(after_run)) or bool(NUMBERED_PHRASE.match(after_run))
        for match in run:
            text = match.group(1)
            if not has_slogan_shape(text, paragraph[: match.start()]):
                continue
            after = paragraph[match.end() :]
            if is_model(text) and not text.endswith("+"):
                kind = "model"
            elif is_numbered(text):
                kind = "numbered"
            elif text.endswith(HEADS) or HEAD_NEAR.match(after) or (len(run) > 1 and run_has_head):
                kind = "programme"
            elif re.match(f"^[{NUMERALS}]", text) and HEAD_NEAR.match(after):
                kind = "numbered"
            elif DEFINED_AFTER.match(after):
                kind = "defined"
            else:
                continue
            found.append(QuotedSlogan(text, match.start(), match.end(), kind))
    return found


def find_named_groups(paragraph: str) -> list[tuple[str, list[str]]]:
    """``“A”“B”“C”三大专项行动``: an unquoted numbered name right after a run of
    quoted slogans names them as its parts."""
    groups = []
    for run in quote_runs(paragraph):
        if len(run) < 2:
            continue
        phrase = NUMBERED_PHRASE.match(paragraph[run[-1].end() :])
        if phrase:
            groups.append((phrase.group(1), [m.group(1) for m in run]))
    return groups


def article_slogans(paragraphs: list[str]) -> tuple[str, ...]:
    """The slogans an article quotes, in order of first use."""
    names: dict[str, None] = {}
    for paragraph in paragraphs:
        for slogan in find_quoted_slogans(paragraph):
            names.setdefault(slogan.text)
        for name, _ in find_named_groups(paragraph):
            names.setdefault(name)
    return tuple(names)
