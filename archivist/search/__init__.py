"""The search index: the tokeniser shared with the browser, each article's terms, the shards."""
