"""Recording a runner's answers: button taps, pain scores, text replies and notes. Every reply is kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import Repository
from bot.domain.load import parse_load
from bot.domain.programme import Outcome, Programme
from bot.domain.progression import GOOD_OUTCOMES, DrillState
from bot.domain.replies import parse_reply
from bot.domain.safety import AMBER_WINDOW_DAYS, PAIN_BANDS, PainArea, PainKind, pain_pause
from bot.domain.schedule import after_quiet_hours, local_date, slot_on
from bot.services.safety import pause_for_pain
from bot.services.subscriptions import quiet_hours_of, today_for, zone_of

ANSWER_WINDOW = timedelta(days=7)
"""Answers to drills older than this are refused: the programme has moved on."""
MORNING_CHECK_TIME = time(8, 0)


def _ask_next_morning(delivery: Delivery, subscriber: Subscriber, pain: int | None, now: datetime) -> None:
    """After a painful session, ask once the next morning how it feels (the traffic light's 24 h rule)."""
    if pain is not None and PAIN_BANDS.green.covers(pain):
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
    paused: str | None = None
    """What this answer newly paused for pain: every drill ("all") or a movement pattern."""
    ask_self_test: bool = False
    """A good session at the end of a block: time for the readiness self-test."""
    load_kg: float | None = None
    """The weight the runner said they used on a loaded drill, now their drill's latest."""
    ask_hop_check: bool = False
    """A good session with the hopping gate's skater squat behind it: time to ask about pogo hops."""


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
    now: datetime,
) -> Recorded | Refusal:
    """A tap on a check-in button: checked against the person who pressed it."""
    subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    delivery = await _answerable(repo, subscriber, delivery_id, now)
    if isinstance(delivery, Refusal):
        return delivery
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=outcome.value, pain=None, note=None, via="button", now=now
    )
    if outcome is Outcome.PAIN and subscriber is not None:
        _ask_next_morning(delivery, subscriber, None, now)
    good = subscriber is not None and outcome in GOOD_OUTCOMES
    due = good and subscriber is not None and subscriber.readiness_due
    hops = good and subscriber is not None and subscriber.hop_check_due
    return Recorded(delivery, outcome, None, None, ask_self_test=due, ask_hop_check=hops)


async def record_text(
    repo: Repository,
    programme: Programme,
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
    paused = None
    if parsed.outcome is Outcome.PAIN:
        _ask_next_morning(delivery, subscriber, parsed.pain, now)
    if parsed.pain is not None:
        paused = await _escalate(repo, programme, subscriber, delivery, parsed.pain, morning=False, now=now)
    good = parsed.outcome in GOOD_OUTCOMES and parsed.pain is None
    load = await _log_load(repo, programme, subscriber, delivery, parse_load(text), now=now)
    return Recorded(
        delivery, parsed.outcome, parsed.pain, note, paused, ask_self_test=good and subscriber.readiness_due,
        load_kg=load, ask_hop_check=good and subscriber.hop_check_due,
    )  # fmt: skip


async def _log_load(
    repo: Repository,
    programme: Programme,
    subscriber: Subscriber,
    delivery: Delivery,
    kg: float | None,
    *,
    now: datetime,
) -> float | None:
    """A weight typed with the answer ("3x10 12kg") becomes the drill's latest, which the next card's
    proposal starts from; None if there is none or the drill takes no weight."""
    row = await repo.drills.get(delivery.drill_id)
    drill = programme.drills.get(row.slug) if row is not None else None
    if kg is None or row is None or drill is None or drill.load is None:
        return None
    states = (await repo.progress.states_of(subscriber_ids=[subscriber.id]))[subscriber.id]
    state = replace(states.get(drill.slug, DrillState()), load_kg=kg)
    await repo.progress.store(
        subscriber_id=subscriber.id, states={drill.slug: state}, drill_ids={drill.slug: row.id}, now=now
    )
    return kg


async def _escalate(
    repo: Repository,
    programme: Programme,
    subscriber: Subscriber,
    delivery: Delivery,
    score: int,
    *,
    morning: bool,
    now: datetime,
) -> str | None:
    """Pause for pain when the rules say so (7+, two ambers on one area in a week, an unsettled morning)."""
    area = await repo.deliveries.pain_area_of(delivery.id)
    ambers = 0
    if area is not None:
        ambers = await repo.deliveries.sessions_with_pain_on(
            subscriber_id=subscriber.id,
            area=area,
            band=PAIN_BANDS.amber,
            since=delivery.local_date - timedelta(days=AMBER_WINDOW_DAYS - 1),
        )
    row = await repo.drills.get(delivery.drill_id)
    drill = programme.drills.get(row.slug) if row is not None else None
    pause = pain_pause(score, morning=morning, ambers_on_area=ambers, pattern=drill.pattern if drill else "")
    if pause is None or not pause_for_pain(subscriber, pause, area=area, now=now):
        return None
    return pause


async def record_pain_score(
    repo: Repository,
    programme: Programme,
    *,
    telegram_id: int,
    delivery_id: int,
    pain: int,
    morning: bool,
    now: datetime,
) -> Recorded | Refusal:
    """A 0-10 score, just after the drill or the next morning; it may pause drills for pain."""
    subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    delivery = await _answerable(repo, subscriber, delivery_id, now)
    if isinstance(delivery, Refusal) or subscriber is None:
        return delivery if isinstance(delivery, Refusal) else Refusal.NOT_SUBSCRIBED
    area = await repo.deliveries.pain_area_of(delivery.id)
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=None if morning else Outcome.PAIN.value, pain=pain, note=None,
        via="morning" if morning else "button", now=now, pain_area=area,
    )  # fmt: skip
    if not morning:
        _ask_next_morning(delivery, subscriber, pain, now)
    paused = await _escalate(repo, programme, subscriber, delivery, pain, morning=morning, now=now)
    return Recorded(delivery, None if morning else Outcome.PAIN, pain, None, paused)


async def record_pain_area(
    repo: Repository, *, telegram_id: int, delivery_id: int, area: PainArea, now: datetime
) -> Recorded | Refusal:
    subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    delivery = await _answerable(repo, subscriber, delivery_id, now)
    if isinstance(delivery, Refusal):
        return delivery
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=None, pain=None, note=None, via="button", now=now, pain_area=area
    )
    return Recorded(delivery, None, None, None)


async def record_pain_kind(
    repo: Repository, *, telegram_id: int, delivery_id: int, kind: PainKind, now: datetime
) -> Recorded | Refusal:
    """A muscle working or burning is not pain: the drill counts as done and nothing regresses."""
    subscriber = await repo.subscribers.by_telegram_id(telegram_id)
    delivery = await _answerable(repo, subscriber, delivery_id, now)
    if isinstance(delivery, Refusal):
        return delivery
    burn = kind is PainKind.MUSCLE_BURN
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=Outcome.DONE.value if burn else None, pain=None, note=None,
        via="button", now=now, pain_kind=kind,
    )  # fmt: skip
    if burn:
        delivery.morning_check_at = None
    return Recorded(delivery, Outcome.DONE if burn else Outcome.PAIN, None, None)
