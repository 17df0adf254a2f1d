"""Stable, readable, ASCII slugs: the date and the pinyin of a title's first words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from archivist.text.clean import HAN_CHAR

MAX_SYLLABLES = 6
MAX_LENGTH = 60
# Names Windows will not create, whatever the extension.
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def bucket(name: str) -> str:
    """One of 256 folders for ``name`` (FNV-1a of its bytes, low byte, in
    hex): a site with hundreds of thousands of entries keeps every folder
    far under hosts' per-folder limits, and a name's folder never moves.
    ``static/shards.js`` computes the same for shard names."""
    value = 0x811C9DC5
    for byte in name.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{value & 0xFF:02x}"


def ascii_words(text: str, max_syllables: int = MAX_SYLLABLES) -> list[str]:
    """Pinyin for the first ``max_syllables`` Han characters, Latin words as
    they are, lower-cased."""
    from pypinyin import lazy_pinyin  # imported when needed: a build that reads nothing new never loads it

    words: list[str] = []
    han_seen = 0
    for piece in re.findall(rf"{HAN_CHAR.pattern}+|[A-Za-z0-9]+", text):
        if HAN_CHAR.match(piece):
            room = max_syllables - han_seen
            if room <= 0:
                continue
            syllables = lazy_pinyin(piece[:room])
            han_seen += len(syllables)
            words.append("".join(syllables))
        else:
            words.append(piece)
    return [unicodedata.normalize("NFKD", w).encode("ascii", "ignore").decode().lower() for w in words]


def clean_slug(value: str) -> str:
    """Any string made safe as one path segment: ``[a-z0-9-]`` only, so no
    ``..``, separator, drive or reserved device name can get through."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    value = re.sub(r"[^a-z0-9]+", "-", value).strip("-")[:MAX_LENGTH].strip("-")
    if value in RESERVED:
        value = f"{value}-page"
    return value


@cache
def make_slug(title: str, date: str | None, max_syllables: int = MAX_SYLLABLES) -> str:
    words = "-".join(word for word in ascii_words(title, max_syllables) if word)
    prefix = date[:10] if date else ""
    slug = clean_slug(f"{prefix}-{words}" if prefix else words)
    return slug or "article"


def deduplicate(slugs: Iterable[str]) -> list[str]:
    """Append -2, -3 ... to repeats, in the order given (callers sort by path,
    so the result is the same on every build)."""
    seen: dict[str, int] = {}
    taken = set()
    out = []
    for slug in slugs:
        candidate = slug
        while candidate in taken:
            seen[slug] = seen.get(slug, 1) + 1
            candidate = f"{slug}-{seen[slug]}"
        taken.add(candidate)
        out.append(candidate)
    return out
