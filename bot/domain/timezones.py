"""From what a runner types ("london", "New York", "Etc/UTC", "lodnon") to IANA time zone names."""

from __future__ import annotations

import difflib
import functools
import zoneinfo

_ALIASES = {
    "utc": "Etc/UTC",
    "gmt": "Etc/UTC",
    "uk": "Europe/London",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "glasgow": "Europe/London",
    "birmingham": "Europe/London",
    "cork": "Europe/Dublin",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "barcelona": "Europe/Madrid",
    "milan": "Europe/Rome",
    "geneva": "Europe/Zurich",
    "lyon": "Europe/Paris",
    "san francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "boston": "America/New_York",
    "washington": "America/New_York",
    "miami": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "calgary": "America/Edmonton",
    "montreal": "America/Toronto",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "calcutta": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "canberra": "Australia/Sydney",
    "rio": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "cape town": "Africa/Johannesburg",
    "wellington": "Pacific/Auckland",
}
_LEGACY_PREFIXES = ("US/", "Canada/", "Mexico/", "Brazil/", "Chile/", "SystemV/", "Etc/GMT")
_LEGACY_NAMES = {
    "GB",
    "GB-Eire",
    "NZ",
    "NZ-CHAT",
    "PRC",
    "ROC",
    "ROK",
    "UCT",
    "Universal",
    "Zulu",
    "posixrules",
}


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())


@functools.cache
def _zones() -> dict[str, str]:
    """Current, canonical-looking zone names keyed by their lower-case spelling."""
    zones = {}
    for name in zoneinfo.available_timezones():
        if "/" not in name or name.startswith(_LEGACY_PREFIXES) or name in _LEGACY_NAMES:
            continue
        zones[name.lower()] = name
    zones["etc/utc"] = "Etc/UTC"
    return zones


@functools.cache
def _cities() -> dict[str, list[str]]:
    cities: dict[str, list[str]] = {}
    for name in _zones().values():
        cities.setdefault(_normalise(name.rsplit("/", 1)[-1]), []).append(name)
    return cities


def match_timezones(query: str, *, limit: int = 5) -> list[str]:
    """Best matches first; an exact zone name or a known city gives exactly that zone."""
    text = query.strip()
    if not text:
        return []
    exact = _zones().get(text.lower().replace(" ", "_"))
    if exact is not None:
        return [exact]
    key = _normalise(text)
    if key in _ALIASES:
        return [_ALIASES[key]]
    cities = _cities()
    if key in cities:
        return sorted(cities[key])[:limit]
    found: list[str] = []
    for city in difflib.get_close_matches(key, list(cities), n=limit, cutoff=0.75):
        found.extend(sorted(cities[city]))
    for alias in difflib.get_close_matches(key, list(_ALIASES), n=limit, cutoff=0.8):
        if _ALIASES[alias] not in found:
            found.append(_ALIASES[alias])
    return found[:limit]
