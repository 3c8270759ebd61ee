"""Each runner's last drill time on the runner, so retention is one pass over `subscribers`; filled from the
sent deliveries already there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = """
UPDATE subscribers SET last_drill_sent_at = latest.sent_at
FROM (
    SELECT subscriber_id, MAX(sent_at) AS sent_at FROM deliveries WHERE status = 'sent' GROUP BY subscriber_id
) AS latest
WHERE latest.subscriber_id = subscribers.id
"""


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_drill_sent_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("last_drill_sent_at")
