"""Saved web pages as articles: decoding, extraction, images, errors."""

from __future__ import annotations

import http.server
import io
import json
import shutil
import threading
from functools import partial
from pathlib import Path

import pytest
from PIL import Image

from archivist.ingest.discover import discover
from archivist.ingest.read import declared_encoding, decode_page
from archivist.ingest.reading import normalise_file
from archivist.model import Article, Failure
from archivist.text.script import converter

from .conftest import ROOT, QuietHandler, run_cli

PAGES = ROOT / "tests" / "fixtures" / "pages"

ARTICLE = [
    "会宁是中国工农红军三大主力会师地。近年来，白银市会宁县依托红色资源优势，在全县推行村党组织“三联共建”，"
    "推动强村带弱村、先进带后进，走出了一条抱团发展的乡村振兴路子。",
    "会宁县按照地域相邻、产业相近的原则，把全县284个行政村划分为56个联建片区，由基础好、实力强的村党组织担任"
    "“片区长”，定期开展联合学习、联合议事。",
    "会宁县委组织部有关负责人表示，下一步将持续深化“三联共建”，推动联建片区由“物理相加”向“化学融合”转变。",
]
RELATED = ["靖远县：党建引领 产业兴旺", "景泰县：沙漠里种出致富果"]


def saved_page(
    head: str = '<meta charset="utf-8">',
    title: str = "会宁县：“三联共建”让红色热土焕发振兴活力",
    image: str = "",
    info: str = "2023-03-21 09:15 来源：白银日报 作者：记者 王丽娟",
) -> str:
    paragraphs = "".join(f"<p>　　{text}</p>" for text in ARTICLE[:2])
    related = "".join(f'<li><a href="/n/{i}.html">{text}</a></li>' for i, text in enumerate(RELATED))
    return f"""<!DOCTYPE html>
<html><head>{head}<title>{title}_白银网</title>
<link rel="canonical" href="https://www.example.cn/xq/2023/0321/123.html">
<script>var tracker = "来源：不是这里";</script><style>p {{ margin: 0 }}</style></head>
<body><ul class="nav"><li><a href="/">白银网首页</a></li><li><a href="/xq/">县区新闻</a></li>
<li><a href="/dj/">党建</a></li></ul>
<div class="crumb">当前位置：<a href="/">白银网</a> &gt; <a href="/xq/">县区新闻</a> &gt; 正文</div>
<div class="main"><h1>{title}</h1><div class="info">{info}</div>
<div class="tools">【字号：<a>大</a> <a>中</a> <a>小</a>】 【<a>打印</a>】</div>
<div class="article">{paragraphs}<p><strong>产业联营促增收</strong></p>{image}
<ul><li>新建村级冷链仓储设施23处；</li><li>改造提升村级综合服务站91个。</li></ul>
<p>　　{ARTICLE[2]}</p></div>
<div class="editor">责任编辑：马晓慧</div>
<div class="share">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<div class="related"><h3>相关新闻</h3><ul>{related}</ul></div></div>
<div class="footer"><p>关于我们 | 广告服务 | 联系方式 | 版权声明</p><p>白银日报社主办 甘ICP备12001234号-2</p></div>
</body></html>"""


def read(tmp_path, html: str | bytes, name: str = "page.html") -> Article | Failure:
    path = tmp_path / name
    path.write_bytes(html.encode("utf-8") if isinstance(html, str) else html)
    return normalise_file(path)


def test_a_saved_page_becomes_an_article_with_its_fields_and_without_the_site_around_it(tmp_path):
    article = read(tmp_path, saved_page())
    assert isinstance(article, Article), article
    assert article.kind == "html"
    assert article.title == "会宁县：“三联共建”让红色热土焕发振兴活力"
    assert article.date == "2023-03-21T09:15:00"
    assert article.source == "白银日报"
    assert [(a.name, a.role) for a in article.authors] == [("王丽娟", "记者")]
    assert article.editor == "马晓慧"
    assert article.url == "https://www.example.cn/xq/2023/0321/123.html"
    assert [r.names for r in article.regions] == [("甘肃省", "白银市", "会宁县")]
    text = "\n".join(block.text for block in article.blocks)
    for paragraph in ARTICLE:
        assert paragraph in text
    for furniture in ["白银网首页", "当前位置", "字号", "分享到", "相关新闻", *RELATED, "ICP", "版权声明"]:
        assert furniture not in text, furniture


