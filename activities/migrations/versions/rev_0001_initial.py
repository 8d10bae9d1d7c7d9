"""Initial schema: the outbox and the reporting ledger (steps and outcomes).

Revision ID: 0001
Revises:
Create Date: 2026-11-01

Databases made before migrations existed (``metadata.create_all``) already hold some or all
of these tables: each table is created only if it is missing, so such a database simply
joins the migration history here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "outbox" not in existing:
        op.create_table(
            "outbox",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("idempotency_key", sa.String(300), nullable=False, unique=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
            sa.Column("workflow_id", sa.String(120), nullable=False),
            sa.Column("case_ref", sa.String(40), nullable=False),
            sa.Column("process", sa.String(20), nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("level", sa.Integer(), nullable=False),
            sa.Column("step", sa.String(60), nullable=False),
            sa.Column("regulation", sa.String(80), nullable=False),
            sa.Column("due", sa.Date(), nullable=False),
            sa.Column("target", sa.Date(), nullable=False),
            sa.Column("recipient_role", sa.String(20), nullable=False),
            sa.Column("recipient", sa.String(80), nullable=False),
            sa.Column("subject", sa.String(200), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
        )
        _indexes("outbox", "workflow_id", "case_ref")
    if "ledger_steps" not in existing:
        op.create_table(
            "ledger_steps",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("key", sa.String(300), nullable=False, unique=True),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("workflow_id", sa.String(120), nullable=False),
            sa.Column("case_ref", sa.String(40), nullable=False),
            sa.Column("process", sa.String(20), nullable=False),
            sa.Column("cycle", sa.Integer(), nullable=False),
            sa.Column("step", sa.String(60), nullable=False),
            sa.Column("regulation", sa.String(80), nullable=False),
            sa.Column("due", sa.Date(), nullable=False),
            sa.Column("target", sa.Date(), nullable=False),
            sa.Column("completed_on", sa.Date(), nullable=False),
            sa.Column("met", sa.Boolean(), nullable=False),
            sa.Column("exception_applies", sa.Boolean(), nullable=False),
            sa.Column("statutory", sa.Boolean(), nullable=False),
            sa.Column("caseworker", sa.String(40), nullable=False),
            sa.Column("team", sa.String(40), nullable=False),
            sa.Column("detail", sa.JSON(), nullable=False),
        )
        _indexes("ledger_steps", "workflow_id", "case_ref", "completed_on", "team")
    if "ledger_outcomes" not in existing:
        op.create_table(
            "ledger_outcomes",
            sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("key", sa.String(300), nullable=False, unique=True),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("workflow_id", sa.String(120), nullable=False),
            sa.Column("case_ref", sa.String(40), nullable=False),
            sa.Column("process", sa.String(20), nullable=False),
            sa.Column("cycle", sa.Integer(), nullable=False),
            sa.Column("ended_on", sa.Date(), nullable=False),
            sa.Column("caseworker", sa.String(40), nullable=False),
            sa.Column("team", sa.String(40), nullable=False),
            sa.Column("outcome", sa.JSON(), nullable=False),
        )
        _indexes("ledger_outcomes", "workflow_id", "case_ref", "ended_on", "team")


def downgrade() -> None:
    for table in ("ledger_outcomes", "ledger_steps", "outbox"):
        op.drop_table(table)
