"""Editors' curation files beside the articles: initiatives, glossary, and
the furniture lexicon of the sites they scrape."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .glossary import GlossaryCuration, GlossaryError, load_glossary_curation
from .lexicon import USER_FILE, Lexicon, LexiconError, load_lexicon, package_lexicon
from .model import Failure
from .tag import Curation, CurationError, parse_curation

INITIATIVES_FILE = "initiatives.yaml"
GLOSSARY_FILE = "glossary.yaml"


@dataclass(frozen=True)
class Editorial:
    initiatives: Curation = field(default_factory=Curation)
    glossary: GlossaryCuration = field(default_factory=GlossaryCuration)
    lexicon: Lexicon = field(default_factory=package_lexicon)  # furniture and labels, with the user's own


def load_editorial(content_dir: Path) -> tuple[Editorial, list[Failure]]:
    """Both files if present; a broken one is reported by name and not used."""
    failures = []
    initiatives, glossary = Curation(), GlossaryCuration()
    path = content_dir / INITIATIVES_FILE
    if path.exists():
        try:
            initiatives = parse_curation(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, CurationError) as error:
            failures.append(Failure(str(path), f"initiatives file not used: {error}"))
    path = content_dir / GLOSSARY_FILE
    if path.exists():
        try:
            glossary = load_glossary_curation(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, GlossaryError) as error:
            failures.append(Failure(str(path), f"glossary file not used: {error}"))
    lexicon = package_lexicon()
    path = content_dir / USER_FILE
    try:
        lexicon = load_lexicon(content_dir)
    except LexiconError as error:
        failures.append(Failure(str(path), f"furniture file not used: {error}"))
    return Editorial(initiatives, glossary, lexicon), failures
