"""LLM usage records in the graph (one :LlmUsage node per agent per run), for budgets and the digest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from knowledge.graph.neo4j_store import Neo4jGraphStore

_RECORD = """
UNWIND $rows AS row
CREATE (u:LlmUsage {run_id: row.run_id, lead: row.lead, domain: row.domain, agent: row.agent, model: row.model,
                    mode: row.mode, prompt_tokens: row.prompt_tokens, completion_tokens: row.completion_tokens,
                    cost: row.cost, currency: row.currency, at: datetime(row.at)})
WITH u, row
OPTIONAL MATCH (c:Company {domain: row.domain})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | CREATE (u)-[:FOR_COMPANY]->(c))
RETURN count(u) AS n
"""

_DAY = """
MATCH (u:LlmUsage) WHERE u.at >= datetime($start) AND u.at < datetime($end)
RETURN coalesce(sum(u.prompt_tokens), 0) AS prompt_tokens, coalesce(sum(u.completion_tokens), 0) AS completion_tokens,
       coalesce(sum(u.cost), 0.0) AS cost, count(DISTINCT u.run_id) AS runs
"""

_BY_LEAD = """
MATCH (u:LlmUsage) WHERE u.at >= datetime($since)
RETURN u.lead AS lead, u.domain AS domain, sum(u.prompt_tokens) AS prompt_tokens,
       sum(u.completion_tokens) AS completion_tokens, sum(u.cost) AS cost, count(DISTINCT u.run_id) AS runs
ORDER BY cost DESC, lead LIMIT $limit
"""


async def record_usage(
    graph: Neo4jGraphStore,
    *,
    run_id: str,
    lead: str,
    domain: str,
    model: str,
    mode: str,
    by_agent: Mapping[str, Mapping[str, Any]],
    currency: str,
    at: datetime | None = None,
) -> int:
    """Write one row per agent that spent tokens. Returns the number of rows written."""
    when = (at or datetime.now(UTC)).isoformat()
    rows = [
        {
            "run_id": run_id,
            "lead": lead,
            "domain": domain,
            "agent": agent,
            "model": model,
            "mode": mode,
            "prompt_tokens": int(u.get("prompt_tokens", 0)),
            "completion_tokens": int(u.get("completion_tokens", 0)),
            "cost": float(u.get("cost", 0.0)),
            "currency": currency,
            "at": when,
        }
        for agent, u in by_agent.items()
        if u.get("calls")
    ]
    if not rows:
        return 0
    out = await graph.write(_RECORD, rows=rows)
    return int(out[0]["n"]) if out else 0


async def usage_on(graph: Neo4jGraphStore, day: date) -> dict[str, Any]:
    """Totals for one UTC day: prompt/completion tokens, cost, runs."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    rows = await graph.read(_DAY, start=start.isoformat(), end=(start + timedelta(days=1)).isoformat())
    return dict(rows[0]) if rows else {"prompt_tokens": 0, "completion_tokens": 0, "cost": 0.0, "runs": 0}


async def usage_by_lead(graph: Neo4jGraphStore, since: datetime, *, limit: int = 20) -> list[dict[str, Any]]:
    """Spend per lead since a moment, most expensive first (for the digest)."""
    return await graph.read(_BY_LEAD, since=since.isoformat(), limit=limit)
