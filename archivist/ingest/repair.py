"""Repair of GBK text that a pinyin-annotating mirror knocked out of step.

The mirror stored pages in GBK and inserted ``(pinyin)`` notes byte by byte,
sometimes between the two bytes of one character.  The scraper then decoded the
stream as GBK: the lead byte before the inserted ``(`` became ``?`` (eating the
``(``), and decoding ran one byte out of step, showing wrong rare characters,
until an ASCII byte brought it back in step.  Separately, a full-width ``！``
(bytes A3 A1) seen out of step had been rewritten as ``!``.

We undo this by re-encoding the garbled run as GBK, putting the lost lead byte
back in front and decoding in step again.  The lost byte itself can often be
found: the note that follows ``?`` is the reading of the character the mirror saw
out of step, i.e. the byte before the hole plus the hole.  Anything we cannot
recover becomes ``□`` and is counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from archivist.text.script import to_simplified

PLACEHOLDER = "□"

PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùüǖǘǚǜńňǹḿê"
# A note whose opening parenthesis was eaten together with the lost lead byte.
NOTE_TAIL = re.compile(rf"([{PINYIN_LETTERS}]{{1,7}})\)")
# Code page 936 gives the euro sign one byte, and GB18030-2000 mapped two GBK
# code points to the Private Use Area; the scraper's decoder did both.
LEGACY_PUA = {"\ue7c7": b"\xa8\xbc", "\ue7c8": b"\xa8\xbf", "€": b"\x80"}
FULLWIDTH_BANG = b"\xa3\xa1"
MAX_CANDIDATES = 4


@dataclass(frozen=True)
class RepairResult:
    text: str
    recovered: int  # characters decoded again after realignment
    lost: int  # characters replaced by the placeholder


def gbk_bytes(char: str) -> bytes | None:
    """The bytes a GBK decoder turned into ``char``, or None if none could."""
    if char in LEGACY_PUA:
        return LEGACY_PUA[char]
    try:
        encoded = char.encode("gb18030")
    except UnicodeEncodeError:
        return None
    return encoded if len(encoded) <= 2 else None


def decode_pair(lead: int, trail: int) -> str | None:
    try:
        char = bytes((lead, trail)).decode("gb18030")
    except UnicodeDecodeError:
        return None
    if len(char) != 1 or "\ue000" <= char <= "\uf8ff":
        return None
    return char


@lru_cache(maxsize=4096)
def is_standard(char: str) -> bool:
    """In GB2312 or Big5: the characters real news text is written in.  A
    realigned character outside both is more likely still garbage."""
    for codec in ("gb2312", "big5"):
        try:
            char.encode(codec)
            return True
        except UnicodeEncodeError:
            continue
    return False


@lru_cache(maxsize=4096)
def readings(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin  # imported when needed: a build that reads nothing new never loads it

    return frozenset(pinyin(char, style=Style.TONE, heteronym=True)[0])


@lru_cache(maxsize=16384)  # a text holds a few thousand distinct characters, each many times
def is_common(char: str) -> bool:
    """A rough test of a natural character: its Simplified form is a level-1
    GB2312 hanzi or CJK punctuation.  Garbled runs are mostly rare characters."""
    if char == PLACEHOLDER:
        return False
    try:
        encoded = to_simplified(char).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and (0xB0 <= encoded[0] <= 0xD7 or encoded[0] in (0xA1, 0xA3))


def commonness(text: str) -> int:
    return sum(is_common(c) for c in text)


def hole_candidates(before: int | None, after: int | None, note: str) -> list[int]:
    """Bytes that, read out of step after ``before``, give a character with
    the reading ``note`` and, read in step before ``after``, a valid one."""
    if before is None or before < 0x40:
        return []
    fits = []
    for byte in range(0x81, 0xFF):
        seen = decode_pair(before, byte)
        if seen is None or note not in readings(seen):
            continue
        if after is not None and decode_pair(byte, after) is None:
            continue
        fits.append(byte)
    return fits


def decode_in_step(stream: list[int | None]) -> tuple[str, int, int]:
    out, recovered, lost = [], 0, 0
    i = 0
    while i < len(stream):
        byte = stream[i]
        if byte is not None and byte < 0x80:
            out.append(chr(byte))
            i += 1
            continue
        trail = stream[i + 1] if i + 1 < len(stream) else None
        char = decode_pair(byte, trail) if byte is not None and trail is not None else None
        if char is None or not is_standard(char):
            out.append(PLACEHOLDER)
            lost += 1
        else:
            out.append(char)
            recovered += 1
        i += 2
    return "".join(out), recovered, lost


def best_reading(stream: list[int | None], holes: list[int], choices: list[list[int | None]]) -> tuple[str, int, int]:
    """Fill the holes with the most natural combination; a tie stays lost."""
    scored = []
    for combo in product(*choices):
        filled = list(stream)
        for hole, byte in zip(holes, combo, strict=True):
            filled[hole] = byte
        reading = decode_in_step(filled)
        scored.append((commonness(reading[0]) - reading[2], reading))
    scored.sort(key=lambda item: item[0], reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0] and scored[0][1][0] != scored[1][1][0]:
        return decode_in_step(stream)
    return scored[0][1]


def parse_span(text: str, start: int) -> tuple[int, list[int | None], list[tuple[int, str]]] | None:
    """Read a garbled span starting at the ``?`` at ``start``.

    Returns the end index, the byte stream with ``None`` for lost bytes, and the
    notes as (hole position, reading)."""
    stream: list[int | None] = []
    notes: list[tuple[int, str]] = []
    pos = start
    while pos < len(text) and text[pos] == "?":
        hole = len(stream)
        stream.append(None)
        pos += 1
        note = NOTE_TAIL.match(text, pos)
        if note:
            notes.append((hole, note.group(1)))
            pos = note.end()
        elif text.startswith("!", pos):
            stream.extend(FULLWIDTH_BANG)
            pos += 1
        while pos < len(text) and not text[pos].isascii():
            encoded = gbk_bytes(text[pos])
            if encoded is None:
                return None
            stream.extend(encoded)
            pos += 1
        if pos < len(text) and text[pos] != "?" and text[pos] not in "\r\n":
            # The ASCII byte that brought decoding back in step was a trail byte.
            stream.append(ord(text[pos]))
            pos += 1
            break
    if len(stream) < 2:
        return None
    return pos, stream, notes


NOTE_BEFORE = re.compile(rf"\(([{PINYIN_LETTERS}]{{1,7}})\)$")


def byte_before(text: str, start: int) -> int | None:
    """The last GBK byte the mirror saw before the hole at ``start``; a note it
    had already inserted there is skipped, as the mirror skipped it."""
    head = text[max(0, start - 10) : start]
    note = NOTE_BEFORE.search(head)
    if note:
        start -= len(note.group(0))
    if start == 0:
        return None
    encoded = gbk_bytes(text[start - 1])
    return encoded[-1] if encoded else None


def repair_span(text: str, start: int) -> tuple[int, str, int, int] | None:
    parsed = parse_span(text, start)
    if parsed is None:
        return None
    end, stream, notes = parsed
    before_span = byte_before(text, start)
    choices: list[list[int | None]] = []
    for hole, note in notes:
        before = stream[hole - 1] if hole > 0 else before_span
        after = stream[hole + 1] if hole + 1 < len(stream) else None
        candidates: list[int | None] = [*hole_candidates(before, after, note)[:MAX_CANDIDATES]]
        choices.append(candidates or [None])
    fixed, recovered, lost = best_reading(stream, [hole for hole, _ in notes], choices)
    if not recovered or "\ufffd" in fixed or commonness(fixed) <= commonness(text[start:end]):
        return None
    return end, fixed, recovered, lost


def repair_garbled(text: str) -> RepairResult:
    """Recover GBK spans knocked out of step; leave genuine question marks."""
    out: list[str] = []
    recovered = lost = 0
    pos = 0
    while True:
        mark = text.find("?", pos)
        if mark < 0:
            out.append(text[pos:])
            break
        repaired = repair_span(text, mark) if mark > 0 else None
        if repaired is None:
            out.append(text[pos : mark + 1])
            pos = mark + 1
            continue
        end, fixed, got, missed = repaired
        out.append(text[pos:mark])
        out.append(fixed)
        recovered += got
        lost += missed
        pos = end
    return RepairResult("".join(out), recovered, lost)
