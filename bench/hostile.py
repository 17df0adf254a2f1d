"""Hostile content folders, each built on its own and watched.

Every case makes a project in a folder of its own (content beside an
``outside/`` folder the content links into, which the build must never read),
then ``python bench/hostile.py`` builds each one in a subprocess under an
audit hook and prints, per case and in total: the exit code, whether a
traceback was printed, whether it finished within the bound, seconds, peak
memory, and every file opened or listed outside the project's content,
output, templates and the Python installation.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import drop_permission_override  # noqa: E402
from tests.test_hostile_output import png_of_size  # noqa: E402

ARTICLE = "乡村振兴：{place}的新变化\n\n来源：测试日报  2024-05-07\n\n{place}推进党建联建，带动乡村振兴。\n\n村民收入逐年提高。\n"
# Seconds one case may take before it counts as a hang.
# Past the default [build] file_timeout (300 s): a file stopped by its own
# limit is a per-file error, not a hang.
BOUND = int(os.environ.get("HOSTILE_BOUND", "420"))
PLANTED = "PLANTED-CODE-RAN"

# Run inside the build's process (and, through fork, its workers): log every
# file opened or folder listed, with the mode, to the file named in argv[1].
AUDITED = """
import os, sys
log = open(sys.argv[1], "w", encoding="utf-8", errors="backslashreplace")
def hook(event, args):
    if event == "open" and args[0] is not None and not isinstance(args[0], int):
        path, mode, flags = args
        writing = ("w" in str(mode) or "a" in str(mode) or "x" in str(mode) or "+" in str(mode)
                   or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)))
        log.write(("W " if writing else "R ") + os.fsdecode(path) + "\\n")
        log.flush()
    elif event in ("os.listdir", "os.scandir") and args[0] is not None and not isinstance(args[0], int):
        log.write("L " + os.fsdecode(args[0]) + "\\n")
        log.flush()
