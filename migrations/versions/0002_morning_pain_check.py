"""Deliveries remember when to ask the next-morning pain question.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("morning_check_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_deliveries_morning_check",
            ["morning_check_at"],
            unique=False,
            postgresql_where=sa.text("morning_check_at IS NOT NULL"),
            sqlite_where=sa.text("morning_check_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_deliveries_morning_check",
            postgresql_where=sa.text("morning_check_at IS NOT NULL"),
            sqlite_where=sa.text("morning_check_at IS NOT NULL"),
        )
        batch_op.drop_column("morning_check_at")
