"""What a running bot process shares between its Telegram handlers and its delivery work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.repositories import Repository
from bot.domain.clock import Clock
from bot.domain.programme import Programme


@dataclass
class Runtime:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    programme: Programme
    content_dir: Path
    media_hashes: Mapping[str, str] = field(default_factory=dict)
    """Drill slug -> sha256 of its GIF, the key under which Telegram's file id is cached."""

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[Repository]:
        """One transaction: committed when the block ends normally, rolled back on any error."""
        async with self.session_factory() as session, session.begin():
            yield Repository(session)
