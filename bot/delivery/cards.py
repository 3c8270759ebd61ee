"""Send a planned drill card and record how it went; `/today` and the dispatcher both come through here."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.db.models import Delivery, Subscriber
from bot.db.repositories import Repository
from bot.db.transient import retry_transient
from bot.delivery.planner import PlannedDrill
from bot.delivery.sender import Markup, Sender, SendResult, SendStatus
from bot.domain.programme import Drill
from bot.domain.schedule import nudge_time
from bot.runtime import Runtime
from bot.services.subscriptions import mark_blocked, quiet_hours_of, zone_of
from bot.ui.keyboards import check_in_json


async def send_drill_card(
    runtime: Runtime,
    sender: Sender,
    planned: PlannedDrill,
    *,
    chat_id: int,
    disable_notification: bool = False,
    record: bool = True,
) -> SendResult:
    """The animation with its caption and check-in buttons; the caption alone if the GIF is not there yet.

    The dispatcher passes `record=False` and records its sends in batches with `record_results`.
    """
    result = await send_card(
        runtime,
        sender,
        planned.drill,
        planned.caption,
        chat_id=chat_id,
        markup=check_in_json(planned.delivery.id),
        disable_notification=disable_notification,
    )
    runtime.metrics.delivery(result.status, result.reason)
    if record:
        await record_results(runtime, [(planned.delivery.id, result)])
    return result


async def send_card(
    runtime: Runtime,
    sender: Sender,
    drill: Drill,
    caption: str,
    *,
    chat_id: int,
    markup: Markup | None,
    disable_notification: bool = False,
) -> SendResult:
    """Any drill card: the animation by its cached file id with the caption, or the caption alone."""
    content_hash = runtime.media_hashes.get(drill.slug)
    if content_hash is not None:
        return await sender.send_animation(
            runtime,
            chat_id,
            gif=runtime.content_dir / drill.gif,
            content_hash=content_hash,
            caption=caption,
            reply_markup=markup,
            disable_notification=disable_notification,
        )
    return await sender.send_text(
        chat_id, caption, reply_markup=markup, disable_notification=disable_notification
    )


async def record_results(runtime: Runtime, results: list[tuple[int, SendResult]]) -> None:
    """How sends went, in one transaction: sent with its message id, failed, or the runner blocked; the
    per-day counts move with the statuses in the same transaction.

    A deadlock (say with `/deletedata` removing a runner of the batch) or a lost connection runs the whole
    transaction again: a batch left claimed would be re-sent by stale-claim recovery, every message twice.
    """
    now = runtime.clock.now()
    await retry_transient(
        lambda: _record_all(runtime, results, now), what="recording send results", sleep=runtime.retry_sleep
    )


async def _record_all(runtime: Runtime, results: list[tuple[int, SendResult]], now: datetime) -> None:
    async with runtime.unit_of_work() as repo:
        deliveries = await repo.deliveries.lock_with_subscribers([delivery_id for delivery_id, _ in results])
        before = {delivery_id: delivery.status for delivery_id, (delivery, _) in deliveries.items()}
        for delivery_id, result in results:
            if delivery_id in deliveries:
                delivery, subscriber = deliveries[delivery_id]
                await _record(repo, runtime, delivery, subscriber, result, now)
        await repo.stats.count_status_changes(
            [(delivery, before[delivery_id]) for delivery_id, (delivery, _) in deliveries.items()]
        )


async def _record(
    repo: Repository,
    runtime: Runtime,
    delivery: Delivery,
    subscriber: Subscriber,
    result: SendResult,
    now: datetime,
) -> None:
    delivery.attempts += result.attempts
    first_send = delivery.status != "sent"
    if result.status is SendStatus.SENT:
        delivery.status = "sent"
        delivery.telegram_message_id = result.message_id
        delivery.sent_at = now
        delivery.error = None
        subscriber.last_drill_sent_at = now
        if first_send and subscriber.nudges_enabled:
            delivery.nudge_at = nudge_time(
                now,
                zone_of(subscriber),
                after=timedelta(hours=runtime.settings.nudge_after_hours),
                quiet=quiet_hours_of(subscriber),
            )
        return
    delivery.error = result.error
    if delivery.status != "sent":
        delivery.status = "failed"
    if result.status is SendStatus.BLOCKED:
        await mark_blocked(repo, subscriber, now=now)
