"""Pacing on an injected time source: the overall rate, replies before bulk sends, the paid budget, and a
process's share of the rates changing at run time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.delivery.pacing import Lane, Pacing, in_lane


class FakeTime:
    """Time that moves only when Pacing sleeps, by exactly as long as it asked."""

    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


class Calls:
    """What reached "Telegram", in order, each with the fake time it went out."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sent: list[tuple[str, float]] = []
        self.after: dict[str, Callable[[], None]] = {}
        """What happens just after a label went out."""

    async def send(self, pacing: Pacing, label: str, *, lane: Lane, **data: Any) -> None:
        async def callback() -> bool:
            self.sent.append((label, self.time.now))
            self.after.get(label, lambda: None)()
            return True

        with in_lane(lane):
            await pacing.process_request(callback, (), {}, "sendMessage", {"chat_id": 1, **data}, None)

    def labels(self) -> list[str]:
        return [label for label, _at in self.sent]


def paced() -> tuple[Pacing, Calls]:
    time = FakeTime()
    return Pacing(now=time.time, sleep=time.sleep), Calls(time)


async def test_a_second_of_burst_then_thirty_a_second() -> None:
    pacing, calls = paced()
    await asyncio.gather(*(calls.send(pacing, f"b{n}", lane=Lane.BULK) for n in range(90)))
    times = [at for _label, at in calls.sent]
    assert times[:30] == [0.0] * 30
    assert 1.95 <= times[-1] <= 2.05
    for index, at in enumerate(times):
        assert index < 30 + 30 * at + 1e-6
    assert calls.labels() == [f"b{n}" for n in range(90)]
    await pacing.shutdown()


async def test_a_reply_goes_before_bulk_sends_already_waiting() -> None:
    pacing, calls = paced()
    bulk = [asyncio.create_task(calls.send(pacing, f"b{n}", lane=Lane.BULK)) for n in range(100)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(calls.send(pacing, "reply", lane=Lane.INTERACTIVE))
    await asyncio.gather(reply, *bulk)
    labels = calls.labels()
    assert labels.index("reply") == 30
    assert dict(calls.sent)["reply"] <= 1 / 30 + 1e-6
    assert [label for label in labels if label != "reply"] == [f"b{n}" for n in range(100)]
    await pacing.shutdown()


async def test_replies_keep_their_own_order_and_bulk_waits_for_all_of_them() -> None:
    pacing, calls = paced()
    bulk = [asyncio.create_task(calls.send(pacing, f"b{n}", lane=Lane.BULK)) for n in range(40)]
    await asyncio.sleep(0)
    replies = [asyncio.create_task(calls.send(pacing, f"r{n}", lane=Lane.INTERACTIVE)) for n in range(5)]
    await asyncio.gather(*bulk, *replies)
    assert calls.labels()[30:35] == [f"r{n}" for n in range(5)]
    await pacing.shutdown()


async def test_calls_without_a_lane_are_replies() -> None:
    pacing, calls = paced()

    async def unmarked() -> None:
        async def callback() -> bool:
            calls.sent.append(("handler", calls.time.now))
            return True

        await pacing.process_request(callback, (), {}, "editMessageText", {"chat_id": 1}, None)

    bulk = [asyncio.create_task(calls.send(pacing, f"b{n}", lane=Lane.BULK)) for n in range(60)]
    await asyncio.sleep(0)
    await asyncio.gather(asyncio.create_task(unmarked()), *bulk)
    assert calls.labels().index("handler") == 30
    await pacing.shutdown()


async def test_paid_broadcasts_draw_on_the_paid_budget() -> None:
    pacing, calls = paced()
    paid = [calls.send(pacing, f"p{n}", lane=Lane.BULK, allow_paid_broadcast=True) for n in range(1000)]
    free = [calls.send(pacing, f"f{n}", lane=Lane.BULK) for n in range(60)]
    await asyncio.gather(*paid, *free)
    sent = dict(calls.sent)
    assert max(sent[f"p{n}"] for n in range(1000)) == 0.0
    assert 0.95 <= max(sent[f"f{n}"] for n in range(60)) <= 1.05
    await pacing.shutdown()


async def test_a_cancelled_wait_gives_its_turn_to_the_next() -> None:
    pacing, calls = paced()
    first = [asyncio.create_task(calls.send(pacing, f"b{n}", lane=Lane.BULK)) for n in range(32)]
    await asyncio.sleep(0)
    first[30].cancel()
    await asyncio.gather(*first, return_exceptions=True)
    assert calls.labels() == [f"b{n}" for n in range(32) if n != 30]
    assert dict(calls.sent)["b31"] <= 1 / 30 + 1e-6
    await pacing.shutdown()


async def test_messages_without_a_chat_are_not_paced() -> None:
    pacing, calls = paced()
    await asyncio.gather(*(calls.send(pacing, f"b{n}", lane=Lane.BULK) for n in range(30)))
    answered: list[float] = []

    async def callback() -> bool:
        answered.append(calls.time.now)
        return True

    await pacing.process_request(callback, (), {}, "answerCallbackQuery", {"callback_query_id": "1"}, None)
    assert answered == [0.0]
    await pacing.shutdown()


async def test_a_share_of_the_rate_keeps_the_tokens_and_the_queue_and_comes_back_whole() -> None:
    pacing, calls = paced()
    calls.after["b29"] = lambda: pacing.share_among(2)  # a peer came up as the burst ran out
    calls.after["b59"] = lambda: pacing.share_among(1)  # and went away
    await asyncio.gather(*(calls.send(pacing, f"b{n}", lane=Lane.BULK) for n in range(90)))

    assert calls.labels() == [f"b{n}" for n in range(90)]
    sent = dict(calls.sent)
    assert [sent[f"b{n}"] for n in range(30)] == [0.0] * 30
    assert [round(sent[f"b{n}"] * 15, 6) for n in range(30, 60)] == list(range(1, 31))
    assert [round((sent[f"b{n}"] - 2.0) * 30, 6) for n in range(60, 90)] == list(range(1, 31))
    assert (pacing.free.rate, pacing.paid.rate) == (30, 1000)
    await pacing.shutdown()


async def test_a_smaller_share_caps_the_burst_and_replies_still_go_first() -> None:
    pacing, calls = paced()
    pacing.share_among(3)
    bulk = [asyncio.create_task(calls.send(pacing, f"b{n}", lane=Lane.BULK)) for n in range(30)]
    await asyncio.sleep(0)
    reply = asyncio.create_task(calls.send(pacing, "reply", lane=Lane.INTERACTIVE))
    await asyncio.gather(reply, *bulk)
    labels = calls.labels()
    assert labels.index("reply") == 10
    assert dict(calls.sent)["b9"] == 0.0
    assert 2.05 <= dict(calls.sent)["b29"] <= 2.15  # 10 at once, then the reply and 20 more at 10 a second
    await pacing.shutdown()
