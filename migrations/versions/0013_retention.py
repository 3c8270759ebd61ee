"""Retention: pruned deliveries fold into `runner_days`, pruned check-ins into `archived_check_ins`; an
index finds the pauses that have run their course without reading every runner.

Revision ID: 0013_retention
Revises: 0012_snooze_once
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_retention"
down_revision: str | None = "0012_snooze_once"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOME_CHECK = "outcome IS NULL OR outcome IN ('done', 'easy', 'hard', 'skipped', 'pain')"


def upgrade() -> None:
    op.create_index(
        "ix_subscribers_pause_ends",
        "subscribers",
        ["next_delivery_at"],
        unique=False,
        postgresql_where=sa.text("status = 'paused'"),
        sqlite_where=sa.text("status = 'paused'"),
    )
    op.create_table(
        "runner_days",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("dose", sa.String(length=40), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("pain", sa.SmallInteger(), nullable=True),
        sa.Column("has_note", sa.Boolean(), nullable=False),
        sa.Column("excused", sa.Boolean(), nullable=False),
        sa.CheckConstraint(OUTCOME_CHECK, name=op.f("ck_runner_days_outcome")),
        sa.CheckConstraint("status IN ('sent', 'failed')", name=op.f("ck_runner_days_status")),
        sa.ForeignKeyConstraint(
            ["drill_id"], ["drills.id"], name=op.f("fk_runner_days_drill_id_drills"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_runner_days_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "local_date", name=op.f("pk_runner_days")),
    )
    op.create_table(
        "archived_check_ins",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("pain", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drill_id"],
            ["drills.id"],
            name=op.f("fk_archived_check_ins_drill_id_drills"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_archived_check_ins_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_check_ins")),
    )
    op.create_index(
        op.f("ix_archived_check_ins_subscriber_id"), "archived_check_ins", ["subscriber_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_archived_check_ins_subscriber_id"), table_name="archived_check_ins")
    op.drop_table("archived_check_ins")
    op.drop_table("runner_days")
    op.drop_index(
        "ix_subscribers_pause_ends",
        table_name="subscribers",
        postgresql_where=sa.text("status = 'paused'"),
        sqlite_where=sa.text("status = 'paused'"),
    )
