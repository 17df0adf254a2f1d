"""axe-core over every page type, in both scripts, in a real Chromium: no
serious or critical violation."""

import json

import pytest

from .conftest import ROOT
from .test_browser_site import PAGE_KINDS, page_types

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SIMPLIFIED_KINDS = [kind for kind in PAGE_KINDS if not kind.startswith("traditional")]


def serious_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    report = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in report["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("script", ["", "zh-hant/"])
@pytest.mark.parametrize("kind", [*SIMPLIFIED_KINDS, "404"])
def test_page_has_no_serious_accessibility_violation(page, http_base, built_site, kind, script):
    path = "404.html" if kind == "404" else page_types(built_site)[kind]
    page.goto(http_base + script + path.replace("q=党建", "q=黨建" if script else "q=党建"))
    page.wait_for_load_state("load")
    if kind == "search":
        page.wait_for_selector("body[data-search-done]")
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


def test_the_check_finds_a_planted_violation(page):
    page.set_content(
        '<html lang="zh"><body><main><img src="x.png"><p style="color:#eee;background:#fff">浅色字</p></main></body></html>'
    )
    found = {v["id"] for v in serious_violations(page)}
    assert {"image-alt", "color-contrast"} <= found
