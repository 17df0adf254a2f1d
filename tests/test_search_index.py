"""The search index: one tokeniser spec in two languages, and an index that
lunr.js loads and answers exactly as lunr.py does."""

import itertools
import json
import subprocess
from collections import Counter

import pytest

from archivist.pipeline import load_corpus
from archivist.search.index import FACET_SHOWN, SearchFiles, doc_path, histogram_path, search_files, tier_path
from archivist.search.searchdocs import FIELDS, document
from archivist.search.shards import Field, shard_name
from archivist.search.tokenize import fold_map, tokenize
from archivist.text.script import to_traditional
from bench.lunr_oracle import (
    build_index,
    compute_postings,
    query_terms,
    run_query,
    search,
    search_documents,
    serialize,
)

from .conftest import ROOT

VECTORS = json.loads((ROOT / "tests" / "tokenizer_vectors.json").read_text(encoding="utf-8"))
QUERY_VECTORS = json.loads((ROOT / "tests" / "query_vectors.json").read_text(encoding="utf-8"))
QUERIES = [
    "党建联建",
    "黨建聯建",
    "党",
    "1313",
    "玉林",
    "五基三化",
    "海边山党旗红",
    "乡村振兴 合作社",
    "5g",
    "兴业县",
    "红旗村",
]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["input"] or "empty" for v in VECTORS])
def test_python_tokeniser_matches_shared_vectors(vector):
    assert tokenize(vector["input"]) == vector["tokens"]


@pytest.mark.parametrize("vector", QUERY_VECTORS, ids=[v["input"] for v in QUERY_VECTORS])
def test_python_query_terms_match_shared_vectors(vector):
    assert [list(t) for t in query_terms(vector["input"])] == vector["terms"]


@pytest.fixture(scope="module")
def fold_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("fold") / "fold.json"
    path.write_text(json.dumps(fold_map(), ensure_ascii=False), encoding="utf-8")
    return path


