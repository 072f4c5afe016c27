"""/healthz, /readyz and /metrics on a real aiohttp server, against the real Neo4j, APScheduler and Socket Mode."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops_http import add_routes
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import Settings, load_settings
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.fakes.fake_slack import FakeSlack


def settings(**env: str) -> Settings:
    return load_settings(environ=env)


async def client_for(services: Services) -> TestClient[Any, Any]:
    app = web.Application()
    add_routes(app, services)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def down_graph() -> AsyncIterator[Neo4jGraphStore]:
    store = Neo4jGraphStore.connect("bolt://127.0.0.1:1", None, timeout=0.5)  # nothing listens on port 1
    yield store
    await store.close()


async def test_healthz_is_alive_even_when_neo4j_is_down(down_graph: Neo4jGraphStore) -> None:
    client = await client_for(Services(settings(), down_graph))
    try:
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["status"] == "alive"
    finally:
        await client.close()


async def test_readyz_ready_with_neo4j_and_no_scheduler_or_slack(graph: Neo4jGraphStore) -> None:
    client = await client_for(Services(settings(), graph))
    try:
        response = await client.get("/readyz")
        body = await response.json()
        assert response.status == 200, body
        assert body["status"] == "ready"
        assert body["components"]["neo4j"]["status"] == "ok"
        assert body["components"]["neo4j"]["latency_ms"] >= 0
        assert body["components"]["scheduler"]["status"] == "disabled"
        assert body["components"]["slack"]["status"] == "disabled"
    finally:
        await client.close()


async def test_readyz_is_503_and_names_neo4j_when_it_is_unreachable(down_graph: Neo4jGraphStore) -> None:
    client = await client_for(Services(settings(), down_graph))
    try:
        response = await client.get("/readyz")
        body = await response.json()
        assert response.status == 503
        assert body["status"] == "not_ready"
        assert body["components"]["neo4j"]["status"] == "down"
        assert "Neo4j is not reachable" in body["components"]["neo4j"]["detail"]
    finally:
        await client.close()


async def test_readyz_follows_the_scheduler_state(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    cfg = Settings.model_validate({"storage": {"data_dir": str(tmp_path)}})
    scheduler = Scheduler(cfg, name="ops-test")  # the bot's own scheduler with its SQLite job store
    services = Services(cfg, graph, extras={"scheduler": scheduler})
    client = await client_for(services)
    try:
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["components"]["scheduler"]["status"] == "down"
        scheduler.start()
        response = await client.get("/readyz")
        assert response.status == 200
        assert (await response.json())["components"]["scheduler"]["status"] == "ok"
        scheduler.shutdown()
        response = await client.get("/readyz")
        assert response.status == 503
    finally:
        scheduler.shutdown()
        await client.close()


async def test_readyz_tracks_a_real_socket_mode_connection(graph: Neo4jGraphStore) -> None:
    fake = await FakeSlack().start()
    socket = SocketModeClient(
        app_token="xapp-1-A0AMIA0001-test", web_client=AsyncWebClient(token="xoxb-test", base_url=fake.api_base)
    )
    services = Services(settings(SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-1-test"), graph)
    client = await client_for(services)
    try:
        response = await client.get("/readyz")
        body = await response.json()
        assert response.status == 200, "a web process holds no Slack connection and is still ready"
        assert body["components"]["slack"]["status"] == "disabled"

        services.extras["slack_connection"] = socket
        response = await client.get("/readyz")
        assert response.status == 503, "a registered Socket Mode client that never connected is not ready"

        await socket.connect()
        await fake.wait_for(lambda: fake.socket_connected)
        response = await client.get("/readyz")
        assert response.status == 200, await response.json()
        assert (await response.json())["components"]["slack"]["status"] == "ok"

        await socket.disconnect()
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["components"]["slack"]["status"] == "down"
    finally:
        await socket.close()
        await client.close()
        await fake.stop()


async def test_metrics_serves_prometheus_text_with_readiness_and_recorded_values(graph: Neo4jGraphStore) -> None:
    services = Services(settings(), graph)
    services.metrics.record_fetch(404)
    client = await client_for(services)
    try:
        await client.get("/readyz")
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
        values = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        assert values[("amia_fetches_total", (("status", "404"),))] == 1
        assert values[("amia_component_ready", (("component", "neo4j"),))] == 1
        assert values[("amia_graph_query_seconds_count", (("operation", "ping"),))] == 1
    finally:
        await client.close()
