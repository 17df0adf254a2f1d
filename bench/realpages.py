"""Real pages of real sites, read by this project and by its peers, scored
against marks made by hand (``tests/fixtures/real-pages``).

    python bench/realpages.py [--split dev|holdout|all] [-v]

Each page is read two ways by this project: the saved ``.html``, and its
visible text as a scraper copies it (``dumps/``, made by
``bench/textdump.py``: Chromium's ``innerText`` with scripts off).
trafilatura (defaults), readability-lxml and GNE read the same saved pages,
decoded the same way.  Scores:

- title, source, editor: equal after NFKC, Traditional->Simplified folding
  and with spaces removed; authors: the same set of names; date: equal to
  the mark at the mark's precision (a page that shows no date is right
  when none is given).  For text dumps the date counts only where the page
  shows one.
- body precision / recall / F1: character bigrams (with repeats) of the
  extracted text against the marked text, same folding, spaces removed,
  mean over pages.
- furniture lines left: lines of the page's visible text that are not
  article (not in the marked text, not its title or metadata, six
  characters or more) and that the extracted text still holds.
- pages/s per core: this project's reading rate, one process.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivist.ingest.read import decode_page
from archivist.ingest.reading import normalise_data
from archivist.model import Article
from bench.fidelity import plain as fold  # NFKC, Simplified, no spaces: how every field and text is compared

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "real-pages"
MIN_FURNITURE = 6  # characters a furniture line needs to be counted (shorter ones occur in prose by chance)


@dataclass(frozen=True)
class Mark:
    name: str
    split: str
    title: str
    date: str | None
    date_shown: bool
    authors: tuple[str, ...]
    source: str | None
    editor: str | None
    body: str


@dataclass
class Reading:
    title: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    source: str | None = None
    editor: str | None = None
    text: str = ""


def load_marks(corpus: Path, split: str) -> list[Mark]:
    marks = yaml.safe_load((corpus / "marks.yaml").read_text(encoding="utf-8"))
    found = []
    for name, mark in sorted(marks.items()):
        if split != "all" and mark["split"] != split:
            continue
        found.append(
            Mark(
                name=name,
                split=mark["split"],
                title=mark["title"],
                date=None if mark["date"] is None else str(mark["date"]),
                date_shown=bool(mark.get("date_shown")),
                authors=tuple(mark.get("authors") or ()),
                source=mark.get("source"),
                editor=mark.get("editor"),
                body=(corpus / "marked" / f"{name}.txt").read_text(encoding="utf-8"),
            )
        )
    return found


def bigrams(text: str) -> Counter[str]:
    folded = fold(text)
    return Counter(folded[i : i + 2] for i in range(len(folded) - 1))


def body_scores(got: str, want: str) -> tuple[float, float, float]:
    got_grams, want_grams = bigrams(got), bigrams(want)
    common = sum((got_grams & want_grams).values())
    precision = common / sum(got_grams.values()) if got_grams else 0.0
    recall = common / sum(want_grams.values()) if want_grams else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def date_right(got: str | None, want: str | None) -> bool:
    if want is None:
        return got is None
    if got is None:
        return False
    got, want = got.replace(" ", "T"), want.replace(" ", "T")
    return got[: len(want)] == want


def furniture_lines(mark: Mark, dump: str) -> list[str]:
    """Lines of the page's visible text that are not the article."""
    body = fold(mark.body)
    article = {fold(mark.title), *(fold(a) for a in mark.authors)}
    found = []
    for line in dump.split("\n"):
        folded = fold(line)
        if len(folded) < MIN_FURNITURE or folded in body or folded in article:
            continue
        if any(folded in fold(value) or fold(value) in folded for value in (mark.title,) if value):
            continue
        found.append(folded)
    return found


# -- readers ----------------------------------------------------------------


def article_reading(article: Article) -> Reading:
    text = "\n".join(block.text for block in article.blocks if block.kind != "figure")
    return Reading(
        title=article.title,
        date=article.date,
        authors=tuple(a.name for a in article.authors),
        source=article.source,
        editor=article.editor,
        text=text,
    )


def ours(path: Path) -> Reading:
    result = normalise_data(path.name, path.read_bytes())
    return article_reading(result) if isinstance(result, Article) else Reading()


def page_text(path: Path) -> str:
    return decode_page(path.read_bytes())[0]


def with_trafilatura(path: Path) -> Reading:
    import trafilatura

    document = trafilatura.bare_extraction(page_text(path), with_metadata=True)
    found = document.as_dict() if document is not None else {}
    authors = tuple(a for a in re.split(r"[;；,，、\s]+", found.get("author") or "") if a)
    return Reading(title=found.get("title"), date=found.get("date"), authors=authors, text=found.get("text") or "")


def with_readability(path: Path) -> Reading:
    import lxml.html
    from readability import Document

    document = Document(page_text(path))
    summary = lxml.html.fromstring(document.summary())
    return Reading(title=document.short_title(), text=summary.text_content())


def with_gne(path: Path) -> Reading:
    from gne import GeneralNewsExtractor

    found = GeneralNewsExtractor().extract(page_text(path))
    date = found.get("publish_time") or None
    authors = tuple(a for a in re.split(r"[;；,，、\s]+", found.get("author") or "") if a)
    return Reading(
        title=found.get("title"), date=parse_any_date(date), authors=authors, text=found.get("content") or ""
    )


