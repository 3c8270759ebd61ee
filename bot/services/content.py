"""Content updates while runners are being coached: sync the drills, tell runners what is new, and switch a
running bot to the new content (`glutebot content sync --announce`, `/reload`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.content.loader import ContentError, LoadedContent, load_content
from bot.db.repositories import DrillSyncReport, Repository
from bot.domain.programme import Drill, Programme, Stage
from bot.i18n import _, ngettext
from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Announcement:
    """A broadcast telling the active runners at one stage about the drills it just got."""

    stage: int
    broadcast_id: int
    recipients: int


@dataclass(frozen=True, slots=True)
class ContentUpdate:
    report: DrillSyncReport
    announcements: tuple[Announcement, ...] = ()


def new_drills_by_stage(programme: Programme, slugs: Iterable[str]) -> dict[int, list[Drill]]:
    by_stage: dict[int, list[Drill]] = {}
    for slug in slugs:
        drill = programme.drills[slug]
        by_stage.setdefault(drill.stage, []).append(drill)
    return dict(sorted(by_stage.items()))


def announcement(stage: Stage, drills: list[Drill]) -> str:
    """The message for runners at `stage`: what is new and why it helps, in a few lines."""
    # Translators: a heading: the stage's number, then its name.
    lines = [_("<b>New in stage {number}, {stage}</b>").format(number=stage.number, stage=escape(stage.name))]
    lines += [f"• <b>{escape(drill.name)}</b>: {escape(drill.purpose)}" for drill in drills]
    lines.append(
        ngettext(
            "It joins your rotation from tomorrow.", "They join your rotation from tomorrow.", len(drills)
        )
    )
    return "\n".join(lines)


async def apply_content(
    session_factory: async_sessionmaker[AsyncSession],
    content: LoadedContent,
    *,
    now: datetime,
    announce: bool,
    created_by: int,
) -> ContentUpdate:
    """Sync drills and, when asked, create the announcements, in one transaction: a sync that committed
    always has its announcements, and one that added nothing announces nothing."""
    programme = content.programme
    async with session_factory() as session, session.begin():
        repo = Repository(session)
        report = await repo.drills.sync(programme.drills.values(), gif_hashes=content.media_hashes, now=now)
        announcements: list[Announcement] = []
        if announce:
            for stage, drills in new_drills_by_stage(programme, report.added).items():
                broadcast = await repo.broadcasts.create(
                    created_by=created_by, text=announcement(programme.stage(stage), drills),
                    segment={"stage": stage}, media_kind=None, media_path=None, button_drill_slug=None,
                    now=now,
                )  # fmt: skip
                recipients = (await repo.broadcasts.figures(broadcast.id)).total
                announcements.append(Announcement(stage, broadcast.id, recipients))
    return ContentUpdate(report, tuple(announcements))


async def reload_content(runtime: Runtime, *, announce: bool, created_by: int) -> ContentUpdate:
    """`/reload`: the content directory validated, synced, and used by this process from each runner's
    next day. Raises ContentError, listing every problem, before anything is written or switched."""
    content = await asyncio.to_thread(load_content, runtime.content_dir)
    now = runtime.clock.now()
    update = await apply_content(
        runtime.session_factory, content, now=now, announce=announce, created_by=created_by
    )
    runtime.use_content(content.programme, content.media_hashes, now=now)
    async with runtime.unit_of_work() as repo:
        runtime.content_stamp = await repo.drills.last_change()
    return update


async def follow_content(runtime: Runtime, stamp: datetime | None) -> bool:
    """Take in content that another process synced (`glutebot content sync`, or `/reload` in the bot
    process while this one is a worker): reload the content directory when the drills table has changed.

    Called on every dispatcher tick with `stamp`, the drills' last change its look at the database read.
    Content that no longer validates here is logged and left alone, and this process keeps what it has.
    """
    known = runtime.content_stamp
    runtime.content_stamp = stamp
    if known is None or stamp is None or stamp <= known:
        return False
    try:
        content = await asyncio.to_thread(load_content, runtime.content_dir, allow_missing_media=True)
    except ContentError as error:
        log.warning("drills changed in the database but %s does not load: %s", runtime.content_dir, error)
        return False
    runtime.use_content(content.programme, content.media_hashes, now=runtime.clock.now())
    log.info("content reloaded after a sync: %d drills", len(content.programme.drills))
    return True
