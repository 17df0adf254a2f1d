"""Redirect pages written at the addresses articles had before (see aliases)."""

from __future__ import annotations

from archivist.config import SiteConfig
from archivist.ingest.aliases import load_address_book, redirect_page, redirects, save_address_book, source_keys
from archivist.model import Corpus
from archivist.output.write import SiteWriter
from archivist.render.templates import TRADITIONAL_DIR
from archivist.text.script import to_traditional


def write_redirects(writer: SiteWriter, corpus: Corpus, pages: set[str], config: SiteConfig) -> None:
    """A redirect page (both scripts) at each old address of a live article:
    where its slug was before, and its front matter's ``aliases``."""
    book = load_address_book(config.output_dir)
    before = (dict(book.addresses), dict(book.moved))
    source_key = source_keys(config.content_dir)
    articles = {source_key(article.path): article for article in corpus.articles}
    failed = {source_key(failure.path) for failure in corpus.failures}
    book.update({source: article.page_path for source, article in articles.items()}, failed)
    live = {path for page in pages for path in (page, TRADITIONAL_DIR + page)}
    for old, article in redirects(book, articles, live).items():
        for prefix in ("", TRADITIONAL_DIR):
            title = to_traditional(article.title, form=config.traditional) if prefix else article.title
            page = redirect_page(prefix + old, prefix + article.page_path, title, config.base_url)
            writer.write(prefix + old, page)
    if (book.addresses, book.moved) != before:
        save_address_book(config.output_dir, book)
