"""Today's drill for one runner: fold yesterday's answer into the programme, then record the delivery.

`/today` and the daily dispatcher both plan through here, so a runner gets the same drill whichever comes
first, and the unique (subscriber, local date) key makes the second one a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import DeliveryAnswer, Repository
from bot.domain.card import render_caption
from bot.domain.coaching import NextDrill, next_drill
from bot.domain.dose import Dose
from bot.domain.load import load_text
from bot.domain.programme import Drill, Outcome, Programme, Stage
from bot.domain.progression import (
    NO_PROPOSAL,
    Decision,
    DrillState,
    Proposal,
    SessionResult,
    decide_within,
    easier_now,
    fold,
    proposal_again,
    top_rung,
)
from bot.domain.schedule import weekdays_in
from bot.domain.week import DayPlan, Intensity, Running, day_plan
from bot.i18n import _, use_language
from bot.services.progression import position_of, store_position
from bot.services.safety import Gate, allows, gate_of
from bot.services.subscriptions import kit_of, today_for
from bot.ui import texts


@dataclass(frozen=True, slots=True)
class PlannedDrill:
    delivery: Delivery
    drill: Drill
    caption: str
    created: bool
    """False when today's delivery already existed (the card is re-sent, nothing new is recorded)."""


def running_of(subscriber: Subscriber) -> Running:
    return Running(
        long_run_weekday=subscriber.long_run_weekday,
        race_on=subscriber.race_on,
        race_name=subscriber.race_name,
    )


def day_plan_of(subscriber: Subscriber, day: date) -> DayPlan:
    """How hard the runner's day may be, around their long run and race."""
    return day_plan(weekdays_in(subscriber.training_days), running_of(subscriber), day)


def rest_reason(subscriber: Subscriber, day: date) -> str | None:
    """Why there is no drill today, when the week's plan makes it a rest day (the day after a race)."""
    plan = day_plan_of(subscriber, day)
    return plan.reason if plan.ceiling is Intensity.REST else None


def proposed_caption(
    drill: Drill, dose: Dose, stage: Stage, note: str | None, proposal: Proposal = NO_PROPOSAL
) -> str:
    """A card with the weight or band the programme proposes today."""
    load = load_text(proposal.load_kg, proposal.last_load_kg) if proposal.load_kg else None
    band = texts.stronger_band() if proposal.stronger_band else None
    return render_caption(drill, dose, stage, notes=(note,), load=load, band=band)


def caption_again(
    programme: Programme,
    subscriber: Subscriber,
    delivery: Delivery,
    drill: Drill,
    states: Mapping[str, DrillState],
) -> str:
    """A card sent again the same day (a snooze, a second /today, a recovered claim) says what it said
    first: the weight or band proposed, or the note of an easier version swapped in."""
    dose, stage = Dose.parse(delivery.dose), programme.stage(delivery.stage)
    if delivery.replaced_drill_id is not None:
        return proposed_caption(drill, dose, stage, delivery.reason)
    proposal = proposal_again(
        drill,
        states.get(drill.slug, DrillState()),
        delivery.reason,
        kit=kit_of(subscriber),
        warm_up_only=day_plan_of(subscriber, delivery.local_date).warm_up_only,
    )
    return proposed_caption(drill, dose, stage, None, proposal)


async def replan(
    repo: Repository, programme: Programme, subscriber: Subscriber, delivery: Delivery
) -> PlannedDrill | None:
    """A delivery already planned, to send again as it was (None if its drill left the content)."""
    row = await repo.drills.get(delivery.drill_id)
    drill = programme.drills.get(row.slug) if row is not None else None
    if drill is None:
        return None
    states = await repo.progress.states_of(subscriber_ids=[subscriber.id])
    with use_language(subscriber.language):
        caption = caption_again(programme, subscriber, delivery, drill, states[subscriber.id])
    return PlannedDrill(delivery, drill, caption, created=False)


async def step_on(repo: Repository, subscriber: Subscriber | None, slug: str) -> int:
    """The rung of a drill's dose ladder the runner is at (0 for a drill they have not had)."""
    if subscriber is None:
        return 0
    states = await repo.progress.states_of(subscriber_ids=[subscriber.id])
    return states[subscriber.id].get(slug, DrillState()).step


def sample_caption(programme: Programme, drill: Drill, step: int, note: str) -> str:
    """A drill shown outside the plan (a coach's "Try it now"), at the runner's own rung of it."""
    dose = drill.doses[min(step, len(drill.doses) - 1)]
    return render_caption(drill, dose, programme.stage(drill.stage), notes=(note,))


