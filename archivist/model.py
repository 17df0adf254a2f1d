"""The data passed between pipeline stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from archivist.text.clean import Block


def page_path(slug: str, date: str | None) -> str:
    """An article's page, in a folder per year: no folder grows past what
    one year of the archive holds."""
    return f"articles/{date[:4] if date else 'undated'}/{slug}.html"


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Region:
    """A place from the gazetteer, as its path of full names and codes."""

    names: tuple[str, ...]
    codes: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/".join(self.names)


@dataclass(frozen=True, slots=True)  # slots: an archive holds one per article
class Article:
    path: str
    kind: str
    encoding: str
    script: str
    title: str
    title_derived: bool
    channel: str | None
    date: str | None
    source: str | None
    authors: tuple[Author, ...]
    editor: str | None
    slug: str
    blocks: tuple[Block, ...]
    original_text: str
    warnings: tuple[str, ...]
    draft: bool = False
    content_hash: str = ""
    regions: tuple[Region, ...] = ()
    initiatives: tuple[str, ...] = ()
    slogans: tuple[str, ...] = ()
    dateline: str = ""  # the filing prefix of the first paragraph (新华社兰州11月3日电)
    dropped: tuple[tuple[str, str], ...] = ()  # lines set aside as site furniture, and why
    front_matter: dict[str, Any] = field(default_factory=dict, compare=False)
    url: str | None = None  # the original's address, when a saved page declares it

    @property
    def headings(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == "h"]

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == "p"]

    @property
    def captions(self) -> list[str]:
        """Images' captions (or alt texts): searched like the text."""
        return [block.text for block in self.blocks if block.kind == "figure" and block.text]

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None

    @property
    def page_path(self) -> str:
        return page_path(self.slug, self.date)

    def to_json(self) -> dict[str, Any]:
        """The ``inspect`` contract."""
        return {
            "path": self.path,
            "encoding": self.encoding,
            "script": self.script,
            "title": self.title,
            "title_derived": self.title_derived,
            "channel": self.channel,
            "date": self.date,
            "source": self.source,
            "authors": [asdict(author) for author in self.authors],
            "editor": self.editor,
            "slug": self.slug,
            "headings": self.headings,
            "paragraphs": self.paragraphs,
            "regions": [list(region.names) for region in self.regions],
            "region_codes": [list(region.codes) for region in self.regions],
            "initiatives": list(self.initiatives),
            "slogans": list(self.slogans),
            "warnings": list(self.warnings),
            "dropped": [{"line": line, "reason": reason} for line, reason in self.dropped],
            **({"url": self.url} if self.kind == "html" else {}),
            **({"images": [b.src for b in self.blocks if b.kind == "figure"]} if self.kind == "html" else {}),
        }


@dataclass(frozen=True)
class Failure:
    """A content file that did not become an article."""

    path: str
    error: str
    # Lines set aside before the file was refused, and why: kept for `inspect`
    # only (a build leaves them out, as it does an article's).
    dropped: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        found = {"dropped": [{"line": line, "reason": reason} for line, reason in self.dropped]}
        return {"path": self.path, "error": self.error, **(found if self.dropped else {})}


@dataclass
class Corpus:
    """Every article of a content folder, and every file that failed."""

    articles: list[Article] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # site-wide warnings
    editorial: Any = None  # the editors' curation files (editorial.Editorial)

    @property
    def warning_count(self) -> int:
        return sum(len(a.warnings) for a in self.articles) + len(self.notices)

    def errors(self) -> list[str]:
        return [f"error: {failure.path}: {failure.error}" for failure in self.failures]

    def warnings(self) -> list[str]:
        """Every warning, each naming its file, as the build prints them."""
        lines = [f"warning: {article.path}: {warning}" for article in self.articles for warning in article.warnings]
        return lines + [f"warning: {notice}" for notice in self.notices]