sys.addaudithook(hook)
import atexit, resource
def peak():
    log.write("M %d %d\\n" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    log.flush()
atexit.register(peak)
log_path, package_root, *arguments = sys.argv[1:]
sys.path.insert(0, package_root)
from archivist.cli import main
sys.exit(main(arguments))
"""


@dataclass
class Case:
    name: str
    make: Callable[[Path], None]  # fills a project folder (content/, outside/, site.toml)
    whole_folder: bool = False  # a problem of the whole folder: exit 2 and one clear line is right


@dataclass
class Outcome:
    case: str
    code: int | None
    traceback: bool
    seconds: float
    peak_mb: float
    read_outside: list[str]
    written_outside: list[str]
    errors: int
    pages: int = 0  # article pages built
    set_aside: int = 0  # duplicates and drafts, warned
    scripts: int = 0
    requests: int = 0

    @property
    def hung(self) -> bool:
        return self.code is None

    whole_folder: bool = False

    @property
    def whole_build_failure(self) -> bool:
        expected = (2,) if self.whole_folder else (0, 1)
        return self.hung or self.traceback or self.code not in expected


def article(place: str) -> bytes:
    return ARTICLE.format(place=place).encode()


def project(folder: Path) -> tuple[Path, Path]:
    content, outside = folder / "content", folder / "outside"
    content.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(
        "SECRET-OUTSIDE 这是内容文件夹外的秘密\n\n秘密正文，不该发布。\n", encoding="utf-8"
    )
    for n in range(200):
        (outside / f"many-{n}.txt").write_text("x", encoding="utf-8")
    (content / "good.txt").write_bytes(article("江西瑞金"))
    (folder / "site.toml").write_text('[paths]\ncontent = "content"\noutput = "site"\n', encoding="utf-8")
    return content, outside


def non_utf8_name(folder: Path) -> None:
    content, _ = project(folder)
    with open(os.path.join(os.fsencode(content), "赣州脐橙".encode("gbk") + b".txt"), "wb") as out:
        out.write(article("江西赣州"))


def yaml_alias_bomb(folder: Path) -> None:
    content, _ = project(folder)
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]")
    lines += ["title: 炸弹", "---", "正文内容，党建联建。"]
    (content / "bomb.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def million_paragraphs(folder: Path) -> None:
    content, _ = project(folder)
    body = "<p>村</p>" * 1_000_000
    (content / "million.html").write_text(
        f"<html><head><title>百万段</title></head><body>{body}</body></html>", "utf-8"
    )


def slower_than_its_time_limit(folder: Path) -> None:
    """150,000 paragraphs (under the element limit) take some 25 s to read:
    past a time limit of 5 s."""
    content, _ = project(folder)
    with (folder / "site.toml").open("a", encoding="utf-8") as settings:
        settings.write("[build]\nfile_timeout = 5\n")
    body = "<p>村</p>" * 150_000
    (content / "slow.html").write_text(f"<html><head><title>慢</title></head><body>{body}</body></html>", "utf-8")


def page_of_200_mb(folder: Path) -> None:
    content, _ = project(folder)
    paragraph = "<p>" + "党建联建，乡村振兴。" * 30 + "</p>\n"
    with (content / "huge.html").open("w", encoding="utf-8") as out:
        out.write("<html><head><title>巨大的页面</title></head><body>\n")
        for _ in range(200_000_000 // len(paragraph.encode())):
            out.write(paragraph)
        out.write("</body></html>\n")


def symlink_cycle(folder: Path) -> None:
    content, _ = project(folder)
    (content / "loop").symlink_to(".", target_is_directory=True)
    (content / "a.txt").symlink_to("b.txt")
    (content / "b.txt").symlink_to("a.txt")
    (content / "sub").mkdir()
    (content / "sub" / "up").symlink_to("..", target_is_directory=True)


def saved_page(content: Path, name: str) -> Path:
    html = "<html><head><title>乡村振兴：玉林的新变化</title></head><body><h1>乡村振兴：玉林的新变化</h1>"
    html += "<p>2024-05-07 来源：测试日报</p><p>玉林推进党建联建，带动乡村振兴。村民收入逐年提高，产业兴旺。</p>"
    html += f'<img src="{name}_files/a.png" alt="图"></body></html>'
    (content / f"{name}.html").write_text(html, encoding="utf-8")
    return content / f"{name}_files"


def files_folder_linked_outside(folder: Path) -> None:
    content, outside = project(folder)
    saved_page(content, "page").symlink_to(outside, target_is_directory=True)


def files_folder_unreadable(folder: Path) -> None:
    content, _ = project(folder)
    resources = saved_page(content, "page")
    (resources / "locked").mkdir(parents=True)
    (resources / "locked" / "a.png").write_bytes(b"\x89PNG")
    (resources / "locked").chmod(0)


def image_of_118_mpx(folder: Path) -> None:
    content, _ = project(folder)
    resources = saved_page(content, "page")
    resources.mkdir()
    (resources / "a.png").write_bytes(png_of_size(10_860, 10_860))


def settings_linked_outside(folder: Path) -> None:
    content, outside = project(folder)
    (outside / "furniture.yaml").write_text("lines: [SECRET-OUTSIDE-LINE\npatterns: [\n", encoding="utf-8")
    (content / "furniture.yaml").symlink_to(outside / "furniture.yaml")
    (content / "glossary.yaml").symlink_to(outside / "secret.txt")
    (content / "linked.txt").symlink_to(outside / "secret.txt")


def settings_fifo(folder: Path) -> None:
    content, _ = project(folder)
    os.mkfifo(content / "initiatives.yaml")
    os.mkfifo(content / "fifo.txt")


def furniture_regex_bomb(folder: Path) -> None:
    content, _ = project(folder)
    (content / "furniture.yaml").write_text("patterns: ['^(a+)+$']\n", encoding="utf-8")
    (content / "aaa.txt").write_text("标题：测试\n\n" + "a" * 40 + "!\n\n正文内容，党建联建。\n", encoding="utf-8")


def markdown_remote_and_local_images(folder: Path) -> None:
    content, _ = project(folder)
    text = "---\ntitle: 外链图片\ndate: 2024-05-07\n---\n\n正文。\n\n![远程](https://example.com/a.png)\n\n"
    text += "![本地](/etc/hostname)\n\n![上级](../outside/secret.txt)\n\n<img src='http://example.com/b.png'>\n"
    (content / "images.md").write_text(text, encoding="utf-8")


class Planted:
    """Unpickled, it creates a file: code run from a planted cache."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def plant_pickles(folder: Path) -> None:
    """Every file in the build's state folder (``.site.archivist``) becomes a
    pickle that runs code, as someone who can write there could make it."""
    state = folder / ".site.archivist"
    for path in [p for p in state.rglob("*") if p.is_file()]:
        path.write_bytes(pickle.dumps(Planted(folder / "outside" / PLANTED)))
    (folder / "content" / "good.txt").write_bytes(article("江西瑞金，再一次"))


def odd_encodings(folder: Path) -> None:
    content, _ = project(folder)
    text = ARTICLE.format(place="台湾新竹")
    (content / "utf16le.txt").write_bytes(text.encode("utf-16-le"))
    (content / "utf16be.txt").write_bytes(text.encode("utf-16-be"))
    half = len(text) // 2
    (content / "half-gbk.txt").write_bytes(text[:half].encode() + text[half:].encode("gbk"))
    (content / "two-digit-year.txt").write_text(
        "标题：两位年份\n\n19-05-07 来源：测试日报\n\n正文内容，党建联建。\n", "utf-8"
    )
    (content / "undated.md").write_text("---\ntitle: 无日期\n---\n\n正文内容，党建联建。\n", encoding="utf-8")


def project_only(folder: Path) -> None:
    project(folder)


def deep_front_matter_and_aliases(folder: Path) -> None:
    content, _ = project(folder)
    (content / "deep.md").write_text("---\na: " + "[" * 30_000 + "]" * 30_000 + "\n---\n正文。\n", "utf-8")
    (content / "dashes.md").write_text("---\na:\n" + "- " * 30_000 + "x\n---\n正文。\n", "utf-8")
    (content / "big-number.md").write_text("---\nsource: " + "1" * 5_000 + "\n---\n正文。\n", "utf-8")
    (content / "glossary.yaml").write_text("[" * 30_000 + "]" * 30_000, "utf-8")
    (content / "initiatives.yaml").write_text("a: &a [x]\nb: *a\n", "utf-8")
    aliases = "[../../outside/x, /index.html, zh-hant/x.html, /index.html/below.html, '/a\\x00b']"
    (content / "aliases.md").write_text(
        f"---\ntitle: 别名\ndate: 2024-05-07\naliases: {aliases}\n---\n正文。\n", "utf-8"
    )


def folder_link_out_and_self_link(folder: Path) -> None:
    content, outside = project(folder)
    (content / "more").symlink_to(outside, target_is_directory=True)
    (content / "self.txt").symlink_to("self.txt")
    (content / "empty-\udcb9\udce3.txt").touch()  # an empty file with a name that is not UTF-8


def long_scrape_and_many_images(folder: Path) -> None:
    content, _ = project(folder)
    headings = "".join(f"第{n}章 标题行\n\n" for n in range(8_000))
    (content / "headings.txt").write_text(headings + "正文内容，党建联建，乡村振兴。\n", encoding="utf-8")
    body = "".join(f'<p>第{n}段，党建联建。</p><img src="x{n}.png">' for n in range(4_000))
    (content / "images.html").write_text(f"<html><head><title>图多</title></head><body>{body}</body></html>", "utf-8")


def built_first(make: Callable[[Path], None], then: Callable[[Path], None]) -> Callable[[Path], None]:
    """A case whose project is built once before ``then`` changes it."""

    def both(folder: Path) -> None:
        make(folder)
        subprocess.run(command(folder), cwd=folder, capture_output=True, timeout=BOUND, check=True)
        then(folder)

    return both


def plant_symlinked_output_folder(folder: Path) -> None:
    articles = folder / "site" / "articles"
    target = folder / "outside" / "written-here"
    target.mkdir()
    for child in articles.iterdir():
        if child.is_dir():
            os.rename(child, target / child.name)
            child.symlink_to(target / child.name, target_is_directory=True)
            break
    (folder / "content" / "good.txt").write_bytes(article("江西瑞金，又一次"))


def make_output_read_only(folder: Path) -> None:
    for path in [folder / "site", *(folder / "site").rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o555)


CASES = [
    Case("file name not UTF-8", non_utf8_name),
    Case("YAML alias bomb in front matter", yaml_alias_bomb),
    Case("saved page of 1,000,000 paragraphs", million_paragraphs),
    Case("saved page of 200 MB", page_of_200_mb),
    Case("a page slower than [build] file_timeout = 5", slower_than_its_time_limit),
    Case("symlink cycles in the content folder", symlink_cycle),
    Case("<page>_files linked out of the folder", files_folder_linked_outside),
    Case("<page>_files with an unreadable subfolder", files_folder_unreadable),
    Case("image of 118 Mpx in a few hundred KB", image_of_118_mpx),
    Case("settings files linked out of the folder", settings_linked_outside),
    Case("settings file and article that are FIFOs", settings_fifo),
    Case("furniture pattern ^(a+)+$", furniture_regex_bomb),
    Case("YAML 30,000 deep, 5,000-digit numbers, hostile aliases", deep_front_matter_and_aliases),
    Case("folder link out, self link, empty non-UTF-8 name", folder_link_out_and_self_link),
    Case("scrape of 8,000 headings, page of 4,000 images", long_scrape_and_many_images),
    Case("Markdown with remote and local-file images", markdown_remote_and_local_images),
    Case("pickles planted as the build's state", built_first(project_only, plant_pickles)),
    Case("UTF-16 without BOM, UTF-8 then GBK, 2-digit years, undated", odd_encodings),
    Case(
        "symlinked folder planted in the output",
        built_first(project_only, plant_symlinked_output_folder),
        whole_folder=True,
    ),
    Case(
        "read-only output folder, nothing changed",
        built_first(project_only, make_output_read_only),
    ),
    Case(
        "read-only output folder, an article changed",
        built_first(
            project_only,
            lambda f: (make_output_read_only(f), (f / "content" / "new.txt").write_bytes(article("广西玉林"))),
        ),
        whole_folder=True,
    ),
]


def command(folder: Path, log: Path | None = None) -> list[str]:
    build = ["--config", str(folder / "site.toml"), "build", "--quiet"]
    if log is None:
        return [sys.executable, str(ROOT / "build.py"), *build]
    return [sys.executable, "-c", AUDITED, str(log), str(ROOT), *build]


def allowed_roots(folder: Path) -> list[str]:
    """The project (its content, output, settings, templates), this package, the
    Python installation and the system's own files; never ``outside/``."""
    roots = [folder, ROOT, Path(sys.prefix), Path(sys.base_prefix)]
    roots += [Path(p) for p in ("/usr", "/etc", "/proc", "/sys", "/dev/null", "/dev/urandom", "/dev/shm")]
    return [os.path.realpath(root) for root in roots]


def within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def outside(path: str, folder: Path, roots: list[str]) -> bool:
    real = os.path.realpath(os.path.join(folder, path))
    if within(real, os.path.realpath(folder / "outside")):
        return True
    # multiprocessing's own temporary files
    return not (real.startswith(os.path.join(tempfile.gettempdir(), "pymp-")) or any(within(real, r) for r in roots))


def permissions_kept() -> Callable[[], None] | None:
    """As root, a build that still meets permission checks (read-only
    folders, chmod 000), where root's override can be dropped."""
    if os.geteuid() != 0:
        return None
    try:
        subprocess.run(["true"], preexec_fn=drop_permission_override, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    return drop_permission_override


def run(case: Case, folder: Path) -> Outcome:
    case.make(folder)
    log = folder / "opened.log"
    build = command(folder, log)
    started = time.monotonic()
    try:
        result = subprocess.run(build, cwd=folder, capture_output=True, timeout=BOUND, preexec_fn=permissions_kept())
        code: int | None = result.returncode
        stderr = result.stderr.decode("utf-8", errors="replace")
    except subprocess.TimeoutExpired as timeout:
        code, stderr = None, (timeout.stderr or b"").decode("utf-8", errors="replace")
    seconds = time.monotonic() - started
    roots = allowed_roots(folder)
    read_out: set[str] = set()
    written_out: set[str] = set()
    peak_kb = 0
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []:
        kind, _, path = line.partition(" ")
        if kind == "M":
            peak_kb = max(int(kb) for kb in path.split())
        elif outside(path, folder, roots):
            (written_out if kind == "W" else read_out).add(path)
    if (folder / "outside" / PLANTED).exists():
        written_out.add(f"{PLANTED} (the planted cache ran)")
    return Outcome(
        case=case.name,
        whole_folder=case.whole_folder,
        code=code,
        traceback="Traceback (most recent call last)" in stderr,
        seconds=seconds,
        peak_mb=peak_kb / 1024,
        read_outside=sorted(read_out),
        written_outside=sorted(written_out),
        # Errors may be repeated after the warnings: count each once.
        errors=len({line for line in stderr.splitlines() if line.startswith("error")}),
        pages=len(list((folder / "site" / "articles").glob("*/*.html"))),
        set_aside=len(re.findall(r"^warning: .*(same article as|draft, not built)", stderr, re.MULTILINE)),
    )


def run_all(cases: list[Case], visit: Callable[[Path], tuple[int, int]] | None = None) -> list[Outcome]:
    """Each case in a folder of its own; ``visit`` opens its site (while the
    folder still exists) and gives (scripts executed, network requests)."""
    outcomes = []
    only = os.environ.get("HOSTILE_ONLY", "")
    for case in cases:
        if only not in case.name:
            continue
        with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
            outcome = run(case, Path(folder))
            if visit and (Path(folder) / "site" / "index.html").exists():
                outcome.scripts, outcome.requests = visit(Path(folder) / "site")
            # A case's own folder must be writable again to be removed.
            for path in Path(folder).rglob("*"):
                if path.is_dir() and not path.is_symlink():
                    path.chmod(0o755)
        outcomes.append(outcome)
        state = "HUNG" if outcome.hung else f"exit {outcome.code}" + (" TRACEBACK" if outcome.traceback else "")
        print(
            f"{case.name:<62} {state:<16} {outcome.seconds:6.1f} s {outcome.peak_mb:7.0f} MB"
            f"  errors {outcome.errors}  outside {len(outcome.read_outside)}/{len(outcome.written_outside)}"
            f"  scripts {outcome.scripts}  requests {outcome.requests}",
            flush=True,
        )
        for path in outcome.read_outside + outcome.written_outside:
            print(f"    outside: {path}")
    return outcomes


def tally(outcomes: list[Outcome], inputs: int) -> list[tuple[str, object]]:
    worst = max(outcomes, key=lambda o: o.peak_mb)
    return [
        ("inputs tried (files and hostile folders)", inputs),
        ("per-file errors reported", sum(o.errors for o in outcomes)),
        ("whole-build failures (must be 0)", sum(o.whole_build_failure for o in outcomes)),
        (f"hangs, each build bounded at {BOUND} s (must be 0)", sum(o.hung for o in outcomes)),
        ("files read outside the content folder (must be 0)", sum(len(o.read_outside) for o in outcomes)),
        ("files written outside the output (must be 0)", sum(len(o.written_outside) for o in outcomes)),
        ("scripts executed in the browser (must be 0)", sum(o.scripts for o in outcomes)),
        ("network requests from built pages (must be 0)", sum(o.requests for o in outcomes)),
        ("peak memory of the worst input", f"{worst.peak_mb:.0f} MB ({worst.case})"),
    ]


def failed(outcomes: list[Outcome]) -> bool:
    return any(
        o.whole_build_failure or o.read_outside or o.written_outside or o.scripts or o.requests for o in outcomes
    )


def main() -> int:
    outcomes = run_all(CASES)
    for label, value in tally(outcomes, len(outcomes)):
        print(f"{label}  {value}")
    return 1 if failed(outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