async def plan_today(
    repo: Repository,
    programme: Programme,
    subscriber: Subscriber,
    *,
    local_date: date,
    now: datetime,
    on_demand: bool,
) -> PlannedDrill | None:
    """Today's delivery for one runner (`/today`): the batch planner with a batch of one."""
    planned = await plan_batch(repo, programme, [(subscriber, local_date)], now=now, on_demand=on_demand)
    return planned.get(subscriber.id)


async def plan_batch(
    repo: Repository,
    programme: Programme,
    wanted: Sequence[tuple[Subscriber, date]],
    *,
    now: datetime,
    on_demand: bool,
) -> dict[int, PlannedDrill]:
    """The day's delivery for each runner, by subscriber id, created where missing, in a few statements.

    A runner who already has that day's delivery gets it back with `created=False`; one whose drill no
    longer exists in the content is left out, and so is one the health screen or pain holds, or for whom
    no drill is allowed. Retired drills are still found: a drill retired by a `/reload` is still in the
    programme that plans the rest of that day.
    """
    wanted = [(subscriber, day) for subscriber, day in wanted if gate_of(subscriber) is Gate.OPEN]
    drill_ids = await repo.drills.ids_by_slug(include_retired=True)
    slugs = {drill_id: slug for slug, drill_id in drill_ids.items()}
    planned: dict[int, PlannedDrill] = {}
    existing = await repo.deliveries.on_dates([(subscriber.id, day) for subscriber, day in wanted])
    states = await repo.progress.states_of(subscriber_ids=[subscriber.id for subscriber, _ in wanted])
    for subscriber, _day in wanted:
        delivery = existing.get(subscriber.id)
        drill = programme.drills.get(slugs.get(delivery.drill_id, "")) if delivery is not None else None
        if delivery is not None and drill is not None:
            with use_language(subscriber.language):
                caption = caption_again(programme, subscriber, delivery, drill, states[subscriber.id])
            planned[subscriber.id] = PlannedDrill(delivery, drill, caption, False)
    fresh = [(subscriber, day) for subscriber, day in wanted if subscriber.id not in existing]
    fresh_ids = [subscriber.id for subscriber, _ in fresh]
    previous = await repo.deliveries.latest_answers(fresh_ids)
    decisions: dict[int, tuple[Subscriber, Decision]] = {}
    rows: list[dict[str, Any]] = []
    for subscriber, day in fresh:
        answer = previous.get(subscriber.id)
        results = [] if answer is None else [_session_result(answer)]
        with use_language(subscriber.language):  # the decision's reason is stored, to be shown again
            decision = decide_within(
                programme,
                position_of(subscriber, states[subscriber.id]),
                results,
                day,
                allowed=allows(subscriber),
                day=day_plan_of(subscriber, day),
                kit=kit_of(subscriber),
            )
        drill_id = drill_ids.get(decision.drill.slug) if decision is not None else None
        if decision is None or drill_id is None:
            continue
        decisions[subscriber.id] = (subscriber, decision)
        rows.append(
            {
                "subscriber_id": subscriber.id,
                "drill_id": drill_id,
                "local_date": day,
                "dose": decision.dose.as_text(),
                "stage": decision.stage.number,
                "reason": decision.reason,
                "on_demand": on_demand,
                "status": "claimed",
                "attempts": 0,
                "claimed_at": now,
            }
        )
    inserted = await repo.deliveries.create_many(rows)
    for delivery in inserted:
        subscriber, decision = decisions[delivery.subscriber_id]
        store_position(subscriber, decision.position, decision.note or decision.reason, now=now)
        await repo.progress.store(
            subscriber_id=subscriber.id, states=decision.position.drills, drill_ids=drill_ids, now=now
        )
        with use_language(subscriber.language):
            caption = proposed_caption(
                decision.drill, decision.dose, decision.stage, decision.note, decision.proposal
            )
        planned[subscriber.id] = PlannedDrill(delivery, decision.drill, caption, created=True)
    raced = [(subscriber, day) for subscriber, day in fresh if subscriber.id not in planned]
    if raced:
        raced_states = await repo.progress.states_of(subscriber_ids=[s.id for s, _ in raced])
        runners = {subscriber.id: subscriber for subscriber, _ in raced}
        for subscriber_id, delivery in (
            await repo.deliveries.on_dates([(s.id, d) for s, d in raced])
        ).items():
            drill = programme.drills.get(slugs.get(delivery.drill_id, ""))
            if drill is not None:
                with use_language(runners[subscriber_id].language):
                    caption = caption_again(
                        programme, runners[subscriber_id], delivery, drill, raced_states[subscriber_id]
                    )
                planned[subscriber_id] = PlannedDrill(delivery, drill, caption, False)
    return planned


