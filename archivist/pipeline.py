"""The whole build: files to Articles (per file), then site-wide stages."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from archivist.config import SiteConfig
from archivist.ingest.deadline import DEFAULT_FILE_TIMEOUT
from archivist.ingest.discover import discover, source_key
from archivist.ingest.editorial import load_editorial
from archivist.ingest.guard import is_transient
from archivist.ingest.inputs import DEFAULT_MAX_INPUT_BYTES
from archivist.ingest.reading import (
    FileItem,
    ReadSettings,
    file_bytes,
    image_files,
    read_file,
    shown_path,
    shown_paths,
)
from archivist.model import Article, Corpus, Failure
from archivist.output.exports import exports_key, write_exports
from archivist.output.images import write_images
from archivist.output.redirects import write_redirects
from archivist.output.write import OutputError, SiteWriter, check_output_dir, files_below
from archivist.render.render import Rendered, plan, write_pages
from archivist.run.choose import executor_for
from archivist.run.cluster import connected
from archivist.run.seam import Executor, InProcess
from archivist.search.publish import write_search
from archivist.site.maps import map_notices
from archivist.site.reprints import find_stories, reprint_counts, reprints_only
from archivist.state.keys import corpus_key, inputs_key, stable_repr
from archivist.state.state import (
    BuildState,
    ReadEntry,
    forget_state,
    load_state,
    outputs_since,
    reuse,
    save_state,
    stage_versions,
)
from archivist.state.unchanged import (
    check_not_writing,
    inputs_digest,
    outcome_of,
    save_unchanged,
    unchanged_outcome,
)
from archivist.text.script import to_simplified
from archivist.text.slug import deduplicate

# Below these many files (pages) a pool of processes costs more than it saves.
PARALLEL_FROM = 64
PARALLEL_PAGES = 256
SPACES = re.compile(r"\s+")


def fingerprint(article: Article) -> str:
    """The article's title and text, folded to Simplified, without spaces:
    the same article saved twice (as a scrape and a saved page, in either
    script, with or without its date line) has one fingerprint."""
    text = "\n".join([article.title, *(block.text for block in article.blocks if block.kind in ("p", "h"))])
    return hashlib.sha256(SPACES.sub("", to_simplified(text)).encode()).hexdigest()


def finish(results: Iterable[Article | Failure], corpus: Corpus) -> Corpus:
    """Drop duplicates (the later copy in path order) and drafts, make slugs
    unique."""
    seen: dict[str, str] = {}
    articles: list[Article] = []
    for result in results:
        if isinstance(result, Failure):
            corpus.failures.append(result)
            continue
        key = fingerprint(result)
        if key in seen:
            corpus.notices.append(f"{result.path}: same article as {seen[key]}; published once")
            continue
        seen[key] = result.path
        if result.draft:
            corpus.notices.append(f"{result.path}: draft, not built")
            continue
        articles.append(result)
    articles.sort(key=lambda a: a.path)
    slugs = deduplicate(a.slug for a in articles)
    owners: dict[str, str] = {}
    for article, slug in zip(articles, slugs, strict=True):
        owners.setdefault(article.slug, article.path)
        if slug != article.slug:
            corpus.notices.append(
                f"{article.path}: slug {article.slug!r} is taken by {owners[article.slug]}; published as {slug!r}"
            )
    corpus.articles = [replace(a, slug=s) for a, s in zip(articles, slugs, strict=True)]
    return corpus


def share_tags(result: Article | Failure, shared: dict) -> Article | Failure:
    """The article with its places and names as one object each across the
    archive (each comes back from a worker as a copy of its own: at 100,000
    articles, hundreds of MB of equal tuples)."""
    if isinstance(result, Failure):
        return result
    return replace(
        result,
        regions=tuple(shared.setdefault(region, region) for region in result.regions),
        initiatives=tuple(shared.setdefault(name, name) for name in result.initiatives),
        slogans=tuple(shared.setdefault(name, name) for name in result.slogans),
    )


def no_progress(items: Iterable, total: int | None = None) -> Iterable:
    return items


def load_corpus(
    content_dir: Path,
    progress: Callable[..., Iterable] = no_progress,
    build_state: BuildState | None = None,
    keep_source: bool = True,
    workers: int = 0,
    terms: Callable[[], dict] | None = None,
    executor: Executor | None = None,
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES,
    file_timeout: float = DEFAULT_FILE_TIMEOUT,
    debug: bool = False,
) -> Corpus:
    """Every content file as an Article or a Failure; with a cache, only
    files whose stat changed (or all, when the curation files changed) are
    read again.  With ``terms``, each article read is also tokenised for the
    search index where it is read, into it.  The files are read by
    ``executor`` (default: ``workers`` processes of this machine).  No file larger than ``max_bytes`` is read.
    A file whose stages raise what they should not is an internal error
    naming it (``debug``: the exception is raised)."""
    if not content_dir.exists():
        raise OutputError(f"content folder {content_dir} does not exist")
    if not content_dir.is_dir():
        raise OutputError(f"content folder {content_dir} is a file, not a folder")
    notices: list[str] = []
    links: set[Path] = set()
    paths, refused = discover(content_dir, notices, links)
    editorial, broken = load_editorial(content_dir, max_bytes)
    corpus = Corpus(failures=[*refused, *broken], notices=notices, editorial=editorial)
    build_state = build_state or BuildState()
    # The limit decides which files fail: a new limit reads them again.
    editorial_key = hashlib.sha256(stable_repr((editorial, keep_source, max_bytes)).encode()).hexdigest()[:16]
    keys = {path: source_key(path) for path in paths}
    names = shown_paths(content_dir, paths, links)  # cache keys: a name that is no UTF-8 is escaped
    results: dict[Path, Article | Failure] = {}
    shared: dict = {}
    for path in paths:
        hit = build_state.lookup(names[path], keys[path], editorial_key)
        if hit is not None:
            results[path] = share_tags(hit, shared)
    if not paths:
        corpus.notices.append(f"{shown_path(content_dir)}: no articles (.txt, .md, .html) found in the content folder")
    stale = [path for path in paths if path not in results]
    into = terms() if terms is not None and stale else None  # the cache is read only when files are
    executor = executor or executor_for(workers, parallel_from=PARALLEL_FROM)
    settings = ReadSettings(editorial, keep_source, into is not None, content_dir, max_bytes, file_timeout, debug=debug)
    items: Iterable[FileItem] = stale
    if executor.remote:  # its workers get each file's bytes (read here, as the executor takes them)
        settings = replace(settings, images=image_files(content_dir))
        items = (file_bytes(path, content_dir, max_bytes) for path in stale)
    done = executor.map(read_file, items, settings)
    for path, (result, entry) in zip(stale, progress(done, total=len(stale)), strict=True):
        results[path] = share_tags(result, shared)
        if entry is not None and into is not None:
            into[entry[0]] = entry[1]
    if stale or len(build_state.articles) != len(paths):
        build_state.dirty = True
    build_state.articles = {
        names[path]: ReadEntry(keys[path], editorial_key, results[path])
        for path in paths
        if not is_transient(results[path])
    }
    return finish((results[path] for path in paths), corpus)


@dataclass(frozen=True)
class BuildReport:
    articles: int
    warnings: int
    errors: int
    seconds: float
    changed: int
    removed: int
    output: Path
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage

    def summary(self) -> str:
        return (
            f"Built {self.articles} articles, {self.warnings} warnings, {self.errors} errors "
            f"in {self.seconds:.2f} s ({self.changed} files written, {self.removed} removed) -> "
            f"{self.output / 'index.html'}"
        )


def build(
    config: SiteConfig,
    progress: Callable[..., Iterable] = no_progress,
    build_state: BuildState | None = None,
    stand_in: Callable[[Corpus], None] | None = None,
    retain: Callable[[Rendered], None] | None = None,
    render_here: bool = False,
) -> tuple[Corpus, BuildReport]:
    """A full or incremental build.  Without a cache in memory, the one a
    previous build left in the output folder is used and updated; but first,
    when nothing the last such build read or wrote has changed since (see
    ``state.unchanged``), its outcome is reported and nothing is loaded.  ``stand_in``
    sees the corpus before it is rendered and may put back the last good
    article of a file that fails now (the preview server does, so a broken
    edit does not take a page away).  With ``render_here``, pages are
    rendered in this process (the preview server's threads are running).

    The one place that decides where work runs: the settings' workers and
    scheduler give each mapping stage its executor."""
    started = time.perf_counter()
    check_output_dir(config.output_dir, config.protected_dirs)
    on_disk = build_state is None
    inputs = None
    if build_state is None:
        # Before any article is loaded: a build with nothing to do reports
        # the last one's outcome and writes nothing.
        inputs = inputs_digest(config, stage_versions())
        last = unchanged_outcome(config, inputs)
        if last is not None and stand_in is None and retain is None:
            check_not_writing(config.output_dir)
            seconds = time.perf_counter() - started
            report = BuildReport(
                articles=last.articles,
                warnings=len(last.warnings),
                errors=len(last.failures),
                seconds=seconds,
                changed=0,
                removed=0,
                output=config.output_dir,
                stages={"check": seconds},
            )
            return last.corpus(), report
        build_state = load_state(config.output_dir)
    with connected(config.scheduler) as client:
        corpus = load_corpus(
            config.content_dir,
            progress,
            build_state,
            keep_source=config.text_copies,
            terms=lambda: build_state.part("terms"),
            executor=executor_for(config.workers, client, PARALLEL_FROM),
            max_bytes=config.max_input_bytes,
            file_timeout=config.file_timeout,
            debug=config.debug,
        )
        if config.maps:
            corpus.notices.extend(map_notices(corpus.articles))
        stages = {"read": time.perf_counter() - started}
        if stand_in is not None:
            stand_in(corpus)
        renderer = InProcess() if render_here else executor_for(config.workers, client, PARALLEL_PAGES)
        changed, removed = render_site(corpus, config, build_state, stages, retain, renderer)
    if on_disk and build_state.dirty:
        save_state(config.output_dir, build_state)
    if inputs is not None and not any(is_transient(failure) for failure in corpus.failures):
        # A file that timed out, or met a bug of ours, is tried again by the next build.
        save_unchanged(config.output_dir, inputs, outcome_of(corpus))
    report = BuildReport(
        articles=len(corpus.articles),
        warnings=corpus.warning_count,
        errors=len(corpus.failures),
        seconds=time.perf_counter() - started,
        changed=changed,
        removed=removed,
        output=config.output_dir,
        stages=stages,
    )
    return corpus, report


def render_site(
    corpus: Corpus,
    config: SiteConfig,
    build_state: BuildState | None = None,
    timings: dict[str, float] | None = None,
    retain: Callable[[Rendered], None] | None = None,
    executor: Executor | None = None,
) -> tuple[int, int]:
    """Render the pages whose inputs changed (by ``executor``; default: in
    this process) and sync the output folder; (files changed, files
    removed).  Seconds per stage go into ``timings``; ``retain`` is given
    what the pages were rendered from."""
    timings = {} if timings is None else timings
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    check_output_dir(config.output_dir, config.protected_dirs)
    build_state = build_state or BuildState()
    inputs = inputs_key(corpus, config, build_state.versions)
    if build_state.inputs == inputs:
        with SiteWriter(config.output_dir) as writer:
            previous = writer.previous_files()
            if previous and previous <= files_below(config.output_dir):
                if retain is not None:  # the preview server's first build: it needs the plan
                    plan(corpus, config, build_state, retain)
                lap("write")
                return 0, 0  # every file is there, as the last build left it
    build_state.dirty = True
    # A build that fails or is stopped before its commit leaves the cache
    # describing the output as it is (the search shards are patched from it).
    kept_state = build_state.small_parts()
    try:
        with SiteWriter(config.output_dir) as writer:
            # The search index first, from the articles alone: what it holds
            # while it is made is let go before the site and its pages are
            # planned, so a large archive's peak memory is the larger of the
            # two stages, not their sum.
            build_state.images = write_images(writer, corpus, config, build_state.images)
            # Reprints are found first: with reprints = "group", search
            # holds each report once, as its original with its reprints' number.
            stories = find_stories(
                corpus.articles, build_state.part("reprint_sketches"), build_state.part("reprint_checks")
            )
            for name in ("reprint_sketches", "reprint_checks"):
                build_state.release(name)
            lap("reprints")
            searched, reprinted = corpus.articles, None
            if config.reprints == "group" and stories:
                copies = reprints_only(stories)
                searched = [article for article in corpus.articles if article.slug not in copies]
                reprinted = reprint_counts(stories)
            key = corpus_key(searched, config, reprinted)
            if not reuse(writer, build_state.search_files, key):
                before = set(writer.written)
                write_search(writer, searched, build_state, config.traditional, reprinted)
                build_state.search_files = outputs_since(writer, key, before)
            lap("search")
            environment, site, groups = plan(corpus, config, build_state, retain, stories)
            lap("site")
            if config.exports:
                reprint_groups = {slug: story.original for slug, story in stories.items()}
                key = exports_key(site, config, reprint_groups)
                if not reuse(writer, build_state.exports, key):
                    before = set(writer.written)
                    write_exports(writer, site, config, reprint_groups)
                    build_state.exports = outputs_since(writer, key, before)
                lap("exports")
            for name in ("glossary", "slugs"):  # used only to make the site
                build_state.release(name)
            lap("site")
            signatures = write_pages(writer, environment, site, groups, config, build_state, executor or InProcess())
            write_redirects(writer, corpus, set(signatures), config)
            lap("render")
            # Killed after the commit but before the new cache is saved, a build
            # must not leave a cache that describes the site before it.
            forget_state(config.output_dir)
            changes = writer.commit()
            lap("write")
    except BaseException:
        build_state.restore(kept_state)
        raise
    build_state.pages = signatures
    build_state.inputs = inputs
    return changes
