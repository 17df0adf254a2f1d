"""The slogan glossary: entries, their meanings as the text explains them,
their parts and relations, and every use, linked both ways."""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from archivist.model import Article
from archivist.site.curation import GlossaryCuration
from archivist.site.entries import Entry, Glossary, Use
from archivist.site.meanings import explain, sentences
from archivist.tag.gazetteer import make_matcher
from archivist.tag.slogans import find_named_groups, find_quoted_slogans, is_numbered
from archivist.text.slug import clean_slug, deduplicate, make_slug

# The version of what the glossary finds in an article: bump it when that changes (the build state keeps what
# this stage made per version).
VERSION = 2

QUOTED_SPAN = re.compile(r"“([^“”]{1,40})”")


def counts_unquoted(slogan: str) -> bool:
    """Bare digits (``135``) and two-character names are found only in quotes;
    ``135个乡镇`` is not a use of “135”."""
    return len(slogan) >= 3 and not re.fullmatch(r"[0-9+]+", slogan)


CONTEXT_REACH = 40  # characters shown either side of a slogan in its use


def context_of(paragraph: str, slogan: str) -> str:
    """The sentence that uses the slogan, cut to a window around it when
    long: a popular slogan's uses read as a concordance, not as copies of
    whole paragraphs."""
    sentence = next((s.strip() for s in sentences(paragraph) if slogan in s), paragraph)
    at = sentence.find(slogan)
    if at < 0 or len(sentence) <= 2 * CONTEXT_REACH + len(slogan):
        return sentence
    start, end = max(0, at - CONTEXT_REACH), min(len(sentence), at + len(slogan) + CONTEXT_REACH)
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")


def by_date(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.date is None, a.date or "", a.slug))


@dataclass(frozen=True)
class TextSlogans:
    """What one article's text says about slogans, whatever the rest of the
    archive says: kept between builds by the text."""

    quoted: tuple[tuple[str, str], ...]  # (name, kind) of each quoted slogan, in reading order
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # named groups and their parts
    together: tuple[tuple[str, ...], ...]  # per sentence quoting two or more names: the names


def text_key(paragraphs: list[str]) -> str:
    return hashlib.blake2b("\x00".join(paragraphs).encode(), digest_size=16).hexdigest()


def read_text_slogans(paragraphs: list[str]) -> TextSlogans:
    quoted, groups, together = [], [], []
    for paragraph in paragraphs:
        quoted += [(found.text, found.kind) for found in find_quoted_slogans(paragraph)]
        groups += [(name, tuple(parts)) for name, parts in find_named_groups(paragraph)]
        for sentence in sentences(paragraph):
            names = tuple(dict.fromkeys(QUOTED_SPAN.findall(sentence)))
            if len(names) > 1:
                together.append(names)
    return TextSlogans(tuple(quoted), tuple(groups), tuple(together))


def remembered(memo: dict, part: str, key: object, make: Callable[[], Any], used: dict) -> Any:
    """``make()``, or what it made for the same key in the last build; what
    this build used is all that is kept."""
    known = memo.get(part, {})
    value = known[key] if key in known else make()
    used.setdefault(part, {})[key] = value
    return value


def build_glossary(
    articles: list[Article], curation: GlossaryCuration | None = None, memo: dict | None = None
) -> Glossary:
    """The glossary of ``articles``.  With a ``memo`` (kept by the caller
    between builds), the per-article reading is done only for texts that
    changed, and each meaning is looked for again only when the paragraphs
    it is looked for in changed."""
    curation = curation or GlossaryCuration()
    memo = {} if memo is None else memo
    used: dict[str, dict] = {}
    ordered = by_date(articles)
    paragraphs = {article.slug: article.paragraphs for article in ordered}
    keys = {article.slug: text_key(paragraphs[article.slug]) for article in ordered}
    facts = {
        slug: remembered(memo, "texts", key, partial(read_text_slogans, paragraphs[slug]), used)
        for slug, key in keys.items()
    }
    entries: dict[str, Entry] = {}
    groups: dict[str, list[str]] = {}
    for article in ordered:
        found = facts[article.slug]
        for text, kind in found.quoted:
            name = curation.canonical(text)
            entries.setdefault(name, Entry(name, kind))
        for name, parts in found.groups:
            entries.setdefault(curation.canonical(name), Entry(curation.canonical(name), "numbered"))
            groups.setdefault(curation.canonical(name), [curation.canonical(p) for p in parts])
    for slogan in curation.added:
        entries.setdefault(slogan, Entry(slogan, "numbered" if is_numbered(slogan) else "curated"))
    for hidden in curation.hidden:
        entries.pop(hidden, None)
    for alias, slogan in curation.aliases.items():
        if slogan in entries:
            entries.pop(alias, None)
            entries[slogan].aliases.append(alias)
    collect_uses(entries, ordered, paragraphs, keys, memo, used)
    entries = {name: entry for name, entry in entries.items() if entry.uses or name in curation.added}
    for entry in entries.values():
        given = curation.added.get(entry.slogan)
        if given:
            entry.meaning = given
            continue
        # A meaning is found in the paragraphs that use the slogan, in order.
        read_from = (entry.slogan, tuple((use.slug, use.anchor, keys[use.slug]) for use in entry.uses))
        # Remembered by a digest: a common slogan's uses are thousands long.
        read_key = hashlib.blake2b(repr(read_from).encode(), digest_size=16).hexdigest()
        entry.meaning, entry.meaning_source, entry.meaning_names_parts = remembered(
            memo, "meanings", read_key, partial(meaning_of, entry, paragraphs), used
        )
    link_parts(entries, groups)
    link_related(entries, [facts[article.slug] for article in ordered])
    names = sorted(entries)
    # Pinyin is slow to look up: each name's slug and index key are kept between builds.
    slugs = [remembered(memo, "slugs", name, partial(entry_slug, name), used) for name in names]
    for name, key in zip(names, deduplicate(slugs), strict=True):
        entries[name].key = key
        entries[name].index_key = remembered(memo, "pinyin", name, partial(index_key, name), used)
    memo.clear()
    memo.update(used)
    return Glossary(entries)


