"""docker-compose.yml and the Dockerfile, checked the way `docker compose config` would, without an engine."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, object]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_bot_waits_for_a_healthy_database_and_the_migration() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    assert {"db", "migrate", "bot"} <= set(services)
    assert "healthcheck" in services["db"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_services_point_the_bot_at_the_compose_database() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    db_environment = services["db"]["environment"]
    url = services["bot"]["environment"]["DATABASE_URL"]
    expected = (
        f"postgresql+asyncpg://{db_environment['POSTGRES_USER']}:{db_environment['POSTGRES_PASSWORD']}"
        f"@db:5432/{db_environment['POSTGRES_DB']}"
    )
    assert url == expected


def test_compose_commands_are_real_glutebot_commands() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    migrate_script = services["migrate"]["entrypoint"][-1]
    commands = [part.strip().split()[1:] for part in migrate_script.split("&&")]
    commands.append(services["bot"]["command"])
    parser = build_parser()
    for command in commands:
        parser.parse_args(command)


def test_dockerfile_copies_only_what_exists() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    sources = [
        source
        for line in dockerfile.splitlines()
        if line.startswith("COPY ")
        for source in line.split()[1:-1]
        if not source.startswith("--")
    ]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    assert re.search(r'^ENTRYPOINT \["glutebot"\]$', dockerfile, re.MULTILINE)
