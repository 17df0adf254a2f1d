"""Hostile files and odd file systems in the content folder: names that are
not UTF-8, symlink cycles and links out, FIFOs and devices, files swapped
for links while a build runs, inputs over the size limit.  Everything is
made inside the test's own folder; nothing is written through a link."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from archivist.config import ConfigError, load_config
from archivist.ingest.discover import discover, source_key
from archivist.ingest.editorial import load_editorial
from archivist.ingest.reading import normalise_file
from archivist.model import Article, Failure
from archivist.pipeline import build, load_corpus

from .conftest import ROOT, SEEDS, run_cli, run_cli_as_user, write_site_toml

GBK_NAME = "乡村振兴".encode("gbk") + b".txt"  # as a tar or a Windows share leaves it
ARTICLE = "赣州脐橙丰收\n\n今年江西赣州的脐橙喜获丰收，果农们忙着采摘、分拣和装箱，销往全国各地。\n"
OTHER_ARTICLE = "瑞金红色名村\n\n江西瑞金的红色名村建设持续推进，村里修缮了旧址，办起了讲习所，游客络绎不绝。\n"
SECRET = "机密内容请勿外传"
PAGE = (
    "<html><head><title>赣州脐橙丰收</title></head><body><article><h1>赣州脐橙丰收</h1>"
    + "<p>今年江西赣州的脐橙喜获丰收，果农们忙着采摘、分拣和装箱，销往全国各地。</p>" * 4
    + '<p><img src="page_files/2.jpg"></p></article></body></html>'
)


def project(tmp_path: Path, seeds: bool = False, article: bool = False, build: str = "") -> tuple[Path, Path]:
    """A content folder (with the seed articles, or one short article) and its site.toml."""
    content = tmp_path / "content"
    content.mkdir()
    for seed in SEEDS if seeds else []:
        shutil.copy(seed, content)
    if article:
        (content / "good.txt").write_text(OTHER_ARTICLE, encoding="utf-8")
    config = write_site_toml(tmp_path, content="content", output="site")
    if build:
        with config.open("a", encoding="utf-8") as handle:
            handle.write(f"[build]\n{build}\n")
    return content, config


def write_bytes_name(folder: Path, name: bytes, data: bytes) -> bytes:
    """A file whose name is raw bytes (not necessarily UTF-8)."""
    path = os.path.join(os.fsencode(folder), name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    return path


def outside_secret(tmp_path: Path, name: str = "secret.txt", text: str = f"标题\n\n{SECRET}。\n") -> Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    secret = outside / name
    secret.write_text(text, encoding="utf-8")
    return secret


def run_limited(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """build.py with at most 2 GB of address space: an input read without
    bound fails fast instead of taking the machine's memory."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
    )


# --- 1: names that are not UTF-8 ------------------------------------------------


def test_file_name_that_is_not_utf8_is_built_and_shown_escaped(tmp_path):
    content, config = project(tmp_path, article=True)
    write_bytes_name(content, GBK_NAME, ARTICLE.encode())
    write_bytes_name(content, b"\xb0\xb1-empty.txt", b"")  # fails: its error names it
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Built 2 articles" in result.stdout
    assert "\\xb0\\xb1-empty.txt: empty file" in result.stderr
    search = "".join(p.read_text("utf-8") for p in (tmp_path / "site" / "search").rglob("*.js"))
    assert "脐橙" in search
    corpus, report = build(load_config(config))  # again, from the cache, which keeps the names too
    assert report.articles == 2 and report.changed == 0
    [failure] = corpus.failures
    assert failure.path.endswith("content/\\xb0\\xb1-empty.txt") and failure.error == "empty file"


def test_inspect_prints_a_name_that_is_not_utf8_as_valid_json(tmp_path):
    path = write_bytes_name(tmp_path, GBK_NAME, ARTICLE.encode())
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "inspect", path], capture_output=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    [shown] = json.loads(result.stdout.decode("utf-8"))
    assert shown["path"] == "".join(f"\\x{byte:02x}" for byte in GBK_NAME[:-4]) + ".txt"
    assert shown["title"] == "赣州脐橙丰收"


