"""Migration scripts, oldest first (``0001_initial`` matches the first released schema)."""
