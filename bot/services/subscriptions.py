"""A runner's subscription: joining, settings, pausing, stopping, and where their next drill falls.

Every change that can move the next drill recomputes `next_delivery_at` at once, so the dispatcher needs no
other state and any bot process can serve the next update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import EVERY_DAY_BUT_SUNDAY, Subscriber
from bot.db.repositories import Repository
from bot.domain.busy_minutes import LOOK_BACK_MINUTES, REACH_MINUTES, quieter_offsets
from bot.domain.kit import Kit
from bot.domain.programme import Programme
from bot.domain.schedule import MAX_QUIET, QuietHours, in_quiet_hours, local_date, next_slot
from bot.i18n import _, language_from_telegram
from bot.services.safety import ask_screen

DEFAULT_DELIVERY_TIME = time(7, 30)
ONBOARDING_STEPS = ("health", "level", "time", "timezone", "days", "longrun", "kit")
"""The order onboarding asks its questions in; `None` on the subscriber means onboarding is over."""


@dataclass(frozen=True, slots=True)
class Joined:
    subscriber: Subscriber
    is_new: bool
    was_inactive: bool


def zone_of(subscriber: Subscriber) -> ZoneInfo:
    return ZoneInfo(subscriber.timezone)


def quiet_hours_of(subscriber: Subscriber) -> QuietHours:
    return QuietHours(subscriber.quiet_start, subscriber.quiet_end)


def arrives_silently(subscriber: Subscriber) -> bool:
    """Their chosen delivery time falls in their own quiet hours: it still comes then, without a sound."""
    return quiet_hours_of(subscriber).covers(subscriber.delivery_time)


def today_for(subscriber: Subscriber, now: datetime) -> date:
    return local_date(now, zone_of(subscriber))


def sent_today(subscriber: Subscriber) -> bool:
    """Today's drill has gone out, "today" being the runner's local day when their schedule last changed
    (`reschedule` stamps it, and every settings change reschedules)."""
    sent = subscriber.last_drill_sent_at
    if sent is None:
        return False
    zone = zone_of(subscriber)
    return local_date(sent, zone) == local_date(subscriber.updated_at, zone)


async def reschedule(repo: Repository, subscriber: Subscriber, *, now: datetime) -> None:
    """Put the next drill on the first training day still to come; today only if today's is not sent yet."""
    today = today_for(subscriber, now)
    delivered = await repo.deliveries.on_date(subscriber_id=subscriber.id, local_date=today)
    from_date = today + timedelta(days=1) if delivered is not None else today
    if subscriber.status == "paused" and subscriber.paused_until is not None:
        from_date = max(from_date, subscriber.paused_until + timedelta(days=1))
    subscriber.next_delivery_at = (
        next_slot(
            now=now,
            zone=zone_of(subscriber),
            delivery_time=subscriber.delivery_time,
            training_days=subscriber.training_days,
            from_date=from_date,
        )
        if subscriber.status in ("active", "paused")
        else None
    )
    if subscriber.next_delivery_at is not None:
        repo.scheduled(subscriber.next_delivery_at)
    subscriber.updated_at = now


async def join(
    repo: Repository,
    programme: Programme,
    *,
    telegram_id: int,
    chat_id: int,
    first_name: str | None,
    telegram_language: str | None,
    source: str | None,
    default_timezone: str,
    now: datetime,
) -> Joined:
    """/start: a new runner is active at once with sensible defaults, spoken to in the language Telegram
    gives for them; a returning one is active again and keeps the language they have."""
    subscriber = await repo.subscribers.by_telegram_id_for_update(telegram_id)
    if subscriber is None:
        level = programme.levels[0]
        subscriber = await repo.subscribers.create(
            telegram_id=telegram_id,
            chat_id=chat_id,
            first_name=first_name,
            language=language_from_telegram(telegram_language),
            source=source,
            timezone=default_timezone,
            delivery_time=DEFAULT_DELIVERY_TIME,
            training_days=EVERY_DAY_BUT_SUNDAY,
            level=level.number,
            stage=level.start_stage,
            now=now,
        )
        subscriber.onboarding_step = ONBOARDING_STEPS[0]
        ask_screen(subscriber, now=now, on_its_own=False)
        await reschedule(repo, subscriber, now=now)
        return Joined(subscriber, is_new=True, was_inactive=False)
    was_inactive = subscriber.status != "active"
    subscriber.status = "active"
    subscriber.paused_until = None
    subscriber.chat_id = chat_id
    subscriber.first_name = first_name or subscriber.first_name
    if source and not subscriber.source:
        subscriber.source = source
    subscriber.onboarding_step = ONBOARDING_STEPS[0]
    ask_screen(subscriber, now=now, on_its_own=False)
    await reschedule(repo, subscriber, now=now)
    return Joined(subscriber, is_new=False, was_inactive=was_inactive)


def advance_onboarding(subscriber: Subscriber, answered: str) -> str | None:
    """Move past the step just answered; the next step to ask, or None when onboarding is complete."""
    if subscriber.onboarding_step != answered:
        return subscriber.onboarding_step
    index = ONBOARDING_STEPS.index(answered)
    subscriber.onboarding_step = ONBOARDING_STEPS[index + 1] if index + 1 < len(ONBOARDING_STEPS) else None
    return subscriber.onboarding_step


