"""`/healthz` and `/metrics` of the real bot against the emulator: counters move with the work, health follows
the database and the dispatcher, and the Grafana dashboard only asks for metrics that exist."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.repositories import BroadcastFigures
from bot.delivery.broadcasts import BroadcastRunner
from bot.monitoring import start_monitoring
from bot.sandbox.emulator import Fault
from tests.e2e.conftest import ROOT, Harness, free_port, onboard

DASHBOARD = ROOT / "deploy" / "monitoring" / "grafana" / "dashboards" / "glutebot.json"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@contextlib.asynccontextmanager
async def monitoring(harness: Harness, *, dispatching: bool = True) -> AsyncIterator[str]:
    """The health and metrics server as `glutebot run` starts it with METRICS_PORT; yields its address."""
    port = free_port()
    runner = await start_monitoring(harness.runtime, port=port, dispatching=dispatching, host="127.0.0.1")
    assert runner is not None
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def scrape(address: str) -> tuple[str, Samples]:
    status, content_type, text = await get(f"{address}/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def health(address: str) -> tuple[int, dict[str, Any]]:
    status, content_type, text = await get(f"{address}/healthz")
    assert content_type.startswith("application/json")
    body: dict[str, Any] = json.loads(text)
    return status, body


async def test_metrics_count_deliveries_flood_waits_updates_and_broadcasts(harness: Harness) -> None:
    async with monitoring(harness) as address:
        _, before = await scrape(address)
        runner = await onboard(harness, 301)
        blocked = await onboard(harness, 302)
        harness.emulator.blocked.add(blocked.id)
        harness.emulator.inject("sendAnimation", Fault("429", retry_after=1))
        harness.advance(timedelta(hours=2))  # 08:00 London: both drills are due
        report = await harness.tick_report()
        assert (report.sent, report.blocked, report.retried) == (1, 1, 1)
        _, after = await scrape(address)

    assert value(before, "glutebot_updates_total", type="command") == 0
    assert value(after, "glutebot_updates_total", type="command") == 2
    assert value(after, "glutebot_deliveries_total", result="sent", reason="") == 1
    assert value(after, "glutebot_deliveries_total", result="blocked", reason="forbidden") == 1
    assert value(after, "glutebot_bot_api_rate_limited_total", method="sendAnimation") == 1
    assert value(after, "glutebot_bot_api_request_seconds_count", method="sendAnimation") >= 3
    assert value(after, "glutebot_bot_api_request_seconds_count", method="sendMessage") >= 4
    assert value(after, "glutebot_dispatch_tick_seconds_count") == 1
    assert value(after, "glutebot_due_backlog") == 2
    assert len(harness.driver.messages(runner.id)) == 5, (
        "onboarding (welcome, screen, its answer, the next question), then the drill card"
    )


async def test_broadcast_progress_is_a_gauge_while_it_runs(harness: Harness) -> None:
    for user_id in (311, 312, 313):
        await onboard(harness, user_id)
    async with harness.runtime.unit_of_work() as repo:
        broadcast = await repo.broadcasts.create(
            created_by=999, text="<b>New drills</b> are in!", segment={}, media_kind=None, media_path=None,
            button_drill_slug=None, now=harness.clock.now(),
        )  # fmt: skip
    seen: list[float] = []

    async with monitoring(harness) as address:

        async def progress(_figures: BroadcastFigures) -> None:
            _, samples = await scrape(address)
            seen.append(value(samples, "glutebot_broadcast_pending_recipients", broadcast=str(broadcast.id)))

        runner = BroadcastRunner(harness.runtime, harness.dispatcher.sender, batch_size=2)
        figures = await runner.run(broadcast.id, progress=progress)
        text, samples = await scrape(address)

    assert figures.sent == 3
    assert seen == [1, 0]
    assert value(samples, "glutebot_broadcast_sends_total", result="sent") == 3
    assert f'broadcast="{broadcast.id}"' not in text


async def test_healthz_follows_the_dispatcher_tick(harness: Harness) -> None:
    async with monitoring(harness) as address:
        status, body = await health(address)
        assert status == 200
        assert body == {
            "status": "ok",
            "database": "ok",
            "last_tick_age_seconds": 0.0,
            "tick_stale_after_seconds": 300.0,
            "problems": [],
        }

        harness.advance(timedelta(minutes=4))
        assert (await health(address))[0] == 200
        harness.advance(timedelta(minutes=2))
        status, body = await health(address)
        assert status == 503
        assert body["status"] == "unhealthy"
        assert body["problems"] == ["no dispatcher tick for 360 s"]

        await harness.tick()
        status, body = await health(address)
        assert (status, body["last_tick_age_seconds"]) == (200, 0.0)


async def test_healthz_of_a_bot_without_dispatcher_ignores_ticks(harness: Harness) -> None:
    async with monitoring(harness, dispatching=False) as address:
        harness.advance(timedelta(days=1))
        status, body = await health(address)
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "problems": []}


@contextlib.contextmanager
def sqlite_file_gone(database_url: str) -> Iterator[None]:
    """The database file (with its WAL files) moved away and a directory in its place, which SQLite cannot
    open (root can read any file, so taking its permissions away would not stop this test's process)."""
    path = Path(str(make_url(database_url).database))
    moved = [(file, file.with_name(file.name + ".away")) for file in path.parent.glob(path.name + "*")]
    for file, away in moved:
        file.rename(away)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        for file, away in moved:
            away.rename(file)


@contextlib.asynccontextmanager
async def postgres_refusing(database_url: str) -> AsyncIterator[None]:
    """The database refuses new connections and its open ones are ended, as when the server goes away."""
    url = make_url(database_url)
    admin = await asyncpg.connect(
        url.set(drivername="postgresql", database="postgres").render_as_string(False)
    )
    try:
        await admin.execute(f"ALTER DATABASE {url.database} ALLOW_CONNECTIONS false")
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", url.database
        )
        yield
    finally:
        await admin.execute(f"ALTER DATABASE {url.database} ALLOW_CONNECTIONS true")
        await admin.close()


