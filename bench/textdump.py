"""Visible-text dumps of saved web pages, as a scraper would copy them.

Every real page in the fixtures is tested in both of the forms the importer
meets in the wild: the saved page itself (.html/.htm, often GBK/GB2312 with a
``<meta charset>``, sometimes inside a crawler's ``<text ... encoding=...>``
wrapper) and its visible-text dump, the ``document.body.innerText`` a scraper
gets when it selects all and copies from the browser. This script makes the
second form from the first:

    python bench/textdump.py tests/fixtures/real-pages/pages --out tests/fixtures/real-pages/dumps

Each argument is a page or a folder (its own .html/.htm files, not those of
subfolders). Every page is opened from file:// in one headless Chromium with
JavaScript disabled and every non-file:// request aborted, and decoded the way
Chromium decodes it, right or wrong; its text goes to OUT/<stem>.txt in UTF-8
with a trailing newline. A page that fails to load within 15 s is named on
stderr and the rest go on; so is one whose text is empty (its empty dump is
still written). The exit status is 1 if any page failed or came out empty.

Chromium is the one on PATH (``chromium``, ``chromium-browser``) unless
``--chromium`` or the CHROMIUM environment variable names another; Playwright's
own browser download is not needed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError

PAGE_SUFFIXES = {".html", ".htm"}
TIMEOUT_MS = 15_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BODY_TEXT = "() => document.body ? document.body.innerText : ''"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path, metavar="PAGE_OR_FOLDER")
    parser.add_argument("--out", required=True, type=Path, help="folder for the <stem>.txt dumps")
    parser.add_argument("--chromium", help="Chromium executable (default: $CHROMIUM, then chromium on PATH)")
    return parser.parse_args(argv)


def find_chromium(given: str | None) -> str:
    for candidate in (given, os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        found = candidate and shutil.which(candidate)
        if found:
            return found
    sys.exit("textdump: no Chromium found; pass --chromium or set CHROMIUM")


def collect_pages(inputs: Iterable[Path]) -> Iterator[Path]:
    for item in inputs:
        if item.is_dir():
            yield from sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES)
        elif item.is_file():
            yield item
        else:
            print(f"textdump: {item}: no such page or folder", file=sys.stderr)


def only_local(route: Route) -> None:
    if route.request.url.startswith("file:"):
        route.continue_()
    else:
        route.abort()


def page_text(context: BrowserContext, page_path: Path) -> str:
    page = context.new_page()
    try:
        page.goto(page_path.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS)
        return page.evaluate(BODY_TEXT)
    finally:
        page.close()


def dump_page(context: BrowserContext, page_path: Path, out: Path) -> bool:
    try:
        text = page_text(context, page_path)
    except PlaywrightError as error:
        print(f"textdump: {page_path}: {error.message.splitlines()[0]}", file=sys.stderr)
        return False
    (out / f"{page_path.stem}.txt").write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    if not text.strip():
        print(f"textdump: {page_path}: empty body text", file=sys.stderr)
    return bool(text.strip())


def dump_all(browser: Browser, pages: list[Path], out: Path) -> int:
    context = browser.new_context(java_script_enabled=False)
    context.route("**/*", only_local)
    written = sum(dump_page(context, page_path, out) for page_path in pages)
    context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pages = list(collect_pages(args.inputs))
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(args.chromium), args=CHROMIUM_ARGS)
        written = dump_all(browser, pages, args.out)
        browser.close()
    elapsed = time.perf_counter() - started
    print(f"textdump: {written} of {len(pages)} pages dumped to {args.out} in {elapsed:.1f} s", file=sys.stderr)
    return 0 if written == len(pages) else 1


if __name__ == "__main__":
    sys.exit(main())
