"""Health checks behind `amia doctor`: each says OK, or what is wrong and how to fix it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bot.errors import ServiceError
from bot.services import graph_target, local_neo4j
from bot.settings import Settings
from knowledge.errors import GraphError
from knowledge.graph.neo4j_store import Neo4jGraphStore


@dataclass
class CheckResult:
    name: str
    status: str  # ok | fail | skip | warn
    detail: str
    fix: str = ""


Check = Callable[[Settings], Awaitable[CheckResult]]


async def check_neo4j(settings: Settings) -> CheckResult:
    if not settings.secrets.NEO4J_URI and local_neo4j(settings).status() is None:
        return CheckResult(
            "neo4j",
            "warn",
            "local Neo4j is not running",
            "it starts with 'make run'; or run 'amia neo4j start'",
        )
    try:
        uri, auth = graph_target(settings, autostart=False)
    except ServiceError as exc:
        return CheckResult("neo4j", "fail", str(exc), "amia neo4j start")
    store = Neo4jGraphStore.connect(uri, auth, timeout=settings.neo4j.connect_timeout_seconds)
    try:
        latency = await asyncio.wait_for(store.ping(), timeout=settings.neo4j.connect_timeout_seconds * 3)
        return CheckResult("neo4j", "ok", f"{uri} answered in {latency * 1000:.0f} ms")
    except (GraphError, TimeoutError) as exc:
        return CheckResult("neo4j", "fail", f"{uri}: {exc}", "check NEO4J_URI/NEO4J_PASSWORD or 'amia neo4j start'")
    finally:
        await store.close()


async def check_llm(settings: Settings) -> CheckResult:
    if not settings.llm_enabled:
        return CheckResult("llm", "skip", "no OPENAI_API_KEY or llm.base_url: deterministic mode")
    from agents.llm.client import build_model_client
    from agents.llm.errors import LlmConfigError

    key = settings.secrets.OPENAI_API_KEY
    try:
        await build_model_client(settings.llm, key.get_secret_value() if key else None).close()
    except LlmConfigError as exc:
        return CheckResult("llm", "fail", str(exc), "see docs/llm-and-memory.md")
    base = (settings.llm.base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {key.get_secret_value()}"} if key else {}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http,
            http.get(f"{base}/models", headers=headers) as resp,
        ):
            if resp.status in (401, 403):
                return CheckResult("llm", "fail", f"{base} refused the API key ({resp.status})", "check OPENAI_API_KEY")
            if resp.status >= 400:
                return CheckResult(
                    "llm",
                    "warn",
                    f"{base}/models answered {resp.status}",
                    "check llm.base_url (it must end in /v1 for most servers)",
                )
        return CheckResult("llm", "ok", f"{base} reachable; model {settings.llm.model}")
    except (aiohttp.ClientError, TimeoutError) as exc:
        return CheckResult("llm", "fail", f"{base} not reachable: {type(exc).__name__}", "check llm.base_url")


async def check_slack(settings: Settings) -> CheckResult:
    if settings.slack_oauth and settings.secrets.SLACK_BOT_TOKEN is None:
        return await check_slack_oauth(settings)
    token = settings.secrets.SLACK_BOT_TOKEN
    if token is None:
        return CheckResult("slack", "skip", "no SLACK_BOT_TOKEN: console mode ('amia chat')")
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    client = AsyncWebClient(token=token.get_secret_value(), base_url=settings.slack.api_base_url, timeout=10)
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        return CheckResult(
            "slack",
            "fail",
            f"Slack refused the token: {exc.response.get('error')}",
            "reinstall the app and copy the xoxb- token into SLACK_BOT_TOKEN",
        )
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return CheckResult("slack", "fail", f"Slack not reachable: {type(exc).__name__}", "check the network")
    mode = "Socket Mode" if settings.secrets.SLACK_APP_TOKEN else "HTTP events"
    if mode == "HTTP events" and settings.secrets.SLACK_SIGNING_SECRET is None:
        return CheckResult(
            "slack",
            "fail",
            "HTTP mode needs SLACK_SIGNING_SECRET",
            "set SLACK_SIGNING_SECRET or SLACK_APP_TOKEN for Socket Mode",
        )
    return CheckResult("slack", "ok", f"bot {auth.get('user')} in team {auth.get('team')} ({mode})")


async def check_slack_oauth(settings: Settings) -> CheckResult:
    """Several workspaces: the signing secret is set, the install store opens, and each installed workspace's
    token still works."""
    from slack_sdk.errors import SlackApiError

    from bot.slack.workspaces import Workspaces

    assert settings.secrets.SLACK_CLIENT_ID is not None
    if settings.secrets.SLACK_SIGNING_SECRET is None:
        return CheckResult(
            "slack",
            "fail",
            "the OAuth install needs SLACK_SIGNING_SECRET to verify Slack's requests",
            "copy it from Basic Information → App Credentials",
        )
    workspaces = Workspaces.oauth(settings, settings.secrets.SLACK_CLIENT_ID)
    installed = await workspaces.installed()
    if not installed:
        return CheckResult(
            "slack", "warn", "no workspace has installed AMIA yet", f"open {workspaces.install_url()} and click Allow"
        )
    broken = []
    for w in installed:
        try:
            await (await workspaces.client_for_workspace(w)).auth_test()
        except SlackApiError as exc:
            broken.append(f"{w.name or w.team_id} ({exc.response.get('error')})")
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return CheckResult("slack", "fail", f"Slack not reachable: {type(exc).__name__}", "check the network")
    names = ", ".join(w.name or w.team_id or w.enterprise_id for w in installed)
    if broken:
        return CheckResult(
            "slack",
            "fail",
            f"{len(broken)} of {len(installed)} workspaces refuse their token: {', '.join(broken)}",
            f"reinstall from {workspaces.install_url()}",
        )
    return CheckResult("slack", "ok", f"OAuth install: {len(installed)} workspace(s): {names}")


async def check_smtp(settings: Settings) -> CheckResult:
    from bot.outreach.health import smtp_status

    status, detail, fix = await smtp_status(settings)
    return CheckResult("smtp", status, detail, fix)


async def check_memory(settings: Settings) -> CheckResult:
    if not settings.memory.enabled:
        return CheckResult("memory", "skip", "memory.enabled is false: no long-term memory")
    from bot.services import memory_handle

    handle = memory_handle(settings)
    root = handle.root
    try:
        store = await handle.get()
        if store is None:
            in_use = "in use by another" in (handle.error or "")
            return CheckResult(
                "memory",
                "warn" if in_use else "fail",
                handle.error or "memory unavailable",
                "fine if the bot is running; otherwise stop the other process" if in_use else "see the message",
            )
        return CheckResult(
            "memory", "ok", f"{root}: {await store.count()} memories, embedder {settings.memory.embedder}"
        )
    finally:
        handle.close()


CHECKS: list[Check] = [check_neo4j, check_slack, check_llm, check_smtp, check_memory]


async def run_checks(settings: Settings, checks: list[Check] | None = None) -> list[CheckResult]:
    results = [CheckResult("config", "ok", "config.yaml and environment are valid")]
    for check in checks or CHECKS:
        try:
            results.append(await check(settings))
        except Exception as exc:  # a broken check must not hide the others
            results.append(CheckResult(check.__name__.removeprefix("check_"), "fail", f"check crashed: {exc!r}"))
    return results
