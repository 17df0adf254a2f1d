"""Reading an archive on a Dask cluster (``[build] scheduler``,
``--scheduler``): ``local:N`` starts one on this machine, ``tcp://HOST:PORT``
joins a running one.  Dask is an optional extra: a build without a scheduler
never imports it.

Workers are sent what they need as bytes and data, never paths on a shared
disk: each file's contents, and once per worker the curation files and the
list of image files in the content folder (the gazetteer ships inside the
package they have installed).  They send back articles and their search term
data; the build writes the site as a local build does, so the output is the
same byte for byte.  Dask runs the tasks of a worker that is lost again on
the others.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from .editorial import Editorial
from .environment import check_workers
from .inputs import DEFAULT_MAX_INPUT_BYTES, InputError, read_input, walk
from .model import Article, Failure
from .workers import in_order

BATCH = 32  # files per task: a task costs about a millisecond of scheduling
WINDOW = 64  # tasks in flight per worker: a slow reader does not fill memory
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class ClusterError(Exception):
    """A scheduler that cannot be used; the message says why."""


@contextmanager
def connected(scheduler: str) -> Iterator[Any]:
    """A Dask client for ``scheduler`` for the length of the block (None
    without one); a ``local`` cluster is started and stopped with it."""
    if not scheduler:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError(
            f"scheduler {scheduler!r} needs Dask: pip install -r requirements-dask.txt (or pip install .[dask])"
        ) from None
    if scheduler.startswith("local"):
        workers = int(scheduler.partition(":")[2] or os.cpu_count() or 1)
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
            ) as local,
            Client(local) as client,
        ):
            check_workers(client, ClusterError)
            yield client
        return
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        check_workers(client, ClusterError)  # before any work is sent: one clear error, not a Dask traceback
        yield client


def image_files(content_dir: Path, display: Any) -> frozenset[str]:
    """The content folder's image files, as the paths pages are read under
    (real folders only: a link to a folder is not walked)."""
    return frozenset(
        os.path.normpath(display(Path(entry.path)))
        for entry in walk(content_dir, lambda entry: False, [])
        if entry.name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file()
    )


def read_batch(
    batch: list[tuple[str, bytes]], editorial: Editorial, keep_source: bool, images: frozenset[str], with_terms: bool
) -> list[tuple[Article | Failure, tuple[str, list] | None]]:
    """On a worker: files' bytes to articles and their term data."""
    from .pipeline import normalise_data, with_term_data

    return [
        with_term_data(normalise_data(path, data, editorial, keep_source, images.__contains__), with_terms)
        for path, data in batch
    ]


def read_files(
    client: Any,
    paths: list[Path],
    content_dir: Path,
    editorial: Editorial,
    keep_source: bool,
    with_terms: bool,
    max_bytes: int = DEFAULT_MAX_INPUT_BYTES,
) -> Iterator[tuple[Article | Failure, tuple[str, list] | None]]:
    """``paths`` read on the cluster, in their order; a file this machine
    cannot read is a Failure here, as in a local build."""
    from .pipeline import shown_path

    # Each sent once to every worker (in a list: scatter sends a collection's items one by one).
    # (hash=False: Dask would otherwise walk every object to name it.)
    [shared_editorial] = client.scatter([editorial], broadcast=True, hash=False)
    [shared_images] = client.scatter([image_files(content_dir, shown_path)], broadcast=True, hash=False)
    work = partial(read_batch, keep_source=keep_source, with_terms=with_terms)
    window = WINDOW * max(1, len(client.scheduler_info().get("workers", {})))
    pending: deque[tuple[list[Failure | None], Any]] = deque()

    def submit(batch_paths: list[Path]) -> None:
        unread: list[Failure | None] = []
        batch = []
        for path in batch_paths:
            shown = shown_path(path)
            try:
                batch.append((shown, read_input(path, content_dir, max_bytes)))
                unread.append(None)
            except InputError as error:
                unread.append(Failure(shown, str(error)))
        future = client.submit(work, batch, shared_editorial, images=shared_images, pure=False) if batch else None
        pending.append((unread, future))

    def take() -> Iterator[tuple[Article | Failure, tuple[str, list] | None]]:
        unread, future = pending.popleft()
        results = iter(future.result() if future is not None else [])
        for failure in unread:
            yield (failure, None) if failure is not None else next(results)

    for start in range(0, len(paths), BATCH):
        submit(paths[start : start + BATCH])
        if len(pending) >= window:
            yield from take()
    while pending:
        yield from take()


# --- pages ------------------------------------------------------------------


def share_site(client: Any, site: Any, config: Any, templates: dict[str, str]) -> Any:
    """The planned site, the settings and the templates' text, sent once to
    every worker: what it renders any page from."""
    # hash=False: naming it by its contents would walk the whole archive.
    [snapshot] = client.scatter([(site, config, templates)], broadcast=True, hash=False)
    return snapshot


# On a worker: what it planned from each snapshot it was sent (an environment,
# each kind of page as planned, the list items it rendered), so that a
# snapshot is unpacked once per worker, not once per task.
_planned: dict[str, dict] = {}


def render_on_worker(snapshot: tuple, key: str, group: int, indices: list[int]) -> list[tuple[str, str]]:
    """On a worker: pages of one kind, given by their numbers in its plan,
    in both scripts."""
    from .pages import page_groups
    from .render import Fragments, make_environment, named_loader, output_paths, render_page
    from .script import SIMPLIFIED, TRADITIONAL

    site, config, templates = snapshot
    planned = _planned.get(key)
    if planned is None:
        _planned.clear()  # one build's snapshot at a time
        environment = make_environment(config, named_loader(templates))
        planned = _planned[key] = {
            "environment": environment,
            "fragments": Fragments(form=config.traditional),
            "groups": {},
        }
    groups = planned["groups"]
    if group not in groups:
        groups.clear()  # the build renders kind by kind: keep one kind's plan
        groups[group] = page_groups(site, config)[group]()
    pages = groups[group]
    return [
        (path, render_page(planned["environment"], pages[index], site, config, script, planned["fragments"]))
        for index in indices
        for path, script in zip(output_paths(pages[index]), (SIMPLIFIED, TRADITIONAL), strict=True)
    ]


def render_slices(
    client: Any, snapshot: Any, group: int, indices: list[int], slices: list[tuple[int, int]]
) -> Iterator[tuple[str, str]]:
    """The pages of ``slices`` (bounds in ``indices``, the changed pages of
    kind ``group``) rendered on the cluster, in order."""
    futures = (
        client.submit(render_on_worker, snapshot, snapshot.key, group, indices[start:end], pure=False)
        for start, end in slices
    )
    for rendered in in_order(futures, WINDOW * max(1, len(client.scheduler_info().get("workers", {})))):
        yield from rendered