def test_the_page_structure_is_kept_headings_and_lists(tmp_path):
    article = read(tmp_path, saved_page())
    assert article.headings == ["产业联营促增收"]
    lists = [block for block in article.blocks if block.html]
    assert len(lists) == 1
    assert lists[0].html == "<ul><li>新建村级冷链仓储设施23处；</li><li>改造提升村级综合服务站91个。</li></ul>"


@pytest.mark.parametrize(
    ("codec", "declaration", "found"),
    [
        ("gb18030", '<meta charset="gbk">', "gb18030"),
        ("gb18030", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
        ("big5", '<meta charset="big5">', "big5"),
        ("gb18030", '<meta charset="iso-8859-1">', "gb18030"),  # a wrong declaration
        ("gb18030", '<meta charset="utf-8">', "gb18030"),  # wrong again
        ("utf-8", "", "utf-8"),  # none at all
    ],
)
def test_pages_are_read_in_the_encoding_that_gives_natural_chinese(tmp_path, codec, declaration, found):
    html = saved_page(head=declaration)
    if codec == "big5":  # Big5 holds Traditional text
        html = converter("s2tw").convert(html)
    article = read(tmp_path, html.encode(codec))
    assert isinstance(article, Article), article
    assert article.encoding == found
    assert article.title.startswith("会宁县")
    assert article.source == "白银日报"


def test_a_byte_order_mark_wins_over_the_declaration():
    text, encoding = decode_page(b"\xef\xbb\xbf" + saved_page(head='<meta charset="gbk">').encode("utf-8"))
    assert encoding == "utf-8-sig" and "会宁县" in text


def test_declarations_are_read_from_meta_http_equiv_and_xml():
    assert declared_encoding(b'<html><head><meta charset="GB2312">') == "gbk"
    assert declared_encoding(b"<meta http-equiv=Content-Type content='text/html; charset=big5'>") == "big5"
    assert declared_encoding(b'<?xml version="1.0" encoding="UTF-8"?><html>') == "utf-8"
    assert declared_encoding(b'<meta charset="no-such-codec">') is None


@pytest.mark.parametrize(
    "body",
    [
        "<ul>"
        + "".join(
            f'<li><a href="/a/{i}.html">乡村振兴新闻标题第{i}条</a> 2024-05-{i % 28 + 1:02d}</li>' for i in range(30)
        )
        + "</ul>",
        '<form><p>请登录后查看全文</p><input name="user"><input type="password"><button>登录</button> <a>注册</a></form>',
        "<h1>页面不存在</h1><p>404</p><a href='/'>返回首页</a>",
        "",
    ],
    ids=["index-page", "login-wall", "not-found", "empty-body"],
)
def test_a_page_that_holds_no_article_is_an_error_naming_the_file(tmp_path, body):
    html = f'<html><head><meta charset="utf-8"><title>白银网</title></head><body>{body}</body></html>'
    result = read(tmp_path, html, "index.html")
    assert isinstance(result, Failure)
    assert result.path.endswith("index.html")
    assert "no article" in result.error


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 60, 40)).save(out, format="JPEG", quality=80)
    return out.getvalue()


def test_images_saved_with_the_page_are_copied_beside_the_article_and_sized_down(tmp_path):
    content = tmp_path / "content"
    (content / "page_files").mkdir(parents=True)
    (content / "page_files" / "big.jpg").write_bytes(jpeg(3200, 2000))
    (content / "page_files" / "small.jpg").write_bytes(small := jpeg(400, 300))
    (content / "page_files" / "frame.html").write_text("<html><body><p>广告</p></body></html>", encoding="utf-8")
    image = (
        '<p><img src="page_files/big.jpg" alt="合作社"></p><p>▲ 会宁县联合合作社工人在分拣小杂粮。</p>'
        '<p><img src="page_files/small.jpg" alt="冷库外景"></p>'
    )
    (content / "page.html").write_text(saved_page(image=image), encoding="utf-8")
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"), "-q")
    assert result.returncode == 0, result.stderr
    pages = list((tmp_path / "site" / "articles").glob("*/*.html"))
    assert len(pages) == 1  # the frame in page_files/ is a resource of the page, not an article
    html = pages[0].read_text(encoding="utf-8")
    folder = pages[0].with_suffix("")
    assert (
        '<img src="../../articles/2023/' in html
        and "<figcaption>会宁县联合合作社工人在分拣小杂粮。</figcaption>" in html
    )
    assert "<figcaption>冷库外景</figcaption>" in html  # no caption line: the alt text
    with Image.open(folder / "1.jpg") as copied:
        assert max(copied.size) == 1600
    assert (folder / "2.jpg").read_bytes() == small  # small enough: the same bytes
    twin = tmp_path / "site" / "zh-hant" / pages[0].relative_to(tmp_path / "site")
    assert '<img src="../../../articles/2023/' in twin.read_text(encoding="utf-8")


