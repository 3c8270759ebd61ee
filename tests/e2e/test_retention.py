"""Retention: pruning deliveries and check-ins past RETENTION_DAYS changes nothing a runner or coach sees.

Two runners with fifteen months of history (done, easy, hard then done, excused and bare skips, unanswered
drills, pain with a morning score, failed sends, days without a drill) are shown `/history`, `/progress` (its
picture too), the coaches' `/stats` (chart included) and the CSV export; then the old rows are pruned, by the
dispatcher's daily maintenance or by `glutebot prune`, and every view must come out byte for byte the same.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.db.models import ArchivedCheckIn, CheckIn, Delivery, Drill, RunnerDay
from bot.db.repositories.stats import StatsRepository
from bot.domain.programme import Outcome
from bot.services.export import export_check_ins
from bot.services.progress import progress_of
from bot.services.retention import prune
from tests.e2e.conftest import COACH, Harness, command, onboard, stored, today
from tests.support.cli import glutebot
from tests.support.data import counts_checked_against_rows

HISTORY_DAYS = 460


Plan = list[tuple[str | None, int | None, str | None, str]] | str | None
"""A day's check-ins as (outcome, pain, note, via); "failed" for a send that failed; None for no drill."""


def _day_plan(offset: int) -> Plan:
    """What happened on the day `offset` days back: None (no drill), "failed", or the check-ins sent."""
    plans: dict[int, Plan] = {
        0: None,
        1: [("done", None, None, "button")],
        2: [("easy", None, None, "button"), (None, None, "felt light today", "text")],
        3: [("skipped", None, None, "button"), (None, None, "travelling for work", "text")],
        4: [("skipped", None, None, "button"), (None, None, "no", "text")],
        5: [],
        6: [("pain", 6, None, "button"), (None, 3, None, "morning")],
        7: "failed",
        8: [("hard", None, None, "button"), ("done", None, None, "text")],
    }
    return plans[offset % len(plans)]


async def _seed_history(harness: Harness, telegram_id: int, shift: int) -> None:
    """The runner joined HISTORY_DAYS ago and got a drill on most training days since."""
    start = harness.clock.now()
    async with harness.runtime.unit_of_work() as repo:
        subscriber = await repo.subscribers.by_telegram_id(telegram_id)
        assert subscriber is not None
        subscriber.created_at = start - timedelta(days=HISTORY_DAYS)
        drills = list(await repo.session.scalars(select(Drill).where(Drill.stage == 1).order_by(Drill.id)))
        for offset in range(HISTORY_DAYS, 0, -1):
            day = start.date() - timedelta(days=offset)
            plan = _day_plan(offset + shift)
            if day.weekday() == 6 or plan is None:
                continue
            sent_at = datetime.combine(day, time(7, 30), tzinfo=UTC)
            drill = drills[offset % len(drills)]
            delivery = Delivery(
                subscriber_id=subscriber.id, drill_id=drill.id, local_date=day, dose=drill.doses[0], stage=1,
                status="failed" if plan == "failed" else "sent", attempts=1, claimed_at=sent_at,
                sent_at=None if plan == "failed" else sent_at,
            )  # fmt: skip
            repo.session.add(delivery)
            await repo.session.flush()
            await StatsRepository(repo.session).count_status_changes([(delivery, "claimed")])
            for minutes, (outcome, pain, note, via) in enumerate(plan if isinstance(plan, list) else []):
                await repo.deliveries.add_check_in(
                    delivery_id=delivery.id, outcome=outcome, pain=pain, note=note, via=via,
                    now=sent_at + timedelta(hours=1, minutes=minutes),
                )  # fmt: skip


