"""Metadata lines read with the lexicon's labels: dates, sources, reporters,
editors, photographers, a forum's poster (the words each role is introduced by
come from the lexicon, not from this code)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from archivist.model import Author
from archivist.text.clean import HAN
from archivist.text.extract import BRACKETS, DATE, SPACED_LABEL, SPACES, parse_date
from archivist.text.lexicon import ASCII_FORMS

WEEKDAY = re.compile(r"(?:星期|周|礼拜)[一二三四五六日天]")


HALF_DAY = re.compile(r"(上午|下午|晚上|中午)\s*(\d{1,2})([:：]\d{1,2})")


BOUNDARY = r"(?:^|(?<=[\s\[\]【】()（）|丨:,;/□■◆●·<>，、；]))"


EDITOR_CODE = re.compile(r"_[A-Za-z0-9]+$")


PERSON = re.compile(rf"^[{HAN}·]{{2,6}}$")


# The surnames of nearly everyone (the Hundred Family Surnames' common part and
# today's frequent ones): a reporter's or photographer's name starts with one,
# a sidebar's word (搜索, 精选, 调查) after a role word does not.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
    "夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷"
    "詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司"
    "卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平"
    "计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭"
    "干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)


COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "公孙",
    "慕容",
    "尉迟",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "端木",
)


PHOTO_CREDIT = re.compile(r"(?<![\w:])摄\s*[)）]?\s*$")  # 新华社记者 张三 摄: a photograph's credit


POSTED = ("发表于",)  # date labels that follow the name of the one who posted


POSTER = re.compile(r"[^\s:：|]{2,20}")


# A forum's or blog's byline: 本贴由大卫于2005年8月12日…在〖…〗发表, 由海姑娘张贴 @ 2005-06-11.
POSTED_BY = re.compile(rf"(?:本贴|本帖)?由\s*(?P<name>[^\s于@]{{2,20}}?)\s*(?:于|张贴\s*@)\s*(?P<date>{DATE.pattern})")


POSTED_TAIL = re.compile(r"^\s*在?\s*(?:〖[^〗]*〗|【[^】]*】|\S{0,20}?)\s*发表")  # where it was posted


PEN_NAME_ROLES = ("作者", "撰稿", "文", "撰文", "作")  # a signed piece may carry a pen name


def plausible_name(token: str, role: str) -> bool:
    """Whether a word glued to a role word can be a person's name (a spaced
    one can be any: 宝音, 格桑边觉 have no Han surname)."""
    if role in PEN_NAME_ROLES or "·" in token:
        return True
    return token[:1] in SURNAMES or token.startswith(COMPOUND_SURNAMES)


PROVENANCE = re.compile(r"《\s*([^》]{2,20}?)\s*》\s*[(（]?\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)")


def tokens_with_rest(value: str, separators: str) -> Iterator[tuple[str, str]]:
    """Each token of ``value``, with the text from it to the end as written
    (so that what follows the names, a date with its time, stays whole)."""
    for match in re.finditer(rf"(?:(?!{separators}).)+", value):
        yield match.group(0), value[match.start() :]


@dataclass
class MetaLine:
    """What one metadata line says; ``residue`` is the text it could not
    account for (a line with much residue is not a metadata line)."""

    dates: list[tuple[int, str]] = field(default_factory=list)  # (priority, ISO date)
    source: str | None = None
    weak_source: str | None = None  # a media name beside a date, with no label
    authors: list[Author] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    title_prefix: str | None = None  # a title glued to its date line
    labels: int = 0  # how many labels the line holds (审核：X alone is still metadata)
    residue: str = ""


# What a video player writes into the page's text (its status bar, its debug
# console): a time code (00:00 / 03:25), its version, its loading state.
PLAYER_OUTPUT = re.compile(
    r"(?i)\b(?:debug|console|player|flash ?player|html5 video|video\.?js|ckplayer|buffer(?:ing)?|bitrate|"
    r"stream type|remaining time|current time)\b|播放器|调试|缓冲|加载中|码率|"
    r"(?<![\d:])\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?(?![\d:])"
)


def normalise_time_of_day(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        hour = int(match.group(2))
        if match.group(1) in ("下午", "晚上") and hour < 12:
            hour += 12
        return f" {hour}{match.group(3)}"

    return HALF_DAY.sub(replace, WEEKDAY.sub(" ", text))


@cache
def meta_reader(lexicon: Any) -> MetaReader:
    """One reader per lexicon: its label pattern is compiled once, not per file."""
    return MetaReader(lexicon)


class MetaReader:
    """Reads metadata lines with the lexicon's labels (any separator, any
    bracket, Simplified after folding)."""

    def __init__(self, lexicon: Any) -> None:
        self.lexicon = lexicon
        self.field_of: dict[str, str] = {}
        for name in ("other", "date", "publisher", "source", "author", "editor"):
            for label in lexicon.labels.get(name, ()):
                self.field_of[label] = name
        self.roles = frozenset(lexicon.labels.get("author", ()))
        labels = sorted(self.field_of, key=len, reverse=True)
        alternatives = "|".join(re.escape(label) for label in labels)
        # A label, then a separator; a role word may also stand before names
        # with only a space, or glued (记者张三).
        self.label = re.compile(rf"{BOUNDARY}(?P<label>{alternatives})\s*(?P<sep>[:|丨/]|\s+|(?=[{HAN}]))")
        role_alternatives = "|".join(re.escape(r) for r in sorted(self.roles, key=len, reverse=True))
        self.glued_role = re.compile(rf"^(?P<role>{role_alternatives})(?P<name>[{HAN}·]{{2,4}})$")
        self.suffixes = tuple(sorted(lexicon.source_suffixes, key=len, reverse=True))

    def matches(self, line: str) -> list[re.Match[str]]:
        """Labels with a separator; one-character labels (文, 图) need a
        real one (: | 丨), and only role words may be glued to a name."""
        found = []
        for match in self.label.finditer(line):
            label, separator = match.group("label"), match.group("sep")
            if separator.strip() or (
                len(label) >= 2 and (separator or self.field_of[label] == "author" or label.endswith(("于", "自")))
            ):
                found.append(match)
        return found

    def read(self, simplified: str) -> MetaLine:
        """What a line (in Simplified) says; full-width separators are read
        as ASCII here."""
        line = self.lexicon.without_inline(normalise_time_of_day(simplified.translate(ASCII_FORMS).strip()))
        if PLAYER_OUTPUT.search(line):
            return MetaLine(residue=line)  # a video player's status or debug line: its dates are its own
        line = BRACKETS.sub(" ", line)
        # Government index tables space their labels out: 索 引 号：, 名　　称：
        line = SPACED_LABEL.sub(lambda m: SPACES.sub("", m.group(1)), line.strip())
        meta = MetaLine()
        residue: list[str] = []
        posted = POSTED_BY.search(line)
        posted_on = parse_date(posted.group("date")) if posted else None
        if posted and posted_on:
            meta.authors.append(Author(posted.group("name"), "作者"))
            meta.dates.append((2, posted_on))
            meta.labels += 1
            line = line[: posted.start()] + " " + POSTED_TAIL.sub("", line[posted.end() :])
        provenance = PROVENANCE.search(line)
        if provenance:
            meta.weak_source = provenance.group(1).strip()
            date = parse_date(provenance.group(2))
            if date:
                meta.dates.append((1, date))
            line = line[: provenance.start()] + " " + line[provenance.end() :].replace("版", " ", 1)
        matches = self.matches(line)
        meta.labels = len(matches)
        head = None if matches else MEDIA_ROLE.match(line)
        if head:
            # 新京报记者 彭冲: a paper's reporter, the paper glued to the role.
            authors, rest = self.people(head.group("role"), line[head.end() :])
            meta.authors.extend(authors)
            line = rest if authors else line
        residue.append(line[: matches[0].start()] if matches else line)
        poster = residue[0].strip()
        if matches and self.field_of[matches[0].group("label")] == "author" and self.is_media_name(poster):
            meta.weak_source = poster  # 新华网黑龙江频道 记者 伊琳: the reporters' paper
            residue[0] = ""
        if matches and matches[0].group("label") in POSTED and POSTER.fullmatch(poster):
            meta.authors.append(Author(poster, "作者"))  # a forum's or blog's NAME 发表于 DATE
            residue[0] = ""
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
            value = line[match.end() : end].strip(" ()（）|丨:")
            label = match.group("label")
            if self.field_of[label] == "author" and not match.group("sep") and self.is_media_name(value.split()[0]):
                # 以下文章来源于X，作者X: an account signing as itself is no author.
                residue.append(" ".join(value.split()[1:]))
                continue
            residue.append(
                self.take(
                    meta,
                    self.field_of[label],
                    label,
                    value,
                    attached=line[match.end("label") : match.end("label") + 1].isalpha(),
                )
            )
        self.read_residue(meta, " ".join(residue))
        if PHOTO_CREDIT.search(line):
            # 新华社记者 张三 摄: a photograph's credit under it, not the article's byline.
            meta.labels += len(meta.authors)  # still a credit line, read and set aside
            meta.authors = []
            meta.residue = PHOTO_CREDIT.sub("", meta.residue).strip()
        return meta

    def take(self, meta: MetaLine, name: str, label: str, value: str, attached: bool = False) -> str:
        """Store one label's value; return what of it was not understood."""
        if name == "date":
            date = parse_date(value)
            if date:
                meta.dates.append((2, date))
            return DATE.sub(" ", value) if date else value
        if name in ("source", "publisher"):
            first = value.split()[0].strip("()（）,，。") if value.split() else ""
            if first and name == "source" and meta.source is None:
                meta.source = first
            elif first and name == "publisher":
                meta.weak_source = meta.weak_source or first
            return " ".join(value.split()[1:])
        if name == "editor":
            names, rest = self.names(value)
            meta.editors.extend(EDITOR_CODE.sub("", n) for n in names)
            return rest
        if name == "author":
            authors, rest = self.people(label, value, attached)
            meta.authors.extend(authors)
            return rest
        return ""  # other: counters, reviewers, index tables are set aside

    def names(self, value: str) -> tuple[list[str], str]:
        names: list[str] = []
        for token, rest in tokens_with_rest(value, r"[、,，;；\s/]+"):
            token = EDITOR_CODE.sub("", token)
            if not (PERSON.match(token) or re.fullmatch(r"[A-Za-z][A-Za-z .]{1,20}", token)):
                return names, rest
            names.append(token)
        return names, ""

    def people(self, role: str, value: str, attached: bool = False) -> tuple[list[Author], str]:
        """``本报记者 胡晓军 通讯员 钟华平``: role words switch the role; a
        role may carry its paper (农民日报·中国农网记者); an organisation may
        sign as 作者."""
        authors: list[Author] = []
        for token, rest in tokens_with_rest(value, r"[、,，;；\s/:|丨]+"):
            if FILED_FROM.fullmatch(token):
                return authors, rest
            glued = self.glued_role.match(token)
            if token in self.roles or (token.endswith(("记者", "通讯员")) and len(token) <= 16):
                role = token
            elif (
                glued and glued.group("role") in self.roles and plausible_name(glued.group("name"), glued.group("role"))
            ):
                role = glued.group("role")
                authors.append(Author(glued.group("name"), role))
            elif (
                PERSON.match(token)
                and token not in self.field_of
                and not glued  # a role glued to a word that is no name (图片精选, 记者调查)
                # A role written right before its first name (图片搜索): that name alone says.
                and (authors or not attached or plausible_name(token, role))
            ) or (role in ("作者", "撰稿") and not authors and self.is_media_name(token)):
                authors.append(Author(token, role))
            else:
                return authors, rest
        return authors, ""

    def read_residue(self, meta: MetaLine, text: str) -> None:
        """Dates and media names outside any label; a title before a date."""
        first_date = DATE.search(text)
        if first_date:
            before = text[: first_date.start()].strip()
            if len(HAN_CHAR.findall(before)) >= 6 and not self.is_media_name(before):
                meta.title_prefix = before
                text = text[first_date.start() :]
        for match in DATE.finditer(text):
            date = parse_date(match.group(0))
            if date:
                meta.dates.append((1, date))
        text = DATE.sub(" ", text)
        left = []
        tokens = text.split()
        # A print page (A12版, 第03版) dates a line as well as a date does.
        printed = any(PRINT_PAGE.fullmatch(token) for token in tokens)
        for token in tokens:
            furniture = self.lexicon.furniture_reason(token)
            if (
                furniture
                or re.fullmatch(r"[\W\d_]+", token)
                or token in "大中小"
                or PRINT_PAGE.fullmatch(token)
                or FILED_FROM.fullmatch(token)
            ):
                continue
            if self.is_media_name(token) and (meta.dates or printed):
                meta.weak_source = meta.weak_source or token
                continue
            left.append(token)
        meta.residue = " ".join(left)

    def is_media_name(self, token: str) -> bool:
        return 2 <= len(token) <= 16 and bool(HAN_CHAR.search(token)) and token.endswith(self.suffixes)


HAN_CHAR = re.compile(f"[{HAN}]")


# Where a reporter filed from, after the names: 山东冠县报道, 发自北京.
FILED_FROM = re.compile(rf"(?:发自)?[{HAN}]{{2,10}}报道|发自[{HAN}]{{2,8}}")


# A paper's name glued to the reporter's role (新京报记者, 新华日报·交汇点记者).
MEDIA_ROLE = re.compile(rf"^(?P<role>[{HAN}A-Za-z·]{{1,14}}(?:记者|通讯员))\s+")


PRINT_PAGE = re.compile(r"第?[A-Z]?\d{1,3}版")
