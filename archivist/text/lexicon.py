"""The lexicon of site furniture and metadata labels: data, not code.

The package's own ``lexicon.yaml`` is merged with a user's
``content/furniture.yaml`` (same keys, plus ``keep``), so a new site is taught
without writing Python.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

from archivist.ingest.inputs import DEFAULT_MAX_INPUT_BYTES, InputError, read_input
from archivist.ingest.read import ReadError, load_settings_yaml
from archivist.resources import package_data
from archivist.text.script import to_simplified, to_simplified_lines

PACKAGE_LEXICON = package_data("text/lexicon.yaml")
USER_FILE = "furniture.yaml"
FIELDS = ("source", "publisher", "editor", "author", "date", "other")


class LexiconError(Exception):
    """A furniture file that cannot be used; the message says where."""


class PatternTimeout(Exception):
    """A user's pattern that took too long on one line; the message names
    the file, the pattern and the line's length."""


USER_PATTERN_TIMEOUT = 0.5  # CPU seconds per line: a sane pattern takes microseconds


@dataclass(frozen=True)
class UserPattern:
    """A pattern from a user's ``furniture.yaml``, matched by the ``regex``
    module with a time limit: ``re`` has none, and a pattern such as
    ``^(a|a)+$`` backtracks for longer than the universe's age on a line of
    forty letters."""

    pattern: str
    where: str
    compiled: Any = field(repr=False, compare=False)

    def search(self, text: str) -> Any:
        try:
            return self.compiled.search(text, timeout=USER_PATTERN_TIMEOUT)
        except TimeoutError:
            raise self.timed_out(text) from None

    def sub(self, replacement: str, text: str) -> str:
        try:
            return self.compiled.sub(replacement, text, timeout=USER_PATTERN_TIMEOUT)
        except TimeoutError:
            raise self.timed_out(text) from None

    def timed_out(self, text: str) -> PatternTimeout:
        return PatternTimeout(
            f"{self.where}: pattern {self.pattern!r} took more than {USER_PATTERN_TIMEOUT:g} s on a line of "
            f"{len(text)} characters (nested repeats such as (a+)+ backtrack without end); simplify the pattern"
        )


# Full-width separators, brackets, digits and Latin letters read as ASCII;
# other punctuation (，－、) stays as written, since it ends up in values.
ASCII_FORMS = {
    **{ord(c): c2 for c, c2 in zip("：｜（）［］！？；", ":|()[]!?;", strict=True)},
    **{code: chr(code - 0xFEE0) for code in range(0xFF10, 0xFF1A)},
    **{code: chr(code - 0xFEE0) for code in range(0xFF21, 0xFF3B)},
    **{code: chr(code - 0xFEE0) for code in range(0xFF41, 0xFF5B)},
    0x3000: " ",
    0x00A0: " ",
}


def fold_line(line: str) -> str:
    """The form every lexicon entry is matched against: Simplified, with
    full-width separators, brackets, digits and letters as ASCII, trimmed."""
    return to_simplified(line.translate(ASCII_FORMS)).strip()


def fold_lines(lines: list[str]) -> list[str]:
    """``fold_line`` of each line, converted in one OpenCC call."""
    return [line.strip() for line in to_simplified_lines([line.translate(ASCII_FORMS) for line in lines])]


SPACES = re.compile(r"\s+")
NON_WORDS = re.compile(r"[\W_]+")


def squeeze(line: str) -> str:
    return SPACES.sub("", line)


Matcher = re.Pattern[str] | UserPattern  # the package's own patterns are trusted: plain ``re``


@dataclass(frozen=True, eq=False)  # hashed by identity: readers built from it are cached per lexicon
class Lexicon:
    lines: frozenset[str] = frozenset()  # whole furniture lines, spaces removed
    patterns: tuple[Matcher, ...] = ()
    list_headings: frozenset[str] = frozenset()
    keep: tuple[Matcher, ...] = ()  # lines never to drop, whatever they look like
    inline: tuple[Matcher, ...] = ()  # furniture sharing a line with metadata
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_suffixes: tuple[str, ...] = ()

    def furniture_reason(self, folded: str) -> str | None:
        """Why a folded line is furniture by the lexicon, or None."""
        if self.kept(folded):
            return None
        bare = squeeze(folded).strip("[]【】()（）|·•:：.…")
        if bare in self.lines:
            return f"lexicon line {bare!r}"
        if len(folded) <= 40 and not NON_WORDS.sub("", self.without_inline(folded)):
            return "lexicon: only furniture phrases"
        unbracketed = folded.strip("[]【】()（） ")
        for pattern in self.patterns:
            if pattern.search(folded) or pattern.search(unbracketed):
                return f"lexicon pattern {pattern.pattern!r}"
        return None

    def without_inline(self, folded: str) -> str:
        for pattern in self.inline:
            folded = pattern.sub(" ", folded)
        return folded

    def is_list_heading(self, folded: str) -> bool:
        return squeeze(folded).strip("[]【】()（）:：|") in self.list_headings

    def kept(self, folded: str) -> bool:
        return any(p.search(folded) for p in self.keep)


