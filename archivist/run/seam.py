"""The executor seam: what a stage is handed to map its work with.

``map(stage, items, shared)`` calls ``stage(item, shared)`` for each item
and yields the results in the items' order, wherever they were computed, so
the output never depends on where the work ran.  ``stage`` is a plain
module-level function (a worker elsewhere finds it by name); ``shared`` is
read-only data every call needs, sent (or inherited) once, not per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

Item = TypeVar("Item")
Shared = TypeVar("Shared")
Result = TypeVar("Result")


class Executor(Protocol):
    # Whether the workers may lack this machine's files: a stage then sends
    # data (a file's bytes), not paths.
    remote: bool

    def map(self, stage: Callable[[Any, Any], Result], items: Iterable[Any], shared: Any) -> Iterator[Result]: ...


class InProcess:
    """Every item in this process, one after the other: the least memory,
    and the only choice where forking is unsafe (a server's threads run)."""

    remote = False

    def map(self, stage: Callable[[Item, Shared], Result], items: Iterable[Item], shared: Shared) -> Iterator[Result]:
        for item in items:
            yield stage(item, shared)
