"""The read model: each case workflow and each of its steps as they stand.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10

``case_view`` (one row per case workflow) and ``step_view`` (one row per step of it), written
by the workflows' ``publish_view`` activity and rebuilt by ``ehc db reconcile``. Empty after
the upgrade: ``ehc db reconcile`` fills them from the cases Temporal holds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column])


def upgrade() -> None:
    op.create_table(
        "case_view",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(120), nullable=False, unique=True),
        sa.Column("case_ref", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("caseworker", sa.String(40), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("next_step", sa.String(80)),
        sa.Column("next_label", sa.String(300)),
        sa.Column("next_regulation", sa.String(80)),
        sa.Column("next_statutory", sa.Boolean(), nullable=False),
        sa.Column("next_due", sa.Date()),
        sa.Column("provider", sa.String(120)),
        sa.Column("phase_transfer_due", sa.Date()),
        sa.Column("review_due", sa.Date()),
        sa.Column("final_plan_due", sa.Date()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    _indexes("case_view", "case_ref")
    for name, leading in (
        ("open", []),
        ("team_open", ["team"]),
        ("caseworker_open", ["caseworker"]),
    ):
        op.create_index(
            f"ix_case_view_{name}_next_due", "case_view", [*leading, "is_open", "next_due"]
        )
    op.create_table(
        "step_view",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("workflow_id", sa.String(120), nullable=False),
        sa.Column("case_ref", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("step", sa.String(60), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("regulation", sa.String(80), nullable=False),
        sa.Column("statutory", sa.Boolean(), nullable=False),
        sa.Column("step_kind", sa.String(20), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("operational_due", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("caseworker", sa.String(40), nullable=False),
        sa.Column("team", sa.String(40), nullable=False),
        sa.UniqueConstraint("workflow_id", "step", name="uq_step_view_workflow_step"),
    )
    _indexes("step_view", "workflow_id", "case_ref", "team")


def downgrade() -> None:
    op.drop_table("step_view")
    op.drop_table("case_view")
