"""Region tags from the gazetteer, and initiative tags from quoted programme names.

Both run on the cleaned Simplified text: the title weighs most, then the lead
(the first two paragraphs), then the body.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from archivist.ingest.read import ReadError
from archivist.model import Article, Region
from archivist.tag.gazetteer import Gazetteer, Unit, leftmost_longest
from archivist.text.clean import HAN
from archivist.text.script import to_simplified

TITLE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT = 3, 2, 1
LEAD_PARAGRAPHS = 2
# A place name followed by one of these is part of a smaller place's name:
# 龙口村, 大平山镇, 陆川县乌石镇 is fine (the county is followed by a town name).
SMALLER_PLACE = re.compile(r"^(?:村|镇|乡|街道|街|路|社区|屯|组|寨|坡|港口|大道|小区)")
# ... or of a river, lake or landmark named after the place (图们江, 洱海).
NAMED_AFTER = re.compile(r"^(?:江|河|湖|海|峡|水库|大桥|机场|火车站|高铁站)")
# A place whose weight is below this share of the strongest place's is said
# in passing (运往广东、上海等地), not what the article is about.
MINOR_SHARE = 0.25


def zones(title: str, paragraphs: list[str]) -> list[tuple[str, int]]:
    return [
        (title, TITLE_WEIGHT),
        *((p, LEAD_WEIGHT) for p in paragraphs[:LEAD_PARAGRAPHS]),
        *((p, BODY_WEIGHT) for p in paragraphs[LEAD_PARAGRAPHS:]),
    ]


@dataclass(frozen=True)
class Mention:
    name: str
    short: bool
    weight: int
    position: int  # order of appearance over all zones


def scan_names(gazetteer: Gazetteer, text: str) -> Iterable[tuple[int, str, bool]]:
    """Leftmost-longest matches of full names and short forms."""
    for start, name in leftmost_longest(gazetteer.matcher, text):
        yield start, name, name not in gazetteer.by_full


def find_mentions(gazetteer: Gazetteer, title: str, paragraphs: list[str]) -> list[Mention]:
    mentions = []
    position = 0
    for text, weight in zones(title, paragraphs):
        for offset, name, short in scan_names(gazetteer, text):
            after = text[offset + len(name) :]
            if (short and SMALLER_PLACE.match(after)) or NAMED_AFTER.match(after):
                continue
            mentions.append(Mention(name, short, weight, position + offset))
        position += len(text) + 1
    return mentions


def mentioned(gazetteer: Gazetteer, unit: Unit, names: set[str], besides: str) -> bool:
    """Whether the text names ``unit`` by a form other than ``besides`` (the
    mention being resolved cannot vouch for itself: 朝阳 for 朝阳市/朝阳县)."""
    return any(form in names and form != besides for form in gazetteer.forms(unit.code))


def resolve(gazetteer: Gazetteer, mention: Mention, names: set[str]) -> str | None:
    """The one unit a mention means, or None.  A short form needs its parent
    in the text; a full name shared by several places needs an ancestor."""
    table = gazetteer.by_short if mention.short else gazetteer.by_full
    candidates = table[mention.name]
    supported = []
    for code in candidates:
        unit = gazetteer.units[code]
        ancestors = gazetteer.path(code)[:-1]
        if unit.level == "province":
            supported.append((False, code))
        elif mention.short:
            assert unit.parent is not None  # only a province has no parent
            if mentioned(gazetteer, gazetteer.units[unit.parent], names, mention.name):
                supported.append((True, code))
        elif len(candidates) == 1:
            supported.append((any(mentioned(gazetteer, a, names, mention.name) for a in ancestors), code))
        elif any(mentioned(gazetteer, a, names, mention.name) for a in ancestors):
            supported.append((True, code))
    anchored = [code for has_ancestor, code in supported if has_ancestor]
    if len(anchored) == 1:
        return anchored[0]
    return supported[0][1] if len(supported) == 1 else None


def said_once_in_passing(gazetteer: Gazetteer, code: str, weight: dict[str, int], said: Counter[str]) -> bool:
    """A county or city named once outside the title, by any of its forms,
    with nothing above it named: beside a place the article is more about,
    more often a word that looks like a place (模范县, 会同县农业农村局)."""
    unit = gazetteer.units[code]
    if unit.level == "province" or weight[code] >= TITLE_WEIGHT:
        return False
    if sum(said[form] for form in gazetteer.forms(code)) > 1:
        return False
    ancestors = gazetteer.path(code)[:-1]
    return not any(said[form] for ancestor in ancestors for form in gazetteer.forms(ancestor.code))


def find_regions(gazetteer: Gazetteer, title: str, paragraphs: list[str]) -> tuple[Region, ...]:
    """Region paths ordered by weight, deepest places only (an ancestor's
    weight counts for the places below it)."""
    mentions = find_mentions(gazetteer, title, paragraphs)
    names = {m.name for m in mentions}
    weight: dict[str, int] = defaultdict(int)
    said = Counter(mention.name for mention in mentions)
    first: dict[str, int] = {}
    for mention in mentions:
        code = resolve(gazetteer, mention, names)
        if code:
            weight[code] += mention.weight
            first.setdefault(code, mention.position)
    found = set(weight)
    leaves = [code for code in found if not any(code in {u.code for u in gazetteer.path(o)[:-1]} for o in found)]
    scored = []
    for code in leaves:
        chain = gazetteer.path(code)
        total = sum(weight.get(unit.code, 0) for unit in chain)
        scored.append((-total, first[code], code, chain))
    strongest = max((-total for total, *_ in scored), default=0)
    salient = [
        item
        for item in scored
        if -item[0] >= strongest * MINOR_SHARE
        and not (-item[0] < strongest and said_once_in_passing(gazetteer, item[2], weight, said))
    ]
    return tuple(Region(tuple(u.name for u in chain), tuple(u.code for u in chain)) for *_, chain in sorted(salient))


QUOTED = re.compile(r"[“「]([^“”「」。！？\n]{2,24})[”」]")
HEADS = ("工程", "行动", "品牌", "模式", "机制", "工作法", "活动", "计划", "战略", "制度", "体系", "工作室", "联盟")
HEAD_AFTER = re.compile(rf"^[{HAN}]{{0,6}}?(?:{'|'.join(HEADS)})")
LAUNCH = re.compile(
    rf"(?:开展了?|实施了?|推进|推动|启动了?|推行|深化|创新|打造|建立了?|构建了?)([{HAN}0-9]{{4,16}}?(?:{'|'.join(HEADS)}))"
)
MAX_INITIATIVES = 3
MIN_SALIENCE = 3


@dataclass(frozen=True)
class Curation:
    """Editors' word on initiatives: canonical names with aliases, and noise."""

    aliases: dict[str, str] = field(default_factory=dict)  # alias -> name
    names: frozenset[str] = frozenset()
    hidden: frozenset[str] = frozenset()

    def canonical(self, name: str) -> str:
        return self.aliases.get(name, name)


