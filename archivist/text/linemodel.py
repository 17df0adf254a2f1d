"""Which of the lines the rules kept are really the article, and which line
above it is its headline: two small learned models over line features.

The rules (``lines``, ``webpage``) find the article's run of prose; on real
pages that run still holds comment threads, "recommended" lists, site
statements and captions of players.  A gradient-boosted model, trained by
``scripts/train_line_model.py`` on the lines of real pages whose article text
was marked by hand, scores each line the rules kept; a line under the
model's threshold is dropped, and ``inspect`` names its score.  The model is
shipped as plain data (``line-model.json``: the trees' arrays) and evaluated
here with NumPy, so a build needs no scikit-learn.  The lexicon and a user's
``furniture.yaml`` still win: a line they keep is never scored.  The title
model (``title-model.json``) ranks the lines above the article the same way
and is taken only above its threshold; else the rules choose.
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from archivist.text import clean, lines
from archivist.text.lexicon import squeeze

# Words of the furniture around an article (comments, lists of other
# articles, statements, app prompts), counted, not matched: the model
# weighs them against the rest.
CUES = re.compile(
    r"评论|网友|留言|回复|跟帖|发表|推荐|相关|热门|排行|阅读|点击|浏览|分享|收藏|版权|声明|免责|原标题|"
    r"登录|注册|下载|客户端|扫码|关注|上一篇|下一篇|返回|打印|关闭|字号|编辑|来源|作者|视频|播放|广告"
)
SEPARATORS = re.compile(r"[|｜丨/·•>»]|\s{2,}|\u3000")
SENTENCE_END = re.compile(r"[。！？!?…”」』）)]$")
CLAUSE = re.compile(r"[，、；：,;:]")
DIGIT = re.compile(r"\d")
LATIN = re.compile(r"[A-Za-z]")
DATE_LIKE = re.compile(r"\d{4}\s*[-./年]\s*\d{1,2}|\d{1,2}:\d{2}")
KINDS = (lines.PROSE, lines.SHORT, lines.META, lines.FURNITURE, lines.LIST_HEADING)
FEATURES = (
    "form_page", *(f"kind_{kind}" for kind in KINDS), "by_lexicon", "han", "length", "han_share", "clauses_per_han",
    "full_stop", "sentence_end", "separators", "digits", "latin", "bracketed", "date_like", "cues", "repeated",
    "rank", "rank_from_end", "mass_before", "mass_after", "prose_after", "prev_han", "next_han", "prev_prose",
    "next_prose", "near_prose", "element_heading", "element_item", "element_row", "interior",
)  # fmt: skip


def layout(page: lines.Page) -> tuple[list[lines.Line], dict[int, int], Counter[str]]:
    """The page's non-blank lines, each line's place among them, and how
    often each (folded) line stands on the page."""
    shown = [line for line in page.lines if line.kind != lines.BLANK]
    position = {line.number: index for index, line in enumerate(shown)}
    return shown, position, Counter(line.folded for line in shown)


def line_features(page: lines.Page, candidates: list[int], form: str) -> list[list[float]]:
    """One row of ``FEATURES`` per candidate line (numbers into ``page.lines``,
    in page order)."""
    shown, position, counts = layout(page)
    masses = [lines.han_count(page.lines[n].folded) for n in candidates]
    total = sum(masses) or 1
    prose_numbers = [n for n in candidates if page.lines[n].kind == lines.PROSE]
    rows = []
    before = 0
    for index, number in enumerate(candidates):
        line = page.lines[number]
        text = line.folded
        han = masses[index]
        at = position.get(number, 0)
        prev_line = shown[at - 1] if at > 0 else None
        next_line = shown[at + 1] if at + 1 < len(shown) else None
        window = shown[max(0, at - 3) : at] + shown[at + 1 : at + 4]
        rows.append(
            [
                1.0 if form == "page" else 0.0,
                *(1.0 if line.kind == kind else 0.0 for kind in KINDS),
                1.0 if line.reason.startswith("lexicon") else 0.0,
                min(han, 300),
                min(len(text), 400),
                han / max(len(text), 1),
                len(CLAUSE.findall(text)) / max(han, 1) * 10,
                1.0 if clean.FULL_STOP.search(text) else 0.0,
                1.0 if SENTENCE_END.search(text) else 0.0,
                len(SEPARATORS.findall(text)) / max(len(text), 1) * 10,
                len(DIGIT.findall(text)) / max(len(text), 1),
                len(LATIN.findall(text)) / max(len(text), 1),
                1.0 if text[:1] in "【[［(（" else 0.0,
                1.0 if DATE_LIKE.search(text) else 0.0,
                len(CUES.findall(text)),
                min(counts[text] - 1, 3),
                index / max(len(candidates) - 1, 1),
                len(candidates) - 1 - index,
                before / total,
                (total - before - han) / total,
                len(prose_numbers) - bisect.bisect_right(prose_numbers, number),
                min(lines.han_count(prev_line.folded), 300) if prev_line else -1,
                min(lines.han_count(next_line.folded), 300) if next_line else -1,
                1.0 if prev_line is not None and prev_line.kind == lines.PROSE else 0.0,
                1.0 if next_line is not None and next_line.kind == lines.PROSE else 0.0,
                sum(other.kind == lines.PROSE for other in window) / max(len(window), 1),
                1.0 if line.element == "h" else 0.0,
                1.0 if line.element == "li" else 0.0,
                1.0 if line.element == "row" else 0.0,
                1.0 if prose_numbers and prose_numbers[0] < number < prose_numbers[-1] else 0.0,
            ]
        )
        before += han
    return rows


@dataclass(frozen=True)
class LineModel:
    """Gradient-boosted regression trees over ``FEATURES``; a line's score is
    the logistic of ``prior + rate * sum(leaf values)``."""

    features: tuple[str, ...]
    prior: float
    rate: float
    threshold: float
    # One array per field, all trees' nodes concatenated; children are
    # absolute node numbers, -1 at a leaf.
    feature: np.ndarray
    split: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int

    def probabilities(self, rows: list[list[float]]) -> np.ndarray:
        data = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(self.features))
        count = len(rows)
        nodes = np.repeat(self.roots[np.newaxis, :], count, axis=0)  # rows x trees
        picks = np.arange(count)[:, np.newaxis]
        for _ in range(self.depth):
            inner = self.left[nodes] >= 0
            goes_left = data[picks, np.where(inner, self.feature[nodes], 0)] <= self.split[nodes]
            nodes = np.where(inner, np.where(goes_left, self.left[nodes], self.right[nodes]), nodes)
        raw = self.prior + self.rate * self.value[nodes].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-raw))

    def scores(self, page: lines.Page, candidates: list[int], form: str) -> dict[int, float]:
        if not candidates:
            return {}
        found = self.probabilities(line_features(page, candidates, form))
        return {number: float(p) for number, p in zip(candidates, found, strict=True)}

    def dropped(self, page: lines.Page, candidates: list[int], form: str) -> dict[int, str]:
        found = self.scores(page, candidates, form)
        prose = [n for n in candidates if page.lines[n].kind == lines.PROSE]
        low = {
            number: score
            for number, score in found.items()
            if score < (self.threshold if not interior(number, prose) else self.threshold * INTERIOR_DOUBT)
        }
        if prose and all(n in low for n in prose):
            return {}  # the model doubts the whole article: the rules' reading stands
        return {number: drop_reason(score) for number, score in low.items()}

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "prior": self.prior,
            "rate": self.rate,
            "threshold": self.threshold,
            "depth": self.depth,
            "roots": self.roots.tolist(),
            "feature": self.feature.tolist(),
            "split": [round(float(x), 6) for x in self.split],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": [round(float(x), 6) for x in self.value],
        }

    @classmethod
    def from_json(cls, data: dict, features: tuple[str, ...] = FEATURES) -> LineModel:
        if tuple(data["features"]) != features:
            raise ValueError("line model was trained on other features: run scripts/train_line_model.py")
        return cls(
            features=tuple(data["features"]),
            prior=float(data["prior"]),
            rate=float(data["rate"]),
            threshold=float(data["threshold"]),
            depth=int(data["depth"]),
            roots=np.asarray(data["roots"], dtype=np.int64),
            feature=np.asarray(data["feature"], dtype=np.int64),
            split=np.asarray(data["split"], dtype=np.float64),
            left=np.asarray(data["left"], dtype=np.int64),
            right=np.asarray(data["right"], dtype=np.int64),
            value=np.asarray(data["value"], dtype=np.float64),
        )


MODEL_FILE = "line-model.json"
TITLE_MODEL_FILE = "title-model.json"
# A paragraph with the article's paragraphs on both sides is dropped only
# when the model is much surer: losing the article's own text costs a
# reader more than a stray line of furniture.
INTERIOR_DOUBT = 0.5


def interior(number: int, prose: list[int]) -> bool:
    """Whether the line has the article's paragraphs (``prose``, sorted) above
    and below it."""
    at = bisect.bisect_right(prose, number)
    before = prose[at - 1] if at and prose[at - 1] < number else None
    if at and prose[at - 1] == number:
        before = prose[at - 2] if at >= 2 else None
    after = prose[at : at + 2]
    return before is not None and len(after) >= 2 and after[0] - before <= 12


@dataclass(frozen=True)
class Models:
    """The shipped models, as the line stages ask them (``lines.LineScorer``)."""

    body: LineModel  # which lines the rules kept are the article's
    titles: LineModel | None = None  # which line above the article is its headline

    def dropped(self, page: lines.Page, candidates: list[int], form: str) -> dict[int, str]:
        return self.body.dropped(page, candidates, form)

    def headline(self, page: lines.Page, candidates: list[int], start: int, titles: list[str]) -> int | None:
        """The candidate the title model holds the headline, if it holds one
        likely enough; else None (the rules decide)."""
        if self.titles is None or not candidates:
            return None
        found = self.titles.probabilities(title_features(page, candidates, start, titles))
        best = int(np.argmax(found))
        return candidates[best] if found[best] >= self.titles.threshold else None


def read_model(name: str, features: tuple[str, ...]) -> LineModel | None:
    try:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return LineModel.from_json(json.loads(text), features)


@cache
def shipped_model() -> Models | None:
    """The package's models; None before they are trained (the rules alone)."""
    found = read_model(MODEL_FILE, FEATURES)
    return Models(found, read_model(TITLE_MODEL_FILE, TITLE_FEATURES)) if found else None