def compile_patterns(items: list[Any], where: str, untrusted: bool = False) -> tuple[Matcher, ...]:
    """Patterns as written (``untrusted``: a user's, matched with a time limit)."""
    compiled: list[Matcher] = []
    for item in items:
        if not isinstance(item, str):
            raise LexiconError(f"{where}: each pattern must be text, not {item!r}")
        # Only the script is folded: a pattern is written for the line as
        # matched (full-width punctuation already read as ASCII).
        source = to_simplified(item)
        try:
            if untrusted:
                compiled.append(UserPattern(source, where, regex.compile(source)))
            else:
                compiled.append(re.compile(source))
        except (re.error, regex.error) as error:
            raise LexiconError(f"{where}: pattern {item!r}: {error}") from None
    return tuple(compiled)


def text_list(data: dict[str, Any], key: str, where: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LexiconError(f"{where}: '{key}' must be a list of text")
    return value


def parse_lexicon(data: Any, where: str, base: Lexicon | None = None) -> Lexicon:
    """A lexicon from YAML data, added to ``base`` when given (a user's file
    on the package's: its patterns are matched with a time limit)."""
    untrusted = base is not None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise LexiconError(f"{where}: must be a mapping with furniture, labels or keep")
    known = {"furniture", "labels", "keep", "lines", "patterns", "list_headings", "inline"}
    unknown = set(data) - known
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {sorted(unknown)}; expected {sorted(known)}")
    furniture = data.get("furniture") or {}
    if not isinstance(furniture, dict):
        raise LexiconError(f"{where}: 'furniture' must be a mapping")
    # A user's file may give lines, patterns and list_headings at the top level.
    merged = {
        key: text_list(furniture, key, where) + text_list(data, key, where)
        for key in ("lines", "patterns", "list_headings", "inline")
    }
    labels_data = data.get("labels") or {}
    if not isinstance(labels_data, dict):
        raise LexiconError(f"{where}: 'labels' must be a mapping of field to a list of labels")
    unknown_fields = set(labels_data) - {*FIELDS, "source_suffixes"}
    if unknown_fields:
        raise LexiconError(f"{where}: unknown label field(s) {sorted(unknown_fields)}; expected {list(FIELDS)}")
    base = base or Lexicon()
    labels = dict(base.labels)
    for name in FIELDS:
        extra = tuple(fold_line(label) for label in text_list(labels_data, name, where))
        labels[name] = tuple(dict.fromkeys(labels.get(name, ()) + extra))
    return Lexicon(
        lines=base.lines | {squeeze(fold_line(line)) for line in merged["lines"]},
        patterns=base.patterns + compile_patterns(merged["patterns"], where, untrusted),
        list_headings=base.list_headings | {squeeze(fold_line(h)) for h in merged["list_headings"]},
        keep=base.keep + compile_patterns(text_list(data, "keep", where), where, untrusted),
        inline=base.inline + compile_patterns(merged["inline"], where, untrusted),
        labels=labels,
        source_suffixes=tuple(
            dict.fromkeys(base.source_suffixes + tuple(text_list(labels_data, "source_suffixes", where)))
        ),
    )


@cache
def package_lexicon() -> Lexicon:
    return parse_lexicon(yaml.safe_load(PACKAGE_LEXICON.read_text(encoding="utf-8")), str(PACKAGE_LEXICON))


def load_lexicon(content_dir: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> Lexicon:
    """The package lexicon with the user's ``furniture.yaml`` on top (read
    as an article is: inside the content folder, a regular file, bounded)."""
    path = content_dir / USER_FILE
    if not os.path.lexists(path):
        return package_lexicon()
    try:
        data = load_settings_yaml(read_input(path, content_dir, max_bytes).decode("utf-8"), "YAML")
    except (InputError, ReadError) as error:
        raise LexiconError(str(error)) from None
    except UnicodeDecodeError as error:
        raise LexiconError(f"cannot read: {error}") from None
    return parse_lexicon(data, USER_FILE, package_lexicon())
