"""Search quality over known answers (the full report: bench/search_quality.py)."""

from archivist.pipeline import load_corpus
from bench.search_quality import evaluate, seed_cases, synthetic_cases

from .conftest import ROOT


def test_seed_queries_find_the_right_article_first():
    seeds = load_corpus(ROOT / "content").articles
    score = evaluate(seeds, seed_cases(seeds))
    assert score.queries >= 30
    assert score.precision_at_1 == 1.0, score.misses


def test_synthetic_queries_in_either_script_find_their_article():
    articles, cases = synthetic_cases(120, sample=15)
    score = evaluate(articles, cases)
    assert score.recall_at_10 == 1.0 and score.precision_at_1 >= 0.95, score.misses
