"""Benchmark: score N leads (companies with signals, facts and people) from a real Neo4j and build the queue.

Run: .venv/bin/python bench/scoring.py [N]   (default 10000; uses the test Neo4j runtime, wiped first)
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# run as a script, bench/ is sys.path[0]: put the project first so bench/agents.py cannot shadow the package
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.workflows.scoring import ranked_queue, score_all
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.scoring import ScoringGraph
from knowledge.graph.store import FactInput
from knowledge.models import Company, Person, Signal, SignalType, company_id_for
from tests import neo4j_server

INDUSTRIES = ["fintech", "saas", "retail", "healthcare", "e-commerce"]


async def seed(graph: Neo4jGraphStore, n: int, now: datetime) -> None:
    rnd = random.Random(1)
    companies = [
        Company(domain=f"c{i}.example.com", name=f"Company {i}", hq_country=rnd.choice(["US", "DE", "JP", "GB"]),
                employee_count=int(rnd.lognormvariate(5.5, 1.2)), business_model=rnd.choice(["b2b", "b2c"]))
        for i in range(n)
    ]  # fmt: skip
    await graph.upsert_companies(companies)
    await graph.ensure_objects("Industry", "code", [{"key": k, "props": {"name": k}} for k in INDUSTRIES])
    facts = [
        FactInput(predicate="IN_INDUSTRY", subject_key=c.company_id, object_key=rnd.choice(INDUSTRIES),
                  source_url=f"https://{c.domain}/about", fetched_at=now, extractor="bench", confidence=0.9)
        for c in companies
    ]  # fmt: skip
    await graph.assert_facts(facts)
    signals = [
        Signal(type=rnd.choice(list(SignalType)), company_domain=c.domain, evidence=f"event {j} at {c.name}",
               source_url=f"https://{c.domain}/news/{j}", occurred_at=now - timedelta(days=rnd.randint(0, 200)),
               confidence=rnd.uniform(0.5, 1.0))
        for c in companies for j in range(rnd.randint(0, 3))
    ]  # fmt: skip
    await graph.upsert_signals(signals)
    people = [
        Person(full_name=f"Person {i}-{k}", email=f"p{k}@{c.domain}", title=rnd.choice(["VP Marketing", "Engineer",
               "Head of Growth", "Sales Manager"]), company_domain=c.domain)
        for i, c in enumerate(companies) for k in range(2)
    ]  # fmt: skip
    await graph.upsert_people(people)
    await graph.assert_facts(
        [FactInput(predicate="WORKS_AT", subject_key=p.person_id, object_key=company_id_for(p.company_domain or ""),
                   source_url=f"https://{p.company_domain}/team", fetched_at=now, extractor="bench")
         for p in people]
    )  # fmt: skip
    await ScoringGraph(graph).upsert_leads(
        {"lead_id": f"lead-{p.person_id}", "person_id": p.person_id,
         "company_id": company_id_for(p.company_domain or ""), "campaign_id": "bench",
         "owner": f"U{rnd.randint(1, 20)}"}
        for p in people
    )  # fmt: skip


async def main(n: int) -> None:
    handle = neo4j_server.start()
    graph = Neo4jGraphStore.connect(handle.uri, handle.auth)
    try:
        async with graph.driver.session(database="neo4j") as s:
            await (await s.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")).consume()
        await graph.ensure_schema()
        now = datetime.now(UTC)
        t0 = time.perf_counter()
        await seed(graph, n, now)
        print(f"seeded {n} companies, {2 * n} leads in {time.perf_counter() - t0:.1f}s")
        icp = IcpConfig(industries=["fintech", "saas"], min_employees=50, max_employees=2000, countries=["US", "DE"])
        scoring = ScoringConfig()
        t0 = time.perf_counter()
        results = await score_all(graph, icp, scoring, now=now)
        dt = time.perf_counter() - t0
        rate = len(results) / dt
        print(f"scored {len(results)} companies (read, score, store snapshots) in {dt:.2f}s: {rate:.0f} leads/s")
        t0 = time.perf_counter()
        queue = await ranked_queue(graph, scoring, now=now)
        dq = time.perf_counter() - t0
        print(f"ranked queue of {len(queue.items)} from {len(queue.items) + len(queue.skipped)} leads in {dq:.2f}s "
              f"(held back: {dict(queue.reasons())})")  # fmt: skip
        tiers: dict[str, int] = {}
        for r in results:
            tiers[r.tier] = tiers.get(r.tier, 0) + 1
        print(f"tiers: {tiers}")
    finally:
        await graph.close()
        neo4j_server.stop(handle)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
