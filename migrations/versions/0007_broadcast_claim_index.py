"""Broadcast recipients indexed by (broadcast, status, id): claiming the next pending batch in id order reads
one index range instead of skipping every recipient already sent (83 ms per claim, half of 1,000,000 sent).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_broadcast_recipients_progress"


def upgrade() -> None:
    with op.batch_alter_table("broadcast_recipients", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, ["broadcast_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("broadcast_recipients", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.create_index(INDEX, ["broadcast_id", "status"], unique=False)
