"""Article images written beside their pages: resized once, kept while their source is unchanged."""

from __future__ import annotations

from archivist.config import SiteConfig
from archivist.ingest.media import MAX_SIDE, ImageError, article_images, image_notice, prepared, without_images
from archivist.model import Corpus
from archivist.output.write import SiteWriter
from archivist.state.keys import stat_key


def write_images(writer: SiteWriter, corpus: Corpus, config: SiteConfig, known: dict) -> dict:
    """Saved pages' images beside their articles; each prepared again only
    when its file changed.  An image that cannot be copied is a warning
    naming the page and the image, and its article is built without it
    (before its pages are planned: no page links a file that is not there).
    ``known``: each image's key as the last build wrote it; the keys of this build."""
    keys = {}
    for index, article in enumerate(corpus.articles):
        if article.kind != "html":
            continue
        refused: set[int] = set()
        for number, image in enumerate(article_images(article), start=1):
            key = (
                str(image.source),
                stat_key(image.source),
                MAX_SIDE,
                config.max_input_bytes,
            )  # the limit decides refusals
            if known.get(image.path) == key and writer.keep(image.path):
                keys[image.path] = key
                continue
            try:
                writer.write(image.path, prepared(image.source, config.content_dir, max_bytes=config.max_input_bytes))
            except ImageError as error:
                corpus.notices.append(image_notice(article, image, error))
                refused.add(number)
                continue
            keys[image.path] = key
        if refused:
            corpus.articles[index] = without_images(article, refused)
    return keys
