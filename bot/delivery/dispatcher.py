"""The daily dispatcher: one job that claims due runners in batches, sends their drills, records the result.

There is never a scheduler job per runner. Each subscriber row carries `next_delivery_at`; a tick claims the
due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes share the work without overlap),
creates today's delivery (unique per runner and local date), moves `next_delivery_at` to the next training
day and commits before anything is sent. A crash after the commit leaves deliveries `claimed`; the next tick
re-sends those whose claim has gone stale, so a runner may see a duplicate only for a message in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import Repository, TickProbe
from bot.db.transient import Sleep, skipped_during_outages
from bot.delivery.cards import record_results, send_drill_card
from bot.delivery.planner import PlannedDrill, plan_batch, replan
from bot.delivery.sender import Sender, SendResult, SendStatus
from bot.domain.programme import Programme
from bot.domain.rates import messages_per_second
from bot.domain.schedule import (
    due_local_date,
    in_quiet_hours,
    later_today_outside_quiet_hours,
    local_date,
    next_slot,
)
from bot.domain.spread import Spread, daily_order, spread
from bot.i18n import _, use_language
from bot.runtime import Runtime
from bot.services.content import follow_content
from bot.services.retention import PRUNE_BATCH, cutoff, prune_batch
from bot.services.safety import ask_screen
from bot.services.subscriptions import quiet_hours_of, reschedule, zone_of
from bot.ui import texts
from bot.ui.keyboards import health_screen, pain_scale

log = logging.getLogger(__name__)

FIRST_BATCH = 32
"""A tick's first claim is small, so the first drill goes out within a second of its time even when
thousands are due; each claim after doubles, up to `claim_size`."""


@dataclass
class TickReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    blocked: int = 0
    recovered: int = 0
    rescheduled: int = 0
    woken: int = 0
    morning_checks: int = 0
    snoozed: int = 0
    nudges: int = 0
    screens: int = 0
    """Runners from before the health screen, asked it once in place of their drill."""
    pruned: int = 0
    """Deliveries past `RETENTION_DAYS` folded into history and deleted by the daily maintenance."""

    def add(self, result: SendResult) -> None:
        self.retried += result.retries
        if result.status is SendStatus.SENT:
            self.sent += 1
        elif result.status is SendStatus.BLOCKED:
            self.blocked += 1
        else:
            self.failed += 1


@dataclass(frozen=True, slots=True)
class Claimed:
    planned: PlannedDrill
    chat_id: int
    quiet: bool
    language: str
    """The runner's: the card's buttons are in it (its caption was written in it when planned)."""


@dataclass(frozen=True, slots=True)
class Screen:
    """A runner to ask the health screen of, in their language."""

    chat_id: int
    subscriber_id: int
    language: str


@dataclass
class Dispatcher:
    runtime: Runtime
    sender: Sender
    batch_size: int = 500
    """Follow-ups (nudges, morning questions, snoozed cards, stale claims) taken at once."""
    claim_size: int = 128
    """Due runners claimed at once: a claim's planning is a long stretch of work on the event loop (0.1-0.5 s
    at 500 during a paid run), which a reply that comes meanwhile waits behind (docs/BENCHMARKS.md)."""
    concurrency: int = 64
    stale_claim_after: timedelta = timedelta(minutes=5)
    prune_batch: int = PRUNE_BATCH
    prune_batches_per_tick: int = 1
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _pruned_on: date | None = None
    """The UTC day whose pruning is finished: maintenance runs daily, `prune_batches_per_tick` at a time."""
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    """Set by `run`'s `stop`: a tick under way sends what it has claimed and claims no more."""
    _idle_look: tuple[datetime, Spread] | None = None
    """When the last tick looked and what it saw coming, if it claimed nothing: `next_look` needs no
    query of its own then."""

    def __post_init__(self) -> None:
        """Drills, nudges and morning questions are bulk: a runner's reply to the bot goes before them."""
        self.sender = self.sender.bulk(paid=self.runtime.settings.paid_broadcast)

    async def run(self, stop: asyncio.Event, *, sleep: Sleep = asyncio.sleep) -> None:
        """Tick, then sleep until the next drill is due (or should start early), the interval, or a runner
        in this process makes one due sooner, whichever comes first; until `stop`. Other processes see such
        a change at their next look at the database, within the interval."""
        planned: list[datetime] = []
        self._stopping = stop

        async def look() -> None:
            await self.tick()
            planned.append(await self.next_look())

        guarded = skipped_during_outages(look, health=self.runtime.database_health)
        wakeup = self.runtime.wakeup
        while not stop.is_set():
            planned.clear()
            wakeup.start_looking()
            try:
                await guarded()
            except Exception:
                log.exception("the dispatch tick failed; trying again after the interval")
            now = self.runtime.clock.now()
            wake_at = wakeup.plan(planned[0] if planned else now + self._interval)
            await _rest(max((wake_at - now).total_seconds(), 0.0), stop, wakeup.sooner, sleep)

    async def next_look(self) -> datetime:
        """When the dispatcher should look again: the next start the look-ahead knows, else the interval.

        After a tick that claimed nothing, its own look (an interval and the early window ahead) is still
        what is coming, so the next look is at most an interval after it."""
        idle_look, self._idle_look = self._idle_look, None
        if idle_look is not None:
            looked, plan = idle_look
        else:
            looked = self.runtime.clock.now()
            plan = await self._plan_ahead(looked, until=looked + self._interval + self._window)
        later = looked + self._interval
        return later if plan.next_start is None else min(plan.next_start, later)

    @property
    def _interval(self) -> timedelta:
        return timedelta(seconds=self.runtime.settings.dispatch_interval_seconds)

    @property
    def _window(self) -> timedelta:
        return timedelta(minutes=self.runtime.settings.early_send_minutes)

    async def _plan_ahead(self, now: datetime, *, until: datetime) -> Spread:
        """Which of the runners due soon to start now, at the rate Telegram lets the bulk lane send."""
        async with self.runtime.unit_of_work() as repo:
            overdue = await repo.subscribers.count_due(now=now)
            due = await repo.subscribers.due_between(after=now, until=until)
        return self._spread(now, overdue, due)

    def _spread(self, now: datetime, overdue: int, due: list[tuple[datetime, int]]) -> Spread:
        """Planned at Telegram's whole rate, not this process's share of it: the delivering processes
        together clear the minute, and each claims from the same plan."""
        rate = messages_per_second(paid=self.sender.paid)
        return spread(now, [(now, overdue), *due], rate=rate, window=self._window)

    async def _look(self, now: datetime) -> tuple[TickProbe, Spread]:
        """One read-only transaction: which jobs have work, and the look-ahead over the interval and the
        early window (its horizon is the claim's: slots further out cannot start before the interval)."""
        retention_before = None if self._pruned_on == now.date() else self._retention_cutoff(now)
        async with self.runtime.reading() as repo:
            probe = await repo.ticks.probe(
                now=now, stale_before=now - self.stale_claim_after, retention_before=retention_before
            )
            due = await repo.subscribers.due_between(after=now, until=now + self._interval + self._window)
        return probe, self._spread(now, probe.overdue, due)

    def _retention_cutoff(self, now: datetime) -> date:
        return cutoff(now, self.runtime.settings.retention_days)

    async def tick(self) -> TickReport:
        """Everything due now: wake ended pauses, re-send stale claims, then claim and send batch by batch.

        First, content synced by another process since the last tick is taken in."""
        async with self._lock:
            return await self._tick()

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[Callable[[], Awaitable[TickReport]]]:
        """No other tick runs inside this block (one under way finishes first); the block gets a tick of
        its own to call: the sandbox moves its clock and then sends what that made due, and can say so."""
        async with self._lock:
            yield self._tick

    async def _tick(self) -> TickReport:
        """Only the jobs the tick's first look found work for run, each in its own transactions."""
        started = time.perf_counter()
        self._idle_look = None
        looked = self.runtime.clock.now()
        probe, plan = await self._look(looked)
        await follow_content(self.runtime, probe.content_stamp)
        self.runtime.metrics.due_backlog.set(probe.overdue)
        report = TickReport()
        if probe.pauses_ended:
            report.woken = await self._wake_paused()
        if probe.morning_checks:
            report.morning_checks = await self._send_morning_checks()
        if probe.snoozed:
            await self._resend_snoozed(report)
        if probe.nudges:
            report.nudges = await self._send_nudges()
        if probe.stale_claims:
            await self._send_all(await self._recover_stale_claims(), report, recovered=True)
        if report.woken or probe.overdue or plan.horizon > looked:
            await self._claim_due(report)
        else:
            self._idle_look = (looked, plan)
        if probe.past_retention:
            report.pruned = await self._maintain()
        else:
            self._pruned_on = looked.date()
        if report.claimed or report.recovered or report.failed:
            log.info(
                "dispatch tick: claimed %d, sent %d, retried %d, failed %d, blocked %d, recovered %d",
                report.claimed,
                report.sent,
                report.retried,
                report.failed,
                report.blocked,
                report.recovered,
                extra={"tick": report.__dict__},
            )
        metrics = self.runtime.metrics
        metrics.tick_seconds.observe(time.perf_counter() - started)
        metrics.dispatcher_alive(self.runtime.clock.now())
        return report

    async def _claim_due(self, report: TickReport) -> None:
        """Claim and send batch by batch, each claim up to the horizon the look-ahead gives at that moment.
        A process told to stop sends the batch it holds and leaves the rest due for the next look (its own
        or another process's), so it stops within a batch even in a minute thousands share. Each claim
        lets the updates being handled finish first (`Headroom.after_updates`)."""
        size = FIRST_BATCH
        while not self._stopping.is_set():
            await self.sender.headroom.after_updates()
            screens: list[Screen] = []
            now = self.runtime.clock.now()
            plan = await self._plan_ahead(now, until=now + self._window)
            batch = await self._claim_batch(report, screens, horizon=plan.horizon, limit=size)
            size = min(size * 2, self.claim_size)
            if batch is None:
                break
            await self._send_screens(screens, report)
            await self._send_all(batch, report)

    async def _maintain(self) -> int:
        """Once a UTC day, after the drills: prune a batch per tick until nothing is past retention.
        Another process pruning (it holds the lock) is left to it; this one tries again next tick."""
        runtime = self.runtime
        now = runtime.clock.now()
        if self._pruned_on == now.date():
            return 0
        before = self._retention_cutoff(now)
        pruned = 0
        for _batch in range(self.prune_batches_per_tick):
            batch = await prune_batch(runtime.session_factory, before=before, size=self.prune_batch)
            if batch is None:
                return pruned
            pruned += batch
            if batch < self.prune_batch:
                self._pruned_on = now.date()
                break
        if pruned:
            log.info("retention: %d deliveries before %s folded into history and deleted", pruned, before)
        return pruned

    async def _wake_paused(self) -> int:
        """A pause that has run its course: the runner is active again, due at the slot computed on /pause."""
        now = self.runtime.clock.now()
        async with self.runtime.unit_of_work() as repo:
            return await repo.subscribers.wake_ended_pauses(now=now)

    async def _send_morning_checks(self) -> int:
        """The one-tap 0-10 question the morning after a painful session; its answer feeds progression."""
        now = self.runtime.clock.now()
        async with self.runtime.unit_of_work() as repo:
            due = await repo.deliveries.take_due(Delivery.morning_check_at, now=now, limit=self.batch_size)
            targets = [
                (delivery, subscriber.chat_id, subscriber.language, today)
                for delivery, subscriber, today in _still_their_day(due, Delivery.morning_check_at, now)
            ]
        for delivery, chat_id, language, today in targets:
            with use_language(language):
                question = texts.morning_question(delivery.local_date, today)
                await self.sender.send_text(chat_id, question, reply_markup=pain_scale("mp", delivery.id))
        return len(targets)

    async def _resend_snoozed(self, report: TickReport) -> None:
        """A card the runner put off with "Later" comes back once, at the time they chose."""
        runtime = self.runtime
        now = runtime.clock.now()
        batch: list[Claimed] = []
        async with runtime.unit_of_work() as repo:
            due = await repo.deliveries.take_due(Delivery.snoozed_until, now=now, limit=self.batch_size)
            ready = _still_their_day(due, Delivery.snoozed_until, now)
            answered = await repo.deliveries.answered([delivery.id for delivery, _, _ in ready])
            for delivery, subscriber, _today in ready:
                if delivery.id in answered:
                    continue
                planned = await replan(repo, runtime.programme, subscriber, delivery)
                if planned is not None:
                    batch.append(Claimed(planned, subscriber.chat_id, False, subscriber.language))
        report.snoozed += len(batch)
        await self._send_all(batch, report)

    async def _send_nudges(self) -> int:
        """One gentle reminder for a drill still unanswered hours later; never more than one a day."""
        now = self.runtime.clock.now()
        async with self.runtime.unit_of_work() as repo:
            due = await repo.deliveries.take_due(Delivery.nudge_at, now=now, limit=self.batch_size)
            ready = _still_their_day(due, Delivery.nudge_at, now)
            answered = await repo.deliveries.answered([delivery.id for delivery, _, _ in ready])
            targets = [
                (subscriber.chat_id, subscriber.language, delivery.drill_id)
                for delivery, subscriber, _today in ready
                if delivery.id not in answered and subscriber.nudges_enabled
            ]
            slugs = {row.id: row.slug for row in await repo.drills.list_active()}
        drills = self.runtime.programme.drills
        for chat_id, language, drill_id in targets:
            drill = drills.get(slugs.get(drill_id, ""))
            with use_language(language):  # the drill's name too, in the content's translation
                name = drill.name if drill is not None else _("today's drill")
                await self.sender.send_text(chat_id, texts.nudge(name))
        return len(targets)

    async def _send_screens(self, screens: list[Screen], report: TickReport) -> None:
        for screen in screens:
            with use_language(screen.language):
                await self.sender.send_text(
                    screen.chat_id,
                    texts.health_question(on_its_own=True),
                    reply_markup=health_screen(screen.subscriber_id, []),
                )
        report.screens += len(screens)

    async def _claim_batch(
        self, report: TickReport, screens: list[Screen], *, horizon: datetime, limit: int
    ) -> list[Claimed] | None:
        """One transaction: lock a batch of runners due by `horizon`, record today's deliveries, move
        their schedules on.

        Returns None when nothing was due (the tick is over), else the deliveries to send (possibly none,
        when every due runner already had today's drill or their missed day is gone, or the health screen
        or pain holds them). A runner never asked the health screen is asked it now, into `screens`.
        Runners due later than now whose early start would fall in their quiet hours or on their day
        before are left for their own time; a full-size batch of nothing else ends the tick.
        """
        runtime = self.runtime
        now = runtime.clock.now()
        claimed: list[Claimed] = []
        async with runtime.unit_of_work() as repo:
            due = await repo.subscribers.lock_due(until=horizon, order=daily_order(now.date()), limit=limit)
            locked = len(due)
            due = [subscriber for subscriber in due if _may_start(subscriber, now)]
            if not due:
                return [] if locked == limit < self.claim_size else None
            runtime.metrics.dispatcher_alive(now)
            due_today: list[tuple[Subscriber, date]] = []
            for subscriber in due:
                zone = zone_of(subscriber)
                assert subscriber.next_delivery_at is not None
                local_day = due_local_date(
                    scheduled_at=subscriber.next_delivery_at,
                    now=max(now, subscriber.next_delivery_at),
                    zone=zone,
                    delivery_time=subscriber.delivery_time,
                    training_days=subscriber.training_days,
                )
                if local_day is None:
                    await reschedule(repo, subscriber, now=now)
                    report.rescheduled += 1
                    continue
                due_today.append((subscriber, local_day))
                if subscriber.health_screened_at is None and subscriber.health_asked_at is None:
                    ask_screen(subscriber, now=now, on_its_own=True)
                    screens.append(Screen(subscriber.chat_id, subscriber.id, subscriber.language))
                subscriber.next_delivery_at = next_slot(
                    now=now,
                    zone=zone,
                    delivery_time=subscriber.delivery_time,
                    training_days=subscriber.training_days,
                    from_date=local_day + timedelta(days=1),
                )
            planned = await _plan(repo, runtime, due_today, now=now)
            for subscriber, _day in due_today:
                plan = planned.get(subscriber.id)
                if plan is not None and plan.created:
                    quiet = _quiet_now(subscriber, now)
                    claimed.append(Claimed(plan, subscriber.chat_id, quiet, subscriber.language))
        report.claimed += len(claimed)
        return claimed

    async def _recover_stale_claims(self) -> list[Claimed]:
        """Deliveries claimed by a process that died before recording a result; take them over once."""
        runtime = self.runtime
        now = runtime.clock.now()
        recovered: list[Claimed] = []
        async with runtime.unit_of_work() as repo:
            stale = await repo.deliveries.stale_claims(
                before=now - self.stale_claim_after, limit=self.batch_size
            )
            for delivery, subscriber in stale:
                if not await repo.deliveries.take_over_claim(delivery, now=now):
                    continue
                planned = await replan(repo, runtime.programme, subscriber, delivery)
                if planned is not None:
                    quiet = _quiet_now(subscriber, now)
                    recovered.append(Claimed(planned, subscriber.chat_id, quiet, subscriber.language))
        return recovered

    async def _send_all(self, batch: list[Claimed], report: TickReport, *, recovered: bool = False) -> None:
        """Send concurrently (bounded); record results as they come, many per transaction under load, each
        transaction after the updates being handled when it is due."""
        if not batch:
            return
        if recovered:
            report.recovered += len(batch)
        limit = asyncio.Semaphore(self.concurrency)
        unrecorded: list[tuple[int, SendResult]] = []
        recording = asyncio.Lock()

        async def record() -> None:
            async with recording:
                await self.sender.headroom.after_updates()
                if unrecorded:
                    results = unrecorded[:]
                    unrecorded.clear()
                    await record_results(self.runtime, results)

        async def send(item: Claimed) -> None:
            async with limit:
                with use_language(item.language):
                    result = await send_drill_card(
                        self.runtime,
                        self.sender,
                        item.planned,
                        chat_id=item.chat_id,
                        disable_notification=item.quiet,
                        record=False,
                    )
            report.add(result)
            unrecorded.append((item.planned.delivery.id, result))
            await record()

        await asyncio.gather(*(send(item) for item in batch))
        await record()


