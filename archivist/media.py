"""Images of saved web pages, copied into the built site beside their article.

An article's images are read from beside its page (a browser saves them in
``<page>_files/``) when the site is written, never from the network; large
ones are sized down, so that a site of scanned photos still fits a host.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError

from .model import Article

MAX_SIDE = 1600  # pixels: wider than an article column on any screen, at 2x
JPEG_QUALITY = 85
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
Image.MAX_IMAGE_PIXELS = 60_000_000  # a larger image is refused, not decoded (decompression bombs)


class ImageError(Exception):
    """An image that cannot be copied into the site; the message says why."""


@dataclass(frozen=True, slots=True)
class SiteImage:
    source: Path  # beside the page
    path: str  # in the built site


def image_path(article: Article, number: int, src: str) -> str:
    """The ``number``-th image of an article, in a folder beside its page."""
    suffix = Path(unquote(urlsplit(src).path)).suffix.lower().replace(".jpeg", ".jpg")
    return f"{article.page_path.removesuffix('.html')}/{number}{suffix}"


def article_images(article: Article) -> list[SiteImage]:
    figures = [block for block in article.blocks if block.kind == "figure"]
    folder = Path(article.path).parent
    return [
        SiteImage(folder / unquote(urlsplit(block.src).path), image_path(article, number, block.src))
        for number, block in enumerate(figures, start=1)
    ]


def inside(path: Path, root: Path) -> bool:
    resolved = path.resolve()
    return resolved == root.resolve() or root.resolve() in resolved.parents


def prepared(source: Path, content_dir: Path) -> bytes:
    """The image's bytes for the site: as they are when small enough, else
    scaled to ``MAX_SIDE`` and encoded again in the same format."""
    if not inside(source, content_dir):
        raise ImageError("outside the content folder; not copied")
    try:
        data = source.read_bytes()
    except OSError as error:
        raise ImageError(f"cannot read: {error.strerror}") from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in FORMATS:
                raise ImageError(f"not a JPEG, PNG, GIF or WebP image ({kind})")
            if max(image.size) <= MAX_SIDE or getattr(image, "is_animated", False):
                image.verify()
                return data
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            options = {"quality": JPEG_QUALITY, "optimize": True} if kind == "JPEG" else {"optimize": True}
            image.save(out, format=kind, **options)
            return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"unreadable image ({error})") from None
