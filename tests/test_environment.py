"""The check that a cluster's workers run what the build runs: the probe
itself, and the one message a difference gives (real worker processes are
in test_cluster_processes.py)."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import tomllib

from archivist import __version__
from archivist.run.environment import OUTPUT_DEPENDENCIES, PROBE_CALL, difference, probe, worker_mismatch

from .conftest import ROOT
from .installed import fresh_venv

# What a worker does with the probe it is sent (client.run(eval, PROBE_CALL, call)), as a script
# (isolated: only the folders given after the call are added to the path); it never imports archivist.
ON_A_WORKER = (
    "import json, sys; sys.path[:0] = sys.argv[3:]; call = json.loads(sys.argv[1]); "
    "print(json.dumps(eval(sys.argv[2], call))); assert 'archivist' not in sys.modules"
)


def run_probe(python: str, names: list[str], *path: str) -> dict:
    call = json.dumps({"source": inspect.getsource(probe), "namespace": {}, "names": names})
    result = subprocess.run(
        [python, "-I", "-c", ON_A_WORKER, call, PROBE_CALL, *path], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_runtime_dependency_but_progress_and_file_watching_is_compared():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.match(r"[\w.-]+", requirement).group().lower() for requirement in declared}
    assert names - {name.lower() for name in OUTPUT_DEPENDENCIES} == {"tqdm", "watchdog"}
    assert {name.lower() for name in OUTPUT_DEPENDENCIES} <= names


def test_the_probe_runs_from_its_source_where_archivist_is_not_installed(tmp_path):
    bare = fresh_venv(tmp_path / "bare", borrow_dependencies=False)
    report = run_probe(str(bare.python), ["OpenCC"])
    assert report == {
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "archivist": None,
        "code": None,
        "packages": {"OpenCC": None},
    }


def test_the_probe_finds_archivist_without_importing_it_and_reports_what_the_build_does():
    report = run_probe(sys.executable, ["OpenCC"], str(ROOT))
    assert report == probe(["OpenCC"])
    assert report["archivist"] == __version__ and re.fullmatch("[0-9a-f]{12}", report["code"])
    assert report["packages"]["OpenCC"]


HERE = {"python": "3.11", "archivist": "0.1.0", "code": "9f8e7d6c5b4a", "packages": {"OpenCC": "1.4.2", "nh3": "0.3.8"}}


def test_a_worker_like_the_build_is_no_difference():
    assert difference(HERE, json.loads(json.dumps(HERE))) is None


def test_another_python_or_code_is_named_with_both_sides():
    there = {**HERE, "python": "3.12", "code": "1a2b3c4d5e6f"}
    assert difference(HERE, there) == (
        "runs archivist 0.1.0 (code 1a2b3c4d5e6f) with Python 3.12, this build archivist 0.1.0 (code 9f8e7d6c5b4a) "
        "with Python 3.11; install the same version and dependencies on every worker (requirements-dask.txt pins them)"
    )


def test_a_dependency_of_another_version_or_missing_is_named_alone():
    there = {**HERE, "packages": {"OpenCC": "1.4.1", "nh3": None}}
    assert difference(HERE, there).startswith(
        "runs archivist 0.1.0 (code 9f8e7d6c5b4a) with Python 3.11 and OpenCC 1.4.1, nh3 (none), "
        "this build archivist 0.1.0 (code 9f8e7d6c5b4a) with Python 3.11 and OpenCC 1.4.2, nh3 0.3.8;"
    )


def test_a_probe_that_failed_on_a_worker_says_how():
    assert difference(HERE, SyntaxError("invalid syntax")) == (
        "could not be checked (SyntaxError: invalid syntax); is it the Python 3.11 this build runs?"
    )


class FakeClient:
    def __init__(self, reports):
        self.reports = reports

    def wait_for_workers(self, n_workers, timeout=None):
        if self.reports == {}:
            raise TimeoutError(f"only 0 of {n_workers} workers")

    def run(self, function, *args, on_error="raise"):
        assert function is eval and on_error == "return"
        if isinstance(self.reports, Exception):
            raise self.reports
        return self.reports


def test_the_first_differing_worker_is_named_and_the_others_counted():
    here = probe(list(OUTPUT_DEPENDENCIES))
    reports = {
        "tcp://10.0.0.7:4410": {**here, "archivist": None},
        "tcp://10.0.0.5:4410": here,
        "tcp://10.0.0.6:4410": {**here, "code": "000000000000"},
    }
    message = worker_mismatch(FakeClient(reports))
    assert message.startswith("Dask worker tcp://10.0.0.6:4410 (and 1 other worker) runs archivist")
    assert worker_mismatch(FakeClient({"tcp://10.0.0.5:4410": here})) is None


def test_a_scheduler_without_workers_or_gone_is_one_message():
    assert worker_mismatch(FakeClient({})) == (
        "the Dask scheduler has no workers after 30 s: start some with `dask worker ADDRESS`"
    )
    assert worker_mismatch(FakeClient(OSError("connection closed"))) == (
        "cannot check the Dask workers' environment: OSError: connection closed"
    )
