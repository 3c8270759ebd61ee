"""Deliveries can be snoozed ("Later") and carry the time of their one reminder.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("snoozed_until", "nudge_at")


def upgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
            batch_op.create_index(
                f"ix_deliveries_{column}",
                [column],
                unique=False,
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
            )


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(
                f"ix_deliveries_{column}",
                postgresql_where=sa.text(f"{column} IS NOT NULL"),
                sqlite_where=sa.text(f"{column} IS NOT NULL"),
            )
            batch_op.drop_column(column)
