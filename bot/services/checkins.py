"""Recording a runner's answers: button taps, pain scores, text replies and notes. Every reply is kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import Repository
from bot.delivery.planner import next_drill_of
from bot.domain.coaching import CheckInFacts, Coaching, NextDrill, coach, typed_sets
from bot.domain.dose import Dose, DoseError
from bot.domain.load import parse_load
from bot.domain.programme import Outcome, Programme
from bot.domain.progression import GOOD_OUTCOMES, DrillState
from bot.domain.replies import parse_reply
from bot.domain.safety import AMBER_WINDOW_DAYS, PAIN_BANDS, PainArea, PainKind, pain_pause
from bot.domain.schedule import after_quiet_hours, local_date, slot_on, snooze_offers, weekdays_in
from bot.i18n import _
from bot.services.progress import Progress, progress_of
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
    previous: str | None = None
    """The outcome that counted for this drill before this answer."""
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
    previous = (await repo.stats.latest_outcomes([delivery.id])).get(delivery.id)
    await repo.deliveries.add_check_in(
        delivery_id=delivery.id, outcome=outcome.value, pain=None, note=None, via="button", now=now
    )
    if outcome is Outcome.PAIN and subscriber is not None:
        _ask_next_morning(delivery, subscriber, None, now)
    good = subscriber is not None and outcome in GOOD_OUTCOMES
    due = good and subscriber is not None and subscriber.readiness_due
    hops = good and subscriber is not None and subscriber.hop_check_due
    return Recorded(
        delivery, outcome, None, None, ask_self_test=due, previous=previous, ask_hop_check=hops
    )  # fmt: skip


async def typed_about(
    repo: Repository, subscriber: Subscriber, *, reply_to_message_id: int | None, now: datetime
) -> Delivery | None:
    """The drill a typed reply is about: the card it answers, or else the latest one still open."""
    if reply_to_message_id is not None:
        delivery = await repo.deliveries.by_message(
            subscriber_id=subscriber.id, message_id=reply_to_message_id
        )
        if delivery is not None:
            return delivery
    return await repo.deliveries.latest_open(
        subscriber_id=subscriber.id, not_before=today_for(subscriber, now) - ANSWER_WINDOW
    )


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
    delivery = await typed_about(repo, subscriber, reply_to_message_id=reply_to_message_id, now=now)
    if delivery is None:
        return Refusal.NOTHING_OPEN
    parsed = parse_reply(text)
    note = parsed.note or None
    previous = (await repo.stats.latest_outcomes([delivery.id])).get(delivery.id)
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
        load_kg=load, ask_hop_check=good and subscriber.hop_check_due, previous=previous,
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


class SnoozeRefusal(StrEnum):
    OLD_CARD = "old_card"
    ANSWERED = "answered"
    ALREADY = "already"
    TOO_LATE = "too_late"


@dataclass(frozen=True, slots=True)
class Snooze:
    """What a "Later" tap got: the choices to offer, the time the card comes back, or why not."""

    refusal: SnoozeRefusal | None = None
    offers: tuple[str, ...] = ()
    until: datetime | None = None
    card_day: date | None = None
    todays_drill: str | None = None
    """For an old card: the name of today's drill, if it has gone out."""


async def snooze(
    repo: Repository, subscriber: Subscriber, delivery: Delivery, option: str, *, now: datetime
) -> Snooze:
    """ "Later" belongs only to today's unanswered card, once; `option` "menu" asks what fits now.

    An old card put off would come back today at its old stage and its answer would rewrite that day."""
    today = today_for(subscriber, now)
    if delivery.local_date != today:
        todays = await repo.deliveries.on_date(subscriber_id=subscriber.id, local_date=today)
        sent = todays is not None and todays.status == "sent"
        row = await repo.drills.get(todays.drill_id) if todays is not None and sent else None
        return Snooze(
            SnoozeRefusal.OLD_CARD, card_day=delivery.local_date, todays_drill=row.name if row else None
        )
    if await repo.deliveries.answered([delivery.id]):
        return Snooze(SnoozeRefusal.ANSWERED)
    if delivery.snoozed_at is not None:
        return Snooze(SnoozeRefusal.ALREADY)
    offers = snooze_offers(now=now, zone=zone_of(subscriber), quiet=quiet_hours_of(subscriber))
    if option not in offers:
        refusal = None if option == "menu" and offers else SnoozeRefusal.TOO_LATE
        return Snooze(refusal, offers=tuple(offers))
    delivery.snoozed_until, delivery.snoozed_at = offers[option], now
    return Snooze(until=offers[option])


