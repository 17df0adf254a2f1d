"""Robustness figures: ``python bench/robustness.py`` (``make robustness``).

Builds a corpus of hostile files (random bytes, truncated and mixed
encodings, NUL bytes, RTL and zero-width characters, emoji, combining marks,
lone surrogates, Windows-1252 quotes, deep and huge front matter, a 50 MB
single line, script injection everywhere) beside the seeds, then each hostile
folder of ``bench/hostile.py`` (odd file names, alias bombs, huge pages and
images, symlink cycles and links out, FIFOs, backtracking patterns, planted
state, read-only output), each build bounded in time and watched by an audit
hook; every built page is opened in headless Chromium from ``file://``. Prints
the tally: inputs tried, per-file errors, articles lost, whole-build failures,
hangs, files read outside the content folder, files written outside the
output, scripts executed, network requests, peak memory of the worst input.
"""

from __future__ import annotations

import codecs
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.hostile import CASES, Case, failed, run_all, tally  # noqa: E402
from tests.test_robustness import hostile_files  # noqa: E402

PIECES = [*"党建联建乡村振兴“”‘’「」，。？！:;?!()（）|> \n\t", "\u200b", "\u200f", "\u202e", "\ufeff", "\u0301", "🎉"]
PIECES += [
    "\x00",
    "\r",
    "區(qū)",
    "?!",
    "\ue7c8",
    "€",
    "当前位置:首页>>",
    "乡村干部报网\n微信公众号\n",
    "<script>window.__pwned=1</script>",
]


def nasty_corpus(folder: Path) -> int:
    rng = random.Random(2026)
    files: dict[str, bytes] = {}
    for n in range(200):
        files[f"random-{n}.txt"] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
    for n in range(200):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 300)))
        encoding = rng.choice(["utf-8", "utf-16", "gb18030", "big5", "utf-8-sig"])
        files[f"text-{n}.txt"] = text.encode(encoding, errors="replace")
    for n in range(50):
        good = "标题\n\n正文内容，党建联建。\n".encode()
        files[f"truncated-{n}.txt"] = good[: rng.randrange(1, len(good))]
    files["mixed.txt"] = "标题\n\n".encode() + "正文".encode("gb18030") + "內容".encode("big5")
    files["cp1252.txt"] = b"\x93Smart quotes\x94 and \x96 dashes\n\nbody text here.\n"
    files["surrogate.md"] = b'---\ntitle: "\\ud800 lone"\n---\nbody\n'
    files["nested.md"] = b"---\na: " + b"[" * 5000 + b"]" * 5000 + b"\n---\nbody\n"
    files["huge-front.md"] = b"---\nk: " + b"v" * 100_000 + b"\n---\nbody\n"
    files["bom-only.txt"] = codecs.BOM_UTF8
    files["one-line-50mb.txt"] = ("标题\n" + "党建联建，乡村振兴" * 2_000_000).encode()[:50_000_000]
    files |= hostile_files()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    for seed in sorted((ROOT / "content").glob("0*.txt")):
        shutil.copy(seed, folder)
    return len(files) + 5


def scripts_executed(site: Path, searches: bool = True) -> tuple[int, int]:
    """Opens every page (and searches) from ``file://``: scripts the content
    ran, and requests to anything but the site's own files."""
    from playwright.sync_api import sync_playwright

    executed = requested = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        dialogs: list[str] = []
        network: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on(
            "request",
            lambda request: None if request.url.startswith(("file:", "data:")) else network.append(request.url),
        )
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        targets = [p.as_uri() for p in sorted(site.rglob("*.html"))]
        if searches:
            targets += [(site / "search.html").as_uri() + f"?q={q}" for q in ("script", "pwned", "img", "正文", "标题")]
            hostile_facet = "<img src=x onerror=window.__pwned=1>"
            targets += [(site / "search.html").as_uri() + f"?q=党建&region={hostile_facet}&initiative=陸川縣&year=abc"]
        for target in targets:
            page.goto(target)
            page.wait_for_timeout(30)
            executed += page.evaluate("window.__pwned === 1 ? 1 : 0")
        requested = len(network)
        for url in network[:5]:
            print(f"    request: {url}")
        browser.close()
    return executed + len(dialogs), requested


def make_nasty_folder(folder: Path) -> None:
    content = folder / "content"
    content.mkdir()
    (folder / "outside").mkdir()
    nasty_corpus(content)
    (folder / "site.toml").write_text('[paths]\ncontent = "content"\noutput = "site"\n', encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tried = nasty_corpus(Path(scratch))
    nasty = Case(f"{tried} random, truncated, mixed and injected files", make_nasty_folder)
    outcomes = run_all([nasty, *CASES], visit=scripts_executed)
    rows = tally(outcomes, tried + len(CASES))
    corpus = outcomes[0]
    rows.insert(
        2, ("articles lost among the files (must be 0)", tried - corpus.pages - corpus.errors - corpus.set_aside)
    )
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if failed(outcomes) or rows[2][1]:
        sys.exit(1)


if __name__ == "__main__":
    main()
