"""The workflows behind the commands, against a real graph: `leads` lists the top of the ranked queue."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.services import Services
from bot.settings import Settings, StorageConfig
from bot.workflows import AgentWorkflows
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.agents.workflows.test_ranked_queue import seed
from tests.reference_queue import reference_ranked_queue


async def test_leads_lists_the_top_of_the_queue_for_each_tier(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    await seed(graph, datetime.now(UTC))
    settings = Settings(storage=StorageConfig(data_dir=str(tmp_path)))
    wf = AgentWorkflows(Services(settings=settings, graph=graph))
    cases = [("hot", {"hot"}, ["hot"]), ("warm", {"warm"}, ["hot", "warm"]), (None, {"hot", "warm"}, ["hot", "warm"])]
    for tier, wanted, read in [*cases, ("all", None, None)]:  # warm: hot leads still take places and capacity first
        queue = await reference_ranked_queue(graph, settings.scoring.queue, datetime.now(UTC), tiers=read)
        shown = [i.candidate for i in queue.items if wanted is None or i.candidate.tier in wanted]
        for n in (1, 4, 1000):
            got = await wf.leads(tier, n)
            assert [(x.domain, x.score, x.tier) for x in got] == [(c.domain, c.score, c.tier) for c in shown[:n]]
            assert len(got) == min(n, len(shown)) and (n == 1000 or len(got) == n), (tier, n)
