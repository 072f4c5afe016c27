"""Benchmark: batched UNWIND+MERGE vs per-row MERGE into a real local Neo4j, plus anchored query latency.

Run: .venv/bin/python bench/graph_ingest.py [--companies 100000] [--naive-companies 5000]

Both ingest styles run in the same process against the same fresh server. The naive per-row path is measured on
a smaller sample (it is ~two orders of magnitude slower; running it on 100k rows would take most of an hour) and
reported as a rate, so the ratio compares like with like. Query latencies are measured on the full graph.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import INDUSTRIES, TECHS, companies, facts, latency_ms, throwaway_neo4j  # noqa: E402

from knowledge.graph.neo4j_store import FACT_QUERIES, UPSERT_COMPANIES, Neo4jGraphStore  # noqa: E402
from knowledge.graph.store import FactInput  # noqa: E402
from knowledge.models import OPEN_END, Company, Signal, SignalType  # noqa: E402


async def naive(store: Neo4jGraphStore, cos: list[Company], fs: list[FactInput]) -> tuple[float, float]:
    """One auto-committed MERGE per row, the way a naive integration writes."""
    t0 = time.perf_counter()
    for c in cos:
        row = {"company_id": c.company_id, "domain": c.domain, "props": {"name": c.name, "domain": c.domain}}
        await store.write(UPSERT_COMPANIES, rows=[row], now=datetime.now(UTC))
    t1 = time.perf_counter()
    for f in fs:
        row = {
            "fact_id": Neo4jGraphStore.fact_id(f),
            "subject_key": f.subject_key,
            "object_key": f.object_key,
            "attributes": {},
            "source_url": f.source_url,
            "fetched_at": f.fetched_at,
            "extractor": f.extractor,
            "confidence": f.confidence,
            "evidence": None,
            "valid_from": f.fetched_at,
        }
        await store.write(FACT_QUERIES[f.predicate][0], rows=[row], now=datetime.now(UTC), open_end=OPEN_END)
    t2 = time.perf_counter()
    return len(cos) / (t1 - t0), len(fs) / (t2 - t1)


async def batched(store: Neo4jGraphStore, cos: list[Company], fs: list[FactInput]) -> tuple[float, float]:
    t0 = time.perf_counter()
    await store.upsert_companies(cos)
    t1 = time.perf_counter()
    await store.assert_facts(fs)
    t2 = time.perf_counter()
    return len(cos) / (t1 - t0), len(fs) / (t2 - t1)


async def timed(label: str, fn, n: int = 200) -> str:  # type: ignore[no-untyped-def]
    p50, p95 = await latency_ms(fn, n)
    return f"  {label:<28} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={n})"


async def main(args: argparse.Namespace) -> None:
    with throwaway_neo4j("amia-bench-neo4j-", heap=args.heap, pagecache=args.pagecache) as (info, _home):
        await measure(args, Neo4jGraphStore.connect(info.uri, None))


async def measure(args: argparse.Namespace, store: Neo4jGraphStore) -> None:
    try:
        await store.ensure_schema()
        await store.ensure_objects("Industry", "code", [{"key": i, "props": {"name": i}} for i in INDUSTRIES])
        await store.ensure_objects(
            "Technology", "tech_id", [{"key": t, "props": {"name": t, "category": "x"}} for t in TECHS]
        )
        per = args.rels_per_company
        small = companies(args.naive_companies, "n")
        n_rate_c, n_rate_r = await naive(store, small, facts(small, per))
        big = companies(args.companies, "b")
        big_facts = facts(big, per)
        b_rate_c, b_rate_r = await batched(store, big, big_facts)
        print(f"\ningest ({per} fact edges per company)")
        print(
            f"  per-row MERGE : {args.naive_companies:>7} companies {n_rate_c:9.0f} nodes/s, "
            f"{len(small) * per:>7} rels {n_rate_r:9.0f} rels/s"
        )
        print(
            f"  batched UNWIND: {args.companies:>7} companies {b_rate_c:9.0f} nodes/s, "
            f"{len(big_facts):>7} rels {b_rate_r:9.0f} rels/s"
        )
        print(
            f"  ratio batched/per-row: nodes {b_rate_c / n_rate_c:.1f}x, rels {b_rate_r / n_rate_r:.1f}x "
            f"(goal >= 10x and >= 10k nodes/s)"
        )

        sigs = [
            Signal(
                type=SignalType.FUNDING,
                company_domain=c.domain,
                evidence=f"{c.name} raised money.",
                source_url=f"https://{c.domain}/news",
                occurred_at=datetime.now(UTC) - timedelta(days=i % 365),
            )
            for i, c in enumerate(big[: len(big) // 10])
        ]
        await store.upsert_signals(sigs)
        rnd = random.Random(7)
        domains = [c.domain for c in big]
        print("\nanchored queries on the full graph")
        print(await timed("company_profile", lambda i: store.company_profile(rnd.choice(domains))))
        print(await timed("people_at", lambda i: store.people_at(rnd.choice(domains))))
        print(await timed("similar_companies (2-hop)", lambda i: store.similar_companies(rnd.choice(domains)), 50))
        since = datetime.now(UTC) - timedelta(days=7)
        print(await timed("signals_in_window (7 days)", lambda i: store.signals_in_window(since, limit=50)))
        print(
            await timed(
                "signals_in_window+industry",
                lambda i: store.signals_in_window(since, industry=rnd.choice(INDUSTRIES), limit=50),
            )
        )
        print(await timed("competitor_customers", lambda i: store.competitor_customers([rnd.choice(domains)])))
    finally:
        await store.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--companies", type=int, default=100_000)
    ap.add_argument("--naive-companies", type=int, default=3_000)
    ap.add_argument("--rels-per-company", type=int, default=3)
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache", default="1g")
    asyncio.run(main(ap.parse_args()))
