"""A coach's broadcast, from draft to sent: the steps of `/broadcast` as changes to the draft row.

The draft lives in the database (status `draft`, `draft_step` saying what comes next), never in memory, so
in webhook mode any bot process can take the coach's next message or tap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.models import Broadcast, Subscriber
from bot.db.repositories import Repository
from bot.domain.parsing import parse_number
from bot.domain.programme import Programme

INACTIVE_DAYS = 7
"""The "inactive" audience: runners with no answer to a drill for this many days."""


@dataclass(frozen=True, slots=True)
class Content:
    """What the coach sent: Telegram HTML, and the file id of a GIF or photo."""

    text: str
    media_kind: str | None = None
    media_file_id: str | None = None


def segment_from(choice: str, programme: Programme) -> dict[str, Any] | None:
    """An audience button's payload (`all`, `level:2`, `stage:3`, `source:club`, `inactive`) as a segment."""
    kind, _, value = choice.partition(":")
    if kind == "all" and not value:
        return {}
    if kind == "inactive" and not value:
        return {"inactive_days": INACTIVE_DAYS}
    if kind == "source" and value:
        return {"source": value}
    number = parse_number(value)
    if kind in ("level", "stage") and number is not None:
        numbers = {item.number for item in (programme.levels if kind == "level" else programme.stages)}
        return {kind: number} if number in numbers else None
    return None


def ask_version(draft: Broadcast, language: str) -> None:
    """The coach's next message is the draft's text in `language`, for the runners who speak it."""
    draft.draft_step = "content"
    draft.version_language = language


def set_version(draft: Broadcast, text: str) -> None:
    """Keep the version the coach wrote (the caption, for a GIF or photo); back to the confirmation step."""
    if draft.version_language is not None:
        draft.versions = {**(draft.versions or {}), draft.version_language: text}
    draft.version_language = None
    draft.draft_step = "confirm"


def drop_version_question(draft: Broadcast) -> None:
    """A button tapped instead of writing the version: the draft is back at its confirmation step."""
    draft.version_language = None
    draft.draft_step = "confirm"


def set_content(draft: Broadcast, content: Content) -> None:
    draft.text = content.text
    draft.media_kind = content.media_kind
    draft.media_file_id = content.media_file_id
    draft.media_path = None
    draft.draft_step = "audience"


async def choose_audience(
    repo: Repository, draft: Broadcast, segment: dict[str, Any], *, now: datetime
) -> int:
    """Who would get it now; the draft keeps the audience only if somebody is in it."""
    count = await repo.broadcasts.count_audience(segment, now=now)
    if count:
        draft.segment = segment
        draft.draft_step = "confirm"
    return count


async def send_now(repo: Repository, draft: Broadcast, *, chat_id: int, now: datetime) -> bool:
    """Start sending, recipients chosen now; False if the draft was already sent or cancelled."""
    if not await repo.broadcasts.start(draft, now=now):
        return False
    draft.progress_chat_id = chat_id
    return True


def schedule(draft: Broadcast, *, send_at: datetime, chat_id: int) -> None:
    """Recipients are chosen when it starts, so runners who pause or stop meanwhile are left out."""
    draft.status = "scheduled"
    draft.draft_step = None
    draft.send_at = send_at
    draft.progress_chat_id = chat_id


def set_button(draft: Broadcast, drill_slug: str | None) -> None:
    """The "Try it now" drill under the message, or none; back to the confirmation step either way."""
    draft.button_drill_slug = drill_slug
    draft.draft_step = "confirm"


def cancel_draft(draft: Broadcast, *, now: datetime) -> None:
    draft.status = "cancelled"
    draft.draft_step = None
    draft.finished_at = now


def is_ready(draft: Broadcast) -> bool:
    """Content and audience are chosen, so it can be previewed, tested, scheduled or sent."""
    return draft.draft_step in ("confirm", "send_at", "button")


async def drill_to_try(
    repo: Repository, broadcast_id: int, *, subscriber: Subscriber | None, coach: bool
) -> str | None:
    """The drill a broadcast's "Try it now" button sends, for a coach (on a preview or test, even of a
    draft) or a runner the broadcast was sent to; None for anyone else, and for a broadcast without one."""
    broadcast = await repo.broadcasts.get(broadcast_id)
    if broadcast is None:
        return None
    allowed = coach or (
        subscriber is not None
        and await repo.broadcasts.was_sent_to(broadcast_id=broadcast.id, subscriber_id=subscriber.id)
    )
    return broadcast.button_drill_slug if allowed else None
