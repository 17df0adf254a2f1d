"""The package as a user installs it: from a copy of the repository into a
fresh virtual environment, run from another folder, it builds the site the
checkout builds, byte for byte."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archivist.run.environment import probe

from .conftest import ROOT, run_cli
from .installed import Venv, copy_repository, fresh_venv, install_copy, pip_install, run, tree


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Venv:
    return install_copy(tmp_path_factory.mktemp("install"), "venv")


@pytest.fixture(scope="module")
def checkout_site(tmp_path_factory) -> Path:
    """``build.py build`` of the sample content, in the checkout, with its site.toml."""
    out = tmp_path_factory.mktemp("checkout") / "site"
    result = run_cli("build", "--content", str(ROOT / "content"), "--out", str(out), "-q", "--workers", "1")
    assert result.returncode == 0, result.stderr
    return out


def installed_builds(venv: Venv, tmp_path: Path) -> dict[str, Path]:
    """The sample content (a copy) built by the installed command and by
    ``python -m archivist``, each from a folder outside the repository."""
    content = shutil.copytree(ROOT / "content", tmp_path / "content")
    # A project folder of the user's: its site.toml is found there, as build.py finds the checkout's.
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "site.toml", project / "site.toml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outs = {"archivist": tmp_path / "out-script", "python -m archivist": tmp_path / "out-module"}
    script = run([str(venv.bin / "archivist"), "build", "--content", str(content), "--out", str(outs["archivist"])], project)  # fmt: skip
    assert script.returncode == 0, script.stderr
    module = run(
        [str(venv.python), "-m", "archivist", "--config", str(project / "site.toml"), "build", "-q",
         "--content", str(content), "--out", str(outs["python -m archivist"])],
        elsewhere,
    )  # fmt: skip
    assert module.returncode == 0, module.stderr
    return outs


def test_the_installed_package_builds_the_checkouts_site_from_another_folder(installed, checkout_site, tmp_path):
    expected = tree(checkout_site)
    assert "static/lunr.min.js" in expected and "static/search.js" in expected
    for how, out in installed_builds(installed, tmp_path).items():
        got = tree(out)
        assert got.keys() == expected.keys(), how
        assert [name for name in expected if expected[name] != got[name]] == [], how


def test_the_installed_package_reads_its_theme_from_inside_itself(installed, tmp_path):
    shown = run(
        [str(installed.python), "-c",
         "import archivist.resources as r; print(r.PACKAGE); print(r.default_theme()); print(r.lunr_js())"],
        tmp_path,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    package, theme, lunr = map(Path, shown.stdout.split())
    assert package.is_relative_to(installed.site_packages())
    assert theme == package / "theme" and (theme / "templates" / "base.html").is_file()
    assert lunr == theme / "lunr.min.js" and lunr.read_bytes() == (ROOT / "node_modules/lunr/lunr.min.js").read_bytes()


def test_the_installed_code_has_the_checkouts_digest(installed, tmp_path):
    """What the cluster check compares: workers installed from a commit match a build run from its checkout."""
    shown = run(
        [str(installed.python), "-c", "from archivist.run.environment import probe; print(probe([])['code'])"], tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == probe([])["code"]


def test_the_wheel_carries_the_theme_and_only_the_package(tmp_path):
    copy = copy_repository(tmp_path / "source")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(copy)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("archivist-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"archivist", wheel.name.split("-py3")[0] + ".dist-info"}
    theme = {name.removeprefix("archivist/theme/") for name in names if name.startswith("archivist/theme/")}
    expected = {f"templates/{p.name}" for p in (ROOT / "templates").iterdir()}
    expected |= {f"static/{p.name}" for p in (ROOT / "static").iterdir()} | {"lunr.min.js"}
    assert theme == expected
    assert {
        "archivist/text/lexicon.yaml",
        "archivist/text/line-model.json",
        "archivist/site/geodata/index.json",
    } <= set(names)
    assert not any(part in ("tests", "bench", "scripts", "content") for name in names for part in name.split("/"))


@pytest.mark.slow
def test_a_full_install_resolving_dependencies_from_the_index_builds_the_same_site(checkout_site, tmp_path):
    copy = copy_repository(tmp_path / "source")
    venv = fresh_venv(tmp_path / "venv", borrow_dependencies=False)
    # At the locked versions: a newer release in range may change the site, and this compares it byte for byte.
    pip_install(venv, "-c", str(copy / "requirements-dask.txt"), f"{copy}[dask]", timeout=1200)
    assert (venv.bin / "dask").is_file()
    expected = tree(checkout_site)
    for how, out in installed_builds(venv, tmp_path).items():
        got = tree(out)
        assert got.keys() == expected.keys(), how
        assert [name for name in expected if expected[name] != got[name]] == [], how
