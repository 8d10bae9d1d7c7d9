"""The application around the rules: settings, Temporal connection, embedded server, CLI."""
