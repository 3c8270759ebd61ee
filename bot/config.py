"""Settings from the environment (and an optional `.env`), checked once at start-up.

A bad value stops the bot with one line naming the variable, never a traceback: operators read these
lines in `docker compose logs`, where a stack trace hides the one thing they need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

SUPPORTED_DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
MIN_RETENTION_DAYS = 30
"""Pruning never reaches the four weeks `/stats` charts, nor a drill that can still be answered."""
_ENV_NAMES = {
    "bot_token": "BOT_TOKEN",
    "database_url": "DATABASE_URL",
    "admin_ids": "ADMIN_IDS",
    "telegram_base_url": "TELEGRAM_BASE_URL",
    "telegram_base_file_url": "TELEGRAM_BASE_FILE_URL",
    "content_dir": "CONTENT_DIR",
    "default_timezone": "DEFAULT_TIMEZONE",
    "dispatch_interval_seconds": "DISPATCH_INTERVAL_SECONDS",
    "early_send_minutes": "EARLY_SEND_MINUTES",
    "paid_broadcast": "PAID_BROADCAST",
    "nudge_after_hours": "NUDGE_AFTER_HOURS",
    "telegram_timeout_seconds": "TELEGRAM_TIMEOUT_SECONDS",
    "webhook_url": "WEBHOOK_URL",
    "webhook_secret": "WEBHOOK_SECRET",
    "webhook_port": "WEBHOOK_PORT",
    "log_level": "LOG_LEVEL",
    "log_format": "LOG_FORMAT",
    "metrics_port": "METRICS_PORT",
    "retention_days": "RETENTION_DAYS",
}


class SettingsError(Exception):
    """A setting that cannot be used; the message is one line naming the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str | None = None
    database_url: str = "sqlite+aiosqlite:///glutebot.db"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    content_dir: Path = Path("content")
    default_timezone: str = "Europe/London"
    dispatch_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    early_send_minutes: int = Field(default=10, ge=0, le=60)
    """When a minute holds more drills than Telegram's rate clears in time, they start up to this early."""
    paid_broadcast: bool = False
    """Bulk sends go as paid broadcasts (Telegram Stars), up to 1,000 a second instead of 30."""
    nudge_after_hours: float = Field(default=8.0, gt=0, le=16)
    telegram_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """`/healthz` and Prometheus `/metrics` are served on this port; unset (the default): not served."""
    retention_days: int = Field(default=400, ge=MIN_RETENTION_DAYS, le=36_500)
    """Deliveries and check-ins older than this are folded into the runner's history and deleted."""

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        ids: set[int] = set()
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.lstrip("-").isdigit():
                raise ValueError(f"{part!r} is not a Telegram user id; expected numbers separated by commas")
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        try:
            driver = make_url(value).drivername
        except ArgumentError:
            raise ValueError(f"{value!r} is not a database URL") from None
        if driver not in SUPPORTED_DATABASE_DRIVERS:
            raise ValueError(
                f"driver {driver!r} is not supported; use one of {', '.join(SUPPORTED_DATABASE_DRIVERS)}"
            )
        return value

    @field_validator("default_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/London") from None
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _empty_metrics_port(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://") and not value.startswith("http://"):
            raise ValueError(f"{value!r} must be an http(s) URL")
        return value or None

    @property
    def webhook_enabled(self) -> bool:
        return self.webhook_url is not None

    def require_bot_token(self) -> str:
        if not self.bot_token:
            raise SettingsError("BOT_TOKEN: missing; get a token from @BotFather and set it")
        return self.bot_token

    def require_webhook_secret(self) -> str:
        if not self.webhook_secret:
            raise SettingsError("WEBHOOK_SECRET: required with WEBHOOK_URL, so forged updates are refused")
        return self.webhook_secret


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise `SettingsError` with one line for the first unusable variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "settings"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{_ENV_NAMES.get(field, field.upper())}: {message}") from None