# -- headlines ----------------------------------------------------------------

SITE_WORDS = re.compile(r"网站|门户|首页|官网|客户端|频道|博客|论坛|社区|主页|欢迎|访问|导航|登录|注册|>")
TITLE_FEATURES = (
    "han", "length", "title_like", *(f"kind_{kind}" for kind in KINDS), "by_lexicon", "lines_to_article",
    "rank_from_article", "next_meta", "next_meta_dated", "previous_meta", "site_words", "separators", "clauses",
    "full_stop", "digits", "latin", "cues", "repeated", "longest", "named", "named_share", "names_title", "tabs",
    "bracketed",
)  # fmt: skip


def title_features(page: lines.Page, candidates: list[int], start: int, titles: list[str]) -> list[list[float]]:
    """One row of ``TITLE_FEATURES`` per candidate line above the article
    (``start``); ``titles``: the page's ``<title>`` and ``og:title`` (none
    for a text scrape)."""
    shown, position, counts = layout(page)
    # Where the article starts among the shown lines: the lines between a
    # candidate and it are counted from there.
    article_at = bisect.bisect_left([line.number for line in shown], start)
    keys = [squeeze(t) for t in titles]
    longest = max((lines.han_count(page.lines[n].folded) for n in candidates), default=1) or 1
    rows = []
    for rank, number in enumerate(reversed(candidates)):
        line = page.lines[number]
        text, key = line.folded, squeeze(line.text)
        han = lines.han_count(text)
        at = position.get(number, 0)
        following = shown[at + 1] if at + 1 < len(shown) else None
        before = shown[at - 1] if at > 0 else None
        named = [len(key) / len(k) for k in keys if key and k and key in k]
        rows.append(
            [
                min(han, 120),
                min(len(text), 200),
                1.0 if lines.title_like(line) else 0.0,
                *(1.0 if line.kind == kind else 0.0 for kind in KINDS),
                1.0 if line.reason.startswith("lexicon") else 0.0,
                article_at - (at + 1),
                rank,
                1.0 if following is not None and following.kind == lines.META else 0.0,
                1.0 if following is not None and following.meta is not None and following.meta.dates else 0.0,
                1.0 if before is not None and before.kind == lines.META else 0.0,
                len(SITE_WORDS.findall(text)),
                len(SEPARATORS.findall(text)),
                len(CLAUSE.findall(text)),
                1.0 if clean.FULL_STOP.search(text[:-1]) else 0.0,
                len(DIGIT.findall(text)) / max(len(text), 1),
                len(LATIN.findall(text)) / max(len(text), 1),
                len(CUES.findall(text)),
                min(counts[text] - 1, 3),
                han / longest,
                1.0 if named else 0.0,
                max(named, default=0.0),
                1.0 if any(k and k in key for k in keys) else 0.0,
                1.0 if "\t" in line.text.strip() else 0.0,
                1.0 if text[:1] in "【[［" else 0.0,
            ]
        )
    rows.reverse()
    return rows


def drop_reason(score: float) -> str:
    return f"model: article score {score:.2f}"
