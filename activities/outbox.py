"""The durable outbox: every message to every recipient on every channel, once.

Each row is keyed by (alert key, recipient, channel). The ``outbox`` channel's row is the
message itself (status ``stored``); an SMTP or Notify row moves from ``pending`` to ``sent``,
or to ``failed`` with the error, so a retried activity or a replayed worker never delivers a
message twice and a failing channel is visible (``ehc outbox --failed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.exc import IntegrityError

from activities.migrate import upgrade
from activities.schema import outbox_table


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
    channel: str
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
        upgrade(self.engine)

    def claim(self, message: OutboxMessage) -> str:
        """Store ``message`` if new; return its status (``stored`` or ``pending`` when new)."""
        status = "stored" if message.channel == "outbox" else "pending"
        row = asdict(message) | {"created_at": datetime.now(UTC), "status": status}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(outbox_table).values(**row))
            return status
        except IntegrityError:
            with self.engine.connect() as conn:
                found = conn.execute(
                    select(outbox_table.c.status).where(
                        outbox_table.c.idempotency_key == message.idempotency_key
                    )
                ).scalar_one()
            return str(found)

    def mark(self, key: str, status: str, error: str | None = None) -> None:
        """Record a delivery attempt's result."""
        values: dict[str, Any] = {
            "status": status,
            "attempts": outbox_table.c.attempts + 1,
            "last_error": error,
        }
        if status == "sent":
            values["delivered_at"] = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox_table).where(outbox_table.c.idempotency_key == key).values(**values)
            )

    def messages(
        self,
        case_ref: str | None = None,
        limit: int | None = None,
        *,
        channel: str | None = None,
        status: str | None = None,
    ) -> Sequence[dict[str, Any]]:
        query = select(outbox_table).order_by(outbox_table.c.id)
        if case_ref:
            query = query.where(outbox_table.c.case_ref == case_ref)
        if channel:
            query = query.where(outbox_table.c.channel == channel)
        if status:
            query = query.where(outbox_table.c.status == status)
        if limit:
            query = query.order_by(None).order_by(outbox_table.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return sorted(rows, key=lambda r: r["id"])

    def close(self) -> None:
        self.engine.dispose()