def test_browser_tokeniser_matches_shared_vectors(fold_file):
    result = subprocess.run(
        ["node", "--test", str(ROOT / "tests" / "js" / "tokenizer.test.js")],
        env={"FOLD_MAP": str(fold_file), "PATH": "/usr/bin:/bin:/usr/local/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout and f"# pass {len(VECTORS) + len(QUERY_VECTORS)}" in result.stdout


def test_folding_makes_traditional_and_simplified_equal():
    assert tokenize("黨建聯建") == tokenize("党建联建")
    assert tokenize("ＡＢＣ") == tokenize("abc")


@pytest.fixture(scope="module")
def seed_index():
    articles = load_corpus(ROOT / "content").articles
    docs = [document(str(n), a) for n, a in enumerate(sorted(articles, key=lambda a: a.slug))]
    return build_index(docs)


def test_index_pipeline_holds_no_function_lunr_js_lacks(seed_index):
    serialized = seed_index.serialize()
    assert serialized["pipeline"] == []
    assert serialized["version"].startswith("2.3")


def test_lunr_js_loads_the_index_and_gives_lunr_py_results(seed_index, fold_file, tmp_path):
    index_path = tmp_path / "index.json"
    index_path.write_text(json.dumps(seed_index.serialize(), ensure_ascii=False), encoding="utf-8")
    queries_path = tmp_path / "queries.json"
    queries_path.write_text(json.dumps(QUERIES, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "js" / "query_index.js"), str(index_path), str(queries_path), str(fold_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    from_js = json.loads(result.stdout)
    for query in QUERIES:
        terms = query_terms(query)
        for mode, required in (("strict", True), ("loose", False)):
            python = run_query(seed_index, terms, required)
            js = from_js[query][mode]
            assert [ref for ref, _ in python] == [ref for ref, _ in js], (query, mode)
            for (_, a), (_, b) in zip(python, js, strict=True):
                assert a == pytest.approx(b, rel=1e-9), (query, mode)


def test_both_scripts_find_the_same_articles(seed_index):
    assert search(seed_index, "党建联建") == search(seed_index, "黨建聯建")
    assert search(seed_index, "党建联建")


def test_one_character_query_finds_articles(seed_index):
    assert len(search(seed_index, "党")) == 5
    assert search(seed_index, "葵")  # 葵峰山: a character that starts a run


def test_latin_and_number_query(seed_index):
    found = search(seed_index, "1313")
    assert len(found) == 1


def test_search_files_are_scripts_setting_globals(synthetic_articles):
    articles = synthetic_articles[0]
    files = all_files(search_files(articles, lambda a: a.page_path, tier_first=2))
    assert files["search/index.js"].startswith("window.ARCHIVE_SEARCH=")
    prefixes = {
        "search/shards/": "ARCHIVE_SHARDS",
        "search/tiers/": "ARCHIVE_TIERS",
        "search/counts/": "ARCHIVE_COUNTS",
        "search/table/": "ARCHIVE_TABLE",
        "search/names/": "ARCHIVE_NAMES",
        "search/docs/": "ARCHIVE_DOCS",
        "search/docs-hant/": "ARCHIVE_DOCS_HANT",
    }
    for prefix, variable in prefixes.items():
        named = [name for name in files if name.startswith(prefix)]
        assert named and all(files[name].startswith(f"(window.{variable}=window.{variable}||{{}})") for name in named)
    assert len([name for name in files if name.startswith("search/docs/")]) == len(articles)
    assert all("</script" not in text for text in files.values())


def all_files(made: SearchFiles) -> dict[str, str]:
    """Every search file, the ones made as they are asked for too."""
    return {**made.files, **dict(made.later())}


def registered(text: str):
    return json.loads(text[text.index("]=") + 2 :].rstrip().rstrip(";"))


def test_the_table_numbers_each_documents_facets_and_the_names_read_them_back():
    """One table for both scripts: a document's row holds its year and facet
    value numbers; the name pieces turn numbers into names in each script,
    most common first (a result list's names sit in the first pieces)."""
    articles = sorted(load_corpus(ROOT / "content").articles, key=lambda a: a.slug)
    files = all_files(search_files(articles, lambda a: a.page_path))
    text = files["search/index.js"]
    directory = json.loads(text[text.index("=") + 1 :].rstrip().rstrip(";"))
    rows = [row for c in range(-(-len(articles) // directory["tableChunk"]))
            for row in registered(files[f"search/table/{c}.js"])]  # fmt: skip
    assert len(rows) == len(articles)
    for kind in ("region", "initiative"):
        pieces = directory["names"][kind]
        simplified = [n for p in range(pieces) for n in registered(files[f"search/names/{kind}-{p}.js"])]
        traditional = [n for p in range(pieces) for n in registered(files[f"search/names-hant/{kind}-{p}.js"])]
        assert len(simplified) == len(traditional) > 0
        assert f"search/names/{kind}-{pieces}.js" not in files
        if kind == "region":
            counts = Counter(name for a in articles for name in {n for r in a.regions for n in r.names})
        else:
            counts = Counter(name for a in articles for name in set(a.initiatives))
        assert [counts[name] for name in simplified] == sorted(counts.values(), reverse=True)
        column = 1 if kind == "region" else 2
        for article, row in zip(articles, rows, strict=True):
            numbers = set(row[column])
            if kind == "region":  # the deepest places, and through the parents every place above
                assert len(numbers) == len({r.codes[-1] for r in article.regions})
                for number in list(numbers):
                    while directory["parents"]["region"][number] >= 0:
                        number = directory["parents"]["region"][number]
                        numbers.add(number)
                expected = {n for r in article.regions for n in r.names}
            else:
                expected = set(article.initiatives)
            assert {simplified[number] for number in numbers} == expected
            assert all(to_traditional(simplified[number]) == traditional[number] for number in numbers)
    for ref, (article, row) in enumerate(zip(articles, rows, strict=True)):
        assert row[0] == (int(article.year) if article.year else 0)
        result = registered(files[doc_path(ref)])
        assert (result["t"], result["u"]) == (article.title, article.page_path)
        assert article.paragraphs[0] in result["x"]
        hant = registered(files[doc_path(ref, traditional=True)])
        assert hant["t"] == to_traditional(article.title) and hant["u"] == article.page_path


def test_a_lists_counts_are_its_documents_years_places_and_initiatives(synthetic_articles):
    """The counts kept with a list equal those counted from the table rows of
    every document that holds its term."""
    articles = synthetic_articles[0]
    files = all_files(search_files(articles, lambda a: a.page_path, tier_first=2))
    text = files["search/index.js"]
    directory = json.loads(text[text.index("=") + 1 :].rstrip().rstrip(";"))
    rows = [row for c in range(-(-len(articles) // directory["tableChunk"]))
            for row in registered(files[f"search/table/{c}.js"])]  # fmt: skip
    parents = directory["parents"]["region"]
    checked = trimmed = 0
    for name, text in files.items():
        if not name.startswith("search/shards/"):
            continue
        for key, count, deltas, _, tops, counted, *_ in registered(text):
            refs = list(itertools.accumulate(deltas))
            for tier in range(1, len(tops) + 1):
                refs += itertools.accumulate(registered(files[tier_path(shard_name(key), tier)])[0])
            assert len(refs) == count == len(set(refs))
            if not counted:
                continue
            counts = registered(files[histogram_path(shard_name(key))])
            expected: dict[str, Counter] = {"year": Counter(), "region": Counter(), "initiative": Counter()}
            for ref in refs:
                year, places, initiatives = rows[ref]
                if year:
                    expected["year"][year] += 1
                above = set()
                for place in places:
                    while place >= 0:
                        above.add(place)
                        place = parents[place]
                expected["region"].update(above)
                expected["initiative"].update(initiatives)
            for kind, flat in counts.items():
                # The most frequent values, as many as a facet lists (ties: the lower number).
                top = sorted(expected[kind].items(), key=lambda item: (-item[1], item[0]))[:FACET_SHOWN]
                assert dict(zip(flat[::2], flat[1::2], strict=True)) == dict(top), (key, kind)
                trimmed += len(expected[kind]) > FACET_SHOWN
            checked += 1
    assert checked > 10 and trimmed


def fields() -> list[Field]:
    return [Field(f["field_name"], f.get("boost", 1)) for f in FIELDS]


@pytest.fixture(scope="module")
def synthetic_articles(tmp_path_factory):
    from bench.corpus import write_corpus

    folder = tmp_path_factory.mktemp("synthetic")
    write_corpus(60, folder)
    return search_documents(load_corpus(folder).articles)


@pytest.fixture(scope="module")
def synthetic_documents(synthetic_articles):
    return synthetic_articles[1]


def test_computed_index_equals_lunr_py_on_the_seeds():
    documents = search_documents(load_corpus(ROOT / "content").articles)[1]
    assert serialize(compute_postings(documents, fields())) == build_index(list(documents())).serialize()


def test_computed_index_equals_lunr_py_on_a_synthetic_corpus(synthetic_documents):
    computed = serialize(compute_postings(synthetic_documents, fields()))
    assert computed == build_index(list(synthetic_documents())).serialize()


def test_computed_index_equals_lunr_py_with_an_empty_field_and_a_term_counted_past_two_bytes():
    # Term frequencies are kept in two bytes until one needs more; no document has tags.
    texts = [["党建"] * 70_000 + ["乡村"], ["党建", "振兴"], ["振兴"] * 300]
    docs = [{"ref": str(n), "title": ["标题"], "tags": [], "body": body} for n, body in enumerate(texts)]
    postings = compute_postings(lambda: iter(docs), fields())
    assert list(postings.docs["党建"][2][1]) == [70_000, 1]
    assert serialize(postings) == build_index(docs).serialize()


def list_inputs(documents, articles, tier_first: int) -> dict:
    """What the node script needs: the tokenised documents (for one whole
    index built by lunr.js itself) and the site's search files."""
    files = all_files(search_files(articles, lambda a: a.page_path, budget=300, tier_first=tier_first))
    return {
        "documents": list(documents()),
        "files": {name: text for name, text in files.items() if not name.startswith("search/docs")},
        "queries": [*QUERIES, "党建", "振兴", "基层党建", "乡村振兴示范", "三", "红", "党 党建", "建 党建 红旗",
                    "党员 党", "1", "a"],
    }  # fmt: skip


def ranking(results: list) -> list[tuple[float, int]]:
    """Results in rank order, scores to 9 places: the browser adds a
    document's weights in thousandths, lunr.js adds them per field, so a
    score may differ in its last bits, and only documents tied at 9 places may swap."""
    return sorted(((round(score, 9), int(ref)) for ref, score in results), key=lambda item: (-item[0], item[1]))


def assert_same_results(ours: list, theirs: list, label: object) -> None:
    assert ranking(ours) == ranking(theirs), label
    expected = dict(theirs)
    for ref, score in ours:
        assert score == pytest.approx(expected[ref], rel=1e-9), (label, ref)


@pytest.mark.parametrize("tier_first", [3, 128])
def test_lists_rank_as_lunr_js_ranks_one_whole_index(synthetic_articles, fold_file, tmp_path, tier_first):
    """The browser's ranking over the stored weights equals lunr.js's own
    index over the same documents (at the site's averages): with every tier
    read, with tiers read until the first results are settled, and through
    the lists merged into an index lunr.js loads."""
    articles, documents = synthetic_articles
    wanted = 5
    inputs = list_inputs(documents, articles, tier_first)
    paths = {}
    for name, data in {**inputs, "fold": json.loads(fold_file.read_text(encoding="utf-8"))}.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "js" / "query_lists.js"), *map(str, paths.values()), str(wanted)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = json.loads(result.stdout)
    assert any(answer["loose"]["partial"] for answer in answers.values())
    read_less = 0
    for query, answer in answers.items():
        strict = answer["strict"]
        assert_same_results(strict["complete"], strict["lunr"], query)
        if "merged" in strict:
            assert_same_results(strict["merged"], strict["lunr"], (query, "merged"))
        strict_refs = {ref for ref, _ in strict["lunr"]}
        loose = [[ref, score] for ref, score in answer["loose"]["lunr"] if ref not in strict_refs]
        assert_same_results(answer["loose"]["partial"], loose, (query, "loose"))
        # Read tier by tier, the first results are those of every tier read.
        assert answer["settled"]
        first = ranking(strict["first"])
        assert first == ranking(strict["complete"])[: len(first)], query
        assert len(first) == min(wanted, len(strict["complete"])), query
        read_less += answer["tiersRead"] < answer["tiers"]
    if tier_first == 3:
        assert read_less >= 5  # the settled queries stop before the last tier
