"""What a build made, kept for the next one: the typed build state, its keys, its JSON storage."""
