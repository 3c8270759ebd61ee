"""docker-compose.yml, the Dockerfile and the lock files, checked the way `docker compose config` would,
without an engine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.cli import build_parser
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


FIXED_BY_COMPOSE = {"DATABASE_URL", "CONTENT_DIR", "METRICS_PORT"}
"""Settings compose itself sets for the bot: its own database, the content volume's mount point, and the
port its health check and Prometheus read. Every other setting comes from .env."""


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def _with_defaults(value: str) -> str:
    """`${NAME:-default}` as compose reads it when NAME is not set."""
    return re.sub(r"\$\{(\w+):-([^}]*)\}", r"\2", value)


def _readme_settings() -> set[str]:
    """The variables named in the first column of the README's configuration table."""
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row)}


def test_the_readme_table_lists_every_setting() -> None:
    assert _readme_settings() == {name.upper() for name in Settings.model_fields}


@pytest.mark.parametrize("service", ["bot", "migrate"])
def test_every_setting_in_the_readme_reaches_the_bot_from_dot_env(service: str) -> None:
    """Through `env_file: .env`, unless compose sets it from .env itself (`${NAME...}`) or on purpose."""
    bot = _compose()["services"][service]
    assert {"path": ".env", "required": False} in bot["env_file"]
    environment = bot["environment"]
    assert set(environment) >= FIXED_BY_COMPOSE
    for name in _readme_settings() - FIXED_BY_COMPOSE:
        value = environment.get(name)
        assert value is None or f"${{{name}" in value, f"{name} in .env would be ignored: {value!r}"


def test_the_webhook_and_metrics_ports_are_published() -> None:
    bot = _compose()["services"]["bot"]
    published = [_with_defaults(port).rsplit(":", 2)[-2:] for port in bot["ports"]]
    webhook_port = str(Settings.model_fields["webhook_port"].default)
    assert [webhook_port, webhook_port] in published
    assert ["9100", bot["environment"]["METRICS_PORT"]] in published


def test_the_bot_has_a_health_check_that_asks_its_healthz() -> None:
    bot = _compose()["services"]["bot"]
    check = bot["healthcheck"]["test"]
    assert check[0] == "CMD"
    assert check[1] == "glutebot"
    assert build_parser().parse_args(check[2:]).handler.__name__ == "cmd_health"
    assert int(bot["environment"]["METRICS_PORT"]) > 0


@pytest.mark.parametrize("service", ["bot", "migrate"])
def test_content_is_a_volume_from_the_repository(service: str) -> None:
    """`/reload` and `content sync` read the operator's ./content, not a copy baked into the image."""
    bot = _compose()["services"][service]
    mounts = [volume.split(":") for volume in bot["volumes"]]
    assert [["./content", bot["environment"]["CONTENT_DIR"], "ro"]] == [
        mount for mount in mounts if mount[0] == "./content"
    ]
    assert (ROOT / "content" / "programme.yaml").exists()


def test_monitoring_is_an_optional_profile_with_files_from_the_repository() -> None:
    services = _compose()["services"]
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name} mounts {source}, which does not exist"
    assert all("profiles" not in services[name] for name in ("db", "migrate", "bot"))

    scrape = yaml.safe_load((ROOT / "deploy/monitoring/prometheus.yml").read_text())["scrape_configs"]
    [target] = [config for job in scrape for config in job["dns_sd_configs"]]
    assert target["names"] == ["bot"]
    assert str(target["port"]) == services["bot"]["environment"]["METRICS_PORT"]

    providers = yaml.safe_load(
        (ROOT / "deploy/monitoring/grafana/provisioning/dashboards/glutebot.yml").read_text()
    )["providers"]
    dashboards_mount = next(v for v in services["grafana"]["volumes"] if "grafana/dashboards" in v)
    assert providers[0]["options"]["path"] == dashboards_mount.split(":")[1]


def test_bot_waits_for_a_healthy_database_and_the_migration() -> None:
    services = _compose()["services"]
    assert {"db", "migrate", "bot"} <= set(services)
    assert "healthcheck" in services["db"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["bot"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_services_point_the_bot_at_the_compose_database() -> None:
    services = _compose()["services"]
    db_environment = services["db"]["environment"]
    url = services["bot"]["environment"]["DATABASE_URL"]
    expected = (
        f"postgresql+asyncpg://{db_environment['POSTGRES_USER']}:{db_environment['POSTGRES_PASSWORD']}"
        f"@db:5432/{db_environment['POSTGRES_DB']}"
    )
    assert url == expected


def test_compose_commands_are_real_glutebot_commands() -> None:
    services = _compose()["services"]
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


def _pins(lock: str) -> dict[str, tuple[str, int]]:
    """Package -> (pinned version, number of hashes) from a `uv pip compile --generate-hashes` file."""
    pins: dict[str, tuple[str, int]] = {}
    for entry in re.split(r"\n(?=[a-z0-9])", (ROOT / lock).read_text()):
        match = re.match(r"([a-z0-9][a-z0-9._-]*)==([^\s;]+)", entry)
        if match:
            pins[canonicalize_name(match[1])] = (match[2], entry.count("--hash=sha256:"))
    return pins


@pytest.mark.parametrize(
    ("lock", "groups"), [("requirements.lock", ["runtime"]), ("requirements-dev.lock", ["runtime", "dev"])]
)
def test_the_lock_files_pin_every_dependency_with_hashes(lock: str, groups: list[str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {"runtime": project["dependencies"], "dev": project["optional-dependencies"]["dev"]}
    pins = _pins(lock)
    assert pins
    assert all(hashes > 0 for _, hashes in pins.values())
    for group in groups:
        for line in declared[group]:
            requirement = Requirement(line)
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{name} is not in {lock}; run `make lock`"
            assert requirement.specifier.contains(pins[name][0]), f"{lock} pins {name} outside {line}"
    if lock == "requirements.lock":
        assert not {canonicalize_name(Requirement(line).name) for line in declared["dev"]} & set(pins)


def test_installs_come_from_the_lock_files() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "pip install --no-deps -e ." in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in makefile
    assert "pip install --quiet --no-deps -e ." in makefile
    assert re.search(r"^lock: ", makefile, re.MULTILINE)
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"
