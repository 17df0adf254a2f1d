"""``python -m archivist``: the same command line as ``build.py`` and ``archivist``."""

import sys

from archivist.cli import main

if __name__ == "__main__":
    sys.exit(main())