def test_an_image_on_the_web_or_missing_is_left_out_with_a_warning(tmp_path):
    image = (
        '<p><img src="https://img.example.cn/a.jpg" alt="远处"></p><p><img src="page_files/gone.jpg" alt="丢失"></p>'
    )
    article = read(tmp_path, saved_page(image=image))
    assert not [block for block in article.blocks if block.kind == "figure"]
    assert any(
        "is on the web" in warning and "nothing is loaded from the network" in warning for warning in article.warnings
    )
    assert any("gone.jpg not found beside the page" in warning for warning in article.warnings)


def test_an_image_outside_the_content_folder_is_not_copied(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (tmp_path / "secret.jpg").write_bytes(jpeg(20, 20))
    (content / "page.html").write_text(
        saved_page(image='<p><img src="../secret.jpg" alt="外面"></p>'), encoding="utf-8"
    )
    result = run_cli("build", "--content", str(content), "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "secret.jpg: outside the content folder" in result.stdout + result.stderr
    assert not list((tmp_path / "site").rglob("*.jpg"))


def test_inspect_shows_the_canonical_url_and_the_article_page_links_to_it(tmp_path):
    (tmp_path / "content").mkdir()
    page = tmp_path / "content" / "page.html"
    page.write_text(saved_page(), encoding="utf-8")
    shown = json.loads(run_cli("inspect", str(page)).stdout)[0]
    assert shown["url"] == "https://www.example.cn/xq/2023/0321/123.html"
    assert shown["title"] == "会宁县：“三联共建”让红色热土焕发振兴活力"
    assert any(item["line"] == "分享到：微信微博QQ空间" for item in shown["dropped"])
    result = run_cli("build", "--content", str(tmp_path / "content"), "--out", str(tmp_path / "site"), "-q")
    assert result.returncode == 0, result.stderr
    html = next((tmp_path / "site" / "articles").glob("*/*.html")).read_text(encoding="utf-8")
    assert 'href="https://www.example.cn/xq/2023/0321/123.html"' in html


def test_html_files_are_discovered_but_not_inside_a_saved_pages_files_folder(tmp_path):
    (tmp_path / "a_files").mkdir()
    (tmp_path / "b_files").mkdir()
    for name in ("a.html", "a_files/ad.html", "b_files/c.htm", "d.HTM"):
        (tmp_path / name).write_text("<html></html>", encoding="utf-8")
    found, _ = discover(tmp_path)
    assert [path.relative_to(tmp_path).as_posix() for path in found] == ["a.html", "b_files/c.htm", "d.HTM"]


@pytest.fixture(scope="module")
def saved_pages_site(tmp_path_factory) -> Path:
    """The saved-page fixtures that keep their images, built into a site."""
    folder = tmp_path_factory.mktemp("pages")
    content = folder / "content"
    content.mkdir()
    for name in ("central-portal-1", "trad-mirror-2"):
        shutil.copy(PAGES / f"{name}.html", content)
        shutil.copytree(PAGES / f"{name}_files", content / f"{name}_files")
    result = run_cli("build", "--content", str(content), "--out", str(folder / "site"), "-q")
    assert result.returncode == 0, result.stderr
    return folder / "site"


@pytest.mark.browser
@pytest.mark.parametrize("script", ["", "zh-hant/"])
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_a_saved_pages_images_show_in_the_browser_offline(page, saved_pages_site, script, scheme):
    if scheme == "http":
        handler = partial(QuietHandler, directory=str(saved_pages_site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/"
    else:
        base = saved_pages_site.as_uri() + "/"
    pages = sorted(p.relative_to(saved_pages_site) for p in (saved_pages_site / "articles").glob("*/*.html"))
    assert len(pages) == 2
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(base) else None)
    for path in pages:
        page.goto(base + script + path.as_posix())
        page.wait_for_load_state("load")
        images = page.locator(".body figure img")
        for number in range(images.count()):  # lazy images load when they come into view
            images.nth(number).scroll_into_view_if_needed()
        page.wait_for_function(
            "[...document.querySelectorAll('.body figure img')].every(i => i.complete && i.naturalWidth > 0)",
            timeout=10_000,
        )
        sizes = page.eval_on_selector_all(".body figure img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        assert sizes and all(done and width > 0 for done, width in sizes), sizes
        assert page.locator(".body figcaption").count() == len(sizes)
    assert page.problems == [] and external == []
    if scheme == "http":
        server.shutdown()


def test_a_date_given_only_by_the_markup_is_read_with_its_time(tmp_path):
    head = '<meta charset="utf-8"><meta property="article:published_time" content="2023-05-26T10:15:00+08:00">'
    article = read(tmp_path, saved_page(head=head, info="来源：白银日报"))
    assert article.date == "2023-05-26T10:15:00"
    wechat = saved_page(head='<meta charset="utf-8"><script>var ct = "1693870200";</script>', info="来源：白银日报")
    assert read(tmp_path, wechat, "wechat.html").date == "2023-09-05T07:30:00"  # China's time
    shown_day = saved_page(head=head, info="2023-05-26 来源：白银日报")
    assert read(tmp_path, shown_day, "day.html").date == "2023-05-26T10:15:00"  # the day shown, the markup's time


def test_a_site_name_is_cut_from_a_title_the_page_gives_only_in_its_head(tmp_path):
    html = (
        saved_page(title="宁陕县推行“三个清单”壮大村级集体经济")
        .replace("<h1>", '<div class="biaoti">')
        .replace("</h1>", "</div>")
    )
    html = html.replace("_白银网</title>", "-宁陕县人民政府</title>")
    assert read(tmp_path, html).title == "宁陕县推行“三个清单”壮大村级集体经济"


def test_article_text_an_extractor_drops_from_a_layout_table_is_put_back(tmp_path):
    items = [
        "联盟共建，把党组织建在产业链上。在犀溪镇，镇党委牵头成立茶产业党建联盟，由镇党委书记任联盟书记，定期轮值。",
        "党员领跑，把技术送到茶园里。县里组建由32名党员农技人员组成的茶产业服务队，常年深入茶园开展技术指导。",
    ]
    table = (
        '<table><tr><td class="content"><div class="TRS_Editor">'
        + f"<p>{ARTICLE[0]}</p><ul>{''.join(f'<li>{item}</li>' for item in items)}</ul><p>{ARTICLE[1]}</p>"
        + "</div></td></tr></table>"
    )
    html = saved_page().replace('<div class="article">', f'<div class="article">{table}<div class="x">', 1)
    article = read(tmp_path, html.replace('<div class="editor">', '</div><div class="editor">', 1))
    text = "\n".join(article.paragraphs)
    assert all(item in text for item in items), text


def test_qr_codes_and_logos_are_not_article_images(tmp_path):
    (tmp_path / "page_files").mkdir()
    for name in ("photo.jpg", "qrcode.jpg", "logo.jpg", "scan.jpg"):
        (tmp_path / "page_files" / name).write_bytes(jpeg(300, 200))
    image = (
        '<p><img src="page_files/photo.jpg" alt="村民在合作社分拣"></p>'
        '<p><img src="page_files/qrcode.jpg"></p><p><img src="page_files/logo.jpg" alt="网站标志"></p>'
        '<p><img src="page_files/scan.jpg"></p><p>扫一扫在手机打开当前页</p>'
    )
    article = read(tmp_path, saved_page(image=image))
    assert [block.src for block in article.blocks if block.kind == "figure"] == ["page_files/photo.jpg"]


def test_an_image_changed_removed_or_restored_beside_a_page_is_followed_by_the_next_build(tmp_path):
    content, site = tmp_path / "content", tmp_path / "site"
    (content / "page_files").mkdir(parents=True)
    photo = content / "page_files" / "photo.jpg"
    photo.write_bytes(jpeg(400, 300))
    (content / "page.html").write_text(
        saved_page(image='<p><img src="page_files/photo.jpg" alt="合作社"></p>'), encoding="utf-8"
    )

    def build() -> tuple[str, Path]:
        result = run_cli("build", "--content", str(content), "--out", str(site), "-q")
        assert result.returncode == 0, result.stderr
        page = next((site / "articles").glob("*/*.html"))
        return page.read_text(encoding="utf-8"), page.with_suffix("") / "1.jpg"

    html, copied = build()
    assert "<figure>" in html and copied.read_bytes() == photo.read_bytes()
    photo.write_bytes(changed := jpeg(500, 300))
    assert build()[1].read_bytes() == changed
    photo.unlink()
    html, copied = build()
    assert "<figure>" not in html and not copied.exists()
    photo.write_bytes(changed)
    html, copied = build()
    assert "<figure>" in html and copied.read_bytes() == changed
