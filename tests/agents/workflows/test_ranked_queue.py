"""The ranked queue read page by page from the graph gives the same queue as reading and ranking every lead."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from agents.policies.icp_config import QueueConfig, ScoringConfig
from agents.workflows import queue as queue_reader
from agents.workflows.scoring import ranked_queue
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.models import company_id_for
from tests.factories import NOW, make_company
from tests.reference_queue import reference_ranked_queue

CONFIGS = [
    QueueConfig(),
    QueueConfig(
        max_per_company=1,
        owner_capacity=3,
        owner_capacities={"U2": 1, "U3": 0},
        unassigned_capacity=2,
        cooldown_days=7,
        min_tier="cold",
    ),
    QueueConfig(max_per_company=3, owner_capacity=6, unassigned_capacity=0, cooldown_days=0, min_tier="hot"),
]
TIERS = [None, ["hot"], ["hot", "warm"], ["warm", "cold"], ["cold", "excluded", ""], ["hot", "warm", "cold"]]


async def seed(graph: Neo4jGraphStore, now: datetime = NOW) -> None:
    """Leads made to tie (ints and floats with equal values too), share companies, owners and contacts."""
    rnd = random.Random(7)
    domains = [f"d{i}.io" for i in range(30)]
    await graph.upsert_companies([make_company(domain=d, name=d) for d in domains])
    scores = [95, 90, 90.0, 85.5, 80, 75, 72.5, 70, 60, 55, 50, 45, 40, 30, 10]
    rows = []
    for i in range(220):
        score = rnd.choice(scores)
        tier = "hot" if score >= 70 else "warm" if score >= 45 else "cold"
        tier = rnd.choices([tier, "excluded", None, "", "paused"], [88, 5, 3, 2, 2])[0]
        contacted = rnd.random() < 0.15
        rows.append(
            {
                "id": f"l{i:03d}",
                "cid": company_id_for("ghost.io" if i % 50 == 49 else rnd.choice(domains)),  # ghost: no company
                "person": f"p{i}" if i % 7 else None,
                "score": None if i % 23 == 0 else score,  # unscored, yet maybe contacted
                "tier": tier,
                "owner": rnd.choice(["U1", "U2", "U3", None, ""]),
                "sent": now - timedelta(days=rnd.randint(0, 40), hours=rnd.randint(0, 23)) if contacted else None,
            }
        )
    await graph.write(
        "UNWIND $rows AS r CREATE (:Lead {lead_id: r.id, company_id: r.cid, person_id: r.person, score: r.score, "
        "tier: r.tier, owner: r.owner, last_sent_at: r.sent})",
        rows=rows,
    )


async def test_paged_queue_equals_ranking_every_lead(graph: Neo4jGraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_reader, "FIRST_PAGE", 2)  # many pages, growing, with ties across their edges
    monkeypatch.setattr(queue_reader, "MAX_PAGE", 8)
    await seed(graph)
    checked = 0
    for config in CONFIGS:
        scoring = ScoringConfig().model_copy(update={"queue": config})
        for tiers in TIERS:
            for limit in (None, 0, 1, 5, 40):
                got = await ranked_queue(graph, scoring, now=NOW, limit=limit, tiers=tiers)
                want = await reference_ranked_queue(graph, config, NOW, limit=limit, tiers=tiers)
                case = f"{config}, tiers={tiers}, limit={limit}"
                if tiers is None:  # every lead, every reason
                    assert got.model_dump(mode="json") == want.model_dump(mode="json"), case
                else:
                    assert [i.model_dump(mode="json") for i in got.items] == [
                        i.model_dump(mode="json") for i in want.items
                    ], case
                    assert got.skipped == [], case
                checked += bool(got.items)
    assert checked > 40  # most cases queue someone: the comparison is not between empty queues


async def test_the_fixture_holds_what_the_comparison_needs(graph: Neo4jGraphStore) -> None:
    await seed(graph)
    scoring = ScoringConfig().model_copy(update={"queue": CONFIGS[1]})
    reasons = (await ranked_queue(graph, scoring, now=NOW)).reasons()
    assert {"cooldown", "diversity", "capacity", "excluded", "tier"} <= set(reasons)
