"""The ranked queue as first written: every candidate row streamed from one Cypher query, the company's last contact
worked out in Python, a greedy loop over all of them. Slow on a big graph, obviously right: the oracle the faster
paths are compared with (tests) and measured against (bench/ranked_queue.py). Keep it as it is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from agents.policies.icp_config import QueueConfig
from agents.policies.prioritisation import Queue, QueueCandidate, QueueItem, Skipped
from knowledge.graph.neo4j_store import Neo4jGraphStore, _native

_TIER_RANK = {"hot": 0, "warm": 1, "cold": 2, "excluded": 3}


async def reference_candidates(graph: Neo4jGraphStore, tiers: Sequence[str] | None = None) -> list[dict[str, Any]]:
    rows = await graph.read(
        """
        MATCH (l:Lead) WHERE l.score IS NOT NULL AND ($tiers IS NULL OR l.tier IN $tiers)
        MATCH (c:Company {company_id: l.company_id})
        RETURN l.lead_id AS lead_id, l.company_id AS company_id, c.domain AS domain, l.person_id AS person_id,
               l.owner AS owner, l.score AS score, l.tier AS tier, l.last_sent_at AS last_sent_at
        LIMIT $limit
        """,
        limit=100_000,
        tiers=list(tiers) if tiers is not None else None,
    )
    out = [{k: _native(v) for k, v in r.items()} for r in rows]
    last: dict[str, datetime] = {}
    if tiers is None:
        for r in out:
            if r["last_sent_at"] and (r["company_id"] not in last or r["last_sent_at"] > last[r["company_id"]]):
                last[r["company_id"]] = r["last_sent_at"]
    else:
        contacted = await graph.read(
            """
            UNWIND $ids AS cid
            MATCH (l:Lead {company_id: cid}) WHERE l.last_sent_at IS NOT NULL
            RETURN cid AS company_id, max(l.last_sent_at) AS last_sent_at
            """,
            ids=sorted({r["company_id"] for r in out}),
        )
        last = {r["company_id"]: _native(r["last_sent_at"]) for r in contacted}
    for r in out:
        r["last_contacted_at"] = last.get(r["company_id"])
    return out


def reference_build_queue(
    candidates: Iterable[QueueCandidate],
    config: QueueConfig,
    now: datetime,
    *,
    limit: int | None = None,
    record_skipped: bool = True,
) -> Queue:
    order = sorted(candidates, key=lambda c: (-c.score, _TIER_RANK.get(c.tier, 9), c.lead_id))
    min_rank = _TIER_RANK[config.min_tier]
    cooldown = timedelta(days=config.cooldown_days)
    per_company: Counter[str] = Counter()
    per_owner: Counter[str] = Counter()
    items: list[QueueItem] = []
    skipped: list[Skipped] = []
    for c in order:
        if limit is not None and len(items) >= limit:
            if not record_skipped:
                break
            skipped.append(Skipped(lead_id=c.lead_id, reason="limit: queue is full"))
            continue
        if c.tier == "excluded":
            skipped.append(Skipped(lead_id=c.lead_id, reason="excluded: the lead is excluded by the ICP"))
            continue
        if _TIER_RANK.get(c.tier, 9) > min_rank:
            skipped.append(Skipped(lead_id=c.lead_id, reason=f"tier: {c.tier} is below {config.min_tier}"))
            continue
        if c.last_contacted_at is not None and now - c.last_contacted_at < cooldown:
            until = (c.last_contacted_at + cooldown).date()
            skipped.append(Skipped(lead_id=c.lead_id, reason=f"cooldown: {c.domain} was contacted; wait until {until}"))
            continue
        if per_company[c.company_id] >= config.max_per_company:
            skipped.append(
                Skipped(lead_id=c.lead_id, reason=f"diversity: already {config.max_per_company} from {c.domain}")
            )
            continue
        owner_key = c.owner or ""
        capacity = (
            config.owner_capacities.get(c.owner, config.owner_capacity) if c.owner else config.unassigned_capacity
        )
        if per_owner[owner_key] >= capacity:
            who = c.owner or "unassigned"
            skipped.append(Skipped(lead_id=c.lead_id, reason=f"capacity: {who} already has {capacity} leads"))
            continue
        per_company[c.company_id] += 1
        per_owner[owner_key] += 1
        items.append(QueueItem(rank=len(items) + 1, candidate=c))
    return Queue(items=items, skipped=skipped)


async def reference_ranked_queue(
    graph: Neo4jGraphStore,
    config: QueueConfig,
    now: datetime,
    *,
    limit: int | None = None,
    tiers: Sequence[str] | None = None,
) -> Queue:
    rows = await reference_candidates(graph, tiers)
    cands = [
        QueueCandidate(
            lead_id=r["lead_id"],
            company_id=r["company_id"],
            domain=r["domain"],
            person_id=r.get("person_id"),
            owner=r.get("owner"),
            score=float(r["score"]),
            tier=r.get("tier") or "cold",
            last_contacted_at=r.get("last_contacted_at"),
        )
        for r in rows
    ]
    return reference_build_queue(cands, config, now, limit=limit, record_skipped=tiers is None)
