"""Outbox claims: a row is claimed before it is sent, and stays due until it is.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Adds who claimed a row, when and until when (its lease), when a due row may next be re-driven,
the Notify personalisation (to send a message again from its row alone) and the channel's own
reference for the message. ``pending`` becomes ``due``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("personalisation", sa.JSON()),
        sa.Column("not_before", sa.DateTime(timezone=True)),
        sa.Column("claim_token", sa.String(64)),
        sa.Column("claimed_by", sa.String(120)),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("reference", sa.String(200)),
    ]


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        for column in _columns():
            batch.add_column(column)
    op.execute("UPDATE outbox SET status = 'due' WHERE status = 'pending'")


def downgrade() -> None:
    op.execute("UPDATE outbox SET status = 'pending' WHERE status IN ('due', 'sending')")
    with op.batch_alter_table("outbox") as batch:
        for column in _columns():
            batch.drop_column(column.name)
