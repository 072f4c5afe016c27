"""Scoring workflow: graph → LeadFacts adapter, score with history, batch scoring, the ranked queue, risk context,
and patterns across leads for the digest and the copywriter."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.policies.prioritisation import Queue
from agents.policies.risk import RiskContext, RiskFact, RiskSignal
from agents.policies.scoring import (
    ContactFact,
    Criterion,
    Fact,
    InteractionFact,
    LeadFacts,
    ScoreResult,
    SignalFact,
    criteria,
    hand_set_weights,
    next_best_action,
    score_change,
    score_lead,
)
from agents.workflows.queue import filled_queue, full_queue
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.scoring import ScoringGraph
from knowledge.graph.store import CompanyProfile
from knowledge.learning.outcomes import OutcomeFit, fit_outcomes, what_changed
from knowledge.memory.rules import TeamRules
from knowledge.models import normalise_domain


def _as_dt(value: Any) -> datetime | None:
    if value is None:
        return None
    to_native = getattr(value, "to_native", None)
    dt = to_native() if callable(to_native) else value
    if isinstance(dt, datetime) and dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt if isinstance(dt, datetime) else None


def _prop(props: Mapping[str, Any], key: str) -> Fact | None:
    value = props.get(key)
    if value is None or value == "":
        return None
    return Fact(value=str(value), evidence=f"company record: {key}")


def _facts(domain: str, props: Mapping[str, Any], facts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    industries: list[Fact] = []
    techs: list[Fact] = []
    customer_of: list[Fact] = []
    for f in facts:
        if not f or f.get("object") is None:
            continue
        fact = Fact(
            value=str(f["object"]),
            fact_id=f.get("fact_id"),
            source_url=f.get("source_url"),
            confidence=float(conf) if (conf := f.get("confidence")) is not None else 0.8,
            evidence=f.get("evidence"),
        )
        {"IN_INDUSTRY": industries, "USES": techs, "CUSTOMER_OF": customer_of}.get(f["predicate"], []).append(fact)
    if not industries:  # the company node may carry industries directly (Company.industries)
        industries = [Fact(value=str(i), evidence="company record: industries") for i in props.get("industries") or []]
    return {
        "domain": domain,
        "name": props.get("name"),
        "industries": industries,
        "employee_count": _prop(props, "employee_count"),
        "country": _prop(props, "hq_country"),
        "business_model": _prop(props, "business_model"),
        "technologies": techs,
        "customer_of": customer_of,
    }


def profile_to_facts(
    profile: CompanyProfile, interactions: Sequence[Mapping[str, Any]] = (), *, suppressed: bool = False
) -> LeadFacts:
    """Adapter: the graph's CompanyProfile → the scorer's LeadFacts."""
    base = _facts(profile.domain, profile.properties, [f.model_dump() | {"object": f.object} for f in profile.facts])
    return LeadFacts(
        **base,
        signals=[
            SignalFact(
                signal_id=s.signal_id,
                type=s.type,
                occurred_at=s.occurred_at or s.recorded_at,
                confidence=s.confidence,
                source_url=s.source_url,
                evidence=s.evidence,
                attributes=s.attributes,
            )
            for s in profile.signals
        ],
        contacts=[
            ContactFact.model_validate(p.model_dump(include=set(ContactFact.model_fields))) for p in profile.people
        ],
        interactions=[
            InteractionFact(type=str(i["type"]), occurred_at=dt)
            for i in interactions
            if (dt := _as_dt(i.get("occurred_at"))) is not None
        ],
        suppressed=suppressed,
    )


def batch_row_to_facts(row: Mapping[str, Any]) -> LeadFacts:
    """Adapter for ScoringGraph.company_batch rows (bulk scoring)."""
    props = row["company"]
    base = _facts(props["domain"], props, row["facts"])
    return LeadFacts(
        **base,
        signals=[
            SignalFact(
                signal_id=s["signal_id"],
                type=s["type"],
                occurred_at=_as_dt(s.get("occurred_at")),
                confidence=float(s.get("confidence") or 0.0),
                source_url=s.get("source_url"),
                evidence=s.get("evidence"),
            )
            for s in row["signals"]
        ],
        contacts=[ContactFact.model_validate({k: v for k, v in p.items() if v is not None}) for p in row["people"]],
        interactions=[
            InteractionFact(type=str(i["type"]), occurred_at=dt)
            for i in row["interactions"]
            if (dt := _as_dt(i.get("occurred_at"))) is not None
        ],
    )


def snapshot_of(result: ScoreResult, crits: Sequence[Criterion]) -> dict[str, Any]:
    top = next((c for c in result.contributions if c.component == "intent" and c.points > 0), None)
    return {
        "domain": result.domain,
        "score": result.score,
        "fit": result.fit,
        "intent": result.intent,
        "engagement": result.engagement,
        "tier": result.tier,
        "weights": result.weights,
        "scored_at": result.scored_at,
        "features": {c.name: c.value for c in crits},
        "contributions": [c.model_dump(mode="json") for c in result.contributions],
        "top_signal": top.detail.split(" (")[0] if top else None,
    }


@dataclass
class ScoredCompany:
    result: ScoreResult
    previous: dict[str, Any] | None
    change: str
    history: list[dict[str, Any]]


async def score_company(
    graph: Neo4jGraphStore,
    domain: str,
    icp: IcpConfig,
    scoring: ScoringConfig,
    *,
    now: datetime | None = None,
    learned: Mapping[str, float] | None = None,
    save: bool = True,
    team_rules: TeamRules | None = None,
) -> ScoredCompany | None:
    """Score one company from the graph, keep the snapshot, and say how it moved since the last one.

    ``team_rules`` are the rules the team taught AMIA in conversation ("no companies under 50 people"); a company
    they rule out is 'excluded' with the rule as the reason, exactly like a config exclusion.
    """
    now = now or datetime.now(UTC)
    domain = normalise_domain(domain)
    profile = await graph.company_profile(domain)
    if profile is None:
        return None
    sg = ScoringGraph(graph)
    suppressed = bool(
        await graph.read("MATCH (s:Suppression {value: $d, kind: 'domain'}) RETURN s.value AS v", d=domain)
    )
    interactions = await graph.read(
        "MATCH (l:Lead {company_id: $cid})-[:HAD]->(x:Interaction) RETURN x.type AS type, x.occurred_at AS occurred_at",
        cid=profile.company_id,
    )
    facts = profile_to_facts(profile, interactions, suppressed=suppressed)
    result = score_lead(facts, icp, scoring, now, learned=learned)
    if team_rules is not None:
        apply_team_rules(result, facts, team_rules, icp)
    history = await sg.score_history(domain)
    previous = history[0] if history else None
    reason = None
    if previous is not None:
        top = next((c for c in result.contributions if c.component == "intent" and c.points > 0), None)
        if top is not None and result.score > previous["score"]:
            reason = "the " + top.detail.split(" (")[0]
    change = score_change(result.score, previous["score"] if previous else None, reason)
    if save:
        crits, _ = criteria(facts, icp, scoring, now)
        await sg.save_snapshot(snapshot_of(result, crits))
    return ScoredCompany(result=result, previous=previous, change=change, history=history)


def _as_int(fact: Any) -> int | None:
    try:
        return int(float(fact.value)) if fact is not None else None
    except (TypeError, ValueError):
        return None


def apply_team_rules(result: ScoreResult, facts: LeadFacts, rules: TeamRules, icp: IcpConfig) -> None:
    """Exclude ``result`` in place when the team's rules rule the company out (reason shown to the user)."""
    reason = rules.exclusion_reason(
        employee_count=_as_int(facts.employee_count),
        industries=[f.value for f in facts.industries],
        country=facts.country.value if facts.country is not None else None,
    )
    if reason and reason not in result.excluded_reasons:
        result.excluded_reasons = [*result.excluded_reasons, reason]
        result.tier = "excluded"
        result.next_action = next_best_action(result, icp)


