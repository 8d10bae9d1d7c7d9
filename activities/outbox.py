"""The durable outbox: every message to every recipient on every channel, once.

Each row is keyed by (alert key, recipient, channel). The ``outbox`` channel's row is the
message itself (status ``stored``). An SMTP or Notify row is ``due`` until a sender claims it:
a conditional update from ``due`` to ``sending`` that records who claimed it, when, and until
when the claim holds (its lease). Only the claimant sends; it then marks the row ``sent``, or
``due`` again with the error (a failure that may pass), or ``failed`` (one that will not). A
second worker, or a retried attempt, finds the row claimed and leaves it alone; a claim whose
worker died runs out and the row can be claimed again. Nothing due is ever dropped: the
re-drive (``activities.redrive``) sends what is still due once its channel is back, and
``ehc outbox --failed`` / ``ehc outbox resend`` show and re-send what failed, with the reason.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, create_engine, event, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from activities.migrate import upgrade
from activities.schema import outbox_table

#: Row statuses (see the module docstring).
STORED, DUE, SENDING, SENT, FAILED = "stored", "due", "sending", "sent", "failed"

t = outbox_table.c


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
    personalisation: dict[str, str] | None = None


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


def engine_of(url_or_engine: str | Engine) -> Engine:
    """The engine for a URL, or the engine already made."""
    return make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine


def migrated_engine(url_or_engine: str | Engine) -> Engine:
    """The database at a URL (or an engine already made), brought to the newest revision."""
    engine = engine_of(url_or_engine)
    upgrade(engine)
    return engine


def now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    """Who claims a row: this host and process, for anyone reading the outbox."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


@dataclass(frozen=True, slots=True)
class Claim:
    """The right to send one row until ``lease_until``."""

    key: str
    token: str
    lease_until: datetime


class Outbox:
    def __init__(self, url: str) -> None:
        self.engine = migrated_engine(url)
        self.owner = worker_name()
        # Sent, but the database refused the record (locked, full): remembered so that this
        # worker's next attempt records it instead of sending it again.
        self.unrecorded: dict[str, str | None] = {}

    # --- writing -----------------------------------------------------------------------------

    def store(self, message: OutboxMessage) -> str:
        """Store ``message`` if new; return its status (``stored`` or ``due`` when new)."""
        status = STORED if message.channel == "outbox" else DUE
        row = asdict(message) | {"created_at": now(), "status": status}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(outbox_table).values(**row))
            return status
        except IntegrityError:
            return self.status(message.idempotency_key) or status

    def claim(
        self, key: str, lease: timedelta, *, only_if_due_by: datetime | None = None
    ) -> Claim | None:
        """Claim a due row (or one whose claim ran out) for sending; None if not ours.

        One conditional update, so of two workers (or two attempts) exactly one wins.
        ``only_if_due_by``: leave a row alone whose next try is later (the re-drive).
        """
        at = now()
        due = t.status == DUE
        if only_if_due_by is not None:
            due = and_(due, or_(t.not_before.is_(None), t.not_before <= only_if_due_by))
        claim = Claim(key, uuid.uuid4().hex, at + lease)
        with self.engine.begin() as conn:
            result = conn.execute(
                update(outbox_table)
                .where(
                    t.idempotency_key == key,
                    or_(due, and_(t.status == SENDING, t.lease_until < at)),
                )
                .values(
                    status=SENDING,
                    claim_token=claim.token,
                    claimed_by=self.owner,
                    claimed_at=at,
                    lease_until=claim.lease_until,
                    attempts=t.attempts + 1,
                )
            )
        return claim if result.rowcount == 1 else None

    def record_sent(self, key: str, reference: str | None) -> None:
        """The channel accepted the message: so it is sent, whoever holds the claim now."""
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox_table)
                .where(t.idempotency_key == key, t.status != SENT)
                .values(
                    status=SENT,
                    delivered_at=now(),
                    reference=reference,
                    last_error=None,
                    lease_until=None,
                )
            )
        self.unrecorded.pop(key, None)

    def release(self, claim: Claim, error: str, *, retry_from: datetime | None) -> None:
        """Not sent: ``due`` again from ``retry_from``, or (None) ``failed`` for good."""
        values: dict[str, Any] = {"last_error": error[:2000], "lease_until": None}
        if retry_from is None:
            values["status"] = FAILED
        else:
            values |= {"status": DUE, "not_before": retry_from}
        with self.engine.begin() as conn:
            conn.execute(
                update(outbox_table)
                .where(
                    t.idempotency_key == claim.key,
                    t.claim_token == claim.token,
                    t.status == SENDING,
                )
                .values(**values)
            )

    def requeue(
        self,
        *,
        case_ref: str | None = None,
        channel: str | None = None,
        ids: Sequence[int] = (),
    ) -> list[str]:
        """Make failed rows due again now (``ehc outbox resend``); returns the keys now due."""
        query = update(outbox_table).where(t.status == FAILED)
        query = self._filtered(query, case_ref=case_ref, channel=channel, ids=ids)
        with self.engine.begin() as conn:
            conn.execute(query.values(status=DUE, not_before=now()))
            keys = conn.execute(
                self._filtered(
                    select(t.idempotency_key).where(t.status == DUE).order_by(t.id),
                    case_ref=case_ref,
                    channel=channel,
                    ids=ids,
                )
            )
            return [str(k) for k in keys.scalars()]

    @staticmethod
    def _filtered(
        query: Any, *, case_ref: str | None, channel: str | None, ids: Sequence[int]
    ) -> Any:
        query = _of_case_and_channel(query.where(t.channel != "outbox"), case_ref, channel)
        if ids:
            query = query.where(t.id.in_(list(ids)))
        return query

    # --- reading -----------------------------------------------------------------------------

    def status(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(t.status).where(t.idempotency_key == key)
            ).scalar_one_or_none()
        return None if found is None else str(found)

    def due(self, by: datetime, limit: int = 200) -> list[dict[str, Any]]:
        """Rows to send again: due by ``by``, or claimed by a worker whose claim ran out."""
        query = (
            select(outbox_table)
            .where(
                t.channel != "outbox",
                or_(
                    and_(t.status == DUE, or_(t.not_before.is_(None), t.not_before <= by)),
                    and_(t.status == SENDING, t.lease_until < by),
                ),
            )
            .order_by(t.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def row(self, key: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(outbox_table).where(t.idempotency_key == key)).first()
        return None if found is None else dict(found._mapping)

    def messages(
        self,
        case_ref: str | None = None,
        limit: int | None = None,
        *,
        channel: str | None = None,
        status: str | None = None,
        undelivered: bool = False,
    ) -> Sequence[dict[str, Any]]:
        """Rows, oldest first. ``undelivered``: the rows a channel has not delivered that
        have failed at least once (failed for good, or due to be tried again), with why."""
        query = _of_case_and_channel(select(outbox_table).order_by(t.id), case_ref, channel)
        if status:
            query = query.where(t.status == status)
        if undelivered:
            query = query.where(
                or_(
                    t.status == FAILED,
                    and_(t.status.in_([DUE, SENDING]), t.last_error.is_not(None)),
                )
            )
        if limit:
            query = query.order_by(None).order_by(t.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        return sorted(rows, key=lambda r: r["id"])

    def close(self) -> None:
        self.engine.dispose()


def _of_case_and_channel(query: Any, case_ref: str | None, channel: str | None) -> Any:
    """Only one case's rows, and only one channel's, where they are given."""
    if case_ref:
        query = query.where(t.case_ref == case_ref)
    if channel:
        query = query.where(t.channel == channel)
    return query