def candidates(paragraphs: list[str], title: str) -> set[str]:
    """Quoted names that end with, or are followed by, a programme head word,
    and unquoted ones that follow a launching verb."""
    found = set()
    for text in (title, *paragraphs):
        for match in QUOTED.finditer(text):
            name = match.group(1)
            if re.search(r"[，,：:；;]", name) or len(re.findall(f"[{HAN}0-9]", name)) < 2 or name.endswith("+"):
                continue
            if name.endswith(HEADS) or HEAD_AFTER.match(text[match.end() :]):
                found.add(name)
        for match in LAUNCH.finditer(text):
            found.add(match.group(1))
    return found


def count_uses(name: str, zone_texts: list[tuple[str, int]]) -> int:
    """Salience: weighted uses, counting each part of an enumerated name
    (``红旗乡镇、红旗村``) as a use."""
    parts = [name, *(p for p in name.split("、") if len(p) >= 2 and "、" in name)]
    return sum(weight * max(text.count(part) for part in parts) for text, weight in zone_texts)


def described_in_title(name: str, paragraphs: list[str], title: str) -> bool:
    """``党建联建“五共”模式`` under a title about 党建联建: the words just
    before the quoted name are the title's subject."""
    for paragraph in paragraphs:
        for match in re.finditer(f"“{re.escape(name)}”", paragraph):
            before = paragraph[max(0, match.start() - 6) : match.start()]
            if any(before[i : i + 4] in title for i in range(len(before) - 3)):
                return True
    return False


