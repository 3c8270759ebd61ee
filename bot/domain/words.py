"""Reading a runner's typed words the same in every language: case and accents do not matter."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents ("Mié" -> "mie", "Überspringen" -> "uberspringen", "ß" -> "ss"), so the
    words the parsers know match however a runner typed them."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
