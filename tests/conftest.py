from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archivist.model import Article
from archivist.pipeline import normalise_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "content").glob("0*.txt"))


def run_cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def inspect_json(*paths: Path) -> list[dict]:
    result = run_cli("inspect", *map(str, paths))
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def seeds() -> dict[str, Article]:
    """The five seed articles, normalised, keyed by their number."""
    articles = {}
    for path in SEEDS:
        article = normalise_file(path)
        assert isinstance(article, Article), article
        articles[path.name[:3]] = article
    return articles


def write_site_toml(folder: Path, **paths: str) -> Path:
    lines = ["[paths]"] + [f'{key} = "{value}"' for key, value in paths.items()]
    config = folder / "site.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config
