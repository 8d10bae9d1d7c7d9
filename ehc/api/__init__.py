"""The HTTP API: the same services as the CLI behind bearer tokens with roles."""
