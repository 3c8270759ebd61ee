"""Numbers and button payloads from untrusted text: ASCII digits only, bounded, None instead of an error."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.parsing import BIGINT_MAX, INTEGER_MAX, parse_fields, parse_number, parse_numbered


def test_numbers_are_ascii_digits_within_the_bound() -> None:
    assert parse_number("42") == 42
    assert parse_number("007") == 7
    assert parse_number(str(INTEGER_MAX)) == INTEGER_MAX
    assert parse_number(str(INTEGER_MAX + 1)) is None
    assert parse_number(str(BIGINT_MAX), maximum=BIGINT_MAX) == BIGINT_MAX
    assert parse_number("11", maximum=10) is None
    for text in ("", "²", "٣", "１２", "-1", "+1", " 1", "1 ", "1_000", "1.0", "9" * 40):
        assert parse_number(text) is None, text


def test_fields_need_the_prefix_and_every_field() -> None:
    assert parse_fields("set:level:2", "set", 2) == ("level", "2")
    assert parse_fields("bc:1:aud:level:2", "bc", 2) == ("1", "aud:level:2")
    assert parse_fields("try:5", "try", 1) == ("5",)
    assert parse_fields("set:level", "set", 2) is None
    assert parse_fields("set", "set", 1) is None
    assert parse_fields("settle:a:b", "set", 2) is None
    assert parse_fields("set:" + "x" * 70, "set", 1) is None
    assert parse_numbered("ci:12:done", "ci") == (12, "done")
    assert parse_numbered("ci:12", "ci") is None
    assert parse_numbered("ci:²:done", "ci") is None


@given(st.text(max_size=80), st.sampled_from(["ci", "pn", "set", "bc", "try"]), st.integers(1, 3))
def test_no_payload_raises(data: str, prefix: str, count: int) -> None:
    fields = parse_fields(data, prefix, count)
    assert fields is None or len(fields) == count
    numbered = parse_numbered(data, prefix)
    assert numbered is None or 0 <= numbered[0] <= INTEGER_MAX


@given(st.text(max_size=25))
def test_a_number_is_what_its_ascii_digits_say(text: str) -> None:
    number = parse_number(text, maximum=BIGINT_MAX)
    assert number is None or str(number) == text.lstrip("0") or (number == 0 and set(text) == {"0"})
