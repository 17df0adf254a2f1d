"""An article's body as its page shows it: paragraphs, headings and figures with
their anchors, each slogan's first use linked to its glossary entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from archivist.ingest.media import image_path
from archivist.model import Article
from archivist.site.entries import Entry, Glossary


def link_slogans(text: str, entries: list[Entry], url: Callable[[str], str]) -> Markup:
    """Each slogan's first use in ``text`` linked to its entry, with a preview."""
    spans: list[tuple[int, int, Entry]] = []
    for entry in entries:
        position = text.find(f"“{entry.slogan}”")
        position = position + 1 if position >= 0 else text.find(entry.slogan)
        end = position + len(entry.slogan)
        if position < 0 or any(s < end and position < e for s, e, _ in spans):
            continue
        spans.append((position, end, entry))
    out, cursor = [], 0
    for start, end, entry in sorted(spans, key=lambda s: s[0]):
        preview = entry.meaning[:120] + ("…" if len(entry.meaning) > 120 else "") if entry.meaning else "查看用例"
        out.append(escape(text[cursor:start]))
        out.append(
            Markup('<a class="slogan" href="{}" data-preview="{}">{}</a>').format(
                url(entry.path), preview, text[start:end]
            )
        )
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


def linked_blocks(
    article: Article, glossary: Glossary, url: Callable[[str], str], asset: Callable[[str], str] | None = None
) -> list[dict[str, Any]]:
    """Body blocks with paragraph anchors (``p1`` ..., headings ``s1`` ...,
    figures ``f1`` ...); images are files of both scripts' pages (``asset``)."""
    asset = asset or url
    entries = sorted(glossary.for_article(article.slug), key=lambda e: len(e.slogan), reverse=True)
    blocks = []
    paragraph = heading = 0
    figure = 0
    for block in article.blocks:
        if block.kind == "figure":
            figure += 1
            if not block.src:  # an image the build could not copy: its text, no broken image
                if block.text:
                    html = Markup('<p class="image-left-out">{}</p>').format(block.text)
                    blocks.append({"kind": "figure", "anchor": f"f{figure}", "html": html, "markdown": True})
                continue
            src = asset(image_path(article, figure, block.src))
            caption = Markup("<figcaption>{}</figcaption>").format(block.text) if block.text else ""
            html = Markup('<figure><img src="{}" alt="{}" loading="lazy">{}</figure>').format(src, block.text, caption)
            blocks.append({"kind": "figure", "anchor": f"f{figure}", "html": html, "markdown": True})
            continue
        if block.kind == "h":
            heading += 1
            blocks.append({"kind": "h", "anchor": f"s{heading}", "html": escape(block.text)})
            continue
        paragraph += 1
        html = Markup(block.html) if block.html else link_slogans(block.text, entries, url)
        blocks.append({"kind": "p", "anchor": f"p{paragraph}", "html": html, "markdown": bool(block.html)})
    return blocks
