"""Risk triggers, tiers and approval routes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.policies.risk import RiskContext, RiskFact, RiskSignal, assess_risk, jurisdiction_of
from agents.policies.risk_config import Autonomy, RiskConfig, RiskTier

NOW = datetime(2026, 11, 20, tzinfo=UTC)
CFG = RiskConfig()


def ctx(**kw: object) -> RiskContext:
    data: dict[str, object] = {"domain": "acme.io", "contact_country": "US", "employee_count": 200}
    data.update(kw)
    return RiskContext.model_validate(data)


def test_jurisdictions() -> None:
    assert jurisdiction_of("de")[0] == "gdpr"
    assert jurisdiction_of("NO")[0] == "gdpr"  # EEA
    assert jurisdiction_of("GB")[0] == "uk_gdpr"
    assert jurisdiction_of("CA")[0] == "casl"
    assert jurisdiction_of("US")[0] == "can_spam"
    assert jurisdiction_of("JP")[0] == "other"
    assert jurisdiction_of(None)[0] == "unknown"


def test_default_autonomy_means_a_human_approves_every_send() -> None:
    a = assess_risk(ctx(), CFG)
    assert a.tier is RiskTier.LOW
    assert a.requires_approval and a.approvers_group == "owner" and not a.human_must_write


def test_auto_low_lets_low_risk_go_but_not_canada() -> None:
    cfg = RiskConfig(autonomy=Autonomy.AUTO_LOW)
    assert not assess_risk(ctx(), cfg).requires_approval
    canada = assess_risk(ctx(contact_country="CA"), cfg)
    assert canada.tier is RiskTier.HIGH and canada.approvers_group == "sales-leads"
    assert any("CASL" in r.detail for r in canada.reasons)


def test_contact_country_wins_over_company_country() -> None:
    a = assess_risk(ctx(contact_country="FR", company_country="US"), CFG)
    assert a.jurisdiction == "gdpr" and a.tier is RiskTier.MEDIUM
    b = assess_risk(ctx(contact_country=None, company_country=None), CFG)
    assert b.jurisdiction == "unknown" and b.tier is RiskTier.HIGH


def test_each_trigger_is_named() -> None:
    a = assess_risk(
        ctx(
            cited_facts=[RiskFact(fact_id="f1", confidence=0.3, label="raised $30M")],
            signals=[
                RiskSignal(type="funding", occurred_at=NOW),
                RiskSignal(type="layoffs", occurred_at=NOW - timedelta(days=30)),
            ],
        ),
        CFG,
    )
    codes = {r.code for r in a.reasons}
    assert {"low_confidence_fact", "conflicting_signals"} <= codes
    assert a.tier is RiskTier.MEDIUM
    assert "raised $30M (0.30)" in next(r.detail for r in a.reasons if r.code == "low_confidence_fact")


def test_two_high_triggers_escalate_to_critical_and_a_human_writes() -> None:
    a = assess_risk(ctx(industries=["Healthcare IT"], employee_count=5000, first_contact=True), CFG)
    assert {"sensitive_industry", "large_account_first_contact"} <= {r.code for r in a.reasons}
    assert a.tier is RiskTier.CRITICAL and a.human_must_write and a.approvers_group == "compliance"
    # even full autonomy cannot skip a route that needs a human writer
    assert assess_risk(
        ctx(industries=["Healthcare"], competitor_customer_of=["rival.io"]), RiskConfig(autonomy=Autonomy.AUTO_MEDIUM)
    ).requires_approval


def test_large_account_only_on_first_contact() -> None:
    assert assess_risk(ctx(employee_count=5000, first_contact=False), CFG).tier is RiskTier.LOW
    assert assess_risk(ctx(employee_count=5000), CFG).tier is RiskTier.HIGH


def test_old_conflicts_do_not_count() -> None:
    a = assess_risk(
        ctx(
            signals=[
                RiskSignal(type="funding", occurred_at=NOW),
                RiskSignal(type="layoffs", occurred_at=NOW - timedelta(days=400)),
            ]
        ),
        CFG,
    )
    assert a.tier is RiskTier.LOW
