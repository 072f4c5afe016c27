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


def queue_order(c: QueueCandidate) -> tuple[float, int, str]:
    """The order leads are considered in: higher score first; ties: higher tier, then lead id."""
    return (-c.score, _TIER_RANK.get(c.tier, 9), c.lead_id)


class QueueFiller:
    """build_queue fed one page of candidates at a time, for callers that read them in queue order from a store.

    Between pages it says what can no longer enter: the queue is ``full``, companies at ``max_per_company``, owners at
    capacity, tiers below ``min_tier``, companies contacted since ``contacted_after``. A reader may leave those leads
    out of its next page: the counts only grow, so they would be held back anyway and the items stay the same (the
    skipped list then only holds the leads that were read).
    """

    def __init__(
        self, config: QueueConfig, now: datetime, *, limit: int | None = None, record_skipped: bool = True
    ) -> None:
        self.config = config
        self.now = now
        self.limit = limit
        self.record_skipped = record_skipped
        self.items: list[QueueItem] = []
        self.skipped: list[Skipped] = []
        self._min_rank = _TIER_RANK[config.min_tier]
        self._cooldown = timedelta(days=config.cooldown_days)
        self._per_company: Counter[str] = Counter()
        self._per_owner: Counter[str] = Counter()

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self.items) >= self.limit

    @property
    def entry_tiers(self) -> list[str]:
        """Tiers that may enter (a lead without a tier counts as cold)."""
        return [t for t, rank in _TIER_RANK.items() if t != "excluded" and rank <= self._min_rank]

    @property
    def contacted_after(self) -> datetime:
        """A company whose last contact is later than this is cooling down."""
        return self.now - self._cooldown

    def closed_companies(self) -> list[str]:
        return [cid for cid, n in self._per_company.items() if n >= self.config.max_per_company]

    def closed_owners(self) -> list[str]:
        """Owners at capacity; "" stands for the unassigned leads."""
        owners = set(self._per_owner) | {o for o in self.config.owner_capacities if o} | {""}
        return sorted(o for o in owners if self._per_owner[o] >= self._capacity(o))

    def _capacity(self, owner: str | None) -> int:
        cfg = self.config
        return cfg.owner_capacities.get(owner, cfg.owner_capacity) if owner else cfg.unassigned_capacity

    def add(self, candidates: Iterable[QueueCandidate]) -> None:
        """Rank ``candidates``: already in queue_order, and all after the ones added before."""
        config = self.config
        for c in candidates:
            if self.full:
                if not self.record_skipped:
                    return
                self.skipped.append(Skipped(lead_id=c.lead_id, reason="limit: queue is full"))
                continue
            if c.tier == "excluded":
                self.skipped.append(Skipped(lead_id=c.lead_id, reason="excluded: the lead is excluded by the ICP"))
                continue
            if _TIER_RANK.get(c.tier, 9) > self._min_rank:
                self.skipped.append(Skipped(lead_id=c.lead_id, reason=f"tier: {c.tier} is below {config.min_tier}"))
                continue
            if c.last_contacted_at is not None and self.now - c.last_contacted_at < self._cooldown:
                until = (c.last_contacted_at + self._cooldown).date()
                reason = f"cooldown: {c.domain} was contacted; wait until {until}"
                self.skipped.append(Skipped(lead_id=c.lead_id, reason=reason))
                continue
            if self._per_company[c.company_id] >= config.max_per_company:
                reason = f"diversity: already {config.max_per_company} from {c.domain}"
                self.skipped.append(Skipped(lead_id=c.lead_id, reason=reason))
                continue
            owner_key = c.owner or ""
            capacity = self._capacity(c.owner)
            if self._per_owner[owner_key] >= capacity:
                who = c.owner or "unassigned"
                reason = f"capacity: {who} already has {capacity} leads"
                self.skipped.append(Skipped(lead_id=c.lead_id, reason=reason))
                continue
            self._per_company[c.company_id] += 1
            self._per_owner[owner_key] += 1
            self.items.append(QueueItem(rank=len(self.items) + 1, candidate=c))

    def queue(self) -> Queue:
        return Queue(items=self.items, skipped=self.skipped)


def build_queue(
    candidates: Iterable[QueueCandidate],
    config: QueueConfig,
    now: datetime,
    *,
    limit: int | None = None,
    record_skipped: bool = True,
) -> Queue:
    """Greedy ranking in queue_order (by score; ties: higher tier, then id) under the diversity and capacity
    limits. ``record_skipped=False`` stops at ``limit`` without listing the rest (for callers that only show
    items)."""
    filler = QueueFiller(config, now, limit=limit, record_skipped=record_skipped)
    filler.add(sorted(candidates, key=queue_order))
    return filler.queue()
