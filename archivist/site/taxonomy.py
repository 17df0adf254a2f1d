"""Site-wide tag groups: every region at every level, every initiative."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from archivist.model import Article
from archivist.text.slug import bucket, clean_slug, deduplicate, make_slug

# The version of how tags are named and slugged: bump it when a tag page's slug would change (the build state
# keeps what this stage made per version).
VERSION = 1


@dataclass
class RegionNode:
    code: str
    name: str
    level: int  # 0 province, 1 prefecture, 2 county
    parent: str | None
    articles: list[Article] = field(default_factory=list)  # this place and all below
    children: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"regions/{self.code}.html"


@dataclass
class InitiativeNode:
    name: str
    slug: str
    articles: list[Article] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"initiatives/{bucket(self.slug)}/{self.slug}.html"


@dataclass
class Taxonomy:
    regions: dict[str, RegionNode]
    initiatives: dict[str, InitiativeNode]

    @property
    def provinces(self) -> list[RegionNode]:
        return sorted((n for n in self.regions.values() if n.parent is None), key=lambda n: (-len(n.articles), n.code))

    @property
    def initiatives_by_count(self) -> list[InitiativeNode]:
        return sorted(self.initiatives.values(), key=lambda n: (-len(n.articles), n.name))

    def children(self, node: RegionNode) -> list[RegionNode]:
        return sorted((self.regions[c] for c in node.children), key=lambda n: (-len(n.articles), n.code))

    def ancestors(self, node: RegionNode) -> list[RegionNode]:
        chain = []
        while node.parent:
            node = self.regions[node.parent]
            chain.append(node)
        return chain[::-1]

    def region_of(self, code: str) -> RegionNode:
        return self.regions[code]

    def initiative(self, name: str) -> InitiativeNode:
        return self.initiatives[name]

    def to_json(self) -> dict[str, Any]:
        return {
            "regions": [
                {
                    "path": [a.name for a in self.ancestors(n)] + [n.name],
                    "codes": [a.code for a in self.ancestors(n)] + [n.code],
                    "count": len(n.articles),
                }
                for n in sorted(self.regions.values(), key=lambda n: n.code)
            ],
            "initiatives": [{"name": n.name, "count": len(n.articles)} for n in self.initiatives_by_count],
        }


def build_taxonomy(articles: list[Article], slugs: dict[str, str] | None = None) -> Taxonomy:
    """Region and initiative nodes.  ``slugs`` keeps each initiative name's
    slug between builds (pinyin is slow to look up); it is left holding the
    names this build used."""
    regions: dict[str, RegionNode] = {}
    for article in articles:
        seen: set[str] = set()
        for region in article.regions:
            parent = None
            for level, (name, code) in enumerate(zip(region.names, region.codes, strict=True)):
                node = regions.get(code)
                if node is None:
                    node = regions[code] = RegionNode(code, name, level, parent)
                    if parent:
                        regions[parent].children.append(code)
                if code not in seen:
                    node.articles.append(article)
                    seen.add(code)
                parent = code
    by_name: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for name in article.initiatives:
            by_name[name].append(article)
    names = sorted(by_name)
    known = {} if slugs is None else slugs
    bases = {name: known.get(name) or clean_slug(make_slug(name, None)) or "initiative" for name in names}
    if slugs is not None:
        slugs.clear()
        slugs.update(bases)
    unique = deduplicate(bases[name] for name in names)
    initiatives = {name: InitiativeNode(name, slug, by_name[name]) for name, slug in zip(names, unique, strict=True)}
    return Taxonomy(regions, initiatives)