async def score_all(
    graph: Neo4jGraphStore,
    icp: IcpConfig,
    scoring: ScoringConfig,
    *,
    now: datetime | None = None,
    batch_size: int = 500,
    learned: Mapping[str, float] | None = None,
) -> list[ScoreResult]:
    """Score every company in the graph in batches and store the snapshots."""
    now = now or datetime.now(UTC)
    sg = ScoringGraph(graph)
    ids = await sg.company_ids()
    results: list[ScoreResult] = []
    saving: asyncio.Task[int] | None = None  # the previous batch is written while the next one is read
    try:
        for i in range(0, len(ids), batch_size):
            rows = await sg.company_batch(ids[i : i + batch_size], now=now)
            snaps = []
            for row in rows:
                facts = batch_row_to_facts(row)
                result = score_lead(facts, icp, scoring, now, learned=learned)
                crits, _ = criteria(facts, icp, scoring, now)
                snaps.append(snapshot_of(result, crits))
                results.append(result)
            if saving is not None:
                await saving
            saving = asyncio.create_task(sg.save_snapshots(snaps))
        if saving is not None:
            await saving
    finally:
        if saving is not None and not saving.done():
            saving.cancel()
    return results


async def ranked_queue(
    graph: Neo4jGraphStore,
    scoring: ScoringConfig,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    tiers: Sequence[str] | None = None,
) -> Queue:
    """The work queue across all scored leads.

    Without ``tiers`` every scored lead is read and each one held back is listed with its reason. ``tiers`` reads
    only leads of those tiers, best first, a page at a time, until the queue is full or no lead that could still
    enter is left, and leaves the skipped list empty: the items are the same as in the full queue's items of those
    tiers (higher tiers always score higher, so lower tiers never take a place or a capacity slot before them), at a
    fraction of the cost on a large graph. Callers that report why leads were held back pass no ``tiers``.
    """
    now = now or datetime.now(UTC)
    if tiers is None:
        return await full_queue(ScoringGraph(graph), scoring.queue, now, limit=limit)
    return await filled_queue(ScoringGraph(graph), scoring.queue, now, tiers=tiers, limit=limit)