def set_level(subscriber: Subscriber, programme: Programme, level_number: int, *, now: datetime) -> None:
    """A new level moves the runner to that level's starting stage; each drill keeps its own progress."""
    level = programme.level(level_number)
    subscriber.level = level.number
    if subscriber.stage != level.start_stage:
        subscriber.stage = level.start_stage
        subscriber.stage_credit = 0
        subscriber.rotation_index = 0
        subscriber.hard_rotation_index = 0
        subscriber.stage_started_on = None
        subscriber.readiness_due = False
        subscriber.last_reason = _(
            "You chose level {level}, so the programme starts at stage {stage}."
        ).format(level=level.number, stage=level.start_stage)
    subscriber.updated_at = now


async def set_delivery_time(repo: Repository, subscriber: Subscriber, value: time, *, now: datetime) -> None:
    subscriber.delivery_time = value
    await reschedule(repo, subscriber, now=now)


async def quieter_time(repo: Repository, subscriber: Subscriber, *, budget: int) -> time | None:
    """The nearest local time whose drills all go out on the dot, when the runner's next drill falls in a
    minute too busy for that (`budget` drills a minute); never one inside their quiet hours."""
    slot = subscriber.next_delivery_at
    if slot is None or subscriber.status != "active":
        return None
    minute = slot.replace(second=0, microsecond=0)
    start = minute - timedelta(minutes=LOOK_BACK_MINUTES)
    counts = await repo.subscribers.due_per_minute(start=start, minutes=LOOK_BACK_MINUTES + REACH_MINUTES + 1)
    zone, quiet = zone_of(subscriber), quiet_hours_of(subscriber)
    for offset in quieter_offsets(counts, chosen=LOOK_BACK_MINUTES, budget=budget):
        moment = minute + timedelta(minutes=offset)
        if in_quiet_hours(moment, zone, quiet) <= in_quiet_hours(slot, zone, quiet):
            return moment.astimezone(zone).time()
    return None


async def set_timezone(repo: Repository, subscriber: Subscriber, zone: str, *, now: datetime) -> None:
    ZoneInfo(zone)
    subscriber.timezone = zone
    await reschedule(repo, subscriber, now=now)


async def set_training_days(repo: Repository, subscriber: Subscriber, mask: int, *, now: datetime) -> None:
    if not 0 < mask < 128:
        raise ValueError("at least one training day is needed")
    subscriber.training_days = mask
    await reschedule(repo, subscriber, now=now)


def set_quiet_hours(subscriber: Subscriber, quiet: QuietHours) -> None:
    """Follow-ups already planned are checked against the new hours as they come due (the dispatcher)."""
    if quiet.length > MAX_QUIET:
        raise ValueError(f"quiet hours can last at most {MAX_QUIET.seconds // 3600} hours")
    subscriber.quiet_start = quiet.start
    subscriber.quiet_end = quiet.end


async def pause(repo: Repository, subscriber: Subscriber, days: int, *, now: datetime) -> date:
    """Pause for `days` days from today; drills resume the day after the returned date."""
    until = today_for(subscriber, now) + timedelta(days=days - 1)
    subscriber.status = "paused"
    subscriber.paused_until = until
    await reschedule(repo, subscriber, now=now)
    return until


async def resume(repo: Repository, subscriber: Subscriber, *, now: datetime) -> None:
    subscriber.status = "active"
    subscriber.paused_until = None
    await reschedule(repo, subscriber, now=now)


async def stop(repo: Repository, subscriber: Subscriber, *, now: datetime) -> None:
    subscriber.status = "stopped"
    subscriber.paused_until = None
    subscriber.onboarding_step = None
    await reschedule(repo, subscriber, now=now)


async def mark_blocked(repo: Repository, subscriber: Subscriber, *, now: datetime) -> None:
    """The runner blocked the bot: stop sending until they /start again."""
    subscriber.status = "blocked"
    await reschedule(repo, subscriber, now=now)


def set_long_run(subscriber: Subscriber, weekday: int | None, *, now: datetime) -> None:
    """The weekly long run's day (None: no regular long run); the day before it is always an easy one."""
    subscriber.long_run_weekday = weekday
    subscriber.updated_at = now


def set_race(subscriber: Subscriber, day: date | None, name: str | None, *, now: datetime) -> None:
    """A race to taper for (None: no race planned)."""
    subscriber.race_on = day
    subscriber.race_name = name if day is not None else None
    subscriber.updated_at = now


def kit_of(subscriber: Subscriber) -> frozenset[str]:
    """The kit the runner owns; none until they say (drills needing kit are swapped until then)."""
    return frozenset(subscriber.kit or ())


def set_kit(subscriber: Subscriber, kit: frozenset[Kit], *, now: datetime) -> None:
    subscriber.kit = [item.value for item in Kit if item in kit]
    subscriber.updated_at = now


def toggle_kit(subscriber: Subscriber, item: Kit, *, now: datetime) -> None:
    """A tap on a kit button: owned becomes not owned and the other way round."""
    owned = {Kit(word) for word in kit_of(subscriber)}
    set_kit(subscriber, frozenset(owned ^ {item}), now=now)
