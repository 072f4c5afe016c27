"""/metrics tells the truth: real operations through the composition root move the exact counters they should.

Services come from ``build_services`` (as in ``amia run``), pointed at the test Neo4j, the local test web, the fake
OpenAI server and the local SMTP server; nothing of ours is patched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from agents.llm.config import BudgetConfig, LlmConfig
from agents.llm.lead import LeadTask
from agents.llm.team import LeadTeam
from agents.persona import PersonaConfig
from bot.http_server import build_http_app, serve
from bot.metrics import Metrics
from bot.outreach.config import ImapConfig, OutreachConfig, SendingConfig, SmtpConfig
from bot.outreach.http import OUTREACH_KEY
from bot.outreach.runtime import Outreach, build_poller
from bot.scheduler import Scheduler
from bot.services import Services, build_services
from bot.settings import HttpConfig, Secrets, Settings, StorageConfig
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.memory.config import MemoryConfig
from tests.agents.llm.conftest import COMPANIES
from tests.agents.llm.toolbox_double import FixedToolbox
from tests.bot.outreach.conftest import seed_message
from tests.bot.outreach.test_inbound import dsn, reply
from tests.factories import make_company
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario
from tests.fakes.smtp import SmtpServer, smtp_server
from tests.web_fixture.server import LocalWeb, test_web  # noqa: F401

MODEL = "gpt-4o-mini-2024-07-18"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(metrics: Metrics) -> Samples:
    """The registry as a Prometheus server would scrape it (parsed from the rendered text)."""
    out: Samples = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return samples(metrics).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def openai() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(LeadScenario()) as srv:
        yield srv


@pytest.fixture
async def services(
    graph: Neo4jGraphStore,  # wipes the database; build_services opens its own connection to the same server
    neo4j_server_handle: Any,
    test_web: LocalWeb,  # noqa: F811
    openai: FakeOpenAI,
    smtp: SmtpServer,
    tmp_path: Path,
) -> AsyncIterator[Services]:
    auth = neo4j_server_handle.auth
    settings = Settings(
        storage=StorageConfig(data_dir=str(tmp_path / "var")),
        memory=MemoryConfig(path=str(tmp_path / "memory")),
        crawler=test_web.config(cache_dir=str(tmp_path / "cache")),
        llm=LlmConfig(base_url=openai.base_url, model=MODEL, max_retries=0),
        http=HttpConfig(public_url="https://amia.example.com"),
        outreach=OutreachConfig(
            transport="smtp",
            from_address="alex@example.com",
            smtp=SmtpConfig(host=smtp.host, port=smtp.port, tls="none", timeout_seconds=5, max_attempts=3),
            sending=SendingConfig(stagger_seconds=0, min_gap_per_mailbox_seconds=0),
            imap=ImapConfig(enabled=True, user="alex@example.com"),  # never connected: only its processor is used
        ),
        secrets=Secrets(
            NEO4J_URI=neo4j_server_handle.uri,
            NEO4J_USER=auth[0] if auth else "neo4j",
            NEO4J_PASSWORD=SecretStr(auth[1]) if auth else None,
            OPENAI_API_KEY=SecretStr("sk-test"),
            AMIA_SECRET_KEY=SecretStr("test-secret-key-0123456789abcdef"),
            IMAP_PASSWORD=SecretStr("imap-test"),
        ),
    )
    async with build_services(settings, autostart_neo4j=False) as built:
        yield built


async def test_fetches_by_status_and_robots_refusals(services: Services) -> None:
    crawler, m = services.extras["crawler"], services.metrics
    about = await crawler.fetch("http://acme.test/about")  # robots.txt (200) is read first, then the page (200)
    roadmap = await crawler.fetch("http://acme.test/internal/roadmap")  # disallowed for our user agent
    missing = await crawler.fetch("http://acme.test/no-such-page")  # 404
    pdf = await crawler.fetch("http://acme.test/brochure.pdf")  # 200 but not a page: counted by its reason
    assert about.ok and roadmap.reason == "robots_disallowed" and missing.status == 404
    assert pdf.reason == "bad_content_type"

    assert value(m, "amia_fetches_total", status="200") == 2
    assert value(m, "amia_fetches_total", status="404") == 1
    assert value(m, "amia_fetches_total", status="robots_disallowed") == 1
    assert value(m, "amia_fetches_total", status="bad_content_type") == 1
    assert value(m, "amia_robots_refusals_total") == 1
    # every fetch is audited in the graph: the write is timed under the method's name, never its parameters
    assert value(m, "amia_graph_query_seconds_count", operation="Neo4jGraphStore.record_fetch") == 5
    assert "acme.test" not in m.render().decode()

    # and that is what Prometheus scrapes from the process's HTTP server
    runner, port = await serve(build_http_app(services), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as resp:
            scraped = await resp.text()
    finally:
        await runner.cleanup()
    assert resp.status == 200
    assert 'amia_fetches_total{status="404"} 1.0' in scraped and "amia_robots_refusals_total 1.0" in scraped


async def test_graph_queries_are_timed_per_operation(services: Services) -> None:
    graph, m = services.graph, services.metrics
    await graph.upsert_companies([make_company(domain=f"c{i}.example") for i in range(5)], batch_size=2)
    profile = await graph.company_profile("c1.example")
    assert profile is not None

    assert value(m, "amia_graph_query_seconds_count", operation="Neo4jGraphStore.upsert_companies") == 3  # batches
    assert value(m, "amia_graph_query_seconds_count", operation="Neo4jGraphStore.company_profile") >= 1
    assert value(m, "amia_graph_query_seconds_sum", operation="Neo4jGraphStore.company_profile") > 0
    # a module-level function reading through the store is named too: build_services read today's LLM usage once
    assert value(m, "amia_graph_query_seconds_count", operation="usage_on") == 1
    operations = {labels[0][1] for (name, labels) in samples(m) if name == "amia_graph_query_seconds_count"}
    assert "c1.example" not in " ".join(operations)


async def test_agent_runs_tokens_and_cost(services: Services, openai: FakeOpenAI) -> None:
    s, m = services.settings, services.metrics
    persona = PersonaConfig(company_name="Example Co", sender_name="Alex", voice="warm and brief")
    team = LeadTeam(services.extras["llm"], s.llm, persona, FixedToolbox(COMPANIES), services.extras["budget"])

    result = await team.run(LeadTask("acme.io", contact="jane@acme.io", language="en"))

    assert result.error is None and result.state.draft is not None
    prompt = sum(u["prompt_tokens"] for u in openai.served)  # what the endpoint said it billed
    completion = sum(u["completion_tokens"] for u in openai.served)
    assert prompt > 0 and completion > 0
    assert value(m, "amia_llm_tokens_total", model=MODEL, kind="prompt") == prompt
    assert value(m, "amia_llm_tokens_total", model=MODEL, kind="completion") == completion
    cost = prompt / 1000 * s.llm.prices.prompt_per_1k + completion / 1000 * s.llm.prices.completion_per_1k
    assert value(m, "amia_llm_cost_usd_total", model=MODEL) == pytest.approx(cost, rel=1e-9)
    assert round(cost, 6) == result.usage["cost"]  # the same figure the run reports
    assert value(m, "amia_agent_runs_total", workflow="lead", outcome="ok") == 1
    assert value(m, "amia_agent_run_seconds_count", workflow="lead") == 1

    services.extras["budget"].budget = BudgetConfig(tokens_per_run=50)  # the next run hits its cap at once
    stopped = await team.run(LeadTask("acme.io", language="en"))
    assert stopped.error is not None and "budget" in str(stopped.error).lower()
    assert value(m, "amia_agent_runs_total", workflow="lead", outcome="budget_stopped") == 1
    assert value(m, "amia_llm_tokens_total", model=MODEL, kind="prompt") == prompt  # nothing was spent


async def test_sends_bounces_and_replies(services: Services, graph: Neo4jGraphStore, smtp: SmtpServer) -> None:
    out: Outreach = services.extras[OUTREACH_KEY]
    m = services.metrics
    sent = []
    for email in ("keen@acme.io", "gone@acme.io"):
        seeded = await seed_message(graph, email=email)
        await out.sender.schedule_approved_message(seeded["message_id"])
        sent.append(seeded)
    blocked = await seed_message(graph, email="stop@other.io", domain="other.io")
    await out.sender.schedule_approved_message(blocked["message_id"])
    await out.store.suppress("other.io", "domain", "do_not_contact", source="test")
    due = max(step["due_at"] for step in await out.store.steps())  # the next business-hours slot in Berlin

    report = await out.worker.run_once(due)

    assert report["sent"] == 2 and len(smtp.handler.messages) == 2
    assert value(m, "amia_emails_sent_total", outcome="sent") == 2
    assert value(m, "amia_emails_sent_total", outcome="suppressed") == 1

    poller = build_poller(services.settings, out)  # the production path: IMAP poller → InboundProcessor
    assert poller is not None
    rfc = {s["email"]: str((await out.store.sends_to(s["email"]))[0]["rfc_message_id"]) for s in sent}
    later = due + timedelta(days=1)
    got = await poller.processor.process(reply(rfc["keen@acme.io"], "keen@acme.io", "Sounds interesting, can we "
                                               "book a call next week?"), later)  # fmt: skip
    bounce = await poller.processor.process(dsn(rfc["gone@acme.io"], "gone@acme.io"), later)
    again = await poller.processor.process(dsn(rfc["gone@acme.io"], "gone@acme.io"), later)  # seen before

    assert (got.kind, got.label) == ("reply", "interested")
    assert (bounce.kind, bounce.label, again.kind) == ("bounce", "hard", "duplicate")
    assert value(m, "amia_replies_total", classification="interested") == 1
    assert value(m, "amia_bounces_total", kind="hard") == 1  # the duplicate is not counted twice
    assert "acme.io" not in m.render().decode()


async def test_scheduler_lag_and_last_run(tmp_path: Path) -> None:
    m = Metrics()
    settings = Settings(storage=StorageConfig(data_dir=str(tmp_path)))
    sched = Scheduler(settings, name="metrics-test", metrics=m)
    ran = asyncio.Event()

    async def digest(key: str) -> None:
        ran.set()

    sched.on("digest", digest)
    sched.start()  # the real APScheduler clock
    try:
        before = datetime.now(UTC).timestamp()
        sched.run_soon("catchup:C0DIGEST01:daily", "digest", "C0DIGEST01:daily")
        await asyncio.wait_for(ran.wait(), timeout=10)
    finally:
        sched.shutdown()
    assert value(m, "amia_scheduler_lag_seconds_count", job="catchup") == 1
    assert 0 <= value(m, "amia_scheduler_lag_seconds_sum", job="catchup") < 5
    assert value(m, "amia_scheduler_last_run_timestamp_seconds", job="catchup") >= before
    assert "C0DIGEST01" not in m.render().decode()  # job kinds, never channel or user ids

    # the controllable clock (`amia digest`, tests): a daily 08:30 job missed yesterday and run at 08:31:30 today
    # is one coalesced run, 90 s late for today's planned time
    paused = Scheduler(settings, name="metrics-test-2", metrics=m)
    paused.on("digest", digest)
    paused.start(paused=True)
    try:
        paused.add_daily("digest:C0DIGEST01:daily", "digest", "C0DIGEST01:daily", "08:30")
        fire = next(when for job_id, when in paused.jobs() if job_id.startswith("digest:"))
        assert fire is not None
        late = fire + timedelta(days=1, seconds=90)
        assert await paused.run_due(late) == ["digest:C0DIGEST01:daily"]
    finally:
        paused.shutdown()
    assert value(m, "amia_scheduler_lag_seconds_count", job="digest") == 1
    assert value(m, "amia_scheduler_lag_seconds_sum", job="digest") == pytest.approx(90)
    assert value(m, "amia_scheduler_last_run_timestamp_seconds", job="digest") == pytest.approx(late.timestamp())