def test_printable_path_escapes_undecodable_bytes_and_control_characters():
    from archivist.ingest.inputs import printable_path

    raw = os.fsdecode(b"/a/\xd5\xf1\xd0\xcb\n\x1b[31m\xe2\x80\xae.txt")
    shown = printable_path(raw)
    json.dumps(shown, ensure_ascii=False).encode("utf-8")  # no lone surrogate left
    assert shown == "/a/\\xd5\\xf1\\xd0\\xcb\\x0a\\x1b[31m\\u202e.txt"
    assert printable_path(Path("content/乡村 振兴.txt")) == "content/乡村 振兴.txt"


# --- 4: symlink cycles, resource folders that lead out ---------------------------


def test_symlink_cycles_do_not_abort_build_or_check(tmp_path):
    content, config = project(tmp_path, article=True)
    (content / "loop.txt").symlink_to("loop.txt")  # a link to itself
    (content / "a").mkdir()
    (content / "a" / "up").symlink_to("..")  # a folder cycle
    (content / "a" / "b.txt").symlink_to("c.txt")
    (content / "a" / "c.txt").symlink_to("b.txt")  # a two-link cycle
    result = run_cli("--config", str(config), "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    for name in ("loop.txt", "a/b.txt", "a/c.txt"):
        assert f"content/{name}: cannot read: Too many levels of symbolic links" in result.stderr
    corpus, report = build(load_config(config))
    assert report.articles == 1 and len(corpus.failures) == 3


def test_saved_page_files_folder_linking_outside_is_not_walked(tmp_path, monkeypatch):
    content, _ = project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    for number in range(300):
        (outside / f"{number}.txt").write_text("x", encoding="utf-8")
    page = content / "page.html"
    page.write_text("<html><body><h1>标题</h1><p>正文。</p></body></html>", encoding="utf-8")
    (content / "page_files").symlink_to(outside, target_is_directory=True)
    looked_at: list[str] = []
    for name in ("stat", "lstat", "scandir"):
        real = getattr(os, name)

        def spy(path, *args, real=real, **kwargs):
            looked_at.append(os.fsdecode(path) if isinstance(path, str | bytes | Path) else "")
            return real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, spy)
    found, refused = discover(content)
    key = source_key(page)
    monkeypatch.undo()
    assert found == [page] and refused == []
    assert str(outside / "0.txt") not in repr(key) and "0.txt" not in repr(key)
    below = str(content / "page_files") + os.sep
    assert [p for p in looked_at if p.startswith((below, str(outside) + os.sep))] == []


def test_unlistable_folder_in_a_saved_page_files_folder_does_not_abort(tmp_path, monkeypatch):
    content, _ = project(tmp_path)
    page = content / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    locked = content / "page_files" / "locked"
    locked.mkdir(parents=True)
    (locked / "1.jpg").write_bytes(b"x")
    (content / "page_files" / "2.jpg").write_bytes(b"y")

    # What a folder without the x bit does for a user that is not root.
    def refuse_below_locked(real):
        def refuse(path, *args, **kwargs):
            if os.fsdecode(path).startswith(str(locked)):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return real(path, *args, **kwargs)

        return refuse

    for name in ("stat", "scandir"):
        monkeypatch.setattr(os, name, refuse_below_locked(getattr(os, name)))
    found, refused = discover(content)
    key = source_key(page)
    corpus = load_corpus(content)
    monkeypatch.undo()
    assert found == [page] and refused == []
    assert "2.jpg" in repr(key)
    assert [a.path for a in corpus.articles] and not corpus.failures


