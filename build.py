#!/usr/bin/env python3
"""Command line for the article archive site generator: see ``build.py --help``.

Exit codes: 0 ok, 1 when any article failed (the rest were built), 2 for bad
usage or settings.
"""

import sys

if __name__ == "__main__":
    try:
        from archivist.cli import main
    except KeyboardInterrupt:  # Ctrl-C while the modules load: nothing was started yet
        print("interrupted; the last site is intact", file=sys.stderr)
        sys.exit(130)
    sys.exit(main())
