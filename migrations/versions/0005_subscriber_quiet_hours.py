"""Each runner's own quiet hours (/quiet), 21:00-07:00 local unless they choose otherwise.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quiet_start", sa.Time(), server_default=sa.text("'21:00:00'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("quiet_end", sa.Time(), server_default=sa.text("'07:00:00'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")