async def test_healthz_is_503_while_the_database_is_unreachable(
    harness: Harness, engine: AsyncEngine, database_url: str, database_kind: str
) -> None:
    async with monitoring(harness) as address:
        assert (await health(address))[0] == 200
        await engine.dispose()
        async with contextlib.AsyncExitStack() as outage:
            if database_kind == "sqlite":
                outage.enter_context(sqlite_file_gone(database_url))
            else:
                await outage.enter_async_context(postgres_refusing(database_url))
            status, body = await health(address)
            assert status == 503
            assert body["status"] == "unhealthy"
            assert body["database"].startswith("unreachable: ")
            assert body["problems"] == [f"database {body['database']}"]
        assert (await health(address))[0] == 200


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
async def test_the_dashboard_only_queries_metrics_that_exist(harness: Harness) -> None:
    async with monitoring(harness) as address:
        text, _ = await scrape(address)
    exposed: set[str] = set()
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""]}
    for family in text_string_to_metric_families(text):
        exposed.update(family.name + suffix for suffix in suffixes.get(family.type, [""]))

    dashboard = json.loads(DASHBOARD.read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    queried = {name for query in queries for name in re.findall(r"\b(?:glutebot|process)_[a-z0-9_]+", query)}
    assert len(queries) >= 8
    assert queried - exposed == set()
    assert {name.removesuffix("_total") for name in queried} >= {
        "glutebot_deliveries",
        "glutebot_dispatch_tick_seconds_bucket",
        "glutebot_due_backlog",
        "glutebot_bot_api_request_seconds_bucket",
        "glutebot_bot_api_rate_limited",
        "glutebot_updates",
        "glutebot_broadcast_pending_recipients",
    }
