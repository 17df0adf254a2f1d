"""A deterministic synthetic corpus made from the seed articles.

``python bench/corpus.py --n 1000 --out /tmp/corpus`` writes N articles: the
seeds' paragraphs reshuffled, regions drawn from the gazetteer, dates over 15
years, quoted slogans (the seeds' and invented ones), a share of raw scraped
``.txt`` with the seeds' noise (share bars, pinyin notes, SEO lists,
Traditional script) and a share of editor-written ``.md``.  The same N always
gives the same files.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypinyin import Style, pinyin

from archivist.pipeline import load_corpus
from archivist.tag.gazetteer import load_gazetteer, short_form
from archivist.text.script import to_traditional

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "content"
START = datetime(2010, 1, 1)
SPAN_DAYS = 15 * 365
NUMERALS = "一二三四五六七八九十"
SLOGAN_CHARS = "基强融联带富红先建治学创兴引领"
HEADS = ("工程", "行动", "模式", "机制", "品牌")
SOURCES = ("乡村干部报", "玉林日报", "广西日报", "河北日报", "南方日报", "人民网")
EDITORS = ("尹丹丹", "车婧", "刘琼", "郑夏忆", "王立", "陈思")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"


@dataclass(frozen=True)
class Pool:
    paragraphs: list[str]
    slogans: list[str]
    counties: list[tuple[str, str, str]]  # province, prefecture, county


def make_pool() -> Pool:
    articles = load_corpus(SEEDS).articles
    paragraphs = [p for a in articles for p in a.paragraphs if len(p) > 40]
    slogans = sorted({s for a in articles for s in a.slogans if 2 <= len(s) <= 10})
    gazetteer = load_gazetteer()
    counties = []
    for unit in gazetteer.units.values():
        chain = gazetteer.path(unit.code)
        if len(chain) == 3:
            counties.append(tuple(u.name for u in chain))
    return Pool(paragraphs, slogans, sorted(counties))


def invented_slogan(rng: random.Random) -> str:
    """A numbered slogan no seed uses, like 三融五带."""
    a, b = rng.sample(NUMERALS, 2)
    c, d = rng.sample(SLOGAN_CHARS, 2)
    return f"{a}{c}{b}{d}"


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


@dataclass(frozen=True)
class Synthetic:
    name: str
    text: str
    title: str
    slogan: str  # the invented slogan this article alone introduces
    county: tuple[str, str, str]
    body: tuple[str, ...] = ()  # the paragraphs, as written (Simplified)
    date: str | None = None
    source: str | None = None


def make_article(number: int, pool: Pool) -> Synthetic:
    rng = random.Random(number)
    province, prefecture, county = rng.choice(pool.counties)
    short = short_form(county) or county
    date = START + timedelta(days=rng.randrange(SPAN_DAYS), seconds=rng.randrange(86400))
    slogan = invented_slogan(rng) + f"{number % 97}"
    head = rng.choice(HEADS)
    known = rng.choice(pool.slogans)
    title = f"{short}以“{slogan}”{head}推动“{known}”落地见效"
    lead = (
        f"近日，{province}{prefecture}{county}深入实施“{slogan}”{head}，"
        f"把“{known}”贯穿基层党建全过程，推动乡村振兴提质增效。"
    )
    body = [lead, *rng.sample(pool.paragraphs, rng.randint(5, 10))]
    body.insert(
        rng.randint(2, len(body)), f"据介绍，“{slogan}”就是以党建为引领、以产业为支撑、以治理为保障的工作格局。"
    )
    author, editor, source = person(rng), rng.choice(EDITORS), rng.choice(SOURCES)
    if number % 5 < 3:
        text = scraped_text(rng, title, date, source, author, editor, body, pool)
        name = f"{number:06d}.txt"
    else:
        text = markdown_text(title, date, source, author, editor, body)
        name = f"{number:06d}.md"
    return Synthetic(
        name, text, title, slogan, (province, prefecture, county), tuple(body), f"{date:%Y-%m-%dT%H:%M:%S}", source
    )


def with_pinyin_notes(text: str, rng: random.Random) -> str:
    """The mirror's habit: a reading after some characters, ``區(qū)``."""
    out = []
    for char in text:
        out.append(char)
        if "\u4e00" <= char <= "\u9fff" and rng.random() < 0.03:
            out.append(f"({pinyin(char, style=Style.TONE)[0][0]})")
    return "".join(out)


def scraped_text(rng, title, date, source, author, editor, body, pool) -> str:
    traditional = rng.random() < 0.5
    lines = [title, f"{date:%Y-%m-%d %H:%M:%S}  来源:{source}  ", "1", "", "乡村干部报网", "微信公众号", ""]
    lines += [f"  {p}" for p in body]
    lines += ["", f"  本报记者 {author}", "", f"责编:{editor}"]
    spam = "| ".join(rng.choice(pool.counties)[2] for _ in range(30)) + "|"
    text = "\n".join(lines)
    if traditional:
        text = with_pinyin_notes(to_traditional(text), rng)
    return text + "\n" + spam


def markdown_text(title, date, source, author, editor, body) -> str:
    front = [
        "---",
        f"title: '{title}'",
        f"date: {date:%Y-%m-%d %H:%M:%S}",
        f"source: {source}",
        f"authors: [{{name: {author}, role: 记者}}]",
        f"editor: {editor}",
        "---",
        "",
    ]
    return "\n".join(front) + "\n\n".join(body) + "\n"


def write_corpus(n: int, out: Path) -> list[Synthetic]:
    out.mkdir(parents=True, exist_ok=True)
    pool = make_pool()
    made = []
    for number in range(n):
        article = make_article(number, pool)
        (out / article.name).write_text(article.text, encoding="utf-8")
        made.append(article)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    write_corpus(args.n, args.out)
    print(f"wrote {args.n} articles to {args.out}")


if __name__ == "__main__":
    main()
