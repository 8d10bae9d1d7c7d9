"""The durable outbox: every reminder and escalation, written once per idempotency key.

SQLite in the data directory by default (``EHC_DATABASE_URL`` for another database). The unique
key makes a retried activity or a replayed worker harmless: the second insert is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.exc import IntegrityError

from activities.schema import metadata, outbox_table


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    idempotency_key: str
    scheduled_for: datetime
    workflow_id: str
    case_ref: str
    process: str
    kind: str
    level: int
    step: str
    regulation: str
    due: date
    target: date
    recipient_role: str
    recipient: str
    subject: str
    body: str


def make_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the CLI read while the worker writes; a busy timeout rides out overlap.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    return engine


class Outbox:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    def put(self, message: OutboxMessage) -> bool:
        """Store ``message``; False if its idempotency key is already there (nothing written)."""
        row = {
            **{f: getattr(message, f) for f in OutboxMessage.__slots__},
            "created_at": datetime.now(UTC),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(outbox_table).values(**row))
        except IntegrityError:
            return False
        return True

    def messages(
        self, case_ref: str | None = None, limit: int | None = None
    ) -> Sequence[dict[str, Any]]:
        query = select(outbox_table).order_by(outbox_table.c.id)
        if case_ref:
            query = query.where(outbox_table.c.case_ref == case_ref)
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def close(self) -> None:
        self.engine.dispose()
