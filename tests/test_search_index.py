"""The search index: one tokeniser spec in two languages, and an index that
lunr.js loads and answers exactly as lunr.py does."""

import json
import random
import subprocess

import pytest

from archivist.pipeline import load_corpus
from archivist.search.index import SearchFiles, doc_path, search_files
from archivist.search.searchdocs import FIELDS, document
from archivist.search.shards import (
    Field,
    Shard,
    field_terms,
    payload_terms,
    shard_name,
    shard_payload,
    split,
    term_changes,
    term_size,
    update_shards,
)
from archivist.search.tokenize import fold, fold_map, tokenize
from archivist.text.script import to_traditional
from bench.lunr_oracle import (
    build_index,
    compute_postings,
    document_count,
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


def test_search_files_are_scripts_setting_globals():
    articles = load_corpus(ROOT / "content").articles
    files = all_files(search_files(articles, lambda a: a.page_path))
    assert files["search/index.js"].startswith("window.ARCHIVE_SEARCH=")
    shards = [name for name in files if name.startswith("search/shards/")]
    assert shards and all(
        files[name].startswith("(window.ARCHIVE_SHARDS=window.ARCHIVE_SHARDS||{})") for name in shards
    )
    assert files["search/table/0.js"].startswith("(window.ARCHIVE_TABLE=window.ARCHIVE_TABLE||{})")
    assert files["search/names/region-0.js"].startswith("(window.ARCHIVE_NAMES=window.ARCHIVE_NAMES||{})")
    assert len([name for name in files if name.startswith("search/docs/")]) == len(articles)
    assert all("</script" not in text for text in files.values())


def all_files(made: SearchFiles) -> dict[str, str]:
    """Every search file, the ones made as they are asked for too."""
    return {**made.files, **dict(made.later())}


def registered(text: str):
    return json.loads(text[text.index("]=") + 2 :].rstrip().rstrip(";"))


def test_the_table_numbers_each_documents_facets_and_the_names_read_them_back():
    """One table for both scripts: a document's row holds its field lengths,
    year and facet value numbers; the name pieces turn numbers into names in
    each script, and each piece's folded range finds a name from a link."""
    articles = sorted(load_corpus(ROOT / "content").articles, key=lambda a: a.slug)
    files = all_files(search_files(articles, lambda a: a.page_path))
    text = files["search/index.js"]
    directory = json.loads(text[text.index("=") + 1 :].rstrip().rstrip(";"))
    rows = [row for c in range(-(-len(articles) // directory["tableChunk"]))
            for row in registered(files[f"search/table/{c}.js"])]  # fmt: skip
    assert len(rows) == len(articles)
    for kind in ("region", "initiative"):
        pieces = directory["names"][kind]
        simplified = [n for p in range(len(pieces)) for n in registered(files[f"search/names/{kind}-{p}.js"])]
        traditional = [n for p in range(len(pieces)) for n in registered(files[f"search/names-hant/{kind}-{p}.js"])]
        assert len(simplified) == len(traditional) > 0
        for p, (first, last) in enumerate(pieces):
            piece = registered(files[f"search/names/{kind}-{p}.js"])
            assert (fold(piece[0]), fold(piece[-1])) == (first, last)
        column = 4 if kind == "region" else 5
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
        assert row[3] == (int(article.year) if article.year else 0)
        result = registered(files[doc_path(ref)])
        assert (result["t"], result["u"]) == (article.title, article.page_path)
        assert result["T"] == to_traditional(article.title) and article.paragraphs[0] in result["x"]


def fields() -> list[Field]:
    return [Field(f["field_name"], f.get("boost", 1)) for f in FIELDS]


@pytest.fixture(scope="module")
def synthetic_documents(tmp_path_factory):
    from bench.corpus import write_corpus

    folder = tmp_path_factory.mktemp("synthetic")
    write_corpus(60, folder)
    return search_documents(load_corpus(folder).articles)[1]


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


def split_inputs(documents, budget: int) -> dict:
    """What the node script needs: the tokenised documents (for one whole
    index built by lunr.js itself) and the site's search files."""
    docs = list(documents())
    postings = compute_postings(documents, fields())
    groups = split(postings, budget)
    count = document_count(postings)
    return {
        "documents": docs,
        "directory": {
            "version": "2.3.9", "fields": postings.fields, "boosts": postings.boosts, "documents": count,
            "lengths": [sum(lengths) for lengths in postings.lengths], "tableChunk": 7,
            "shards": [[g[0], g[-1]] for g in groups],
        },
        "shards": {shard_name(g[0]): shard_payload(postings.docs, g) for g in groups},
        "table": {
            str(c): [[postings.lengths[f][ref] for f in range(3)] + [0, [], []] for ref in range(c * 7, min(c * 7 + 7, count))]
            for c in range(-(-count // 7))
        },
        "queries": [*QUERIES, "党建", "振兴", "基层党建", "乡村振兴示范", "三", "红", "党*"],
    }  # fmt: skip


def ranking(results: list) -> list[tuple[float, str]]:
    """Results in rank order, scores to 9 places: lunr.js sums a document's
    term weights in ``_index`` order, which the browser assigns in term order
    (a whole index assigns it in order of first appearance), so a score may
    differ in its last bit, and only documents tied at 9 places may swap."""
    return sorted(((round(score, 9), ref) for ref, score in results), key=lambda item: (-item[0], item[1]))


def test_split_index_gives_the_results_of_one_lunr_js_index(synthetic_documents, fold_file, tmp_path):
    """The browser's merged shards, scored in the browser, rank exactly as
    one whole index that lunr.js builds from the same documents."""
    inputs = split_inputs(synthetic_documents, budget=400)
    assert len(inputs["shards"]) > 20
    paths = {}
    for name, data in inputs.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "js" / "query_shards.js"), *map(str, paths.values()), str(fold_file)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answers = json.loads(result.stdout)
    assert any(answer["modes"]["loose"]["whole"] for answer in answers.values())
    for query, answer in answers.items():
        assert answer["shards"] < len(inputs["shards"]), query
        for mode, pair in answer["modes"].items():
            assert ranking(pair["split"]) == ranking(pair["whole"]), (query, mode)
            whole = dict(pair["whole"])
            for ref, score in pair["split"]:
                assert score == pytest.approx(whole[ref], rel=1e-12), (query, mode, ref)


def test_recut_after_random_changes_equals_cutting_the_changed_index(synthetic_documents):
    """Patching the shards an edit touches gives the shards (cuts and
    payloads) of the changed index cut whole."""
    rng = random.Random(7)
    docs = list(synthetic_documents())
    budget = 300
    before = compute_postings(lambda: iter(docs), fields())
    groups = split(before, budget)
    files = {shard_name(g[0]): shard_payload(before.docs, g) for g in groups}
    shards = [Shard(g[0], g[-1], term_size(before.docs[g[0]])) for g in groups]
    vocabulary = sorted(before.docs)
    for _ in range(25):
        ref = rng.randrange(len(docs))
        edited = dict(docs[ref])
        for name in ("title", "tags", "body"):
            tokens = list(edited[name])
            for _ in range(rng.randrange(1, 6)):
                action = rng.random()
                if action < 0.4 and tokens:
                    del tokens[rng.randrange(len(tokens))]
                elif action < 0.7:
                    tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(vocabulary))
                else:
                    tokens.append(f"新词{rng.randrange(1000)}")
            edited[name] = tokens
        old = [field_terms(docs[ref][f.name]) for f in fields()]
        new = [field_terms(edited[f.name]) for f in fields()]
        docs[ref] = edited
        changes: dict = {}
        term_changes(old, new, ref, changes)
        shards, payloads = update_shards(shards, changes, lambda name: payload_terms(files[name]), budget)
        files.update(payloads)
        after = compute_postings(lambda: iter(docs), fields())
        expected = split(after, budget)
        assert [(s.first, s.last) for s in shards] == [(g[0], g[-1]) for g in expected]
        for group in expected:
            assert files[shard_name(group[0])] == shard_payload(after.docs, group)
        assert len(payloads) < len(expected) / 2  # a handful, not all of them
