"""The runner's language: one of the bot's languages, English unless they chose another.

`subscribers.language` held Telegram's raw `language_code` ("es-ES", "en-GB", or nothing) and was never
read. It now holds the language the runner is spoken to in ("en", "es", "de"), never empty. Existing
runners get the language their Telegram code names (es*, de*), else English. The column is renamed,
added again and filled, not altered in place: a batch rebuild of subscribers on SQLite would
cascade-delete their deliveries.

Revision ID: 0017_language
Revises: 0016_drill_translations
Create Date: 2026-12-01 03:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_language"
down_revision: str | None = "0016_drill_translations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE subscribers RENAME COLUMN language TO telegram_language")
    op.add_column(
        "subscribers",
        sa.Column("language", sa.String(length=16), server_default=sa.text("'en'"), nullable=False),
    )
    for code in ("es", "de"):
        op.execute(
            f"UPDATE subscribers SET language = '{code}' WHERE lower(telegram_language) LIKE '{code}%'"
        )
    op.execute("ALTER TABLE subscribers DROP COLUMN telegram_language")


def downgrade() -> None:
    op.execute("ALTER TABLE subscribers RENAME COLUMN language TO chosen_language")
    op.add_column("subscribers", sa.Column("language", sa.String(length=16), nullable=True))
    op.execute("UPDATE subscribers SET language = chosen_language")
    op.execute("ALTER TABLE subscribers DROP COLUMN chosen_language")
