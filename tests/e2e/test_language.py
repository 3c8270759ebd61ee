"""Each runner's language through the real bot: taken from Telegram at /start, changed with /language,
in force for every update and for everything sent outside one, and the command menu in each language.

The catalogs are translated later; until then a small catalog of the test's own, or a record of the
language in force when a wording function ran, shows which language the bot spoke in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import CheckIn, Subscriber
from bot.delivery import cards as delivery_cards
from bot.delivery import planner
from bot.i18n import use_language
from bot.sandbox.emulator import Emulator
from bot.telegram import menus as bot_menus
from bot.telegram.menus import coach_menu, runner_menu
from bot.ui import texts
from tests.e2e.conftest import (
    COACH,
    Harness,
    ask,
    command,
    deliveries,
    onboard,
    running_bot,
    stored,
    today,
)
from tests.support.languages import languages_seen, use_test_catalogs

CHOSEN_ES = "Hecho: a partir de ahora te escribo en español."
CHOSEN_DE = "Erledigt: Ab jetzt schreibe ich dir auf Deutsch."
QUESTION_ES = "¿En qué idioma te escribo?"


@pytest.fixture
def catalogs(monkeypatch: pytest.MonkeyPatch) -> None:
    use_test_catalogs(
        monkeypatch,
        {
            "es": {texts.language_chosen(): CHOSEN_ES, texts.language_question(): QUESTION_ES},
            "de": {texts.language_chosen(): CHOSEN_DE},
        },
    )


def buttons(message: dict[str, Any]) -> list[str]:
    return [button["text"] for row in message["reply_markup"]["inline_keyboard"] for button in row]


def menu_as_sent(menu: list[Any]) -> list[dict[str, str]]:
    return [{"command": command.command, "description": command.description} for command in menu]


@pytest.mark.parametrize(("telegram", "language"), [("es-ES", "es"), ("de", "de"), ("fr", "en"), ("", "en")])
async def test_a_new_runner_is_spoken_to_in_their_telegram_apps_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, telegram: str, language: str
) -> None:
    welcomed = languages_seen(monkeypatch, texts, "welcome")
    runner = harness.driver.user(2101, "Ana", language=telegram)

    await command(harness, runner, "/start", count=2)

    assert (await stored(harness, runner.id)).language == language
    assert welcomed == [("Ana", language)]


async def test_a_returning_runner_keeps_the_language_they_chose(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = await onboard(harness, 2102, "Ana", language="es-ES")
    await command(harness, runner, "/language de")
    welcomed = languages_seen(monkeypatch, texts, "welcome")

    await command(harness, runner, "/start", count=2)

    assert (await stored(harness, runner.id)).language == "de"
    assert welcomed == [("Ana", "de")]


@pytest.mark.usefixtures("catalogs")
async def test_the_language_buttons_switch_and_the_answer_is_in_the_new_language(harness: Harness) -> None:
    runner = await onboard(harness, 2103)

    [question] = await command(harness, runner, "/language")
    assert question["text"] == texts.language_question()
    assert buttons(question) == ["✓ English", "Español", "Deutsch"]
    mark = harness.driver.mark(runner.id)
    harness.driver.press(runner, question, "Español")
    chosen = await harness.driver.next_message(runner.id, mark)
    await harness.settled()

    assert chosen["text"] == CHOSEN_ES
    assert (await stored(harness, runner.id)).language == "es"
    with use_language("es"):
        assert harness.emulator.commands_for(runner.id, "en") == menu_as_sent(runner_menu())
    [again] = await command(harness, runner, "/language")
    assert again["text"] == QUESTION_ES, "their Telegram app is still English; the stored choice wins"
    assert buttons(again) == ["English", "✓ Español", "Deutsch"]


@pytest.mark.usefixtures("catalogs")
async def test_a_language_typed_after_the_command_in_any_language(harness: Harness) -> None:
    runner = await onboard(harness, 2104, language="es")

    [chosen] = await command(harness, runner, "/language Deutsch")
    assert chosen["text"] == CHOSEN_DE
    assert (await stored(harness, runner.id)).language == "de"

    [unknown] = await command(harness, runner, "/language klingon")
    assert unknown["text"] == texts.language_not_known("klingon")
    assert buttons(unknown) == ["English", "Español", "✓ Deutsch"]
    assert (await stored(harness, runner.id)).language == "de"


async def test_someone_who_never_started_is_asked_to_start_first(harness: Harness) -> None:
    stranger = harness.driver.user(2105, "Stranger", language="es")

    [answer] = await command(harness, stranger, "/language es")

    with use_language("es"):
        assert answer["text"] == texts.not_subscribed(), "in their Telegram app's language"


async def test_the_command_menu_is_set_once_per_language(harness: Harness) -> None:
    by_language = {
        call.params.get("language_code"): call.params["commands"]
        for call in harness.emulator.calls_to("setMyCommands")
        if "scope" not in call.params
    }
    assert set(by_language) == {None, "es", "de"}
    for code, menu in (("en", harness.emulator.commands), *harness.emulator.language_commands.items()):
        with use_language(code):
            assert menu == menu_as_sent(runner_menu())
        assert "language" in [entry["command"] for entry in menu]
    assert harness.emulator.commands_for(2106, "es") == harness.emulator.language_commands["es"]
    today = {code: menu[0]["description"] for code, menu in harness.emulator.language_commands.items()}
    assert len({harness.emulator.commands[0]["description"], today["es"], today["de"]}) == 3


async def test_a_coachs_menu_follows_their_own_language(harness: Harness) -> None:
    coach = await onboard(harness, COACH, "Coach", language="de")

    await command(harness, coach, "/help")

    with use_language("de"):
        assert harness.emulator.commands_for(COACH) == menu_as_sent(coach_menu())
    await command(harness, coach, "/language es")
    with use_language("es"):
        assert harness.emulator.commands_for(COACH) == menu_as_sent(coach_menu())


async def test_at_start_up_a_coachs_menu_is_set_in_their_stored_language(
    emulator: Emulator,
    engine: AsyncEngine,
    database_url: str,
    test_content: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with running_bot(emulator, engine, database_url, test_content) as first:
        await onboard(first, COACH, "Coach", language="de")
    menus = languages_seen(monkeypatch, bot_menus, "coach_menu")

    async with running_bot(emulator, engine, database_url, test_content):
        await emulator.wait_for(lambda: menus, within=10)  # the first bot's getUpdates let this one's start
        assert [language for _none, language in menus] == ["de"]


async def test_typed_check_ins_in_spanish_are_recorded(harness: Harness) -> None:
    runner = await onboard(harness, 2107, language="es-MX")
    harness.advance(timedelta(hours=2))
    await harness.tick()

    await ask(harness, runner, "hecho")
    await today(harness, runner)
    await ask(harness, runner, "dolor 6")

    async with harness.runtime.unit_of_work() as repo:
        answers = (
            await repo.session.execute(select(CheckIn.outcome, CheckIn.pain).order_by(CheckIn.id))
        ).all()
    assert [tuple(answer) for answer in answers] == [("done", None), ("pain", 6)]


async def test_the_dispatcher_plans_and_sends_each_runner_in_their_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    spanish = await onboard(harness, 2108, language="es")
    german = await onboard(harness, 2109, language="de")
    english = await onboard(harness, 2110)
    captions = languages_seen(monkeypatch, planner, "render_caption")
    card_buttons = languages_seen(monkeypatch, delivery_cards, "check_in_json")

    harness.advance(timedelta(hours=2))
    await harness.tick()

    expected = {}
    for runner, language in ((spanish, "es"), (german, "de"), (english, "en")):
        [delivery] = await deliveries(harness, runner.id)
        expected[delivery.id] = language
    assert dict(card_buttons) == expected
    assert sorted(language for _drill, language in captions) == ["de", "en", "es"]


async def test_a_morning_pain_check_and_a_nudge_are_in_the_runners_language(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = await onboard(harness, 2111, language="de")
    harness.advance(timedelta(hours=2))
    await harness.tick()
    nudges = languages_seen(monkeypatch, texts, "nudge")
    harness.advance(timedelta(hours=10))
    await harness.tick()
    assert [language for _name, language in nudges] == ["de"], "the afternoon reminder"

    mornings = languages_seen(monkeypatch, texts, "morning_question")
    await ask(harness, runner, "Schmerz 5")
    harness.advance(timedelta(hours=20))
    await harness.tick()
    assert [language for _day, language in mornings] == ["de"], "the morning-after pain check"


@pytest.mark.usefixtures("catalogs")
async def test_a_language_the_bot_no_longer_has_reads_as_english(harness: Harness) -> None:
    runner = await onboard(harness, 2112, language="es")
    async with harness.runtime.unit_of_work() as repo:
        await repo.session.execute(
            update(Subscriber).where(Subscriber.telegram_id == runner.id).values(language="fr")
        )

    [answer] = await command(harness, runner, "/language")

    assert answer["text"] == texts.language_question(), "not their Telegram app's Spanish either"
    assert buttons(answer) == ["English", "Español", "Deutsch"]
