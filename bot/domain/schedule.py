"""When a runner's drill is due, in their own time zone, through daylight-saving changes.

Training days are a 7-bit mask (bit 0 = Monday). A local time that does not exist on a spring-forward day
moves to the first valid minute after the gap; an ambiguous one on an autumn-back day is its first occurrence,
so every training day has exactly one slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from bot.i18n import _, locale

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""English short names, Monday first; what a runner reads comes from `day_names` in their language."""


def day_names(width: Literal["abbreviated", "wide"] = "abbreviated") -> list[str]:
    """Monday to Sunday as the runner's language writes them: "Mon" / "lun" / "Mo." ("wide": "Monday")."""
    names = get_day_names(width, locale=locale())
    return [names[day] for day in range(7)]


EVENING = time(19)
MAX_QUIET = timedelta(hours=16)
"""Longer quiet hours would leave too little of the day for reminders and the morning check."""


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A runner's nightly window (local wall time) with no notifications; start == end means none.

    The window may wrap midnight (21:00-07:00) or not (13:00-15:00). Wall times, so a DST change moves
    the window with the runner's clock.
    """

    start: time
    end: time

    @property
    def off(self) -> bool:
        return self.start == self.end

    @property
    def length(self) -> timedelta:
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return timedelta(minutes=minutes % (24 * 60))

    def covers(self, wall: time) -> bool:
        if self.start <= self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def __str__(self) -> str:
        return "off" if self.off else f"{self.start:%H:%M}-{self.end:%H:%M}"


DEFAULT_QUIET_HOURS = QuietHours(time(21), time(7))


def weekdays_in(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def mask_of(weekdays: Iterable[int]) -> int:
    mask = 0
    for day in weekdays:
        if not 0 <= day <= 6:
            raise ValueError(f"weekday must be 0-6, got {day}")
        mask |= 1 << day
    return mask


def describe_days(mask: int) -> str:
    days = sorted(weekdays_in(mask))
    if len(days) == 7:
        return _("every day")
    if days == [0, 1, 2, 3, 4]:
        return _("weekdays")
    if days == [5, 6]:
        return _("weekends")
    names = day_names()
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        # Translators: a run of training days, e.g. "Mon-Sat".
        return _("{first}-{last}").format(first=names[days[0]], last=names[days[-1]])
    return ", ".join(names[day] for day in days) or _("no days")


def is_training_day(day: date, training_days: int) -> bool:
    return bool(training_days & (1 << day.weekday()))


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _exists(wall: datetime, zone: ZoneInfo) -> bool:
    return wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)


def slot_on(day: date, delivery_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `delivery_time` on `day` in `zone` (gap: next valid minute; overlap: first)."""
    wall = datetime.combine(day, delivery_time, tzinfo=zone).replace(fold=0)
    step = 0
    while not _exists(wall, zone):
        step += 1
        if step > 24 * 60:
            raise ValueError(f"no valid local time near {delivery_time} on {day} in {zone.key}")
        wall = (datetime.combine(day, delivery_time) + timedelta(minutes=step)).replace(tzinfo=zone, fold=0)
    return wall.astimezone(UTC)


def next_slot(
    *,
    now: datetime,
    zone: ZoneInfo,
    delivery_time: time,
    training_days: int,
    from_date: date | None = None,
    paused_until: date | None = None,
) -> datetime | None:
    """The first training day's slot from `from_date` (default today), after any pause, not in the past."""
    if training_days & 0b1111111 == 0:
        return None
    day = from_date or local_date(now, zone)
    if paused_until is not None:
        day = max(day, paused_until + timedelta(days=1))
    for _attempt in range(15):
        if is_training_day(day, training_days):
            slot = slot_on(day, delivery_time, zone)
            if slot >= now:
                return slot
        day += timedelta(days=1)
    raise AssertionError("a training day always falls within two weeks")