async def next_drill_of(
    repo: Repository, programme: Programme, subscriber: Subscriber, *, answered: Delivery, day: date
) -> NextDrill | None:
    """What `plan_batch` will send on `day` after this answer, if nothing changes before then; None when
    the answer does not feed that plan (an older card's), the day is planned already, or drills are held
    or a pattern is paused for pain."""
    if gate_of(subscriber) is not Gate.OPEN or subscriber.pain_pause is not None:
        return None
    latest = (await repo.deliveries.latest_answers([subscriber.id])).get(subscriber.id)
    if latest is None or latest.delivery.id != answered.id:
        return None
    if await repo.deliveries.on_date(subscriber_id=subscriber.id, local_date=day) is not None:
        return None
    states = await repo.progress.states_of(subscriber_ids=[subscriber.id])
    return next_drill(
        programme,
        position_of(subscriber, states[subscriber.id]),
        _session_result(latest),
        day,
        allowed=allows(subscriber),
        plan=day_plan_of(subscriber, day),
        kit=kit_of(subscriber),
    )


async def _drill_of(repo: Repository, programme: Programme, delivery: Delivery) -> Drill | None:
    row = await repo.drills.get(delivery.drill_id)
    return programme.drills.get(row.slug) if row is not None else None


async def easier_offer(
    repo: Repository, programme: Programme, subscriber: Subscriber, delivery: Delivery
) -> Drill | None:
    """The easier drill the answer to "Too hard" may send at once (none once the delivery was swapped)."""
    drill = await _drill_of(repo, programme, delivery)
    if drill is None or delivery.replaced_drill_id is not None:
        return None
    return easier_now(programme, drill, allowed=allows(subscriber), kit=kit_of(subscriber))


async def swap_for_easier(
    repo: Repository, programme: Programme, subscriber: Subscriber, delivery_id: int, *, now: datetime
) -> PlannedDrill | None:
    """ "Easier version now": today's delivery becomes the easier drill (the caller sends its card), and the
    "too hard" goes into the replaced drill's progress at once. None when the offer no longer stands: not
    their drill, not today's, already swapped, or no longer answered "too hard"."""
    locked = await repo.deliveries.lock_with_subscribers([delivery_id])
    delivery, owner = locked.get(delivery_id, (None, None))
    if delivery is None or owner is None or owner.id != subscriber.id or delivery.status != "sent":
        return None
    outcome = (await repo.stats.latest_outcomes([delivery.id])).get(delivery.id)
    original = await _drill_of(repo, programme, delivery)
    easier = await easier_offer(repo, programme, subscriber, delivery)
    today = today_for(subscriber, now)
    if original is None or easier is None or outcome != Outcome.HARD.value or delivery.local_date != today:
        return None
    drill_ids = await repo.drills.ids_by_slug(include_retired=True)
    states = (await repo.progress.states_of(subscriber_ids=[subscriber.id]))[subscriber.id]
    answered = SessionResult(today, original.slug, Outcome.HARD, None, Dose.parse(delivery.dose))
    position = fold(programme, position_of(subscriber, states), answered, today=today)
    state = position.state(easier.slug)
    dose = easier.doses[min(state.step, top_rung(easier, kit_of(subscriber)))]
    position = position.with_state(easier.slug, replace(state, last_seen_on=today))
    with use_language(subscriber.language):
        note = swap_note(original)
    store_position(subscriber, position, note, now=now)
    await repo.progress.store(
        subscriber_id=subscriber.id, states=position.drills, drill_ids=drill_ids, now=now
    )
    replaced_id = delivery.drill_id
    delivery.drill_id, delivery.dose, delivery.reason = drill_ids[easier.slug], dose.as_text(), note
    delivery.replaced_drill_id = replaced_id
    delivery.swapped_after = await repo.deliveries.last_check_in_id(delivery.id)
    await repo.stats.count_swap(delivery, replaced_drill_id=replaced_id, outcome=outcome)
    with use_language(subscriber.language):
        caption = proposed_caption(easier, dose, programme.stage(delivery.stage), note)
    return PlannedDrill(delivery, easier, caption, created=False)


def swap_note(original: Drill) -> str:
    """The swapped card's note and the runner's latest programme decision."""
    # Translators: {drill} is the name of the drill that was too hard.
    return _("Easier version of {drill}, after “too hard”.").format(drill=original.name)


def _session_result(answer: DeliveryAnswer) -> SessionResult:
    return SessionResult(
        local_date=answer.delivery.local_date,
        drill_slug=answer.drill_slug,
        outcome=Outcome(answer.outcome) if answer.outcome else None,
        pain=answer.pain,
        dose=Dose.parse(answer.delivery.dose),
    )
