"""The reporting database's schema: the one module that defines its tables.

SQLite in the data directory by default, any SQLAlchemy URL (PostgreSQL) by
``EHC_DATABASE_URL``. Every table has a unique idempotency key, so a retried activity or a
replayed worker writes each row once.

Changes to these tables go with a migration in ``activities/migrations/versions`` (see
``activities.migrate``); a test checks that the migrated database matches this module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()


# Columns several tables share, made afresh for each (a Column belongs to one table).


def _row_id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _case() -> list[Column[Any]]:
    """The workflow and the case a row is about (each looked up by)."""
    return [
        Column("workflow_id", String(120), nullable=False, index=True),
        Column("case_ref", String(40), nullable=False, index=True),
    ]


def _process_and_cycle() -> list[Column[Any]]:
    """The process (assessment, review or advice) and its review cycle (0 if not a review)."""
    return [
        Column("process", String(20), nullable=False),
        Column("cycle", Integer, nullable=False),
    ]


def _step() -> list[Column[Any]]:
    """A statutory step, its regulation, its statutory date and its target after exceptions."""
    return [
        Column("step", String(60), nullable=False),
        Column("regulation", String(80), nullable=False),
        Column("due", Date, nullable=False),
        Column("target", Date, nullable=False),
    ]


def _ledger_row(*columns: Column[Any]) -> list[Column[Any]]:
    """A ledger row: written once under its key, when recorded, about a case; then
    ``columns``, then whose case it is (reports count by team)."""
    return [
        _row_id(),
        Column("key", String(300), nullable=False, unique=True),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
        *_case(),
        *columns,
        Column("caseworker", String(40), nullable=False),
        Column("team", String(40), nullable=False, index=True),
    ]


outbox_table = Table(
    "outbox",
    metadata,
    _row_id(),
    Column("idempotency_key", String(300), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("scheduled_for", DateTime(timezone=True), nullable=False),
    *_case(),
    Column("process", String(20), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("level", Integer, nullable=False),
    *_step(),
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
    *_ledger_row(
        *_process_and_cycle(),
        *_step(),
        Column("completed_on", Date, nullable=False, index=True),
        Column("met", Boolean, nullable=False),
        Column("exception_applies", Boolean, nullable=False),
        Column("statutory", Boolean, nullable=False),
    ),
    Column("detail", JSON, nullable=False),
)

ledger_outcomes = Table(
    "ledger_outcomes",
    metadata,
    *_ledger_row(*_process_and_cycle(), Column("ended_on", Date, nullable=False, index=True)),
    Column("outcome", JSON, nullable=False),
)

ledger_requests = Table(
    "ledger_requests",
    metadata,
    *_ledger_row(Column("received", Date, nullable=False, index=True)),
)
"""Requests for assessment as received (SEN2 counts requests by the day they arrived)."""


# --- the read model: each case workflow as it stands (statutory.read_model) --------------------
# Rewritten, not appended: a view replaces the last one of its workflow when it is newer (its
# cycle, then its version), so a late or retried write never overwrites a newer state.

case_view = Table(
    "case_view",
    metadata,
    _row_id(),
    Column("workflow_id", String(120), nullable=False, unique=True),
    Column("case_ref", String(40), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("cycle", Integer, nullable=False),
    Column("stage", String(40), nullable=False),
    Column("caseworker", String(40), nullable=False),
    Column("team", String(40), nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("next_step", String(80)),
    Column("next_label", String(300)),
    Column("next_regulation", String(80)),
    Column("next_statutory", Boolean, nullable=False),
    Column("next_due", Date),
    Column("provider", String(120)),
    Column("phase_transfer_due", Date),
    Column("review_due", Date),
    Column("final_plan_due", Date),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Overdue lists: open cases by next date; of one team; of one caseworker.
    Index("ix_case_view_open_next_due", "is_open", "next_due"),
    Index("ix_case_view_team_open_next_due", "team", "is_open", "next_due"),
    Index("ix_case_view_caseworker_open_next_due", "caseworker", "is_open", "next_due"),
)

step_view = Table(
    "step_view",
    metadata,
    _row_id(),
    *_case(),
    Column("kind", String(20), nullable=False),
    Column("step", String(60), nullable=False),
    Column("label", String(300), nullable=False),
    Column("regulation", String(80), nullable=False),
    Column("statutory", Boolean, nullable=False),
    Column("step_kind", String(20), nullable=False),
    Column("due", Date, nullable=False),
    Column("operational_due", Date, nullable=False),
    Column("done_on", Date),
    # status: the status truth table's word when the view was built (statutory.steps)
    Column("status", String(20), nullable=False),
    Column("caseworker", String(40), nullable=False),
    Column("team", String(40), nullable=False, index=True),
    UniqueConstraint("workflow_id", "step", name="uq_step_view_workflow_step"),
)
