"""The slogan glossary: entries, their meanings as the text explains them,
their parts and relations, and every use, linked both ways."""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from .clean import HAN
from .gazetteer import make_matcher
from .model import Article, page_path
from .read import ReadError, load_settings_yaml
from .script import to_simplified, to_traditional
from .slogans import NUMERALS, find_named_groups, find_quoted_slogans, is_numbered, numeral_total
from .slug import bucket, clean_slug, deduplicate, make_slug

# The version of what the glossary finds in an article: bump it when that changes (the build state keeps what
# this stage made per version).
VERSION = 1

QUOTED_SPAN = re.compile(r"“([^“”]{1,40})”")
SENTENCE = re.compile(r"[^。！？]*[。！？]+[”’」]?|[^。！？]+$")
MAX_MEANING = 400


def sentences(paragraph: str) -> list[str]:
    return [s for s in SENTENCE.findall(paragraph) if s.strip()]


@dataclass(frozen=True, slots=True)
class Use:
    slug: str
    anchor: str
    context: str
    date: str | None
    title: str

    @property
    def page(self) -> str:
        return page_path(self.slug, self.date)


@dataclass
class Entry:
    slogan: str
    kind: str
    key: str = ""  # file name of its page
    meaning: str = ""
    meaning_source: tuple[str, str] | None = None  # (article slug, paragraph anchor)
    meaning_names_parts: bool = False  # the meaning lists what the slogan is made of
    parts: list[str] = field(default_factory=list)
    part_of: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    index_key: tuple[str, tuple[str, ...]] = ("", ())  # index letter and pinyin, for the glossary's order

    @cached_property
    def traditional(self) -> str:
        return to_traditional(self.slogan)

    @property
    def first_use(self) -> str | None:
        dates = [u.date for u in self.uses if u.date]
        return min(dates) if dates else None

    @property
    def path(self) -> str:
        return f"glossary/{bucket(self.key)}/{self.key}.html"

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(u.slug for u in self.uses))

    def to_json(self) -> dict[str, Any]:
        source = None
        if self.meaning_source:
            source = {"article": self.meaning_source[0], "paragraph": self.meaning_source[1]}
        return {
            "slogan": self.slogan,
            "traditional": self.traditional,
            "kind": self.kind,
            "meaning": self.meaning,
            "meaning_source": source,
            "parts": self.parts,
            "part_of": self.part_of,
            "related": self.related,
            "first_use": self.first_use,
            "uses": [{"article": u.slug, "paragraph": u.anchor, "context": u.context} for u in self.uses],
        }


# --- meanings -------------------------------------------------------------------

DIRECT = ("就是", "是指", "指的是", "分别是", "即")


THAT_IS = re.compile(r"[，,]\s*(?:也就是|即)\s*[：:，,]?(.+)")
DEFINING = re.compile(rf"^[{HAN}]{{0,6}}?\s*(?:[，,]\s*)?(?:也就是|就是|是指|指的是|分别是|即)\s*[：:，,]?(.+)")


def quoted_forms(slogan: str) -> tuple[str, ...]:
    return (f"“{slogan}”", f"「{slogan}」", f"‘{slogan}’")


def direct_explanation(sentence: str, slogan: str) -> str | None:
    """``“X”就是…``, ``“X”是指…``, ``“X”…，即：…``, ``“X”改革即…``, at any
    use of the name in the sentence."""
    for quoted in quoted_forms(slogan):
        at = sentence.find(quoted)
        while at >= 0:
            rest = sentence[at + len(quoted) :]
            defined = DEFINING.match(rest) or THAT_IS.search(rest)
            if defined and defined.group(1).strip():
                return defined.group(1).strip()
            at = sentence.find(quoted, at + 1)
    return None


PART_DEFINITION = re.compile(r"[“‘][^”’]{1,6}[”’](?:就是|是指|指)")


def part_explanations(paragraph_sentences: list[str], index: int, quoted: str) -> str | None:
    """``X的“1”就是…。“3”就是…。“5”就是…``: consecutive sentences explaining
    the numbered parts of X."""
    first = paragraph_sentences[index]
    marker = quoted + "的"
    at = first.find(marker)
    while at >= 0 and not PART_DEFINITION.match(first, at + len(marker)):
        at = first.find(marker, at + 1)
    if at < 0:
        return None
    found = [first[first.find(quoted) + len(quoted) + 1 :]]
    for sentence in paragraph_sentences[index + 1 :]:
        if PART_DEFINITION.match(sentence):
            found.append(sentence)
        else:
            break
    return "".join(found)


