"""Argument parsing for ``build.py``; each command calls the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import NoReturn

from tqdm import tqdm

from archivist.config import PROJECT_ROOT, ConfigError, SiteConfig, check_scheduler, check_workers, load_config
from archivist.drafts import DraftExists, create_draft
from archivist.ingest.editorial import load_editorial
from archivist.ingest.guard import Guarded
from archivist.ingest.media import image_notices
from archivist.ingest.reading import normalise_file, shown_path
from archivist.model import Corpus
from archivist.output.write import OutputError
from archivist.output.zipped import write_zip, zip_destination
from archivist.pipeline import build, load_corpus
from archivist.render.templates import RenderError
from archivist.run.cluster import ClusterError
from archivist.search.index import SearchAssetError
from archivist.serve.serve import serve
from archivist.site.glossary import build_glossary
from archivist.site.maps import map_notices
from archivist.site.taxonomy import build_taxonomy

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C
INTERRUPTED = "interrupted; the last site is intact"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 as well; say so in one place
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def port_number(text: str) -> int:
    """A TCP port, 0 (any free one) to 65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0-65535)")
    return port


def command_name() -> str:
    """How the user ran us, for usage lines: ``build.py``, ``archivist`` or ``python -m archivist``."""
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "archivist"
    return "python -m archivist" if name == "__main__.py" else name


def make_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=command_name(), description="Build a searchable website from a folder of articles.")
    parser.add_argument("--config", type=Path, help="site settings (default: site.toml)")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    build_cmd = commands.add_parser("build", help="build the site")
    build_cmd.add_argument("--content", type=Path, help="folder of .txt and .md articles")
    build_cmd.add_argument("--out", type=Path, help="output folder (default: site/)")
    build_cmd.add_argument("--quiet", "-q", action="store_true", help="print only errors and the summary")
    build_cmd.add_argument("--timings", action="store_true", help="also print seconds per stage as JSON")
    build_cmd.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes that read and render (default: [build] workers, 0: one per core)",
    )
    build_cmd.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="read on a Dask cluster: local, local:N or tcp://HOST:PORT (default: [build] scheduler)",
    )
    build_cmd.add_argument(
        "--zip", nargs="?", const="", metavar="FILE", help="also write the site as a zip (default: dist/site.zip)"
    )

    inspect_cmd = commands.add_parser("inspect", help="print what normalisation makes of files, as JSON")
    inspect_cmd.add_argument("files", nargs="+", type=Path)
    inspect_cmd.add_argument(
        "--content", type=Path, help="folder whose furniture.yaml, initiatives.yaml and glossary.yaml apply"
    )

    tags_cmd = commands.add_parser("tags", help="print every region and initiative tag with its count, as JSON")
    tags_cmd.add_argument("--content", type=Path, help="folder of articles")

    check_cmd = commands.add_parser("check", help="read every article and report problems, writing nothing")
    check_cmd.add_argument("--content", type=Path, help="folder of articles")

    new_cmd = commands.add_parser("new", help="start a new Markdown article (a draft) in the content folder")
    new_cmd.add_argument("title", help="the article's title")
    new_cmd.add_argument("--content", type=Path, help="folder of articles")

    serve_cmd = commands.add_parser("serve", help="build, serve on loopback, rebuild and reload on changes")
    serve_cmd.add_argument("--port", type=port_number, default=8000, help="port (0 picks a free one)")
    serve_cmd.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: loopback only; 0.0.0.0 or '': every interface, with a warning)",
    )
    serve_cmd.add_argument("--content", type=Path, help="folder of articles")
    serve_cmd.add_argument("--out", type=Path, help="output folder (default: site/)")

    glossary_cmd = commands.add_parser("glossary", help="print the slogan glossary as JSON")
    glossary_cmd.add_argument("--content", type=Path, help="folder of articles")
    for command in (build_cmd, check_cmd, serve_cmd, inspect_cmd):
        command.add_argument(
            "--debug", action="store_true", help="raise an internal error with its traceback, not as a file's error"
        )
    for command in commands.choices.values():
        # After the sub-command too; SUPPRESS keeps one given before it.
        command.add_argument(
            "--config", type=Path, default=argparse.SUPPRESS, help="site settings (default: site.toml)"
        )
    return parser


def settings(args: argparse.Namespace) -> SiteConfig:
    config = load_config(args.config)
    if getattr(args, "content", None):
        config = replace(config, content_dir=args.content.resolve())
    if getattr(args, "out", None):
        config = replace(config, output_dir=args.out.resolve())
    if getattr(args, "workers", None) is not None:
        config = replace(config, workers=check_workers(args.workers, "--workers"))
    if getattr(args, "scheduler", None) is not None:
        config = replace(config, scheduler=check_scheduler(args.scheduler, "--scheduler"))
    if getattr(args, "debug", False):
        config = replace(config, debug=True)
    return config


