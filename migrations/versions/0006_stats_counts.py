"""Drill cards per local day and drill (sent, failed, sent ones by latest answer), so `/stats` reads a few
hundred rows instead of every delivery of four weeks; filled from the existing deliveries and check-ins.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = ("done", "easy", "hard", "skipped", "pain")

# Each delivery once (rank 1: its latest answer with an outcome, or the delivery alone when unanswered),
# numbered in one pass over deliveries joined to their answers; the same on SQLite and PostgreSQL.
BACKFILL = f"""
INSERT INTO drill_day_counts (local_date, drill_id, sent, failed, {", ".join(OUTCOMES)})
SELECT local_date, drill_id,
    SUM(CASE WHEN rank = 1 AND status = 'sent' THEN 1 ELSE 0 END),
    SUM(CASE WHEN rank = 1 AND status = 'failed' THEN 1 ELSE 0 END),
    {
    ", ".join(
        f"SUM(CASE WHEN rank = 1 AND status = 'sent' AND outcome = '{o}' THEN 1 ELSE 0 END)" for o in OUTCOMES
    )
}
FROM (
    SELECT d.local_date, d.drill_id, d.status, c.outcome,
        ROW_NUMBER() OVER (PARTITION BY d.id ORDER BY c.received_at DESC, c.id DESC) AS rank
    FROM deliveries AS d
    LEFT JOIN check_ins AS c ON c.delivery_id = d.id AND c.outcome IS NOT NULL
    WHERE d.status IN ('sent', 'failed')
) AS answers
GROUP BY local_date, drill_id
"""


def upgrade() -> None:
    op.create_table(
        "drill_day_counts",
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in ("sent", "failed", *OUTCOMES)),
        sa.ForeignKeyConstraint(
            ["drill_id"], ["drills.id"], name=op.f("fk_drill_day_counts_drill_id_drills"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("local_date", "drill_id", name=op.f("pk_drill_day_counts")),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("drill_day_counts")
