"""What a runner types after /kit: the kit words, plain synonyms, "none"; anything else is asked about."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.kit import Kit, describe_kit, parse_kit


def test_typed_kit_is_read_with_its_everyday_names() -> None:
    assert parse_kit("band dumbbells") == {Kit.MINI_BAND, Kit.DUMBBELLS}
    assert parse_kit("Mini band, a step and a sofa") == {Kit.MINI_BAND, Kit.STEP_OR_BOX, Kit.BENCH_OR_SOFA}
    assert parse_kit("long band + kettlebell") == {Kit.LONG_BAND, Kit.DUMBBELLS}
    assert parse_kit("bench-or-sofa") == {Kit.BENCH_OR_SOFA}
    assert parse_kit("none") == frozenset()
    assert parse_kit("no kit") == frozenset()


def test_a_word_that_is_not_kit_is_refused_rather_than_dropped() -> None:
    assert parse_kit("band barbell") is None
    assert parse_kit("") is None
    assert parse_kit("and") is None


@given(st.text(max_size=40))
def test_any_text_gives_kit_or_none_never_an_error(text: str) -> None:
    assert parse_kit(text) is None or parse_kit(text) <= set(Kit)


def test_kit_is_described_as_a_runner_says_it() -> None:
    assert describe_kit(frozenset()) == "no kit"
    assert describe_kit(frozenset({Kit.DUMBBELLS})) == "dumbbells or a kettlebell"
    assert describe_kit(frozenset({Kit.STEP_OR_BOX, Kit.MINI_BAND})) == "a mini band and a step or box"
