"""Telegram's sending rates have one definition, in the domain, and it agrees with python-telegram-bot's."""

from __future__ import annotations

import ast
from pathlib import Path

from telegram.constants import FloodLimit

from bot.delivery.pacing import Pacing
from bot.domain import rates
from bot.domain.busy_minutes import minute_budget

BOT = Path(__file__).resolve().parents[2] / "bot"
PER_SECOND = {"MESSAGES_PER_SECOND", "PAID_MESSAGES_PER_SECOND"}


def _modules(directory: Path) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sorted(directory.rglob("*.py"))}


def test_the_domain_figures_are_telegrams() -> None:
    assert rates.MESSAGES_PER_SECOND == FloodLimit.MESSAGES_PER_SECOND
    assert rates.PAID_MESSAGES_PER_SECOND == FloodLimit.PAID_MESSAGES_PER_SECOND
    assert rates.messages_per_second(paid=False) == FloodLimit.MESSAGES_PER_SECOND
    assert rates.messages_per_second(paid=True) == FloodLimit.PAID_MESSAGES_PER_SECOND


def test_the_limiter_and_the_busy_minutes_use_them() -> None:
    pacing = Pacing()
    assert (pacing.free.rate, pacing.paid.rate) == (rates.MESSAGES_PER_SECOND, rates.PAID_MESSAGES_PER_SECOND)
    assert minute_budget(paid=False) == rates.MESSAGES_PER_SECOND * 60
    assert minute_budget(paid=True) == rates.PAID_MESSAGES_PER_SECOND * 60


def test_nothing_else_reads_the_per_second_rates_from_telegram() -> None:
    readers = [
        f"{path.relative_to(BOT.parent)}:{node.lineno}"
        for path, tree in _modules(BOT).items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in PER_SECOND
        and isinstance(node.value, ast.Name)
        and node.value.id == "FloodLimit"
    ]
    assert readers == []


def test_the_domain_imports_nothing_of_telegram() -> None:
    imported = [
        (path.name, name)
        for path, tree in _modules(BOT / "domain").items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
        if name.split(".")[0] == "telegram"
    ]
    assert imported == []
