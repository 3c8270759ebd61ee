"""Progress per runner per drill; the runner's stage start, long run, race, self-test and entry gate.

Each runner's drills get a row of their own: the rung of the last dose they were given (read from their
deliveries against the drill's ladder), their last answer and when they last saw it; the shared rung and
run of good sessions leave the runner's row. Nothing is lost: deliveries and check-ins are untouched.
`programme_started_on` becomes `stage_started_on` (the best anchor an existing runner has).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAG_COLUMNS = ("readiness_due", "plyometric_ready")
"""A self-test is due; the hopping drills' entry gate is passed (existing runners must pass it too)."""
RUNNING_COLUMNS = (
    ("long_run_weekday", sa.SmallInteger()),
    ("race_on", sa.Date()),
    ("race_name", sa.String(length=64)),
)


def _compact(dose: str) -> str:
    return "".join(dose.lower().split())


def _carry_over_progress() -> None:
    """One row per runner and drill they were given: the rung of the latest dose (a dose off the ladder,
    such as a lighter week's, counts as the first rung), the latest answer."""
    connection = op.get_bind()
    ladders = {
        drill_id: [_compact(text) for text in (json.loads(doses) if isinstance(doses, str) else doses)]
        for drill_id, doses in connection.execute(sa.text("SELECT id, doses FROM drills"))
    }
    latest = connection.execute(
        sa.text(
            "SELECT d.subscriber_id, d.drill_id, d.dose, d.local_date, "
            "(SELECT c.outcome FROM check_ins c WHERE c.delivery_id = d.id AND c.outcome IS NOT NULL "
            " ORDER BY c.received_at DESC, c.id DESC LIMIT 1) AS outcome "
            "FROM deliveries d WHERE d.local_date = (SELECT MAX(e.local_date) FROM deliveries e "
            "WHERE e.subscriber_id = d.subscriber_id AND e.drill_id = d.drill_id)"
        )
    )
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)
    rows = []
    for subscriber_id, drill_id, dose, local_date, outcome in latest:
        ladder = ladders.get(drill_id, [])
        step = ladder.index(_compact(dose)) if _compact(dose) in ladder else 0
        rows.append(
            {
                "subscriber_id": subscriber_id,
                "drill_id": drill_id,
                "step": step,
                "good_streak": 0,
                "last_outcome": outcome,
                "last_seen_on": date.fromisoformat(str(local_date)),
                "easier_next": False,
                "updated_at": now,
            }
        )
    if rows:
        op.bulk_insert(_progress_table(), rows)


def _progress_table() -> sa.Table:
    return sa.table(
        "drill_progress",
        sa.column("subscriber_id", sa.Integer()),
        sa.column("drill_id", sa.Integer()),
        sa.column("step", sa.SmallInteger()),
        sa.column("good_streak", sa.SmallInteger()),
        sa.column("last_outcome", sa.String()),
        sa.column("last_seen_on", sa.Date()),
        sa.column("easier_next", sa.Boolean()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )


def upgrade() -> None:
    # plain ALTER TABLE (SQLite 3.35+ too): a batch rebuild of subscribers would cascade-delete deliveries
    op.execute("ALTER TABLE subscribers RENAME COLUMN programme_started_on TO stage_started_on")
    op.execute("ALTER TABLE subscribers DROP COLUMN rung")
    op.execute("ALTER TABLE subscribers DROP COLUMN good_streak")
    for name, column_type in RUNNING_COLUMNS:
        op.add_column("subscribers", sa.Column(name, column_type, nullable=True))
    for flag in FLAG_COLUMNS:
        op.add_column(
            "subscribers", sa.Column(flag, sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    op.create_table(
        "drill_progress",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.SmallInteger(), nullable=False),
        sa.Column("good_streak", sa.SmallInteger(), nullable=False),
        sa.Column("last_outcome", sa.String(length=16), nullable=True),
        sa.Column("last_seen_on", sa.Date(), nullable=True),
        sa.Column("load_kg", sa.Float(), nullable=True),
        sa.Column("easier_next", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "last_outcome IS NULL OR last_outcome IN ('done', 'easy', 'hard', 'skipped', 'pain')",
            name=op.f("ck_drill_progress_last_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["drill_id"], ["drills.id"], name=op.f("fk_drill_progress_drill_id_drills"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_drill_progress_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_progress")),
        sa.UniqueConstraint("subscriber_id", "drill_id", name="uq_drill_progress_subscriber_drill"),
    )
    op.create_index(op.f("ix_drill_progress_drill_id"), "drill_progress", ["drill_id"], unique=False)
    _carry_over_progress()


def downgrade() -> None:
    op.drop_index(op.f("ix_drill_progress_drill_id"), table_name="drill_progress")
    op.drop_table("drill_progress")
    for flag in reversed(FLAG_COLUMNS):
        op.execute(f"ALTER TABLE subscribers DROP COLUMN {flag}")
    for name, _column_type in reversed(RUNNING_COLUMNS):
        op.execute(f"ALTER TABLE subscribers DROP COLUMN {name}")
    for name in ("rung", "good_streak"):
        op.add_column("subscribers", sa.Column(name, sa.SmallInteger(), server_default="0", nullable=False))
    op.execute("ALTER TABLE subscribers RENAME COLUMN stage_started_on TO programme_started_on")
