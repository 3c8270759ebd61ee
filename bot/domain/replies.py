"""What a runner's typed words mean: check-in replies, "later", times, training days and pause lengths.

Conservative by design: anything that mentions pain is read as pain, never as done, and text that is not
understood is kept whole as a note rather than guessed at. English, Spanish and German words are all
understood whatever the runner's language (none means something else in another), matched without
accents or case (`fold`), so the patterns are written unaccented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.programme import Outcome
from bot.domain.schedule import QuietHours, local_date, mask_of, slot_on
from bot.domain.words import fold

_PAIN_WORDS = (
    r"(?:pain|painful|hurts?|hurting|hurted|sore|ache|aches|aching|ouch"
    r"|dolor|dolores|duele|duelen|dolorido|dolorida|molestias?"
    r"|schmerz|schmerzen|schmerzt|schmerzhaft|tut\s+weh|autsch)"
)
_PAIN_SCORE = re.compile(
    rf"(?:{_PAIN_WORDS}\D{{0,12}}?\b(?P<after>10|[0-9])(?:\s*/\s*10)?\b)"
    rf"|(?:\b(?P<before>10|[0-9])\s*/\s*10\b\D{{0,12}}{_PAIN_WORDS})",
    re.IGNORECASE,
)
_PAIN = re.compile(rf"\b{_PAIN_WORDS}\b|⚠", re.IGNORECASE)
_HARD = re.compile(
    r"\b(?:too\s+hard|hard|tough|couldn'?t\s+finish|could\s+not\s+finish|struggled|too\s+heavy|failed"
    r"|demasiado\s+dificil|muy\s+dificil|dificil|duro|demasiado\s+pesado|no\s+pude\s+(?:terminar|acabar)"
    r"|zu\s+schwer|schwer|zu\s+hart|zu\s+anstrengend|nicht\s+geschafft)\b|😓|🥵",
    re.IGNORECASE,
)
_EASY = re.compile(
    r"\b(?:too\s+easy|easy|easier|piece\s+of\s+cake|no\s+sweat"
    r"|demasiado\s+facil|muy\s+facil|facil|zu\s+leicht|zu\s+einfach|leicht)\b|😎",
    re.IGNORECASE,
)
_SKIP = re.compile(
    r"\b(?:skip|skipped|skipping|no\s+time|missed|not\s+today|didn'?t\s+do"
    r"|saltar|salto|salte|saltado|no\s+tuve\s+tiempo|sin\s+tiempo|hoy\s+no|no\s+lo\s+hice"
    r"|ue?berspringen|ue?bersprungen|keine\s+zeit|heute\s+nicht|nicht\s+gemacht|ausgelassen)\b|⏭",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"\b(?:done|did\s+it|finished|complete|completed|nailed\s+it|yes|ok|okay"
    r"|hecho|hecha|listo|lista|terminado|completado|lo\s+hice|si|vale"
    r"|erledigt|fertig|gemacht|geschafft|ja)\b"
    r"|\b\d{1,2}\s*[x×]\s*\d{1,3}\b|✅|👍|💪|✔",
    re.IGNORECASE,
)
_DAY_WORDS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
    "lun": 0, "lunes": 0, "mar": 1, "martes": 1, "mie": 2, "miercoles": 2, "jue": 3, "jueves": 3,
    "vie": 4, "viernes": 4, "sab": 5, "sabado": 5, "dom": 6, "domingo": 6,
    "mo": 0, "montag": 0, "di": 1, "dienstag": 1, "mi": 2, "mittwoch": 2, "do": 3, "donnerstag": 3,
    "fr": 4, "freitag": 4, "sa": 5, "samstag": 5, "sonnabend": 5, "so": 6, "sonntag": 6,
}  # fmt: skip
_DAY_PRESETS = {
    "daily": 0b1111111, "every day": 0b1111111, "everyday": 0b1111111, "all": 0b1111111,
    "weekdays": 0b0011111, "weekends": 0b1100000,
    "todos los dias": 0b1111111, "cada dia": 0b1111111, "diario": 0b1111111, "a diario": 0b1111111,
    "entre semana": 0b0011111, "dias laborables": 0b0011111,
    "fines de semana": 0b1100000, "fin de semana": 0b1100000,
    "jeden tag": 0b1111111, "taglich": 0b1111111, "alle tage": 0b1111111,
    "werktags": 0b0011111, "wochentags": 0b0011111, "unter der woche": 0b0011111,
    "wochenende": 0b1100000, "wochenenden": 0b1100000, "am wochenende": 0b1100000,
}  # fmt: skip
_TIME = re.compile(r"^\s*(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)
_DATE_AND_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})[ T]+(.+)$")
SEND_AT_HORIZON = timedelta(days=60)
"""How far ahead a coach may schedule a broadcast."""
_PAUSE = re.compile(r"^\s*(\d{1,3})\s*(d|day|days|w|wk|week|weeks)?\s*$", re.IGNORECASE)


_LANGUAGE_WORDS = {
    "en": ("en", "english", "ingles", "englisch"),
    "es": ("es", "espanol", "spanish", "castellano", "spanisch"),
    "de": ("de", "deutsch", "german", "aleman"),
}


def language_named(text: str) -> str | None:
    """`es`, `Español`, `German`: the code of one of the bot's languages, in any of them; else None."""
    wanted = fold(text.strip())
    return next((code for code, words in _LANGUAGE_WORDS.items() if wanted in words), None)


