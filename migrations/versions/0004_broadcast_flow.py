"""Coaches compose broadcasts in Telegram: a draft step, claimed and deleted recipients, deleted broadcasts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BROADCAST_BEFORE = "status IN ('draft', 'scheduled', 'sending', 'done', 'cancelled')"
BROADCAST_AFTER = "status IN ('draft', 'scheduled', 'sending', 'done', 'cancelled', 'deleted')"
DRAFT_STEP = "draft_step IS NULL OR draft_step IN ('content', 'audience', 'confirm', 'send_at', 'button')"
RECIPIENT_BEFORE = "status IN ('pending', 'sent', 'blocked', 'failed')"
RECIPIENT_AFTER = "status IN ('pending', 'sending', 'sent', 'blocked', 'failed', 'deleted')"


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_step", sa.String(length=16), nullable=True))
        batch_op.drop_constraint(op.f("ck_broadcasts_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_broadcasts_status"), BROADCAST_AFTER)
        batch_op.create_check_constraint(op.f("ck_broadcasts_draft_step"), DRAFT_STEP)
    with op.batch_alter_table("broadcast_recipients", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_broadcast_recipients_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_broadcast_recipients_status"), RECIPIENT_AFTER)


def downgrade() -> None:
    op.execute("UPDATE broadcast_recipients SET status = 'pending' WHERE status = 'sending'")
    op.execute("UPDATE broadcast_recipients SET status = 'sent' WHERE status = 'deleted'")
    op.execute("UPDATE broadcasts SET status = 'done' WHERE status = 'deleted'")
    with op.batch_alter_table("broadcast_recipients", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_broadcast_recipients_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_broadcast_recipients_status"), RECIPIENT_BEFORE)
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_broadcasts_draft_step"), type_="check")
        batch_op.drop_constraint(op.f("ck_broadcasts_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_broadcasts_status"), BROADCAST_BEFORE)
        batch_op.drop_column("draft_step")
