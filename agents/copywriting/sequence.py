"""A draft package: the sequence steps (angle, subjects as A/B variants, body, citations) and the review."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agents.policies.compliance import Claim, Finding, Verdict, verdict_of


class Variant(BaseModel):
    """One A/B variant of a step; ``tag`` is stored with sends so outcomes can be attributed."""

    tag: str
    subject: str


class DraftStep(BaseModel):
    step: int
    angle: str
    language: str
    subject: str
    body: str
    variants: list[Variant]
    citations: list[Claim]
    mode: str = Field(description="'template' (deterministic) or 'llm'")
    message_id: str
    raw: str = Field("", description="the rendered RFC 5322 message that was scored")
    findings: list[Finding] = Field(default_factory=list)
    spam_score: float | None = None
    verdict: Verdict = Verdict.BLOCK


class DraftPackage(BaseModel):
    domain: str
    company: str
    contact: str | None
    contact_name: str | None = None
    lead_id: str | None = None
    language: str
    mode: str
    steps: list[DraftStep] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list, description="package-level findings (input problems)")

    @property
    def verdict(self) -> Verdict:
        every = list(self.findings) + [f for s in self.steps for f in s.findings]
        if not self.steps:
            return Verdict.BLOCK
        return verdict_of(every)

    def as_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"steps": {"__all__": {"raw"}}})
        data["verdict"] = self.verdict.value
        return data
