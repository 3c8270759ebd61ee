"""A broadcast in several languages: the coach adds a Spanish version, each runner gets theirs."""

from __future__ import annotations

from typing import Any

from bot.db.models import Broadcast
from bot.i18n import use_language
from bot.ui import texts
from tests.e2e.conftest import Harness, add_subscribers

ADMIN = 999
"""The harness runs with ADMIN_IDS=999."""
FINISHED = "finished in"


async def say(harness: Harness, text: str, *, replies: int = 1) -> list[dict[str, Any]]:
    mark = harness.driver.mark(ADMIN)
    harness.driver.send(harness.driver.user(ADMIN, "Coach"), text)
    answers: list[dict[str, Any]] = await harness.driver.messages_after(ADMIN, mark, replies)
    await harness.settled()
    return answers


async def press(
    harness: Harness, message: dict[str, Any], button: str, *, replies: int
) -> list[dict[str, Any]]:
    mark = harness.driver.mark(ADMIN)
    query = harness.driver.press(harness.driver.user(ADMIN, "Coach"), message, button)
    await harness.driver.answered(query)
    answers: list[dict[str, Any]] = (
        await harness.driver.messages_after(ADMIN, mark, replies) if replies else []
    )
    await harness.settled()
    return answers


def labels(message: dict[str, Any]) -> list[str]:
    return [button["text"] for row in message["reply_markup"]["inline_keyboard"] for button in row]


async def speak(harness: Harness, languages: dict[int, str]) -> None:
    async with harness.runtime.unit_of_work() as repo:
        for telegram_id, language in languages.items():
            subscriber = await repo.subscribers.by_telegram_id(telegram_id)
            assert subscriber is not None
            subscriber.language = language


async def test_a_spanish_runner_gets_the_spanish_version_and_the_others_the_original(
    harness: Harness,
) -> None:
    english, spanish, german, gone = await add_subscribers(harness, 4, first_id=7_000)
    await speak(harness, {english: "en", spanish: "es", german: "de", gone: "fr"})

    assert (await say(harness, "/broadcast"))[0]["text"] == texts.broadcast_ask()
    (audience,) = await say(harness, "Race day tips are in")
    preview, summary = await press(harness, audience, "All active runners", replies=2)
    assert preview["text"] == "Race day tips are in"
    assert "Add a Spanish version" in labels(summary) and "Add a German version" in labels(summary)

    (ask,) = await press(harness, summary, "Add a Spanish version", replies=1)
    assert ask["text"] == texts.broadcast_version_ask("es")
    assert "reply_markup" not in summary, "the version's question replaces the summary's buttons"
    version_preview, summary = await say(harness, "Consejos para el día de la carrera", replies=2)
    assert version_preview["text"] == "Consejos para el día de la carrera"
    assert texts.broadcast_versions(["es"]) in summary["text"].splitlines()
    assert "Change the Spanish version" in labels(summary) and "Add a German version" in labels(summary)

    (progress,) = await press(harness, summary, "Send now", replies=1)
    await harness.emulator.wait_for(lambda: progress if FINISHED in progress["text"] else None)
    await harness.settled()

    assert harness.driver.last(spanish)["text"] == "Consejos para el día de la carrera"
    for telegram_id in (english, german, gone):
        assert harness.driver.last(telegram_id)["text"] == "Race day tips are in"
    async with harness.runtime.unit_of_work() as repo:
        stored = await repo.session.get(Broadcast, int(progress["text"].split("#")[1].split()[0]))
    assert stored is not None
    assert (stored.text, stored.versions, stored.version_language) == (
        "Race day tips are in",
        {"es": "Consejos para el día de la carrera"},
        None,
    )


async def test_a_button_tapped_instead_of_the_version_leaves_the_draft_as_it_was(harness: Harness) -> None:
    (runner,) = await add_subscribers(harness, 1, first_id=7_100)
    await speak(harness, {runner: "de"})
    await say(harness, "/broadcast")
    (audience,) = await say(harness, "Hello runners")
    _, summary = await press(harness, audience, "All active runners", replies=2)
    await press(harness, summary, "Add a German version", replies=1)

    async with harness.runtime.unit_of_work() as repo:
        draft = await repo.broadcasts.draft_of(ADMIN)
    assert draft is not None and (draft.draft_step, draft.version_language) == ("content", "de")

    mark = harness.driver.mark(ADMIN)
    query = harness.driver.press_data(harness.driver.user(ADMIN, "Coach"), summary, f"bc:{draft.id}:test")
    await harness.driver.answered(query)
    (test,) = await harness.driver.messages_after(ADMIN, mark, 1)
    await harness.settled()
    assert test["text"] == "Hello runners"
    async with harness.runtime.unit_of_work() as repo:
        draft = await repo.broadcasts.draft_of(ADMIN)
    assert draft is not None
    assert (draft.draft_step, draft.version_language, draft.versions) == ("confirm", None, None)


async def test_a_spanish_speaking_coach_picks_the_try_it_now_drill_by_its_spanish_name(
    harness: Harness,
) -> None:
    await add_subscribers(harness, 1, first_id=7_100)
    driver = harness.driver
    coach = driver.user(ADMIN, "Coach", language="es-ES")

    async def after(action: object) -> dict[str, Any]:
        mark = driver.mark(ADMIN)
        if isinstance(action, str):
            driver.send(coach, action)
        message: dict[str, Any] = await driver.next_message(ADMIN, mark)
        await harness.settled()
        return message

    await after("/broadcast")
    audience = await after("Conoce la almeja")
    mark = driver.mark(ADMIN)
    await driver.answered(
        driver.press(coach, audience, audience["reply_markup"]["inline_keyboard"][0][0]["text"])
    )
    _preview, summary = await driver.messages_after(ADMIN, mark, 2)
    await harness.settled()
    button = next(
        entry["text"]
        for row in summary["reply_markup"]["inline_keyboard"]
        for entry in row
        if ":button" in entry["callback_data"]
    )
    mark = driver.mark(ADMIN)
    await driver.answered(driver.press(coach, summary, button))
    picker = await driver.next_message(ADMIN, mark)

    with use_language("es"):
        spanish = harness.runtime.programme.drills["clamshell"].name
    assert spanish != harness.runtime.programme.drills["clamshell"].name
    assert spanish in labels(picker)
