"""Every query lives here, grouped by table; handlers and services get a `Repository` per unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.repositories.broadcasts import BroadcastFigures, BroadcastRepository
from bot.db.repositories.deliveries import DeliveryAnswer, DeliveryRepository
from bot.db.repositories.drills import DrillRepository, DrillSyncReport
from bot.db.repositories.media import MediaRepository, UpdateRepository
from bot.db.repositories.progress import ProgressRepository
from bot.db.repositories.retention import RetentionRepository
from bot.db.repositories.senders import SenderRepository
from bot.db.repositories.stats import DeliveryFigures, StatsRepository
from bot.db.repositories.subscribers import SubscriberRepository
from bot.db.repositories.ticks import TickProbe, TickRepository


class Repository:
    """The queries of one unit of work, sharing one session (and so one transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.drills = DrillRepository(session)
        self.subscribers = SubscriberRepository(session)
        self.deliveries = DeliveryRepository(session)
        self.media = MediaRepository(session)
        self.updates = UpdateRepository(session)
        self.stats = StatsRepository(session)
        self.progress = ProgressRepository(session)
        self.broadcasts = BroadcastRepository(session)
        self.retention = RetentionRepository(session)
        self.ticks = TickRepository(session)
        self.senders = SenderRepository(session)
        self.due_soonest: datetime | None = None
        """The earliest drill this unit of work scheduled; the dispatcher is told once it commits."""

    def scheduled(self, moment: datetime) -> None:
        if self.due_soonest is None or moment < self.due_soonest:
            self.due_soonest = moment

    async def ping(self) -> None:
        """One round trip to the database, for the health check."""
        await self.session.execute(text("SELECT 1"))


__all__ = [
    "BroadcastFigures",
    "BroadcastRepository",
    "DeliveryAnswer",
    "DeliveryFigures",
    "DeliveryRepository",
    "DrillRepository",
    "DrillSyncReport",
    "MediaRepository",
    "ProgressRepository",
    "Repository",
    "RetentionRepository",
    "SenderRepository",
    "StatsRepository",
    "SubscriberRepository",
    "TickProbe",
    "TickRepository",
    "UpdateRepository",
]