@dataclass(frozen=True, slots=True)
class CoachReply:
    """A coach's remark on a check-in, with what its wording needs."""

    coaching: Coaching
    drill: str
    dose: str
    streak: int
    progress: Progress
    """For the progress card that marks a milestone."""
    next_drill: NextDrill | None = None
    """The next training day's drill, when the plan makes it known now."""
    load_kg: float | None = None
    """The weight typed with the answer."""


async def coaching_for(
    repo: Repository, programme: Programme, subscriber: Subscriber, recorded: Recorded, *, now: datetime
) -> CoachReply | None:
    """What a coach would add to a done, too easy or too hard: read from the runner's record after it."""
    if recorded.outcome is None or recorded.pain is not None:
        return None
    view = await progress_of(repo, programme, subscriber, now=now)
    row = await repo.drills.get(recorded.delivery.drill_id)
    slug = row.slug if row is not None else ""
    before = [
        answer
        for answer in view.recent
        if answer.drill_slug == slug and answer.delivery.local_date < recorded.delivery.local_date
    ]
    good_before = [_volume(a.delivery.dose) for a in before if a.outcome in GOOD_OUTCOMES]
    volumes = [volume for volume in good_before if volume is not None]
    typed = typed_sets(recorded.note or "")
    heaviest = await _heaviest_before(repo, subscriber, recorded) if recorded.load_kg is not None else None
    facts = CheckInFacts(
        outcome=recorded.outcome,
        delivery_id=recorded.delivery.id,
        streak=view.summary.current,
        newly_done=recorded.previous in (None, Outcome.SKIPPED.value),
        sessions_done=view.summary.completed,
        week_target=len(weekdays_in(subscriber.training_days)),
        previous_on_drill=Outcome(before[-1].outcome) if before and before[-1].outcome else None,
        volume=typed[0] * typed[1] if typed else _volume(recorded.delivery.dose),
        best_volume_before=max(volumes) if volumes else None,
        load_kg=recorded.load_kg,
        best_load_before=heaviest,
    )
    coaching = coach(facts)
    if coaching is None:
        return None
    name = row.name if row is not None else _("drill")
    dose = (
        _("{sets} × {amount}").format(sets=typed[0], amount=typed[1])
        if typed
        else _shown(recorded.delivery.dose)
    )
    coming = None
    if subscriber.next_delivery_at is not None:
        day = local_date(subscriber.next_delivery_at, zone_of(subscriber))
        coming = await next_drill_of(repo, programme, subscriber, answered=recorded.delivery, day=day)
    return CoachReply(coaching, name, dose, view.summary.current, view, coming, recorded.load_kg)


async def _heaviest_before(repo: Repository, subscriber: Subscriber, recorded: Recorded) -> float | None:
    """The heaviest weight typed for this drill on an earlier day (a proposal on a card is not a lift)."""
    notes = await repo.deliveries.notes_on_drill(
        subscriber_id=subscriber.id, drill_id=recorded.delivery.drill_id, before=recorded.delivery.local_date
    )
    loads = [kg for kg in map(parse_load, notes) if kg is not None]
    return max(loads) if loads else None


def _shown(dose: str) -> str:
    try:
        return str(Dose.parse(dose))
    except DoseError:
        return dose


def _volume(dose: str) -> int | None:
    """All the repetitions of a prescribed dose (its top of range); None for holds, walks and steps."""
    try:
        parsed = Dose.parse(dose)
    except DoseError:
        return None
    return parsed.sets * parsed.high if parsed.unit == "reps" else None
