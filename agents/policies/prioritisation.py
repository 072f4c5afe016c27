"""The ranked work queue: best leads first, with diversity per company, owner capacity and cool-downs. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from agents.policies.icp_config import QueueConfig

_TIER_RANK = {"hot": 0, "warm": 1, "cold": 2, "excluded": 3}


class QueueCandidate(BaseModel):
    lead_id: str
    company_id: str
    domain: str
    person_id: str | None = None
    owner: str | None = None
    score: float
    tier: str
    last_contacted_at: datetime | None = Field(None, description="last message sent to anyone at the company")
    next_action: str | None = None


class QueueItem(BaseModel):
    rank: int
    candidate: QueueCandidate


class Skipped(BaseModel):
    lead_id: str
    reason: str


class Queue(BaseModel):
    items: list[QueueItem]
    skipped: list[Skipped] = Field(default_factory=list)

    def reasons(self) -> Counter[str]:
        """How many leads were held back, by reason kind (the text before the first colon)."""
        return Counter(s.reason.split(":")[0] for s in self.skipped)


def build_queue(
    candidates: Iterable[QueueCandidate],
    config: QueueConfig,
    now: datetime,
    *,
    limit: int | None = None,
    record_skipped: bool = True,
) -> Queue:
    """Greedy ranking by score (ties: fresher contact gap, then id) under the diversity and capacity limits.
    ``record_skipped=False`` stops at ``limit`` without listing the rest (for callers that only show items)."""
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
