"""Typed replies in Spanish and German: understood whatever the runner's language, accents and case aside."""

from __future__ import annotations

import pytest

from bot.domain.conversation import Question, is_check_in, parse_screen_answer, puts_the_drill_off
from bot.domain.kit import Kit, parse_kit
from bot.domain.programme import Outcome
from bot.domain.replies import (
    OFF_WORDS,
    asks_for_later,
    language_named,
    parse_reply,
    parse_training_days,
    parse_weekday,
)
from bot.domain.safety import PregnancyStage
from bot.domain.schedule import mask_of
from bot.domain.words import fold

CHECK_INS = {
    "es": [
        ("hecho", Outcome.DONE, None),
        ("¡Hecho!", Outcome.DONE, None),
        ("listo 💪", Outcome.DONE, None),
        ("lo hice", Outcome.DONE, None),
        ("demasiado fácil", Outcome.EASY, None),
        ("DEMASIADO FACIL", Outcome.EASY, None),
        ("demasiado difícil", Outcome.HARD, None),
        ("no pude terminar", Outcome.HARD, None),
        ("saltar", Outcome.SKIPPED, None),
        ("hoy no", Outcome.SKIPPED, None),
        ("dolor 6", Outcome.PAIN, 6),
        ("Dolor: 7/10", Outcome.PAIN, 7),
        ("me duele la rodilla", Outcome.PAIN, None),
        ("hecho, pero dolor 3", Outcome.PAIN, 3),
    ],
    "de": [
        ("erledigt", Outcome.DONE, None),
        ("Fertig!", Outcome.DONE, None),
        ("geschafft", Outcome.DONE, None),
        ("zu leicht", Outcome.EASY, None),
        ("zu schwer", Outcome.HARD, None),
        ("nicht geschafft", Outcome.HARD, None),
        ("überspringen", Outcome.SKIPPED, None),
        ("UEBERSPRINGEN", Outcome.SKIPPED, None),
        ("keine Zeit", Outcome.SKIPPED, None),
        ("Schmerz 6", Outcome.PAIN, 6),
        ("Schmerzen 8/10", Outcome.PAIN, 8),
        ("das Knie tut weh", Outcome.PAIN, None),
        ("erledigt, aber zu schwer", Outcome.HARD, None),
    ],
}


@pytest.mark.parametrize(
    ("text", "outcome", "pain"),
    [case for cases in CHECK_INS.values() for case in cases],
)
def test_check_ins_in_spanish_and_german(text: str, outcome: Outcome | None, pain: int | None) -> None:
    parsed = parse_reply(text)
    assert (parsed.outcome, parsed.pain, parsed.note) == (outcome, pain, text)


@pytest.mark.parametrize("text", ["Monday 5 reps", "today 3 sets", "Mañana corro 10 km", "Ich laufe 5 km"])
def test_words_of_no_check_in_stay_a_note(text: str) -> None:
    assert parse_reply(text).outcome is None


@pytest.mark.parametrize("text", ["hecho", "zu schwer", "dolor 6", "Schmerz 6"])
def test_a_short_check_in_in_any_language_leaves_an_open_question(text: str) -> None:
    assert is_check_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "later", "Later!", "ok, later", "later please", "in a bit", "not now", "I’ll do it later", "⏰ Later",
        "más tarde", "Más tarde, por favor", "luego", "después", "ahora no", "en un rato", "lo hago luego",
        "später", "SPAETER", "nachher", "jetzt nicht", "mache ich später", "später bitte", "⏰ Später",
    ],
)  # fmt: skip
def test_later_in_every_language_puts_the_drill_off(text: str) -> None:
    assert asks_for_later(text)
    assert puts_the_drill_off(Question.LEVEL, text), "before the words are read as an answer"


@pytest.mark.parametrize(
    "text",
    ["later, my knee hurts", "done later than planned", "not today", "hoy no", "heute nicht", "skip", "luz"],
)
def test_later_with_anything_more_is_read_as_the_rest_says(text: str) -> None:
    assert not asks_for_later(text)


