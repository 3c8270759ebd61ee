"""Write validated content into the database in one transaction: all of it or none of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.loader import LoadedContent
from bot.db.repositories import Repository
from bot.db.repositories.drills import DrillSyncReport
from bot.i18n import N_, _


async def sync_content(
    session_factory: async_sessionmaker[AsyncSession], content: LoadedContent, *, now: datetime
) -> DrillSyncReport:
    async with session_factory() as session, session.begin():
        return await Repository(session).drills.sync(
            content.programme.drills.values(), gif_hashes=content.media_hashes, now=now
        )


def describe(report: DrillSyncReport) -> list[str]:
    """Lines for an operator (CLI) or a coach (`/reload`, in the coach's language) saying what changed."""
    if not report.any_change:
        return [_("Drills are up to date: nothing added, changed or retired.")]
    changes = (
        # Translators: {slugs} is a list of drill identifiers such as "glute-bridge, clamshell".
        (report.added, N_("added ({count}): {slugs}")),
        (report.changed, N_("changed ({count}): {slugs}")),
        (report.restored, N_("restored ({count}): {slugs}")),
        (report.retired, N_("retired ({count}): {slugs}")),
    )
    return [_(line).format(count=len(slugs), slugs=", ".join(slugs)) for slugs, line in changes if slugs]
