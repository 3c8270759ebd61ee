"""The conversation's pure parts: how long a question stays open, which replies leave it, and each
question's own parser (the typed answer, and a setting command's argument)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain.conversation import (
    UNREAD,
    Question,
    is_check_in,
    is_note_or_check_in,
    is_open,
    parse_level_answer,
    parse_screen_answer,
    read_answer,
)
from bot.domain.kit import Kit

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


def test_a_setting_question_lapses_after_half_an_hour_and_onboarding_waits_longer() -> None:
    asked = NOW - timedelta(minutes=31)
    assert not is_open(asked, now=NOW, onboarding=False)
    assert is_open(NOW - timedelta(minutes=29), now=NOW, onboarding=False)
    assert is_open(NOW - timedelta(days=3), now=NOW, onboarding=True)
    assert not is_open(NOW - timedelta(days=8), now=NOW, onboarding=True)
    assert not is_open(None, now=NOW, onboarding=True)


@pytest.mark.parametrize("text", ["done", "did it", "too hard", "pain 6", "3x12", "skipped"])
def test_clear_check_ins_leave_a_question(text: str) -> None:
    assert is_check_in(text)


@pytest.mark.parametrize(
    "text", ["07:45", "Lisbon", "mon wed sat", "2", "it was done but my knee felt odd too"]
)
def test_answers_and_long_replies_are_not_check_ins(text: str) -> None:
    assert not is_check_in(text)


@pytest.mark.parametrize(
    ("text", "answer"),
    [("no", "none"), ("None", "none"), ("none of these", "none"), ("nope!", "none"), ("done", "done"),
     ("yes", None), ("my knee", None), ("first trimester", "pregnancy_first"), ("8 weeks", "pregnancy_first"),
     ("Second trimester", "pregnancy_later"), ("about 30 weeks", "pregnancy_later"),
     ("baby born last month", "postpartum"), ("postpartum", "postpartum")],
)  # fmt: skip
def test_the_health_screen_typed(text: str, answer: str | None) -> None:
    assert parse_screen_answer(text) == answer


@pytest.mark.parametrize(
    ("text", "level"),
    [("2", 2), ("level 3", 3), ("I do some squats", 2), ("never", 1), ("I'm new to this", 1),
     ("gym twice a week", 3), ("4", None), ("hmm", None), ("\u0662", None), ("\u00b2", None)],
)  # fmt: skip
def test_the_level_typed(text: str, level: int | None) -> None:
    assert parse_level_answer(text, {1, 2, 3}) == level


@pytest.mark.parametrize(
    ("question", "text", "answer"),
    [(Question.TIME, " 07:45 ", time(7, 45)), (Question.TIME, "teatime", UNREAD),
     (Question.TIMEZONE, "Etc/UTC", "Etc/UTC"), (Question.DAYS, "daily", 127),
     (Question.LONG_RUN, "Sunday", 6), (Question.LONG_RUN, "OFF", None),
     (Question.LONG_RUN, "someday", UNREAD), (Question.PAUSE, "3", 3),
     (Question.KIT, "band", frozenset({Kit.MINI_BAND})), (Question.LEVEL, "9", UNREAD),
     (Question.HEALTH, "none", "none")],
)  # fmt: skip
def test_each_question_reads_its_own_answers(question: Question, text: str, answer: object) -> None:
    """No long run (None) is an answer, told apart from a reply the parser could not read."""
    assert read_answer(question, text, {1, 2, 3}) == answer


def test_a_note_is_a_reply_to_a_card_or_starts_with_note() -> None:
    assert is_note_or_check_in("left side felt tight", replying=True)
    assert is_note_or_check_in("Note: left side felt tight", replying=False)
    assert is_note_or_check_in("done", replying=False)
    assert not is_note_or_check_in("07:45", replying=False)
