"""Risk assessment and escalation: which triggers apply to a send, its risk tier, and who must approve. Pure.

Other parts call :func:`assess_risk` before a message is queued for sending. The result never sends anything: it
tells the approval flow whose approval is needed and whether a person must write the message themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from agents.policies.regions import EEA
from agents.policies.risk_config import TIER_ORDER, Autonomy, RiskConfig, RiskTier
from agents.policies.scoring import matches

POSITIVE_SIGNALS = frozenset({"funding", "expansion", "hiring", "product_launch"})
NEGATIVE_SIGNALS = frozenset({"layoffs"})


class RiskFact(BaseModel):
    """A fact or signal a draft relies on, with how sure we are of it."""

    fact_id: str
    confidence: float
    source_url: str | None = None
    label: str | None = Field(None, description="short text: what the fact says")


class RiskSignal(BaseModel):
    type: str
    occurred_at: datetime | None = None
    signal_id: str | None = None


class RiskContext(BaseModel):
    """What is known about one planned contact. Build it from the graph (see agents.workflows.scoring)."""

    domain: str
    contact_country: str | None = Field(None, description="ISO code of the recipient's country, if known")
    company_country: str | None = Field(None, description="ISO code of the company's headquarters")
    industries: list[str] = Field(default_factory=list)
    employee_count: int | None = None
    first_contact: bool = Field(True, description="no earlier message was sent to anyone at this company")
    competitor_customer_of: list[str] = Field(default_factory=list, description="competitors it is a customer of")
    cited_facts: list[RiskFact] = Field(default_factory=list, description="facts and signals the message cites")
    signals: list[RiskSignal] = Field(default_factory=list)
    extra_concerns: list[str] = Field(
        default_factory=list, description="concerns flagged elsewhere (compliance review, a model); each is high"
    )


class RiskReason(BaseModel):
    code: str
    tier: RiskTier
    detail: str


class RiskAssessment(BaseModel):
    tier: RiskTier
    reasons: list[RiskReason]
    jurisdiction: str = Field(description="gdpr, uk_gdpr, casl, can_spam, other or unknown")
    approvers_group: str | None = Field(description="who must approve; None when autonomy lets it go unapproved")
    requires_approval: bool
    human_must_write: bool


def jurisdiction_of(country: str | None) -> tuple[str, str]:
    """(key, law) of the privacy regime that governs a recipient in ``country``."""
    if not country:
        return "unknown", "country not known: the strictest likely regime must be assumed"
    cc = country.strip().upper()
    if cc in EEA:
        return "gdpr", "EU GDPR and ePrivacy: legitimate interest, opt-out in every message"
    if cc in {"GB", "UK"}:
        return "uk_gdpr", "UK GDPR and PECR: corporate subscribers, opt-out in every message"
    if cc == "CA":
        return "casl", "CASL: express or implied consent needed before a commercial message"
    if cc == "US":
        return "can_spam", "CAN-SPAM: truthful headers, postal address, working opt-out"
    return "other", f"{cc}: local rules apply; check before sending"


def conflicting_signals(signals: Sequence[RiskSignal], window_days: int) -> list[str]:
    """Pairs of opposite signals (growth vs layoffs) within ``window_days`` of each other."""
    pos = [s for s in signals if s.type in POSITIVE_SIGNALS and s.occurred_at]
    neg = [s for s in signals if s.type in NEGATIVE_SIGNALS and s.occurred_at]
    out = []
    for n in neg:
        for p in pos:
            assert n.occurred_at is not None and p.occurred_at is not None
            if abs((n.occurred_at - p.occurred_at).days) <= window_days:
                out.append(f"{p.type} on {p.occurred_at.date()} vs {n.type} on {n.occurred_at.date()}")
    return sorted(set(out))


def _max(tiers: Sequence[RiskTier]) -> RiskTier:
    return max(tiers, key=TIER_ORDER.index) if tiers else RiskTier.LOW


def assess_risk(ctx: RiskContext, config: RiskConfig) -> RiskAssessment:
    """Multi-criteria risk of contacting this person now, and the approval route it needs.

    Each trigger adds a reason with its own tier; the overall tier is the highest, raised to critical when two or
    more independent triggers are high. With the default autonomy (approve_all) every send needs approval.
    """
    reasons: list[RiskReason] = []
    country = ctx.contact_country or ctx.company_country
    juris, law = jurisdiction_of(country)
    jtier: RiskTier = getattr(config.jurisdictions, juris)
    src = "contact" if ctx.contact_country else ("company headquarters" if ctx.company_country else "no country")
    reasons.append(RiskReason(code=f"jurisdiction.{juris}", tier=jtier, detail=f"{law} (from {src})"))
    sensitive = sorted({i for i in ctx.industries for s in config.sensitive_industries if matches(i, s)})
    if sensitive:
        reasons.append(
            RiskReason(
                code="sensitive_industry",
                tier=RiskTier.HIGH,
                detail=f"sensitive industry: {', '.join(sensitive)} (risk.sensitive_industries)",
            )
        )
    weak = [f for f in ctx.cited_facts if f.confidence < config.low_confidence]
    if weak:
        shown = "; ".join(f"{f.label or f.fact_id} ({f.confidence:.2f})" for f in weak[:3])
        reasons.append(
            RiskReason(
                code="low_confidence_fact",
                tier=RiskTier.MEDIUM,
                detail=f"{len(weak)} cited fact(s) below confidence {config.low_confidence}: {shown}",
            )
        )
    if ctx.first_contact and ctx.employee_count is not None and ctx.employee_count >= config.large_account_employees:
        reasons.append(
            RiskReason(
                code="large_account_first_contact",
                tier=RiskTier.HIGH,
                detail=f"first contact with a large account ({ctx.employee_count} employees)",
            )
        )
    if ctx.competitor_customer_of:
        reasons.append(
            RiskReason(
                code="competitor_customer",
                tier=RiskTier.HIGH,
                detail=f"customer of a competitor ({', '.join(ctx.competitor_customer_of)}): claims about them "
                "must be checked",
            )
        )
    conflicts = conflicting_signals(ctx.signals, config.conflict_window_days)
    if conflicts:
        reasons.append(RiskReason(code="conflicting_signals", tier=RiskTier.MEDIUM, detail="; ".join(conflicts[:3])))
    for concern in ctx.extra_concerns:
        reasons.append(RiskReason(code="flagged", tier=RiskTier.HIGH, detail=concern))
    tier = _max([r.tier for r in reasons])
    if sum(1 for r in reasons if TIER_ORDER.index(r.tier) >= TIER_ORDER.index(RiskTier.HIGH)) >= 2:
        tier = RiskTier.CRITICAL
    route = config.routes[tier]
    if config.autonomy is Autonomy.APPROVE_ALL:
        needs = True
    elif config.autonomy is Autonomy.AUTO_LOW:
        needs = tier is not RiskTier.LOW
    else:
        needs = tier in (RiskTier.HIGH, RiskTier.CRITICAL)
    needs = needs or route.human_must_write
    return RiskAssessment(
        tier=tier,
        reasons=sorted(reasons, key=lambda r: -TIER_ORDER.index(r.tier)),
        jurisdiction=juris,
        approvers_group=route.approvers if needs else None,
        requires_approval=needs,
        human_must_write=route.human_must_write,
    )
