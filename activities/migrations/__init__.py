"""Alembic migrations of the reporting database (tables defined in ``activities.schema``)."""
