"""Settings: good values load; each bad one stops start-up with one line naming the variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    for name in (
        "BOT_TOKEN",
        "DATABASE_URL",
        "ADMIN_IDS",
        "DEFAULT_TIMEZONE",
        "LOG_LEVEL",
        "WEBHOOK_URL",
        "METRICS_PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]


def test_defaults_need_nothing() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///glutebot.db"
    assert settings.admin_ids == frozenset()
    assert settings.webhook_enabled is False
    assert settings.retention_days == 400
    assert (settings.early_send_minutes, settings.paid_broadcast) == (10, False)


@pytest.mark.parametrize(("value", "port"), [("9100", 9100), ("", None)])
def test_metrics_port_is_off_unless_set(
    monkeypatch: pytest.MonkeyPatch, value: str, port: int | None
) -> None:
    assert load_settings().metrics_port is None
    monkeypatch.setenv("METRICS_PORT", value)
    assert load_settings().metrics_port == port


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", " 12, 34 ,,56")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db/glutebot")
    monkeypatch.setenv("DEFAULT_TIMEZONE", "America/New_York")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("EARLY_SEND_MINUTES", "3")
    monkeypatch.setenv("PAID_BROADCAST", "1")
    settings = load_settings()
    assert (settings.early_send_minutes, settings.paid_broadcast) == (3, True)
    assert settings.admin_ids == frozenset({12, 34, 56})
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.default_timezone == "America/New_York"
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS: 'abc' is not a Telegram user id"),
        ("DEFAULT_TIMEZONE", "Mars/Olympus", "DEFAULT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL: driver 'mysql' is not supported"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: 'not a url' is not a database URL"),
        ("DISPATCH_INTERVAL_SECONDS", "0", "DISPATCH_INTERVAL_SECONDS: Input should be greater than 0"),
        ("WEBHOOK_PORT", "70000", "WEBHOOK_PORT: Input should be less than or equal to 65535"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT: Input should be 'text' or 'json'"),
        ("METRICS_PORT", "0", "METRICS_PORT: Input should be greater than or equal to 1"),
        ("METRICS_PORT", "http", "METRICS_PORT: Input should be a valid integer"),
        ("RETENTION_DAYS", "7", "RETENTION_DAYS: Input should be greater than or equal to 30"),
        ("EARLY_SEND_MINUTES", "-1", "EARLY_SEND_MINUTES: Input should be greater than or equal to 0"),
        ("PAID_BROADCAST", "maybe", "PAID_BROADCAST: Input should be a valid boolean"),
    ],
)
def test_a_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_missing_token_is_one_line() -> None:
    with pytest.raises(SettingsError, match=r"^BOT_TOKEN: missing"):
        load_settings().require_bot_token()


def test_cli_prints_one_line_and_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "Nowhere/Special")
    completed = subprocess.run(
        [sys.executable, "-m", "bot.cli", "content", "check"], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 2
    assert completed.stderr.strip().splitlines() == [
        "glutebot: DEFAULT_TIMEZONE: 'Nowhere/Special' is not an IANA time zone such as Europe/London"
    ]
    assert "Traceback" not in completed.stderr