def entry_slug(name: str) -> str:
    return clean_slug(make_slug(name, None)) or "entry"


def initial(slogan: str) -> str:
    """Index letter: the pinyin initial of the first character, ``#`` for digits."""
    from pypinyin import lazy_pinyin  # imported when needed (as in slug.py)

    first = lazy_pinyin(slogan[0])[0][:1].upper()
    return first if "A" <= first <= "Z" else "#"


def index_key(slogan: str) -> tuple[str, tuple[str, ...]]:
    from pypinyin import lazy_pinyin

    return initial(slogan), tuple(lazy_pinyin(slogan))


def meaning_of(entry: Entry, paragraphs: dict[str, list[str]]) -> tuple[str, tuple[str, str] | None, bool]:
    trial = Entry(entry.slogan, entry.kind, uses=entry.uses)
    explain(trial, paragraphs)
    return trial.meaning, trial.meaning_source, trial.meaning_names_parts


def collect_uses(
    entries: dict[str, Entry],
    articles: list[Article],
    paragraphs: dict[str, list[str]],
    keys: dict[str, str],
    memo: dict,
    used: dict,
) -> None:
    """Every paragraph that uses a slogan, quoted or, where that is safe,
    not.  Per text and set of names: an edit that names no new slogan reads
    only the edited text again."""
    forms = {form: entry.slogan for entry in entries.values() for form in (entry.slogan, *entry.aliases)}
    if not forms:
        return
    forms_key = hashlib.blake2b(repr(sorted(forms.items())).encode(), digest_size=16).hexdigest()
    matcher: list = []  # made only when some text is read again

    def read(slug: str) -> tuple[tuple[str, str, str], ...]:
        if not matcher:
            matcher.append(make_matcher(list(forms)))
        return tuple(text_uses(paragraphs[slug], matcher[0], forms))

    for article in articles:
        key = (keys[article.slug], forms_key)
        for anchor, slogan, context in remembered(memo, "uses", key, partial(read, article.slug), used):
            entries[slogan].uses.append(Use(article.slug, anchor, context, article.date, article.title))


def text_uses(paragraphs: list[str], matcher: Any, forms: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """(anchor, slogan, context sentence) of each slogan each paragraph uses."""
    for number, paragraph in enumerate(paragraphs, start=1):
        found: dict[str, str] = {}
        for end, form in matcher.iter(paragraph):
            start = end - len(form) + 1
            quoted = paragraph[start - 1 : start] in "“‘「" and paragraph[end + 1 : end + 2] in "”’」"
            if (start > 0 and end + 1 < len(paragraph) and quoted) or counts_unquoted(form):
                found.setdefault(forms[form], form)
        for slogan, form in found.items():
            yield sys.intern(f"p{number}"), slogan, context_of(paragraph, form)  # one string per anchor


def link_parts(entries: dict[str, Entry], groups: dict[str, list[str]]) -> None:
    """A slogan's parts are the slogans its meaning quotes, or the quoted run
    its unquoted name follows; each part links back.  Names inside a meaning
    are found with one automaton over all names (not by trying every name on
    every meaning)."""
    long_names = [other for other in entries if len(other) >= 3]
    matcher = make_matcher(long_names) if long_names else None
    position = {other: number for number, other in enumerate(entries)}
    for name, entry in entries.items():
        parts = list(groups.get(name, []))
        if entry.meaning_names_parts:
            parts += re.findall(r"[“‘]([^”’]{2,20})[”’]", entry.meaning)
            if matcher is not None:
                named = {other for _, other in matcher.iter(entry.meaning) if other != name}
                parts += sorted(named, key=position.__getitem__)
        entry.parts = [p for p in dict.fromkeys(parts) if p in entries and p != name]
    for name, entry in entries.items():
        for part in entry.parts:
            if name not in entries[part].part_of:
                entries[part].part_of.append(name)


def link_related(entries: dict[str, Entry], texts: list[TextSlogans]) -> None:
    """Slogans quoted in one sentence are related (parts aside), the most
    often quoted together first."""
    related: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for names in text.together:
            present = {name for name in names if name in entries}
            for name in present:
                related[name].update(present - {name})
    for name, entry in entries.items():
        family = set(entry.parts) | set(entry.part_of)
        together = related[name]
        entry.related = sorted(set(together) - family, key=lambda other: (-together[other], other))
