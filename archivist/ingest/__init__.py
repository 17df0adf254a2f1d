"""Reading content: which files are articles, bytes to text, saved web pages and their images, Markdown front matter; one file to one Article (the read stage)."""
