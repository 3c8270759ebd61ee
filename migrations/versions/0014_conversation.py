"""The question the bot has open with each runner: which one, when it was asked, and the message with its
buttons (taken off once the question is settled).

Revision ID: 0014_conversation
Revises: 0013_retention
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_conversation"
down_revision: str | None = "0013_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("question", sa.String(length=32)),
    ("question_asked_at", sa.DateTime(timezone=True)),
    ("question_message_id", sa.BigInteger()),
)


def upgrade() -> None:
    for name, column_type in COLUMNS:
        op.add_column("subscribers", sa.Column(name, column_type, nullable=True))


def downgrade() -> None:
    for name, _column_type in reversed(COLUMNS):
        op.execute(f"ALTER TABLE subscribers DROP COLUMN {name}")
