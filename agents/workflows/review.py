"""Review workflow: parse a message, run the compliance rules and SpamAssassin, return one verdict."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from agents.policies.compliance import (
    Finding,
    ReviewContext,
    Verdict,
    check_message,
    spam_findings,
    unparseable_finding,
    verdict_of,
)
from agents.policies.compliance_config import ComplianceConfig
from knowledge.deliverability.message import MessageParseError, ParsedMessage, parse_message
from knowledge.deliverability.spamassassin import SpamAssassinUnavailable, SpamReport

log = logging.getLogger(__name__)


class SpamScorer(Protocol):
    """Scores a raw RFC 5322 message (SpamAssassin in production and tests)."""

    async def score(self, raw: bytes) -> SpamReport: ...


@dataclass
class ReviewResult:
    verdict: Verdict
    findings: list[Finding]
    spam_score: float | None
    spam_rules: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The stable shape of `amia review --json`."""
        return {
            "verdict": self.verdict.value,
            "findings": [f.model_dump() for f in self.findings],
            "spam_score": self.spam_score,
        }


async def score_findings(
    raw: bytes, spam: SpamScorer | None, cfg: ComplianceConfig
) -> tuple[list[Finding], SpamReport | None]:
    if spam is None:
        return spam_findings(None, [], cfg, error="SpamAssassin is switched off (compliance.spamassassin_mode)"), None
    try:
        report = await spam.score(raw)
    except SpamAssassinUnavailable as exc:
        log.warning("spam scoring failed: %s", exc)
        return spam_findings(None, [], cfg, error=str(exc)), None
    rules = [(r.name, r.points, r.description) for r in report.rules]
    return spam_findings(report.score, rules, cfg), report


async def review_parsed(
    raw: bytes, msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig, spam: SpamScorer | None
) -> ReviewResult:
    findings = check_message(msg, ctx, cfg)
    extra, report = await score_findings(raw, spam, cfg)
    findings += extra
    return ReviewResult(
        verdict=verdict_of(findings),
        findings=findings,
        spam_score=report.score + 0.0 if report else None,
        spam_rules=report.rule_names if report else [],
    )


async def review_raw(
    raw: bytes, cfg: ComplianceConfig, *, ctx: ReviewContext | None = None, spam: SpamScorer | None
) -> ReviewResult:
    """Review any email. A message that cannot be parsed blocks with a finding saying why."""
    ctx = ctx or ReviewContext()
    try:
        msg = parse_message(raw)
    except MessageParseError as exc:
        finding = unparseable_finding(str(exc))
        return ReviewResult(verdict=Verdict.BLOCK, findings=[finding], spam_score=None)
    return await review_parsed(raw, msg, ctx, cfg, spam)
