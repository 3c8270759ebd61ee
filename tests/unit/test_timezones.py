"""What runners type for their time zone, matched to IANA names."""

from __future__ import annotations

import pytest

from bot.domain.timezones import match_timezones


@pytest.mark.parametrize(
    ("query", "zone"),
    [("london", "Europe/London"), ("New York", "America/New_York"), ("sydney", "Australia/Sydney"),
     ("kolkata", "Asia/Kolkata"), ("calcutta", "Asia/Kolkata"), ("sao paulo", "America/Sao_Paulo"),
     ("lodnon", "Europe/London"), ("Etc/UTC", "Etc/UTC"), ("etc/utc", "Etc/UTC"), ("utc", "Etc/UTC"),
     ("europe/berlin", "Europe/Berlin"), ("munich", "Europe/Berlin"),
     ("san francisco", "America/Los_Angeles"), ("mumbai", "Asia/Kolkata")],
)  # fmt: skip
def test_best_match_first(query: str, zone: str) -> None:
    assert match_timezones(query)[0] == zone


@pytest.mark.parametrize("query", ["", "   ", "xyzzy qwerty", "12345"])
def test_nonsense_matches_nothing(query: str) -> None:
    assert match_timezones(query) == []


def test_legacy_names_are_not_suggested() -> None:
    for query in ("pacific", "eastern", "central"):
        assert not any(zone.startswith("US/") for zone in match_timezones(query))
