"""What anyone can send: forged button payloads, odd command arguments, and other people's Try it now.

A Telegram client can send any callback data, not only what our keyboards made. Each is answered in a
friendly way (the stale-button or usage reply), nothing is logged as an error, and nothing is written.
"""

from __future__ import annotations

import logging

import pytest

from bot.db.models import Broadcast
from bot.ui import texts
from tests.e2e.conftest import Harness, ask, onboard, snapshot, today

COACH = 999
"""The harness runs with ADMIN_IDS=999."""
QUIET_METHODS = {"getupdates", "answercallbackquery"}
"""Bot API calls that change nothing a person sees."""


def visible_calls(harness: Harness) -> list[str]:
    return [call.method for call in harness.emulator.calls if call.method not in QUIET_METHODS]


async def ready_draft(harness: Harness) -> Broadcast:
    """A coach's draft with its content and audience chosen, waiting for Send now or a button."""
    async with harness.runtime.unit_of_work() as repo:
        draft = await repo.broadcasts.create_draft(created_by=COACH, now=harness.clock.now())
        draft.text, draft.draft_step = "Hello runners", "confirm"
    return draft


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


async def test_forged_button_data_gets_the_stale_answer_and_changes_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    runner = await onboard(harness, 401)
    coach = await onboard(harness, COACH)
    card = await today(harness, runner)
    delivery = card["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1]
    draft = await ready_draft(harness)
    coach_chat = harness.driver.last(COACH)
    too_big = "9" * 25
    runner_taps = {
        texts.gone(): [
            "ci:5", "ci:", "ci:²:done", "ci:٣:done", f"ci:{delivery}", f"ci:{too_big}:done",
            f"ci:{delivery}:nonsense",
            "pn:1", f"pn:{delivery}", f"pn:{delivery}:²", f"pn:{delivery}:11", "pn:²:3", f"pn:{too_big}:3",
            "mp:1", f"mp:{delivery}:²", "mp:x:1",
            "sn:…", f"sn:{delivery}", "sn:²:hour", f"sn:{delivery}:never", f"sn:{too_big}:hour",
            "sl:…", f"sl:{delivery}", "sl:²:hour", f"sl:{delivery}:never", f"sl:{too_big}:hour",
            "set", "set:", "set:level", "set:level:²", "set:level:9", "set:pause:²", f"set:pause:{too_big}",
            "del", "del:", "del:maybe",
            "try:", "try:²", "try:1:2", f"try:{too_big}",
            "bc:1:now", "nonsense",
            "hs:", "hs:²:none", f"hs:{too_big}:none", "hs:none",
            "pa:", f"pa:{delivery}", f"pa:{delivery}:nowhere", "pa:²:knee", f"pa:{too_big}:knee",
            "pk:", f"pk:{delivery}:itchy", "pk:²:burn", "hc:", "hc:²:cleared", "pr:", "pr:²:settled",
        ],
        texts.not_yours(): [f"hc:{too_big}:cleared", f"pr:{too_big}:settled", "hc:٣:cleared"],
    }  # fmt: skip
    coach_taps = {
        texts.broadcast_draft_gone(): ["bc:", "bc:²:now", "bc:1", f"bc:{too_big}:now", f"bc:{draft.id}²:now"],
        texts.broadcast_nobody(): [f"bc:{draft.id}:aud:level:²", f"bc:{draft.id}:aud:stage:{too_big}"],
        texts.gone(): [f"bc:{draft.id}:drill:²", f"bc:{draft.id}:drill:{too_big}", f"bc:{draft.id}:bogus"],
    }
    before, calls_before = await snapshot(harness), visible_calls(harness)

    for who, message, taps in ((runner, card, runner_taps), (coach, coach_chat, coach_taps)):
        for expected, payloads in taps.items():
            for data in payloads:
                query = harness.driver.press_data(who, message, data)
                answer = await harness.driver.answered(query)
                assert answer["text"] == expected, data
    await harness.settled()

    assert errors_logged(caplog) == []
    assert visible_calls(harness) == calls_before
    assert await snapshot(harness) == before


async def test_numeric_command_arguments_get_the_usage_answer_and_change_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    runner = await onboard(harness, 402)
    coach = await onboard(harness, COACH)
    commands = [
        (runner, "/level ²", texts.bad_level()),
        (runner, "/level ٢", texts.bad_level()),
        (runner, f"/level {'2' * 30}", texts.bad_level()),
        (runner, "/level -1", texts.bad_level()),
        (coach, "/cancel_broadcast ²", texts.broadcast_usage_cancel()),
        (coach, "/cancel_broadcast #٣", texts.broadcast_usage_cancel()),
        (coach, f"/cancel_broadcast {'9' * 12}", texts.broadcast_usage_cancel()),
        (coach, "/unsend ²", texts.broadcast_usage_unsend()),
        (coach, f"/unsend {'9' * 12}", texts.broadcast_usage_unsend()),
    ]
    for who in (runner, coach):
        await ask(harness, who, "/cancel")  # leaving onboarding's open question is itself a write
    before = await snapshot(harness)

    for who, command, expected in commands:
        mark = harness.driver.mark(who.id)
        harness.driver.send(who, command)
        assert (await harness.driver.next_message(who.id, mark))["text"] == expected, command
    await harness.settled()

    assert errors_logged(caplog) == []
    assert await snapshot(harness) == before


async def test_try_it_now_works_only_for_runners_who_got_the_broadcast_and_for_coaches(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    driver = harness.driver
    recipient = await onboard(harness, 411)
    blocked = await onboard(harness, 412)
    coach = driver.user(COACH, "Coach")
    drill = harness.runtime.programme.drills["clamshell"]
    async with harness.runtime.unit_of_work() as repo:
        sent = await repo.broadcasts.create(
            created_by=COACH, text="Meet the clamshell", segment={}, media_kind=None, media_path=None,
            button_drill_slug=drill.slug, now=harness.clock.now(),
        )  # fmt: skip
    harness.emulator.blocked.add(blocked.id)
    await harness.broadcasts.run(sent.id)
    harness.emulator.blocked.discard(blocked.id)
    await onboard(harness, blocked.id)
    latecomer = await onboard(harness, 413)
    stranger = driver.user(414, "Stranger")
    driver.send(stranger, "hello")
    driver.send(coach, "/help")
    draft = await ready_draft(harness)
    async with harness.runtime.unit_of_work() as repo:
        stored = await repo.broadcasts.get(draft.id)
        assert stored is not None
        stored.button_drill_slug = drill.slug
    await harness.settled()
    broadcast_message = driver.last(recipient.id)
    assert broadcast_message["text"] == "Meet the clamshell"
    before, calls_before = await snapshot(harness), visible_calls(harness)

    refused = [
        (latecomer, driver.last(latecomer.id), f"try:{sent.id}"),
        (latecomer, broadcast_message, f"try:{sent.id}"),
        (blocked, driver.last(blocked.id), f"try:{sent.id}"),
        (stranger, driver.last(stranger.id), f"try:{sent.id}"),
        (recipient, broadcast_message, f"try:{draft.id}"),
    ]
    for who, message, data in refused:
        answer = await driver.answered(driver.press_data(who, message, data))
        assert answer["text"] == texts.gone(), (who.id, data)
    await harness.settled()
    assert visible_calls(harness) == calls_before
    assert await snapshot(harness) == before

    allowed = [
        (recipient, broadcast_message, f"try:{sent.id}"),
        (coach, driver.last(COACH), f"try:{draft.id}"),
    ]
    for who, message, data in allowed:
        mark = driver.mark(who.id)
        answer = await driver.answered(driver.press_data(who, message, data))
        card = await driver.next_message(who.id, mark)
        assert answer.get("text") is None
        assert drill.name in card["caption"], who.id
    await harness.settled()
    after = await snapshot(harness)
    assert after.pop("media_files") != before.pop("media_files"), "the GIF's file id is cached"
    assert after == before, "a sample records no delivery"
    assert errors_logged(caplog) == []
