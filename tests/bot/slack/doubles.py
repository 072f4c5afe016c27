"""A Workflows implementation for Slack-layer tests: the real graph-backed reads (signals, funnel, forget) plus
deterministic stand-ins for the agent work, with an optional delay so tests can run "agent work" after acks.
Like pydantic-ai's TestModel: same interface as the real adapter, nothing reaches the network.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.errors import ServiceError
from bot.replies import Progress
from bot.workflows import AgentWorkflows, DraftResult, Finding, LeadSummary, ResearchResult, SignalHit


class ScriptedWorkflows(AgentWorkflows):
    def __init__(self, services, *, delay: float = 0.0, risk_tier: str = "low", verdict: str = "pass") -> None:
        super().__init__(services)
        self.delay, self.risk_tier, self.verdict = delay, risk_tier, verdict
        self.sent: list[tuple[str, str]] = []
        self.watch_hits: dict[str, list[SignalHit]] = {}
        self.fail_send = False

    async def _work(self, progress: Progress, *stages: str) -> None:
        for stage in stages:
            await progress(stage)
            if self.delay:
                await asyncio.sleep(self.delay / len(stages))

    async def research(self, domain: str, progress: Progress) -> ResearchResult:
        await self._work(progress, f"fetching {domain}", "extracting facts")
        return ResearchResult(
            domain,
            domain.split(".")[0].capitalize(),
            "B2B analytics for finance teams.",
            [Finding("240 employees", f"https://{domain}/about")],
            [Finding("Raised a Series B", f"https://{domain}/news")],
            ["Jane Doe (VP Marketing)"],
        )

    async def score(self, domain: str, progress: Progress) -> LeadSummary:
        await self._work(progress, "scoring")
        return LeadSummary(
            domain,
            domain.split(".")[0].capitalize(),
            82,
            "hot",
            ["Series B raised 12 days ago (+16)", "fintech is a target industry (+14)"],
        )

    async def draft(self, domain: str, contact: str | None, progress: Progress) -> DraftResult:
        await self._work(progress, "drafting", "compliance review")
        return DraftResult(
            domain,
            contact or f"jane@{domain}",
            "Congrats on the Series B",
            "Hi Jane, congratulations on the Series B [1]. Teams your size often ask us about forecasting.",
            self.risk_tier,
            self.verdict,
            ["No unsubscribe link yet: added at send time"],
            [Finding("Raised a Series B", f"https://{domain}/news")],
            LeadSummary(domain, domain, 82, "hot"),
        )

    async def leads(self, tier: str | None, limit: int) -> list[LeadSummary]:
        rows = [
            LeadSummary("acme.io", "Acme", 82, "hot", ["Series B"]),
            LeadSummary("beta.io", "Beta", 55, "warm", ["hiring"]),
        ]
        if tier in ("hot", "warm"):
            rows = [r for r in rows if r.tier == tier]
        return rows[:limit]

    async def schedule_send(self, draft: DraftResult, approved_by: str) -> str:
        if self.fail_send:
            raise ServiceError("the outbox is not writable")
        await asyncio.sleep(0.05)  # a real scheduler call takes a moment: a double click lands inside it
        self.sent.append((draft.contact, approved_by))
        return f"send-{len(self.sent)}"

    async def check_watch(self, target: str, since: datetime, tracked: list[str]) -> list[SignalHit]:
        return self.watch_hits.get(target, [])

    async def replies(self, limit: int) -> list[str]:
        return ["Jane Doe (acme.io): “Sounds interesting, call Tuesday?”"]

    async def learning_changes(self, since: datetime) -> list[str]:
        return ["question subject lines: reply rate 9% vs 4% (fintech)"]
