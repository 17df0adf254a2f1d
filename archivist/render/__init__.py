"""Rendering pages with jinja2: the theme's templates, an article's body, page signatures."""