def progress_bar(quiet: bool):
    def wrap(items: Iterable, total: int | None = None) -> Iterable:
        # Shown only when a build takes more than a moment, and only on a
        # terminal (None: tqdm's own test), never in a log or a pipe.
        return tqdm(
            items, total=total, disable=True if quiet else None, delay=1.0, unit="article", file=sys.stderr, leave=False
        )

    return wrap


def run_build(args: argparse.Namespace) -> int:
    config = settings(args)
    zip_to = zip_destination(config, args.zip) if args.zip is not None else None
    corpus, report = build(config, progress_bar(args.quiet))
    report_problems(corpus, with_warnings=not args.quiet)
    print(report.summary())
    if args.timings:
        print(json.dumps({"stages": report.stages, "seconds": report.seconds, "changed": report.changed}))
    if zip_to is not None:
        print(f"Wrote {write_zip(config.output_dir, zip_to)}")
    return EXIT_FAILED if corpus.failures else EXIT_OK


def run_inspect(args: argparse.Namespace) -> int:
    config = settings(args)
    editorial, broken = load_editorial(config.content_dir, config.max_input_bytes)
    for failure in broken:
        print(f"warning: {failure.path}: {failure.error}", file=sys.stderr)
    # A file named on the command line is read where it leads (the user chose it), if regular and not too large.
    read = Guarded(normalise_file, config.debug, shown_path)  # one file's bug is that file's error
    results = [
        read(
            path,
            editorial,
            root=Path(os.path.realpath(path)).parent,
            max_bytes=config.max_input_bytes,
            file_timeout=config.file_timeout,
        )
        for path in args.files
    ]
    dump_json([r.to_json() for r in results])
    return EXIT_FAILED if any(not hasattr(r, "slug") for r in results) else EXIT_OK


def run_tags(args: argparse.Namespace) -> int:
    config = settings(args)
    corpus = load_corpus(config.content_dir, max_bytes=config.max_input_bytes, file_timeout=config.file_timeout)
    report_failures(corpus)
    dump_json(build_taxonomy(corpus.articles).to_json())
    return EXIT_FAILED if corpus.failures else EXIT_OK


def run_glossary(args: argparse.Namespace) -> int:
    config = settings(args)
    corpus = load_corpus(config.content_dir, max_bytes=config.max_input_bytes, file_timeout=config.file_timeout)
    report_failures(corpus)
    glossary = build_glossary(corpus.articles, corpus.editorial.glossary)
    dump_json([entry.to_json() for entry in glossary.ordered()])
    return EXIT_FAILED if corpus.failures else EXIT_OK


def report_failures(corpus: Corpus) -> None:
    for line in corpus.errors():
        print(line, file=sys.stderr)


def report_warnings(corpus: Corpus) -> None:
    for line in corpus.warnings():
        print(line, file=sys.stderr)


def report_problems(corpus: Corpus, with_warnings: bool = True) -> None:
    """Errors, then warnings, then the errors again when warnings came
    between: the last lines before the summary are the ones to act on."""
    report_failures(corpus)
    if with_warnings and corpus.warnings():
        report_warnings(corpus)
        report_failures(corpus)


def dump_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()


def run_check(args: argparse.Namespace) -> int:
    config = settings(args)
    corpus = load_corpus(
        config.content_dir, max_bytes=config.max_input_bytes, file_timeout=config.file_timeout, debug=config.debug
    )
    if config.maps:  # what the build would warn of
        corpus.notices.extend(map_notices(corpus.articles))
    corpus.notices.extend(image_notices(corpus.articles, config.content_dir, config.max_input_bytes))
    report_problems(corpus)
    print(f"Checked {len(corpus.articles) + len(corpus.failures)} files: {len(corpus.articles)} articles, "
          f"{corpus.warning_count} warnings, {len(corpus.failures)} errors")  # fmt: skip
    return EXIT_FAILED if corpus.failures else EXIT_OK


def run_new(args: argparse.Namespace) -> int:
    """A draft with front matter; never overwrites a file."""
    content = settings(args).content_dir
    title = args.title.strip()
    if not title:
        raise ConfigError('new: the title is empty; give the article\'s title, e.g. build.py new "标题"')
    if not content.is_dir():
        raise ConfigError(f"new: content folder {content} does not exist (create it, or give --content)")
    try:
        path = create_draft(content, title, datetime.now().replace(microsecond=0))
    except DraftExists as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Created {path} (a draft: set draft: false to publish)")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    # Every rebuild re-reads the settings file, then applies the folders given
    # on the command line again: they outlast an edit of site.toml.
    config_path = args.config or (PROJECT_ROOT / "site.toml")
    return serve(partial(settings, args), config_path, host=args.host, port=args.port)


COMMANDS = {
    "check": run_check,
    "new": run_new,
    "serve": run_serve,
    "build": run_build,
    "inspect": run_inspect,
    "tags": run_tags,
    "glossary": run_glossary,
}


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ClusterError, ConfigError, OutputError, RenderError, SearchAssetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # The site is replaced only by a finished build's commit (a commit cut
        # short is finished by the next build): one line, no traceback.
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head`: the reader has what it wanted.
        sys.stderr.close()
        return EXIT_OK
