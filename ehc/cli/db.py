"""``ehc db``: the reporting database's schema migrations (Alembic)."""

from __future__ import annotations

import typer

from ehc.cli.common import out
from ehc.settings import get_settings

app = typer.Typer(help="The outbox and reporting database: schema migrations.")


@app.command()
def upgrade() -> None:
    """Bring the database to the newest schema (the worker and the API also do this at start)."""
    # SQLAlchemy and Alembic: loaded only when a db command runs.
    from activities import migrate
    from activities.outbox import make_engine

    settings = get_settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        before = migrate.current(engine)
        migrate.upgrade(engine)
        after = migrate.current(engine)
    finally:
        engine.dispose()
    if before == after:
        out.print(f"Already at revision {after} (the newest).")
    else:
        out.print(f"Upgraded from {before or 'an empty database'} to revision {after}.")


@app.command()
def current() -> None:
    """The database's revision and the newest this code knows."""
    from activities import migrate
    from activities.outbox import make_engine

    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    try:
        revision = migrate.current(engine)
    finally:
        engine.dispose()
    out.print(f"Database at {revision or 'no revision'}; newest is {migrate.head()}.")


@app.command()
def history() -> None:
    """Every migration, oldest first."""
    from activities import migrate

    for revision, description in migrate.history():
        out.print(f"{revision}  {description}")
