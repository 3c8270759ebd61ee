"""What a running bot process shares between its Telegram handlers and its delivery work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.db.engine import READ_ONLY
from bot.db.repositories import Repository
from bot.db.transient import DatabaseHealth, Sleep
from bot.domain.clock import Clock
from bot.domain.programme import Programme
from bot.metrics import Metrics


class StartupError(Exception):
    """Something an operator must fix before the bot can run; the message says what, in one line."""


class Wakeup:
    """Tells this process's dispatcher, asleep until its next planned look, that a runner's change (a new
    time, a resumed pause) made a drill due before then."""

    def __init__(self) -> None:
        self.sooner = asyncio.Event()
        self._planned: datetime | None = None
        self._earliest: datetime | None = None

    def start_looking(self) -> None:
        """The dispatcher is about to look at the database: what it finds needs no wake-up."""
        self.sooner.clear()
        self._planned = None
        self._earliest = None

    def plan(self, wake_at: datetime) -> datetime:
        """The dispatcher plans to look again at `wake_at`; sooner if a change came in since it looked."""
        if self._earliest is not None:
            wake_at = min(wake_at, self._earliest)
        self._planned = wake_at
        return wake_at

    def due_at(self, moment: datetime) -> None:
        """A drill is now due at `moment` (committed)."""
        if self._earliest is None or moment < self._earliest:
            self._earliest = moment
        if self._planned is not None and moment < self._planned:
            self.sooner.set()


@dataclass
class Runtime:
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    clock: Clock
    programme: Programme
    content_dir: Path
    media_hashes: Mapping[str, str] = field(default_factory=dict)
    """Drill slug -> sha256 of its GIF, the key under which Telegram's file id is cached."""
    previous_programme: Programme | None = None
    """The programme before the last `/reload`: it still plans the rest of the day that reload fell on."""
    content_changed_at: datetime | None = None
    content_stamp: datetime | None = None
    """The drills table's last change this process has taken in; a later one means new content to load."""
    retry_sleep: Sleep = asyncio.sleep
    """How a transaction retried after a deadlock or lost connection waits, and an update held through a
    database outage; tests pass one that does not (or one that waits for the outage to end)."""
    database_health: DatabaseHealth = field(default_factory=DatabaseHealth)
    metrics: Metrics = field(default_factory=Metrics)
    wakeup: Wakeup = field(default_factory=Wakeup)

    def programme_on(self, local_date: date, zone: tzinfo) -> Programme:
        """The programme that plans a runner's `local_date`.

        Content reloaded during a runner's day applies from their next day: a new drill joins the rotation
        tomorrow, and a runner still waiting for today's drill gets the one today's programme gave them.
        """
        changed_at = self.content_changed_at
        if self.previous_programme is None or changed_at is None:
            return self.programme
        return self.previous_programme if local_date <= changed_at.astimezone(zone).date() else self.programme

    def use_content(self, programme: Programme, media_hashes: Mapping[str, str], *, now: datetime) -> None:
        """Switch to reloaded content. Retired drills stay known (never planned again, as no rotation has
        them), so a card already sent with one can still be re-sent, answered and named in /history."""
        retired = {
            slug: drill for slug, drill in self.programme.drills.items() if slug not in programme.drills
        }
        self.previous_programme = self.programme
        self.programme = replace(programme, drills={**retired, **programme.drills})
        self.media_hashes = {**self.media_hashes, **media_hashes}
        self.content_changed_at = now

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[Repository]:
        """One transaction: committed when the block ends normally, rolled back on any error."""
        async with self.session_factory() as session, session.begin():
            repo = Repository(session)
            yield repo
        if repo.due_soonest is not None:
            self.wakeup.due_at(repo.due_soonest)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Repository]:
        """A transaction that only reads: on SQLite it takes no write lock, so no writer waits for it."""
        async with self.session_factory(execution_options=READ_ONLY) as session, session.begin():
            yield Repository(session)
