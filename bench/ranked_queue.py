"""Benchmark: the ranked lead queue, as first written (stream every candidate row, rank all of them in Python) vs
now (one collected list for the full queue; pages in score order that leave out what can no longer enter for the
tier lists), in one run against the same graph. Checks that both give the same queue, then prints p50s and ratios.

Run: .venv/bin/python bench/ranked_queue.py [--leads 38000] [--samples 5]

The graph: one company in four has a lead (as in bench/graph_1m.py), one in five of those a second one; scores
rounded to one decimal (ties are common), ten owners plus unassigned leads, and one company with leads in twenty
contacted in the last month (some still cooling down).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import companies, latency_ms, throwaway_neo4j  # noqa: E402

from agents.policies.icp_config import ScoringConfig  # noqa: E402
from agents.policies.prioritisation import Queue  # noqa: E402
from agents.workflows.scoring import ranked_queue  # noqa: E402
from knowledge.graph.neo4j_store import Neo4jGraphStore  # noqa: E402
from knowledge.graph.scoring import ScoringGraph  # noqa: E402
from knowledge.models import company_id_for  # noqa: E402
from tests.reference_queue import reference_ranked_queue  # noqa: E402

CHUNK = 20_000


async def build(store: Neo4jGraphStore, n_leads: int, now: datetime) -> None:
    rnd = random.Random(3)
    sg = ScoringGraph(store)
    n_companies = round(n_leads / 1.2 * 4)
    for base in range(0, n_companies, CHUNK):
        cos = companies(min(CHUNK, n_companies - base), "q", start=base)
        await store.upsert_companies(cos)
        leads: list[dict[str, Any]] = []
        for k, c in enumerate(cos):
            if (base + k) % 4:
                continue
            contacted = now - timedelta(days=rnd.uniform(0, 30)) if rnd.random() < 0.05 else None
            for j in range(2 if rnd.random() < 0.2 else 1):
                score = round(rnd.uniform(0, 100), 1)
                leads.append(
                    {
                        "lead_id": f"lead-{base + k}-{j}",
                        "company_id": company_id_for(c.domain),
                        "person_id": f"person-{base + k}-{j}",
                        "owner": rnd.choice([f"U{i:02d}" for i in range(10)] + [None]),
                        "score": score,
                        "tier": "hot" if score >= 70 else "warm" if score >= 45 else "cold",
                        "last_sent_at": contacted if j == 0 else None,
                    }
                )
        await sg.upsert_leads(leads)


async def run(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    scoring = ScoringConfig()
    with throwaway_neo4j("amia-bench-queue-", heap=args.heap, pagecache=args.pagecache) as (info, _home):
        store = Neo4jGraphStore.connect(info.uri, None)
        try:
            await store.ensure_schema()
            t0 = time.perf_counter()
            await build(store, args.leads, now)
            leads = (await store.read("MATCH (l:Lead) RETURN count(l) AS n"))[0]["n"]
            print(f"{leads:,} scored leads written in {time.perf_counter() - t0:.0f}s")
            cases: list[tuple[str, Sequence[str] | None]] = [
                ("full queue, every reason (digest)", None),
                ("hot + warm (/amia leads)", ["hot", "warm"]),
                ("hot (App Home, digest)", ["hot"]),
            ]
            print(f"\np50 over {args.samples} runs each, same graph, same process")
            for label, tiers in cases:
                new = await ranked_queue(store, scoring, now=now, tiers=tiers)
                old = await reference_ranked_queue(store, scoring.queue, now, tiers=tiers)
                same(new, old, tiers, label)
                before, _ = await latency_ms(
                    lambda i, t=tiers: reference_ranked_queue(store, scoring.queue, now, tiers=t), args.samples
                )
                after, _ = await latency_ms(
                    lambda i, t=tiers: ranked_queue(store, scoring, now=now, tiers=t), args.samples
                )
                print(
                    f"  {label:<36} before {before:8.1f} ms   after {after:8.1f} ms   {before / after:5.1f}x faster  "
                    f"({len(new.items)} items, {len(new.skipped):,} held back listed)"
                )
        finally:
            await store.close()
    return 0  # a report, not a gate


def same(new: Queue, old: Queue, tiers: Sequence[str] | None, label: str) -> None:
    if (tiers is None and new != old) or new.items != old.items:
        raise SystemExit(f"{label}: the new queue differs from the reference one")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leads", type=int, default=38_000)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache", default="1g")
    raise SystemExit(asyncio.run(run(ap.parse_args())))
