"""The reporting database's schema: the one module that defines its tables.

SQLite in the data directory by default, any SQLAlchemy URL (PostgreSQL) by
``EHC_DATABASE_URL``. Every table has a unique idempotency key, so a retried activity or a
replayed worker writes each row once.

Changes to these tables go with a migration in ``activities/migrations/versions`` (see
``activities.migrate``); a test checks that the migrated database matches this module.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

outbox_table = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(300), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("scheduled_for", DateTime(timezone=True), nullable=False),
    Column("workflow_id", String(120), nullable=False, index=True),
    Column("case_ref", String(40), nullable=False, index=True),
    Column("process", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("level", Integer, nullable=False),
    Column("step", String(60), nullable=False),
    Column("regulation", String(80), nullable=False),
    Column("due", Date, nullable=False),
    Column("target", Date, nullable=False),
    Column("recipient_role", String(20), nullable=False),
    Column("recipient", String(80), nullable=False),
    Column("channel", String(20), nullable=False, server_default="outbox"),
    Column("status", String(20), nullable=False, server_default="stored", index=True),
    # status: stored (the outbox itself), due, sending, sent, or failed (activities/outbox.py)
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    # The Notify template's fields, so a message can be sent again from its row alone.
    Column("personalisation", JSON),
    # A due row is not re-driven before this (its own activity is still retrying it).
    Column("not_before", DateTime(timezone=True)),
    # Who claimed a row for sending, when, and until when: after that, anyone may claim it.
    Column("claim_token", String(64)),
    Column("claimed_by", String(120)),
    Column("claimed_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),
    # What the channel knows the message by: SMTP Message-ID, Notify notification id.
    Column("reference", String(200)),
)


ledger_steps = Table(
    "ledger_steps",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("workflow_id", String(120), nullable=False, index=True),
    Column("case_ref", String(40), nullable=False, index=True),
    Column("process", String(20), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("step", String(60), nullable=False),
    Column("regulation", String(80), nullable=False),
    Column("due", Date, nullable=False),
    Column("target", Date, nullable=False),
    Column("completed_on", Date, nullable=False, index=True),
    Column("met", Boolean, nullable=False),
    Column("exception_applies", Boolean, nullable=False),
    Column("statutory", Boolean, nullable=False),
    Column("caseworker", String(40), nullable=False),
    Column("team", String(40), nullable=False, index=True),
    Column("detail", JSON, nullable=False),
)

ledger_outcomes = Table(
    "ledger_outcomes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("workflow_id", String(120), nullable=False, index=True),
    Column("case_ref", String(40), nullable=False, index=True),
    Column("process", String(20), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("ended_on", Date, nullable=False, index=True),
    Column("caseworker", String(40), nullable=False),
    Column("team", String(40), nullable=False, index=True),
    Column("outcome", JSON, nullable=False),
)

ledger_requests = Table(
    "ledger_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("workflow_id", String(120), nullable=False, index=True),
    Column("case_ref", String(40), nullable=False, index=True),
    Column("received", Date, nullable=False, index=True),
    Column("caseworker", String(40), nullable=False),
    Column("team", String(40), nullable=False, index=True),
)
"""Requests for assessment as received (SEN2 counts requests by the day they arrived)."""
