"""The coaches' figures (`/stats`): who is subscribed, how drills land, and which drills need tuning."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.db.repositories import Repository
from bot.db.repositories.stats import AnswerCount, DeliveryFigures, Retention, SafetyState, delivery_figures
from bot.services.safety import ScreenStatus, screen_status

WEEK_DAYS = 7
CHART_DAYS = 28
"""The chart and the per-drill funnel cover four weeks: enough answers per drill to read a ratio."""
RETENTION_DAYS = (7, 28)
DONE_OUTCOMES = frozenset({"done", "easy"})
"""The funnel's last step: the drill was done as prescribed ("done" or "too easy"). "Too hard" and "pain"
are answers, but not a drill that landed: they are shown as their own shares of the answers."""


@dataclass(frozen=True, slots=True)
class DrillFunnel:
    """One drill's deliveries in a period, each counted once by its latest answer.

    The funnel is sent -> answered (any check-in) -> done (done or too easy); too hard, pain and skipped
    are separate shares of the answers, never counted as done.
    """

    slug: str
    name: str
    stage: int
    delivered: int
    checked_in: int
    done: int
    easy: int
    hard: int
    pain: int
    skipped: int


def drill_funnels(counts: Sequence[AnswerCount]) -> list[DrillFunnel]:
    """Per drill sent, in stage then slug order: the day-by-day counts the database grouped, added up."""
    by_drill: dict[str, Counter[str | None]] = {}
    about: dict[str, tuple[str, int]] = {}
    for row in counts:
        if row.status != "sent":
            continue
        by_drill.setdefault(row.slug, Counter())[row.outcome] += row.count
        about[row.slug] = (row.name, row.stage)
    funnels = []
    for slug, outcomes in by_drill.items():
        delivered = sum(outcomes.values())
        funnels.append(
            DrillFunnel(
                slug, *about[slug], delivered=delivered, checked_in=delivered - outcomes[None],
                done=sum(outcomes[outcome] for outcome in DONE_OUTCOMES),
                easy=outcomes["easy"], hard=outcomes["hard"], pain=outcomes["pain"],
                skipped=outcomes["skipped"],
            )
        )  # fmt: skip
    return sorted(funnels, key=lambda funnel: (funnel.stage, funnel.slug))


def answers_per_day(counts: Sequence[AnswerCount]) -> dict[tuple[date, str], int]:
    per_day: Counter[tuple[date, str]] = Counter()
    for row in counts:
        if row.status == "sent" and row.outcome is not None:
            per_day[row.local_date, row.outcome] += row.count
    return dict(per_day)


@dataclass(frozen=True, slots=True)
class SafetyFigures:
    """How many runners the health screen holds or restricts, and how many pain paused: counts only."""

    not_screened: int
    held: int
    restricted: int
    pain_paused: int


def safety_figures(states: Sequence[SafetyState]) -> SafetyFigures:
    statuses = Counter(
        screen_status(
            state.answers, screened=state.screened_at is not None, cleared=state.cleared_at is not None
        )
        for state in states
    )
    return SafetyFigures(
        not_screened=statuses[ScreenStatus.NOT_SCREENED],
        held=statuses[ScreenStatus.HELD],
        restricted=statuses[ScreenStatus.RESTRICTED],
        pain_paused=sum(state.pain_pause is not None for state in states),
    )


@dataclass(frozen=True, slots=True)
class CoachStats:
    today: date
    by_status_and_stage: dict[tuple[str, int], int]
    joined_this_week: int
    last_week: DeliveryFigures
    funnels: list[DrillFunnel]
    retention: list[Retention]
    answers_per_day: dict[tuple[date, str], int]
    safety: SafetyFigures
    active_by_language: dict[str, int] = field(default_factory=dict)
    """Active runners per language code."""

    @property
    def first_week_day(self) -> date:
        return self.today - timedelta(days=WEEK_DAYS - 1)

    @property
    def first_chart_day(self) -> date:
        return self.today - timedelta(days=CHART_DAYS - 1)

    def by_status(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for (status, _stage), count in self.by_status_and_stage.items():
            totals[status] += count
        return dict(totals)

    def active_by_stage(self) -> dict[int, int]:
        return {
            stage: count for (status, stage), count in sorted(self.by_status_and_stage.items())
            if status == "active"
        }  # fmt: skip


def week_figures(counts: Sequence[AnswerCount], *, first: date) -> DeliveryFigures:
    """The last seven days of the four weeks' counts: sent, failed, pending, and sent drills answered."""
    return delivery_figures(row for row in counts if row.local_date >= first)


async def coach_stats(repo: Repository, *, now: datetime, today: date) -> CoachStats:
    """Every figure comes from an SQL aggregate; `today` is the coaches' local date, `now` the instant.

    The four weeks of deliveries and answers are read once, grouped by day, drill, status and outcome, and
    the funnel, the chart and the week's figures are all added up from those few thousand rows.
    """
    stats = repo.stats
    first_chart_day = today - timedelta(days=CHART_DAYS - 1)
    first_week_day = today - timedelta(days=WEEK_DAYS - 1)
    counts = await stats.answer_counts(first=first_chart_day, last=today)
    return CoachStats(
        today=today,
        by_status_and_stage=await stats.subscribers_by_status_and_stage(),
        joined_this_week=await stats.joined_since(since=now - timedelta(days=WEEK_DAYS)),
        last_week=week_figures(counts, first=first_week_day),
        funnels=drill_funnels(counts),
        retention=await stats.retention(now=now, days=RETENTION_DAYS),
        answers_per_day=answers_per_day(counts),
        safety=safety_figures(await stats.safety_states()),
        active_by_language=await stats.active_by_language(),
    )
