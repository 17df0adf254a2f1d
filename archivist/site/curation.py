"""The editors' glossary file: entries added, merged (aliases), hidden, explained."""

from __future__ import annotations

from dataclasses import dataclass, field

from archivist.ingest.read import ReadError, load_settings_yaml
from archivist.text.script import to_simplified


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
