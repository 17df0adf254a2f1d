"""Images of saved web pages: which belong to the article (not QR codes or
logos), their captions, and copying them into the built site beside it.

An article's images are read from beside its page (a browser saves them in
``<page>_files/``) when the site is written, never from the network; large
ones are sized down, so that a site of scanned photos still fits a host.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from html import escape, unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from archivist.ingest.inputs import DEFAULT_MAX_INPUT_BYTES, InputError, read_input
from archivist.model import Article
from archivist.text import lines

# The version of the images copied beside saved pages' articles (the build state keeps what this stage made per
# version).
VERSION = 1

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
CAPTION_LIMIT = 80  # characters: a longer line under an image is prose
CAPTION_MARK = re.compile(r"^[▲△▼↑↓●◆■□]\s*")
MAX_SIDE = 1600  # pixels: wider than an article column on any screen, at 2x
JPEG_QUALITY = 85
FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
MAX_PIXELS = 60_000_000  # a larger image is refused, not decoded (decompression bombs)
# Pillow only warns past its limit and raises past twice it: the header's size
# is checked here instead, before anything is decoded.


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
        if block.src  # an image left out keeps its number, not its file
    ]


def without_images(article: Article, numbers: set[int]) -> Article:
    """The article with its ``numbers``-th images (counted from 1) left out:
    their figures keep their place (the others keep their numbers and
    files) and their text, with no image to show."""
    blocks, number = [], 0
    for block in article.blocks:
        if block.kind == "figure":
            number += 1
            if number in numbers:
                block = replace(block, src="")
        blocks.append(block)
    return replace(article, blocks=tuple(blocks))


def prepared(
    source: Path, content_dir: Path, verify_only: bool = False, max_bytes: int = DEFAULT_MAX_INPUT_BYTES
) -> bytes:
    """The image's bytes for the site: as they are when small enough, else
    scaled to ``MAX_SIDE`` and encoded again in the same format.  With
    ``verify_only`` (``check``), the same checks and no bytes.  Read as the
    articles are: a regular file inside the content folder when opened."""
    from PIL import Image, UnidentifiedImageError  # loaded only when an image is copied

    Image.MAX_IMAGE_PIXELS = 2 * MAX_PIXELS  # a backstop; the exact limit is checked below
    try:
        data = read_input(source, content_dir, max_bytes)
    except InputError as error:
        raise ImageError(str(error).replace("; not read", "; not copied")) from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # Lazy: reads the header only.  An Image, not an ImageFile: it may be converted below.
            image: Image.Image = Image.open(io.BytesIO(data))
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    f"{width} x {height} pixels is over the limit of {MAX_PIXELS // 1_000_000} million; not decoded"
                )
            kind = image.format
            if kind not in FORMATS:
                raise ImageError(f"not a JPEG, PNG, GIF or WebP image ({kind})")
            if verify_only or max(image.size) <= MAX_SIDE or getattr(image, "is_animated", False):
                image.verify()
                return b"" if verify_only else data
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if kind == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            options = {"quality": JPEG_QUALITY, "optimize": True} if kind == "JPEG" else {"optimize": True}
            image.save(out, format=kind, **options)
            return out.getvalue()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise ImageError(f"unreadable image ({error})") from None


def image_notice(article: Article, image: SiteImage, error: ImageError) -> str:
    return f"{article.path}: image {image.source.name}: {error}"


def image_notices(articles: list[Article], content_dir: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> list[str]:
    """What the build would warn of each saved page's images it cannot copy,
    found without writing anything (``check``)."""
    notices = []
    for article in articles:
        for image in article_images(article) if article.kind == "html" else ():
            try:
                prepared(image.source, content_dir, verify_only=True, max_bytes=max_bytes)
            except ImageError as error:
                notices.append(image_notice(article, image, error))
    return notices


def web_images_warning(sources: list[str], fate: str) -> str:
    """One warning for all of a page's images on the web (an archive of
    pages saved without their images would drown its errors in them)."""
    if len(sources) == 1:
        return f"image {sources[0][:80]} is on the web, {fate} (nothing is loaded from the network)"
    return f"{len(sources)} images are on the web, {fate} (nothing is loaded from the network): {sources[0][:80]}, ..."


def image_path_beside(page_path: str, src: str) -> str:
    """Where a page's relative image link leads, as a path like the page's."""
    return os.path.normpath(os.path.join(os.path.dirname(page_path), unquote(urlsplit(src).path)))


def image_problem(page_path: str, src: str, exists: Callable[[str], bool] = os.path.isfile) -> str | None:
    """Why an article's image cannot be copied into the site, or None."""
    if on_the_web(src):
        return web_images_warning([src], "not saved with the page; left out")
    path = unquote(urlsplit(src).path)
    if not path.lower().endswith(IMAGE_SUFFIXES):
        return f"image {src[:80]}: not a JPEG, PNG, GIF or WebP file; left out"
    if not exists(image_path_beside(page_path, src)):
        return f"image {src[:80]} not found beside the page; left out"
    return None