def due_local_date(
    *, scheduled_at: datetime, now: datetime, zone: ZoneInfo, delivery_time: time, training_days: int
) -> date | None:
    """The local day a due drill is for, or None when nothing is owed now.

    On time, or late the same local day, the drill is today's. If the slot fell on an earlier local day,
    that day is gone (never a backlog); but if today is a training day whose slot has also passed while
    the bot was down, today's drill is sent late, once.
    """
    if scheduled_at > now:
        return None
    today = local_date(now, zone)
    if local_date(scheduled_at, zone) == today:
        return today
    if is_training_day(today, training_days) and slot_on(today, delivery_time, zone) <= now:
        return today
    return None


def in_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: QuietHours = DEFAULT_QUIET_HOURS) -> bool:
    return quiet.covers(moment.astimezone(zone).time().replace(tzinfo=None))


def after_quiet_hours(moment: datetime, zone: ZoneInfo, quiet: QuietHours = DEFAULT_QUIET_HOURS) -> datetime:
    """`moment` itself outside quiet hours, else the instant they end (DST-safe)."""
    if not in_quiet_hours(moment, zone, quiet):
        return moment
    day = local_date(moment, zone)
    if moment.astimezone(zone).time() >= quiet.start > quiet.end:
        day += timedelta(days=1)
    return slot_on(day, quiet.end, zone)


def later_today_outside_quiet_hours(
    moment: datetime, zone: ZoneInfo, quiet: QuietHours, *, day: date
) -> datetime | None:
    """For what can wait but belongs to one local day (a reminder, a snoozed card): `moment`, or when
    quiet hours end if it falls inside them; None once that is no longer `day`."""
    target = after_quiet_hours(moment, zone, quiet)
    return target if local_date(target, zone) == day else None


SNOOZE_DELAYS = {"half": timedelta(minutes=30), "hour": timedelta(hours=1)}
SNOOZE_OPTIONS = ("half", "hour", "evening")


def snooze_until(
    option: str, *, now: datetime, zone: ZoneInfo, quiet: QuietHours = DEFAULT_QUIET_HOURS
) -> datetime | None:
    """When a snoozed drill comes back: in half an hour, an hour, or this evening; None if that would be in
    quiet hours or tomorrow. "This evening" is 19:00, or an hour before quiet hours if they begin by then."""
    today = local_date(now, zone)
    if option in SNOOZE_DELAYS:
        target = now + SNOOZE_DELAYS[option]
    elif option == "evening":
        target = slot_on(today, EVENING, zone)
        if in_quiet_hours(target, zone, quiet):
            target = slot_on(today, quiet.start, zone) - timedelta(hours=1)
        if target <= now:
            return None
    else:
        raise ValueError(f"unknown snooze option {option!r}")
    if in_quiet_hours(target, zone, quiet) or local_date(target, zone) != today:
        return None
    return target


def snooze_offers(
    *, now: datetime, zone: ZoneInfo, quiet: QuietHours = DEFAULT_QUIET_HOURS
) -> dict[str, datetime]:
    """The "Later" choices that will be honoured now, each with when the card comes back; "In 30 min" only
    when an hour no longer fits before quiet hours or midnight."""
    offers: dict[str, datetime] = {}
    for option in SNOOZE_OPTIONS:
        until = snooze_until(option, now=now, zone=zone, quiet=quiet)
        if until is not None:
            offers[option] = until
    if "hour" in offers:
        offers.pop("half", None)
    return offers


def nudge_time(
    sent_at: datetime, zone: ZoneInfo, *, after: timedelta, quiet: QuietHours = DEFAULT_QUIET_HOURS
) -> datetime | None:
    """When to remind about an unanswered drill: `after` the send, or when quiet hours end if that falls
    inside them, as long as it is still the day the drill was sent; otherwise no reminder that day."""
    return later_today_outside_quiet_hours(sent_at + after, zone, quiet, day=local_date(sent_at, zone))
