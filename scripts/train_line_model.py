"""Train the line model (``archivist/line-model.json``) from pages whose
article text was marked by hand.

    python scripts/train_line_model.py [--check]

Every page is read by the pipeline as a build reads it, with a recorder in
the model's place: the lines the rules keep are the candidates, and each is
labelled article when its words are in the marked text.  Pages: the dev
half of ``tests/fixtures/real-pages`` (saved page and text dump) and the
fixture scrapes and saved pages (``scrapes/``, ``pages/``); the held-out
halves are never read here.  Lines are weighted by their Han characters
(what the body score counts).  The threshold is the one that maximises the
weighted accuracy of out-of-fold scores (five folds, grouped by page).
Deterministic: sorted inputs, fixed seeds.  ``--check`` trains and says
whether the result equals the shipped file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import yaml
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archivist import lines  # noqa: E402
from archivist.clean import remove_pinyin_notes  # noqa: E402
from archivist.linemodel import FEATURES, MODEL_FILE, LineModel, line_features  # noqa: E402
from archivist.normalise import normalise_scraped  # noqa: E402
from archivist.read import ReadError, read_bytes  # noqa: E402
from archivist.script import to_simplified  # noqa: E402
from archivist.webpage import normalise_webpage  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
TREES, DEPTH, RATE = 150, 3, 0.1


def skeleton(text: str) -> str:
    folded = unicodedata.normalize("NFKC", to_simplified(remove_pinyin_notes(text))).lower()
    return "".join(re.findall(r"[\u3400-\u9fff\uf900-\ufaffa-z0-9]+", folded))


class Recorder:
    """Stands in for the model: keeps every line and notes what it was shown."""

    def __init__(self) -> None:
        self.seen: list[tuple[list[list[float]], list[str]]] = []

    def dropped(self, page: lines.Page, candidates: list[int], form: str) -> dict[int, str]:
        self.seen.append((line_features(page, candidates, form), [page.lines[n].text for n in candidates]))
        return {}


def marked_pages() -> list[tuple[Path, str]]:
    """(file, marked article text) for every training page."""
    found = []
    real = FIXTURES / "real-pages"
    marks = yaml.safe_load((real / "marks.yaml").read_text(encoding="utf-8"))
    for name, mark in sorted(marks.items()):
        if mark["split"] != "dev":
            continue
        body = (real / "marked" / f"{name}.txt").read_text(encoding="utf-8")
        found.append((real / "pages" / f"{name}.html", body))
        found.append((real / "dumps" / f"{name}.txt", body))
    for corpus in ("scrapes", "pages"):
        expected = yaml.safe_load((FIXTURES / corpus / "expected.yaml").read_text(encoding="utf-8"))
        for name, want in sorted(expected.items()):
            found.append((FIXTURES / corpus / name, "\n".join(want["body"])))
    return found


def labelled_lines() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rows, labels, weights, groups = [], [], [], []
    for group, (path, body) in enumerate(marked_pages()):
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
                rows.append(row)
                labels.append(1 if key and key in words else 0)
                weights.append(1 + lines.han_count(text))
                groups.append(group)
    return np.array(rows), np.array(labels), np.array(weights, dtype=float), np.array(groups)


def classifier() -> GradientBoostingClassifier:
    return GradientBoostingClassifier(
        n_estimators=TREES, max_depth=DEPTH, learning_rate=RATE, min_samples_leaf=20, subsample=0.8, random_state=0
    )


def best_threshold(data: np.ndarray, labels: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> float:
    scores = np.zeros(len(labels))
    for train, test in GroupKFold(n_splits=5).split(data, labels, groups):
        model = classifier().fit(data[train], labels[train], sample_weight=weights[train])
        scores[test] = model.predict_proba(data[test])[:, 1]
    candidates = np.round(np.arange(0.05, 0.96, 0.01), 2)
    right = [float(np.sum(weights * ((scores >= t) == (labels == 1)))) for t in candidates]
    best = float(candidates[int(np.argmax(right))])
    kept = np.sum(weights * ((scores >= 0.5) == (labels == 1))) / np.sum(weights)
    print(f"out-of-fold weighted accuracy: {max(right) / np.sum(weights):.4f} at {best} ({kept:.4f} at 0.5)")
    return best


def exported(model: GradientBoostingClassifier, threshold: float, sample: np.ndarray) -> LineModel:
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
        features=FEATURES,
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
    shipped = LineModel.from_json(json.loads(json.dumps(found.to_json())))
    ours, theirs = shipped.probabilities(sample.tolist()), model.predict_proba(sample)[:, 1]
    assert np.abs(ours - theirs).max() < 1e-4, "exported trees disagree with scikit-learn"
    return shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="train, compare with the shipped file, write nothing")
    args = parser.parse_args()
    data, labels, weights, groups = labelled_lines()
    print(f"{len(labels)} lines of {len(set(groups.tolist()))} pages, {labels.mean():.1%} article")
    threshold = best_threshold(data, labels, weights, groups)
    model = classifier().fit(data, labels, sample_weight=weights)
    text = json.dumps(exported(model, threshold, data).to_json(), separators=(",", ":")) + "\n"
    target = ROOT / "archivist" / MODEL_FILE
    if args.check:
        same = target.is_file() and target.read_text(encoding="utf-8") == text
        print("shipped model: " + ("the same" if same else "differs"))
        sys.exit(0 if same else 1)
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)} ({len(text) / 1024:.0f} KB), threshold {threshold}")


if __name__ == "__main__":
    main()
