"""Reprints (转载) recognised as one story: archivist/site/reprints.py."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from archivist.site.reprints import Story, find_stories
from archivist.text.script import to_traditional
from bench.reprints import article, planted, real_articles, scores

from .conftest import run_cli, write_site_toml

REPORT = [
    "新华社北京3月5日电 第十四届全国人民代表大会第二次会议5日上午在人民大会堂开幕，国务院总理作政府工作报告。",
    "报告提出，今年发展主要预期目标是：国内生产总值增长百分之五左右；城镇新增就业一千二百万人以上；"
    "城镇调查失业率百分之五点五左右；居民消费价格涨幅百分之三左右；居民收入增长和经济增长同步。",
    "报告说，要大力推进现代化产业体系建设，加快发展新质生产力，充分发挥创新主导作用，以科技创新推动产业创新，"
    "加快推进新型工业化，提高全要素生产率，不断塑造发展新动能新优势。",
    "报告强调，要坚持不懈抓好“三农”工作，扎实推进乡村全面振兴，加强粮食和重要农产品稳产保供，"
    "持续增强脱贫地区和脱贫群众内生发展动力，提高农业综合生产能力。",
]
STATEMENT = (
    "外交部发言人表示，中方一贯主张通过对话协商和平解决争端，呼吁有关各方保持冷静克制，"
    "避免采取可能导致局势紧张升级的行动，共同维护地区和平稳定，为政治解决创造条件。"
)
HARBOUR = [
    "本报讯 记者从市交通运输局获悉，今年以来，我市港口货物吞吐量持续增长，前两个月累计完成货物吞吐量两千三百万吨，"
    "同比增长百分之八点六，其中集装箱吞吐量增长百分之十二。",
    "据介绍，港口新建的自动化码头已投入试运行，装卸效率比传统码头提高三成以上，每年可为企业节省物流成本近亿元。",
]
FAIR = [
    "本报讯 第二十届农产品交易会昨天在会展中心闭幕，四天里共有一千二百多家企业参展，现场签约项目八十六个，"
    "签约金额超过四十亿元，创历届新高。",
    "展会期间，来自山区县的特色农产品受到采购商青睐，茶叶、菌菇和高山蔬菜的订单比去年翻了一番，不少农户当场拿到了订单。",
]


def test_a_traditional_copy_joins_its_simplified_story():
    original = article("report", "政府工作报告", REPORT, "2024-03-05", "新华社")
    copy = article("report-hk", "政府工作報告", [to_traditional(p) for p in REPORT], "2024-03-06", "香港文匯報")
    stories = find_stories([original, copy])
    assert stories["report-hk"] == stories["report"] == Story("report", ("report-hk",))


def test_a_trimmed_copy_with_a_reporter_line_joins_its_story():
    original = article("report", "政府工作报告", REPORT, "2024-03-05", "新华社")
    copy = article(
        "report-copy", "两会｜政府工作报告要点", ["本报记者 张三", *REPORT[:-1]], "2024-03-05T20:00", "某晚报"
    )
    assert find_stories([copy, original])["report-copy"].original == "report"


def test_a_shared_long_quotation_does_not_join_two_stories():
    harbour = article("harbour", "港口吞吐量持续增长", [HARBOUR[0], f"“{STATEMENT}”", HARBOUR[1]], "2024-03-01", "甲报")
    fair = article("fair", "农交会闭幕", [FAIR[0], f"“{STATEMENT}”", FAIR[1]], "2024-03-01", "乙报")
    assert find_stories([harbour, fair]) == {}


def test_the_original_is_the_earliest_dated_copy():
    copies = [
        article("a-later", "报告", REPORT, "2024-03-07", "甲报"),
        article("b-undated", "报告", REPORT[:-1], None, "乙报"),
        article("c-first", "报告", REPORT, "2024-03-05T10:00", "新华社"),
        article("d-same-day", "报告", REPORT, "2024-03-07", "丙报"),
    ]
    story = find_stories(copies)["a-later"]
    assert story == Story("c-first", ("a-later", "d-same-day", "b-undated"))


def test_articles_alone_are_absent_and_the_order_of_articles_does_not_matter():
    articles = [
        article("report", "报告", REPORT, "2024-03-05", "新华社"),
        article("report-2", "报告", REPORT[:3], "2024-03-06", "甲报"),
        article("harbour", "港口", HARBOUR, "2024-03-01", "甲报"),
        article("fair", "农交会", FAIR, "2024-03-01", "乙报"),
    ]
    stories = find_stories(articles)
    assert set(stories) == {"report", "report-2"}
    assert find_stories(articles[::-1]) == stories


def test_planted_reprints_of_real_pages_are_found_with_precision_and_recall_of_095():
    corpus = planted(real_articles("dev"))
    precision, recall, _ = scores(corpus, find_stories(corpus.articles))
    assert precision >= 0.95
    assert recall >= 0.95


def test_remembered_sketches_and_checks_give_the_same_stories_and_an_edit_redoes_only_its_article(monkeypatch):
    from archivist.site import reprints

    corpus = planted(real_articles("dev"))
    fresh = find_stories(corpus.articles)
    sketches: dict = {}
    checked: dict = {}
    assert find_stories(corpus.articles, sketches, checked) == fresh
    assert len(sketches) == len({reprints.body_key(a) for a in corpus.articles}) and checked
    sketched, compared = [], []
    real_sketch, real_same = reprints.sketched_body, reprints.same_story
    monkeypatch.setattr(reprints, "sketched_body", lambda a: sketched.append(a.slug) or real_sketch(a))
    monkeypatch.setattr(reprints, "same_story", lambda *pair: compared.append(pair) or real_same(*pair))
    assert find_stories(corpus.articles, sketches, checked) == fresh
    assert sketched == [] and compared == []  # nothing changed: nothing sketched or compared again
    story = next(story for story in fresh.values() if story.copies)
    edited = [
        replace(a, blocks=[*a.blocks[:-1], replace(a.blocks[-1], text=a.blocks[-1].text + "编者按。")])
        if a.slug == story.copies[0]
        else a
        for a in corpus.articles
    ]
    remembered = find_stories(edited, sketches, checked)
    assert sketched == [story.copies[0]]
    assert 0 < len(compared) < len(checked)
    assert remembered == find_stories(edited)


def scrape(title: str, date: str, source: str, paragraphs: list[str]) -> str:
    return "\n\n".join([title, f"{date}  来源：{source}", *paragraphs]) + "\n"


FIRST = '<span class="tag first">首发</span>'


def reprints_section(page: Path) -> str:
    found = re.search(r'<section class="reprints".*?</section>', page.read_text(encoding="utf-8"), re.S)
    return found[0] if found else ""


def test_each_copy_page_lists_the_others_and_marks_the_original(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "report.txt").write_text(scrape("政府工作报告", "2024-03-05 10:00", "新华社", REPORT), encoding="utf-8")
    (content / "harbour.txt").write_text(scrape("港口吞吐量", "2024-03-01 09:00", "甲报", HARBOUR), encoding="utf-8")
    config = write_site_toml(tmp_path, content="content", output="site")
    assert run_cli("--config", str(config), "build").returncode == 0
    articles = tmp_path / "site" / "articles" / "2024"
    original, harbour = (
        articles / "2024-03-05-zhengfugongzuobaogao.html",
        articles / "2024-03-01-gangkoutuntuliang.html",
    )
    assert reprints_section(original) == ""
    # A reprint added later: the original's page is made again and lists it.
    copy = scrape("政府工作報告全文", "2024-03-06 08:00", "香港文匯報", [to_traditional(p) for p in REPORT[:-1]])
    (content / "report-hk.txt").write_text(copy, encoding="utf-8")
    assert run_cli("--config", str(config), "build").returncode == 0
    listed = reprints_section(original)
    assert 'aria-labelledby="reprints-title"' in listed and "同文转载" in listed
    assert "香港文汇报" in listed and "本文为首发" in listed and FIRST not in listed
    on_copy = reprints_section(articles / "2024-03-06-zhengfugongzuobaogao.html")
    assert f"{FIRST} 新华社" in on_copy and original.name in on_copy and "本文为首发" not in on_copy
    assert harbour.name not in on_copy and reprints_section(harbour) == ""


def test_lists_and_feeds_show_a_reprinted_report_once_unless_reprints_is_all(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "report.txt").write_text(scrape("政府工作报告", "2024-03-05 10:00", "新华社", REPORT), encoding="utf-8")
    copy = scrape("政府工作报告全文", "2024-03-06 08:00", "某晚报", ["本报记者 张三", *REPORT])
    (content / "report-copy.txt").write_text(copy, encoding="utf-8")
    (content / "harbour.txt").write_text(scrape("港口吞吐量", "2024-03-01 09:00", "甲报", HARBOUR), encoding="utf-8")
    config = write_site_toml(tmp_path, content="content", output="site")
    copy_page = "articles/2024/2024-03-06-zhengfugongzuobaogao.html"
    for setting, listed in (("group", False), ("all", True)):
        config.write_text(config.read_text(encoding="utf-8").split("[build]")[0] + f'[build]\nreprints = "{setting}"\n')
        assert run_cli("--config", str(config), "build").returncode == 0
        site = tmp_path / "site"
        home, feed = (site / "index.html").read_text(encoding="utf-8"), (site / "feed.xml").read_text(encoding="utf-8")
        assert (copy_page in home, copy_page in feed) == (listed, listed)
        assert "2024-03-05-zhengfugongzuobaogao.html" in home and (site / copy_page).exists()


def test_an_unknown_reprints_setting_is_refused(tmp_path):
    config = write_site_toml(tmp_path, content="content", output="site")
    config.write_text(config.read_text(encoding="utf-8") + '[build]\nreprints = "hide"\n', encoding="utf-8")
    result = run_cli("--config", str(config), "build")
    assert result.returncode == 2 and "reprints must be one of 'group', 'all'" in result.stderr


def test_search_holds_a_reprinted_report_once_with_its_number_of_reprints(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "report.txt").write_text(scrape("政府工作报告", "2024-03-05 10:00", "新华社", REPORT), encoding="utf-8")
    for n, source in enumerate(("甲报", "乙报")):
        copy = scrape(f"政府工作报告{n}", "2024-03-06 08:00", source, [f"记者 张{n}", *REPORT[:-1]])
        (content / f"report-{n}.txt").write_text(copy, encoding="utf-8")
    (content / "harbour.txt").write_text(scrape("港口吞吐量", "2024-03-01 09:00", "甲报", HARBOUR), encoding="utf-8")
    config = write_site_toml(tmp_path, content="content", output="site")
    assert run_cli("--config", str(config), "build").returncode == 0
    search = tmp_path / "site" / "search"
    assert '"documents":2' in (search / "index.js").read_text(encoding="utf-8").replace(" ", "")
    docs = "".join(path.read_text(encoding="utf-8") for path in (search / "docs").rglob("*.js"))
    assert docs.count("政府工作报告") >= 1 and "政府工作报告0" not in docs
    assert re.search(r'"r":\s*2', docs) and len(re.findall(r'"r":', docs)) == 1


def test_a_page_lists_at_most_twenty_other_copies_and_counts_the_rest(seeds):
    from archivist.site.pages import REPRINTS_LISTED, Site, reprints_of

    article = seeds["000"]
    copies = [replace(article, slug=f"copy-{number:02d}") for number in range(30)]
    story = Story(article.slug, tuple(copy.slug for copy in copies))
    site = Site.__new__(Site)
    site.stories = {slug: story for slug in story.slugs}
    by_slug = {a.slug: a for a in (article, *copies)}
    listed, unlisted = reprints_of(copies[5], site, by_slug)
    assert len(listed) == REPRINTS_LISTED and listed[0] is article and copies[5] not in listed
    assert unlisted == 30 - REPRINTS_LISTED
    assert reprints_of(article, site, by_slug) == (tuple(copies[:REPRINTS_LISTED]), 30 - REPRINTS_LISTED)


def test_adding_a_copy_renders_only_its_storys_pages_and_the_site_is_a_clean_builds(tmp_path, monkeypatch):
    import archivist.render.render
    from archivist.config import load_config
    from archivist.pipeline import build
    from bench.corpus import write_corpus

    from .test_incremental import clean_build, differences

    content = tmp_path / "content"
    write_corpus(12, content)
    (content / "report.txt").write_text(scrape("政府工作报告", "2024-03-05 10:00", "新华社", REPORT), encoding="utf-8")
    config = load_config(write_site_toml(tmp_path, content="content", output="site"))
    corpus, _ = build(config)
    original = next(a for a in corpus.articles if a.title == "政府工作报告")
    rendered: list[str] = []
    real = archivist.render.render.render_page
    monkeypatch.setattr(
        archivist.render.render,
        "render_page",
        lambda env, page, *rest: rendered.append(page.path) or real(env, page, *rest),
    )
    copy = scrape("政府工作报告全文", "2024-03-06 08:00", "某晚报", ["本报记者 张三", *REPORT[:-1]])
    (content / "report-copy.txt").write_text(copy, encoding="utf-8")
    corpus, _ = build(config)
    added = next(a for a in corpus.articles if a.title == "政府工作报告全文")
    # Both scripts of the story's two pages, and the data page (it counts the rows); no list, no other article.
    assert sorted(rendered) == sorted([original.page_path, added.page_path, "data.html"] * 2)
    assert differences(tmp_path / "site", clean_build(content, tmp_path / "clean")) == []
