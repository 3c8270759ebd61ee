"""The questions the bot asks a runner, as stored states: how long each stays open, how a typed answer is
read, and which replies leave a question rather than answer it.

Like PTB's ConversationHandler (states, fallbacks, a timeout), but kept in the database so any bot process
can take the next step. Any command, `/cancel`, a reply that clearly is a check-in ("done", "too hard",
"pain 6") or "later" leaves the question; a question left open too long lapses, and the runner's words are
read as they would be with no question open.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from enum import StrEnum

from bot.domain.kit import Kit, parse_kit
from bot.domain.replies import (
    OFF_WORDS,
    asks_for_later,
    parse_local_time,
    parse_pause_days,
    parse_reply,
    parse_training_days,
    parse_weekday,
)
from bot.domain.safety import PregnancyStage
from bot.domain.timezones import search
from bot.domain.words import fold


class Question(StrEnum):
    HEALTH = "health"
    LEVEL = "level"
    TIME = "time"
    TIMEZONE = "timezone"
    DAYS = "days"
    LONG_RUN = "longrun"
    PAUSE = "pause"
    KIT = "kit"


SETTING_EXPIRY = timedelta(minutes=30)
"""A question asked by a setting command (/time, /days...): after this, a reply is no longer taken for it."""
ONBOARDING_EXPIRY = timedelta(days=7)
"""Onboarding's questions wait longer: a new runner may come back to them days later."""
CHECK_IN_WORDS = 4
"""A reply this short that reads as a check-in ("done", "did it", "pain 6") is one, not an answer."""

COMMANDS: dict[Question, str] = {
    Question.HEALTH: "start",
    Question.LEVEL: "level",
    Question.TIME: "time",
    Question.TIMEZONE: "timezone",
    Question.DAYS: "days",
    Question.LONG_RUN: "longrun",
    Question.PAUSE: "pause",
    Question.KIT: "kit",
}
"""The command that asks each question again."""


def question_of(name: str | None) -> Question | None:
    return Question(name) if name is not None and name in Question.__members__.values() else None


def is_open(asked_at: datetime | None, *, now: datetime, onboarding: bool) -> bool:
    """Still waiting for its answer: asked, and not so long ago that the runner has moved on."""
    if asked_at is None:
        return False
    return now - asked_at <= (ONBOARDING_EXPIRY if onboarding else SETTING_EXPIRY)


def is_check_in(text: str) -> bool:
    """A short reply that reads as an answer to a drill, which leaves any question open."""
    return len(text.split()) <= CHECK_IN_WORDS and parse_reply(text).outcome is not None


def puts_the_drill_off(question: Question, text: str) -> bool:
    """ "later", "in a bit": the drill's Later, typed, which leaves the question before its own words are
    read ("a bit" would answer the level question). Not the health screen's: no drill goes out before it
    is answered."""
    return question is not Question.HEALTH and asks_for_later(text)


_NONE_APPLY = re.compile(
    r"^(?:no|nope|none|nothing|none of (?:these|them|those)|n/?a|all good"
    r"|ninguno|ninguna|nada|ninguna de (?:estas|ellas)|ninguno de (?:estos|ellos)|todo bien"
    r"|nein|keine|keiner|keines|nichts|keine davon|keins davon|alles gut)\W*$"
)
_SCREEN_DONE = re.compile(
    r"^(?:done|that'?s (?:it|all)|finished|listo|lista|hecho|eso es todo|ya esta"
    r"|fertig|erledigt|das war'?s|das ist alles)\W*$"
)


_PREGNANCY_STAGES: tuple[tuple[PregnancyStage, re.Pattern[str]], ...] = (
    (
        PregnancyStage.POSTPARTUM,
        re.compile(
            r"\b(?:baby|born|postpartum|post-partum|gave birth|new mum"
            r"|bebe|nacio|naci|posparto|postparto|di a luz|geburt|geboren|entbunden|wochenbett)\b"
        ),
    ),
    (
        PregnancyStage.LATER,
        re.compile(
            r"\b(?:second|third|2nd|3rd|later|late|segundo|tercer|tercero|zweiten?|dritten?)\b"
            r"|\b(?:1[4-9]|[23]\d|4[0-2]) ?(?:weeks?|semanas?|wochen?|ssw)\b"
        ),
    ),
    (
        PregnancyStage.FIRST_TRIMESTER,
        re.compile(
            r"\b(?:first|1st|early|primer|primero|ersten?)\b"
            r"|\b(?:[1-9]|1[0-3]) ?(?:weeks?|semanas?|wochen?|ssw)\b"
        ),
    ),
)


def parse_screen_answer(text: str) -> str | None:
    """The health screen typed: `none` (nothing applies), `done` (the ticked items are all), or a
    pregnancy's stage ("second trimester", "20 weeks", "baby born last month") as its stored value."""
    cleaned = " ".join(fold(text).split())
    if _NONE_APPLY.match(cleaned):
        return "none"
    if _SCREEN_DONE.match(cleaned):
        return "done"
    for stage, words in _PREGNANCY_STAGES:
        if words.search(cleaned):
            return stage.value
    return None


_LEVEL_WORDS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(r"\b(?:new|never|none|nothing|no|beginner|not really|rarely|don'?t)\b")),
    (3, re.compile(r"\b(?:lift|lifting|gym|regular(?:ly)?|often|every week|weekly|twice|advanced|strong)\b")),
    (2, re.compile(r"\b(?:some|sometimes|occasional(?:ly)?|a bit|a little|bit of|squats?|bridges?|once)\b")),
)


def parse_level_answer(text: str, numbers: set[int]) -> int | None:
    """`2`, `level 2`, or words ("I do some squats", "never") mapped to the level they describe."""
    cleaned = text.strip().lower()
    number = re.fullmatch(r"(?:level\s*)?([0-9])\W*", cleaned)
    if number is not None:
        return int(number[1]) if int(number[1]) in numbers else None
    for level, words in _LEVEL_WORDS:
        if level in numbers and words.search(cleaned):
            return level
    return None


Answer = int | time | str | frozenset[Kit] | None
"""A level or day mask or pause length (int), a time, a zone name, the runner's kit, the health screen's
answer (str), or no long run (None)."""


class Unread:
    """A reply the open question's parser could not read."""


UNREAD = Unread()


def read_answer(question: Question, text: str, levels: set[int]) -> Answer | Unread:
    """The question's own parser, for a typed reply and a setting command's argument alike: its answer,
    or `UNREAD`."""
    cleaned = text.strip()
    answer: Answer = None
    if question is Question.HEALTH:
        answer = parse_screen_answer(cleaned)
    elif question is Question.LEVEL:
        answer = parse_level_answer(cleaned, levels)
    elif question is Question.TIME:
        answer = parse_local_time(cleaned)
    elif question is Question.TIMEZONE:
        found = search(cleaned)
        answer = found.zones[0] if found.exact else None
    elif question is Question.DAYS:
        answer = parse_training_days(cleaned)
    elif question is Question.LONG_RUN:
        if cleaned.lower() in OFF_WORDS:
            return None
        answer = parse_weekday(cleaned)
    elif question is Question.PAUSE:
        answer = parse_pause_days(cleaned)
    elif question is Question.KIT:
        answer = parse_kit(cleaned)
    return UNREAD if answer is None else answer


def is_note_or_check_in(text: str, *, replying: bool) -> bool:
    """With no question open: a check-in, or a note on a drill (a reply to its card, or "note: ...").
    Anything else is not kept on a drill, so a stray answer is never filed silently as a note."""
    return replying or text.strip().lower().startswith("note") or parse_reply(text).outcome is not None
