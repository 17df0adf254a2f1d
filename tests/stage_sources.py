"""Which source files each stage's ``VERSION`` answers for, and their digests
as last recorded (``stage_sources.json``).  The build state trusts a
stage's ``VERSION``: code that changes what a stage makes without a new
``VERSION`` would leave stale parts in every archive built before.  So
``test_state`` fails when a stage's sources change and its ``VERSION`` does
not.  After a change that cannot alter output (a comment, a rename), record
the new digests on purpose:  ``python -m tests.stage_sources``."""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = Path(__file__).with_name("stage_sources.json")

# stage module (holds VERSION) -> the files whose code it versions, relative to archivist/
STAGES: dict[str, tuple[str, ...]] = {
    "archivist.ingest.normalise": ("ingest/*.py", "text/*.py", "tag/*.py", "model.py"),
    "archivist.text.script": ("text/script.py",),
    "archivist.search.index": ("search/*.py",),
    "archivist.site.glossary": ("site/glossary.py", "site/entries.py", "site/meanings.py", "site/curation.py"),
    "archivist.site.taxonomy": ("site/taxonomy.py",),
    "archivist.site.pages": (
        "site/pages.py",
        "site/related.py",
        "site/reprints.py",
        "site/charts.py",
        "site/datafiles.py",
        "render/*.py",
    ),
    "archivist.site.reprints": ("site/reprints.py",),
    "archivist.site.maps": ("site/maps.py",),
    "archivist.output.feeds": ("output/feeds.py",),
    "archivist.output.exports": ("output/exports.py", "output/database.py", "site/datafiles.py"),
    "archivist.ingest.media": ("ingest/media.py", "output/images.py"),
}


def sources_digest(patterns: tuple[str, ...]) -> str:
    package = ROOT / "archivist"
    digest = hashlib.sha256()
    for path in sorted({p for pattern in patterns for p in package.glob(pattern)}):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def current() -> dict[str, dict[str, object]]:
    return {
        module: {"version": importlib.import_module(module).VERSION, "sources": sources_digest(patterns)}
        for module, patterns in STAGES.items()
    }


def recorded() -> dict[str, dict[str, object]]:
    return json.loads(RECORD.read_text(encoding="utf-8"))


if __name__ == "__main__":
    RECORD.write_text(json.dumps(current(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"recorded {RECORD.name}")
