"""The package's shape: no import cycles between its modules, no module
past about 400 lines, and the README's layout section naming what is there."""

from __future__ import annotations

import re

import grimp

from .conftest import ROOT

PACKAGE = ROOT / "archivist"
MAX_LINES = 400


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("archivist")  # type-only imports too
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(" -> ".join([module, *back]))
    assert not cycles, "\n".join(cycles)


def test_no_module_is_longer_than_about_four_hundred_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def layout_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_layout_names_every_module_and_folder_of_the_package():
    section = layout_section()
    named = set(re.findall(r"[\w-]+(?:\.py|\.json|\.yaml|/)", section))
    missing = []
    for path in sorted(PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or path.name == "__init__.py" or path.parent.name == "geodata":
            continue
        name = f"{path.name}/" if path.is_dir() else path.name
        if name not in named:
            missing.append(str(path.relative_to(ROOT)))
    assert not missing, f"not in the README's layout: {missing}"


def test_the_readme_layout_names_no_module_that_is_gone():
    section = layout_section()
    folders = (PACKAGE, ROOT / "tests", ROOT / "bench", ROOT / "scripts")
    present = {p.name for folder in folders for p in folder.rglob("*.py")} | {p.name for p in ROOT.glob("*.py")}
    named = set(re.findall(r"\b[a-z_]+\.py\b", section)) - {"lunr.py"}  # the library, not a file of ours
    assert named <= present, named - present
