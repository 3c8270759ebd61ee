"""The language machinery: which language a Telegram code gets, the language in force per task, Babel's
formats per language, and the catalog check that keeps English out of a translated runner's chat."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date, time
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError

from bot import i18n
from bot.i18n import catalogs

TUESDAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("telegram_code", "language"),
    [
        ("es", "es"),
        ("es-419", "es"),
        ("ES_mx", "es"),
        ("de", "de"),
        ("de-AT", "de"),
        ("en-GB", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_telegram_language_code_maps_to_one_of_ours(telegram_code: str | None, language: str) -> None:
    assert i18n.language_from_telegram(telegram_code) == language


def test_a_language_is_in_force_inside_its_block_only() -> None:
    assert i18n.current_language() == "en"
    with i18n.use_language("es"):
        assert i18n.current_language() == "es"
        with i18n.use_language("de"):
            assert i18n.current_language() == "de"
        assert i18n.current_language() == "es"
    assert i18n.current_language() == "en"


def test_an_unknown_stored_language_speaks_english() -> None:
    with i18n.use_language("xx"):
        assert i18n.current_language() == "en"


async def test_each_task_keeps_its_own_language() -> None:
    """Two runners' work interleaved on one event loop never borrows the other's language."""

    async def speak(language: str, seen: list[str]) -> None:
        i18n.set_language(language)
        await asyncio.sleep(0)
        seen.append(i18n.current_language())
        await asyncio.sleep(0)
        seen.append(i18n.current_language())

    spanish: list[str] = []
    german: list[str] = []
    await asyncio.gather(speak("es", spanish), speak("de", german))
    assert (spanish, german) == (["es", "es"], ["de", "de"])
    assert i18n.current_language() == "en"


@pytest.mark.parametrize(
    ("language", "day", "date_only", "weekday", "number"),
    [
        ("en", "Tue 1 Dec", "1 Dec 2026", "Tuesday", "1,200.5"),
        ("es", "mar, 1 dic", "1 dic 2026", "martes", "1.200,5"),
        ("de", "Di., 1. Dez.", "1. Dez. 2026", "Dienstag", "1.200,5"),
    ],
)
def test_dates_and_numbers_are_written_as_each_language_writes_them(
    language: str, day: str, date_only: str, weekday: str, number: str
) -> None:
    with i18n.use_language(language):
        assert i18n.format_day(TUESDAY) == day
        assert i18n.format_date_only(TUESDAY) == date_only
        assert i18n.weekday_name(TUESDAY) == weekday
        assert i18n.format_number(1200.5) == number
        assert i18n.format_clock(time(7, 5)) == "07:05"


def test_english_is_the_source_and_needs_no_catalog() -> None:
    assert i18n.gettext("Something nobody translated") == "Something nobody translated"
    assert i18n.ngettext("{count} drill", "{count} drills", 1) == "{count} drill"
    assert i18n.ngettext("{count} drill", "{count} drills", 2) == "{count} drills"


def test_the_shipped_catalogs_are_complete_and_match_the_code() -> None:
    assert catalogs.problems() == []


@pytest.fixture
def locales(tmp_path: Path) -> Path:
    """A copy of the shipped catalogs to break on purpose."""
    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, copy)
    return copy


def _rewrite(locales: Path, language: str, change: object) -> None:
    path = i18n.catalog_path(language, locales)
    catalog = catalogs.read_catalog(path, language)
    change(catalog)  # type: ignore[operator]
    catalogs._write(path, catalog)


def _first_translated(catalog: Catalog) -> str:
    return next(str(message.id) for message in catalog if message.id and not message.pluralizable)


def test_a_missing_entry_is_a_problem(locales: Path) -> None:
    _rewrite(locales, "es", lambda catalog: catalog.delete(_first_translated(catalog)))
    assert any(problem.startswith("es: missing") for problem in catalogs.problems(locales))


def test_an_untranslated_or_fuzzy_entry_is_a_problem(locales: Path) -> None:
    def empty(catalog: Catalog) -> None:
        catalog[_first_translated(catalog)].string = ""

    def fuzzy(catalog: Catalog) -> None:
        catalog[_first_translated(catalog)].flags.add("fuzzy")

    _rewrite(locales, "es", empty)
    _rewrite(locales, "de", fuzzy)
    found = catalogs.problems(locales)
    assert any(problem.startswith("es:") and "is not translated" in problem for problem in found)
    assert any(problem.startswith("de:") and "is fuzzy" in problem for problem in found)


def test_a_translation_naming_another_placeholder_is_a_problem(locales: Path) -> None:
    def wrong(catalog: Catalog) -> None:
        message = next(m for m in catalog if m.id and "{" in str(m.id) and not m.pluralizable)
        message.string = "{nombre}"

    _rewrite(locales, "de", wrong)
    assert any("placeholders ['nombre']" in problem for problem in catalogs.problems(locales))


def test_an_entry_the_code_no_longer_uses_and_a_stale_template_are_problems(locales: Path) -> None:
    def stale(catalog: Catalog) -> None:
        catalog.add("A sentence the code never says", "Una frase")

    _rewrite(locales, "es", stale)
    catalogs.template_path(locales).unlink()
    found = catalogs.problems(locales)
    assert any("is no longer used" in problem for problem in found)
    assert any("messages.pot is outdated" in problem for problem in found)


def test_update_writes_every_catalog_and_keeps_translations(locales: Path) -> None:
    written = catalogs.update(locales)
    assert [path.relative_to(locales).as_posix() for path in written] == [
        "messages.pot",
        "es/LC_MESSAGES/messages.po",
        "de/LC_MESSAGES/messages.po",
    ]
    assert catalogs.problems(locales) == catalogs.problems()


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", ["0 drills", "1 drill", "2 drills", "1,000,000 drills"]),
        ("es", ["0 ejercicios", "1 ejercicio", "2 ejercicios", "1.000.000 ejercicios"]),
        ("de", ["0 Übungen", "1 Übung", "2 Übungen", "1.000.000 Übungen"]),
    ],
)
def test_plural_forms_follow_each_languages_rule(language: str, forms: list[str]) -> None:
    """The shipped catalogs' forms, chosen by each language's Plural-Forms (Spanish has a third, for
    exact millions, which reads like the ordinary plural)."""
    with i18n.use_language(language):
        assert [
            i18n.ngettext("{count} drill", "{count} drills", count).format(count=i18n.format_number(count))
            for count in (0, 1, 2, 1_000_000)
        ] == forms


def test_a_broken_catalog_stops_the_start_not_a_reply(locales: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    i18n.catalog_path("de", locales).write_text('msgid "Done"\nmstr "Fertig"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    i18n.translations.cache_clear()
    try:
        with pytest.raises(PoFileError):
            i18n.load_catalogs()
    finally:
        i18n.translations.cache_clear()


def test_a_message_marked_inside_an_f_string_is_a_problem(tmp_path: Path) -> None:
    """Babel's extractor does not look inside f-strings: such a message would never be translated."""
    source = tmp_path / "bot"
    source.mkdir()
    (source / "wording.py").write_text(
        "from bot.i18n import _\n\n\ndef offer(when: str) -> str:\n"
        "    return f\"{when} {_('Want one now?')}\"\n",
        encoding="utf-8",
    )
    assert catalogs.hidden_messages(source) == [
        "bot/wording.py:5: marked inside an f-string, so never extracted"
    ]
    assert catalogs.hidden_messages() == []