@dataclass(frozen=True, slots=True)
class ParsedReply:
    outcome: Outcome | None
    pain: int | None
    note: str


def parse_reply(text: str) -> ParsedReply:
    """Outcome and pain score from a free-text check-in; the text itself is always kept as the note."""
    cleaned = text.strip()
    words = fold(cleaned)
    score_match = _PAIN_SCORE.search(words)
    if score_match is not None:
        return ParsedReply(Outcome.PAIN, int(score_match["after"] or score_match["before"]), cleaned)
    if _PAIN.search(words):
        return ParsedReply(Outcome.PAIN, None, cleaned)
    for pattern, outcome in ((_HARD, Outcome.HARD), (_EASY, Outcome.EASY), (_SKIP, Outcome.SKIPPED)):
        if pattern.search(words):
            return ParsedReply(outcome, None, cleaned)
    if _DONE.search(words):
        return ParsedReply(Outcome.DONE, None, cleaned)
    return ParsedReply(None, None, cleaned)


_LATER = re.compile(
    r"(?:(?:ok|okay|maybe|vale|quizas|vielleicht|i'?ll\s+do\s+it|i\s+will\s+do\s+it|do\s+it|remind\s+me"
    r"|lo\s+hago|hazlo|recuerdamelo|mache?\s+ich|ich\s+mache?\s+(?:es|sie)|erinnere\s+mich)\s+)?"
    r"(?:later|later\s+on|in\s+a\s+(?:bit|while|minute|moment)|not\s+(?:now|yet|right\s+now)|snooze"
    r"|luego|mas\s+tarde|despues|en\s+un\s+(?:rato|momento)|ahora\s+no|todavia\s+no|aun\s+no"
    r"|spa(?:e)?ter|nachher|gleich|in\s+einer\s+weile|jetzt\s+nicht|noch\s+nicht)"
    r"(?:\s+(?:please|pls|today|hoy|por\s+favor|bitte|heute))?",
)


def asks_for_later(text: str) -> bool:
    """ "later", "in a bit", "más tarde", "später": the runner puts today's drill off, as with the card's
    Later button. Only a reply that says nothing else, so "later, but my knee hurts" stays a pain report."""
    words = " ".join(re.sub(r"[^\w\s']+", " ", fold(text).replace("’", "'")).split())
    return _LATER.fullmatch(words) is not None