def risk_context(
    facts: LeadFacts,
    result: ScoreResult,
    *,
    contact: ContactFact | None = None,
    first_contact: bool = True,
    competitors: Sequence[str] = (),
) -> RiskContext:
    """Build the input of agents.policies.risk.assess_risk from what the scorer knows."""
    contact = contact or result.best_contact
    cited = [
        RiskFact(fact_id=e.fact_id, confidence=e.confidence, source_url=e.source_url, label=e.text)
        for c in result.contributions
        if c.points > 0
        for e in c.evidence
        if e.fact_id and e.confidence is not None
    ]
    emp = None
    if facts.employee_count is not None:
        try:
            emp = int(float(facts.employee_count.value))
        except ValueError:
            emp = None
    comp = {d.lower() for d in competitors}
    return RiskContext(
        domain=facts.domain,
        contact_country=contact.country if contact else None,
        company_country=facts.country.value if facts.country else None,
        industries=[f.value for f in facts.industries],
        employee_count=emp,
        first_contact=first_contact,
        competitor_customer_of=[f.value for f in facts.customer_of if f.value.lower() in comp],
        cited_facts=cited,
        signals=[RiskSignal(type=s.type, occurred_at=s.occurred_at, signal_id=s.signal_id) for s in facts.signals],
    )


async def conversion_patterns(
    graph: Neo4jGraphStore, scoring: ScoringConfig, *, min_leads: int = 5
) -> dict[str, list[dict[str, Any]]]:
    """Which industries, signals, personas and message variants convert (rate vs the overall rate), for the
    digest and the copywriter. Groups with fewer than ``min_leads`` leads are left out."""
    sg = ScoringGraph(graph)
    positive = scoring.learning.positive_outcomes
    out: dict[str, list[dict[str, Any]]] = {}
    for dim in ("industry", "signal", "seniority", "function", "variant"):
        rows = await sg.conversion_by(dim, positive)
        total = sum(r["leads"] for r in rows) or 1
        overall = sum(r["converted"] for r in rows) / total
        out[dim] = [
            {
                "key": r["key"],
                "leads": r["leads"],
                "converted": r["converted"],
                "rate": round(r["converted"] / r["leads"], 3),
                "lift": round((r["converted"] / r["leads"]) / overall, 2) if overall else None,
            }
            for r in rows
            if r["leads"] >= min_leads
        ]
        out[dim].sort(key=lambda r: -r["rate"])
    return out


def capped_score(features: Mapping[str, float], points: Mapping[str, float], scoring: ScoringConfig) -> float:
    """The scorer's total for stored feature values (same caps as score_lead), for like-for-like validation."""
    caps = {"fit": (0.0, scoring.fit_max), "intent": (0.0, scoring.intent_max)}
    caps["engagement"] = (-scoring.engagement_max, scoring.engagement_max)
    parts = {k: 0.0 for k in caps}
    for name, value in features.items():
        comp = name.split(".", 1)[0]
        if comp in parts:
            parts[comp] += points.get(name, 0.0) * value
    return max(0.0, min(100.0, sum(max(lo, min(hi, parts[k])) for k, (lo, hi) in caps.items())))


async def learn_from_outcomes(
    graph: Neo4jGraphStore, scoring: ScoringConfig, *, now: datetime | None = None
) -> tuple[OutcomeFit, list[str]]:
    """Refit points from recorded outcomes, store the run, and return it with the digest's 'what changed'."""
    sg = ScoringGraph(graph)
    cfg = scoring.learning
    rows = await sg.training_rows(cfg.positive_outcomes)
    previous = await sg.weights_history(limit=1)
    fit = fit_outcomes(
        rows,
        hand_set_weights(scoring),
        {"fit": scoring.fit_max, "intent": scoring.intent_max, "engagement": scoring.engagement_max},
        lambda f, p: capped_score(f, p, scoring),
        half_life_days=cfg.half_life_days,
        min_outcomes=cfg.min_outcomes,
        min_auc_gain=cfg.min_auc_gain,
        now=now,
    )
    await sg.save_weights(fit.to_record())
    return fit, what_changed(fit.to_record(), previous[0] if previous else None)


async def active_learned_points(graph: Neo4jGraphStore) -> dict[str, float] | None:
    """Points of the latest accepted learning run, or None (use the hand-set points)."""
    for run in await ScoringGraph(graph).weights_history(limit=20):
        if run.get("accepted"):
            return {k: float(v) for k, v in (run.get("points") or {}).items()}
    return None
