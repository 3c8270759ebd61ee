"""Every query lives here, grouped by table; handlers and services get a `Repository` per unit of work."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repositories.drills import DrillRepository


class Repository:
    """The queries of one unit of work, sharing one session (and so one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.drills = DrillRepository(session)


__all__ = ["DrillRepository", "Repository"]
