"""Editors' curation files beside the articles: initiatives, glossary, and
the furniture lexicon of the sites they scrape."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archivist.ingest.inputs import DEFAULT_MAX_INPUT_BYTES, InputError, printable_path, read_input
from archivist.ingest.read import ReadError, load_settings_yaml
from archivist.model import Failure
from archivist.site.curation import GlossaryCuration, GlossaryError, load_glossary_curation
from archivist.tag.tag import Curation, CurationError, parse_curation
from archivist.text.lexicon import USER_FILE, Lexicon, LexiconError, load_lexicon, package_lexicon

INITIATIVES_FILE = "initiatives.yaml"
GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Editorial:
    initiatives: Curation = field(default_factory=Curation)
    glossary: GlossaryCuration = field(default_factory=GlossaryCuration)
    lexicon: Lexicon = field(default_factory=package_lexicon)  # furniture and labels, with the user's own


def load_editorial(content_dir: Path, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> tuple[Editorial, list[Failure]]:
    """The curation files if present; a broken one is reported by name and
    not used.  Each is read as the articles are: a regular file inside the
    content folder (never through a link out of it, never a FIFO or a
    device), at most ``max_bytes`` long."""
    failures = []
    initiatives, glossary = Curation(), GlossaryCuration()
    path = content_dir / INITIATIVES_FILE
    if os.path.lexists(path):
        try:
            text = read_input(path, content_dir, max_bytes).decode("utf-8")
            initiatives = parse_curation(load_settings_yaml(text, "YAML"))
        except (InputError, UnicodeDecodeError, ReadError, CurationError) as error:
            failures.append(Failure(printable_path(path), f"initiatives file not used: {error}"))
    path = content_dir / GLOSSARY_FILE
    if os.path.lexists(path):
        try:
            glossary = load_glossary_curation(read_input(path, content_dir, max_bytes).decode("utf-8"))
        except (InputError, UnicodeDecodeError, ReadError, GlossaryError) as error:
            failures.append(Failure(printable_path(path), f"glossary file not used: {error}"))
    lexicon = package_lexicon()
    path = content_dir / USER_FILE
    try:
        lexicon = load_lexicon(content_dir, max_bytes)
    except LexiconError as error:
        failures.append(Failure(printable_path(path), f"furniture file not used: {error}"))
    return Editorial(initiatives, glossary, lexicon), failures
