"""One chat cannot stall the others: each chat's backlog waits on its own, a flood is cut short with one
"slow down" reply, and a group gets one pointer to the private chat an hour (Telegram's per-chat rates on)."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import use_language
from bot.telegram.app import CHAT_BACKLOG
from bot.ui import texts
from tests.e2e.conftest import Harness, add_subscribers

FLOODER, OTHER = 401, 402
GROUP = -100_401


async def test_a_chat_flooding_300_messages_does_not_hold_up_another(limited_harness: Harness) -> None:
    harness, driver = limited_harness, limited_harness.driver
    flooder, other = driver.user(FLOODER, "Flo"), driver.user(OTHER, "Ola")
    for number in range(300):
        driver.send(flooder, f"hello {number}")
    mark = driver.mark(OTHER)
    driver.send(other, "/help")

    answer = await driver.next_message(OTHER, mark, within=1.0)

    assert answer["text"] == texts.help_text()
    await harness.drain()
    replies = [message["text"] for message in driver.messages(FLOODER)]
    assert replies.count(texts.slow_down()) == 1
    assert replies[-1] == texts.slow_down()
    assert CHAT_BACKLOG <= len(replies) < 2 * CHAT_BACKLOG
    refused = [
        call
        for call in harness.emulator.calls_to("sendMessage")
        if call.params["chat_id"] == FLOODER and not call.ok
    ]
    assert refused and all(call.error and call.error.startswith("Too Many Requests") for call in refused)


async def test_a_second_flood_after_the_first_is_done_gets_its_own_slow_down(
    limited_harness: Harness,
) -> None:
    harness, driver = limited_harness, limited_harness.driver
    flooder = driver.user(FLOODER, "Flo")
    for flood in range(2):
        for number in range(4 * CHAT_BACKLOG):
            driver.send(flooder, f"flood {flood} message {number}")
        await harness.drain()

    replies = [message["text"] for message in driver.messages(FLOODER)]
    assert replies.count(texts.slow_down()) == 2


async def test_a_runners_flood_is_cut_short_in_their_own_language(limited_harness: Harness) -> None:
    harness, driver = limited_harness, limited_harness.driver
    await add_subscribers(harness, 1, first_id=FLOODER)
    async with harness.runtime.unit_of_work() as repo:
        runner = await repo.subscribers.by_telegram_id(FLOODER)
        assert runner is not None
        repo.subscribers.set_language(runner, language="de", now=harness.clock.now())
    flooder = driver.user(FLOODER, "Flo")
    for number in range(4 * CHAT_BACKLOG):
        driver.send(flooder, f"flood {number}")
    await harness.drain()

    with use_language("de"):
        slow_down = texts.slow_down()
    assert slow_down != texts.slow_down()
    assert [message["text"] for message in driver.messages(FLOODER)].count(slow_down) == 1


async def test_a_group_gets_one_use_me_privately_reply_an_hour(limited_harness: Harness) -> None:
    harness, driver = limited_harness, limited_harness.driver
    harness.emulator.add_group(GROUP, "Tuesday runners")
    members = [driver.user(410 + number, f"Member {number}") for number in range(3)]

    def commands(count: int) -> None:
        for number in range(count):
            driver.send(members[number % len(members)], "/today", chat_id=GROUP)

    commands(30)
    await harness.drain()
    assert [message["text"] for message in driver.messages(GROUP)] == [texts.group_chat()]

    harness.advance(timedelta(minutes=59))
    commands(5)
    await harness.drain()
    assert [message["text"] for message in driver.messages(GROUP)] == [texts.group_chat()]

    harness.advance(timedelta(minutes=2))
    commands(5)
    await harness.drain()
    assert [message["text"] for message in driver.messages(GROUP)] == [texts.group_chat()] * 2
    assert all(not driver.messages(member.id) for member in members)
