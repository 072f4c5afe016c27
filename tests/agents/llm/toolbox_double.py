"""A Toolbox over fixed company data, for team tests (the real one binds the deterministic workflows)."""

from __future__ import annotations

from agents.llm.toolbox import BriefFact, DraftOutcome, ResearchBrief, ReviewOutcome, ScoreOutcome


class FixedToolbox:
    def __init__(self, companies: dict[str, dict[str, object]], *, blocked_words: tuple[str, ...] = ()) -> None:
        self.companies = companies
        self.blocked_words = blocked_words
        self.calls: list[str] = []

    async def research(self, domain: str) -> ResearchBrief:
        self.calls.append(f"research:{domain}")
        c = self.companies[domain]
        facts = [
            BriefFact(ref=f"F{i}", fact_id=f"fact-{domain}-{i}", text=t, source_url=f"https://{domain}/news")
            for i, t in enumerate(c.get("facts", []), start=1)  # type: ignore[arg-type]
        ]
        return ResearchBrief(
            domain=domain,
            name=str(c.get("name", domain)),
            employee_count=c.get("employees"),  # type: ignore[arg-type]
            industries=list(c.get("industries", [])),  # type: ignore[call-overload]
            country=c.get("country"),  # type: ignore[arg-type]
            language={"DE": "de", "FR": "fr"}.get(str(c.get("country")), "en"),
            facts=facts,
        )

    async def score(self, domain: str, brief: ResearchBrief) -> ScoreOutcome:
        self.calls.append(f"score:{domain}")
        s = float(self.companies[domain].get("score", 80))  # type: ignore[arg-type]
        return ScoreOutcome(score=s, tier="hot" if s >= 70 else "cold", qualified=s >= 45, reasons=[f"fit {s:.0f}"])

    async def draft(
        self, domain: str, brief: ResearchBrief, *, contact: str | None, language: str, feedback: str | None
    ) -> DraftOutcome:
        self.calls.append(f"draft:{domain}")
        fact = brief.facts[0] if brief.facts else None
        body = f"Hello, I read that {fact.text if fact else brief.domain}. Would a short call help?"
        return DraftOutcome(
            subject=f"About {brief.name}",
            body=body,
            language=language,
            cited_fact_ids=[fact.fact_id] if fact else [],
            mode="template",
        )

    async def review(
        self, domain: str, draft: DraftOutcome, *, contact: str | None, country: str | None
    ) -> ReviewOutcome:
        self.calls.append("review")
        hits = [w for w in self.blocked_words if w in draft.body.lower()]
        if hits:
            return ReviewOutcome(verdict="block", findings=[{"rule": "words", "message": f"blocked word {hits[0]}"}])
        return ReviewOutcome(verdict="pass", findings=[])
