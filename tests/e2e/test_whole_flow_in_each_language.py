"""A Spanish and a German runner's first days through the real bot: onboarding, a drill, a check-in, a pain
report, their progress and history, and a coach's broadcast. Nothing they are sent may be English: every
sentence of the catalog's English and of the programme's English content is looked for in every message,
caption, button and toast they get."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import CheckIn
from bot.delivery.broadcasts import BroadcastRunner
from bot.domain.programme import Drill
from bot.i18n import LOCALES_DIR, _, use_language
from bot.i18n.catalogs import read_catalog, template_path
from bot.sandbox.driver import User
from bot.ui import texts
from tests.e2e.conftest import Harness, cards, create_broadcast, stored

PLACEHOLDER_OR_TAG = re.compile(r"\{[^{}]*\}|<[^<>]*>|\n")
WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
COACHS_ENGLISH = "Race day tips are in"
ENGLISH_ONLY_WORDS = re.compile(r"\b(?:the|your|you|and|with|drills?|tap|now|today|want|shows|every)\b", re.I)
"""Words neither Spanish nor German uses: they find an English sentence the catalog never held (one
marked in a way the extractor missed, or not marked at all)."""
ENGLISH_WORDS_IN_A_ROW = 3
"""A run of three English words from our own texts is English; shorter ones can be a name or a loanword."""


def english_sentences(drills: list[Drill]) -> set[str]:
    """Every run of at least three words of the English the bot could send: the catalog's messages split
    at their placeholders and tags, and the drills' own text. Drill names are left out: some are proper
    names gyms use untranslated ("Hip thrust")."""
    template = read_catalog(template_path(LOCALES_DIR))
    texts: list[str] = []
    for message in template:
        if message.id:
            texts.extend(message.id if isinstance(message.id, tuple | list) else [message.id])
    for drill in drills:
        for field in ("purpose", "mistake", "focus"):
            texts.append(str(drill.english(field)))
        texts.extend(drill.english("cues"))
    runs = set()
    for text in texts:
        for piece in PLACEHOLDER_OR_TAG.split(text):
            words = WORD.findall(piece)
            if len(words) >= ENGLISH_WORDS_IN_A_ROW:
                runs.add(" ".join(words).lower())
    return runs


def seen_by(harness: Harness, chat_id: int, toasts: list[str]) -> list[str]:
    """Everything the runner can read: texts, captions, button labels, and the toasts of their taps."""
    seen = list(toasts)
    for message in harness.driver.messages(chat_id):
        seen.extend(str(message[key]) for key in ("text", "caption") if message.get(key))
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            seen.extend(button["text"] for button in row)
    return [unescape(re.sub(r"<[^<>]*>", "", text)) for text in seen]


def english_in(text: str, sentences: set[str]) -> list[str]:
    words = " ".join(WORD.findall(text)).lower()
    return [sentence for sentence in sentences if f" {sentence} " in f" {words} "]


class Runner:
    """One runner's side of the chat, pressing buttons by their data so the test reads no labels."""

    def __init__(self, harness: Harness, user: User) -> None:
        self.harness = harness
        self.user = user
        self.toasts: list[str] = []

    async def say(self, text: str) -> list[dict[str, Any]]:
        mark = self.harness.driver.mark(self.user.id)
        self.harness.driver.send(self.user, text)
        await self.harness.driver.next_message(self.user.id, mark)
        await self.harness.settled()
        return self.harness.driver.messages(self.user.id)[mark:]

    async def press(self, message: dict[str, Any], data: str) -> list[dict[str, Any]]:
        """Tap the first button whose callback data matches the pattern `data` from its start."""
        mark = self.harness.driver.mark(self.user.id)
        buttons = [button for row in message["reply_markup"]["inline_keyboard"] for button in row]
        chosen = next(button for button in buttons if re.match(data, button["callback_data"]))
        answer = await self.harness.driver.answered(
            self.harness.driver.press(self.user, message, chosen["text"])
        )
        if answer.get("text"):
            self.toasts.append(answer["text"])
        await self.harness.settled()
        return self.harness.driver.messages(self.user.id)[mark:]

    def last_asking(self, data: str) -> dict[str, Any]:
        """The latest message carrying a button whose data starts with `data`."""
        for message in reversed(self.harness.driver.messages(self.user.id)):
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            if any(button["callback_data"].startswith(data) for row in rows for button in row):
                return message
        raise LookupError(data)


