"""Local-time scheduling across time zones and daylight-saving changes in both directions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    DEFAULT_QUIET_HOURS,
    QuietHours,
    after_quiet_hours,
    describe_days,
    due_local_date,
    in_quiet_hours,
    local_date,
    mask_of,
    next_slot,
    nudge_time,
    slot_on,
    snooze_offers,
    snooze_until,
    weekdays_in,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
EVERY_DAY = 0b1111111


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "wall", "zone", "expected"),
    [
        (date(2026, 3, 29), time(1, 30), LONDON, utc(2026, 3, 29, 1, 0)),  # gap: 02:00 BST
        (date(2026, 10, 25), time(1, 30), LONDON, utc(2026, 10, 25, 0, 30)),  # repeated hour: first
        (date(2026, 3, 8), time(2, 15), NEW_YORK, utc(2026, 3, 8, 7, 0)),  # gap: 03:00 EDT
        (date(2026, 11, 1), time(1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30)),  # first 01:30 (EDT)
        (date(2026, 10, 4), time(2, 30), SYDNEY, utc(2026, 10, 3, 16, 0)),  # gap: 03:00 AEDT
        (date(2026, 4, 5), time(2, 30), SYDNEY, utc(2026, 4, 4, 15, 30)),  # first 02:30 (AEDT)
        (date(2026, 6, 1), time(7, 0), KOLKATA, utc(2026, 6, 1, 1, 30)),
    ],
)
def test_slot_on_handles_gaps_and_repeats(day: date, wall: time, zone: ZoneInfo, expected: datetime) -> None:
    assert slot_on(day, wall, zone) == expected


def test_next_slot_skips_rest_days_and_the_pause() -> None:
    monday_8am = utc(2026, 3, 2, 8, 0)
    weekdays = mask_of(range(5))
    saturday = next_slot(
        now=utc(2026, 3, 6, 9), zone=LONDON, delivery_time=time(7, 30), training_days=weekdays
    )
    assert saturday == utc(2026, 3, 9, 7, 30)
    paused = next_slot(
        now=monday_8am,
        zone=LONDON,
        delivery_time=time(7, 30),
        training_days=EVERY_DAY,
        paused_until=date(2026, 3, 4),
    )
    assert paused == utc(2026, 3, 5, 7, 30)
    assert next_slot(now=monday_8am, zone=LONDON, delivery_time=time(7, 30), training_days=0) is None


def test_a_slot_later_today_is_still_today() -> None:
    assert next_slot(
        now=utc(2026, 3, 2, 6), zone=LONDON, delivery_time=time(7, 30), training_days=EVERY_DAY
    ) == utc(2026, 3, 2, 7, 30)


@pytest.mark.parametrize(
    ("zone", "start"),
    [(LONDON, date(2026, 3, 1)), (LONDON, date(2026, 10, 1)), (NEW_YORK, date(2026, 3, 1)),
     (NEW_YORK, date(2026, 10, 20)), (SYDNEY, date(2026, 3, 20)), (SYDNEY, date(2026, 9, 20)),
     (KOLKATA, date(2026, 3, 1))],
)  # fmt: skip
@pytest.mark.parametrize("wall", [time(1, 30), time(2, 30), time(7, 0), time(23, 59)])
def test_sixty_days_give_one_slot_per_training_day(zone: ZoneInfo, start: date, wall: time) -> None:
    training = mask_of([0, 1, 2, 4, 5])
    now = datetime.combine(start, time(0, 0), tzinfo=zone).astimezone(UTC)
    slot = next_slot(now=now, zone=zone, delivery_time=wall, training_days=training)
    seen: list[date] = []
    while slot is not None and local_date(slot, zone) < start + timedelta(days=60):
        local = slot.astimezone(zone)
        seen.append(local.date())
        assert local.weekday() in weekdays_in(training)
        assert slot == slot_on(local.date(), wall, zone)
        shift = datetime.combine(local.date(), local.time()) - datetime.combine(local.date(), wall)
        assert shift == timedelta(0) or timedelta(0) < shift <= timedelta(hours=1)  # only a DST gap moves it
        slot = next_slot(
            now=slot + timedelta(minutes=1),
            zone=zone,
            delivery_time=wall,
            training_days=training,
            from_date=local.date() + timedelta(days=1),
        )
    expected = [
        start + timedelta(days=offset)
        for offset in range(60)
        if (start + timedelta(days=offset)).weekday() in weekdays_in(training)
    ]
    assert seen == expected


def test_late_once_never_a_backlog() -> None:
    seven_thirty = time(7, 30)
    scheduled = utc(2026, 3, 2, 7, 30)
    common = {"zone": LONDON, "delivery_time": seven_thirty, "training_days": EVERY_DAY}
    assert due_local_date(scheduled_at=scheduled, now=utc(2026, 3, 2, 7, 30), **common) == date(2026, 3, 2)
    assert due_local_date(scheduled_at=scheduled, now=utc(2026, 3, 2, 15), **common) == date(2026, 3, 2)
    assert due_local_date(scheduled_at=scheduled, now=utc(2026, 3, 3, 1), **common) is None
    assert due_local_date(scheduled_at=scheduled, now=utc(2026, 3, 5, 9), **common) == date(2026, 3, 5)
    assert due_local_date(scheduled_at=scheduled, now=utc(2026, 3, 2, 7), **common) is None


def test_quiet_hours() -> None:
    assert in_quiet_hours(utc(2026, 3, 2, 21, 30), LONDON)
    assert in_quiet_hours(utc(2026, 3, 2, 6, 59), LONDON)
    assert not in_quiet_hours(utc(2026, 3, 2, 7, 0), LONDON)
    assert after_quiet_hours(utc(2026, 3, 2, 22), LONDON) == utc(2026, 3, 3, 7)
    assert after_quiet_hours(utc(2026, 3, 2, 12), LONDON) == utc(2026, 3, 2, 12)


NIGHT_OWL = QuietHours(time(23, 30), time(9, 30))
SIESTA = QuietHours(time(13), time(16))
NONE = QuietHours(time(0), time(0))


def test_own_quiet_hours_wrapping_midnight_or_not_or_none() -> None:
    assert in_quiet_hours(utc(2026, 3, 2, 9, 0), LONDON, NIGHT_OWL)
    assert not in_quiet_hours(utc(2026, 3, 2, 23, 0), LONDON, NIGHT_OWL)
    assert in_quiet_hours(utc(2026, 3, 2, 15, 59), LONDON, SIESTA)
    assert not in_quiet_hours(utc(2026, 3, 2, 21, 0), LONDON, SIESTA)
    assert not any(in_quiet_hours(utc(2026, 3, 2, hour), LONDON, NONE) for hour in range(24))
    assert after_quiet_hours(utc(2026, 3, 2, 8), LONDON, NIGHT_OWL) == utc(2026, 3, 2, 9, 30)
    assert after_quiet_hours(utc(2026, 3, 2, 23, 45), LONDON, NIGHT_OWL) == utc(2026, 3, 3, 9, 30)
    assert after_quiet_hours(utc(2026, 3, 2, 14), LONDON, SIESTA) == utc(2026, 3, 2, 16)
    assert after_quiet_hours(utc(2026, 3, 2, 3), LONDON, NONE) == utc(2026, 3, 2, 3)
    assert (DEFAULT_QUIET_HOURS.length, NIGHT_OWL.length, SIESTA.length, NONE.length) == (
        timedelta(hours=10),
        timedelta(hours=10),
        timedelta(hours=3),
        timedelta(0),
    )
    assert (str(NIGHT_OWL), str(NONE)) == ("23:30-09:30", "off")


def test_quiet_hours_follow_the_local_clock_through_dst() -> None:
    late_sleeper = QuietHours(time(22), time(1, 30))
    # London springs forward at 01:00 on 29 March: 01:30 does not exist, quiet hours end at 02:00 BST.
    assert after_quiet_hours(utc(2026, 3, 28, 23), LONDON, late_sleeper) == utc(2026, 3, 29, 1, 0)
    # ... and falls back on 25 October: the first 01:30 (BST) ends them.
    assert after_quiet_hours(utc(2026, 10, 24, 22), LONDON, late_sleeper) == utc(2026, 10, 25, 0, 30)
    # 06:30 local is quiet on both sides of New York's change, whatever the UTC offset.
    assert in_quiet_hours(utc(2026, 3, 7, 11, 30), NEW_YORK)  # 06:30 EST
    assert in_quiet_hours(utc(2026, 3, 8, 10, 30), NEW_YORK)  # 06:30 EDT
    assert not in_quiet_hours(utc(2026, 3, 8, 11, 0), NEW_YORK)  # 07:00 EDT
    assert after_quiet_hours(utc(2026, 3, 8, 4), NEW_YORK) == utc(2026, 3, 8, 11)


def test_a_nudge_waits_for_quiet_hours_to_end_but_only_the_same_day() -> None:
    eight = timedelta(hours=8)
    assert nudge_time(utc(2026, 3, 2, 8), LONDON, after=eight) == utc(2026, 3, 2, 16)
    assert nudge_time(utc(2026, 3, 2, 13), LONDON, after=eight) is None  # 21:00: quiet until tomorrow
    assert nudge_time(utc(2026, 3, 2, 6), LONDON, after=eight, quiet=SIESTA) == utc(2026, 3, 2, 16)
    assert nudge_time(utc(2026, 3, 2, 14), LONDON, after=eight, quiet=NIGHT_OWL) == utc(2026, 3, 2, 22)
    assert nudge_time(utc(2026, 3, 2, 15), LONDON, after=eight, quiet=NONE) == utc(2026, 3, 2, 23)
    assert nudge_time(utc(2026, 3, 2, 16), LONDON, after=eight, quiet=NONE) is None  # tomorrow
    # Sent 09:00 BST on the day London springs forward: 17:00 BST is inside 17:00-07:00, so no nudge.
    evening = QuietHours(time(17), time(7))
    assert nudge_time(utc(2026, 3, 29, 8), LONDON, after=eight, quiet=evening) is None
    assert nudge_time(utc(2026, 3, 29, 7), LONDON, after=eight, quiet=evening) == utc(2026, 3, 29, 15)


def test_snooze_respects_the_runners_own_quiet_hours() -> None:
    early = QuietHours(time(18, 30), time(6))
    assert snooze_until("evening", now=utc(2026, 3, 2, 12), zone=LONDON, quiet=early) == utc(
        2026, 3, 2, 17, 30
    )
    assert snooze_until("hour", now=utc(2026, 3, 2, 17, 45), zone=LONDON, quiet=early) is None
    assert snooze_until("hour", now=utc(2026, 3, 2, 21), zone=LONDON, quiet=NIGHT_OWL) == utc(2026, 3, 2, 22)
    assert snooze_until("hour", now=utc(2026, 3, 2, 14), zone=LONDON, quiet=SIESTA) is None
    assert snooze_until("hour", now=utc(2026, 3, 2, 23, 30), zone=LONDON, quiet=NONE) is None  # tomorrow
    # After the clocks go forward, "this evening" is 19:00 BST.
    assert snooze_until("evening", now=utc(2026, 3, 29, 9), zone=LONDON) == utc(2026, 3, 29, 18)


def test_snooze() -> None:
    assert snooze_until("hour", now=utc(2026, 3, 2, 12), zone=LONDON) == utc(2026, 3, 2, 13)
    assert snooze_until("evening", now=utc(2026, 3, 2, 12), zone=LONDON) == utc(2026, 3, 2, 19)
    assert snooze_until("hour", now=utc(2026, 3, 2, 20, 30), zone=LONDON) is None
    assert snooze_until("evening", now=utc(2026, 3, 2, 19, 30), zone=LONDON) is None


def test_describe_days() -> None:
    assert describe_days(EVERY_DAY) == "every day"
    assert describe_days(mask_of(range(5))) == "weekdays"
    assert describe_days(mask_of(range(6))) == "Mon-Sat"
    assert describe_days(mask_of([0, 2, 4])) == "Mon, Wed, Fri"


def test_later_offers_only_what_will_be_honoured() -> None:
    assert snooze_offers(now=utc(2026, 3, 2, 12), zone=LONDON) == {
        "hour": utc(2026, 3, 2, 13),
        "evening": utc(2026, 3, 2, 19),
    }
    assert snooze_offers(now=utc(2026, 3, 2, 20, 18), zone=LONDON) == {"half": utc(2026, 3, 2, 20, 48)}
    assert snooze_offers(now=utc(2026, 3, 2, 20, 31), zone=LONDON) == {}
    assert snooze_offers(now=utc(2026, 3, 2, 19, 30), zone=LONDON) == {"hour": utc(2026, 3, 2, 20, 30)}
