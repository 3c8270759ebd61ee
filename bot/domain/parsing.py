"""Numbers and fields read from what anyone can send: command arguments and button payloads.

A Telegram client can send any callback data up to 64 bytes, not only what our keyboards made, and a command
any argument. `str.isdigit()` accepts "²" and other digits that `int()` refuses, and a number longer than
an id column crashes the query, so every handler reads them through here: ASCII digits only, bounded, and
None (never an exception) for anything else.
"""

from __future__ import annotations

INTEGER_MAX = 2**31 - 1
"""The largest value of an INTEGER column (the ids of drills, broadcasts and subscribers)."""
BIGINT_MAX = 2**63 - 1
"""The largest value of a BIGINT column (the ids of deliveries)."""
CALLBACK_DATA_BYTES = 64
"""Telegram never sends longer callback data; anything longer is not from Telegram's clients."""


def parse_number(text: str, *, maximum: int = INTEGER_MAX) -> int | None:
    """A whole number from 0 to `maximum` written in ASCII digits; None for anything else."""
    if not text or len(text) > len(str(maximum)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_fields(data: str, prefix: str, count: int) -> tuple[str, ...] | None:
    """The `count` fields of `<prefix>:<field>:...`, the last one keeping any further colons; None for
    another prefix, fewer fields, or more than Telegram's 64 bytes."""
    head, colon, rest = data.partition(":")
    if head != prefix or not colon or len(data.encode()) > CALLBACK_DATA_BYTES:
        return None
    fields = tuple(rest.split(":", count - 1))
    return fields if len(fields) == count else None


def parse_numbered(data: str, prefix: str, *, maximum: int = INTEGER_MAX) -> tuple[int, str] | None:
    """`<prefix>:<id>:<rest>`, the shape of most of our buttons, as the id and the rest."""
    fields = parse_fields(data, prefix, 2)
    number = parse_number(fields[0], maximum=maximum) if fields is not None else None
    return (number, fields[1]) if fields is not None and number is not None else None