def parse_any_date(text: str | None) -> str | None:
    from archivist.text.extract import parse_date

    return parse_date(text) if text else None


# -- scoring ----------------------------------------------------------------


@dataclass
class Score:
    reader: str
    fields: dict[str, list[bool]] = field(default_factory=lambda: {k: [] for k in FIELDS})
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    furniture: int = 0
    furniture_left: int = 0
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def field(self, name: str, ok: bool, detail: str) -> None:
        self.fields[name].append(ok)
        if not ok:
            self.misses.append(detail)


FIELDS = ("title", "date", "authors", "source", "editor")


def score(reader: str, mark: Mark, got: Reading, dump: str, tally: Score, scored: tuple[str, ...]) -> None:
    n = mark.name[:8]
    if "title" in scored:
        tally.field("title", fold(got.title) == fold(mark.title), f"{n} title {got.title!r} != {mark.title!r}")
    if "date" in scored and (mark.date_shown or not reader.endswith("dump")):
        tally.field("date", date_right(got.date, mark.date), f"{n} date {got.date!r} != {mark.date!r}")
    if "authors" in scored:
        ok = sorted(map(fold, got.authors)) == sorted(map(fold, mark.authors))
        tally.field("authors", ok, f"{n} authors {list(got.authors)} != {list(mark.authors)}")
    for name in ("source", "editor"):
        if name in scored:
            value, want = getattr(got, name), getattr(mark, name)
            tally.field(name, fold(value) == fold(want), f"{n} {name} {value!r} != {want!r}")
    precision, recall, f1 = body_scores(got.text, mark.body)
    tally.precision.append(precision)
    tally.recall.append(recall)
    tally.f1.append(f1)
    if f1 < 0.9:
        tally.misses.append(f"{n} body P {precision:.2f} R {recall:.2f}")
    text = fold(got.text)
    for line in furniture_lines(mark, dump):
        tally.furniture += 1
        if line in text:
            tally.furniture_left += 1
            tally.misses.append(f"{n} furniture left: {line[:40]}")


READERS: dict[str, tuple[Callable[[Path], Reading], str, tuple[str, ...]]] = {
    # name: (reader, which form it reads, fields it gives)
    "this project, saved page": (ours, "pages", FIELDS),
    "this project, text dump": (ours, "dumps", FIELDS),
    "trafilatura (defaults)": (with_trafilatura, "pages", ("title", "date", "authors")),
    "readability-lxml": (with_readability, "pages", ("title",)),
    "GNE": (with_gne, "pages", ("title", "date", "authors")),
}


def form_path(corpus: Path, form: str, name: str) -> Path:
    return corpus / form / f"{name}.{'html' if form == 'pages' else 'txt'}"


def run(corpus: Path, split: str, readers: list[str]) -> list[Score]:
    marks = load_marks(corpus, split)
    scores = []
    for reader in readers:
        read, form, scored = READERS[reader]
        tally = Score(reader)
        for mark in marks:
            dump = form_path(corpus, "dumps", mark.name).read_text(encoding="utf-8")
            started = time.perf_counter()
            try:
                got = read(form_path(corpus, form, mark.name))
            except Exception as error:  # a peer that fails on a page scores nothing on it
                tally.misses.append(f"{mark.name[:8]} failed: {error!r}")
                got = Reading()
            tally.seconds += time.perf_counter() - started
            score(reader + (" dump" if form == "dumps" else ""), mark, got, dump, tally, scored)
        scores.append(tally)
    return scores


def table(scores: list[Score], pages: int) -> list[str]:
    head = f"{'reader':<26}" + "".join(f"{f:>9}" for f in FIELDS)
    head += f"{'body P':>8}{'body R':>8}{'body F1':>8}{'furniture left':>16}{'pages/s':>9}"
    rows = [head]
    for tally in scores:
        cells = []
        for name in FIELDS:
            marks = tally.fields[name]
            cells.append(f"{sum(marks) / len(marks):>9.0%}" if marks else f"{'-':>9}")
        rate = pages / tally.seconds if tally.seconds else 0.0
        rows.append(
            f"{tally.reader:<26}"
            + "".join(cells)
            + f"{statistics.mean(tally.precision):>8.3f}{statistics.mean(tally.recall):>8.3f}"
            + f"{statistics.mean(tally.f1):>8.3f}"
            + f"{f'{tally.furniture_left} of {tally.furniture}':>16}{rate:>9.1f}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="dev")
    parser.add_argument("--only", action="append", choices=list(READERS), help="run only these readers")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args()
    readers = args.only or list(READERS)
    scores = run(args.corpus, args.split, readers)
    pages = len(load_marks(args.corpus, args.split))
    print(f"== real pages ({args.split}: {pages} pages, {args.corpus.name}) ==")
    print("\n".join(table(scores, pages)))
    if args.verbose:
        for tally in scores:
            print(f"-- {tally.reader}")
            print("\n".join(f"  {miss}" for miss in tally.misses))


if __name__ == "__main__":
    main()
