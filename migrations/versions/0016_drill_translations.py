"""The drills' text in every language, and a broadcast's versions per language.

`drills.translations` holds each drill's text fields in the other languages (from content/locales), so
every process reads them back with the drill; the next content sync fills it. `broadcasts.versions` holds
the coach's message in other languages, and `version_language` the language of the version being written.

Revision ID: 0016_drill_translations
Revises: 0015_kit_and_drill_fields
Create Date: 2026-12-01 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_drill_translations"
down_revision: str | None = "0015_kit_and_drill_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("drills", sa.Column("translations", sa.JSON(), nullable=True))
    op.add_column("broadcasts", sa.Column("versions", sa.JSON(), nullable=True))
    op.add_column("broadcasts", sa.Column("version_language", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE broadcasts DROP COLUMN version_language")
    op.execute("ALTER TABLE broadcasts DROP COLUMN versions")
    op.execute("ALTER TABLE drills DROP COLUMN translations")
