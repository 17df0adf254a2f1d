"""archivist: a static site generator for searchable archives of Chinese news articles."""

# The one place the version is written (pyproject reads it from here).
__version__ = "0.1.0"
