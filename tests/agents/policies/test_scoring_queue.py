"""The ranked queue: order, diversity, capacity, cool-down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.policies.icp_config import QueueConfig
from agents.policies.prioritisation import QueueCandidate, build_queue

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def cand(i: int, company: str, score: float, tier: str = "hot", **kw: object) -> QueueCandidate:
    return QueueCandidate.model_validate(
        {"lead_id": f"l{i}", "company_id": company, "domain": f"{company}.io", "score": score, "tier": tier} | kw
    )


def test_highest_scores_first_but_not_ten_from_one_company() -> None:
    cands = [cand(i, "big", 90 - i) for i in range(10)] + [cand(100, "small", 60, "warm")]
    q = build_queue(cands, QueueConfig(max_per_company=2), NOW)
    ids = [it.candidate.lead_id for it in q.items]
    assert ids == ["l0", "l1", "l100"]
    assert q.reasons()["diversity"] == 8


def test_owner_capacity_and_overrides() -> None:
    cands = [cand(i, f"c{i}", 80 - i, owner="U1") for i in range(5)] + [cand(9, "c9", 10, "warm", owner="U2")]
    q = build_queue(cands, QueueConfig(owner_capacity=2, owner_capacities={"U2": 1}), NOW)
    assert [it.candidate.lead_id for it in q.items] == ["l0", "l1", "l9"]
    assert q.reasons()["capacity"] == 3


def test_cooldown_after_contact_and_tiers() -> None:
    cands = [
        cand(1, "a", 90, last_contacted_at=NOW - timedelta(days=3)),
        cand(2, "b", 80, last_contacted_at=NOW - timedelta(days=30)),
        cand(3, "c", 20, "cold"),
        cand(4, "d", 99, "excluded"),
    ]
    q = build_queue(cands, QueueConfig(cooldown_days=14), NOW)
    assert [it.candidate.lead_id for it in q.items] == ["l2"]
    reasons = {s.lead_id: s.reason for s in q.skipped}
    assert reasons["l1"].startswith("cooldown") and "2026-12-01" in reasons["l1"]
    assert reasons["l3"].startswith("tier") and reasons["l4"].startswith("excluded")
