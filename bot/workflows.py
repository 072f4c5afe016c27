"""The bot's port onto the agent workflows: one async call per user-facing job, each returning plain data.

`Workflows` is the interface listeners and the console call through; `AgentWorkflows` adapts it onto
`agents.workflows.*` (research, scoring, drafting, review) and `bot.outreach` (sending). Workflows that are
not installed raise ServiceError naming what is missing, so users get a plain sentence, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.errors import ServiceError
from bot.replies import Progress


@dataclass
class Finding:
    """One cited line of output: what we know and where it came from."""

    text: str
    source_url: str | None = None


@dataclass
class LeadSummary:
    domain: str
    name: str
    score: float
    tier: str  # hot | warm | cold | excluded
    reasons: list[str] = field(default_factory=list)
    industry: str | None = None
    employees: int | None = None


@dataclass
class ResearchResult:
    domain: str
    name: str
    summary: str
    findings: list[Finding] = field(default_factory=list)
    signals: list[Finding] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    mode: str = "deterministic"


@dataclass
class DraftResult:
    """A reviewed draft waiting for a human: everything the approval card and the sender need."""

    domain: str
    contact: str
    subject: str
    body: str
    risk_tier: str  # low | medium | high
    verdict: str  # pass | flag | block
    findings: list[str] = field(default_factory=list)
    citations: list[Finding] = field(default_factory=list)
    score: LeadSummary | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # what the sender needs back (draft id, sequence, …)


@dataclass
class SignalHit:
    domain: str
    name: str
    type: str
    evidence: str
    at: datetime
    confidence: float = 1.0
    source_url: str | None = None


@dataclass
class Funnel:
    stages: dict[str, int] = field(default_factory=dict)  # ordered: researched, qualified, drafted, sent, replied…


class Workflows(Protocol):
    async def research(self, domain: str, progress: Progress) -> ResearchResult: ...

    async def score(self, domain: str, progress: Progress) -> LeadSummary: ...

    async def draft(self, domain: str, contact: str | None, progress: Progress) -> DraftResult: ...

    async def leads(self, tier: str | None, limit: int) -> list[LeadSummary]:
        """Ranked leads: tier 'hot' or 'warm', None for both, 'all' for every scored company."""
        ...

    async def signals(self, since: datetime, *, industry: str | None, types: list[str] | None) -> list[SignalHit]: ...

    async def forget(self, target: str) -> str: ...

    async def funnel(self) -> Funnel: ...

    async def schedule_send(self, draft: DraftResult, approved_by: str) -> str: ...

    async def check_watch(self, target: str, since: datetime) -> list[SignalHit]: ...

    async def replies(self, limit: int) -> list[str]: ...

    async def learning_changes(self, since: datetime) -> list[str]: ...


class AgentWorkflows:
    """The production adapter: graph reads directly, agent work through agents.workflows when installed."""

    def __init__(self, services: Any) -> None:
        self.services = services

    @property
    def graph(self) -> Any:
        return self.services.graph

    def _missing(self, what: str, module: str) -> ServiceError:
        return ServiceError(f"{what} is not available in this build yet ({module} is not installed)")

    async def research(self, domain: str, progress: Progress) -> ResearchResult:
        raise self._missing("research", "agents/workflows/research.py")

    async def score(self, domain: str, progress: Progress) -> LeadSummary:
        raise self._missing("scoring", "agents/workflows/scoring.py")

    async def draft(self, domain: str, contact: str | None, progress: Progress) -> DraftResult:
        raise self._missing("drafting", "agents/workflows/drafting.py")

    async def leads(self, tier: str | None, limit: int) -> list[LeadSummary]:
        raise self._missing("the lead queue", "agents/workflows/scoring.py")

    async def signals(self, since: datetime, *, industry: str | None, types: list[str] | None) -> list[SignalHit]:
        rows = await self.graph.signals_in_window(since, types=types, industry=industry, limit=50)
        return [
            SignalHit(
                r.company_domain,
                r.company_name or r.company_domain,
                r.type,
                r.evidence,
                r.occurred_at or r.recorded_at or since,
                r.confidence,
                r.source_url,
            )
            for r in rows
        ]

    async def forget(self, target: str) -> str:
        if "@" not in target:
            raise self._missing("forgetting a whole company", "the erasure workflow")
        removed = await self.graph.erase_person(target)
        return f"Erased {target} ({removed} records)." if removed else f"I had nothing stored about {target}."

    async def funnel(self) -> Funnel:
        counts = await self.graph.funnel_counts()
        return Funnel({k: counts[k] for k in sorted(counts, key=lambda s: -counts[s])})

    async def schedule_send(self, draft: DraftResult, approved_by: str) -> str:
        raise self._missing("sending", "bot/outreach")

    async def check_watch(self, target: str, since: datetime) -> list[SignalHit]:
        raise self._missing("re-checking watched companies", "agents/workflows/research.py")

    async def replies(self, limit: int) -> list[str]:
        return []

    async def learning_changes(self, since: datetime) -> list[str]:
        return []
