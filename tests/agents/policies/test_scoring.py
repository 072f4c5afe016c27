"""Scoring maths and explanations: pure unit tests on LeadFacts built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.policies.scoring import (
    ContactFact,
    Fact,
    InteractionFact,
    LeadFacts,
    SignalFact,
    decay,
    hand_set_weights,
    persona_fit,
    score_change,
    score_lead,
    seniority_of,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ICP = IcpConfig(
    industries=["fintech", "saas"],
    negative_industries=["consulting"],
    min_employees=50,
    max_employees=2000,
    headcount_bands=[{"min": 50, "max": 199, "fit": 0.5}, {"min": 200, "max": 2000, "fit": 1.0}],
    countries=["US"],
    regions=["DACH"],
    technologies_used=["hubspot"],
    technologies_not_used=["marketo"],
    business_models=["b2b"],
    exclusions={"competitor_domains": ["rival.io"], "industries": ["gambling"]},
)
SCORING = ScoringConfig()


def fact(value: str, fid: str, conf: float = 0.9) -> Fact:
    return Fact(value=value, fact_id=fid, source_url=f"https://acme.io/{fid}", confidence=conf, evidence=value)


def lead(**overrides: object) -> LeadFacts:
    data: dict[str, object] = {
        "domain": "acme.io",
        "name": "Acme",
        "industries": [fact("Fintech", "f-ind")],
        "employee_count": fact("240", "f-emp"),
        "country": fact("DE", "f-cty"),
        "business_model": fact("B2B", "f-bm"),
        "technologies": [fact("HubSpot", "f-tech")],
        "contacts": [
            ContactFact(person_id="p1", full_name="Jane Doe", title="VP Marketing", fact_id="f-p1"),
            ContactFact(person_id="p2", full_name="Tim Intern", title="Marketing Intern"),
        ],
    }
    data.update(overrides)
    return LeadFacts.model_validate(data)


def test_full_fit_scores_fit_max_with_evidence_per_criterion() -> None:
    result = score_lead(lead(), ICP, SCORING, NOW)
    assert result.fit == 50
    assert result.intent == 0 and result.engagement == 0
    by = {c.name: c for c in result.contributions}
    assert by["fit.industry"].points == 14
    assert by["fit.industry"].evidence[0].fact_id == "f-ind"
    assert by["fit.industry"].evidence[0].source_url == "https://acme.io/f-ind"
    assert by["fit.persona"].points == 8 and "Jane Doe" in by["fit.persona"].detail
    assert result.best_contact is not None and result.best_contact.person_id == "p1"
    assert result.tier == "warm"  # 50 >= 45


def test_funding_signal_decays_with_half_life() -> None:
    fresh = SignalFact(signal_id="s1", type="funding", occurred_at=NOW, confidence=1.0, source_url="https://x/1")
    old = fresh.model_copy(update={"signal_id": "s2", "occurred_at": NOW - timedelta(days=60)})
    r_fresh = score_lead(lead(signals=[fresh]), ICP, SCORING, NOW)
    r_old = score_lead(lead(signals=[old]), ICP, SCORING, NOW)
    assert r_fresh.intent == 18
    assert r_old.intent == pytest.approx(9, abs=0.1)  # one half-life (60 days) later: half the points
    assert r_fresh.score == 68 and r_old.score == pytest.approx(59, abs=0.1)
    top = next(c for c in r_fresh.contributions if c.name == "intent.funding")
    assert top.evidence[0].fact_id == "s1" and top.evidence[0].source_url == "https://x/1"
    assert "citing the funding" in r_fresh.next_action and "Jane Doe" in r_fresh.next_action


def test_repeated_signals_have_diminishing_returns_and_intent_is_capped() -> None:
    hires = [SignalFact(signal_id=f"h{i}", type="hiring", occurred_at=NOW, confidence=1.0) for i in range(10)]
    r = score_lead(lead(signals=hires), ICP, SCORING, NOW)
    hiring = next(c for c in r.contributions if c.name == "intent.hiring")
    assert hiring.hand_set_points == 10  # ten job posts count like one strong hiring signal, not ten
    many = [
        SignalFact(signal_id=t, type=t, occurred_at=NOW, confidence=1.0)
        for t in ("funding", "hiring", "expansion", "leadership_change", "product_launch")
    ]
    r2 = score_lead(lead(signals=many), ICP, SCORING, NOW)
    assert r2.intent == SCORING.intent_max
    assert sum(c.points for c in r2.contributions if c.component == "intent") == pytest.approx(35, abs=0.05)


def test_low_confidence_facts_earn_nothing() -> None:
    r = score_lead(lead(industries=[fact("Fintech", "f-ind", conf=0.2)]), ICP, SCORING, NOW)
    assert next(c for c in r.contributions if c.name == "fit.industry").points == 0


def test_negative_criteria_cost_points() -> None:
    r = score_lead(
        lead(industries=[fact("IT Consulting", "f1")], technologies=[fact("Marketo", "f2")]), ICP, SCORING, NOW
    )
    by = {c.name: c.points for c in r.contributions}
    assert by["fit.negative_industry"] == -8 and by["fit.unwanted_technology"] == -6
    assert r.fit == 50 - 14 - 6 - 8 - 6


def test_layoffs_reduce_intent_but_never_below_zero() -> None:
    lay = SignalFact(signal_id="l", type="layoffs", occurred_at=NOW, confidence=1.0)
    assert score_lead(lead(signals=[lay]), ICP, SCORING, NOW).intent == 0
    fund = SignalFact(signal_id="f", type="funding", occurred_at=NOW, confidence=1.0)
    assert score_lead(lead(signals=[lay, fund]), ICP, SCORING, NOW).intent == 6


def test_hard_exclusions_win_over_a_high_score() -> None:
    fund = SignalFact(signal_id="f", type="funding", occurred_at=NOW, confidence=1.0)
    r = score_lead(lead(domain="eu.rival.io", signals=[fund]), ICP, SCORING, NOW)
    assert r.tier == "excluded" and "competitor" in r.excluded_reasons[0]
    assert r.next_action.startswith("Do not contact")
    r2 = score_lead(lead(industries=[fact("Online Gambling", "g")]), ICP, SCORING, NOW)
    assert r2.tier == "excluded"
    assert score_lead(lead(suppressed=True), ICP, SCORING, NOW).tier == "excluded"


def test_headcount_bands_and_range() -> None:
    def by(n):
        return next(
            c
            for c in score_lead(lead(employee_count=fact(str(n), "e")), ICP, SCORING, NOW).contributions
            if c.name == "fit.headcount"
        ).points

    assert by(100) == 5 and by(500) == 10 and by(20) == 0 and by(5000) == 0


def test_engagement_reply_changes_next_action_and_unsubscribe_is_negative() -> None:
    r = score_lead(lead(interactions=[InteractionFact(type="reply", occurred_at=NOW)]), ICP, SCORING, NOW)
    assert r.engagement == 8 and "replied" in r.next_action
    r2 = score_lead(lead(interactions=[InteractionFact(type="unsubscribe", occurred_at=NOW)]), ICP, SCORING, NOW)
    assert r2.engagement == -15 and r2.score == 35


def test_no_matching_contact_asks_to_find_one() -> None:
    fund = SignalFact(signal_id="f", type="funding", occurred_at=NOW, confidence=1.0)
    r = score_lead(lead(contacts=[], signals=[fund]), ICP, SCORING, NOW)
    assert r.best_contact is None and r.next_action.startswith("Find a marketing/growth leader")


def test_learned_points_replace_hand_set_and_are_shown_beside_them() -> None:
    learned = hand_set_weights(SCORING) | {"fit.industry": 30.0, "fit.geography": 0.0}
    r = score_lead(lead(), ICP, SCORING, NOW, learned=learned)
    ind = next(c for c in r.contributions if c.name == "fit.industry")
    assert ind.hand_set_points == 14 and ind.learned_points == 30 and r.weights == "learned"


def test_seniority_and_persona() -> None:
    assert seniority_of("Chief Marketing Officer") == "c_level"
    assert seniority_of("SVP, Growth") == "vp"
    assert seniority_of("Head of Demand Gen") == "head"
    assert seniority_of("Marketing Manager") == "manager"
    assert seniority_of("Engineer") == "entry"
    assert persona_fit(ContactFact(person_id="x", full_name="A", title="Director of Sales"), ICP)[0] == 1.0
    assert persona_fit(ContactFact(person_id="x", full_name="A", title="Director of Finance"), ICP)[0] == 0.5
    assert persona_fit(ContactFact(person_id="x", full_name="A", title="Sales Intern"), ICP)[0] == 0.0


def test_decay_and_change_text() -> None:
    assert decay(0, 30) == 1 and decay(30, 30) == 0.5 and decay(-5, 30) == 1
    assert score_change(72, 54, "the Series B") == "up 18 since the Series B"
    assert score_change(40, 45) == "down 5" and score_change(40, None) == "first score"
