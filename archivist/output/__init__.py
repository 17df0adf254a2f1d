"""Writing the site: the atomic writer, feeds and sitemaps, images, theme files, redirect pages, the zip."""
