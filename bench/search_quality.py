"""Search quality: precision at 1 and recall at 10 for queries whose right
answer is known, over the seeds and a synthetic corpus.

    python bench/search_quality.py [--synthetic N]

Two rankings side by side: the search page's own (the site's search files
ranked by static/shards.js in node, tier by tier as the page reads them) and
one whole lunr.py index over the same documents (lunr's own averages).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivist.model import Article
from archivist.pipeline import load_corpus
from archivist.search.index import search_files
from archivist.search.searchdocs import document
from archivist.search.tokenize import fold_map
from archivist.text.script import to_traditional
from bench.lunr_oracle import build_index, search

ROOT = Path(__file__).resolve().parent.parent

# (query, seed number whose article must come first)
SEED_QUERIES = [
    ("海边山党旗红", "000"), ("海邊山黨旗紅", "000"), ("1313", "000"), ("甘英喜", "000"), ("涂海艺术村", "000"),
    ("防城区", "000"), ("百里边关红", "000"), ("五基三化", "000"),
    ("葵峰山", "001"), ("135基层党建质量提升工程", "001"), ("兴业县", "001"), ("火龙果", "001"),
    ("书记面对面", "001"), ("三清三拆", "001"), ("興業縣", "001"),
    ("乐亭", "002"), ("樂亭", "002"), ("一区四线", "002"), ("李大钊", "002"), ("樱桃小镇", "002"),
    ("付征", "002"), ("三年行动", "002"),
    ("党建联建", "003"), ("黨建聯建", "003"), ("粤桂边界", "003"), ("五共", "003"), ("橘红", "003"),
    ("轮值书记", "003"), ("陆川县", "003"),
    ("百色", "004"), ("红旗乡镇", "004"), ("四不四直", "004"), ("六学模式", "004"), ("吴志伟", "004"),
    ("黄文秀", "004"), ("百色起义", "004"),
]  # fmt: skip


@dataclass(frozen=True)
class Score:
    queries: int
    precision_at_1: float
    recall_at_10: float
    misses: list[tuple[str, str, list[str]]]


def site_ranking(ordered: list[Article], queries: list[str]) -> dict[str, list[str]]:
    """Each query's refs as the search page ranks them over the site's search files."""
    files = search_files(ordered, lambda a: a.page_path)
    texts = {**files.files, **{path: text for path, text in files.later() if not path.startswith("search/docs")}}
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for name, data in (("files", texts), ("queries", queries), ("fold", fold_map())):
            path = Path(folder) / f"{name}.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        ranked = subprocess.run(
            ["node", str(ROOT / "bench" / "rank.js"), *paths], capture_output=True, text=True, check=True
        )
    return {query: [str(ref) for ref in refs] for query, refs in json.loads(ranked.stdout).items()}


def evaluate(articles: list[Article], cases: list[tuple[str, str]], ranking: str = "site") -> Score:
    """``cases`` pair a query with the slug that must come first; ``ranking``
    is "site" (the search page's) or "lunr" (one whole lunr.py index)."""
    ordered = sorted(articles, key=lambda a: a.slug)
    refs = {a.slug: str(n) for n, a in enumerate(ordered)}
    slugs = {ref: slug for slug, ref in refs.items()}
    if ranking == "site":
        answers = site_ranking(ordered, sorted({query for query, _ in cases}))
    else:
        index = build_index([document(refs[a.slug], a) for a in ordered])
        answers = {query: search(index, query) for query, _ in cases}
    first = top10 = 0
    misses = []
    for query, expected in cases:
        found = [slugs[ref] for ref in answers[query]]
        first += bool(found) and found[0] == expected
        top10 += expected in found[:10]
        if not found or found[0] != expected:
            misses.append((query, expected, found[:3]))
    return Score(len(cases), first / len(cases), top10 / len(cases), misses)


def seed_cases(articles: list[Article]) -> list[tuple[str, str]]:
    by_number = {Path(a.path).name[:3]: a.slug for a in articles}
    return [(query, by_number[number]) for query, number in SEED_QUERIES]


def synthetic_cases(n: int, sample: int = 30) -> tuple[list[Article], list[tuple[str, str]]]:
    """Each sampled article is the only one introducing its invented slogan;
    its title words and that slogan, in either script, must find it first."""
    from bench.corpus import write_corpus

    with tempfile.TemporaryDirectory() as folder:
        made = write_corpus(n, Path(folder))
        corpus = load_corpus(Path(folder))
    by_name = {Path(a.path).name: a for a in corpus.articles}
    rng = random.Random(7)
    cases = []
    for synthetic in rng.sample(made, min(sample, len(made))):
        slug = by_name[synthetic.name].slug
        cases.append((synthetic.slogan, slug))
        cases.append((to_traditional(synthetic.slogan), slug))
        cases.append((f"{synthetic.county[2]} {synthetic.slogan}", slug))
    return corpus.articles, cases


REAL_PAGES = ROOT / "tests" / "fixtures" / "real-pages"


def real_page_cases(n: int) -> tuple[list[Article], list[tuple[str, str]]]:
    """The real pages (tests/fixtures/real-pages) among N synthetic articles;
    each page's title as marked by hand, in either script, must find it first."""
    import shutil

    import yaml

    from bench.corpus import write_corpus

    marks = yaml.safe_load((REAL_PAGES / "marks.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        write_corpus(n, Path(folder))
        for page in sorted((REAL_PAGES / "pages").glob("*.html")):
            shutil.copyfile(page, Path(folder) / page.name)
        corpus = load_corpus(Path(folder))
    by_name = {Path(a.path).stem: a for a in corpus.articles}
    cases = []
    for name, mark in sorted(marks.items()):
        if name in by_name and mark.get("title"):
            cases.append((mark["title"], by_name[name].slug))
            cases.append((to_traditional(mark["title"]), by_name[name].slug))
    return corpus.articles, cases


def report(name: str, score: Score) -> None:
    print(f"{name:<30} {score.queries:>7} {score.precision_at_1:>8.3f} {score.recall_at_10:>9.3f}")
    for query, expected, found in score.misses:
        print(f"    miss: {query!r} expected {expected}, got {found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=1000, help="size of the synthetic corpus")
    args = parser.parse_args()
    print(f"{'corpus, ranking':<30} {'queries':>7} {'P@1':>8} {'R@10':>9}")
    seeds = load_corpus(ROOT / "content").articles
    articles, cases = synthetic_cases(args.synthetic)
    real, real_cases = real_page_cases(args.synthetic)
    for ranking in ("site", "lunr"):
        report(f"seeds (5), {ranking}", evaluate(seeds, seed_cases(seeds), ranking))
        report(f"synthetic ({args.synthetic}), {ranking}", evaluate(articles, cases, ranking))
        report(f"real pages + {args.synthetic}, {ranking}", evaluate(real, real_cases, ranking))


if __name__ == "__main__":
    main()
