"""The search files written into the site: the build state keeps each
article's terms and the Traditional texts already converted, and a result
file that shows the same is kept."""

from __future__ import annotations

import hashlib

from archivist.model import Article
from archivist.output.write import SiteWriter
from archivist.resources import lunr_js
from archivist.search.index import lunr_script, search_files
from archivist.search.searchdocs import result_texts
from archivist.site.pages import article_path
from archivist.state.state import BuildState
from archivist.text.script import STANDARD_TRADITIONAL, to_traditional


def write_search(
    writer: SiteWriter,
    articles: list[Article],
    build_state: BuildState,
    form: str = STANDARD_TRADITIONAL,
    reprinted: dict[str, int] | None = None,
) -> None:
    terms = build_state.part("terms")
    previous = build_state.index
    # Converted once per text: an edit converts only the texts it changed.
    known = build_state.part("traditional")
    converted: dict[str, str] = {}

    def text_key(text: str) -> str:
        # The form is part of the key: another [site] traditional converts every text again.
        return hashlib.blake2b(f"{form}\0{text}".encode(), digest_size=16).hexdigest()

    def traditional(text: str) -> str:
        key = text_key(text)
        converted[key] = known.get(key) or converted.get(key) or to_traditional(text, form)
        return converted[key]

    made = search_files(
        articles,
        article_path,
        terms=terms,
        previous=previous,
        convert=traditional,
        present=writer.has,
        release=lambda: build_state.release("terms"),
        reprinted=reprinted,
    )
    for path in made.kept:
        writer.keep(path)
    build_state.index = made.state
    for relpath, text in made.files.items():
        writer.write(relpath, text)
    for relpath, text in made.later():
        writer.write(relpath, text)
    # Texts of kept results are not converted this time; they stay known.
    kept_refs = {int(path.rsplit("/", 1)[1][:-3]) for path in made.kept}
    if kept_refs:
        ordered = sorted(articles, key=lambda a: a.slug)
        for ref in kept_refs:
            for text in result_texts(ordered[ref]):
                key = text_key(text)
                if key in known:
                    converted[key] = known[key]
    build_state.traditional = converted
    build_state.release("traditional")
    writer.write("static/lunr.min.js", lunr_script(lunr_js()))
