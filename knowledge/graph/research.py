"""Research writes that the generic store does not cover: company→source links, closing departed people, fetch audit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from knowledge.graph.neo4j_store import Neo4jGraphStore

LINK_SOURCES = """
MATCH (c:Company {company_id: $cid})
UNWIND $source_ids AS sid
MATCH (a:Source {source_id: sid})
MERGE (c)-[h:HAS_SOURCE]->(a)
  ON CREATE SET h.recorded_at = $now
SET h.last_seen = $now
"""

CLOSE_DEPARTED = """
MATCH (p:Person)-[r:WORKS_AT]->(c:Company {company_id: $cid})
WHERE r.valid_to > $at AND r.superseded_at > $at AND NOT r.fact_id IN $keep
SET r.valid_to = $at
RETURN p.full_name AS name, r.title AS title
"""

FETCH_LOG = """
MATCH (f:Fetch) WHERE f.host = $host
RETURN f ORDER BY f.at DESC LIMIT $limit
"""


async def link_sources(graph: Neo4jGraphStore, company_id: str, source_ids: Iterable[str]) -> None:
    """(Company)-[:HAS_SOURCE]->(Source) for every page the research read."""
    await graph.write(LINK_SOURCES, cid=company_id, source_ids=list(source_ids), now=datetime.now(UTC))


async def close_departed(
    graph: Neo4jGraphStore, company_id: str, keep_fact_ids: Iterable[str], *, at: datetime | None = None
) -> list[dict[str, Any]]:
    """End current WORKS_AT facts at this company that the latest team page no longer supports."""
    return await graph.write(CLOSE_DEPARTED, cid=company_id, keep=list(keep_fact_ids), at=at or datetime.now(UTC))


async def fetch_log(graph: Neo4jGraphStore, host: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """The recorded fetches of one host, newest first (for audits: what did we request, and were we allowed?)."""
    rows = await graph.read(FETCH_LOG, host=host, limit=limit)
    return [dict(r["f"]) for r in rows]
