"""Telegram file ids per bot and content hash, and the update ids a webhook has already handled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import MediaFile, ProcessedUpdate


class MediaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def file_id(self, *, bot_id: int, content_hash: str) -> str | None:
        return await self.session.scalar(
            select(MediaFile.file_id).where(
                MediaFile.bot_id == bot_id, MediaFile.content_hash == content_hash
            )
        )

    async def remember(self, *, bot_id: int, content_hash: str, file_id: str, now: datetime) -> None:
        """Keep the first file id stored; another process uploading the same GIF meanwhile is harmless."""
        try:
            async with self.session.begin_nested():
                self.session.add(
                    MediaFile(bot_id=bot_id, content_hash=content_hash, file_id=file_id, created_at=now)
                )
        except IntegrityError:
            pass

    async def forget(self, *, bot_id: int, content_hash: str) -> None:
        await self.session.execute(
            delete(MediaFile).where(MediaFile.bot_id == bot_id, MediaFile.content_hash == content_hash)
        )


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, *, bot_id: int, update_id: int, now: datetime) -> bool:
        """True the first time an update id is seen; False for a re-sent one."""
        try:
            async with self.session.begin_nested():
                self.session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, received_at=now))
        except IntegrityError:
            return False
        return True

    async def forget_older_than(self, moment: datetime) -> None:
        await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.received_at < moment))
