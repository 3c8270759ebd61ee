"""The log handler `glutebot run` and the sandbox install: the bot token never reaches a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import MASK, configure_logging

TOKEN = "7012345678:AAHq3vWcb-_SecretPartOfTheToken0123"
SECRET = TOKEN.split(":", 1)[1]


@pytest.fixture(autouse=True)
def restored_root_logger() -> Iterator[None]:
    """configure_logging replaces the root logger's handlers; give pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def log_everything_that_carries_the_token() -> None:
    url = f"https://api.telegram.org/bot{TOKEN}"
    logging.getLogger("telegram.Bot").debug("Set Bot API URL: %s", url)
    logging.getLogger("bot.process").info("percent-encoded: %s", url.replace(":", "%3A"))
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        logging.getLogger("telegram.ext.Application").exception("error while handling %s", url)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_token_is_masked_in_messages_and_tracebacks(
    log_format: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG", log_format, tokens=[TOKEN])
    log_everything_that_carries_the_token()

    logged = capsys.readouterr().err
    assert SECRET not in logged
    assert "Set Bot API URL: https://api.telegram.org/bot7012345678:***" in logged
    assert "RuntimeError: The token `7012345678:***` was rejected" in logged
    if log_format == "json":
        entries = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
        assert [entry["logger"] for entry in entries] == [
            "telegram.Bot",
            "bot.process",
            "telegram.ext.Application",
        ]
        assert MASK in entries[2]["exception"]
