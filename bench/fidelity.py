"""Normalisation fidelity over fixture corpora of scrapes whose right answer
is written down (``expected.yaml`` beside them): per-field accuracy, site
furniture left in the body, article lines lost, false regions.

    python bench/fidelity.py [FOLDER ...]   (default: the fixture corpora)

A field is right when it equals the expected value (titles and sources
compared without spaces and with full-width punctuation read as ASCII).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivist.ingest.reading import normalise_file
from archivist.model import Article
from archivist.site.glossary import build_glossary
from archivist.text.clean import remove_pinyin_notes
from archivist.text.script import to_simplified

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [
    ROOT / "tests" / "fixtures" / "scrapes",
    ROOT / "tests" / "fixtures" / "holdout",
    ROOT / "tests" / "fixtures" / "pages",  # saved web pages of the same articles as scrapes/
    ROOT / "tests" / "fixtures" / "pages-holdout",  # saved pages of other sites, written apart from the rules
]
FIELDS = ("title", "date", "source", "editor", "authors", "regions", "meanings")
DATELINE_END = re.compile(r"^.{0,40}?(?:电|讯|报道)\s*(?:[(（][^)）]{0,40}[)）])?\s*[:：]?")


def plain(text: str | None) -> str:
    """For comparing titles and sources: no spaces, ASCII punctuation."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", to_simplified(text or "")))


def skeleton(text: str) -> str:
    """Only the words: Han, letters and digits, Simplified, no pinyin notes."""
    folded = unicodedata.normalize("NFKC", to_simplified(remove_pinyin_notes(text))).lower()
    return "".join(re.findall(r"[\u3400-\u9fff\uf900-\ufaffa-z0-9]+", folded))


@dataclass
class Tally:
    files: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    counted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    furniture_lines: int = 0
    leaked: list[str] = field(default_factory=list)
    body_lines: int = 0
    lost: list[str] = field(default_factory=list)
    false_regions: list[str] = field(default_factory=list)
    unwarned: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    images: int = 0  # saved pages: images the page's article shows, saved beside it
    images_kept: int = 0
    canonical: int = 0
    canonical_right: int = 0

    def score(self, name: str, ok: bool, detail: str) -> None:
        self.counted[name] += 1
        self.right[name] += ok
        if not ok:
            self.wrong.append(detail)


def article_blocks(article: Article) -> list[str]:
    """The title and the text blocks; a figure's caption is kept with its
    image, not as a line of the article."""
    texts = (skeleton(block.text) for block in article.blocks if block.kind != "figure")
    return [skeleton(article.title), *texts]


def leaked(line: str, blocks: list[str]) -> bool:
    """A furniture line is left when a block is it, or holds it whole (for
    lines long enough not to occur in prose by chance)."""
    words = skeleton(line)
    if not words:
        return False
    return any(block == words or (len(words) >= 8 and words in block) for block in blocks[1:])


def kept(line: str, text: str) -> bool:
    words = skeleton(line)
    if words in text:
        return True
    # A dateline may be read off the paragraph it opens.
    rest = skeleton(DATELINE_END.sub("", to_simplified(line), count=1))
    return bool(rest) and rest in text


