#!/usr/bin/env python3
"""Command line for the article archive site generator: see ``build.py --help``.

Exit codes: 0 ok, 1 when any article failed (the rest were built), 2 for bad
usage or settings.
"""

import sys

from archivist.cli import main

if __name__ == "__main__":
    sys.exit(main())
