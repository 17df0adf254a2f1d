"""Hostile input and odd output folders: image bombs, a read-only site,
links planted in the output, a planted cache, Markdown images that would
load from the network or leave the content folder, and image captions."""

from __future__ import annotations

import io
import re
import shutil
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from archivist.ingest.media import MAX_PIXELS, ImageError, prepared
from archivist.ingest.reading import normalise_file
from archivist.model import Article

from .conftest import SEEDS, run_cli, run_cli_as_user
from .test_webpage import saved_page


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


def seeded_project(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS[:2]:
        shutil.copy(seed, content)
    return content


def test_a_read_only_output_folder_is_a_clear_error_and_a_no_change_build_succeeds(tmp_path):
    content = seeded_project(tmp_path)
    first = run_cli("build", "--content", str(content), "--out", "site", "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    site = tmp_path / "site"
    before = {path: path.stat().st_mtime_ns for path in site.rglob("*")}
    site.chmod(0o555)
    try:
        unchanged = run_cli_as_user("build", "--content", str(content), "--out", "site", "-q", cwd=tmp_path)
        assert unchanged.returncode == 0, unchanged.stderr
        assert "0 files written" in unchanged.stdout
        (content / "new.md").write_text("---\ntitle: 新文章\ndate: 2024-05-01\n---\n新文章的正文。\n", encoding="utf-8")
        changed = run_cli_as_user("build", "--content", str(content), "--out", "site", "-q", cwd=tmp_path)
        assert changed.returncode == 2, changed.stderr
        assert f"error: output folder {site} is read-only" in changed.stderr
        assert "Traceback" not in changed.stderr
    finally:
        site.chmod(0o755)
    assert {path: path.stat().st_mtime_ns for path in site.rglob("*")} == before  # the last site, whole


MARKDOWN_IMAGES = """---
title: 图片测试
date: 2024-05-01
---
正文第一段。![远处的图](https://img.example.cn/a.jpg) 和 <img src="//cdn.example.cn/b.png" alt="">

![密码](/etc/passwd)

![上面](../../outside/x.jpg)

本地的图：![本地](images/ok.jpg)
"""


def test_markdown_images_from_the_web_become_links_and_paths_out_of_the_folder_are_refused(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "images.md").write_text(MARKDOWN_IMAGES, encoding="utf-8")
    article = normalise_file(content / "images.md")
    assert isinstance(article, Article), article
    html = "".join(block.html for block in article.blocks)
    sources = re.findall(r'<img[^>]*\ssrc="([^"]*)"', html)
    assert sources == ["images/ok.jpg"]  # inside the folder: kept as written
    assert '<a href="https://img.example.cn/a.jpg" rel="noopener">远处的图</a>' in html
    assert 'href="//cdn.example.cn/b.png"' in html
    assert "passwd" not in html and "outside/x.jpg" not in html
    assert "密码" in html and "上面" in html  # the alt text stays, as text
    warned = "\n".join(article.warnings)
    assert "2 images are on the web, shown as a link" in warned and "https://img.example.cn/a.jpg" in warned
    assert "/etc/passwd: outside the content folder; left out" in warned
    assert "../../outside/x.jpg: outside the content folder; left out" in warned


def built_project(tmp_path: Path) -> tuple[Path, Path]:
    content = seeded_project(tmp_path)
    first = run_cli("build", "--content", str(content), "--out", "site", "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    return content, tmp_path / "site"


def test_a_symlinked_folder_planted_in_the_output_is_refused_not_written_through(tmp_path):
    content, site = built_project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(site / "static")
    (site / "static").symlink_to(outside, target_is_directory=True)
    result = run_cli("build", "--content", str(content), "--out", "site", "-q", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert f"error: refusing to write below {site / 'static'}: it is a symbolic link" in result.stderr
    assert list(outside.iterdir()) == []


class PlantedPickle:
    """Unpickling it creates the file ``marker``: what a planted cache could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_planted_or_garbled_cache_is_ignored_never_run(tmp_path):
    import pickle

    content, site = built_project(tmp_path)
    state = tmp_path / ".site.archivist"
    marker = tmp_path / "ran"
    for name in ["cache.pickle", *(f"articles-{n:02d}.pickle" for n in range(32))]:
        (state / name).write_bytes(pickle.dumps(PlantedPickle(marker)))
    for stored in state.glob("*.json"):
        if stored.name != "manifest.json":
            stored.write_bytes(b'{"\\u0000c": ["Popen", "sh"]}' if stored.name == "state.json" else b"\x80garbled")
    (site / "index.html").unlink()
    result = run_cli("build", "--content", str(content), "--out", "site", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert (site / "index.html").is_file()
    assert not list(state.glob("*.pickle"))


def test_the_state_folder_and_its_files_are_the_owners_only(tmp_path):
    _, site = built_project(tmp_path)
    state = tmp_path / ".site.archivist"
    assert state.stat().st_mode & 0o777 == 0o700
    files = [path for path in state.rglob("*") if path.is_file()]
    assert files and all(path.stat().st_mode & 0o777 == 0o600 for path in files)
    assert (site / "index.html").stat().st_mode & 0o077  # the published site stays readable


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 60, 40)).save(out, format="JPEG", quality=80)
    return out.getvalue()


SHORT_PARAGRAPH = "今年全县新建冷库12座，带动三千多户农户增收。"


def test_a_short_paragraph_under_an_image_without_alt_text_stays_a_paragraph(tmp_path):
    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "photo.jpg").write_bytes(jpeg(40, 30))
    image = f'<p><img src="page_files/photo.jpg"></p><p>　　{SHORT_PARAGRAPH}</p>'
    (tmp_path / "page.html").write_text(saved_page(image=image), encoding="utf-8")
    article = normalise_file(tmp_path / "page.html")
    assert isinstance(article, Article), article
    figures = [block for block in article.blocks if block.kind == "figure"]
    assert [block.text for block in figures] == [""]
    assert SHORT_PARAGRAPH in article.paragraphs


def test_an_images_caption_is_searched_like_the_text(tmp_path):
    from archivist.search.searchdocs import document, terms_key
    from archivist.search.tokenize import tokenize

    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "photo.jpg").write_bytes(jpeg(40, 30))
    image = '<p><img src="page_files/photo.jpg" alt="照片"></p><p>▲ 工人在分拣荞麦。</p>'
    (tmp_path / "page.html").write_text(saved_page(image=image), encoding="utf-8")
    article = normalise_file(tmp_path / "page.html")
    assert isinstance(article, Article), article
    assert [block.text for block in article.blocks if block.kind == "figure"] == ["工人在分拣荞麦。"]
    assert set(tokenize("荞麦")) <= set(document("", article)["body"])
    recaptioned = replace(
        article, blocks=tuple(replace(b, text="别的说明") if b.kind == "figure" else b for b in article.blocks)
    )
    assert terms_key(recaptioned) != terms_key(article)  # a caption edit is indexed again


def test_an_image_the_build_refuses_to_copy_is_not_linked_its_alt_text_shown(tmp_path):
    content = tmp_path / "content"
    (content / "page_files").mkdir(parents=True)
    (content / "page_files" / "bomb.png").write_bytes(png_of_size(10_000, MAX_PIXELS // 10_000 + 1))
    (content / "page_files" / "fine.jpg").write_bytes(jpeg(40, 30))
    image = '<p><img src="page_files/bomb.png" alt="巨幅地图"></p><p><img src="page_files/fine.jpg" alt="冷库"></p>'
    (content / "page.html").write_text(saved_page(image=image), encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", "site", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "page.html: image bomb.png: 10000 x 6001 pixels is over the limit" in result.stderr
    [page] = (tmp_path / "site" / "articles").glob("*/*.html")
    html = page.read_text(encoding="utf-8")
    assert re.findall(r'<img src="[^"]*"', html) == [f'<img src="../../articles/2023/{page.stem}/2.jpg"']
    assert '<p class="image-left-out">巨幅地图</p>' in html
    assert (page.with_suffix("") / "2.jpg").is_file() and not list(page.with_suffix("").glob("1.*"))


def test_check_warns_of_an_image_the_build_would_refuse(tmp_path):
    content = tmp_path / "content"
    (content / "page_files").mkdir(parents=True)
    (content / "page_files" / "bomb.png").write_bytes(png_of_size(10_000, MAX_PIXELS // 10_000 + 1))
    image = '<p><img src="page_files/bomb.png" alt="巨幅地图"></p>'
    (content / "page.html").write_text(saved_page(image=image), encoding="utf-8")
    result = run_cli("check", "--content", str(content), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "page.html: image bomb.png: 10000 x 6001 pixels is over the limit" in result.stderr
    assert "1 warnings" in result.stdout
    assert not (tmp_path / "site").exists()


def test_many_images_on_the_web_are_one_line_per_page_and_errors_come_again_at_the_end(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    remote = "".join(f'<p><img src="https://img.example.cn/{n}.jpg" alt="图{n}"></p>' for n in range(40))
    (content / "page.html").write_text(saved_page(image=remote), encoding="utf-8")
    (content / "bad.md").write_text("---\ndate: 不是日期\n---\n正文。\n", encoding="utf-8")
    for command in (["build", "--out", "site"], ["check"]):
        result = run_cli(*command, "--content", str(content), cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.splitlines()
        web = [line for line in lines if "on the web" in line]
        assert len(web) == 1 and "40 images" in web[0] and "page.html" in web[0], web
        errors = [n for n, line in enumerate(lines) if line.startswith("error: ") and "bad.md" in line]
        assert len(errors) == 2 and errors[-1] == len(lines) - 1, lines  # again, last, after the warnings


def test_the_cache_format_gives_back_what_it_stored():
    import datetime as dt
    from array import array

    from archivist.state.stored import dumps, loads

    article = normalise_file(SEEDS[0])
    value = {
        "articles": {"content/\udcc4\udce3.txt": ((1, 2), "key", article)},
        ("glossary", "k"): {frozenset({"a"}), 3.5},
        "\0tricky": [None, True, b"\x00\xff", array("H", [1, 65535]), dt.date(2024, 5, 1)],
        "when": dt.datetime(2024, 5, 1, 10, 0),
    }
    assert loads(dumps(value)) == value
