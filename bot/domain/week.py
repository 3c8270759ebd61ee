"""A week built around the runner's running: which days may be hard, which must be easy, and why.

Drills are hard (strength near failure), moderate, or easy (activation, balance, mobility). At most three
hard days a Monday-Sunday week, never two in a row, none the day before the long run; a race brings a taper
(easy only in the five days before, an optional warm-up on the day, a rest day after, two easy days).
Everything here is a pure function of dates and settings, so the same week always plans the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from bot.domain.programme import Drill
from bot.domain.safety import Tag
from bot.i18n import _, ngettext

MAX_HARD_DAYS = 3
TAPER_DAYS = 5
RECOVERY_EASY_DAYS = 2


class Intensity(IntEnum):
    REST = 0
    EASY = 1
    MODERATE = 2
    HARD = 3

    @property
    def label(self) -> str:
        return self.name.lower()


def intensity_of(drill: Drill) -> Intensity:
    """Foundation work is easy, building work moderate, strength work and hops hard."""
    if drill.stage <= 1:
        return Intensity.EASY
    if drill.stage == 3 or Tag.PLYOMETRIC in drill.tags:
        return Intensity.HARD
    return Intensity.MODERATE


@dataclass(frozen=True, slots=True)
class Running:
    """The runner's running: a weekly long run (Monday 0 .. Sunday 6) and a race date, each optional."""

    long_run_weekday: int | None = None
    race_on: date | None = None
    race_name: str | None = None


@dataclass(frozen=True, slots=True)
class DayPlan:
    ceiling: Intensity
    """The hardest drill allowed today; REST means no drill at all."""
    reason: str | None = None
    """Why the day is easier than the plan would make it, shown on the card and in /progress."""
    warm_up_only: bool = False
    """Race day: nothing but an optional short warm-up drill."""


def hard_weekdays(training_weekdays: frozenset[int], long_run_weekday: int | None) -> frozenset[int]:
    """The weekdays that may carry hard drills: greedily from Monday, never two in a row (Sunday and the
    next Monday count as a row), never the day before the long run, at most three."""
    before_long_run = None if long_run_weekday is None else (long_run_weekday - 1) % 7
    chosen: list[int] = []
    for weekday in range(7):
        if weekday not in training_weekdays or weekday == before_long_run:
            continue
        if chosen and chosen[-1] == weekday - 1:
            continue
        if weekday == 6 and chosen and chosen[0] == 0:
            continue
        chosen.append(weekday)
        if len(chosen) == MAX_HARD_DAYS:
            break
    return frozenset(chosen)


def _race_day_plan(running: Running, day: date) -> DayPlan | None:
    if running.race_on is None:
        return None
    until = (running.race_on - day).days
    if until == 0:
        return DayPlan(Intensity.EASY, _("Race day: only if you like, this as a 3-minute warm-up."), True)
    if 0 < until <= TAPER_DAYS:
        return DayPlan(Intensity.EASY, _taper_reason(running.race_name, until))
    since = -until
    if since == 1:
        return DayPlan(Intensity.REST, _("The day after your race: rest."))
    if 1 < since <= 1 + RECOVERY_EASY_DAYS:
        return DayPlan(Intensity.EASY, _("Recovering from your race: an easy one today."))
    return None


def _taper_reason(race_name: str | None, until: int) -> str:
    """Each wording a whole sentence, so a translation can order the race and the days its own way."""
    if not race_name:
        if until == 1:
            return _("Your race tomorrow: easy activation only.")
        return ngettext(
            "Your race in {count} day: easy activation only.",
            "Your race in {count} days: easy activation only.",
            until,
        ).format(count=until)
    race = f"{race_name[:1].upper()}{race_name[1:]}"
    if until == 1:
        # Translators: {race} is the race's name as the runner typed it.
        return _("{race} tomorrow: easy activation only.").format(race=race)
    return ngettext(
        "{race} in {count} day: easy activation only.", "{race} in {count} days: easy activation only.", until
    ).format(race=race, count=until)


def day_plan(training_weekdays: frozenset[int], running: Running, day: date) -> DayPlan:
    """How hard today may be."""
    race = _race_day_plan(running, day)
    if race is not None:
        return race
    if (
        running.long_run_weekday is not None
        and (day + timedelta(days=1)).weekday() == running.long_run_weekday
    ):
        return DayPlan(Intensity.EASY, _("Long run tomorrow: an easy one today."))
    if day.weekday() in hard_weekdays(training_weekdays, running.long_run_weekday):
        return DayPlan(Intensity.HARD)
    return DayPlan(Intensity.MODERATE)
