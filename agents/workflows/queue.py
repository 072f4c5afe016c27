"""The ranked work queue read from the graph: every scored lead when the caller lists why leads were held back,
otherwise page by page in score order, leaving out the leads that can no longer enter, until the queue is filled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from agents.policies.icp_config import QueueConfig
from agents.policies.prioritisation import Queue, QueueCandidate, QueueFiller, build_queue, queue_order
from knowledge.graph.scoring import ScoringGraph

FIRST_PAGE = 500
"""Leads read by the first page; each further page reads twice as many as the one before, up to MAX_PAGE."""
MAX_PAGE = 20_000


def candidate(row: Mapping[str, Any]) -> QueueCandidate:
    return QueueCandidate(
        lead_id=row["lead_id"],
        company_id=row["company_id"],
        domain=row["domain"],
        person_id=row.get("person_id"),
        owner=row.get("owner"),
        score=float(row["score"]),
        tier=row.get("tier") or "cold",
        last_contacted_at=row.get("last_contacted_at"),
    )


async def full_queue(graph: ScoringGraph, config: QueueConfig, now: datetime, *, limit: int | None) -> Queue:
    """Every scored lead ranked, each one held back listed with its reason."""
    rows = await graph.queue_candidates()
    return build_queue([candidate(r) for r in rows], config, now, limit=limit)


async def filled_queue(
    graph: ScoringGraph, config: QueueConfig, now: datetime, *, tiers: Sequence[str], limit: int | None
) -> Queue:
    """The items of build_queue over the leads of ``tiers``, read best first a page at a time until the queue is
    full or no lead that could still enter is left. The skipped list is empty: most held-back leads are never read.
    """
    filler = QueueFiller(config, now, limit=limit, record_skipped=False)
    cooling = await graph.contacted_companies(filler.contacted_after)
    seen: set[str] = set()  # pages are separate reads: a lead rescored lower meanwhile could come round again
    below: float | None = None
    size = FIRST_PAGE
    more = True
    while more and not filler.full:
        rows, more = await graph.queue_page(
            below=below,
            size=size,
            tiers=tiers,
            entry_tiers=filler.entry_tiers,
            skip_companies=cooling + filler.closed_companies(),
            skip_owners=filler.closed_owners(),
        )
        if not rows:
            break
        filler.add(sorted((candidate(r) for r in rows if r["lead_id"] not in seen), key=queue_order))
        seen.update(r["lead_id"] for r in rows)
        below = min(r["score"] for r in rows)
        size = min(2 * size, MAX_PAGE)
    return Queue(items=filler.items)
