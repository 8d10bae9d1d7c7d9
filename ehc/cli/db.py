"""``ehc db``: the reporting database's schema migrations (Alembic), and rebuilding its read
model from Temporal."""

from __future__ import annotations

from typing import Annotated

import typer

from ehc.cli.common import FAILED, err, fail, out, run
from ehc.settings import get_settings
from ehc.text import count

app = typer.Typer(
    help="The outbox and reporting database: schema migrations, and the read model's rebuild."
)


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


@app.command()
def reconcile(
    concurrency: Annotated[
        int,
        typer.Option(min=1, max=200, help="Cases asked at once (each query needs a worker)."),
    ] = 16,
) -> None:
    """Rebuild the read model from Temporal: ask every open case on the task queue for its view
    and write it (never over a newer one); mark closed the cases whose workflows are no longer
    running.

    For a database restored from a backup, or cases moved in from another system. A worker
    must be running: it answers the queries.
    """
    from activities.read_model import ReadModelWriter
    from ehc.cli.progress import progress_bar
    from ehc.reconcile import Reconciled
    from ehc.reconcile import reconcile as rebuild
    from ehc.temporal import connect

    settings = get_settings()
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)

    async def go() -> Reconciled:
        client = await connect(settings)
        writer = ReadModelWriter(settings.resolved_database_url)
        try:
            with progress_bar(
                "Asking open cases for their view", disable=not err.is_terminal
            ) as progress:
                task = progress.add_task("reconcile", total=None)
                return await rebuild(
                    client,
                    writer,
                    task_queue=settings.task_queue,
                    concurrency=concurrency,
                    listed=lambda n: progress.update(task, total=n),
                    answered=lambda: progress.advance(task),
                )
        finally:
            writer.engine.dispose()

    result = run(go())
    out.print(
        f"Open cases in Temporal: {result.listed}; views written: {result.written} "
        f"({result.current} already up to date); marked closed: {result.closed}."
    )
    if result.unanswered:
        shown = ", ".join(result.unanswered[:5])
        more = len(result.unanswered) - 5
        fail(
            f"{count(len(result.unanswered), 'case')} gave no view (is a worker running on "
            f"task queue '{settings.task_queue}'?): {shown}"
            + (f" and {more} more" if more > 0 else ""),
            FAILED,
        )
