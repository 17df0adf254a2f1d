"""Script folding between Simplified and Traditional Chinese, via OpenCC."""

from __future__ import annotations

from functools import cache

import opencc

# The version of the Traditional text of a page or search result (OpenCC's own version is keyed apart) (the
# build state keeps what this stage made per version).
VERSION = 1

SIMPLIFIED = "zh-Hans"
TRADITIONAL = "zh-Hant"
# ``[site] traditional``: which Traditional forms the zh-hant pages are in, as
# OpenCC's configuration for it.  OpenCC's standard forms (華爲, 啓動) are not
# the ones Taiwan's (華為, 啟動; "twp" also its words: 軟體) or Hong Kong's
# readers expect.
TRADITIONAL_FORMS = {"standard": "s2t", "tw": "s2tw", "twp": "s2twp", "hk": "s2hk"}
STANDARD_TRADITIONAL = "s2t"


@cache
def converter(config: str) -> opencc.OpenCC:
    # OpenCC loads its phrase tables once per config; keep one per process.
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return converter("t2s").convert(text)


def to_simplified_lines(lines: list[str]) -> list[str]:
    """Simplified forms of lines, one to one, converted in one OpenCC call
    (one call per line costs more than the conversion)."""
    folded = to_simplified("\n".join(lines)).split("\n")
    return folded if len(folded) == len(lines) else [to_simplified(line) for line in lines]


def to_traditional(text: str, form: str = STANDARD_TRADITIONAL) -> str:
    """``text`` in Traditional, in the forms of OpenCC's configuration ``form``."""
    return converter(form).convert(text)


def detect_script(text: str, simplified: str | None = None) -> str:
    """Traditional when folding to Simplified changes more characters than
    folding to Traditional does (``simplified``: the text folded already)."""
    simplified = to_simplified(text) if simplified is None else simplified
    # map over str.__ne__ counts in C: a generator per character cost more
    # than both conversions.
    changed_by_t2s = sum(map(str.__ne__, text, simplified))
    if not changed_by_t2s:  # nothing to fold: Simplified, whatever folding the other way would change
        return SIMPLIFIED
    changed_by_s2t = sum(map(str.__ne__, text, to_traditional(text)))
    return TRADITIONAL if changed_by_t2s > changed_by_s2t else SIMPLIFIED
