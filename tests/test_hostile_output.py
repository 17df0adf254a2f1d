"""Hostile input and odd output folders: image bombs, a read-only site,
links planted in the output, a planted cache, Markdown images that would
load from the network or leave the content folder, and image captions."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from archivist.media import MAX_PIXELS, ImageError, prepared


def png_of_size(width: int, height: int) -> bytes:
    """A one-bit grey PNG of ``width`` x ``height`` pixels, all zero: a few
    kilobytes on disk whatever its dimensions (a decompression bomb's shape)."""
    row = b"\0" + bytes((width + 7) // 8)  # filter byte, then the packed bits
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_an_image_just_over_the_pixel_limit_is_refused_before_it_is_decoded(tmp_path):
    width = 10_000
    height = MAX_PIXELS // width + 1  # one row over
    source = tmp_path / "bomb.png"
    source.write_bytes(png_of_size(width, height))
    assert source.stat().st_size < 200_000
    with pytest.raises(ImageError, match="pixels"):
        prepared(source, tmp_path)


def test_an_image_just_under_the_pixel_limit_is_sized_down(tmp_path):
    width = 10_000
    height = MAX_PIXELS // width  # exactly at the limit
    source = tmp_path / "large.png"
    source.write_bytes(png_of_size(width, height))
    with Image.open(io.BytesIO(prepared(source, tmp_path))) as image:
        assert max(image.size) == 1600
