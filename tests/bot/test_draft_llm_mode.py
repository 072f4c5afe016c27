"""Slack and console with a model configured (the real openai client and autogen against a fake OpenAI-compatible
server on 127.0.0.1): `draft` runs the agent team and says plainly when the templates wrote it instead; open
questions in conversation go to the analyst agent, whose ranking is code."""

from __future__ import annotations

from pathlib import Path

from agents.llm.budget import BudgetLedger
from agents.llm.client import build_model_client
from agents.llm.config import LlmConfig
from agents.policies.icp_config import ScoringConfig
from bot.dispatch import Dispatcher
from bot.replies import Context
from bot.services import Services
from bot.settings import Settings, StorageConfig
from bot.state import BotState
from bot.workflows import AgentWorkflows
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.memory.config import MemoryConfig
from knowledge.memory.store import MemoryHandle
from tests.agents.workflows.test_drafting import COMPLIANCE, PERSONA, seed
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario, role_of


def llm_services(graph: Neo4jGraphStore, tmp_path: Path, fake: FakeOpenAI, warm: float) -> Services:
    settings = Settings.model_validate(
        {
            "http": {"public_url": "https://amia.example.com"},
            "outreach": {"from_address": "alex@example.com"},
        }
    ).model_copy(
        update={
            "storage": StorageConfig(data_dir=str(tmp_path)),
            "persona": PERSONA,
            "compliance": COMPLIANCE,
            "scoring": ScoringConfig(hot_threshold=max(60, warm), warm_threshold=warm),
            "llm": LlmConfig(base_url=fake.base_url, model="gpt-4o-mini-2024-07-18", max_retries=0),
        }
    )
    client = build_model_client(settings.llm, "sk-test-0000000000")
    memory = MemoryHandle(MemoryConfig(enabled=False), tmp_path / "memory")
    return Services(
        settings=settings,
        graph=graph,
        extras={"memory": memory, "llm": client, "budget": BudgetLedger(settings.llm.budget, settings.llm.prices)},
    )


async def draft_with_team(graph: Neo4jGraphStore, tmp_path: Path, fake: FakeOpenAI, warm: float) -> tuple:  # type: ignore[type-arg]
    services = llm_services(graph, tmp_path, fake, warm)
    stages: list[str] = []

    async def progress(stage: str) -> None:
        stages.append(stage)

    try:
        return await AgentWorkflows(services).draft("acme.io", None, progress), stages
    finally:
        await services.extras["llm"].close()
        services.extras["memory"].close()


async def test_draft_is_written_by_the_agent_team_and_reviewed_by_code(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    await seed(graph)
    async with FakeOpenAI(LeadScenario()) as fake:
        draft, stages = await draft_with_team(graph, tmp_path, fake, warm=20)
        roles = [role_of(r) for r in fake.requests]
    assert "copywriter" in roles and "researcher" in roles
    assert draft.extra["written_by"].startswith("the agent team (gpt-4o-mini-2024-07-18")
    package = draft.extra["package"]
    assert package["mode"] == "llm" and package["steps"][0]["mode"] == "llm"
    assert len(package["steps"]) >= 3, "follow-ups come from the templates around the team's first email"
    assert draft.verdict in ("pass", "flag") and draft.extra["step1_ids"], draft.findings  # code's review, saved
    assert draft.citations and all(c.source_url for c in draft.citations)
    assert any(s.startswith("the agent team") for s in stages)


async def test_unqualified_lead_is_drafted_from_templates_and_says_why(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    await seed(graph)
    async with FakeOpenAI(LeadScenario()) as fake:
        draft, _ = await draft_with_team(graph, tmp_path, fake, warm=99)
        roles = [role_of(r) for r in fake.requests]
    assert "copywriter" not in roles, "the team does not draft for a lead it did not qualify"
    assert draft.extra["written_by"].startswith("templates: the agent team judged acme.io not qualified")
    assert draft.extra["package"]["mode"] == "template" and draft.extra["step1_ids"]


async def test_open_question_in_conversation_is_answered_by_the_analyst(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    await seed(graph)
    async with FakeOpenAI(LeadScenario()) as fake:
        services = llm_services(graph, tmp_path, fake, warm=20)
        state = BotState(tmp_path / "bot.sqlite3")

        async def status() -> list[str]:
            return []

        async def progress(_: str) -> None:
            return None

        dispatcher = Dispatcher(AgentWorkflows(services), state, status=status, llm_enabled=True)
        try:
            reply = await dispatcher.converse(
                "which fintech companies raised money lately, and who should we call first?",
                Context(user="U0ALEX0001"),
                progress,
            )
        finally:
            await services.extras["llm"].close()
            services.extras["memory"].close()
            state.close()
        roles = [role_of(r) for r in fake.requests]
    assert roles and set(roles) == {"analyst"}
    assert reply.text.startswith("Call acme.io first"), reply.text
    assert "Ranked in code" in reply.text and "1. acme.io — " in reply.text
