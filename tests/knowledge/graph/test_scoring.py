"""ScoringGraph's queue reads against a real server: pages in score order that never split a tie."""

from __future__ import annotations

from datetime import timedelta

from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.scoring import ScoringGraph
from knowledge.models import company_id_for
from tests.factories import NOW, make_company

HOT_WARM = ["hot", "warm"]


async def seed(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company(domain=d, name=d) for d in ("a.io", "b.io")])
    leads = [  # lead, company, score, tier, owner, last sent
        ("l1", "a.io", 90.0, "hot", "U1", None),
        ("l2", "a.io", 80, "warm", "U1", None),
        ("l3", "b.io", 80.0, "warm", None, None),
        ("l4", "b.io", 80, "warm", "", None),
        ("l5", "a.io", 80.0, "warm", "U2", None),
        ("l6", "b.io", 60.0, "warm", "U2", None),
        ("l7", "a.io", 20.0, "cold", "U1", NOW - timedelta(days=2)),  # a.io was contacted, through a cold lead
        ("l8", "b.io", None, None, "U1", NOW - timedelta(days=1)),  # b.io too, through an unscored one
        ("l9", "gone.io", 85.0, "hot", "U1", None),  # its company is not in the graph
    ]
    await graph.write(
        "UNWIND $rows AS r CREATE (:Lead {lead_id: r.id, company_id: r.cid, score: r.score, tier: r.tier, "
        "owner: r.owner, last_sent_at: r.sent})",
        rows=[
            {"id": i, "cid": company_id_for(d), "score": s, "tier": t, "owner": o, "sent": w}
            for i, d, s, t, o, w in leads
        ],
    )


async def test_a_page_brings_every_lead_tied_with_its_lowest_score(graph: Neo4jGraphStore) -> None:
    await seed(graph)
    sg = ScoringGraph(graph)
    rows, more = await sg.queue_page(below=None, size=2, tiers=HOT_WARM, entry_tiers=HOT_WARM)
    assert more and sorted(r["lead_id"] for r in rows) == ["l1", "l2", "l3", "l4", "l5"]
    contacted = {r["domain"]: r["last_contacted_at"] for r in rows}
    assert contacted == {"a.io": NOW - timedelta(days=2), "b.io": NOW - timedelta(days=1)}
    rows, more = await sg.queue_page(below=80, size=2, tiers=HOT_WARM, entry_tiers=HOT_WARM)
    assert not more and [r["lead_id"] for r in rows] == ["l6"]


async def test_a_page_leaves_out_what_can_no_longer_enter(graph: Neo4jGraphStore) -> None:
    await seed(graph)
    sg = ScoringGraph(graph)
    rows, _ = await sg.queue_page(
        below=None, size=10, tiers=HOT_WARM, entry_tiers=["hot"], skip_companies=[], skip_owners=[]
    )
    assert [r["lead_id"] for r in rows] == ["l1"]
    rows, _ = await sg.queue_page(
        below=None, size=10, tiers=HOT_WARM, entry_tiers=HOT_WARM, skip_companies=[company_id_for("a.io")],
        skip_owners=[""],
    )  # fmt: skip
    assert [r["lead_id"] for r in rows] == ["l6"]  # l3 and l4 have no owner
    assert await sg.contacted_companies(NOW - timedelta(days=1, hours=12)) == [company_id_for("b.io")]


async def test_candidates_past_the_limit_are_the_lowest_scored(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company(domain="a.io", name="a.io")])
    await graph.write(  # created worst first, so storage order is the opposite of score order
        "UNWIND range(1, 30) AS i CREATE (:Lead {lead_id: 'l' + toString(100 + i), company_id: $cid, "
        "score: toFloat(i), tier: 'warm'})",
        cid=company_id_for("a.io"),
    )
    rows = await ScoringGraph(graph).queue_candidates(limit=3)
    assert [r["score"] for r in rows] == [30.0, 29.0, 28.0]


async def test_score_bins_count_every_company_once_by_its_best_lead(graph: Neo4jGraphStore) -> None:
    await seed(graph)  # a.io: best 90 (hot); b.io: best 80; gone.io: 85 (lead without a company node still counts)
    await graph.write(
        "UNWIND $rows AS r CREATE (:Lead {lead_id: r.id, company_id: r.cid, score: r.score, tier: 'warm'})",
        rows=[
            {"id": "m1", "cid": company_id_for("top.io"), "score": 100.0},
            {"id": "m2", "cid": company_id_for("low.io"), "score": 0},
            {"id": "m3", "cid": company_id_for("low.io"), "score": 9.99},
        ],
    )
    bins = await ScoringGraph(graph).score_bins()
    assert len(bins) == 10 and sum(bins) == 5
    assert bins[0] == 1 and bins[8] == 2 and bins[9] == 2  # 9.99; 80 and 85; 90 and 100 (top bin is closed)
