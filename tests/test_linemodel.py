"""The learned line model: shipped as data, evaluated without scikit-learn,
trained reproducibly, and overridden by the lexicon."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from archivist.ingest.normalise import normalise_scraped
from archivist.ingest.read import read_bytes
from archivist.ingest.reading import normalise_file
from archivist.text import lines
from archivist.text.lexicon import package_lexicon, parse_lexicon
from archivist.text.linemodel import FEATURES, TITLE_FEATURES, LineModel, line_features, shipped_model
from archivist.text.segment import segment
from bench.realpages import body_scores, date_right

REAL = Path(__file__).parent / "fixtures" / "real-pages"
# A portal's story: a "further reading" list of other stories follows it in the run of prose.
STORY_DUMP = REAL / "dumps" / "c268c1b4-6864-45a1-bcaa-ec0922eb10d1.txt"
OTHER_STORY = "诱导高收费电话回电"


def test_shipped_models_are_small_and_match_their_features():
    models = shipped_model()
    assert models is not None and models.titles is not None
    assert models.body.features == FEATURES and models.titles.features == TITLE_FEATURES
    for name in ("line-model.json", "title-model.json"):
        assert (Path(__file__).parent.parent / "archivist" / "text" / name).stat().st_size < 300_000


def test_model_round_trips_through_its_json():
    model = shipped_model().body
    again = LineModel.from_json(json.loads(json.dumps(model.to_json())))
    rows = np.random.default_rng(0).uniform(0, 50, size=(40, len(FEATURES))).tolist()
    assert np.allclose(model.probabilities(rows), again.probabilities(rows))


def test_model_file_from_other_features_is_refused():
    data = shipped_model().body.to_json()
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="other features"):
        LineModel.from_json(data)


def test_list_of_other_stories_inside_the_run_is_dropped_with_its_score():
    article = normalise_file(STORY_DUMP)
    by_model = [line for line, why in article.dropped if why.startswith("model: article score ")]
    assert any(OTHER_STORY in line for line in by_model)
    text = "".join(block.text for block in article.blocks)
    assert OTHER_STORY not in text
    marked = (REAL / "marked" / f"{STORY_DUMP.stem}.txt").read_text(encoding="utf-8")
    precision, recall, _ = body_scores(text, marked)
    assert precision > 0.95 and recall > 0.85


def test_users_keep_pattern_wins_over_the_model():
    lexicon = parse_lexicon({"keep": [OTHER_STORY]}, "furniture.yaml", base=package_lexicon())
    raw = read_bytes(STORY_DUMP.name, STORY_DUMP.read_bytes())
    article = normalise_scraped(raw, lexicon)
    assert OTHER_STORY in "".join(block.text for block in article.blocks)


class KeepAll:
    def dropped(self, page, candidates, form):
        return {}

    def headline(self, page, candidates, start, titles):
        return None


def test_without_the_model_the_rules_keep_the_list():
    raw = read_bytes(STORY_DUMP.name, STORY_DUMP.read_bytes())
    article = normalise_scraped(raw, scorer=KeepAll())
    assert OTHER_STORY in "".join(block.text for block in article.blocks)


def test_features_are_one_row_per_candidate_line():
    page = segment("标题在这里\n\n第一段，有逗号，也有句号。\n\n第二段，同样如此。\n", package_lexicon())
    candidates = [line.number for line in page.body if line.kind != lines.BLANK]
    rows = line_features(page, candidates, "text")
    assert len(rows) == len(candidates) and all(len(row) == len(FEATURES) for row in rows)


def test_real_page_marks_hold_every_field_for_every_page():
    marks = yaml.safe_load((REAL / "marks.yaml").read_text(encoding="utf-8"))
    assert len(marks) == 69
    for name, mark in marks.items():
        assert {"split", "title", "date", "authors", "source", "editor"} <= set(mark), name
        assert (REAL / "pages" / f"{name}.html").is_file() and (REAL / "dumps" / f"{name}.txt").is_file()
    assert sum(mark["split"] == "holdout" for mark in marks.values()) >= 20


def test_body_score_is_bigram_overlap_after_folding():
    assert body_scores("鄉村振興", "乡村振兴") == (1.0, 1.0, 1.0)
    precision, recall, _ = body_scores("乡村振兴首页", "乡村振兴")
    assert recall == 1.0 and precision == pytest.approx(3 / 5)


def test_date_is_compared_at_the_marks_precision():
    assert date_right("2005-03-21T11:21:30", "2005-03-21T11:21")
    assert not date_right("2005-03-21", "2005-03-21T11:21")
    assert date_right(None, None) and not date_right("2005-03-21", None)


class LinesOnly:
    """The shipped line model without its title model: the rules choose the title."""

    def __init__(self, models):
        self.models = models

    def dropped(self, page, candidates, form):
        return self.models.dropped(page, candidates, form)

    def headline(self, page, candidates, start, titles):
        return None


# A car portal's text dump: a row of "hot" links sits above the headline.
PORTAL_DUMP = REAL / "dumps" / "8baa71e3-7cfa-4850-bb54-c6db4e0c3b70.txt"


def test_title_model_takes_the_headline_over_a_row_of_links():
    raw = read_bytes(PORTAL_DUMP.name, PORTAL_DUMP.read_bytes())
    by_rules = normalise_scraped(raw, scorer=LinesOnly(shipped_model()))
    assert "|" in by_rules.title
    assert normalise_scraped(raw).title == "从上海车展看在华布局 现代汽车再次提速"


def test_real_dev_pages_stay_read_as_well_as_measured():
    """A floor under the figures `make fidelity` printed for the dev pages
    (saved: titles 87 %, body F1 0.916, 74 furniture lines of 2,012 left;
    text dumps: titles 78 %, F1 0.917), so that a change to the rules or the
    models that reads real pages worse fails here."""
    from bench.realpages import CORPUS, run

    saved, dump = run(CORPUS, "dev", ["this project, saved page", "this project, text dump"])
    for tally, titles in ((saved, 0.83), (dump, 0.74)):
        assert sum(tally.fields["title"]) / len(tally.fields["title"]) >= titles
        assert sum(tally.f1) / len(tally.f1) >= 0.90
        assert tally.furniture_left <= 0.05 * tally.furniture
