"""The compliance gate (pure): run every rule over a parsed message and turn findings into a verdict.

Findings are values, not exceptions. Any 'block' finding blocks; any 'flag' flags; 'info' never changes the
verdict. A model may add findings later, never remove one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from agents.policies.compliance_config import ComplianceConfig
from agents.policies.compliance_rules import can_spam, content, evidence, privacy
from agents.policies.compliance_rules.base import (
    Claim,
    ConsentRecord,
    EvidenceFact,
    Finding,
    ReviewContext,
    Severity,
)
from knowledge.deliverability.message import ParsedMessage

__all__ = [
    "Claim",
    "ConsentRecord",
    "EvidenceFact",
    "Finding",
    "ReviewContext",
    "Severity",
    "Verdict",
    "check_message",
    "spam_findings",
    "unparseable_finding",
    "verdict_of",
]


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FLAG = "flag"
    BLOCK = "block"


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    severities = {f.severity for f in findings}
    if "block" in severities:
        return Verdict.BLOCK
    if "flag" in severities:
        return Verdict.FLAG
    return Verdict.PASS


def check_message(msg: ParsedMessage, ctx: ReviewContext, cfg: ComplianceConfig) -> list[Finding]:
    """Every rule except deliverability (which needs SpamAssassin): jurisdiction, content, evidence."""
    country = privacy.recipient_country(msg, ctx)
    findings: list[Finding] = []
    findings += privacy.check_recipients(msg, ctx, cfg)
    findings += can_spam.check(msg, ctx)
    findings += privacy.check_jurisdiction(msg, ctx, cfg, country)
    findings += privacy.check_personal_data(msg, cfg)
    findings += privacy.check_claims(msg, ctx, cfg)
    findings += content.check_links(msg, ctx, cfg)
    findings += content.check_attachments(msg, cfg)
    findings += evidence.check_injection_text(msg)
    if ctx.draft:
        findings += evidence.check_evidence(msg, ctx)
    if ctx.draft and not ctx.postal_address:
        findings.append(
            Finding(
                rule="persona.postal_address",
                severity="block",
                text="persona.postal_address is empty",
                fix="set persona.postal_address in config.yaml (CAN-SPAM requires it)",
            )
        )
    return _dedupe(findings)


def spam_findings(
    score: float | None, rules: Sequence[tuple[str, float, str]], cfg: ComplianceConfig, *, error: str | None = None
) -> list[Finding]:
    """SpamAssassin result → findings: block ≥ block threshold or on a hard-fail rule, flag ≥ flag threshold."""
    if score is None:
        return [
            Finding(
                rule="deliverability.unscored",
                severity="block",
                text=error or "SpamAssassin did not run",
                fix="install SpamAssassin (`make system-deps`) and set compliance.spamassassin_mode; "
                "nothing unscored is sent",
            )
        ]
    score = score + 0.0  # never print -0.0
    fired = ", ".join(f"{name} ({points:+.1f})" for name, points, _ in rules if points != 0) or "no scoring rules"
    text = f"score {score:.1f}: {fired}"
    out: list[Finding] = []
    hard = [name for name, _, _ in rules if name in cfg.spam_hard_fail_rules]
    if hard:
        out.append(
            Finding(
                rule="deliverability.hard_fail",
                severity="block",
                text=", ".join(hard),
                fix="these SpamAssassin rules always block: fix what they describe",
            )
        )
    if score >= cfg.spam_block_threshold:
        severity: Severity = "block"
    elif score >= cfg.spam_flag_threshold:
        severity = "flag"
    else:
        severity = "info"
    out.append(
        Finding(
            rule="deliverability.spam_score",
            severity=severity,
            text=text,
            fix="rewrite the parts the listed rules describe" if severity != "info" else "none needed",
        )
    )
    return out


def unparseable_finding(reason: str) -> Finding:
    return Finding(
        rule="message.unparseable",
        severity="block",
        text=reason,
        fix="provide a complete RFC 5322 email (headers, blank line, body), e.g. a saved .eml file",
    )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.text)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
