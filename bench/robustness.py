"""Robustness figures: ``python bench/robustness.py``.

Builds a corpus of hostile files (random bytes, truncated and mixed
encodings, NUL bytes, RTL and zero-width characters, emoji, combining marks,
lone surrogates, Windows-1252 quotes, deep and huge front matter, a 50 MB
single line, script injection everywhere) beside the seeds, then prints: files
tried, errors reported, pages built, articles lost (must be 0), and scripts
executed when every page and a set of searches are opened in headless
Chromium (must be 0).
"""

from __future__ import annotations

import codecs
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def scripts_executed(site: Path) -> tuple[int, int]:
    from playwright.sync_api import sync_playwright

    executed = opened = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        targets = [p.as_uri() for p in sorted(site.rglob("*.html"))]
        targets += [(site / "search.html").as_uri() + f"?q={q}" for q in ("script", "pwned", "img", "正文", "标题")]
        for target in targets:
            page.goto(target)
            page.wait_for_timeout(30)
            executed += page.evaluate("window.__pwned === 1 ? 1 : 0")
            opened += 1
        browser.close()
    return executed + len(dialogs), opened


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        content = work / "content"
        content.mkdir()
        tried = nasty_corpus(content)
        (work / "site.toml").write_text('[paths]\ncontent = "content"\noutput = "site"\n', encoding="utf-8")
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "--config", str(work / "site.toml"), "build"],
            capture_output=True,
            text=True,
            timeout=3600,
        )
        errors = len(re.findall(r"^error: ", result.stderr, re.MULTILINE))
        set_aside = len(re.findall(r"^warning: .*(duplicate of|draft, not built)", result.stderr, re.MULTILINE))
        pages = len(list((work / "site" / "articles").glob("*/*.html")))
        lost = tried - pages - errors - set_aside
        executed, opened = scripts_executed(work / "site")
    rows = [
        ("files tried", tried),
        ("errors reported (each naming its file)", errors),
        ("duplicates and drafts set aside (warned)", set_aside),
        ("article pages built", pages),
        ("articles lost (must be 0)", lost),
        ("pages and searches opened in Chromium", opened),
        ("scripts executed in the browser (must be 0)", executed),
        ("build exit code", result.returncode),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    if lost or executed or result.returncode not in (0, 1):
        sys.exit(1)


if __name__ == "__main__":
    main()
