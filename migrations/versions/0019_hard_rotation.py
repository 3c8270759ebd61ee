"""The rotation keeps a second place, among its hard drills, that only hard days move.

With one place, lighter days walked past the hard drills they cannot serve (stage 4's hop-and-stick and
lateral hops never came). Existing runners' hard drills go on from where their one place stood (a stage 3
runner, whose rotation is all hard, carries on exactly where they were).

Revision ID: 0019_hard_rotation
Revises: 0018_senders
Create Date: 2026-12-01 07:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_hard_rotation"
down_revision: str | None = "0018_senders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "subscribers",
        sa.Column("hard_rotation_index", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.execute("UPDATE subscribers SET hard_rotation_index = rotation_index")


def downgrade() -> None:
    # Not a batch rebuild: on SQLite that would cascade-delete the runners' deliveries (see 0017).
    op.execute("ALTER TABLE subscribers DROP COLUMN hard_rotation_index")
