"""The runner's kit, the drill a "too hard" swap replaced, and every drill field in the drills table.

`subscribers.kit` is the kit words the runner owns (NULL: not told yet, planned as no kit);
`hop_check_due` asks the hopping gate's last check (pogo hops) in the chat. A delivery
swapped for its easier variant after "too hard" keeps the drill it replaced (`replaced_drill_id`, a plain
id: drills are retired, never deleted) and the last check-in about that drill (`swapped_after`: only later
answers count for the easier one), so /history says both. The drills table gains the fields the
engine reads (pattern, tags, kit-free alternative, tempo, load rule), so another process sees a content
change; existing rows are filled by the next content sync.

Revision ID: 0015_kit_and_drill_fields
Revises: 0014_conversation
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_kit_and_drill_fields"
down_revision: str | None = "0014_conversation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRILL_COLUMNS = (
    ("pattern", sa.String(length=24)),
    ("without_kit_slug", sa.String(length=80)),
    ("tempo", sa.String(length=60)),
    ("load_reps", sa.SmallInteger()),
    ("load_from_rung", sa.SmallInteger()),
)


def upgrade() -> None:
    # plain ALTER TABLE (SQLite too): a batch rebuild of subscribers would cascade-delete deliveries
    op.add_column("subscribers", sa.Column("kit", sa.JSON(), nullable=True))
    op.add_column(
        "subscribers",
        sa.Column("hop_check_due", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("deliveries", sa.Column("replaced_drill_id", sa.Integer(), nullable=True))
    op.add_column(
        "deliveries",
        sa.Column("swapped_after", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    )
    for name, column_type in DRILL_COLUMNS:
        op.add_column("drills", sa.Column(name, column_type, nullable=True))
    op.add_column("drills", sa.Column("tags", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE drills DROP COLUMN tags")
    for name, _column_type in reversed(DRILL_COLUMNS):
        op.execute(f"ALTER TABLE drills DROP COLUMN {name}")
    op.execute("ALTER TABLE deliveries DROP COLUMN swapped_after")
    op.execute("ALTER TABLE deliveries DROP COLUMN replaced_drill_id")
    op.execute("ALTER TABLE subscribers DROP COLUMN hop_check_due")
    op.execute("ALTER TABLE subscribers DROP COLUMN kit")
