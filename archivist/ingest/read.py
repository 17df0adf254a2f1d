"""Reading content files: bytes to text, and Markdown front matter."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from archivist.ingest.repair import commonness

PAGE_SUFFIXES = (".html", ".htm")
DECLARATION_WINDOW = 4096  # bytes in which a page declares its encoding
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
# Codecs that read what pages declaring these labels really hold: GBK and
# GB2312 pages carry GB18030's characters often enough to read them as it,
# Big5 pages Hong Kong's additions.
SUPERSETS = {"gbk": "gb18030", "big5": "big5hkscs", "iso8859-1": "cp1252", "ascii": "utf-8"}
SOURCE_SUFFIXES = (".txt", ".md", ".markdown", *PAGE_SUFFIXES)
MAX_FRONT_MATTER = 64 * 1024


class ReadError(Exception):
    """A content file that cannot become an article; the message names why.
    ``dropped``: the lines set aside before it was refused, and why (what
    ``inspect`` shows of a file that is all furniture)."""

    def __init__(self, message: str, dropped: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(message)
        self.dropped = dropped


@dataclass(frozen=True)
class RawArticle:
    path: str
    text: str
    encoding: str
    kind: str  # "txt" (scraped), "md" (written by an editor) or "html" (a saved web page)
    front_matter: dict[str, Any] = field(default_factory=dict)


BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20)])


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    return controls > len(sample) * 0.05


def by_byte_order_mark(data: bytes) -> tuple[str, str] | None:
    """The text and encoding a byte order mark says, or None without one."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise ReadError(f"invalid {encoding} after its byte order mark: {error.reason}") from None
    return None


UTF16_SAMPLE = 8192  # bytes in which the NULs of UTF-16's ASCII characters are counted