def name_parts(slogan: str) -> list[str]:
    """``一区四线`` -> ``一区``, ``四线``: a numbered name's own segments."""
    return re.findall(f"[{NUMERALS}][^{NUMERALS}]+", slogan) if not slogan[0].isdigit() else []


def following_enumeration(paragraph_sentences: list[str], index: int, slogan: str) -> str | None:
    """Sentences after the use that start with the name's parts: ``一区，…``,
    ``“四线”分别是…``."""
    parts = name_parts(slogan)
    if len(parts) < 2:
        return None
    found = []
    for sentence in paragraph_sentences[index + 1 :]:
        if any(re.match(rf"^[“‘]?{re.escape(part)}[”’]?", sentence) for part in parts):
            found.append(sentence)
        else:
            break
    return "".join(found) if found else None


ENUMERATION_TAIL = re.compile(rf"(?:等|的)[{HAN}]{{0,6}}$")
LEADING_VERB = re.compile(r"^(?:推行|开展|建立|实施|推进|构建|坚持|落实|创新|探索|形成|打造|推动|采取|建立了|推行了)")


def preceding_enumeration(sentence: str, quoted: str, slogan: str) -> str | None:
    """``A、B、C等“X”`` or ``A、B，C、D的“X”``: the items just before the use,
    as many as the name's numerals count when it has them."""
    position = sentence.find(quoted)
    before = sentence[:position]
    tail = ENUMERATION_TAIL.search(before)
    if tail is None:
        return None
    before = before[: tail.start()]
    expected = numeral_total(slogan) if is_numbered(slogan) else 0
    quoted_list = re.search(r"[“‘]([^“”‘’]+、[^“”‘’]+)[”’][^，,；;“”]{0,6}$", before)
    if quoted_list:
        # ``推行的“共建…、共推…、…”的“五共”``: the quoted list is the meaning.
        items = quoted_list.group(1).split("、")
        if (not expected or len(items) == expected) and len(items) >= 3:
            return quoted_list.group(1)
    clauses = re.split(r"[，,；;：:]", before)
    taken: list[str] = []
    items = 0
    while clauses:
        clause = clauses.pop()
        taken.insert(0, clause)
        inner = clause.strip("“”")
        items += len([i for i in re.split("[、]", inner) if i])
        if not expected or items >= expected:
            break
    text = "，".join(taken).strip()
    text = LEADING_VERB.sub("", text).strip("的")
    count = len([i for i in re.split("[、，,]", text.strip("“”")) if i])
    if (expected and count != expected) or count < 3:
        return None
    return text


LEAD_IN = re.compile(
    r"^[“‘「]?(?P<name>[^”’」]{1,24})[”’」]?(?:的[\u4e00-\u9fff]{0,4})?\s*[，,]?\s*(?:即|就是|是指|指的是|分别是|指)\s*[：:，,]?"
)
ITEM_SEPARATOR = re.compile(r"[、，,；;]")


def item_count(text: str) -> int:
    return len([item for item in ITEM_SEPARATOR.split(text) if item.strip()])


def without_lead_in(meaning: str, slogan: str) -> str:
    """``“X”即：A、B、C。`` -> ``A、B、C``."""
    lead = LEAD_IN.match(meaning.strip())
    if lead and lead.group("name") == slogan:
        meaning = meaning.strip()[lead.end() :]
    return meaning.strip().rstrip("。；;，,")


def trim_meaning(meaning: str, slogan: str) -> str:
    """The meaning alone: without a lead-in (``“X”即：``), and ending where
    the enumeration ends, not at the end of the sentence: the clauses that
    list with 、, or that start with a word of the name (三清一改: …，改变…),
    no more items than a numbered name counts."""
    meaning = without_lead_in(meaning, slogan)
    if slogan[0].isdigit():
        return meaning  # 1313: each digit counts a clause of its own; the sentence is the meaning
    expected = numeral_total(slogan) if is_numbered(slogan) else 0
    words = set(slogan) - set(NUMERALS)
    clauses = re.split(r"([，,；;])", meaning)
    taken = clauses[0]
    for index in range(2, len(clauses), 2):
        clause = clauses[index]
        lists = "、" in clause and "、" in taken
        names_a_part = clause[:1] in words and item_count(taken) < expected
        if not (lists or names_a_part):
            break
        taken += clauses[index - 1] + clause
    if expected >= 2 and item_count(taken) > expected:
        pieces = re.split(r"([、，,；;])", taken)
        taken = "".join(pieces[: 2 * expected - 1])
    return taken


