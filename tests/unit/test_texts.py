"""Counts in what the bot says: one of a thing is singular, any other number plural."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.cli import counted
from bot.db.models import Broadcast
from bot.db.repositories import BroadcastFigures
from bot.domain.programme import Programme, Stage
from bot.domain.safety import PregnancyStage, ScreenOutcome, Tag
from bot.domain.streaks import StreakSummary
from bot.i18n import use_language
from bot.services.progress import Progress
from bot.services.safety import ScreenStatus
from bot.ui import texts

STAGE = Stage(1, "Foundation", "Wake the glutes up.", ("glute-bridge",), "easy", "60 s")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 drills"), (1, "1 drill"), (2, "2 drills"), (1200, "1,200 drills")],
)
def test_counted_agrees_with_the_number(count: int, expected: str) -> None:
    assert counted(count, "drill") == expected


def progress_lines(current: int, delivered: int) -> list[str]:
    summary = StreakSummary(current, current, current, delivered, ())
    view = Progress(STAGE, 4, summary, {}, date(2026, 4, 22), None, [], ScreenStatus.CLEAR, None)
    return texts.progress(view).splitlines()


def test_progress_with_one_drill_is_singular() -> None:
    lines = progress_lines(1, 1)
    assert "Streak: 1 drill (best 1)" in lines
    assert "Completed: 1 of 1 drill (100%)" in lines


def test_progress_with_several_drills_is_plural() -> None:
    lines = progress_lines(3, 4)
    assert "Streak: 3 drills (best 3)" in lines
    assert "Completed: 3 of 4 drills (75%)" in lines


def test_broadcast_counts_agree() -> None:
    one = BroadcastFigures(pending=1, sent=1, blocked=0, failed=0)
    assert "1 runner had already got it" in texts.broadcast_cancelled(7, one)
    assert "2 runners had already got it" in texts.broadcast_cancelled(7, BroadcastFigures(0, 2, 0, 0))
    assert texts.unsend_report(7, 1, 0) == "Broadcast #7 is deleted from 1 chat."


def test_an_unsend_that_could_not_reach_every_chat_says_how_many_still_have_it() -> None:
    sent_at = datetime(2026, 12, 1, 18, 30, tzinfo=UTC)
    broadcast = Broadcast(id=4, text="Hills on Saturday", segment={}, status="deleted", created_at=sent_at,
                          started_at=sent_at)  # fmt: skip
    figures = BroadcastFigures(0, 1, 0, 0, deleted=2)
    partly = texts.broadcast_line(broadcast, figures, Programme((), (), {}), "UTC")
    assert partly.splitlines()[:2] == [
        "<b>#4</b> unsent · Tue 1 Dec, 18:30 UTC · All active runners",
        "sent 3, deleted 2 (1 chat still has it) · blocked 0 · failed 0 · pending 0",
    ]


def test_dates_and_numbers_follow_the_language_even_before_a_sentence_is_translated() -> None:
    """The day, the share and the grouping come from Babel, so a catalog only has to translate words."""
    with use_language("de"):
        assert "1. Dez." in texts.paused(date(2026, 12, 1))
        assert "(75\xa0%)" in progress_lines(3, 4)[3]
        assert "1.200" in texts.unsend_report(7, 1200, 0)
    assert texts.paused(date(2026, 12, 1)).startswith("Paused until Tue 1 Dec.")


def test_what_is_left_out_is_joined_as_one_list() -> None:
    every_kind = ScreenOutcome(None, frozenset({Tag.PLYOMETRIC, Tag.LYING_ON_BACK, Tag.LOADED_SINGLE_LEG}))
    advice = texts.pregnancy_advice(PregnancyStage.LATER, every_kind)
    assert advice.endswith(
        "I'll leave out hopping drills, drills lying on your back and drills that load one leg."
    )


def test_the_coaches_menu_marks_their_commands_and_their_help_does_not() -> None:
    assert ("stats", "Coaches: subscribers, retention and drills") in texts.coach_commands()
    assert "/stats - subscribers, retention and drills" in texts.coach_help().splitlines()


def test_every_pattern_in_the_content_has_a_name_a_runner_can_read_in_each_language() -> None:
    """The pain pause names the movement it stopped; a pattern added to the content needs a name."""
    from pathlib import Path

    from bot.content.loader import load_content
    from bot.i18n import use_language

    content = load_content(Path(__file__).resolve().parents[2] / "content", allow_missing_media=True)
    patterns = {drill.pattern for drill in content.programme.drills.values()}
    assert patterns <= set(texts.PATTERN_NAMES)
    with use_language("es"):
        assert texts.pattern_name("hinge") == "bisagra de cadera"
    assert texts.pattern_name("single-leg-squat") == "single-leg squat and step-up"
