"""Schema migrations: the migrated database is exactly ``activities.schema``, on SQLite and
PostgreSQL; upgrading is idempotent; a database made before migrations joins the history."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from activities import migrate
from activities.ledger import Ledger
from activities.outbox import Outbox, make_engine
from activities.schema import metadata


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ehc.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_upgrade_builds_exactly_the_schema_module(url: str) -> None:
    engine = make_engine(url)
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert differences(engine) == []
    engine.dispose()


def test_upgrading_again_changes_nothing_and_keeps_rows(url: str) -> None:
    ledger = Ledger(url)  # migrates
    with ledger.engine.begin() as conn:
        conn.execute(text("CREATE TABLE marker (n INTEGER)"))
    Outbox(url)  # a second process opening the same database
    migrate.upgrade(ledger.engine)
    assert "marker" in inspect(ledger.engine).get_table_names()
    assert migrate.current(ledger.engine) == migrate.head()
    ledger.engine.dispose()


def test_a_database_made_before_migrations_joins_the_history(tmp_path: Path) -> None:
    """The first release made the outbox with ``create_all``: no alembic_version table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE outbox (id INTEGER NOT NULL, idempotency_key VARCHAR(300) "
                "NOT NULL, created_at DATETIME NOT NULL, scheduled_for DATETIME NOT NULL, "
                "workflow_id VARCHAR(120) NOT NULL, case_ref VARCHAR(40) NOT NULL, "
                "process VARCHAR(20) NOT NULL, kind VARCHAR(20) NOT NULL, level INTEGER NOT NULL, "
                "step VARCHAR(60) NOT NULL, regulation VARCHAR(80) NOT NULL, due DATE NOT NULL, "
                "target DATE NOT NULL, recipient_role VARCHAR(20) NOT NULL, "
                "recipient VARCHAR(80) NOT NULL, subject VARCHAR(200) NOT NULL, body TEXT NOT NULL, "
                "PRIMARY KEY (id), UNIQUE (idempotency_key))"
            )
        )
        conn.execute(text("CREATE INDEX ix_outbox_workflow_id ON outbox (workflow_id)"))
        conn.execute(text("CREATE INDEX ix_outbox_case_ref ON outbox (case_ref)"))
        conn.execute(
            text(
                "INSERT INTO outbox VALUES (1, 'k', '2026-01-01', '2026-01-01', 'assessment-A-1', "
                "'A-1', 'assessment', 'reminder', 1, 'final-plan', 'reg 13(2)', '2026-05-01', "
                "'2026-05-01', 'caseworker', 'cw1', 'subject', 'body')"
            )
        )
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert differences(engine) == []
    with engine.connect() as conn:
        row = conn.execute(text("SELECT idempotency_key, channel, status FROM outbox")).one()
    assert tuple(row) == ("k", "outbox", "stored")
    engine.dispose()


def test_history_lists_every_revision_oldest_first() -> None:
    revisions = [r for r, _ in migrate.history()]
    assert revisions[0] == "0001" and revisions[-1] == migrate.head()
    assert len(revisions) == len(set(revisions))
