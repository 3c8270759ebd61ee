"""The coach's broadcast summary (the message with Send now / Cancel) on the broadcast, so its buttons can be
taken away once the broadcast is scheduled by a typed time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 10:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("summary_message_id")
