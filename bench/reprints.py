"""Reprints recognised as one story: planted reprints of real pages, scored.

    python bench/reprints.py [--n 10000 --n 100000] [--split dev|holdout|both]

The real pages (``tests/fixtures/real-pages``), read by this package, split
as their ``marks.yaml`` says (``dev``: 46 pages, where the thresholds of
``archivist/site/reprints.py`` were chosen; ``holdout``: 23 pages, chosen by
a hash of the name, run once at the end).  Of each part's pages with enough
text, two in three are originals and each gets one to three planted reprints
(another source; a changed title; the last one or two paragraphs dropped; a
reporter line added; converted to Traditional; an editor's line; a
sentence cut and a few words changed; a later date or none), in
combinations.  The third page in three is material for articles that are
NOT reprints: two reports that quote the same one or two paragraphs of an
original verbatim (each report's own text at least as long as the passage),
and an article on an original's topic (its title and first sentence) with
text of its own.  Printed: pairwise precision and recall of the grouping
(pairs of articles in one story), and how often the original found is the
one planted.

Then the time of ``find_stories`` over N synthetic articles
(``bench/corpus.py``'s generator, built as Articles directly, reworded; one
in ten is a planted reprint of the one before it).
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivist.model import Article
from archivist.pipeline import load_corpus
from archivist.site.reprints import Story, find_stories
from archivist.text.clean import Block
from archivist.text.script import to_traditional

ROOT = Path(__file__).resolve().parent.parent
REAL_PAGES = ROOT / "tests" / "fixtures" / "real-pages"
MIN_TEXT = 300  # characters a page's text needs to be planted or quoted
SOURCES = ("新华网", "人民网", "中国新闻网", "央广网", "光明网", "南方日报", "北京青年报", "澎湃新闻")
REPORTERS = ("本报记者 张三", "记者 李四 王五", "本报讯（记者 赵敏）", "通讯员 陈静 记者 刘洋")
EDITORS = ("责任编辑：王立", "（编辑：陈思）", "【责任编辑：刘琼】")


@dataclass(frozen=True)
class Planted:
    articles: list[Article]
    truth: dict[str, str]  # slug -> planted story (absent: stands alone)
    originals: dict[str, str]  # planted story -> its original's slug, when the original is dated


def article(slug: str, title: str, paragraphs: Iterable[str], date: str | None, source: str | None) -> Article:
    return Article(
        path=f"{slug}.txt",
        kind="txt",
        encoding="utf-8",
        script="zh-Hans",
        title=title,
        title_derived=False,
        channel=None,
        date=date,
        source=source,
        authors=(),
        editor=None,
        slug=slug,
        blocks=tuple(Block("p", text) for text in paragraphs),
        original_text="",
        warnings=(),
    )


def real_articles(split: str, names: Sequence[str] | None = None) -> list[Article]:
    """The real pages of one part (``names``: only these, by stem), read by
    the package, in name order; those with too little text are left out."""
    marks = yaml.safe_load((REAL_PAGES / "marks.yaml").read_text(encoding="utf-8"))
    chosen = sorted(name for name, mark in marks.items() if mark["split"] == split and (not names or name in names))
    with tempfile.TemporaryDirectory() as folder:
        for name in chosen:
            shutil.copyfile(REAL_PAGES / "pages" / f"{name}.html", Path(folder) / f"{name}.html")
        articles = load_corpus(Path(folder)).articles
    usable = [a for a in articles if len(a.paragraphs) >= 3 and sum(map(len, a.paragraphs)) >= MIN_TEXT]
    return sorted(usable, key=lambda a: a.path)


def later(date: str | None, rng: random.Random) -> str | None:
    if date is None or rng.random() < 0.15:
        return None
    return (datetime.fromisoformat(date[:10]) + timedelta(days=rng.randint(0, 5))).date().isoformat() + "T23:59"


def reprint(original: Article, slug: str, rng: random.Random) -> Article:
    """A copy of ``original`` changed as reprinting outlets change it: at
    least two changes, drawn at random."""
    paragraphs = list(original.paragraphs)
    title = original.title
    changes = rng.sample(("title", "trim", "reporter", "traditional", "editor", "edited"), rng.randint(2, 5))
    if "title" in changes:
        title = rng.choice((f"转载：{title}", f"{title}（图）", f"{title[: max(4, len(title) // 2)]}……"))
    if "trim" in changes and len(paragraphs) >= 4:
        paragraphs = paragraphs[: -rng.randint(1, 2)]
    if "reporter" in changes:
        paragraphs.insert(0, rng.choice(REPORTERS))
    if "edited" in changes:  # a sentence cut from the middle, a few words changed
        at = rng.randrange(len(paragraphs))
        sentences = paragraphs[at].split("。")
        if len(sentences) > 2:
            del sentences[rng.randrange(len(sentences) - 1)]
        paragraphs[at] = "。".join(sentences).replace("的", "之", 2).replace("，", "、", 1)
    if "editor" in changes:
        paragraphs.append(rng.choice(EDITORS))
    if "traditional" in changes:
        title, paragraphs = to_traditional(title), [to_traditional(p) for p in paragraphs]
    source = rng.choice([s for s in SOURCES if s != original.source])
    return article(slug, title, paragraphs, later(original.date, rng), source)


def quoted_passage(original: Article, most: int, rng: random.Random) -> list[str]:
    """One or two consecutive paragraphs of ``original``, together at most
    two fifths of its text (a statement quoted, not the article) and at most
    ``most`` characters."""
    paragraphs = original.paragraphs
    whole = sum(map(len, paragraphs))
    spans = [
        paragraphs[start : start + size]
        for size in (2, 1)
        for start in range(len(paragraphs) - size + 1)
        if 60 <= sum(map(len, paragraphs[start : start + size])) <= min(0.4 * whole, most)
    ]
    return rng.choice(spans) if spans else []


def planted(real: Sequence[Article], seed: int = 0) -> Planted:
    """The planted corpus over ``real`` (see the module's docstring)."""
    rng = random.Random(seed)
    originals = [a for n, a in enumerate(real) if n % 3 != 2]
    material = [a for n, a in enumerate(real) if n % 3 == 2]
    articles: list[Article] = []
    truth: dict[str, str] = {}
    first: dict[str, str] = {}
    for number, original in enumerate(originals):
        story = f"story{number:03d}"
        copy = article(f"{story}-0", original.title, original.paragraphs, original.date, original.source)
        articles.append(copy)
        truth[copy.slug] = story
        if original.date:
            first[story] = copy.slug
        for n in range(1, rng.randint(2, 4)):
            copy = reprint(original, f"{story}-{n}", rng)
            articles.append(copy)
            truth[copy.slug] = story
    for number, own in enumerate(material):
        # Its paragraphs in three parts, each some article's own text; a
        # report's own text is at least as long as the passage it quotes.
        third = len(own.paragraphs) // 3
        parts = own.paragraphs[:third], own.paragraphs[third : 2 * third], own.paragraphs[2 * third :]
        shortest = min(sum(map(len, part)) for part in parts[:2])
        passage = [f"“{p}”" for p in quoted_passage(rng.choice(originals), shortest, rng)]
        for part, paragraphs in enumerate(parts[:2]):
            at = rng.randint(0, len(paragraphs))
            # Two reports quoting the same passage of the same original.
            text = [*paragraphs[:at], *passage, *paragraphs[at:]]
            articles.append(article(f"quote{number:03d}-{part}", own.title, text, own.date, rng.choice(SOURCES)))
        topic = rng.choice(originals)
        lead = topic.paragraphs[0].split("。")[0] + "。"
        articles.append(article(f"topic{number:03d}", topic.title, [lead, *parts[2]], topic.date, rng.choice(SOURCES)))
    return Planted(articles, truth, first)


def same_story_pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for slug, group in groups.items():
        members.setdefault(group, []).append(slug)
    return {pair for slugs in members.values() for pair in itertools.combinations(sorted(slugs), 2)}


def scores(corpus: Planted, stories: dict[str, Story]) -> tuple[float, float, float]:
    """Pairwise precision and recall of the grouping; the share of planted
    stories with a dated original whose original was found."""
    found = same_story_pairs({slug: story.original for slug, story in stories.items()})
    wanted = same_story_pairs(corpus.truth)
    right = len(found & wanted)
    precision = right / len(found) if found else 1.0
    recall = right / len(wanted) if wanted else 1.0
    originals = [stories[slug].original == slug for slug in corpus.originals.values() if slug in stories]
    return precision, recall, sum(originals) / max(1, len(corpus.originals))


def synthetic(n: int) -> list[Article]:
    """N articles from bench/corpus.py's generator, built directly; one in
    ten is a reprint of the one before it.  The generator draws every
    article from the same 59 seed paragraphs, so most of its articles would
    be near-copies of each other: each article's text is reworded (a third
    of the characters it uses replaced by others, the same way throughout
    the article), so that articles not planted as reprints share no more
    text than unrelated reports do."""
    from bench.corpus import make_article, make_pool

    pool = make_pool()
    alphabet = sorted({char for text in pool.paragraphs for char in text if "\u4e00" <= char <= "\u9fff"})
    articles: list[Article] = []
    for number in range(n):
        rng = random.Random(number)
        if number % 10 == 9:
            articles.append(reprint(articles[-1], f"s{number:06d}", rng))
            continue
        made = make_article(number, pool)
        replaced = rng.sample(alphabet, len(alphabet) // 3)
        rewording = str.maketrans(dict(zip(replaced, rng.sample(alphabet, len(replaced)), strict=True)))
        body = [text.translate(rewording) for text in made.body]
        articles.append(article(f"s{number:06d}", made.title, body, made.date, made.source))
    return articles


def timing(n: int) -> tuple[float, int, float, float]:
    """Seconds of ``find_stories`` over N synthetic articles, the stories
    found, and the grouping's pairwise precision and recall."""
    articles = synthetic(n)
    started = time.perf_counter()
    stories = find_stories(articles)
    seconds = time.perf_counter() - started
    truth = {}
    for number in range(9, n, 10):  # each planted reprint and the article before it
        truth[articles[number - 1].slug] = truth[articles[number].slug] = f"planted{number}"
    precision, recall, _ = scores(Planted(articles, truth, {}), stories)
    return seconds, len({story.original for story in stories.values()}), precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "holdout", "both"), default="both")
    parser.add_argument("--n", type=int, action="append", help="synthetic articles to time (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each wrong pair")
    args = parser.parse_args()
    print(f"{'part':<10} {'pages':>5} {'articles':>8} {'pairs':>6} {'precision':>9} {'recall':>7} {'original':>8}")
    for split in ("dev", "holdout") if args.split == "both" else (args.split,):
        real = real_articles(split)
        corpus = planted(real)
        stories = find_stories(corpus.articles)
        precision, recall, original = scores(corpus, stories)
        pairs = len(same_story_pairs(corpus.truth))
        print(
            f"{split:<10} {len(real):>5} {len(corpus.articles):>8} {pairs:>6} "
            f"{precision:>9.3f} {recall:>7.3f} {original:>8.3f}"
        )
        if args.verbose:
            found = same_story_pairs({slug: story.original for slug, story in stories.items()})
            wanted = same_story_pairs(corpus.truth)
            for pair in sorted(found - wanted):
                print(f"    joined, not one story: {pair}")
            for pair in sorted(wanted - found):
                print(f"    one story, not joined: {pair}")
    for n in args.n or ():
        seconds, found, precision, recall = timing(n)
        print(
            f"find_stories over {n:,} synthetic articles: {seconds:.1f} s "
            f"({found:,} stories; precision {precision:.3f}, recall {recall:.3f})"
        )


if __name__ == "__main__":
    main()
