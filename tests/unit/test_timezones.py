"""What runners type for their time zone, matched to IANA names."""

from __future__ import annotations

import pytest

from bot.domain.timezones import fixed_offset_zone, is_zone, search


@pytest.mark.parametrize(
    ("query", "zone"),
    [("london", "Europe/London"), ("New York", "America/New_York"), ("sydney", "Australia/Sydney"),
     ("kolkata", "Asia/Kolkata"), ("calcutta", "Asia/Kolkata"), ("sao paulo", "America/Sao_Paulo"),
     ("lodnon", "Europe/London"), ("Etc/UTC", "Etc/UTC"), ("etc/utc", "Etc/UTC"), ("utc", "Etc/UTC"),
     ("europe/berlin", "Europe/Berlin"), ("munich", "Europe/Berlin"),
     ("san francisco", "America/Los_Angeles"), ("mumbai", "Asia/Kolkata")],
)  # fmt: skip
def test_best_match_first(query: str, zone: str) -> None:
    assert search(query).zones[0] == zone


@pytest.mark.parametrize(
    ("query", "zone"),
    [("EST", "America/New_York"), ("pst", "America/Los_Angeles"), ("CET", "Europe/Paris"),
     ("NYC", "America/New_York"), ("Munchen", "Europe/Berlin"), ("München", "Europe/Berlin"),
     ("London", "Europe/London"), ("manchester", "Europe/London"), ("Lisbon", "Europe/Lisbon"),
     ("Portugal", "Europe/Lisbon"), ("Zürich", "Europe/Zurich")],
)  # fmt: skip
def test_a_place_beyond_doubt_is_exact(query: str, zone: str) -> None:
    assert search(query).zones == (zone,) and search(query).exact


def test_a_name_shared_across_zones_offers_them_biggest_first() -> None:
    found = search("Springfield")
    assert not found.exact and len(found.zones) > 1 and "America/Chicago" in found.zones


def test_a_typo_is_offered_not_applied() -> None:
    found = search("Lisbn")
    assert found.zones[0] == "Europe/Lisbon" and not found.exact


@pytest.mark.parametrize(
    ("query", "zone"),
    [("GMT+2", "Etc/GMT-2"), ("UTC-5", "Etc/GMT+5"), ("utc +10", "Etc/GMT-10"), ("GMT+0", "Etc/UTC")],
)
def test_fixed_offsets_use_posix_signs_and_say_so(query: str, zone: str) -> None:
    found = search(query)
    assert found.zones == (zone,) and found.exact and found.fixed_offset == (zone != "Etc/UTC")
    assert is_zone(zone)


@pytest.mark.parametrize("query", ["GMT+5:30", "UTC+15", "UTC-13"])
def test_offsets_no_zone_has_are_refused(query: str) -> None:
    assert fixed_offset_zone(query.lower()) is None


@pytest.mark.parametrize("query", ["", "   ", "xyzzy qwerty", "12345"])
def test_nonsense_matches_nothing(query: str) -> None:
    assert search(query).zones == ()


def test_legacy_names_are_not_suggested() -> None:
    for query in ("pacific", "eastern", "central"):
        assert not any(zone.startswith("US/") for zone in search(query).zones)
    assert not is_zone("US/Pacific") and not is_zone("Etc/GMT+13")
