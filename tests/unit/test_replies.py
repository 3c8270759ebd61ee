"""Typed replies, times, days and pause lengths as runners write them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.dose import Dose, DoseError
from bot.domain.programme import Outcome
from bot.domain.replies import (
    parse_local_time,
    parse_pause_days,
    parse_quiet_hours,
    parse_reply,
    parse_send_at,
    parse_training_days,
)
from bot.domain.schedule import QuietHours, mask_of


@pytest.mark.parametrize(
    ("text", "outcome", "pain"),
    [
        ("done", Outcome.DONE, None),
        ("Did it ✅", Outcome.DONE, None),
        ("✅", Outcome.DONE, None),
        ("👍", Outcome.DONE, None),
        ("finished!", Outcome.DONE, None),
        ("3x12", Outcome.DONE, None),
        ("3 x 12 done", Outcome.DONE, None),
        ("easy", Outcome.EASY, None),
        ("Too easy!!", Outcome.EASY, None),
        ("hard", Outcome.HARD, None),
        ("too hard", Outcome.HARD, None),
        ("couldn't finish", Outcome.HARD, None),
        ("pain 6", Outcome.PAIN, 6),
        ("PAIN", Outcome.PAIN, None),
        ("hurt 4/10", Outcome.PAIN, 4),
        ("it hurts", Outcome.PAIN, None),
        ("6/10 pain", Outcome.PAIN, 6),
        ("pain 2", Outcome.PAIN, 2),
        ("done but pain 7", Outcome.PAIN, 7),
        ("pain 11", Outcome.PAIN, None),
        ("skip", Outcome.SKIPPED, None),
        ("skipped, travelling", Outcome.SKIPPED, None),
        ("no time today", Outcome.SKIPPED, None),
        ("what is a clamshell?", None, None),
    ],
)
def test_parse_reply(text: str, outcome: Outcome | None, pain: int | None) -> None:
    parsed = parse_reply(text)
    assert (parsed.outcome, parsed.pain) == (outcome, pain)
    assert parsed.note == text.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7:30", time(7, 30)), ("07:30", time(7, 30)), ("19:05", time(19, 5)), ("7.30", time(7, 30)),
     ("7am", time(7)), ("7:30 pm", time(19, 30)), ("12am", time(0)), ("12:15 PM", time(12, 15)),
     ("24:00", None), ("7:60", None), ("13pm", None), ("7", None), ("noon", None), ("", None)],
)  # fmt: skip
def test_parse_local_time(text: str, expected: time | None) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("daily", 0b1111111), ("every day", 0b1111111), ("weekdays", 0b0011111), ("weekends", 0b1100000),
     ("mon,wed,fri", mask_of([0, 2, 4])), ("Mon Wed Fri", mask_of([0, 2, 4])),
     ("monday, thursday", mask_of([0, 3])), ("mon-fri", mask_of(range(5))), ("tue and sat", mask_of([1, 5])),
     ("fri-mon", None), ("someday", None), ("", None), ("mon,xyz", None)],
)  # fmt: skip
def test_parse_training_days(text: str, expected: int | None) -> None:
    assert parse_training_days(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", 3), ("7 days", 7), ("2 weeks", 14), ("1w", 7), ("0", None), ("91", None), ("soon", None)],
)
def test_parse_pause_days(text: str, expected: int | None) -> None:
    assert parse_pause_days(text) == expected


@pytest.mark.parametrize(
    ("text", "shown"),
    [("3x12", "3 × 12"), ("2x10-15 each side", "2 × 10-15 each side"), ("3x30s", "3 × 30 s"),
     ("2 x 20m", "2 × 20 m"), ("3x20s each leg", "3 × 20 s each side")],
)  # fmt: skip
def test_doses_parse_and_round_trip(text: str, shown: str) -> None:
    dose = Dose.parse(text)
    assert str(dose) == shown
    assert Dose.parse(dose.as_text()) == dose


@pytest.mark.parametrize("text", ["three sets", "3x", "x12", "0x10", "3x12-10", "11x5", "3x12 each"])
def test_bad_doses_are_refused(text: str) -> None:
    with pytest.raises(DoseError):
        Dose.parse(text)


def test_a_lighter_dose_keeps_at_most_the_factor_of_the_volume_and_never_stays_the_same() -> None:
    """The issue's bug: ceil(2 x 0.6) left every 2-set dose unchanged."""
    assert str(Dose.parse("2x8 each side").lighter(0.6)) == "1 × 8 each side"
    assert str(Dose.parse("3x10").lighter(0.6)) == "3 × 6"
    assert str(Dose.parse("4x10").lighter(0.5)) == "2 × 10"
    assert str(Dose.parse("1x30s").lighter(0.6)) == "1 × 18 s"


LONDON = ZoneInfo("Europe/London")
SATURDAY_NOON = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
"""The day before British Summer Time starts (01:00 GMT on Sunday 29 March 2026 becomes 02:00 BST)."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", datetime(2026, 3, 28, 18, 30, tzinfo=UTC)),
        ("9:15", datetime(2026, 3, 29, 8, 15, tzinfo=UTC)),  # already past today: tomorrow, in BST
        ("2026-03-29 01:30", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # in the spring-forward gap
        ("2026-04-02T07:00", datetime(2026, 4, 2, 6, 0, tzinfo=UTC)),
        ("2026-03-28 11:00", None),  # in the past
        ("2026-06-01 07:00", None),  # beyond the 60-day horizon
        ("2026-02-30 07:00", None),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_parse_send_at(text: str, expected: datetime | None) -> None:
    assert parse_send_at(text, now=SATURDAY_NOON, zone=LONDON) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-06:30", QuietHours(time(22), time(6, 30))),
        (" 22:00 – 6:30 ", QuietHours(time(22), time(6, 30))),
        ("21:30 to 07:00", QuietHours(time(21, 30), time(7))),
        ("10pm 6am", QuietHours(time(22), time(6))),
        ("10 pm - 6 am", QuietHours(time(22), time(6))),
        ("13:00-15:00", QuietHours(time(13), time(15))),
        ("off", QuietHours(time(0), time(0))),
        ("22:00", None),
        ("22:00-22:00", None),
        ("25:00-06:00", None),
        ("22-6", None),
        ("late night", None),
        ("22:00-06:00-07:00", None),
    ],
)
def test_parse_quiet_hours(text: str, expected: QuietHours | None) -> None:
    assert parse_quiet_hours(text) == expected
