"""A bug in one file's stages is that file's error ("internal error: ...",
exit 1, everything else built), in this process, in the process pool and on
Dask workers; ``--debug`` raises it with its traceback instead."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import archivist.ingest.reading
import archivist.pipeline
from archivist import cli
from archivist.config import load_config
from archivist.ingest.editorial import load_editorial
from archivist.ingest.guard import Guarded, internal_error
from archivist.ingest.read import ReadError
from archivist.ingest.reading import ReadSettings, file_bytes, image_files, read_file
from archivist.model import Failure
from archivist.pipeline import build, load_corpus

from .conftest import write_site_toml

BROKEN = "000003"  # the synthetic article whose tagging raises
MESSAGE = "internal error: ZeroDivisionError: division by zero (please report; --debug shows the traceback)"


@pytest.fixture
def buggy_tagger(monkeypatch) -> None:
    """Tagging raises for one file, as a heuristic with a bug would (set
    before any pool is forked: its workers inherit it)."""
    real = archivist.ingest.reading.tag_article

    def tag_article(article, *rest):
        if Path(article.path).name.startswith(BROKEN):
            return 1 / 0
        return real(article, *rest)

    monkeypatch.setattr(archivist.ingest.reading, "tag_article", tag_article)


def content_of(tmp_path: Path, count: int) -> Path:
    from bench.corpus import write_corpus

    write_corpus(count, tmp_path / "content")
    return tmp_path / "content"


def failures(corpus) -> dict[str, str]:
    return {Path(failure.path).stem: failure.error for failure in corpus.failures}


def test_an_unexpected_exception_in_one_file_is_its_error_and_the_rest_is_built(tmp_path, buggy_tagger):
    content_of(tmp_path, 6)
    corpus, report = build(load_config(write_site_toml(tmp_path, content="content", output="site")))
    assert failures(corpus) == {BROKEN: MESSAGE}
    assert report.articles == 5 and (tmp_path / "site" / "index.html").is_file()


def test_the_build_command_exits_1_naming_the_file_and_debug_raises(tmp_path, buggy_tagger, capsys):
    content_of(tmp_path, 4)
    config = str(write_site_toml(tmp_path, content="content", output="site"))
    assert cli.main(["--config", config, "build", "-q"]) == cli.EXIT_FAILED
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and BROKEN in errors[0] and errors[0].endswith(MESSAGE), errors
    with pytest.raises(ZeroDivisionError):  # the file is tried again: a bug's result is not kept
        cli.main(["--config", config, "build", "-q", "--debug"])


def test_check_and_inspect_report_it_too_and_raise_with_debug(tmp_path, buggy_tagger, capsys):
    content = content_of(tmp_path, 4)
    config = str(write_site_toml(tmp_path, content="content", output="site"))
    assert cli.main(["--config", config, "check"]) == cli.EXIT_FAILED
    assert MESSAGE in capsys.readouterr().err
    broken = next(content.glob(f"{BROKEN}*"))
    assert cli.main(["--config", config, "inspect", str(broken)]) == cli.EXIT_FAILED
    assert json.loads(capsys.readouterr().out)[0]["error"] == MESSAGE
    for command in (["check"], ["inspect", str(broken)]):
        with pytest.raises(ZeroDivisionError):
            cli.main(["--config", config, *command, "--debug"])


def test_serve_takes_debug():
    assert cli.make_parser().parse_args(["serve", "--debug"]).debug


def test_in_the_process_pool_it_is_the_files_error_and_debug_raises(tmp_path, buggy_tagger):
    content = content_of(tmp_path, archivist.pipeline.PARALLEL_FROM + 2)  # enough files for the pool
    corpus = load_corpus(content, workers=2)
    assert failures(corpus) == {BROKEN: MESSAGE} and len(corpus.articles) == archivist.pipeline.PARALLEL_FROM + 1
    with pytest.raises(ZeroDivisionError):  # raised in a worker, re-raised here with its traceback
        load_corpus(content, workers=2, debug=True)


def test_on_dask_workers_it_is_the_files_error_and_debug_raises(tmp_path, buggy_tagger):
    """Workers in this process's threads, so the buggy tagger reaches them;
    the debug flag travels with each task's shared arguments."""
    distributed = pytest.importorskip("distributed")
    from archivist.run.cluster import DaskExecutor

    content = content_of(tmp_path, 5)
    paths = sorted(content.iterdir())
    editorial, _ = load_editorial(content)
    items = [file_bytes(path, content) for path in paths]
    settings = ReadSettings(editorial, False, True, content, images=image_files(content))
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        results = [result for result, _ in DaskExecutor(client).map(read_file, items, settings)]
        assert [isinstance(r, Failure) for r in results] == [BROKEN in path.name for path in paths]
        assert next(r for r in results if isinstance(r, Failure)).error == MESSAGE
        with pytest.raises(ZeroDivisionError):
            list(DaskExecutor(client).map(read_file, items, replace(settings, debug=True)))


def test_an_expected_error_that_escapes_a_stage_keeps_its_own_message():
    def stage(path: str) -> str:
        raise ReadError("not a text file")

    assert Guarded(stage)("a.txt") == Failure("a.txt", "not a text file")
    assert internal_error("a.txt", ValueError("x\ny")).error.startswith("internal error: ValueError: x y (please")


def test_an_interrupt_is_never_a_files_error():
    def stage(path: str) -> str:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Guarded(stage)("a.txt")


def test_a_file_that_ran_out_of_time_is_read_again_by_the_next_build(tmp_path, monkeypatch):
    """Its time running out says more about that run (a busy machine, a limit
    since raised) than about the file: the failure is not kept."""
    from archivist.ingest.deadline import FileTimeout

    content = content_of(tmp_path, 3)
    real = archivist.ingest.reading.tag_article

    def slow(article, *rest):
        raise FileTimeout(1)

    monkeypatch.setattr(archivist.ingest.reading, "tag_article", slow)
    config = load_config(write_site_toml(tmp_path, content="content", output="site"))
    corpus, _ = build(config)
    assert len(corpus.failures) == 3 and all("[build] file_timeout" in f.error for f in corpus.failures)
    monkeypatch.setattr(archivist.ingest.reading, "tag_article", real)
    corpus, report = build(config)
    assert not corpus.failures and report.articles == len(list(content.iterdir()))
