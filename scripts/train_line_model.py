"""Train the line model (``archivist/text/line-model.json``) and the title model
(``archivist/text/title-model.json``) from pages whose article text and title
were marked by hand.

    python scripts/train_line_model.py [--check]

Every page is read by the pipeline as a build reads it, with a recorder in
the model's place: the lines the rules keep are the candidates, and each is
labelled article when its words are in the marked text.  Pages: the dev
half of ``tests/fixtures/real-pages`` (saved page and text dump) and the
fixture scrapes and saved pages (``scrapes/``, ``pages/``); the held-out
halves are never read here.  Lines are weighted by their Han characters
(what the body score counts).  The threshold is the one that maximises the
weighted accuracy of out-of-fold scores (five folds, grouped by page),
from 0.5 up.
The title model scores the lines above the article (the headline is the
line equal to the marked title); it overrides the rules only above the
threshold where, out of fold, its best line per page was more often right
than wrong.
Deterministic: sorted inputs, fixed seeds.  ``--check`` trains and says
whether the result equals the shipped file.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archivist.ingest.normalise import normalise_scraped  # noqa: E402
from archivist.ingest.read import ReadError, read_bytes  # noqa: E402
from archivist.ingest.webpage import normalise_webpage  # noqa: E402
from archivist.text import lines  # noqa: E402
from archivist.text.linemodel import (  # noqa: E402
    FEATURES,
    MODEL_FILE,
    TITLE_FEATURES,
    TITLE_MODEL_FILE,
    LineModel,
    line_features,
    title_features,
)
from bench.fidelity import skeleton  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TREES, DEPTH, RATE = 150, 3, 0.1


class Recorder:
    """Stands in for the models: keeps every line, takes no headline, and
    notes what it was shown."""

    def __init__(self) -> None:
        self.seen: list[tuple[list[list[float]], list[str]]] = []
        self.headlines: list[tuple[list[list[float]], list[str]]] = []

    def dropped(self, page: lines.Page, candidates: list[int], form: str) -> dict[int, str]:
        self.seen.append((line_features(page, candidates, form), [page.lines[n].text for n in candidates]))
        return {}

    def headline(self, page: lines.Page, candidates: list[int], start: int, titles: list[str]) -> int | None:
        if candidates:
            rows = title_features(page, candidates, start, titles)
            self.headlines.append((rows, [page.lines[n].text for n in candidates]))
        return None


def marked_pages() -> list[tuple[Path, str, str]]:
    """(file, marked article text, marked title) for every training page."""
    found = []
    real = FIXTURES / "real-pages"
    marks = yaml.safe_load((real / "marks.yaml").read_text(encoding="utf-8"))
    for name, mark in sorted(marks.items()):
        if mark["split"] != "dev":
            continue
        body = (real / "marked" / f"{name}.txt").read_text(encoding="utf-8")
        found.append((real / "pages" / f"{name}.html", body, mark["title"]))
        found.append((real / "dumps" / f"{name}.txt", body, mark["title"]))
    for corpus in ("scrapes", "pages"):
        expected = yaml.safe_load((FIXTURES / corpus / "expected.yaml").read_text(encoding="utf-8"))
        for name, want in sorted(expected.items()):
            found.append((FIXTURES / corpus / name, "\n".join(want["body"]), want["title"]))
    return found


@dataclass
class Labelled:
    rows: list[list[float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return np.array(self.rows), np.array(self.labels), np.array(self.weights, dtype=float), np.array(self.groups)


def labelled_lines() -> tuple[Labelled, Labelled]:
    body_lines, title_lines = Labelled(), Labelled()
    for group, (path, body, title) in enumerate(marked_pages()):
        recorder = Recorder()
        try:
            raw = read_bytes(path.name, path.read_bytes())
            if raw.kind == "html":
                normalise_webpage(raw.path, raw.text, raw.encoding, scorer=recorder)
            else:
                normalise_scraped(raw, scorer=recorder)
        except ReadError:
            continue
        words = skeleton(body)
        for features, texts in recorder.seen:
            for row, text in zip(features, texts, strict=True):
                key = skeleton(text)
                body_lines.rows.append(row)
                body_lines.labels.append(1 if key and key in words else 0)
                body_lines.weights.append(1 + lines.han_count(text))
                body_lines.groups.append(group)
        headline = skeleton(title)
        for features, texts in recorder.headlines[-1:]:  # the last look, above the article as finally found
            for row, text in zip(features, texts, strict=True):
                title_lines.rows.append(row)
                title_lines.labels.append(1 if skeleton(text) == headline else 0)
                title_lines.weights.append(1.0)
                title_lines.groups.append(group)
    return body_lines, title_lines


def classifier() -> GradientBoostingClassifier:
    return GradientBoostingClassifier(
        n_estimators=TREES, max_depth=DEPTH, learning_rate=RATE, min_samples_leaf=20, subsample=0.8, random_state=0
    )


def best_threshold(data: np.ndarray, labels: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> float:
    scores = out_of_fold(data, labels, weights, groups)
    # At 0.5 or above: a line is dropped only when the model holds it more
    # likely furniture than article (below, the curve is flat and noisy).
    candidates = np.round(np.arange(0.5, 0.81, 0.01), 2)
    right = [float(np.sum(weights * ((scores >= t) == (labels == 1)))) for t in candidates]
    best = float(candidates[int(np.argmax(right))])
    kept = np.sum(weights * ((scores >= 0.5) == (labels == 1))) / np.sum(weights)
    print(f"out-of-fold weighted accuracy: {max(right) / np.sum(weights):.4f} at {best} ({kept:.4f} at 0.5)")
    return best


def out_of_fold(data: np.ndarray, labels: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> np.ndarray:
    scores = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=5).split(data, labels, groups):
        model = classifier().fit(data[train], labels[train], sample_weight=weights[train])
        scores[test] = model.predict_proba(data[test])[:, 1]
    return scores


def best_title_threshold(data: np.ndarray, labels: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> float:
    """The lowest score at which the model's best line per page is, out of
    fold, right more often than wrong (pages without the headline among
    their candidates count against it)."""
    scores = out_of_fold(data, labels, weights, groups)
    picks = []
    for group in sorted(set(groups.tolist())):
        rows = np.flatnonzero(groups == group)
        best = rows[int(np.argmax(scores[rows]))]
        picks.append((float(scores[best]), bool(labels[best])))
    candidates = np.round(np.arange(0.05, 0.96, 0.01), 2)
    gains = [sum(1 if right else -1 for score, right in picks if score >= t) for t in candidates]
    best = float(candidates[int(np.argmax(gains))])
    right = sum(r for s, r in picks if s >= best)
    taken = sum(1 for s, _ in picks if s >= best)
    print(f"title model, out of fold: {right} of {taken} pages right above {best} ({len(picks)} pages)")
    return best


def exported(
    model: GradientBoostingClassifier, threshold: float, sample: np.ndarray, features: tuple[str, ...] = FEATURES
) -> LineModel:
    feature, split, left, right, value, roots = [], [], [], [], [], []
    for (tree,) in model.estimators_:
        t = tree.tree_
        offset = len(feature)
        roots.append(offset)
        feature += [max(int(f), 0) for f in t.feature]
        split += [float(s) for s in t.threshold]
        left += [int(c) + offset if c >= 0 else -1 for c in t.children_left]
        right += [int(c) + offset if c >= 0 else -1 for c in t.children_right]
        value += [float(v) for v in t.value[:, 0, 0]]
    prior = float(model._raw_predict_init(sample[:1])[0, 0])
    found = LineModel(
        features=features,
        prior=prior,
        rate=RATE,
        threshold=threshold,
        feature=np.array(feature),
        split=np.array(split),
        left=np.array(left),
        right=np.array(right),
        value=np.array(value),
        roots=np.array(roots),
        depth=DEPTH,
    )
    # Rounded to six places in the file: the same decisions as scikit-learn's.
    shipped = LineModel.from_json(json.loads(json.dumps(found.to_json())), features)
    ours, theirs = shipped.probabilities(sample.tolist()), model.predict_proba(sample)[:, 1]
    assert np.abs(ours - theirs).max() < 1e-4, "exported trees disagree with scikit-learn"
    return shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="train, compare with the shipped files, write nothing")
    args = parser.parse_args()
    body_lines, title_lines = labelled_lines()
    written = {}
    data, labels, weights, groups = body_lines.arrays()
    print(f"{len(labels)} lines of {len(set(groups.tolist()))} pages, {labels.mean():.1%} article")
    threshold = best_threshold(data, labels, weights, groups)
    model = classifier().fit(data, labels, sample_weight=weights)
    written[MODEL_FILE] = exported(model, threshold, data).to_json()
    data, labels, weights, groups = title_lines.arrays()
    print(f"{len(labels)} title candidates of {len(set(groups.tolist()))} pages, {int(labels.sum())} headlines")
    threshold = best_title_threshold(data, labels, weights, groups)
    model = classifier().fit(data, labels, sample_weight=weights)
    written[TITLE_MODEL_FILE] = exported(model, threshold, data, TITLE_FEATURES).to_json()
    same = True
    for name, found in written.items():
        text = json.dumps(found, separators=(",", ":")) + "\n"
        target = ROOT / "archivist" / "text" / name
        if args.check:
            same &= target.is_file() and target.read_text(encoding="utf-8") == text
            continue
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)} ({len(text) / 1024:.0f} KB), threshold {found['threshold']}")
    if args.check:
        print("shipped models: " + ("the same" if same else "differ"))
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