async def _plan(
    repo: Repository, runtime: Runtime, due_today: list[tuple[Subscriber, date]], *, now: datetime
) -> dict[int, PlannedDrill]:
    """Plan each runner's day with the programme for that day: one batch per programme (just one, unless
    content was reloaded during some runners' day)."""
    batches: dict[int, tuple[Programme, list[tuple[Subscriber, date]]]] = {}
    for subscriber, day in due_today:
        programme = runtime.programme_on(day, zone_of(subscriber))
        batches.setdefault(id(programme), (programme, []))[1].append((subscriber, day))
    planned: dict[int, PlannedDrill] = {}
    for programme, batch in batches.values():
        planned.update(await plan_batch(repo, programme, batch, now=now, on_demand=False))
    return planned


async def _rest(seconds: float, stop: asyncio.Event, sooner: asyncio.Event, sleep: Sleep) -> None:
    """Until `seconds` have passed by `sleep`, or `stop` or `sooner` is set."""
    waits = [asyncio.ensure_future(sleep(seconds)), asyncio.ensure_future(stop.wait())]
    waits.append(asyncio.ensure_future(sooner.wait()))
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


def _may_start(subscriber: Subscriber, now: datetime) -> bool:
    """A drill due now always goes; one started early only on its own local day, outside quiet hours."""
    due = subscriber.next_delivery_at
    if due is None or due <= now:
        return True
    zone = zone_of(subscriber)
    return local_date(now, zone) == local_date(due, zone) and not in_quiet_hours(
        now, zone, quiet_hours_of(subscriber)
    )