DECORATIVE = re.compile(r"qr|ewm|erweima|二维码|logo|icon|banner|btn|button|share|weixin|wechat|gif$", re.I)
QR_PROMPT = re.compile(r"扫一扫|扫码|二维码|长按|识别|关注我们|下载.{0,6}(app|App|APP|客户端)")


def decorative(src: str, alt: str, following: lines.Line | None) -> bool:
    """A QR code, logo, icon or button rather than a photo of the article:
    so named, or shown over a prompt to scan it."""
    name = unquote(urlsplit(src).path).rsplit("/", 1)[-1]
    return bool(DECORATIVE.search(name) or DECORATIVE.search(alt) or (following and QR_PROMPT.search(following.folded)))


CAPTION_LEAD = re.compile(r"^(?:图为|图片?[:：]|[(（]图)")
CAPTION_CREDIT = re.compile(r"(?:摄|供图|图片来源[:：].*)[)）]?$")
CAPTION_END = re.compile(r"(?:[。！？.!?)）]|摄|供图)$")


def caption_like(line: lines.Line, following: lines.Line | None) -> bool:
    """A short line under an image that reads as its caption: marked (by the
    page's markup, or ▲, 图为) or credited (…摄, 供图), or a short line that is no paragraph of
    prose and ends as a sentence does or stands over no prose (a subheading
    under a photo does).  A paragraph of prose, however short, is the
    article's, not a caption."""
    text = line.folded.strip()
    if line.kind in (lines.META, lines.LIST_HEADING, lines.BLANK) or len(text) > CAPTION_LIMIT:
        return False
    if line.caption or CAPTION_MARK.match(text) or CAPTION_LEAD.match(text) or CAPTION_CREDIT.search(text):
        return True
    if line.kind != lines.SHORT:
        return False
    return bool(CAPTION_END.search(text)) or following is None or following.kind != lines.PROSE


IMG_TAG = re.compile(r"<img\b[^>]*>")  # in sanitised HTML: attribute values hold no ">"
IMG_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def on_the_web(src: str) -> bool:
    parts = urlsplit(src)
    return bool(parts.scheme or parts.netloc or src.startswith("//"))


def leaves_folder(src: str) -> bool:
    """An absolute path, or one that climbs above the Markdown file's folder."""
    path = unquote(urlsplit(src).path)
    return path.startswith(("/", "\\")) or os.path.normpath(path).split(os.sep)[0] == ".."


def markdown_images(html: str, warnings: list[str], remote: list[str]) -> str:
    """A Markdown article's sanitised HTML with nothing a browser would
    fetch from the network or from outside the content folder: an image on
    the web becomes a link to it (its alt text, else 图片; its address is
    added to ``remote``), an image path leaving the folder its alt text (a
    warning each)."""

    def checked(match: re.Match[str]) -> str:
        attributes = {name: unescape(value) for name, value in IMG_ATTRIBUTE.findall(match.group(0))}
        src, alt = attributes.get("src", "").strip(), attributes.get("alt", "").strip()
        if on_the_web(src):
            remote.append(src)
            return f'<a href="{escape(src)}" rel="noopener">{escape(alt or "图片")}</a>'
        if src and leaves_folder(src):
            warnings.append(f"image {src[:80]}: outside the content folder; left out")
            return escape(alt)
        return match.group(0)

    return IMG_TAG.sub(checked, html)
