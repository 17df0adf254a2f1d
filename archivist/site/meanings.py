"""A slogan's meaning as the text explains it: a defining sentence (是指, 就是, 即),
the parts it names defined one by one, or an enumeration before or after it,
trimmed to the explanation."""

from __future__ import annotations

import re

from archivist.site.entries import Entry
from archivist.tag.slogans import NUMERALS, is_numbered, numeral_total
from archivist.text.clean import HAN

SENTENCE = re.compile(r"[^。！？]*[。！？]+[”’」]?|[^。！？]+$")


MAX_MEANING = 400


def sentences(paragraph: str) -> list[str]:
    return [s for s in SENTENCE.findall(paragraph) if s.strip()]


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
            meaning: str | None
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
