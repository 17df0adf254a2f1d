"""bench/textdump.py makes the checked-in text dumps: run for real in
Chromium over two real pages (a GBK page and a UTF-8 one without a charset
declaration), its lines are the dumps' lines."""

import shutil
import subprocess
import sys

import pytest

from .conftest import CHROMIUM, ROOT

pytestmark = pytest.mark.browser

REAL = ROOT / "tests" / "fixtures" / "real-pages"
PAGES = ["05e98007-d810-4036-b154-2ef2fe68c2af", "54e89e4e-6d47-424f-b172-12b7e360c25c"]


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def test_dump_of_a_saved_page_is_its_visible_text_as_checked_in(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in PAGES:
        shutil.copy(REAL / "pages" / f"{name}.html", pages)
    out = tmp_path / "dumps"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "textdump.py"), str(pages), "--out", str(out), "--chromium", CHROMIUM],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for name in PAGES:
        made = lines_of((out / f"{name}.txt").read_text(encoding="utf-8"))
        kept = lines_of((REAL / "dumps" / f"{name}.txt").read_text(encoding="utf-8"))
        assert made == kept
        assert any("茉莉" in line or "博客" in line for line in made)  # Chinese, decoded right