def by_utf16_pattern(data: bytes) -> tuple[str, str] | None:
    """The text of UTF-16 saved without a byte order mark, or None.  Its
    ASCII characters (line ends, digits, punctuation) put a NUL on one side
    of every pair; a CJK character only rarely puts one on the other (一 is
    00 4E).  Only a strict reading with no control characters counts, so a
    binary file stays binary."""
    sample = data[:UTF16_SAMPLE]
    if len(data) % 2 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(2, len(sample) // 400)  # NULs: one ASCII character in 200
    codec = (
        "utf-16-le" if odd >= enough and odd > 4 * even else "utf-16-be" if even >= enough and even > 4 * odd else None
    )
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    if any(ord(c) < 0x20 and c not in "\t\n\r\f" for c in text):
        return None
    # Bytes of another kind read as UTF-16 give code points from all over the table.
    head = text[:4000]
    ascii_characters = len(head) - len(non_ascii(head))
    if ascii_characters + commonness(head) < len(head) / 2:
        return None
    return text, codec


LEGACY = ("gb18030", "big5")


def line_by_line(data: bytes) -> tuple[str, str] | None:
    """A file that is UTF-8 in part and GB18030 or Big5 in the rest (a
    scrape appended to in another encoding): each line read in the encoding
    that reads it, the legacy lines all in the one that gives the most
    natural Chinese.  None unless some lines are UTF-8 with non-ASCII text
    and some are not UTF-8."""
    lines = data.split(b"\n")
    utf8: list[str | None] = []
    for line in lines:
        try:
            utf8.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            utf8.append(None)
    if not any(text is not None and not text.isascii() for text in utf8) or None not in utf8:
        return None
    legacy = b"\n".join(line for line, text in zip(lines, utf8, strict=True) if text is None)
    readings = [(commonness(text[:4000]), rank, name) for rank, name, text in decoded(legacy, list(LEGACY))]
    if not readings:
        return None
    _, _, encoding = max(readings, key=lambda reading: (reading[0], -reading[1]))
    codec = SUPERSETS.get(encoding, encoding)
    text = "\n".join(text if text is not None else line.decode(codec) for line, text in zip(lines, utf8, strict=True))
    return text, f"utf-8+{encoding}"


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was found in: a BOM wins, then UTF-16's
    pattern of NULs, then UTF-8, then whichever of GB18030, Big5 and a
    line-by-line reading (UTF-8 lines, the others GB18030 or Big5) reads as
    more natural Chinese."""
    marked = by_byte_order_mark(data) or by_utf16_pattern(data)
    if marked:
        return marked
    if looks_binary(data):
        raise ReadError("binary file (NUL or control bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings = []
    for encoding in LEGACY:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((commonness(text[:4000]), encoding, text))
    mixed = line_by_line(data)
    if mixed:
        readings.append((commonness(mixed[0][:4000]), mixed[1], mixed[0]))
    if not readings:
        raise ReadError("cannot decode: not UTF-8, UTF-16, GB18030 or Big5, nor line by line")
    _, encoding, text = max(readings)
    return text, encoding


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# libyaml's parser when PyYAML was built with it (ten times the pure-Python
# one's speed; the same documents and errors).
if TYPE_CHECKING:
    SafeLoader = yaml.SafeLoader  # the interface both loaders share
else:
    SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterLoader(SafeLoader):
    """YAML's safe loader, except that a value shaped like a date that is no
    date (``2024-13-45``) stays text, so the field that holds it can be
    named in the error instead of the parser failing on the whole file."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:  # the timestamp tag is on scalars only
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", FrontMatterLoader.construct_yaml_timestamp)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML between ``---`` lines at the top of a Markdown file."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        raise ReadError("front matter opened with --- is never closed")
    block = text[4:end]
    if len(block) > MAX_FRONT_MATTER:
        raise ReadError(f"front matter larger than {MAX_FRONT_MATTER // 1024} KB")
    try:
        check_shape(block)
        data = yaml.load(block, Loader=FrontMatterLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise ReadError(f"invalid front matter{where}: {getattr(error, 'problem', error)}") from None
    except (ValueError, RecursionError) as error:  # an integer of 5,000 digits, say
        raise ReadError(f"invalid front matter: {error}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ReadError("front matter must be a mapping of keys to values")
    check_encodable(data)
    body_start = text.find("\n", end + 4)
    body = "" if body_start < 0 else text[body_start + 1 :]
    return {str(key): value for key, value in data.items()}, body


MAX_FRONT_MATTER_DEPTH = 50


def check_shape(block: str, what: str = "front matter", first_line: int = 2) -> None:
    """Refuse aliases and deep nesting from the parser's events, before any
    value is built: a few hundred bytes of nested aliases ("billion laughs")
    stand for billions of values, and libyaml's composer recurses in C, so
    ``[[[[…`` thirty thousand deep crashed the process instead of failing.
    ``first_line``: the file's line number of the block's first line."""
    depth = 0
    for event in yaml.parse(block, Loader=FrontMatterLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line if event.start_mark else 0  # the parser marks every event
            raise ReadError(
                f"invalid {what} at line {line + first_line}: an alias (*{event.anchor}); "
                f"aliases are not allowed in {what}: write the value out"
            )
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_FRONT_MATTER_DEPTH:
                raise ReadError(f"{what} nested more than {MAX_FRONT_MATTER_DEPTH} levels deep")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def load_settings_yaml(text: str, what: str) -> Any:
    """A user's settings file (``furniture.yaml``, ``glossary.yaml``,
    ``initiatives.yaml``) as front matter is read: no aliases, no deep
    nesting, any failure a ReadError naming ``what``."""
    try:
        check_shape(text, what, first_line=1)
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ReadError(f"invalid {what}{where}: {getattr(error, 'problem', error)}") from None
    except (ValueError, RecursionError) as error:
        raise ReadError(f"invalid {what}: {error}") from None


MAX_FRONT_MATTER_VALUES = 100_000  # far beyond any article's; bounds the walk whatever the YAML


def check_encodable(value: Any) -> None:
    """YAML's ``\\ud800`` escapes can make lone surrogates, which no encoder
    (nor OpenCC) accepts: refuse them here, by name.  The walk is bounded in
    depth and in values visited, so no shape of front matter makes it long."""
    pending = [(value, 0)]
    visited = 0
    while pending:
        item, depth = pending.pop()
        visited += 1
        if visited > MAX_FRONT_MATTER_VALUES:
            raise ReadError(f"front matter holds more than {MAX_FRONT_MATTER_VALUES:,} values")
        if depth > MAX_FRONT_MATTER_DEPTH:
            raise ReadError(f"front matter nested more than {MAX_FRONT_MATTER_DEPTH} levels deep")
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ReadError("front matter holds a lone surrogate (an invalid \\u escape)") from None
        elif isinstance(item, dict):
            pending.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            pending.extend((part, depth + 1) for part in item)


def declared_encoding(data: bytes) -> str | None:
    """The encoding a page declares (``<meta charset>``, ``http-equiv``, an
    XML declaration), as Python's codec name; None if none or unknown."""
    head = data[:DECLARATION_WINDOW]
    match = XML_ENCODING.match(head) or CHARSET.search(head)
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    return "gbk" if name == "gb2312" else name


def decode_page(data: bytes) -> tuple[str, str]:
    """The page's text and the encoding it was read in: a BOM wins, then
    UTF-8; else of the declared encoding, GB18030 and Big5, the reading
    that gives the most natural Chinese (a declaration is often wrong on
    re-saved pages), the declared one on a tie."""
    marked = by_byte_order_mark(data) or by_utf16_pattern(data)
    if marked:
        return marked
    if looks_binary(data):
        raise ReadError("binary file (NUL or control bytes), not a web page")
    declared = declared_encoding(data)
    try:
        # Chinese text in GBK or Big5 bytes is as good as never valid UTF-8:
        # bytes that are valid UTF-8 are read as it, whatever the page says.
        return data.decode("utf-8"), declared if data.isascii() and declared else "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = [declared] if declared and declared != "utf-8" else []  # UTF-8 failed above
    candidates += [name for name in ("gb18030", "big5") if name != declared]
    readings = [
        # markup and Latin text tell no encoding apart
        (commonness(non_ascii(text)[:1000]), -rank, encoding, text)
        for rank, encoding, text in decoded(data, candidates)
    ]
    mixed = line_by_line(data)
    if mixed:
        readings.append((commonness(non_ascii(mixed[0])[:1000]), -len(candidates), mixed[1], mixed[0]))
    if not readings:
        return lenient_reading(data, candidates)
    _, _, encoding, text = max(readings)
    return text, encoding


def decoded(data: bytes, candidates: list[str], errors: str = "strict") -> Iterator[tuple[int, str, str]]:
    """(rank, encoding, text) for each candidate encoding that reads ``data``;
    GBK and Big5 are read as their supersets."""
    for rank, name in enumerate(candidates):
        codec = SUPERSETS.get(name, name)
        try:
            text = data.decode(codec, errors=errors)
        except (UnicodeDecodeError, LookupError):
            continue
        yield rank, "gb18030" if codec == "gb18030" else name, text


def non_ascii(text: str) -> str:
    return re.sub(r"[\x00-\x7f]+", "", text)


MAX_BAD_SHARE = 0.01  # of a page's non-ASCII characters, bytes that are no character


def lenient_reading(data: bytes, candidates: list[str]) -> tuple[str, str]:
    """A page with a few broken characters (a truncated GBK pair in a title
    cut by its CMS) is read as a browser reads it, each bad byte as U+FFFD,
    in the encoding that leaves the fewest."""
    readings = []
    for rank, encoding, text in decoded(data, candidates, errors="replace"):
        wide, bad = len(non_ascii(text)), text.count("\ufffd")
        if wide and bad <= wide * MAX_BAD_SHARE:
            readings.append((-bad, -rank, encoding, text))
    if not readings:
        raise ReadError("cannot decode the page: not its declared encoding, UTF-8, GB18030 or Big5")
    _, _, encoding, text = max(readings)
    return text, encoding


def read_bytes(path: str, data: bytes) -> RawArticle:
    if not data.strip():
        raise ReadError("empty file")
    if path.lower().endswith(PAGE_SUFFIXES):
        text, encoding = decode_page(data)
        return RawArticle(path=path, text=text, encoding=encoding, kind="html")
    text, encoding = decode(data)
    text = normalise_newlines(text).lstrip("\ufeff")
    if not text.strip():
        raise ReadError("empty file")
    kind = "md" if path.endswith((".md", ".markdown")) else "txt"
    front_matter: dict[str, Any] = {}
    if kind == "md":
        front_matter, text = split_front_matter(text)
    return RawArticle(path=path, text=text, encoding=encoding, kind=kind, front_matter=front_matter)
