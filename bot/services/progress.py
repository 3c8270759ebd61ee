"""What `/progress` and `/history` show: streaks, completion, stage and recent drills, from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.db.models import Subscriber
from bot.db.repositories import DeliveryAnswer, Repository
from bot.domain.programme import Outcome, Programme, Stage
from bot.domain.streaks import DayMark, SessionDay, StreakSummary, day_marks, gives_a_reason, summarise
from bot.services.safety import ScreenStatus, status_of
from bot.services.subscriptions import today_for, zone_of


@dataclass(frozen=True, slots=True)
class Progress:
    stage: Stage
    stage_count: int
    summary: StreakSummary
    marks: dict[date, DayMark]
    today: date
    last_reason: str | None
    recent: list[DeliveryAnswer]
    screen: ScreenStatus
    pain_pause: str | None


async def progress_of(
    repo: Repository, programme: Programme, subscriber: Subscriber, *, now: datetime
) -> Progress:
    today = today_for(subscriber, now)
    joined = subscriber.created_at.astimezone(zone_of(subscriber)).date()
    answers = await repo.deliveries.answers(subscriber_id=subscriber.id, since=joined)
    skipped = [
        answer.delivery.id
        for answer in answers
        if answer.outcome == Outcome.SKIPPED.value and answer.excused is None
    ]
    notes = await repo.deliveries.notes_for(skipped) if skipped else {}
    sessions = {
        answer.delivery.local_date: SessionDay(
            Outcome(answer.outcome) if answer.outcome else None,
            gives_a_reason(notes.get(answer.delivery.id, [])) if answer.excused is None else answer.excused,
        )
        for answer in answers
    }
    first = min([joined, *sessions]) if sessions else joined
    marks = day_marks(first=first, today=today, training_days=subscriber.training_days, sessions=sessions)
    return Progress(
        stage=programme.stage(subscriber.stage),
        stage_count=len(programme.stages),
        summary=summarise(marks),
        marks=marks,
        today=today,
        last_reason=subscriber.last_reason,
        recent=answers[-14:],
        screen=status_of(subscriber),
        pain_pause=subscriber.pain_pause,
    )