def test_later_is_no_way_out_of_the_health_screen() -> None:
    """No drill goes out before it is answered, so there is nothing to put off."""
    assert not puts_the_drill_off(Question.HEALTH, "later")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("lun mié vie", (0, 2, 4)),
        ("Lunes, miércoles y viernes", (0, 2, 4)),
        ("mar-jue", (1, 2, 3)),
        ("sáb dom", (5, 6)),
        ("fines de semana", (5, 6)),
        ("entre semana", (0, 1, 2, 3, 4)),
        ("todos los días", (0, 1, 2, 3, 4, 5, 6)),
        ("Mo Mi Fr", (0, 2, 4)),
        ("Mo-Fr", (0, 1, 2, 3, 4)),
        ("Dienstag und Donnerstag", (1, 3)),
        ("Sa, So", (5, 6)),
        ("Wochenende", (5, 6)),
        ("jeden Tag", (0, 1, 2, 3, 4, 5, 6)),
        ("mon wed fri", (0, 2, 4)),
    ],
)
def test_training_days_in_every_language(text: str, days: tuple[int, ...]) -> None:
    assert parse_training_days(text) == mask_of(days)


@pytest.mark.parametrize(
    ("text", "weekday"),
    [("domingo", 6), ("Dom.", 6), ("sábado", 5), ("Sonntag", 6), ("Sa", 5), ("miércoles", 2), ("sun", 6)],
)
def test_a_weekday_in_every_language(text: str, weekday: int) -> None:
    assert parse_weekday(text) == weekday


def test_off_in_every_language() -> None:
    assert {"ninguno", "keine", "aus"} <= OFF_WORDS


@pytest.mark.parametrize(
    ("text", "kit"),
    [
        ("banda, mancuernas y escalón", {Kit.MINI_BAND, Kit.DUMBBELLS, Kit.STEP_OR_BOX}),
        ("tengo un banco", {Kit.BENCH_OR_SOFA}),
        ("banda larga", {Kit.LONG_BAND}),
        ("ninguno", set()),
        ("Band und Kurzhanteln", {Kit.MINI_BAND, Kit.DUMBBELLS}),
        ("Stufe, Bank", {Kit.STEP_OR_BOX, Kit.BENCH_OR_SOFA}),
        ("keine", set()),
    ],
)
def test_kit_in_spanish_and_german(text: str, kit: set[Kit]) -> None:
    assert parse_kit(text) == frozenset(kit)


def test_a_word_that_is_not_kit_in_any_language_is_asked_about() -> None:
    assert parse_kit("banda y trampolín") is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("ninguno", "none"),
        ("Ninguna de estas", "none"),
        ("nada", "none"),
        ("keine", "none"),
        ("Keine davon.", "none"),
        ("nichts", "none"),
        ("listo", "done"),
        ("fertig", "done"),
        ("segundo trimestre", PregnancyStage.LATER.value),
        ("20 semanas", PregnancyStage.LATER.value),
        ("primer trimestre", PregnancyStage.FIRST_TRIMESTER.value),
        ("8 Wochen", PregnancyStage.FIRST_TRIMESTER.value),
        ("im dritten Trimester", PregnancyStage.LATER.value),
        ("el bebé nació hace un mes", PregnancyStage.POSTPARTUM.value),
        ("Baby ist geboren", PregnancyStage.POSTPARTUM.value),
    ],
)
def test_the_health_screen_typed_in_spanish_and_german(text: str, answer: str) -> None:
    assert parse_screen_answer(text) == answer


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("es", "es"),
        ("Español", "es"),
        ("espanol", "es"),
        ("Spanish", "es"),
        ("DEUTSCH", "de"),
        ("alemán", "de"),
        ("Englisch", "en"),
        ("inglés", "en"),
        ("en", "en"),
        ("français", None),
        ("", None),
    ],
)
def test_a_language_named_in_any_of_ours(text: str, code: str | None) -> None:
    assert language_named(text) == code


def test_folding_drops_case_and_accents() -> None:
    assert fold("MIÉRCOLES Überspringen Straße") == "miercoles uberspringen strasse"
