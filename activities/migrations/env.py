"""Alembic environment: run on the connection handed over by ``activities.migrate``.

There is no ``alembic.ini`` URL on purpose: the database is the application's
(``EHC_DATABASE_URL`` or SQLite in the data directory), so migrations always run through
``activities.migrate.upgrade`` or ``ehc db upgrade``.
"""

from __future__ import annotations

from alembic import context

from activities.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
