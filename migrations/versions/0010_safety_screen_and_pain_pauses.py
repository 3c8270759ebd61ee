"""The health screen's answers and outcome on each runner, pain pauses, and where and how pain was felt.

Runners who joined before the screen existed keep `health_screened_at` empty: they count as not yet
screened, and are asked once, at their next drill.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBSCRIBER_COLUMNS = (
    ("health_answers", sa.JSON()),
    ("health_asked_at", sa.DateTime(timezone=True)),
    ("health_screened_at", sa.DateTime(timezone=True)),
    ("health_cleared_at", sa.DateTime(timezone=True)),
    ("pain_pause", sa.String(length=32)),
    ("pain_pause_area", sa.String(length=16)),
    ("pain_paused_at", sa.DateTime(timezone=True)),
)
CHECK_IN_COLUMNS = (("pain_area", sa.String(length=16)), ("pain_kind", sa.String(length=16)))


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        for name, column_type in SUBSCRIBER_COLUMNS:
            batch_op.add_column(sa.Column(name, column_type, nullable=True))
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        for name, column_type in CHECK_IN_COLUMNS:
            batch_op.add_column(sa.Column(name, column_type, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        for name, _column_type in reversed(CHECK_IN_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        for name, _column_type in reversed(SUBSCRIBER_COLUMNS):
            batch_op.drop_column(name)
