"""Outbox delivery: channel, status, attempts, last error and delivery time of each message.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-01

A database made by ``create_all`` while these columns were being added may have some of
them already: each is added only if missing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("channel", sa.String(20), nullable=False, server_default="outbox"),
        sa.Column("status", sa.String(20), nullable=False, server_default="stored"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
    ]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("outbox")}
    indexes = {i["name"] for i in inspector.get_indexes("outbox")}
    with op.batch_alter_table("outbox") as batch:
        for column in _columns():
            if column.name not in have:
                batch.add_column(column)
    if "ix_outbox_status" not in indexes:
        op.create_index(op.f("ix_outbox_status"), "outbox", ["status"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_status"), table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        for column in _columns():
            batch.drop_column(column.name)
