"""Seeing which language the bot spoke in, before the real catalogs are translated: a small catalog of the
test's own, and a record of the language in force whenever a wording function is called."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from typing import Any

import pytest

from bot import i18n


class SmallCatalog(gettext.NullTranslations):
    """A few messages translated, the rest left in English (as a missing entry is)."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)


def use_test_catalogs(monkeypatch: pytest.MonkeyPatch, catalogs: dict[str, dict[str, str]]) -> None:
    """`_()` reads these catalogs instead of the real ones, by language."""
    null = gettext.NullTranslations()
    monkeypatch.setattr(
        i18n,
        "translations",
        lambda language: SmallCatalog(catalogs[language]) if language in catalogs else null,
    )


def languages_seen(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[tuple[Any, str]]:
    """Each call of `owner.name` from now on, as (its first argument, the language in force then)."""
    seen: list[tuple[Any, str]] = []
    original: Callable[..., Any] = getattr(owner, name)

    def spoken(*args: Any, **kwargs: Any) -> Any:
        seen.append((args[0] if args else None, i18n.current_language()))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spoken)
    return seen