def _quiet_now(subscriber: Subscriber, now: datetime) -> bool:
    """A drill that goes out inside the runner's quiet hours (their chosen time is in them, or it is late)
    goes out silently: it is the day's drill, so it does not wait."""
    return in_quiet_hours(now, zone_of(subscriber), quiet_hours_of(subscriber))


def _still_their_day(
    due: list[tuple[Delivery, Subscriber, datetime]],
    when: InstrumentedAttribute[datetime | None],
    now: datetime,
) -> list[tuple[Delivery, Subscriber, date]]:
    """The follow-ups to send now, with the runner's local today. Each belongs to one local day: a reminder
    and a snoozed card to their drill's day, the morning check to the morning it was planned for. Inside
    quiet hours one waits until they end, if that is still its day; once the day is over (the bot was down
    into the next day) it is dropped: no reminder for yesterday's drill, no stale "yesterday"."""
    ready: list[tuple[Delivery, Subscriber, date]] = []
    for delivery, subscriber, due_at in due:
        zone = zone_of(subscriber)
        day = local_date(due_at, zone) if when is Delivery.morning_check_at else delivery.local_date
        later = later_today_outside_quiet_hours(now, zone, quiet_hours_of(subscriber), day=day)
        if later == now:
            ready.append((delivery, subscriber, day))
        else:
            setattr(delivery, when.key, later)
    return ready
