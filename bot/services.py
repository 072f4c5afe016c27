"""Composition root: the only place that builds clients (graph, memory, crawler, LLM, Slack) from settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import ServiceError
from bot.localneo4j import LocalNeo4j, Neo4jRuntimeError
from bot.metrics import Metrics
from bot.outreach.runtime import install_outreach
from bot.settings import Settings
from knowledge.deliverability.spamassassin import SpamAssassin, SpamAssassinUnavailable
from knowledge.errors import GraphError
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.usage import usage_on

if TYPE_CHECKING:
    from knowledge.memory.store import MemoryHandle

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]


def local_neo4j(settings: Settings) -> LocalNeo4j:
    """The project's own server: runtime in .neo4j/, data in neo4j.local_home (both git-ignored)."""
    home = Path(settings.neo4j.local_home)
    return LocalNeo4j(ROOT / ".neo4j", home=home if home.is_absolute() else ROOT / home)


def graph_target(settings: Settings, *, autostart: bool = True) -> tuple[str, tuple[str, str] | None]:
    """Where the graph lives: NEO4J_URI if set, else the local server (started when ``autostart``)."""
    s = settings.secrets
    if s.NEO4J_URI:
        auth = (s.NEO4J_USER, s.NEO4J_PASSWORD.get_secret_value()) if s.NEO4J_PASSWORD else None
        return s.NEO4J_URI, auth
    server = local_neo4j(settings)
    info = server.status()
    if info is None:
        if not autostart:
            raise ServiceError("the local Neo4j is not running: start it with 'amia neo4j start'")
        try:
            info = server.start(
                port=settings.neo4j.local_port,
                heap=settings.neo4j.local_heap,
                pagecache=settings.neo4j.local_pagecache,
            )
        except Neo4jRuntimeError as exc:
            raise ServiceError(str(exc)) from exc
        log.info("started local Neo4j at %s in %.1fs", info.uri, info.ready_seconds)
    return info.uri, None


@dataclass
class Services:
    """Everything a workflow may need, built once per process. Fields are added per capability."""

    settings: Settings
    graph: Neo4jGraphStore
    extras: dict[str, Any] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)  # one Prometheus registry per process


def build_spam_scorer(settings: Settings, *, one_shot: bool = False) -> SpamAssassin | None:
    """SpamAssassin per compliance.spamassassin_mode; ``one_shot`` (one message) skips starting spamd."""
    mode = settings.compliance.spamassassin_mode
    if one_shot and mode == "auto":
        mode = "cli"
    try:
        return SpamAssassin.from_mode(mode, timeout=settings.compliance.spamassassin_timeout_seconds)
    except SpamAssassinUnavailable as exc:
        raise ServiceError(f"{exc} (or set compliance.spamassassin_mode: cli)") from exc


def memory_handle(settings: Settings) -> MemoryHandle:
    """The long-term memory of this installation (opened on first ``get()``; close it when done)."""
    from knowledge.memory.store import MemoryHandle

    root = Path(settings.memory.path)
    root = root if root.is_absolute() else ROOT / root
    key = settings.secrets.OPENAI_API_KEY.get_secret_value() if settings.secrets.OPENAI_API_KEY else None
    return MemoryHandle(settings.memory, root, api_key=key)


def build_intelligence(settings: Settings, stack: AsyncExitStack, metrics: Metrics | None = None) -> dict[str, Any]:
    """extras: 'memory' (MemoryHandle, opened on first use), 'llm' (model client or None), 'budget' (ledger)."""
    from agents.llm.budget import BudgetLedger

    key = settings.secrets.OPENAI_API_KEY.get_secret_value() if settings.secrets.OPENAI_API_KEY else None
    memory = memory_handle(settings)
    stack.callback(memory.close)
    ledger = BudgetLedger(settings.llm.budget, settings.llm.prices, observer=metrics)  # tokens, cost, runs
    extras: dict[str, Any] = {"memory": memory, "budget": ledger}
    extras["llm"] = None
    if settings.llm_enabled:  # imported lazily: autogen + openai cost ~0.7 s at import
        from agents.llm.client import build_model_client
        from agents.llm.errors import LlmConfigError

        try:
            extras["llm"] = build_model_client(settings.llm, key)
        except LlmConfigError as exc:
            raise ServiceError(str(exc)) from exc
        stack.push_async_callback(extras["llm"].close)
    return extras


def build_crawler(
    settings: Settings, graph: Neo4jGraphStore, stack: AsyncExitStack, metrics: Metrics | None = None
) -> Any:
    """extras['crawler']: the polite web crawler; every fetch is recorded in the graph for audit (and counted)."""
    from knowledge.web.crawler import Crawler

    cache = Path(settings.crawler.cache_dir)
    crawler = Crawler(
        settings.crawler,
        recorder=graph.record_fetch,
        cache_dir=cache if cache.is_absolute() else ROOT / cache,
        observer=metrics,
    )
    stack.push_async_callback(crawler.close)
    return crawler


@asynccontextmanager
async def build_services(settings: Settings, *, autostart_neo4j: bool = True) -> AsyncIterator[Services]:
    """Build and later close every client. Raises ServiceError with a fix when something is missing."""
    async with AsyncExitStack() as stack:
        metrics = Metrics()  # one registry per process; the lower layers report into it through observer hooks
        uri, auth = graph_target(settings, autostart=autostart_neo4j)
        graph = Neo4jGraphStore.connect(
            uri,
            auth,
            database=settings.neo4j.database,
            timeout=settings.neo4j.connect_timeout_seconds,
            observer=metrics,
        )
        stack.push_async_callback(graph.close)
        try:
            await graph.ping()
            await graph.ensure_schema()
        except GraphError as exc:
            raise ServiceError(str(exc)) from exc
        extras = build_intelligence(settings, stack, metrics)
        try:  # the day's LLM budget counts what other processes and earlier starts already spent
            spent = await usage_on(graph, datetime.now(UTC).date())
            extras["budget"].seed_day(int(spent["prompt_tokens"]), int(spent["completion_tokens"]))
        except GraphError as exc:
            log.warning("could not read today's LLM usage from the graph: %s", exc)
        extras["crawler"] = build_crawler(settings, graph, stack, metrics)
        services = Services(settings=settings, graph=graph, metrics=metrics, extras=extras)
        await install_outreach(services)
        yield services
