"""A preview session: rebuilds on change, keeps the last good article of a file
that newly fails, renders an edited article's page ahead of the rebuild, and
tells the browser and the terminal what happened."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

from archivist.config import ConfigError, SiteConfig
from archivist.ingest.guard import Guarded
from archivist.ingest.reading import normalise_file
from archivist.ingest.reading import shown_path as file_name
from archivist.model import Article, Corpus, Failure
from archivist.output.write import OutputError
from archivist.pipeline import BuildReport, build
from archivist.render.render import Rendered
from archivist.render.templates import TRADITIONAL_DIR, RenderError
from archivist.search.index import SearchAssetError
from archivist.serve.livereload import Broadcast
from archivist.state.state import BuildState


@dataclass
class Preview:
    """A preview session: how to read the settings, the build cache, and what
    the terminal was last told."""

    load: Callable[[], SiteConfig]  # the settings file with the command line's folders on top
    config: SiteConfig
    broadcast: Broadcast = field(default_factory=Broadcast)
    cache: BuildState = field(default_factory=BuildState)
    builds: int = 0
    printed: set[str] = field(default_factory=set)
    # Told the settings before each build, so that new folders are watched
    # before the build reads them (an edit during the build is not missed).
    on_settings: Callable[[SiteConfig], None] = lambda config: None
    rendered: Rendered | None = None  # what the last build rendered from
    overlay: dict[str, str] = field(default_factory=dict)  # pages rendered since, by output path
    published: dict[str, Article] = field(default_factory=dict)  # the last build's articles, by file

    @property
    def project(self) -> Path:
        return self.config.content_dir.parent

    def retain(self, rendered: Rendered) -> None:
        self.rendered = rendered

    def render_edited(self, paths: set[Path]) -> int:
        """Fast render: an edited article's page, rendered at once from the
        site as last built and served from memory, before the rebuild that
        brings every other page up to date (and writes this one).  Anything
        but an edit that keeps the article's slug waits for the rebuild."""
        rendered = self.rendered
        if rendered is None:
            return 0
        by_path = {Path(a.path).absolute(): a for a in rendered.site.corpus.articles}
        count = 0
        for path in sorted(paths):
            old = by_path.get(path)
            if old is None or not path.is_file():
                continue
            # Read as the build reads: inside the content folder, not through a link swapped in since.
            config = rendered.config
            # A bug in a heuristic is the rebuild's to report (as that file's internal error), not the server's end.
            read = Guarded(normalise_file, config.debug, file_name)
            article = read(
                path,
                rendered.site.corpus.editorial,
                root=config.content_dir,
                max_bytes=config.max_input_bytes,
                file_timeout=config.file_timeout,
            )
            if isinstance(article, Failure) or article.draft or article.slug != old.slug:
                continue
            try:
                pages = rendered.article_page(article)
            except RenderError:
                continue  # the rebuild reports it
            if pages:
                self.overlay.update(pages)
                count += 1
        if count:
            self.broadcast.send("reload", {"changed": count})
        return count

    def rebuild(self) -> BuildReport | None:
        """One build; a file that newly fails keeps the last good site and
        shows the error in the browser instead."""
        addresses = {path: article.page_path for path, article in self.published.items()}
        try:
            if self.builds:
                self.config = self.load()
            self.on_settings(self.config)
            # Pages are rendered in this process: the server's own threads
            # are running, and a forked worker would copy their locks.
            # A preview rebuilds a few files: a cluster would cost more to start than it saves.
            corpus, report = build(
                replace(self.config, scheduler=""),
                build_state=self.cache,
                stand_in=self.stand_in,
                retain=self.retain,
                render_here=True,
            )
        except (ConfigError, OutputError, RenderError, SearchAssetError) as error:
            self.show_failure(str(error))
            print(printable(f"error: {error}"), flush=True)
            return None
        except Exception as error:  # a bug of ours: keep serving, say what happened
            self.show_failure(f"{type(error).__name__}: {error}")
            traceback.print_exc()
            return None
        finally:
            rendered_ahead = bool(self.overlay)
            self.overlay.clear()  # what is served is what the output folder holds
        self.builds += 1
        self.print_new_messages(corpus)
        errors = [
            {"path": shown_path(f.path, self.project), "error": shown_text(f.error, self.project)}
            for f in corpus.failures
        ]
        if report.changed or report.removed or rendered_ahead:
            self.broadcast.send("reload", {"changed": report.changed, "moved": self.moved_since(addresses)})
        if errors:
            self.broadcast.send("failed", {"errors": errors})
        else:
            self.broadcast.send("ok", {})
        return report

    def moved_since(self, addresses: dict[str, str]) -> dict[str, str]:
        """Old URL path -> new, both scripts, of each article whose address
        changed (as a browser's ``location.pathname`` spells them)."""
        moved = {}
        for path, article in self.published.items():
            before = addresses.get(path)
            if before is not None and before != article.page_path:
                for prefix in ("/", "/" + TRADITIONAL_DIR):
                    moved[quote(prefix + before)] = quote(prefix + article.page_path)
        return moved

    def show_failure(self, message: str) -> None:
        self.broadcast.send("failed", {"errors": [{"path": "build", "error": shown_text(message, self.project)}]})

    def print_new_messages(self, corpus: Corpus) -> None:
        """Each error and warning with its file, as ``build`` prints them;
        on a rebuild only those the terminal has not shown yet."""
        messages = [*corpus.errors(), *corpus.warnings()]
        for line in messages:
            if line not in self.printed:
                print(printable(line), flush=True)
        self.printed = set(messages)

    def stand_in(self, corpus: Corpus) -> None:
        """A file that fails now but was published before keeps its last good
        article, so a broken edit does not take its page away (its error is
        still reported); every other file is built as it is now.  Not when
        another article has taken its address since."""
        addresses = {article.page_path for article in corpus.articles}
        for failure in corpus.failures:
            last_good = self.published.get(failure.path)
            if last_good is not None and last_good.page_path not in addresses:
                corpus.articles.append(last_good)
                addresses.add(last_good.page_path)
        corpus.articles.sort(key=lambda article: article.path)
        self.published = {article.path: article for article in corpus.articles}


def printable(text: str) -> str:
    """Text that encodes as UTF-8 wherever it goes (terminal, JSON): the bytes
    of a file name that is not UTF-8, kept by ``os.fsdecode`` as lone
    surrogates, shown as ``\\xNN``."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return data.decode("utf-8", "backslashreplace")


def shown_path(path: str, project: Path) -> str:
    """A file as the browser is told of it: relative to the project (a page
    need not learn where it lives on this machine), printable."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(project.absolute())
        except ValueError:
            candidate = Path(candidate.name)
    return printable(candidate.as_posix())


def shown_text(message: str, project: Path) -> str:
    """A message for the browser, the project's own location left out."""
    return printable(message.replace(str(project.absolute()) + os.sep, ""))
