"""Related articles: for each article, the ones sharing most initiatives, slogans and places."""

from __future__ import annotations

from collections import Counter, defaultdict

from archivist.model import Article
from archivist.site.entries import Glossary

RELATED = 5


RELATED_KEY_LIMIT = 200  # a tag shared by more articles than this says little about relatedness


def related_articles(articles: list[Article], glossary: Glossary) -> dict[str, list[Article]]:
    """For each article, the ones sharing most initiatives, slogans and places."""
    slogans_of = defaultdict(set)
    for entry in glossary.entries.values():
        for slug in entry.articles:
            slogans_of[slug].add(entry.slogan)
    holders: dict[tuple[str, str], list[Article]] = defaultdict(list)
    weights = {"initiative": 3, "slogan": 2, "place": 2, "area": 1}

    def keys(article: Article) -> set[tuple[str, str]]:
        found = {("initiative", name) for name in article.initiatives}
        found |= {("slogan", name) for name in slogans_of[article.slug]}
        for region in article.regions:
            found.add(("place", region.codes[-1]))
            found |= {("area", code) for code in region.codes[:-1]}
        return found

    article_keys = {a.slug: keys(a) for a in articles}
    for article in articles:
        for key in article_keys[article.slug]:
            holders[key].append(article)
    related = {}
    for article in articles:
        scores: Counter[str] = Counter()
        by_slug = {}
        for key in article_keys[article.slug]:
            # A tag every article has says nothing; skip the very common ones.
            if len(holders[key]) > RELATED_KEY_LIMIT:
                continue
            for other in holders[key]:
                if other.slug != article.slug:
                    scores[other.slug] += weights[key[0]]
                    by_slug[other.slug] = other
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:RELATED]
        related[article.slug] = [by_slug[slug] for slug, _ in best]
    return related
