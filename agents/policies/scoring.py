"""Explained lead scoring: fit + intent + engagement (0-100), each point traced to a fact or signal. Pure, no I/O.

A lead is described by :class:`LeadFacts` (built from the graph by the scoring workflow). :func:`criteria` turns it
into named features ``x`` in [0, 1] with their evidence; :func:`score_lead` multiplies them by points (the hand-set
ones from config, or learned ones that validated better), caps each component and picks a tier and next action.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from agents.policies.icp_config import SIGNAL_TYPES, IcpConfig, ScoringConfig

Tier = Literal["hot", "warm", "cold", "excluded"]
Component = Literal["fit", "intent", "engagement"]
ENGAGEMENT_TYPES: tuple[str, ...] = ("open", "click", "reply", "meeting", "bounce", "unsubscribe")


class Evidence(BaseModel):
    """Why a criterion holds: the fact or signal id, where it was read, and how sure we are."""

    fact_id: str | None = None
    source_url: str | None = None
    text: str | None = None
    confidence: float | None = None


class Fact(BaseModel):
    """One value the graph believes (an industry, a technology, a headcount...) with its provenance."""

    value: str
    fact_id: str | None = None
    source_url: str | None = None
    confidence: float = 1.0
    evidence: str | None = None

    def as_evidence(self) -> Evidence:
        return Evidence(
            fact_id=self.fact_id, source_url=self.source_url, text=self.evidence, confidence=self.confidence
        )


class SignalFact(BaseModel):
    signal_id: str
    type: str
    occurred_at: datetime | None = None
    confidence: float = 0.7
    source_url: str | None = None
    evidence: str | None = None
    attributes: dict[str, object] = Field(default_factory=dict)


class ContactFact(BaseModel):
    person_id: str
    full_name: str
    email: str | None = None
    title: str | None = None
    seniority: str | None = None
    function: str | None = None
    country: str | None = None
    fact_id: str | None = None
    source_url: str | None = None


class InteractionFact(BaseModel):
    type: str
    occurred_at: datetime


class LeadFacts(BaseModel):
    """What the scorer needs to know about a company (and optionally the contacts and interactions)."""

    domain: str
    name: str | None = None
    industries: list[Fact] = Field(default_factory=list)
    employee_count: Fact | None = None
    country: Fact | None = None
    business_model: Fact | None = None
    technologies: list[Fact] = Field(default_factory=list)
    signals: list[SignalFact] = Field(default_factory=list)
    contacts: list[ContactFact] = Field(default_factory=list)
    interactions: list[InteractionFact] = Field(default_factory=list)
    suppressed: bool = False
    customer_of: list[Fact] = Field(default_factory=list, description="vendors this company buys from")


class Criterion(BaseModel):
    """One scoring feature: ``value`` in [0, 1], what it means, and the evidence behind it."""

    name: str
    component: Component
    value: float
    detail: str
    evidence: list[Evidence] = Field(default_factory=list)


class Contribution(BaseModel):
    name: str
    component: Component
    points: float = Field(description="points this criterion adds (after the component cap is shared out)")
    hand_set_points: float = Field(description="points the hand-set weights would give")
    learned_points: float | None = Field(None, description="points the learned weights would give, if any")
    detail: str
    evidence: list[Evidence] = Field(default_factory=list)


class ScoreResult(BaseModel):
    domain: str
    name: str | None = None
    score: float
    fit: float
    intent: float
    engagement: float
    tier: Tier
    contributions: list[Contribution]
    excluded_reasons: list[str] = Field(default_factory=list)
    best_contact: ContactFact | None = None
    next_action: str
    weights: Literal["hand_set", "learned"] = "hand_set"
    scored_at: datetime


# ---- helpers ----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
SENIORITY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("c_level", re.compile(r"\b(chief|c[emrtfo]o|cxo|founder|co-founder|president|owner|managing director)\b")),
    ("vp", re.compile(r"\b(vp|svp|evp|vice president)\b")),
    ("head", re.compile(r"\bhead\b")),
    ("director", re.compile(r"\bdirector\b")),
    ("manager", re.compile(r"\b(manager|lead)\b")),
    ("senior", re.compile(r"\b(senior|sr|principal|staff)\b")),
)


def seniority_of(title: str | None, given: str | None = None) -> str:
    """The seniority level a title implies (given wins when it is one of ours)."""
    if given:
        g = given.strip().lower().replace("-", "_").replace(" ", "_")
        if g in {"c_level", "vp", "head", "director", "manager", "senior", "entry"}:
            return g
    text = (title or "").lower()
    for level, pattern in SENIORITY_PATTERNS:
        if pattern.search(text):
            return level
    return "entry"


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def matches(value: str, keyword: str) -> bool:
    """A config keyword matches a graph value when it equals it or all its words appear in it."""
    v, k = value.strip().lower(), keyword.strip().lower()
    if v == k:
        return True
    kw = _words(k)
    return bool(kw) and kw <= _words(v)


def decay(age_days: float, half_life_days: float) -> float:
    """Exponential recency decay: 1 today, 0.5 after one half-life. Future dates count as today."""
    return float(0.5 ** (max(age_days, 0.0) / half_life_days))


def _age_days(when: datetime | None, now: datetime) -> float | None:
    return None if when is None else (now - when).total_seconds() / 86400.0


def _headcount_fit(n: int, icp: IcpConfig) -> float:
    if icp.min_employees is not None and n < icp.min_employees:
        return 0.0
    if icp.max_employees is not None and n > icp.max_employees:
        return 0.0
    if not icp.headcount_bands:
        return 1.0 if (icp.min_employees is not None or icp.max_employees is not None) else 0.0
    for band in icp.headcount_bands:
        if n >= band.min and (band.max is None or n <= band.max):
            return band.fit
    return 0.0


def persona_fit(contact: ContactFact, icp: IcpConfig) -> tuple[float, str]:
    """0-1 fit of a person to the persona (half for role family, half for seniority) and why."""
    title = (contact.title or "").lower()
    if any(re.search(rf"\b{re.escape(w)}\b", title) for w in icp.persona.excluded_titles):
        return 0.0, f"title '{contact.title}' is excluded"
    role_text = f"{contact.function or ''} {contact.title or ''}"
    role = any(matches(role_text, fam) for fam in icp.persona.role_families)
    level = seniority_of(contact.title, contact.seniority)
    senior = level in icp.persona.seniorities
    why = f"{contact.full_name} ({contact.title or 'no title'}): " + ", ".join(
        [
            "role family matches" if role else "role family does not match",
            f"seniority {level}" + (" fits" if senior else " below the persona"),
        ]
    )
    return 0.5 * role + 0.5 * senior, why


# ---- criteria ---------------------------------------------------------------------------------


def exclusion_reasons(facts: LeadFacts, icp: IcpConfig) -> list[str]:
    """Hard exclusions: any reason means the lead is never contacted."""
    ex = icp.exclusions
    out: list[str] = []
    domain = facts.domain.lower()

    def under(domains: Sequence[str]) -> bool:
        return any(domain == d or domain.endswith("." + d) for d in domains)

    if under(ex.competitor_domains):
        out.append("a competitor (icp.exclusions.competitor_domains)")
    if under(ex.customer_domains):
        out.append("an existing customer (icp.exclusions.customer_domains)")
    if under(ex.suppressed_domains):
        out.append("domain suppressed in config (icp.exclusions.suppressed_domains)")
    if facts.suppressed:
        out.append("on the suppression list (unsubscribed, bounced or erased)")
    for ind in facts.industries:
        if any(matches(ind.value, x) for x in ex.industries):
            out.append(f"industry '{ind.value}' is excluded (icp.exclusions.industries)")
    if facts.country and facts.country.value.upper() in ex.countries:
        out.append(f"country {facts.country.value.upper()} is excluded (icp.exclusions.countries)")
    return out


def criteria(
    facts: LeadFacts, icp: IcpConfig, scoring: ScoringConfig, now: datetime
) -> tuple[list[Criterion], ContactFact | None]:
    """Every scoring feature of a lead with its evidence, and the contact that fits the persona best."""
    min_conf = scoring.min_fact_confidence
    out: list[Criterion] = []

    def usable(items: Sequence[Fact]) -> list[Fact]:
        return [f for f in items if f.confidence >= min_conf]

    hits = [f for f in usable(facts.industries) if any(matches(f.value, k) for k in icp.industries)]
    out.append(
        Criterion(
            name="fit.industry",
            component="fit",
            value=1.0 if hits else 0.0,
            detail=f"industry {', '.join(f.value for f in hits)} is in the ICP"
            if hits
            else "no ICP industry known"
            + (f" (known: {', '.join(f.value for f in facts.industries)})" if facts.industries else ""),
            evidence=[f.as_evidence() for f in hits],
        )
    )
    bad = [f for f in usable(facts.industries) if any(matches(f.value, k) for k in icp.negative_industries)]
    if bad:
        out.append(
            Criterion(
                name="fit.negative_industry",
                component="fit",
                value=1.0,
                detail=f"industry {', '.join(f.value for f in bad)} fits badly",
                evidence=[f.as_evidence() for f in bad],
            )
        )
    ec = facts.employee_count
    if ec is not None and ec.confidence >= min_conf:
        try:
            n = int(float(ec.value))
        except ValueError:
            n = -1
        hc = _headcount_fit(n, icp) if n >= 0 else 0.0
        out.append(
            Criterion(
                name="fit.headcount",
                component="fit",
                value=hc,
                detail=f"{n} employees" + (" (in range)" if hc > 0 else " (outside the ICP range)"),
                evidence=[ec.as_evidence()],
            )
        )
    else:
        out.append(Criterion(name="fit.headcount", component="fit", value=0.0, detail="headcount unknown"))
    country = facts.country
    fit_countries = icp.fit_countries()
    if country is not None and country.confidence >= min_conf:
        ok = country.value.upper() in fit_countries
        out.append(
            Criterion(
                name="fit.geography",
                component="fit",
                value=1.0 if ok else 0.0,
                detail=f"based in {country.value.upper()}" + ("" if ok else " (outside the ICP geography)"),
                evidence=[country.as_evidence()],
            )
        )
    else:
        out.append(Criterion(name="fit.geography", component="fit", value=0.0, detail="country unknown"))
    techs = usable(facts.technologies)
    good = [t for t in techs if any(matches(t.value, k) for k in icp.technologies_used)]
    out.append(
        Criterion(
            name="fit.technology",
            component="fit",
            value=1.0 if good else 0.0,
            detail=f"uses {', '.join(t.value for t in good)}" if good else "none of the ICP technologies seen",
            evidence=[t.as_evidence() for t in good],
        )
    )
    unwanted = [t for t in techs if any(matches(t.value, k) for k in icp.technologies_not_used)]
    if unwanted:
        out.append(
            Criterion(
                name="fit.unwanted_technology",
                component="fit",
                value=1.0,
                detail=f"uses {', '.join(t.value for t in unwanted)} (icp.technologies_not_used)",
                evidence=[t.as_evidence() for t in unwanted],
            )
        )
    bm = facts.business_model
    bm_ok = bm is not None and bm.confidence >= min_conf and any(matches(bm.value, k) for k in icp.business_models)
    out.append(
        Criterion(
            name="fit.business_model",
            component="fit",
            value=1.0 if bm_ok else 0.0,
            detail=f"business model {bm.value}" + ("" if bm_ok else " (not in the ICP)")
            if bm
            else "business model unknown",
            evidence=[bm.as_evidence()] if bm is not None and bm_ok else [],
        )
    )
    best: ContactFact | None = None
    best_fit, best_why = 0.0, "no contact known"
    for c in facts.contacts:
        fit, why = persona_fit(c, icp)
        if fit > best_fit:
            best, best_fit, best_why = c, fit, why
    if best is None and facts.contacts:
        best_why = "no contact matches the persona"
    out.append(
        Criterion(
            name="fit.persona",
            component="fit",
            value=best_fit,
            detail=best_why,
            evidence=[Evidence(fact_id=best.fact_id, source_url=best.source_url, text=best.title)] if best else [],
        )
    )
    out.extend(_signal_criteria(facts.signals, scoring, now))
    out.extend(_engagement_criteria(facts.interactions, scoring, now))
    return out, best


def _signal_criteria(signals: Sequence[SignalFact], scoring: ScoringConfig, now: datetime) -> list[Criterion]:
    by_type: dict[str, list[tuple[float, SignalFact, float | None]]] = {}
    for s in signals:
        cfg = scoring.signals.get(s.type)
        if cfg is None or s.confidence < scoring.min_fact_confidence:
            continue
        age = _age_days(s.occurred_at, now)
        strength = decay(cfg.half_life_days if age is None else age, cfg.half_life_days) * s.confidence
        by_type.setdefault(s.type, []).append((strength, s, age))
    out = []
    for type_ in SIGNAL_TYPES:
        items = sorted(by_type.get(type_, []), key=lambda t: -t[0])
        if not items:
            continue
        # diminishing returns: the strongest counts fully, the next half, then a quarter...
        value = min(1.0, sum(strength * 0.5**i for i, (strength, _, _) in enumerate(items)))
        top_age = items[0][2]
        when = "date unknown" if top_age is None else f"{top_age:.0f} days ago"
        detail = f"{type_.replace('_', ' ')} ({when})" + (f", {len(items)} signals" if len(items) > 1 else "")
        out.append(
            Criterion(
                name=f"intent.{type_}",
                component="intent",
                value=round(value, 4),
                detail=detail,
                evidence=[
                    Evidence(fact_id=s.signal_id, source_url=s.source_url, text=s.evidence, confidence=s.confidence)
                    for _, s, _ in items[:3]
                ],
            )
        )
    return out


def _engagement_criteria(
    interactions: Sequence[InteractionFact], scoring: ScoringConfig, now: datetime
) -> list[Criterion]:
    half = scoring.engagement.half_life_days
    sums: dict[str, tuple[float, int]] = {}
    for i in interactions:
        if i.type not in ENGAGEMENT_TYPES:
            continue
        age = _age_days(i.occurred_at, now) or 0.0
        total, count = sums.get(i.type, (0.0, 0))
        sums[i.type] = (total + decay(age, half), count + 1)
    return [
        Criterion(
            name=f"engagement.{t}",
            component="engagement",
            value=round(min(1.0, sums[t][0]), 4),
            detail=f"{sums[t][1]} {t}{'s' if sums[t][1] > 1 else ''}",
        )
        for t in ENGAGEMENT_TYPES
        if t in sums
    ]


# ---- points -----------------------------------------------------------------------------------


def hand_set_weights(scoring: ScoringConfig) -> dict[str, float]:
    """Points per feature at value 1 (negative criteria carry negative points)."""
    f = scoring.fit
    w = {
        "fit.industry": f.industry,
        "fit.headcount": f.headcount,
        "fit.geography": f.geography,
        "fit.technology": f.technology,
        "fit.business_model": f.business_model,
        "fit.persona": f.persona,
        "fit.negative_industry": -f.negative_industry,
        "fit.unwanted_technology": -f.unwanted_technology,
    }
    w |= {f"intent.{k}": v.weight for k, v in scoring.signals.items()}
    e = scoring.engagement
    w |= {f"engagement.{t}": float(getattr(e, t)) for t in ENGAGEMENT_TYPES}
    return w


def _tier(score: float, scoring: ScoringConfig) -> Tier:
    if score >= scoring.hot_threshold:
        return "hot"
    if score >= scoring.warm_threshold:
        return "warm"
    return "cold"


def _cap(raw: float, cap: float, *, floor: float = 0.0) -> float:
    return max(floor, min(cap, raw))


def score_lead(
    facts: LeadFacts,
    icp: IcpConfig,
    scoring: ScoringConfig,
    now: datetime,
    *,
    learned: Mapping[str, float] | None = None,
) -> ScoreResult:
    """Score a lead. ``learned`` (feature → points) replaces the hand-set points when given."""
    crits, best = criteria(facts, icp, scoring, now)
    hand = hand_set_weights(scoring)
    weights = dict(learned) if learned is not None else hand
    caps: dict[Component, tuple[float, float]] = {
        "fit": (scoring.fit_max, 0.0),
        "intent": (scoring.intent_max, 0.0),
        "engagement": (scoring.engagement_max, -scoring.engagement_max),
    }
    raw: dict[Component, float] = {"fit": 0.0, "intent": 0.0, "engagement": 0.0}
    for c in crits:
        raw[c.component] += weights.get(c.name, 0.0) * c.value
    capped = {k: _cap(v, caps[k][0], floor=caps[k][1]) for k, v in raw.items()}
    contributions = []
    for c in crits:
        pts = weights.get(c.name, 0.0) * c.value
        scale = capped[c.component] / raw[c.component] if raw[c.component] and pts else 1.0
        contributions.append(
            Contribution(
                name=c.name,
                component=c.component,
                points=round(pts * scale, 2),
                hand_set_points=round(hand.get(c.name, 0.0) * c.value, 2),
                learned_points=None if learned is None else round(learned.get(c.name, 0.0) * c.value, 2),
                detail=c.detail,
                evidence=c.evidence,
            )
        )
    total = round(_cap(sum(capped.values()), 100.0), 1)
    excluded = exclusion_reasons(facts, icp)
    tier: Tier = "excluded" if excluded else _tier(total, scoring)
    result = ScoreResult(
        domain=facts.domain,
        name=facts.name,
        score=total,
        fit=round(capped["fit"], 1),
        intent=round(capped["intent"], 1),
        engagement=round(capped["engagement"], 1),
        tier=tier,
        contributions=sorted(contributions, key=lambda c: -abs(c.points)),
        excluded_reasons=excluded,
        best_contact=best,
        next_action="",
        weights="learned" if learned is not None else "hand_set",
        scored_at=now,
    )
    result.next_action = next_best_action(result, icp)
    return result


def next_best_action(result: ScoreResult, icp: IcpConfig) -> str:
    """One sentence a rep can act on, derived from the tier, the best contact and the strongest signal."""
    who = result.name or result.domain
    if result.tier == "excluded":
        return f"Do not contact {who}: {result.excluded_reasons[0]}."
    replies = [c for c in result.contributions if c.name in ("engagement.reply", "engagement.meeting") and c.points > 0]
    if replies:
        return f"{who} has replied: hand the thread to the owner and follow up personally."
    signals = [c for c in result.contributions if c.component == "intent" and c.points > 0]
    contact = result.best_contact
    if result.tier == "cold":
        return f"Monitor {who}: re-score when a new buying signal arrives."
    if contact is None:
        roles = "/".join(icp.persona.role_families[:2]) or "decision-maker"
        return f"Find a {roles} leader at {who}: no contact matches the persona yet."
    hook = f", citing the {signals[0].detail.split(' (')[0]}" if signals else ""
    if result.tier == "hot":
        return f"Draft outreach to {contact.full_name} ({contact.title or 'contact'}){hook}."
    if signals:
        return f"Queue {contact.full_name} for outreach{hook}."
    return f"Research {who} for a recent trigger before writing to {contact.full_name}."


def score_change(current: float, previous: float | None, reason: str | None = None) -> str:
    """'up 18 since the Series B' style text for a score change."""
    if previous is None:
        return "first score"
    delta = round(current - previous)
    if delta == 0:
        return "unchanged"
    direction = "up" if delta > 0 else "down"
    return f"{direction} {abs(delta)}" + (f" since {reason}" if reason else "")