def parse_local_time(text: str) -> time | None:
    match = _TIME.match(text)
    if match is None:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    meridiem = (match[3] or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match[2] is None:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """`22:00-06:30`, `22:00 to 6:30`, `10pm 6am`, or `off` (no quiet hours); None if unreadable or empty."""
    cleaned = text.strip().lower()
    if cleaned in ("off", "none", "no"):
        return QuietHours(time(0), time(0))
    parts = re.split(r"\s*(?:-|–|—|\bto\b|\buntil\b)\s*", cleaned)
    if len(parts) != 2:
        parts = cleaned.split()
    if len(parts) != 2:
        return None
    start, end = parse_local_time(parts[0]), parse_local_time(parts[1])
    if start is None or end is None or start == end:
        return None
    return QuietHours(start, end)


def parse_training_days(text: str) -> int | None:
    """`mon wed fri`, `Mon-Fri`, `weekends`, `lun, mié y vie`, `Mo-Fr`, `Wochenende`."""
    cleaned = " ".join(fold(text).split())
    if cleaned in _DAY_PRESETS:
        return _DAY_PRESETS[cleaned]
    range_match = re.fullmatch(r"([a-z]+)\s*-\s*([a-z]+)", cleaned)
    if range_match is not None:
        first, last = _DAY_WORDS.get(range_match[1]), _DAY_WORDS.get(range_match[2])
        if first is None or last is None or first > last:
            return None
        return mask_of(range(first, last + 1))
    words = [word for word in re.split(r"[\s,;/&.]+|\b(?:and|y|e|und)\b", cleaned) if word]
    if not words or any(word not in _DAY_WORDS for word in words):
        return None
    return mask_of(_DAY_WORDS[word] for word in words)


OFF_WORDS = frozenset({"off", "none", "no", "skip", "ninguno", "nada", "keine", "kein", "aus", "nein"})
RACE_HORIZON_DAYS = 730
"""How far ahead a race may be planned: two years."""


def parse_weekday(text: str) -> int | None:
    """`sun`, `Sunday`, `dom`, `Sonntag`: Monday 0 .. Sunday 6; None if it is not a day of the week."""
    return _DAY_WORDS.get(fold(text.strip()).rstrip("."))


@dataclass(frozen=True, slots=True)
class RaceEntry:
    day: date
    name: str | None


def parse_race(text: str, *, today: date) -> RaceEntry | None:
    """`2027-04-12 London Marathon`: a date from today up to two years ahead, and an optional name."""
    date_text, _, name = text.strip().partition(" ")
    try:
        day = date.fromisoformat(date_text)
    except ValueError:
        return None
    if not today <= day <= today + timedelta(days=RACE_HORIZON_DAYS):
        return None
    return RaceEntry(day, " ".join(name.split())[:64] or None)


def parse_pause_days(text: str) -> int | None:
    match = _PAUSE.match(text)
    if match is None:
        return None
    amount = int(match[1])
    days = amount * 7 if (match[2] or "").lower().startswith("w") else amount
    return days if 1 <= days <= 90 else None


def parse_send_at(text: str, *, now: datetime, zone: ZoneInfo) -> datetime | None:
    """A coach's "send at": `18:30` (the next one to come) or `2026-03-05 07:00`, local to `zone`, as UTC.

    None when unreadable, already past, or further ahead than `SEND_AT_HORIZON`.
    """
    match = _DATE_AND_TIME.match(text)
    wanted = parse_local_time(match[4] if match else text)
    if wanted is None:
        return None
    if match is None:
        today = local_date(now, zone)
        moment = slot_on(today, wanted, zone)
        if moment <= now:
            moment = slot_on(today + timedelta(days=1), wanted, zone)
    else:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        moment = slot_on(day, wanted, zone)
    if moment <= now or moment - now > SEND_AT_HORIZON:
        return None
    return moment