def explain(entry: Entry, paragraphs: dict[str, list[str]]) -> None:
    """The first explanation the text gives, with where it was found: only
    the paragraphs that use the slogan are read."""
    quoted = f"“{entry.slogan}”"
    for use in entry.uses:
        paragraph = paragraphs[use.slug][int(use.anchor[1:]) - 1]
        found = sentences(paragraph)
        for index, sentence in enumerate(found):
            if entry.slogan not in sentence:
                continue
            parts_defined = part_explanations(found, index, quoted)
            defined = parts_defined or direct_explanation(sentence, entry.slogan)
            if parts_defined:
                meaning = parts_defined
            elif defined:
                meaning = trim_meaning(defined, entry.slogan)
            elif told_by_part := following_enumeration(found, index, entry.slogan):
                # Whole sentences, one per part (一区，…。“四线”…): each clause
                # of them is the meaning, not only the first.
                meaning = without_lead_in(told_by_part, entry.slogan)
            else:
                listed = preceding_enumeration(sentence, quoted, entry.slogan)
                meaning = trim_meaning(listed, entry.slogan) if listed else None
            if meaning:
                entry.meaning = meaning[:MAX_MEANING]
                entry.meaning_source = (use.slug, use.anchor)
                entry.meaning_names_parts = bool(defined)
                return


# --- building -------------------------------------------------------------------


def paragraph_anchors(article: Article) -> list[tuple[str, str]]:
    """(anchor, text) of each paragraph: ``p1``, ``p2`` ... in reading order."""
    return [(f"p{n}", text) for n, text in enumerate(article.paragraphs, start=1)]


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


@dataclass(frozen=True)
class GlossaryCuration:
    """Editors' glossary file: entries added, merged (aliases), hidden, explained."""

    added: dict[str, str] = field(default_factory=dict)  # slogan -> meaning ("" for none)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> slogan
    hidden: frozenset[str] = frozenset()

    def canonical(self, name: str) -> str:
        return self.aliases.get(name, name)


class GlossaryError(Exception):
    """A glossary file that cannot be used; the message names the problem."""


def parse_glossary_curation(data: object) -> GlossaryCuration:
    """``entries: [{slogan, meaning, aliases}]`` and ``hide: [slogans]``."""
    if data is None:
        return GlossaryCuration()
    if not isinstance(data, dict) or set(data) - {"entries", "hide"}:
        raise GlossaryError("expected a mapping with 'entries' and 'hide'")
    added: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for entry in data.get("entries") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("slogan"), str):
            raise GlossaryError(f"each entry needs a slogan, not {entry!r}")
        slogan = to_simplified(entry["slogan"])
        meaning = entry.get("meaning") or ""
        if not isinstance(meaning, str):
            raise GlossaryError(f"meaning of {slogan!r} must be text")
        added[slogan] = meaning.strip()
        for alias in entry.get("aliases") or []:
            if not isinstance(alias, str):
                raise GlossaryError(f"alias of {slogan!r} must be text, not {alias!r}")
            aliases[to_simplified(alias)] = slogan
    hidden = data.get("hide") or []
    if not isinstance(hidden, list) or not all(isinstance(h, str) for h in hidden):
        raise GlossaryError("'hide' must be a list of slogans")
    return GlossaryCuration(added, aliases, frozenset(to_simplified(h) for h in hidden))


def load_glossary_curation(text: str) -> GlossaryCuration:
    try:
        return parse_glossary_curation(load_settings_yaml(text, "YAML"))
    except ReadError as error:
        raise GlossaryError(str(error)) from None


@dataclass
class Glossary:
    entries: dict[str, Entry]
    by_article: dict[str, list[Entry]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.ordered():
            for slug in entry.articles:
                self.by_article.setdefault(slug, []).append(entry)

    def ordered(self) -> list[Entry]:
        return sorted(self.entries.values(), key=lambda e: (e.key, e.slogan))

    def for_article(self, slug: str) -> list[Entry]:
        return self.by_article.get(slug, [])

    def get(self, slogan: str) -> Entry | None:
        return self.entries.get(slogan)


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
        key = (entry.slogan, tuple((use.slug, use.anchor, keys[use.slug]) for use in entry.uses))
        entry.meaning, entry.meaning_source, entry.meaning_names_parts = remembered(
            memo, "meanings", key, partial(meaning_of, entry, paragraphs), used
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
