"""An agency's dateline (新华社北京3月5日电) opening the first paragraph, and the
signature closing the last one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from archivist.model import Author
from archivist.text.clean import HAN
from archivist.text.metalines import MetaReader, plausible_name

DATELINE = re.compile(
    rf"^(?P<head>(?:[【\[]?[{HAN}A-Za-z]{{2,12}}讯[】\]]?\s*)?"
    rf"(?:[{HAN}A-Za-z]{{2,12}}?(?:\d{{1,2}}月\d{{1,2}}日)?(?:电|讯|报道)))"
    rf"\s*(?:[(（](?P<people>[^()（）]{{2,40}})[)）])?\s*[:：]?"
)


AGENCY_REPORT = re.compile(
    rf"^[【\[]?(?:(?P<agency>[{HAN}]{{2,8}}?)讯[】\]]?)?\s*"
    rf"(?P<people>(?:本报记者|本台记者|记者|通讯员|特约记者)\s*[{HAN}·]{{2,4}}?)\s*(?P<city>[{HAN}]{{2}})报道[】\]]?[:：]?"
)


AGENCY = re.compile(
    rf"^(?P<agency>新华社|中新社|中新网|[{HAN}]{{1,6}}?(?:网|社|台))(?P<city>[{HAN}]{{2,5}}?)(?:\d{{1,2}}月\d{{1,2}}日)?电"
)


@dataclass(frozen=True)
class Dateline:
    text: str  # the prefix of the first paragraph, filing city included
    agency: str | None
    authors: tuple[Author, ...]


def read_dateline(paragraph: str, reader: MetaReader) -> Dateline | None:
    """``新华社兰州11月3日电（记者张三）``, ``本报讯（记者X 通讯员Y）``,
    ``【大公报讯】记者林若晴福州报道：``: who filed it, from where."""
    report = AGENCY_REPORT.match(paragraph)
    if report:
        reporters, _ = reader.people("记者", report.group("people"))
        return Dateline(report.group(0), report.group("agency"), tuple(reporters))
    match = DATELINE.match(paragraph)
    if not match or len(match.group(0)) > 60:
        return None
    head = match.group("head")
    if not re.search(r"(?:电|讯)$", head) and "报道" not in head:
        return None
    agency = AGENCY.match(head.removeprefix("据"))  # 据新华社拉萨电: as the agency reports
    authors: list[Author] = []
    if match.group("people"):
        authors, _ = reader.people("记者", match.group("people"))
    return Dateline(match.group(0), agency.group("agency") if agency else None, tuple(authors))


# The reporters signed in brackets at the article's end: ……新春佳节。（常书香 马丹阳）
SIGNATURE = re.compile(
    rf"[。！？”\s][(（]\s*(?P<names>[{HAN}·]{{2,4}}(?:[\s、，,]+[{HAN}·]{{2,4}}){{0,4}})\s*[)）]\s*$"
)


CLOSER = re.compile(r"完|续|待|摘|转|编|译|注")  # （全文完）（未完待续）（摘编）: no names


def read_signature(paragraph: str) -> list[Author]:
    """Names signed at the end of the last paragraph, each with a common
    surname (so that a closing remark in brackets is not read as names)."""
    match = SIGNATURE.search(paragraph)
    if not match:
        return []
    names = [name for name in re.split(r"[\s、，,]+", match.group("names")) if name]
    if not all(plausible_name(name, "记者") and not CLOSER.search(name) for name in names):
        return []
    return [Author(name, "作者") for name in names]