def check(folder: Path, tally: Tally) -> None:
    expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
    articles: dict[str, Article] = {}
    for name, want in expected.items():
        result = normalise_file(folder / name)
        tally.files += 1
        if not isinstance(result, Article):
            tally.wrong.append(f"{name}: failed: {result.error}")
            for item in FIELDS[:-1]:
                tally.counted[item] += 1
            tally.lost.extend(f"{name}: {line}" for line in want["body"])
            continue
        articles[name] = result
        got = result
        tally.score(
            "title", plain(got.title) == plain(want["title"]), f"{name}: title {got.title!r} != {want['title']!r}"
        )
        tally.score("date", got.date == want["date"], f"{name}: date {got.date!r} != {want['date']!r}")
        tally.score(
            "source", plain(got.source) == plain(want["source"]), f"{name}: source {got.source!r} != {want['source']!r}"
        )
        tally.score(
            "editor", (got.editor or None) == want["editor"], f"{name}: editor {got.editor!r} != {want['editor']!r}"
        )
        authors = sorted((a.name, a.role) for a in got.authors)
        wanted = sorted((a["name"], a["role"]) for a in want["authors"])
        tally.score("authors", authors == wanted, f"{name}: authors {authors} != {wanted}")
        regions = {tuple(r.names) for r in got.regions}
        wanted_regions = {tuple(r) for r in want["regions"]}
        tally.score(
            "regions", regions == wanted_regions, f"{name}: regions {sorted(regions)} != {sorted(wanted_regions)}"
        )
        for region in regions:
            if not any(region == w[: len(region)] for w in wanted_regions):
                tally.false_regions.append(f"{name}: {'/'.join(region)}")
        blocks = article_blocks(got)
        for line in [*want["furniture"], *want["meta"]]:
            tally.furniture_lines += 1
            if leaked(line, blocks):
                tally.leaked.append(f"{name}: {line}")
        text = "".join(blocks[1:])
        for line in want["body"]:
            tally.body_lines += 1
            if not kept(line, text):
                tally.lost.append(f"{name}: {line}")
        if "canonical" in want:
            tally.canonical += 1
            tally.canonical_right += got.url == want["canonical"]
            if got.url != want["canonical"]:
                tally.wrong.append(f"{name}: canonical {got.url!r} != {want['canonical']!r}")
        saved = [image for image in want.get("images") or [] if (folder / image["src"]).is_file()]
        shown = {block.src: block.text for block in got.blocks if block.kind == "figure"}
        tally.images += len(saved)
        for image in saved:
            # Kept, with its caption (or alt text) as the page gives it.
            right = image["src"] in shown and plain(shown[image["src"]]) == plain(image["alt_or_caption"].lstrip("▲ "))
            tally.images_kept += right
            if not right:
                tally.wrong.append(f"{name}: image {image['src']}: {shown.get(image['src'])!r}")
        for item in ("title", "date", "source"):
            missing = want[item] is None or (item == "title" and got.title_derived)
            if missing and not any(f"'{item}'" in w for w in got.warnings):
                tally.unwarned.append(f"{name}: {item}")
    glossary = build_glossary(list(articles.values()))
    for name, want in expected.items():
        for slogan, meaning in (want.get("meanings") or {}).items():
            entry = glossary.get(slogan)
            got = entry.meaning if entry else None
            tally.score(
                "meanings", plain(got) == plain(meaning), f"{name}: meaning of {slogan}: {got!r} != {meaning!r}"
            )


def side_by_side(tallies: dict[str, Tally]) -> list[str]:
    """One row per figure, one column per corpus."""
    names = list(tallies)
    rows = [f"{'':<22}" + "".join(f"{name:>16}" for name in names)]
    rows.append(f"{'files':<22}" + "".join(f"{tallies[n].files:>16}" for n in names))

    def cell(right: int, counted: int) -> str:
        return f"{right}/{counted} {right / counted:.1%}" if counted else "-"

    for item in FIELDS:
        rows.append(
            f"{item:<22}" + "".join(f"{cell(tallies[n].right[item], tallies[n].counted[item]):>16}" for n in names)
        )
    for label, count, total in (
        ("furniture lines left", lambda t: len(t.leaked), lambda t: t.furniture_lines),
        ("article lines lost", lambda t: len(t.lost), lambda t: t.body_lines),
    ):
        rows.append(f"{label:<22}" + "".join(f"{f'{count(tallies[n])} / {total(tallies[n])}':>16}" for n in names))
    rows.append(f"{'false regions':<22}" + "".join(f"{len(tallies[n].false_regions):>16}" for n in names))
    rows.append(f"{'missing, not warned':<22}" + "".join(f"{len(tallies[n].unwarned):>16}" for n in names))
    rows.append(
        f"{'canonical address':<22}"
        + "".join(f"{cell(tallies[n].canonical_right, tallies[n].canonical):>16}" for n in names)
    )
    rows.append(
        f"{'images and captions':<22}"
        + "".join(f"{cell(tallies[n].images_kept, tallies[n].images):>16}" for n in names)
    )
    return rows


def report(label: str, tally: Tally, verbose: bool) -> list[str]:
    rows = [f"== {label}: {tally.files} files =="]
    for name in FIELDS:
        if tally.counted[name]:
            share = tally.right[name] / tally.counted[name]
            rows.append(f"{name:<22} {tally.right[name]:>4} / {tally.counted[name]:<4} {share:7.1%}")
    rows.append(f"{'furniture lines left':<22} {len(tally.leaked):>4} / {tally.furniture_lines}")
    rows.append(f"{'article lines lost':<22} {len(tally.lost):>4} / {tally.body_lines}")
    rows.append(f"{'false regions':<22} {len(tally.false_regions):>4}")
    rows.append(f"{'missing, not warned':<22} {len(tally.unwarned):>4}")
    if verbose:
        for title, items in (
            ("wrong", tally.wrong),
            ("left", tally.leaked),
            ("lost", tally.lost),
            ("false regions", tally.false_regions),
            ("not warned", tally.unwarned),
        ):
            rows += [f"  {title}: {item}" for item in items]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    tallies = {}
    for folder in args.folders or [c for c in CORPORA if (c / "expected.yaml").exists()]:
        tally = Tally()
        check(folder, tally)
        tallies[folder.name] = tally
    # Text scrapes and saved pages of the same articles, side by side.
    print("\n".join(side_by_side(tallies)))
    if args.verbose:
        for name, tally in tallies.items():
            print("\n".join(report(name, tally, verbose=True)))


if __name__ == "__main__":
    main()
