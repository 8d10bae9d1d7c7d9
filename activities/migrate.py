"""Schema migrations of the reporting database (Alembic), run by the worker and the app at start.

``activities.schema`` defines the tables; the scripts in ``activities/migrations/versions``
take any database, SQLite or PostgreSQL, to that schema. ``upgrade`` is idempotent and cheap
when the database is already at the head revision, so every process that opens the database
calls it. Databases made before migrations existed join the history at the first revision.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

SCRIPT_LOCATION = Path(__file__).parent / "migrations"
#: Any constant: PostgreSQL processes starting together take turns migrating.
PG_LOCK_ID = 7_233_005


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision shipped with this code."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest); nothing to do is fast."""
    if revision == "head" and current(engine) == head():
        return
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PG_LOCK_ID})
            command.upgrade(_config(conn), revision)
    except DBAPIError:
        # Another process (say the worker beside the API on SQLite) migrated it meanwhile.
        if revision != "head" or current(engine) != head():
            raise


def history() -> list[tuple[str, str]]:
    """(revision, first line of its description), oldest first."""
    scripts = ScriptDirectory.from_config(_config())
    return [(s.revision, (s.doc or "").splitlines()[0]) for s in scripts.walk_revisions()][::-1]
