"""The preview server: HTTP, watching the folders, live reload, the rebuild session."""
