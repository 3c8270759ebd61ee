"""The folders are the architecture: imports run from `telegram/` down, never back up into it, and
`domain/` knows nothing of Telegram or SQL."""

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"


def imported_modules(folder: str) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in (BOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                found.update((path.name, alias.name) for alias in node.names)
    return found


@pytest.mark.parametrize("folder", ["delivery", "services", "db", "domain", "ui", "i18n", "content"])
def test_nothing_below_the_handlers_imports_them(folder: str) -> None:
    upward = {pair for pair in imported_modules(folder) if pair[1].startswith("bot.telegram")}
    assert upward == set()


def test_the_domain_imports_neither_telegram_nor_sql() -> None:
    outside = {
        pair
        for pair in imported_modules("domain")
        if pair[1].split(".")[0] in {"telegram", "sqlalchemy", "aiohttp", "httpx"}
        or pair[1].startswith(("bot.db", "bot.delivery", "bot.services"))
    }
    assert outside == set()
