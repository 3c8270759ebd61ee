"""The Prometheus metrics of one bot process: what an operator watches on the dashboard and alerts on.

Each `Runtime` has its own registry, so two bots in one process (tests, the sandbox) never share a counter.
Label values are a handful of fixed words (results, reasons, Bot API methods, update types), never ids or
Telegram's free text, so the number of series stays small.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

TICK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
BOT_API_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        ProcessCollector(registry=registry)
        self.deliveries = Counter(
            "glutebot_deliveries",
            "Drill cards by how their send ended (sent, failed, blocked) and why not",
            ["result", "reason"],
            registry=registry,
        )
        self.tick_seconds = Histogram(
            "glutebot_dispatch_tick_seconds",
            "How long one dispatcher tick took",
            buckets=TICK_BUCKETS,
            registry=registry,
        )
        self.due_backlog = Gauge(
            "glutebot_due_backlog",
            "Runners whose drill was due when the last dispatcher tick began",
            registry=registry,
        )
        self.bot_api_seconds = Histogram(
            "glutebot_bot_api_request_seconds",
            "Bot API calls by method, from sending the request to the whole answer read",
            ["method"],
            buckets=BOT_API_BUCKETS,
            registry=registry,
        )
        self.bot_api_rate_limited = Counter(
            "glutebot_bot_api_rate_limited",
            "Bot API calls Telegram answered with 429 Too Many Requests",
            ["method"],
            registry=registry,
        )
        self.updates = Counter(
            "glutebot_updates", "Updates taken in from Telegram, by type", ["type"], registry=registry
        )
        self.broadcast_sends = Counter(
            "glutebot_broadcast_sends",
            "Broadcast messages by how their send ended",
            ["result"],
            registry=registry,
        )
        self.broadcast_pending = Gauge(
            "glutebot_broadcast_pending_recipients",
            "Recipients still to send to, per broadcast this process is running",
            ["broadcast"],
            registry=registry,
        )
        self.live_senders = Gauge(
            "glutebot_live_senders",
            "Delivering processes sharing Telegram's rate at this process's last heartbeat (its share is "
            "the rate divided by this)",
            registry=registry,
        )
        self.last_dispatch_activity: datetime | None = None
        """When the dispatcher last finished a tick or claimed a batch (on the runtime's clock): a tick that
        keeps failing, or hangs, lets it grow old."""

    def dispatcher_alive(self, now: datetime) -> None:
        self.last_dispatch_activity = now

    def delivery(self, result: str, reason: str) -> None:
        self.deliveries.labels(result=result, reason=reason).inc()

    def bot_api_call(self, method: str, seconds: float, *, status: int) -> None:
        self.bot_api_seconds.labels(method=method).observe(seconds)
        if status == 429:
            self.bot_api_rate_limited.labels(method=method).inc()

    def broadcast_progress(self, broadcast_id: int, *, pending: int, running: bool) -> None:
        """A broadcast that is over (or handed to another process) leaves the gauge, not a stale figure."""
        if running:
            self.broadcast_pending.labels(broadcast=str(broadcast_id)).set(pending)
        else:
            self.broadcast_pending.remove(str(broadcast_id))
