"""Glossary entries and their uses: what the glossary's pages and the article pages'
slogan links are rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from archivist.model import page_path
from archivist.text.script import to_traditional
from archivist.text.slug import bucket


@dataclass(frozen=True, slots=True)
class Use:
    slug: str
    anchor: str
    context: str
    date: str | None
    title: str

    @property
    def page(self) -> str:
        return page_path(self.slug, self.date)


@dataclass
class Entry:
    slogan: str
    kind: str
    key: str = ""  # file name of its page
    meaning: str = ""
    meaning_source: tuple[str, str] | None = None  # (article slug, paragraph anchor)
    meaning_names_parts: bool = False  # the meaning lists what the slogan is made of
    parts: list[str] = field(default_factory=list)
    part_of: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    index_key: tuple[str, tuple[str, ...]] = ("", ())  # index letter and pinyin, for the glossary's order

    @cached_property
    def traditional(self) -> str:
        return to_traditional(self.slogan)

    @property
    def first_use(self) -> str | None:
        dates = [u.date for u in self.uses if u.date]
        return min(dates) if dates else None

    @property
    def path(self) -> str:
        return f"glossary/{bucket(self.key)}/{self.key}.html"

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(u.slug for u in self.uses))

    def to_json(self) -> dict[str, Any]:
        source = None
        if self.meaning_source:
            source = {"article": self.meaning_source[0], "paragraph": self.meaning_source[1]}
        return {
            "slogan": self.slogan,
            "traditional": self.traditional,
            "kind": self.kind,
            "meaning": self.meaning,
            "meaning_source": source,
            "parts": self.parts,
            "part_of": self.part_of,
            "related": self.related,
            "first_use": self.first_use,
            "uses": [{"article": u.slug, "paragraph": u.anchor, "context": u.context} for u in self.uses],
        }


@dataclass
class Glossary:
    entries: dict[str, Entry]
    by_article: dict[str, list[Entry]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.ordered():
            for slug in entry.articles:
                self.by_article.setdefault(slug, []).append(entry)

    def ordered(self) -> list[Entry]:
        return sorted(self.entries.values(), key=lambda e: (e.key, e.slogan))

    def for_article(self, slug: str) -> list[Entry]:
        return self.by_article.get(slug, [])

    def get(self, slogan: str) -> Entry | None:
        return self.entries.get(slogan)
