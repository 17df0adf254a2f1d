"""Facet counts kept with a list: how many of its documents fall under each
year, place (and every place above it) and initiative (the most frequent
values of each, as many as a facet lists), so that a one-term query shows
exact counts without reading every document's row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FacetColumns:
    """Each document's facet numbers, by ref: its year, and its places (with
    every place above them) and initiatives as compressed rows."""

    years: Ints
    places: tuple[Ints, Ints]  # row starts (one more than documents), numbers
    initiatives: tuple[Ints, Ints]


def columns(years: list[int], places: list[list[int]], initiatives: list[list[int]]) -> FacetColumns:
    def rows(values: list[list[int]]) -> tuple[Ints, Ints]:
        starts = np.zeros(len(values) + 1, dtype=np.int64)
        np.cumsum([len(row) for row in values], out=starts[1:])
        return starts, np.fromiter((n for row in values for n in row), dtype=np.int64, count=int(starts[-1]))

    return FacetColumns(np.array(years, dtype=np.int64), rows(places), rows(initiatives))


def gathered(rows: tuple[Ints, Ints], refs: Ints) -> Ints:
    """The numbers in the rows of ``refs``, one after another."""
    starts, numbers = rows
    begin, sizes = starts[refs], starts[refs + 1] - starts[refs]
    total = int(sizes.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return numbers[np.repeat(begin, sizes) + offsets]


def pairs(values: Ints, kept: int) -> list[int]:
    """Value, count, value, count ... for the ``kept`` most frequent values
    (ties: the lower value first), in value order."""
    found, counts = np.unique(values, return_counts=True)
    if len(found) > kept:
        chosen = np.sort(np.lexsort((found, -counts))[:kept])
        found, counts = found[chosen], counts[chosen]
    return np.column_stack((found, counts)).ravel().tolist()


def histogram(facets: FacetColumns, refs: Ints, kept: int) -> dict[str, list[int]]:
    """Per facet, the counts of its ``kept`` most frequent values (a facet
    lists no more; a selected value is counted from the results' rows)."""
    years = facets.years[refs]
    return {
        "year": pairs(years[years > 0], kept),
        "region": pairs(gathered(facets.places, refs), kept),
        "initiative": pairs(gathered(facets.initiatives, refs), kept),
    }
