"""Operations endpoints: GET /healthz (liveness), GET /readyz (dependencies) and GET /metrics (Prometheus).

``add_routes(app, services)`` mounts them on any aiohttp application (the bot's HTTP server or a test app).
Readiness looks at what this process actually runs:

- ``neo4j``: a ``RETURN 1`` round trip through the graph store;
- ``scheduler``: ``services.extras["scheduler"]`` (an APScheduler scheduler) must be running when present;
  processes without one (``web`` behind a load balancer) report it as ``disabled``;
- ``slack``: when a Socket Mode connection is registered as ``services.extras["slack_connection"]`` (slack_sdk's
  ``SocketModeClient`` or bolt's ``AsyncSocketModeHandler``), it must report connected; HTTP mode and web
  processes hold no connection (Slack calls in) and report ``disabled``.

Each component reports ``ok``, ``down`` or ``disabled`` with a short detail; the answer is 503 when any is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from aiohttp import web

from bot.metrics import CONTENT_TYPE
from knowledge.errors import GraphError

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 3.0
SCHEDULER_KEY = "scheduler"
SLACK_CONNECTION_KEY = "slack_connection"


@runtime_checkable
class Connection(Protocol):
    async def is_connected(self) -> bool: ...


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    status: str  # ok | down | disabled
    detail: str = ""
    latency_ms: float | None = None

    @property
    def healthy(self) -> bool:
        return self.status != "down"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status}
        if self.detail:
            out["detail"] = self.detail
        if self.latency_ms is not None:
            out["latency_ms"] = round(self.latency_ms, 1)
        return out


async def check_neo4j(services: Services) -> ComponentStatus:
    t0 = time.perf_counter()
    try:
        seconds = await asyncio.wait_for(services.graph.ping(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return ComponentStatus("neo4j", "down", f"no answer within {CHECK_TIMEOUT_SECONDS:.0f}s")
    except GraphError as exc:
        return ComponentStatus("neo4j", "down", str(exc).split(" (")[0])
    services.metrics.record_graph_query("ping", seconds)
    return ComponentStatus("neo4j", "ok", latency_ms=(time.perf_counter() - t0) * 1000)


def _is_running(scheduler: object) -> bool:
    """APScheduler exposes ``running``; bot.scheduler.Scheduler wraps one as ``_sched``."""
    running = getattr(scheduler, "running", None)
    if running is None:
        running = getattr(getattr(scheduler, "_sched", None), "running", False)
    return bool(running)


async def check_scheduler(services: Services) -> ComponentStatus:
    scheduler = services.extras.get(SCHEDULER_KEY)
    if scheduler is None:
        return ComponentStatus("scheduler", "disabled", "this process runs no scheduler")
    if _is_running(scheduler):
        return ComponentStatus("scheduler", "ok")
    return ComponentStatus("scheduler", "down", "the scheduler is not running")


def _connection(candidate: object) -> Connection | None:
    """A Socket Mode client, or a bolt AsyncSocketModeHandler (whose ``client`` is one)."""
    for obj in (candidate, getattr(candidate, "client", None)):
        if isinstance(obj, Connection):
            return obj
    return None


async def check_slack(services: Services) -> ComponentStatus:
    if not services.settings.slack_enabled:
        return ComponentStatus("slack", "disabled", "no Slack tokens (SLACK_BOT_TOKEN or an OAuth app): console mode")
    registered = services.extras.get(SLACK_CONNECTION_KEY)
    if registered is None:
        return ComponentStatus("slack", "disabled", "no Slack connection in this process (HTTP mode or web role)")
    connection = _connection(registered)
    if connection is None:
        return ComponentStatus("slack", "down", f"cannot probe a {type(registered).__name__} for its connection")
    try:
        connected = await asyncio.wait_for(connection.is_connected(), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return ComponentStatus("slack", "down", f"no answer within {CHECK_TIMEOUT_SECONDS:.0f}s")
    except Exception as exc:  # a probe must report, never crash the endpoint
        log.warning("slack readiness probe failed: %s", type(exc).__name__)
        return ComponentStatus("slack", "down", f"probe failed ({type(exc).__name__})")
    if connected:
        return ComponentStatus("slack", "ok")
    return ComponentStatus("slack", "down", "the Socket Mode connection to Slack is not open")


async def readiness(services: Services) -> list[ComponentStatus]:
    """Run every check concurrently; also sets the ``amia_component_ready`` gauge."""
    results = list(await asyncio.gather(check_neo4j(services), check_scheduler(services), check_slack(services)))
    metrics = services.metrics
    for item in results:
        metrics.record_ready(item.name, item.healthy)
    return results


def add_routes(app: web.Application, services: Services) -> None:
    """Mount /healthz, /readyz and /metrics on ``app``."""
    started = time.time()

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive", "uptime_seconds": round(time.time() - started, 1)})

    async def readyz(_: web.Request) -> web.Response:
        components = await readiness(services)
        ready = all(c.healthy for c in components)
        body = {"status": "ready" if ready else "not_ready", "components": {c.name: c.as_json() for c in components}}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics(_: web.Request) -> web.Response:
        response = web.Response(body=services.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