def test_chmod_000_folder_in_content_is_an_error_naming_it(tmp_path):
    content, config = project(tmp_path, article=True)
    locked = content / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text(ARTICLE, encoding="utf-8")
    locked.chmod(0)
    try:
        result = run_cli_as_user("--config", str(config), "build", cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1 and "content/locked: cannot list the folder" in result.stderr


def test_folder_symlink_leading_outside_is_not_walked_and_named_in_a_warning(tmp_path):
    content, config = project(tmp_path, article=True)
    outside_secret(tmp_path)
    (content / "more").symlink_to(tmp_path / "outside", target_is_directory=True)
    corpus, report = build(load_config(config))
    assert report.articles == 1 and not corpus.failures
    assert [w for w in corpus.warnings() if "content/more: symlink pointing outside" in w]
    assert SECRET not in "".join(p.read_text("utf-8") for p in (tmp_path / "site").rglob("*.html"))


# --- 8: curation files: inside the folder, regular, bounded -----------------------


@pytest.mark.parametrize("name", ["initiatives.yaml", "glossary.yaml", "furniture.yaml"])
def test_curation_file_linking_outside_is_refused_without_quoting_it(tmp_path, name):
    content, _ = project(tmp_path)
    secret = outside_secret(tmp_path, "secret.yaml", f"entries: [\n  {SECRET}: : :\n")
    (content / name).symlink_to(secret)
    _, failures = load_editorial(content)
    [failure] = failures
    assert failure.path.endswith(name) and "outside the content folder" in failure.error
    assert SECRET not in failure.error


def test_curation_fifo_is_refused_without_hanging(tmp_path):
    content, config = project(tmp_path, article=True)
    os.mkfifo(content / "initiatives.yaml")
    os.mkfifo(content / "stuck.txt")
    result = run_limited("--config", str(config), "check", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "initiatives.yaml: initiatives file not used: not a regular file (a FIFO)" in result.stderr
    assert "stuck.txt: not a regular file (a FIFO)" in result.stderr


def test_curation_file_that_is_a_device_or_socket_is_refused_by_type(tmp_path):
    content, config = project(tmp_path, article=True)
    if os.geteuid() == 0:
        # /dev/zero's own device numbers, as a node made inside the test's folder
        os.mknod(content / "furniture.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))
        kind = "a character device"
    else:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(content / "furniture.yaml"))
        listener.close()
        kind = "a socket"
    result = run_limited("--config", str(config), "check", timeout=60)
    assert result.returncode == 1, result.stderr
    assert f"furniture.yaml: furniture file not used: not a regular file ({kind})" in result.stderr


# --- 9: the symlink check at read time ----------------------------------------------


def test_file_swapped_for_a_symlink_after_discovery_is_not_read(tmp_path):
    content, _ = project(tmp_path)
    victim = content / "a.txt"
    victim.write_text(ARTICLE, encoding="utf-8")
    assert discover(content)[0] == [victim]
    victim.unlink()
    victim.symlink_to(outside_secret(tmp_path))
    result = normalise_file(victim, root=content)
    assert isinstance(result, Failure) and "symlink" in result.error
    assert SECRET not in repr(result)


def test_folder_swapped_for_a_symlink_after_discovery_is_not_read(tmp_path):
    content, _ = project(tmp_path)
    (content / "sub").mkdir()
    victim = content / "sub" / "secret.txt"
    victim.write_text(ARTICLE, encoding="utf-8")
    assert discover(content)[0] == [victim]
    shutil.rmtree(content / "sub")
    outside_secret(tmp_path)
    (content / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    result = normalise_file(victim, root=content)
    assert isinstance(result, Failure) and "outside the content folder" in result.error
    assert SECRET not in repr(result)


def test_symlink_inside_the_content_folder_is_still_read(tmp_path):
    content, _ = project(tmp_path)
    (content / "real.txt").write_text(ARTICLE, encoding="utf-8")
    (content / "alias.txt").symlink_to("real.txt")
    result = normalise_file(content / "alias.txt", root=content)
    assert isinstance(result, Article) and result.title == "赣州脐橙丰收"


def test_fast_render_in_serve_does_not_read_a_file_swapped_for_a_symlink(tmp_path):
    from archivist.serve.preview import Preview

    content, config_path = project(tmp_path, seeds=True)
    preview = Preview(lambda: load_config(config_path), load_config(config_path))
    assert preview.rebuild() is not None
    victim = sorted(content.glob("001*.txt"))[0]
    secret = outside_secret(
        tmp_path, text=victim.read_text("utf-8").replace("葵峰山上党旗扬", "葵峰山上党旗扬" + SECRET)
    )
    victim.unlink()
    victim.symlink_to(secret)
    assert preview.render_edited({victim.absolute()}) == 0
    assert SECRET not in "".join(preview.overlay.values())


# --- 3: the size limit per input ------------------------------------------------------


def test_input_over_the_size_limit_is_an_error_naming_file_size_and_setting(tmp_path):
    content, config = project(tmp_path, article=True, build="max_input_mb = 1")
    (content / "big.txt").write_bytes(("标题\n\n" + "乡村振兴的故事。" * 60_000).encode())  # 1.4 MB
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 1, result.stderr
    assert "big.txt: 1.4 MB is over the limit of 1 MB per input ([build] max_input_mb); not read" in result.stderr
    assert "Built 1 articles" in result.stdout


def test_curation_file_over_the_size_limit_is_refused(tmp_path):
    content, _ = project(tmp_path)
    (content / "glossary.yaml").write_text("entries:\n" + "  - {slogan: 一区四线, meaning: 说明}\n" * 40_000)
    _, failures = load_editorial(content, max_bytes=1 << 20)
    [failure] = failures
    assert failure.path.endswith("glossary.yaml") and "over the limit of 1 MB" in failure.error


def test_read_stops_at_the_limit_even_when_the_file_grows(tmp_path, monkeypatch):
    from archivist.ingest import inputs

    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    real_fstat = os.fstat

    def shrunk(descriptor):  # as if the file grew after it was measured
        status = real_fstat(descriptor)
        return os.stat_result((status.st_mode, *status[1:6], 10, *status[7:]))

    monkeypatch.setattr(inputs.os, "fstat", shrunk)
    with pytest.raises(inputs.InputError, match="over the limit"):
        inputs.read_input(path, tmp_path, max_bytes=50)


@pytest.mark.parametrize("value", ["0", "-1", "true", '"50"'])
def test_max_input_mb_must_be_a_positive_whole_number(tmp_path, value):
    _, config = project(tmp_path, build=f"max_input_mb = {value}")
    with pytest.raises(ConfigError, match="max_input_mb"):
        load_config(config)


def test_folder_symlink_inside_the_content_folder_is_followed_when_reading(tmp_path):
    content, _ = project(tmp_path)
    (content / "real").mkdir()
    (content / "real" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (content / "alias").symlink_to("real", target_is_directory=True)
    result = normalise_file(content / "alias" / "a.txt", root=content)
    assert isinstance(result, Article) and result.title == "赣州脐橙丰收"


def test_a_symlink_met_while_opening_folder_by_folder_is_refused(tmp_path):
    from archivist.ingest.inputs import InputError, open_below

    content, _ = project(tmp_path)
    outside_secret(tmp_path)
    (content / "sub").symlink_to(tmp_path / "outside", target_is_directory=True)
    # What a folder swapped for a link between resolving the path and opening it meets.
    with pytest.raises(InputError, match="symlink"):
        open_below(str(content), ["sub", "secret.txt"])


def test_an_image_swapped_for_a_symlink_out_of_the_folder_is_not_copied(tmp_path):
    from archivist.ingest.media import ImageError, prepared

    content, _ = project(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.png").write_bytes(b"\x89PNG secret")
    image = content / "page_files" / "a.png"
    image.parent.mkdir()
    image.symlink_to(tmp_path / "outside" / "secret.png")
    with pytest.raises(ImageError, match=r"leads outside the content folder \(a symlink\); not copied"):
        prepared(image, content)
