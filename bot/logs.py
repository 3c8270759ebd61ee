"""Logging as operators want it: readable text on a terminal, one JSON object per line for collectors.

Every line goes through the one handler on the root logger, ours and third-party loggers' alike, and that
handler masks the bot token: PTB logs the Bot API URL (which carries it) at DEBUG, its `InvalidToken` names
it, and an HTTP client's error can quote a URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

_STANDARD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
MASK = "***"
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (key, value) for key, value in record.__dict__.items() if key not in _STANDARD_ATTRIBUTES
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def secret_of(token: str) -> str:
    """The part of a bot token that must not leak: after the colon (the bot's id before it is public)."""
    _bot_id, colon, secret = token.partition(":")
    return secret if colon and secret else token


class MaskingFormatter(logging.Formatter):
    """Formats as `inner` does, then masks every secret anywhere in the result: the message, the
    traceback, JSON fields, whatever a library put there."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = tuple(sorted({secret for secret in secrets if secret}, key=len, reverse=True))

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return line


def configure_logging(level: str, log_format: str, *, tokens: Iterable[str | None]) -> None:
    """One handler on the root logger, on stderr, masking each of `tokens` in every line."""
    handler = logging.StreamHandler()
    inner = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(MaskingFormatter(inner, (secret_of(token) for token in tokens if token)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
