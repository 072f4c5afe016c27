"""The Neo4j adapter against a real server: upserts, bi-temporal facts, and the product's queries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from knowledge.errors import GraphQueryError, GraphUnavailable
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.store import FactInput
from knowledge.models import company_id_for
from tests.factories import NOW, make_company, make_person, make_signal


def works_at(person, title: str, *, url: str = "https://acme.io/team", at: datetime = NOW) -> FactInput:
    return FactInput(
        predicate="WORKS_AT",
        subject_key=person.person_id,
        object_key=company_id_for(person.company_domain),
        attributes={"title": title},
        identity=("title",),
        source_url=url,
        fetched_at=at,
        extractor="test",
        evidence=f"{person.full_name}, {title}",
    )


async def test_schema_is_idempotent(graph: Neo4jGraphStore) -> None:
    await graph.ensure_schema()
    await graph.ensure_schema()
    rows = await graph.read("SHOW CONSTRAINTS YIELD name RETURN count(*) AS n")
    assert rows[0]["n"] >= 20


async def test_upsert_twice_keeps_one_node_and_updates(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company()])
    await graph.upsert_companies([make_company(employee_count=300)])
    rows = await graph.read("MATCH (c:Company) RETURN c.employee_count AS n, c.domain AS d")
    assert rows == [{"n": 300, "d": "acme.io"}]


async def test_leadership_change_closes_old_edge_instead_of_overwriting(graph: Neo4jGraphStore) -> None:
    jane = make_person()
    await graph.upsert_companies([make_company()])
    await graph.upsert_people([jane])
    earlier = NOW - timedelta(days=60)
    await graph.assert_facts([works_at(jane, "VP Marketing", at=earlier)])
    later = NOW - timedelta(days=10)
    new = works_at(jane, "Chief Marketing Officer", at=later)
    await graph.assert_facts([new])
    closed = await graph.close_facts("WORKS_AT", jane.person_id, [Neo4jGraphStore.fact_id(new)], at=later)
    assert closed == 1

    people = await graph.people_at("acme.io")
    assert [p.title for p in people] == ["Chief Marketing Officer"]
    # History is kept: as of before the change, Jane was VP Marketing.
    before = await graph.people_at("acme.io", as_of=earlier + timedelta(days=1))
    assert [p.title for p in before] == ["VP Marketing"]
    edges = await graph.read("MATCH (:Person)-[r:WORKS_AT]->() RETURN count(r) AS n")
    assert edges[0]["n"] == 2


async def test_same_fact_from_second_source_is_merged_with_both_sources(graph: Neo4jGraphStore) -> None:
    jane = make_person()
    await graph.upsert_companies([make_company()])
    await graph.upsert_people([jane])
    await graph.assert_facts([works_at(jane, "VP Marketing")])
    await graph.assert_facts([works_at(jane, "VP Marketing", url="https://news.example/acme")])
    rows = await graph.read("MATCH ()-[r:WORKS_AT]->() RETURN r.source_urls AS urls")
    assert len(rows) == 1
    assert sorted(rows[0]["urls"]) == ["https://acme.io/team", "https://news.example/acme"]


async def test_company_profile_carries_evidence(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company()])
    await graph.ensure_objects("Industry", "code", [{"key": "fintech", "props": {"name": "Fintech"}}])
    await graph.assert_facts(
        [
            FactInput(
                predicate="IN_INDUSTRY",
                subject_key=company_id_for("acme.io"),
                object_key="fintech",
                source_url="https://acme.io/about",
                fetched_at=NOW,
                extractor="test",
                evidence="Acme builds payment analytics for banks.",
            )
        ]
    )
    await graph.upsert_signals([make_signal()])
    profile = await graph.company_profile("https://www.acme.io/")
    assert profile is not None
    assert profile.name == "Acme Analytics"
    assert profile.facts[0].predicate == "IN_INDUSTRY"
    assert profile.facts[0].source_url == "https://acme.io/about"
    assert profile.facts[0].evidence == "Acme builds payment analytics for banks."
    assert profile.signals[0].attributes["round"] == "Series B"
    assert await graph.company_profile("unknown.example") is None


async def test_signals_window_and_industry_filter(graph: Neo4jGraphStore) -> None:
    await graph.upsert_companies([make_company(), make_company(domain="beta.dev", name="Beta")])
    await graph.ensure_objects("Industry", "code", [{"key": "fintech", "props": {"name": "Fintech"}}])
    await graph.assert_facts(
        [
            FactInput(
                predicate="IN_INDUSTRY",
                subject_key=company_id_for("acme.io"),
                object_key="fintech",
                source_url="https://acme.io",
                fetched_at=NOW,
                extractor="test",
            )
        ]
    )
    await graph.upsert_signals(
        [
            make_signal(),
            make_signal(company_domain="beta.dev", source_url="https://beta.dev/n", evidence="Beta raised $2M."),
            make_signal(occurred_at=NOW - timedelta(days=400), source_url="https://acme.io/old", evidence="Old."),
        ]
    )
    recent = await graph.signals_in_window(NOW - timedelta(days=30))
    assert {s.company_domain for s in recent} == {"acme.io", "beta.dev"}
    fintech = await graph.signals_in_window(NOW - timedelta(days=30), industry="fintech", types=["funding"])
    assert [s.company_domain for s in fintech] == ["acme.io"]


async def test_similar_companies_and_competitor_customers(graph: Neo4jGraphStore) -> None:
    domains = ["acme.io", "beta.dev", "gamma.com", "rival.com"]
    await graph.upsert_companies([make_company(domain=d, name=d) for d in domains])
    await graph.ensure_objects(
        "Technology",
        "tech_id",
        [{"key": t, "props": {"name": t, "category": "x"}} for t in ("hubspot", "stripe", "segment")],
    )

    def uses(d: str, t: str) -> FactInput:
        return FactInput(
            predicate="USES",
            subject_key=company_id_for(d),
            object_key=t,
            source_url=f"https://{d}",
            fetched_at=NOW,
            extractor="fingerprint",
        )

    await graph.assert_facts(
        [
            uses("acme.io", "hubspot"),
            uses("acme.io", "stripe"),
            uses("beta.dev", "hubspot"),
            uses("beta.dev", "stripe"),
            uses("gamma.com", "segment"),
        ]
    )
    similar = await graph.similar_companies("acme.io")
    assert [s.domain for s in similar] == ["beta.dev"]
    assert similar[0].similarity == 1.0

    await graph.assert_facts(
        [
            FactInput(
                predicate="CUSTOMER_OF",
                subject_key=company_id_for("gamma.com"),
                object_key=company_id_for("rival.com"),
                source_url="https://rival.com/customers",
                fetched_at=NOW,
                extractor="customers-page",
                evidence="Gamma logo",
            )
        ]
    )
    customers = await graph.competitor_customers(["rival.com"])
    assert [(c["domain"], c["source_url"]) for c in customers] == [("gamma.com", "https://rival.com/customers")]


async def test_erase_person_leaves_nothing(graph: Neo4jGraphStore) -> None:
    jane = make_person()
    await graph.upsert_companies([make_company()])
    await graph.upsert_people([jane])
    await graph.assert_facts([works_at(jane, "VP Marketing")])
    facts = await graph.person_facts("Jane@ACME.io")
    assert facts["person"]["full_name"] == "Jane Doe"
    assert await graph.erase_person("jane@acme.io") >= 1
    assert await graph.person_facts("jane@acme.io") == {}
    assert await graph.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 0}]


async def test_unknown_predicate_is_a_clear_error(graph: Neo4jGraphStore) -> None:
    with pytest.raises(GraphQueryError, match="unknown fact predicate"):
        await graph.close_facts("LIKES", "x", [])


async def test_unreachable_database_is_a_clear_error() -> None:
    store = Neo4jGraphStore.connect("bolt://127.0.0.1:1", None, timeout=1.0)
    try:
        with pytest.raises(GraphUnavailable, match="amia neo4j start"):
            await store.ping()
    finally:
        await store.close()


def test_bad_uri_is_a_clear_error() -> None:
    with pytest.raises(GraphUnavailable, match="not a valid Neo4j URI"):
        Neo4jGraphStore.connect("http//nope", None)
