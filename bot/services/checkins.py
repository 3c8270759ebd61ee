"""Recording a runner's answers: button taps, pain scores, text replies and notes. Every reply is kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import Repository
from bot.domain.programme import Outcome
from bot.domain.replies import parse_reply
from bot.domain.schedule import after_quiet_hours, local_date, slot_on
from bot.services.subscriptions import quiet_hours_of, today_for, zone_of

ANSWER_WINDOW = timedelta(days=7)
"""Answers to drills older than this are refused: the programme has moved on."""
MORNING_CHECK_TIME = time(8, 0)
SAFE_PAIN = 3


def _ask_next_morning(delivery: Delivery, subscriber: Subscriber, pain: int | None, now: datetime) -> None:
    """After a painful session, ask once the next morning how it feels (the traffic light's 24 h rule)."""
    if pain is not None and pain <= SAFE_PAIN:
        return
    if delivery.morning_check_at is not None:
        return
    zone = zone_of(subscriber)
    tomorrow = local_date(now, zone) + timedelta(days=1)
    delivery.morning_check_at = after_quiet_hours(
        slot_on(tomorrow, MORNING_CHECK_TIME, zone), zone, quiet_hours_of(subscriber)
    )


class Refusal(StrEnum):
    NOT_SUBSCRIBED = "not_subscribed"
    NO_SUCH_DELIVERY = "no_such_delivery"
    NOT_YOURS = "not_yours"
    TOO_OLD = "too_old"
    NOTHING_OPEN = "nothing_open"


@dataclass(frozen=True, slots=True)
class Recorded:
    delivery: Delivery
    outcome: Outcome | None
    pain: int | None
    note: str | None


async def _answerable(
    repo: Repository, subscriber: Subscriber | None, delivery_id: int, now: datetime
) -> Delivery | Refusal:
    if subscriber is None:
        return Refusal.NOT_SUBSCRIBED
    delivery = await repo.deliveries.get(delivery_id)
    if delivery is None:
        return Refusal.NO_SUCH_DELIVERY
    if delivery.subscriber_id != subscriber.id:
        return Refusal.NOT_YOURS
    if delivery.local_date < today_for(subscriber, now) - ANSWER_WINDOW:
        return Refusal.TOO_OLD
    return delivery


async def record_outcome(
    repo: Repository,
    *,
    telegram_id: int,
    delivery_id: int,
    outcome: Outcome,
    pain: int | None = None,
    via: str = "button",
    now: datetime,
) -> Recorded | Refusal:
    """A tap on a check-in button (or a pain score): checked against the person who pressed it."""
    subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    delivery = await _answerable(repo, subscriber, delivery_id, now)
    if isinstance(delivery, Refusal):
        return delivery
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=outcome.value, pain=pain, note=None, via=via, now=now
    )
    if outcome is Outcome.PAIN and subscriber is not None:
        _ask_next_morning(delivery, subscriber, pain, now)
    return Recorded(delivery, outcome, pain, None)


async def record_morning_pain(
    repo: Repository, *, telegram_id: int, delivery_id: int, pain: int, now: datetime
) -> Recorded | Refusal:
    """The next-morning 0-10 check after a painful session: kept as pain, the outcome stays as it was."""
    subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    delivery = await _answerable(repo, subscriber, delivery_id, now)
    if isinstance(delivery, Refusal):
        return delivery
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=None, pain=pain, note=None, via="morning", now=now
    )
    return Recorded(delivery, None, pain, None)


async def record_text(
    repo: Repository,
    subscriber: Subscriber,
    text: str,
    *,
    reply_to_message_id: int | None,
    now: datetime,
) -> Recorded | Refusal:
    """A typed reply: against the drill message it answers, or else the latest drill still open."""
    delivery: Delivery | None = None
    if reply_to_message_id is not None:
        delivery = await repo.deliveries.by_message(
            subscriber_id=subscriber.id, message_id=reply_to_message_id
        )
    if delivery is None:
        delivery = await repo.deliveries.latest_open(
            subscriber_id=subscriber.id, not_before=today_for(subscriber, now) - ANSWER_WINDOW
        )
    if delivery is None:
        return Refusal.NOTHING_OPEN
    parsed = parse_reply(text)
    note = parsed.note or None
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id,
        outcome=parsed.outcome.value if parsed.outcome else None,
        pain=parsed.pain,
        note=note,
        via="reply" if reply_to_message_id is not None else "text",
        now=now,
    )
    if parsed.outcome is Outcome.PAIN:
        _ask_next_morning(delivery, subscriber, parsed.pain, now)
    return Recorded(delivery, parsed.outcome, parsed.pain, note)