async def next_drill(harness: Harness, runner: Runner) -> dict[str, Any]:
    subscriber = await stored(harness, runner.user.id)
    assert subscriber.next_delivery_at is not None
    harness.clock.set(subscriber.next_delivery_at + timedelta(seconds=1))
    await harness.tick()
    await harness.settled()
    return cards(harness, runner.user.id)[-1]


@pytest.mark.parametrize(
    ("telegram_code", "language", "city"), [("es-ES", "es", "Madrid"), ("de-DE", "de", "Berlin")]
)
async def test_a_runner_never_reads_english_from_start_to_broadcast(
    harness: Harness, telegram_code: str, language: str, city: str
) -> None:
    runner = Runner(harness, harness.driver.user(8_100, "Runner", language=telegram_code))

    await runner.say("/start")
    with use_language(language):
        none_of_these = _("None of these")
    assert none_of_these != "None of these"
    health = runner.last_asking("hs:")
    await harness.driver.answered(harness.driver.press(runner.user, health, none_of_these))
    await harness.settled()
    await runner.press(runner.last_asking("set:level:"), "set:level:1")
    await runner.say("06:45")
    await runner.say(city)
    await runner.press(runner.last_asking("set:days:"), "set:days:")
    await runner.press(runner.last_asking("set:longrun:"), "set:longrun:")
    await runner.press(runner.last_asking("set:kit:"), "set:kit:done")
    subscriber = await stored(harness, runner.user.id)
    assert (subscriber.language, subscriber.onboarding_step) == (language, None)

    card = await next_drill(harness, runner)
    await runner.press(card, "ci:")
    card = await next_drill(harness, runner)
    await runner.press(card, r"ci:\d+:pain")
    await runner.press(runner.last_asking("pa:"), "pa:")
    await runner.press(runner.last_asking("pk:"), r"pk:\d+:sharp")
    await runner.press(runner.last_asking("pn:"), "pn:")
    for command in ("/progress", "/history", "/help", "/today"):
        await runner.say(command)

    theirs = {"es": "Consejos para el día de la carrera", "de": "Tipps für den Wettkampftag"}[language]
    broadcast_id = await create_broadcast(harness, {}, text=COACHS_ENGLISH)
    async with harness.runtime.unit_of_work() as repo:
        broadcast = await repo.broadcasts.get(broadcast_id)
        assert broadcast is not None
        broadcast.versions = {language: theirs}
        broadcast.button_drill_slug = "glute-bridge"
    await BroadcastRunner(harness.runtime, harness.dispatcher.sender).run(broadcast_id)
    await harness.settled()

    async with harness.runtime.unit_of_work() as repo:
        answers = list(await repo.session.scalars(select(CheckIn.outcome).order_by(CheckIn.id)))
    assert answers[:2] == ["done", "pain"], "the flow really answered a drill and reported pain"
    assert harness.driver.last(runner.user.id)["text"] == theirs

    sentences = english_sentences(list(harness.runtime.programme.drills.values()))
    sentences.add(COACHS_ENGLISH.lower())
    assert english_in(texts.help_text(), sentences), "the same look finds the English help"
    english = {
        text: found
        for text in seen_by(harness, runner.user.id, runner.toasts)
        if (found := english_in(text, sentences))
    }
    assert english == {}
    commands = re.compile(r"/\w+")
    unmarked = {
        text: words
        for text in seen_by(harness, runner.user.id, runner.toasts)
        if (words := ENGLISH_ONLY_WORDS.findall(commands.sub("", text)))
    }
    assert unmarked == {}
