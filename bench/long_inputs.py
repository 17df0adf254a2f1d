"""How reading time grows with the length of one input: CPU seconds to read
scrapes and saved pages of N lines, N doubling, and each step's ratio
(about 2 when linear, 4 when quadratic).  With --profile, the functions
that took the most time at the largest size.

    python bench/long_inputs.py                 # every shape, 2,000 to 16,000
    python bench/long_inputs.py --shape images --sizes 1000 2000 4000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archivist.ingest.reading import normalise_data

PROSE = "村里大力发展脐橙产业，村民收入逐年提高，群众的日子越过越红火。" * 2


def page(body: str) -> bytes:
    return f"<html><head><title>标题</title></head><body><h1>标题</h1>{body}</body></html>".encode()


SHAPES = {
    # (file name, input of n lines)
    "tiny-paragraphs": ("a.html", lambda n: page(f"<p>{PROSE}</p>" + "<p>a</p>" * n)),
    "paragraphs": ("a.html", lambda n: page(f"<p>{PROSE}</p>" * n)),
    "images": ("a.html", lambda n: page(f'<p>{PROSE}</p><img src="a.jpg" alt="图">' * n)),
    "heading-lines": ("a.txt", lambda n: ("乡村振兴新闻标题\n\n" * n + (PROSE + "\n\n") * 3).encode()),
}


def read(name: str, data: bytes) -> float:
    started = time.process_time()
    normalise_data(name, data, file_timeout=0, exists=lambda _: True)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shape", choices=sorted(SHAPES), action="append")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000, 16000])
    parser.add_argument("--profile", action="store_true", help="profile the largest size")
    args = parser.parse_args()
    for shape in args.shape or list(SHAPES):
        name, make = SHAPES[shape]
        read(name, make(10))  # models and tables loaded outside the measure
        previous = None
        for size in args.sizes:
            seconds = read(name, make(size))
            ratio = f"  x{seconds / previous:.1f}" if previous else ""
            print(f"{shape:16} {size:>8,} lines  {seconds:7.2f} s{ratio}", flush=True)
            previous = seconds
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(normalise_data, name, make(args.sizes[-1]), file_timeout=0, exists=lambda _: True)
            pstats.Stats(profile).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
