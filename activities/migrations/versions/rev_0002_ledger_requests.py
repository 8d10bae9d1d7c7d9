"""Requests for assessment in the ledger, for the SEN2 count of requests received.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_requests",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workflow_id", sa.String(120), nullable=False),
        sa.Column("case_ref", sa.String(40), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("caseworker", sa.String(40), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
    )
    for column in ("workflow_id", "case_ref", "received", "team"):
        op.create_index(op.f(f"ix_ledger_requests_{column}"), "ledger_requests", [column])


def downgrade() -> None:
    op.drop_table("ledger_requests")
