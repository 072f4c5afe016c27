"""What the team teaches AMIA in conversation is respected: a remembered rule excludes companies in score and draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UsageError
from bot.services import Services
from bot.settings import Settings, StorageConfig
from bot.workflows import AgentWorkflows
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.memory.config import MemoryConfig
from knowledge.memory.store import MemoryHandle, Scope
from tests.agents.workflows.test_drafting import COMPLIANCE, PERSONA, seed


async def progress(_: str) -> None:
    return None


async def test_remembered_headcount_rule_excludes_in_score_and_refuses_draft(
    graph: Neo4jGraphStore, tmp_path: Path
) -> None:
    await seed(graph, employee_count=40)
    settings = Settings(storage=StorageConfig(data_dir=str(tmp_path)), persona=PERSONA, compliance=COMPLIANCE)
    memory = MemoryHandle(MemoryConfig(), tmp_path / "memory")
    services = Services(settings=settings, graph=graph, extras={"memory": memory})
    wf = AgentWorkflows(services)
    try:
        before = await wf.score("acme.io", progress)
        assert before.tier != "excluded"

        store = await memory.get()
        assert store is not None
        await store.remember("we don't target companies under 50 people", Scope.TEAM, "team", kind="preference")

        after = await wf.score("acme.io", progress)
        assert after.tier == "excluded"
        assert any("team rule: no companies under 50 people (has 40)" in r for r in after.reasons)
        with pytest.raises(UsageError, match=r"I won.t draft for acme\.io: team rule"):
            await wf.draft("acme.io", None, progress)
    finally:
        memory.close()
