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


@pytest.mark.parametrize("script", ["", "zh-hant/"])
def test_an_article_page_listing_its_reprints_has_no_serious_violation(page, tmp_path, script):
    from .conftest import run_cli, write_site_toml
    from .test_reprints import REPORT, scrape

    content = tmp_path / "content"
    content.mkdir()
    (content / "report.txt").write_text(scrape("政府工作报告", "2024-03-05 10:00", "新华社", REPORT), encoding="utf-8")
    copy = scrape("政府工作报告全文", "2024-03-06 08:00", "某晚报", ["本报记者 张三", *REPORT])
    (content / "report-copy.txt").write_text(copy, encoding="utf-8")
    assert (
        run_cli("--config", str(write_site_toml(tmp_path, content="content", output="site")), "build").returncode == 0
    )
    page.goto((tmp_path / "site" / script / "articles/2024/2024-03-06-zhengfugongzuobaogao.html").as_uri())
    page.wait_for_load_state("load")
    assert page.locator("section.reprints h2").count() == 1
    violations = serious_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