def find_initiatives(title: str, paragraphs: list[str], curation: Curation) -> tuple[str, ...]:
    zone_texts = zones(title, paragraphs)
    text = "\n".join(t for t, _ in zone_texts)
    found = candidates(paragraphs, title)
    names = {curation.canonical(n) for n in found}
    names |= {name for name in curation.names if name in text}
    names |= {curation.canonical(alias) for alias in curation.aliases if alias in text}
    names -= curation.hidden
    # A name that ends another (三年行动 in 基层党建示范引领三年行动) is its variant.
    names = {n for n in names if not any(o != n and o.endswith(n) for o in names)}
    scored = []
    for name in names:
        forms = [name, *(a for a, n in curation.aliases.items() if n == name)]
        for other in found:
            if other != name and name.endswith(other):
                forms.append(other)
        salience = max(count_uses(form, zone_texts) for form in forms)
        if described_in_title(name, paragraphs, title):
            salience += TITLE_WEIGHT
        threshold = MIN_SALIENCE - 1 if name in curation.names else MIN_SALIENCE
        if salience >= threshold:
            scored.append((-salience, name))
    return tuple(name for _, name in sorted(scored)[:MAX_INITIATIVES])


class CurationError(Exception):
    """An initiatives file that cannot be used; the message names the problem."""


def parse_curation(data: object) -> Curation:
    """``initiatives: [{name, aliases}]`` and ``hide: [names]``."""
    if data is None:
        return Curation()
    if not isinstance(data, dict) or set(data) - {"initiatives", "hide"}:
        raise CurationError("expected a mapping with 'initiatives' and 'hide'")
    aliases: dict[str, str] = {}
    names = set()
    for entry in data.get("initiatives") or []:
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise CurationError(f"each initiative needs a name, not {entry!r}")
        names.add(entry["name"])
        for alias in entry.get("aliases") or []:
            if not isinstance(alias, str):
                raise CurationError(f"alias of {entry['name']!r} must be text, not {alias!r}")
            aliases[alias] = entry["name"]
    hidden = data.get("hide") or []
    if not isinstance(hidden, list) or not all(isinstance(h, str) for h in hidden):
        raise CurationError("'hide' must be a list of names")
    return Curation(aliases=aliases, names=frozenset(names), hidden=frozenset(hidden))


def tag_article(article: Article, gazetteer: Gazetteer, curation: Curation) -> Article:
    """Regions and initiatives, found or, where front matter gives them, taken."""
    front = article.front_matter
    if "regions" in front:
        regions = regions_from_front_matter(gazetteer, front["regions"])
    else:
        regions = find_regions(gazetteer, article.title, about_text(article))
    if "initiatives" in front:
        given = front["initiatives"]
        if not isinstance(given, list) or not all(isinstance(i, str) for i in given):
            raise ReadError("front matter 'initiatives' must be a list of names")
        initiatives = tuple(dict.fromkeys(curation.canonical(to_simplified(i)) for i in given))
    else:
        initiatives = find_initiatives(article.title, article.paragraphs, curation)
    return replace(article, regions=regions, initiatives=initiatives)


def about_text(article: Article) -> list[str]:
    """The paragraphs, without the dateline's filing city: a report filed
    from 兰州 is not about 兰州 unless its text says so."""
    paragraphs = list(article.paragraphs)
    if article.dateline and paragraphs and paragraphs[0].startswith(article.dateline):
        paragraphs[0] = paragraphs[0][len(article.dateline) :]
    return paragraphs


def regions_from_front_matter(gazetteer: Gazetteer, value: object) -> tuple[Region, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ReadError("front matter 'regions' must be a list like [江西省/赣州市/瑞金市]")
    regions = []
    for path in value:
        chain = gazetteer.resolve_path(to_simplified(path))
        if chain is None:
            raise ReadError(f"front matter 'regions': unknown region {path!r}")
        regions.append(Region(tuple(u.name for u in chain), tuple(u.code for u in chain)))
    return tuple(regions)
