"""Bulk calls at work on the event loop while an update is handled: a few at once, never none."""

from __future__ import annotations

import asyncio

from bot.delivery.headroom import Headroom


async def settle() -> None:
    """Let every ready task run until it waits on something only the test sets."""
    for _ in range(20):
        await asyncio.sleep(0)


class BulkCalls:
    """Bulk calls whose Telegram answer, and whose work after it, each wait for the test."""

    def __init__(self, headroom: Headroom, count: int) -> None:
        self.headroom = headroom
        self.answers = [asyncio.Event() for _ in range(count)]
        self.finished = [asyncio.Event() for _ in range(count)]
        self.sent: list[int] = []
        self.answered: list[int] = []
        self.tasks = [asyncio.create_task(self._call(number)) for number in range(count)]

    async def _call(self, number: int) -> None:
        async with self.headroom.bulk_call():
            self.sent.append(number)
            async with self.headroom.awaiting_answer():
                await self.answers[number].wait()
            self.answered.append(number)
            await self.finished[number].wait()


async def test_while_an_update_runs_only_a_few_answered_calls_work_at_once() -> None:
    headroom = Headroom(while_answering=2)
    with headroom.answering_update():
        calls = BulkCalls(headroom, 5)
        await settle()
        assert calls.sent == [0, 1, 2, 3, 4]
        assert headroom.working == 0
        for answer in calls.answers:
            answer.set()
        await settle()
        assert len(calls.answered) == 2
        assert (headroom.working, headroom.waiting) == (2, 3)
        calls.finished[calls.answered[0]].set()
        await settle()
        assert len(calls.answered) == 3
    await settle()
    assert len(calls.answered) == 5
    for finished in calls.finished:
        finished.set()
    await asyncio.gather(*calls.tasks)
    assert (headroom.working, headroom.waiting) == (0, 0)


async def test_an_answered_call_goes_before_a_new_one() -> None:
    headroom = Headroom(while_answering=1)
    with headroom.answering_update():
        first = BulkCalls(headroom, 2)
        await settle()
        for answer in first.answers:
            answer.set()
        await settle()
        assert len(first.answered) == 1
        later = BulkCalls(headroom, 1)
        await settle()
        assert later.sent == []
        first.finished[first.answered[0]].set()
        await settle()
        assert len(first.answered) == 2
        assert later.sent == []
    await settle()
    assert later.sent == [0]
    for calls in (first, later):
        for event in (*calls.answers, *calls.finished):
            event.set()
        await asyncio.gather(*calls.tasks)
    assert (headroom.working, headroom.waiting) == (0, 0)


async def test_with_no_update_bulk_calls_are_not_held() -> None:
    headroom = Headroom(while_answering=1)
    calls = BulkCalls(headroom, 4)
    for answer in calls.answers:
        answer.set()
    await settle()
    assert len(calls.answered) == 4
    assert headroom.working == 4
    for finished in calls.finished:
        finished.set()
    await asyncio.gather(*calls.tasks)
    assert headroom.working == 0


async def test_a_claim_waits_for_the_updates_running_when_it_began_not_for_later_ones() -> None:
    headroom = Headroom()
    first_done, second_done = asyncio.Event(), asyncio.Event()

    async def update(done: asyncio.Event) -> None:
        with headroom.answering_update():
            await done.wait()

    first = asyncio.create_task(update(first_done))
    await settle()
    claim = asyncio.create_task(headroom.after_updates())
    await settle()
    second = asyncio.create_task(update(second_done))
    await settle()
    assert not claim.done()
    first_done.set()
    await settle()
    assert claim.done()
    assert headroom.answering == 1
    second_done.set()
    await asyncio.gather(first, second)


async def test_an_update_longer_than_the_bound_does_not_hold_a_claim() -> None:
    headroom = Headroom()
    with headroom.answering_update():
        await headroom.after_updates(at_most=0)
        assert headroom.answering == 1
