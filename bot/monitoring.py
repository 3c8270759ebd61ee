"""`/healthz` and `/metrics` of a running bot on METRICS_PORT, for compose's health check and for Prometheus.

Healthy means the process answers, its database answers a query within a few seconds, and (in a process
that delivers drills) the dispatcher has finished a tick or claimed a batch lately. Anything else is a 503,
with the reason in the JSON body, so `docker compose ps` and a load balancer can both act on it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from prometheus_client.exposition import choose_encoder
from sqlalchemy.exc import SQLAlchemyError

from bot.runtime import Runtime

DATABASE_TIMEOUT_SECONDS = 3.0
TICK_STALE_AFTER_MINIMUM = timedelta(minutes=5)
TICK_STALE_AFTER_INTERVALS = 10
"""A tick may run long (a big batch at Telegram's rate limit), so it is stale only after many intervals."""


def tick_stale_after(dispatch_interval_seconds: float) -> timedelta:
    return max(
        TICK_STALE_AFTER_MINIMUM, timedelta(seconds=dispatch_interval_seconds) * TICK_STALE_AFTER_INTERVALS
    )


@dataclass
class Health:
    runtime: Runtime
    dispatching: bool
    """False for `--role bot`, which runs no dispatcher: its tick age is not checked."""
    started_at: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.started_at = self.runtime.clock.now()

    async def report(self) -> tuple[bool, dict[str, Any]]:
        """(healthy, the JSON body): each check with its figure, and what is wrong when something is."""
        problems: list[str] = []
        database = await self._database()
        if database != "ok":
            problems.append(f"database {database}")
        body: dict[str, Any] = {"database": database}
        if self.dispatching:
            stale_after = tick_stale_after(self.runtime.settings.dispatch_interval_seconds)
            last = self.runtime.metrics.last_dispatch_activity or self.started_at
            age = (self.runtime.clock.now() - last).total_seconds()
            body["last_tick_age_seconds"] = round(age, 1)
            body["tick_stale_after_seconds"] = stale_after.total_seconds()
            if age > stale_after.total_seconds():
                problems.append(f"no dispatcher tick for {age:.0f} s")
        return not problems, {"status": "unhealthy" if problems else "ok", **body, "problems": problems}

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
                async with self.runtime.unit_of_work() as repo:
                    await repo.ping()
        except TimeoutError:
            return f"unreachable: no answer within {DATABASE_TIMEOUT_SECONDS:.0f} s"
        except (SQLAlchemyError, OSError) as error:
            cause = getattr(error, "orig", None) or error
            return f"unreachable: {type(cause).__name__}"
        return "ok"


def monitoring_app(health: Health) -> web.Application:
    async def healthz(_request: web.Request) -> web.Response:
        healthy, body = await health.report()
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(request: web.Request) -> web.Response:
        """In the format the scraper asks for (Prometheus' text format, or OpenMetrics)."""
        encode, content_type = choose_encoder(request.headers.get("Accept", ""))
        return web.Response(
            body=encode(health.runtime.metrics.registry), headers={"Content-Type": content_type}
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_monitoring(
    runtime: Runtime, *, port: int | None, dispatching: bool, host: str = "0.0.0.0"
) -> web.AppRunner | None:
    """Serve `/healthz` and `/metrics` on `port` (nothing when it is None); `cleanup()` the runner to stop."""
    if port is None:
        return None
    runner = web.AppRunner(monitoring_app(Health(runtime, dispatching)), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError:
        await runner.cleanup()
        raise
    return runner
