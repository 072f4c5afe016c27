"""Scoring from the real graph: explained score with evidence, history ('up N since ...'), queue and patterns."""

from __future__ import annotations

from datetime import timedelta

from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.workflows.scoring import conversion_patterns, ranked_queue, score_all, score_company
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.scoring import ScoringGraph
from knowledge.graph.store import FactInput
from knowledge.models import company_id_for
from tests.factories import NOW, make_company, make_person, make_signal

ICP = IcpConfig(industries=["fintech"], min_employees=50, max_employees=2000, countries=["DE"])
SCORING = ScoringConfig()


async def seed(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company(), make_company(domain="other.io", name="Other", hq_country="JP")])
    await graph.ensure_objects("Industry", "code", [{"key": "fintech", "props": {"name": "Fintech"}}])
    await graph.assert_facts(
        [
            FactInput(
                predicate="IN_INDUSTRY", subject_key=company_id_for("acme.io"), object_key="fintech",
                source_url="https://acme.io/about", fetched_at=NOW, extractor="test", confidence=0.9,
                evidence="Acme is a fintech company",
            )
        ]
    )  # fmt: skip
    await graph.upsert_people([make_person()])
    person = make_person()
    await graph.assert_facts(
        [
            FactInput(
                predicate="WORKS_AT", subject_key=person.person_id, object_key=company_id_for("acme.io"),
                attributes={"title": "VP Marketing"}, source_url="https://acme.io/team", fetched_at=NOW,
                extractor="test",
            )
        ]
    )  # fmt: skip


async def test_score_cites_facts_and_history_shows_the_change(graph: Neo4jGraphStore) -> None:
    await seed(graph)
    first = await score_company(graph, "acme.io", ICP, SCORING, now=NOW)
    assert first is not None and first.change == "first score"
    ind = next(c for c in first.result.contributions if c.name == "fit.industry")
    assert ind.points == 14 and ind.evidence[0].source_url == "https://acme.io/about"
    assert ind.evidence[0].fact_id
    assert first.result.best_contact is not None and first.result.best_contact.full_name == "Jane Doe"
    await graph.upsert_signals([make_signal(confidence=1.0)])
    second = await score_company(graph, "acme.io", ICP, SCORING, now=NOW + timedelta(hours=1))
    assert second is not None
    assert second.result.score - first.result.score == 18
    assert second.change == "up 18 since the funding"
    history = await ScoringGraph(graph).score_history("acme.io")
    assert [h["score"] for h in history] == [second.result.score, first.result.score]
    assert await score_company(graph, "missing.io", ICP, SCORING) is None


async def test_bulk_scoring_queue_and_patterns(graph: Neo4jGraphStore) -> None:
    await seed(graph)
    await graph.upsert_signals([make_signal()])
    sg = ScoringGraph(graph)
    person = make_person()
    acme, other = company_id_for("acme.io"), company_id_for("other.io")
    await sg.upsert_leads(
        [
            {"lead_id": "l1", "person_id": person.person_id, "company_id": acme, "campaign_id": "c", "owner": "U1"},
            {"lead_id": "l2", "person_id": "p2", "company_id": acme, "campaign_id": "c", "owner": "U1"},
            {"lead_id": "l3", "person_id": "p3", "company_id": acme, "campaign_id": "c", "owner": "U1"},
            {"lead_id": "l4", "person_id": "p4", "company_id": other, "campaign_id": "c"},
        ]
    )
    results = await score_all(graph, ICP, SCORING, now=NOW)
    by = {r.domain: r for r in results}
    assert by["acme.io"].score > by["other.io"].score
    queue = await ranked_queue(graph, SCORING.model_copy(update={"queue": SCORING.queue.model_copy(
        update={"max_per_company": 2, "min_tier": "cold"})}), now=NOW)  # fmt: skip
    ids = [i.candidate.lead_id for i in queue.items]
    assert len([i for i in ids if i in ("l1", "l2", "l3")]) == 2 and "l4" in ids
    assert queue.reasons()["diversity"] == 1
    await sg.record_outcome("l1", "meeting", NOW + timedelta(days=3), variant="question-subject")
    await sg.record_outcome("l4", "bounced", NOW + timedelta(days=3))
    patterns = await conversion_patterns(graph, SCORING, min_leads=1)
    fintech = next(r for r in patterns["industry"] if r["key"] == "Fintech")
    assert fintech["converted"] == 1 and fintech["rate"] == 1.0
    assert patterns["variant"][0]["key"] == "question-subject"
    rows = await sg.training_rows(SCORING.learning.positive_outcomes)
    assert {r["lead_id"]: r["label"] for r in rows} == {"l1": 1, "l4": 0}
    assert rows[0]["features"]["fit.industry"] in (0.0, 1.0)


async def test_learning_run_is_stored_and_reported(graph: Neo4jGraphStore) -> None:
    from agents.workflows.scoring import active_learned_points, learn_from_outcomes

    await seed(graph)
    sg = ScoringGraph(graph)
    await sg.upsert_leads([{"lead_id": "l1", "person_id": "p1", "company_id": company_id_for("acme.io")}])
    await score_company(graph, "acme.io", ICP, SCORING, now=NOW)
    await sg.record_outcome("l1", "won", NOW + timedelta(days=9))
    fit, lines = await learn_from_outcomes(graph, SCORING, now=NOW + timedelta(days=10))
    assert not fit.accepted and fit.n == 1
    assert lines == [fit.reason] and "not enough outcomes" in lines[0]
    assert (await sg.weights_history())[0]["reason"] == fit.reason
    assert await active_learned_points(graph) is None


async def test_tier_filtered_queue_matches_the_full_queue_and_sees_other_tiers_contacts(
    graph: Neo4jGraphStore,
) -> None:
    await graph.upsert_companies([make_company(domain=d, name=d) for d in ("a.io", "b.io", "c.io", "d.io")])
    leads = [  # lead, company, score, tier, last sent
        ("l1", "a.io", 90.0, "hot", None),
        ("l2", "a.io", 10.0, "cold", NOW - timedelta(days=1)),  # someone at a.io was just contacted
        ("l3", "b.io", 85.0, "hot", None),
        ("l4", "c.io", 50.0, "warm", None),
        ("l5", "d.io", 20.0, "cold", None),
    ]
    await graph.write(
        "UNWIND $rows AS r CREATE (:Lead {lead_id: r.id, company_id: r.cid, score: r.score, tier: r.tier, "
        "last_sent_at: r.sent})",
        rows=[{"id": i, "cid": company_id_for(d), "score": s, "tier": t, "sent": w} for i, d, s, t, w in leads],
    )
    cfg = SCORING.model_copy(update={"queue": SCORING.queue.model_copy(update={"min_tier": "cold"})})
    full = await ranked_queue(graph, cfg, now=NOW)
    assert [i.candidate.lead_id for i in full.items] == ["l3", "l4", "l5"]
    assert full.reasons()["cooldown"] == 2  # l1 and l2: a.io was contacted yesterday
    for tiers in (["hot"], ["hot", "warm"], ["warm", "cold"]):
        part = await ranked_queue(graph, cfg, now=NOW, tiers=tiers)
        expected = [i.candidate.lead_id for i in full.items if i.candidate.tier in tiers]
        assert [i.candidate.lead_id for i in part.items] == expected, tiers