def _shown(harness: Harness, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages as the user sees them: text, caption, buttons and the picture's bytes."""
    files = harness.emulator.files
    return [
        {
            "text": message.get("text"),
            "caption": message.get("caption"),
            "markup": message.get("reply_markup"),
            "picture": files[message["photo"][-1]["file_id"]].data if "photo" in message else None,
        }
        for message in messages
    ]


async def _views(harness: Harness, runners: list[Any], coach: Any) -> dict[str, Any]:
    views: dict[str, Any] = {}
    for runner in runners:
        views[f"history {runner.id}"] = _shown(harness, await command(harness, runner, "/history"))
        views[f"progress {runner.id}"] = _shown(harness, await command(harness, runner, "/progress"))
        async with harness.runtime.unit_of_work() as repo:
            subscriber = await repo.subscribers.by_telegram_id(runner.id)
            assert subscriber is not None
            progress = await progress_of(repo, harness.runtime.programme, subscriber, now=harness.clock.now())
        views[f"streak {runner.id}"] = (progress.summary, progress.marks)
    views["stats"] = _shown(harness, await command(harness, coach, "/stats", count=2))
    for since in (None, harness.clock.now().date() - timedelta(days=420)):
        out = io.StringIO()
        await export_check_ins(harness.runtime.session_factory, out, since=since)
        views[f"export since {since}"] = out.getvalue()
    return views


async def _count(harness: Harness, model: Any, *conditions: Any) -> int:
    async with harness.runtime.unit_of_work() as repo:
        return int(await repo.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)


async def _prepared(harness: Harness) -> tuple[list[Any], Any, dict[str, Any]]:
    runners = [await onboard(harness, 501, "Ana"), await onboard(harness, 502, "Ben")]
    for shift, runner in enumerate(runners):
        await _seed_history(harness, runner.id, shift)
    coach = harness.driver.user(COACH, "Coach")
    return runners, coach, await _views(harness, runners, coach)


async def test_the_dispatcher_prunes_old_days_and_every_view_reads_the_same(harness: Harness) -> None:
    runners, coach, before = await _prepared(harness)
    cutoff = harness.clock.now().date() - timedelta(days=harness.runtime.settings.retention_days)
    old = await _count(harness, Delivery, Delivery.local_date < cutoff)
    assert old > 50

    report = await harness.tick_report()

    assert report.pruned == old
    assert await _count(harness, Delivery, Delivery.local_date < cutoff) == 0
    assert await _count(harness, Delivery) > 0
    assert await _count(harness, RunnerDay) == old
    assert await _count(harness, ArchivedCheckIn) > 0
    assert await _views(harness, runners, coach) == before
    assert (await harness.tick_report()).pruned == 0


async def test_glutebot_prune_folds_everything_past_the_days_given(
    harness: Harness, database_url: str
) -> None:
    runners, coach, before = await _prepared(harness)
    days = (date.today() - harness.clock.now().date()).days + 1

    result = glutebot("prune", "--days", str(days), database_url=database_url)

    assert result.returncode == 0, result.stderr
    pruned = await _count(harness, RunnerDay)
    assert result.stdout.startswith(f"{pruned} deliveries before ")
    assert await _count(harness, Delivery) == 0
    assert await _count(harness, CheckIn) == 0
    assert await _views(harness, runners, coach) == before


async def test_deleting_a_pruned_runner_leaves_nothing_of_them(harness: Harness) -> None:
    runners, _coach, _before = await _prepared(harness)
    await harness.tick()
    ana = await stored(harness, runners[0].id)
    async with harness.runtime.unit_of_work() as repo:
        counted = await counts_checked_against_rows(repo.session)
    driver = harness.driver

    question = (await command(harness, runners[0], "/deletedata"))[0]
    driver.press(runners[0], question, "Yes, delete everything")
    await harness.emulator.wait_for(
        lambda: driver.last(runners[0].id).get("text", "").startswith("Done: everything")
    )

    for model in (RunnerDay, ArchivedCheckIn):
        assert await _count(harness, model, model.subscriber_id == ana.id) == 0
    assert await _count(harness, RunnerDay) > 0
    async with harness.runtime.unit_of_work() as repo:
        assert await counts_checked_against_rows(repo.session) < counted


LONG_AGO = 50
"""Days since the runners' last drill: past the shortest RETENTION_DAYS (30)."""


async def _last_drill_long_ago(harness: Harness, telegram_id: int) -> tuple[int, int]:
    """The runner's one drill, LONG_AGO days back: a weight noted, then pain 6. Their id and the drill's."""
    runner = await stored(harness, telegram_id)
    day = harness.clock.now().date() - timedelta(days=LONG_AGO)
    sent_at = datetime.combine(day, time(7, 30), tzinfo=UTC)
    async with harness.runtime.unit_of_work() as repo:
        drill = await repo.session.scalar(select(Drill).where(Drill.stage == 1).order_by(Drill.id).limit(1))
        assert drill is not None
        delivery = Delivery(
            subscriber_id=runner.id, drill_id=drill.id, local_date=day, dose=drill.doses[0], stage=1,
            status="sent", attempts=1, claimed_at=sent_at, sent_at=sent_at,
        )  # fmt: skip
        repo.session.add(delivery)
        await repo.session.flush()
        for minutes, (outcome, pain, note) in enumerate([(None, None, "20 kg"), ("pain", 6, None)]):
            await repo.deliveries.add_check_in(
                delivery_id=delivery.id, outcome=outcome, pain=pain, note=note, via="button",
                now=sent_at + timedelta(hours=1, minutes=minutes),
            )  # fmt: skip
        return runner.id, drill.id


async def _planned(harness: Harness, runner: Any, drill_id: int) -> tuple[Any, ...]:
    """The runner's card from /today, the progress it left on every drill, and the weights they noted."""
    card = await today(harness, runner)
    subscriber = await stored(harness, runner.id)
    async with harness.runtime.unit_of_work() as repo:
        states = (await repo.progress.states_of(subscriber_ids=[subscriber.id]))[subscriber.id]
        notes = await repo.deliveries.notes_on_drill(
            subscriber_id=subscriber.id, drill_id=drill_id, before=harness.clock.now().date()
        )
    return card["caption"], subscriber.stage, subscriber.stage_credit, states, notes


async def test_a_runner_whose_last_drill_was_pruned_is_planned_as_if_it_were_not(harness: Harness) -> None:
    """The planner folds the last answer into the programme at the next drill; back after a long break, that
    answer may be in the folded history only."""
    ana, ben = await onboard(harness, 501, "Ana"), await onboard(harness, 502, "Ben")
    for runner in (ana, ben):
        _subscriber_id, drill_id = await _last_drill_long_ago(harness, runner.id)

    before = await _planned(harness, ana, drill_id)
    pruned = await prune(
        harness.runtime.session_factory, before=harness.clock.now().date() - timedelta(days=30)
    )
    after = await _planned(harness, ben, drill_id)

    assert pruned == 2
    assert after == before
    *_card_and_stage, states, notes = after
    assert [state.last_outcome for state in states.values()].count(Outcome.PAIN) == 1
    assert notes == ["20 kg"]
