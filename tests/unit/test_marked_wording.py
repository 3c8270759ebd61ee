"""Text outside the wording module is translated where it is shown or produced: buttons, reasons, doses,
day names and the words drawn into pictures follow the language in force, and callback data never does.

A small Spanish catalog stands in for the real one, so these tests do not depend on translators' progress.
"""

from __future__ import annotations

import gettext
import json
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot import i18n
from bot.content.loader import load_content
from bot.domain.dose import Dose
from bot.domain.kit import Kit, describe_kit
from bot.domain.load import load_text
from bot.domain.programme import Outcome
from bot.domain.progression import (
    BAND_UP_REASON,
    DrillState,
    Proposal,
    after_self_test,
    proposal_again,
    start_position,
)
from bot.domain.schedule import describe_days, mask_of
from bot.domain.week import Running, day_plan
from bot.i18n import use_language
from bot.ui import keyboards
from tests.unit.programme_factory import make_programme

ROOT = Path(__file__).resolve().parents[2]
SPANISH = {
    "✅ Done": "✅ Hecho",
    "⏰ Later": "⏰ Más tarde",
    "{sets} × {amount} s each side": "{sets} × {amount} s por lado",
    "Self-test passed: welcome to stage {stage}!": "¡Autotest superado: bienvenido a la etapa {stage}!",
    "Top dose beaten twice in a row: a stronger band today.": "Dosis máxima dos veces: una banda más fuerte.",
    "{race} in {count} day: easy activation only.": (
        "{race} en {count} día: solo activación suave.",
        "{race} en {count} días: solo activación suave.",
    ),
    "a mini band": "una minibanda",
    "a step or box": "un escalón o caja",
    "{items} and {last}": "{items} y {last}",
}


@pytest.fixture
def spanish(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    catalog = Catalog(locale="es_ES")
    for english, spanish in SPANISH.items():
        if isinstance(spanish, tuple):
            forms = (*spanish, *spanish[-1:] * (catalog.num_plurals - len(spanish)))
            catalog.add((english, english.replace(" day:", " days:")), forms)
        else:
            catalog.add(english, spanish)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fake = gettext.GNUTranslations(compiled)
    monkeypatch.setattr(
        i18n, "translations", lambda language: fake if language == "es" else gettext.NullTranslations()
    )
    with use_language("es"):
        yield


@pytest.mark.usefixtures("spanish")
def test_check_in_buttons_are_translated_but_their_callback_data_is_not() -> None:
    buttons = [button for row in keyboards.check_in(42).inline_keyboard for button in row]
    assert buttons[0].text == "✅ Hecho" and buttons[0].callback_data == "ci:42:done"
    assert buttons[-1].text == "⏰ Más tarde" and buttons[-1].callback_data == "sn:42:menu"
    assert buttons[1].text == "😎 Too easy", "an entry the catalog lacks stays English"


@pytest.mark.usefixtures("spanish")
def test_the_check_in_buttons_json_is_what_their_keyboard_serialises_to() -> None:
    """The dispatcher sends the drill card's buttons as JSON it builds itself; the handlers' "Back" puts
    the same keyboard back as PTB's object."""
    assert keyboards.check_in_json(42) == keyboards.check_in(42).to_dict()
    assert json.dumps(keyboards.check_in_json(42)) == json.dumps(keyboards.check_in(42).to_dict())


@pytest.mark.usefixtures("spanish")
def test_day_buttons_use_the_languages_own_weekday_names() -> None:
    row = keyboards.day_picker(0b0000001).inline_keyboard[0]
    assert [button.text for button in row] == ["✅ lun", "mar", "mié", "jue"]
    assert row[0].callback_data == "set:dpick:0"


@pytest.mark.usefixtures("spanish")
def test_doses_reasons_and_kit_read_in_the_language_in_force() -> None:
    assert str(Dose.parse("2x30s each side")) == "2 × 30 s por lado"
    assert Dose.parse("2x30s each side").as_text() == "2x30s each side", "storage stays canonical"
    programme = make_programme()
    _position, reason = after_self_test(programme, start_position(programme, 1), passed=True)
    assert reason.startswith("¡Autotest superado: bienvenido a la etapa ")
    assert describe_kit(frozenset({Kit.MINI_BAND, Kit.STEP_OR_BOX})) == "una minibanda y un escalón o caja"
    assert describe_days(mask_of([0, 2, 4])) == "lun, mié, vie"
    assert load_text(12.5, 10.0) == "last time 10 kg: try 12,5 kg", "Babel's decimal comma, English words"


@pytest.mark.usefixtures("spanish")
def test_a_taper_reason_is_one_sentence_with_the_race_named() -> None:
    plan = day_plan(
        frozenset(range(7)), Running(race_on=date(2026, 3, 5), race_name="maratón"), date(2026, 3, 2)
    )
    assert plan.reason == "Maratón en 3 días: solo activación suave."


@pytest.mark.usefixtures("spanish")
def test_a_card_sent_again_recognises_a_reason_stored_in_the_runners_language() -> None:
    walk = load_content(ROOT / "content", allow_missing_media=True).programme.drills["monster-walk"]
    stored = i18n._(BAND_UP_REASON)
    assert stored != BAND_UP_REASON
    for reason in (stored, BAND_UP_REASON):
        again = proposal_again(walk, DrillState(step=2), reason, kit=None, warm_up_only=False)
        assert again == Proposal(stronger_band=True)


def test_english_is_unchanged() -> None:
    assert str(Dose.parse("2x30s each side")) == "2 × 30 s each side"
    assert describe_days(mask_of([0, 2, 4])) == "Mon, Wed, Fri"
    assert describe_days(mask_of(range(6))) == "Mon-Sat"
    plan = day_plan(
        frozenset(range(7)), Running(race_on=date(2026, 3, 5), race_name="berlin"), date(2026, 3, 4)
    )
    assert plan.reason == "Berlin tomorrow: easy activation only."
    assert [button.text for button in keyboards.pause_lengths().inline_keyboard[0]] == [
        "3 days",
        "7 days",
        "14 days",
    ]
    assert Outcome.DONE in keyboards.CHECK_IN_LABELS
