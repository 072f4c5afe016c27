"""What the agents' tools return, and the Toolbox protocol the deterministic workflows implement.

The team never calls a workflow directly: it gets a Toolbox, so LLM mode and deterministic mode run the very same
typed functions (research, score, draft, review). No autogen here.
"""

from __future__ import annotations

import re
from typing import Literal, Protocol

from pydantic import BaseModel, Field

Verdict = Literal["pass", "flag", "block"]


class BriefFact(BaseModel):
    ref: str = Field(description="short citation handle shown to the model, e.g. F3")
    fact_id: str = Field(description="id of the fact in the knowledge graph")
    text: str
    source_url: str | None = None


class ResearchBrief(BaseModel):
    """A summary of research, never raw pages: a few facts with sources, each citable by its ref."""

    domain: str
    name: str | None = None
    summary: str = ""
    employee_count: int | None = None
    industries: list[str] = Field(default_factory=list)
    country: str | None = None
    language: str | None = None
    signals: list[str] = Field(default_factory=list)
    facts: list[BriefFact] = Field(default_factory=list)

    def fact_by_ref(self) -> dict[str, BriefFact]:
        return {f.ref: f for f in self.facts}


class ScoreOutcome(BaseModel):
    score: float
    tier: str
    qualified: bool
    reasons: list[str] = Field(default_factory=list, description="per-criterion explanations")


class DraftOutcome(BaseModel):
    subject: str
    body: str
    language: str = "en"
    cited_fact_ids: list[str] = Field(default_factory=list)
    claims: list[dict[str, str | None]] = Field(
        default_factory=list, description="each cited sentence as sent (text) with its fact_id and source_url"
    )
    mode: str = Field("template", description="'llm' (written by the copywriter agent) or 'template'")


class ReviewOutcome(BaseModel):
    verdict: Verdict
    findings: list[dict[str, object]] = Field(default_factory=list)
    spam_score: float | None = None
    package: dict[str, object] | None = Field(
        None, description="the full reviewed sequence (rendered steps, footer, unsubscribe) when the workflow made one"
    )


class Toolbox(Protocol):
    """The deterministic workflows, as the agents see them. Implemented in agents/workflows/pipeline.py."""

    async def research(self, domain: str) -> ResearchBrief: ...

    async def score(self, domain: str, brief: ResearchBrief) -> ScoreOutcome: ...

    async def draft(
        self, domain: str, brief: ResearchBrief, *, contact: str | None, language: str, feedback: str | None
    ) -> DraftOutcome: ...

    async def review(
        self, domain: str, draft: DraftOutcome, *, contact: str | None, country: str | None
    ) -> ReviewOutcome: ...


CITATION = re.compile(r"\[(F\d{1,3})\]")


def check_citations(text: str, brief: ResearchBrief) -> tuple[list[str], list[str]]:
    """(fact ids cited, refs that do not exist in the brief). A draft must cite at least one real fact."""
    known = brief.fact_by_ref()
    refs = list(dict.fromkeys(CITATION.findall(text)))
    return [known[r].fact_id for r in refs if r in known], [r for r in refs if r not in known]


def claims_of(text: str, brief: ResearchBrief) -> list[dict[str, str | None]]:
    """The sentences that carry a [Fn] marker, marker removed, each tied to the fact it cites."""
    known = brief.fact_by_ref()
    out: list[dict[str, str | None]] = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        for ref in CITATION.findall(sentence):
            if ref in known:
                fact = known[ref]
                out.append(
                    {"text": strip_citations(sentence).strip(), "fact_id": fact.fact_id, "source_url": fact.source_url}
                )
    return out


def strip_citations(text: str) -> str:
    """The email the recipient reads carries no [F1] markers; the cited ids are kept on the draft."""
    return re.sub(r"[ \t]*\[F\d{1,3}\]", "", text)


def apply_rules(score: ScoreOutcome, brief: ResearchBrief, reason: str | None) -> ScoreOutcome:
    """A team-rule exclusion (see knowledge.memory.rules.TeamRules.exclusion_reason) disqualifies; code decides."""
    if reason is None:
        return score
    return score.model_copy(update={"qualified": False, "reasons": [*score.reasons, reason]})


class LeadFinder(Protocol):
    """Graph queries for open questions (implemented by agents/workflows/pipeline.py WorkflowToolbox)."""

    async def find_leads(
        self, *, signal_type: str | None, industry: str | None, country: str | None, days: int
    ) -> list[dict[str, str | None]]: ...
