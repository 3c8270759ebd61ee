"""The runner's language.

English is the source language: every user-facing string in the code is an English gettext message id,
and `bot/i18n/locales/<language>/LC_MESSAGES/messages.po` holds the other languages. The language in force
belongs to the task at hand (one update, one runner's delivery), kept in a context variable so the wording
layer, the domain's reasons and Babel's date formats all follow it without being handed it.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, time
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "de": "Deutsch"}
"""Every language a runner can choose, by code, each named in itself (as the picker shows it)."""
DEFAULT_LANGUAGE = "en"
BABEL_LOCALES = {"en": "en_GB", "es": "es_ES", "de": "de_DE"}
"""Dates and numbers as a runner in each language reads them (British English: day before month)."""
LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


def language_from_telegram(code: str | None) -> str:
    """Telegram's `language_code` ("es-419", "de", "en-GB") as one of ours; anything else is English."""
    primary = (code or "").split("-", 1)[0].split("_", 1)[0].lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def known_language(code: str | None) -> str:
    """A stored language code, or English if it is not one we have (a language removed since)."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    return _language.get()


def set_language(code: str | None) -> None:
    """For the rest of this task (an update's handlers), speak `code`."""
    _language.set(known_language(code))


@contextmanager
def use_language(code: str | None) -> Iterator[None]:
    """Speak `code` inside the block only (one runner's card among many in a dispatcher's batch)."""
    token = _language.set(known_language(code))
    try:
        yield
    finally:
        _language.reset(token)


def catalog_path(language: str, locales: Path = LOCALES_DIR) -> Path:
    return locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """A language's catalog, compiled in memory from its .po file the first time it is needed. Fuzzy
    entries are left out, so an unchecked translation falls back to English rather than misleading."""
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    with catalog_path(language, LOCALES_DIR).open("rb") as po:
        catalog = read_po(po, locale=BABEL_LOCALES[language], domain=DOMAIN, abort_invalid=True)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def load_catalogs() -> None:
    """Compile every language's catalog now, so a broken one stops the bot at start-up, not mid-reply."""
    for language in LANGUAGES:
        translations(language)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for `count` by the language's own plural rule (the catalog's Plural-Forms)."""
    return translations(current_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; it is translated where it is shown."""
    return message


_ = gettext


def locale() -> Locale:
    return Locale.parse(BABEL_LOCALES[current_language()])


def format_day(day: date) -> str:
    """ "Tue 1 Dec", "mar, 1 dic", "Di., 1. Dez.": a short day and date as the runner's language writes it."""
    return format_skeleton("MMMEd", day, locale=locale())


def format_date_only(day: date) -> str:
    """ "1 Dec 2026", "1 dic 2026", "1. Dez. 2026"."""
    return format_skeleton("yMMMd", day, locale=locale())


def weekday_name(day: date) -> str:
    """ "Tuesday", "martes", "Dienstag"."""
    return format_date(day, "EEEE", locale=locale())


def format_clock(moment: time) -> str:
    """Times are shown on the 24-hour clock in every language we speak: 07:30."""
    return f"{moment:%H:%M}"


def format_number(number: float) -> str:
    """ "1,200" / "1.200": grouping as the runner's language writes it."""
    return format_decimal(number, locale=locale())
