"""Benchmark: `amia backup` / `amia restore` throughput on a large graph in a real local Neo4j.

Run: .venv/bin/python bench/backup.py [--companies 50000]

Builds companies, people (two per company) and signals (one per company, each with its source), then times a
backup to a .tar.gz, a wipe, and a restore onto the empty database, and checks the restored graph's counts and
checksums against the manifest (the restore itself refuses to finish otherwise). Prints nodes/s and
relationships/s both ways, archive size and bytes per node.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.backup import create_backup, restore_backup  # noqa: E402
from bot.localneo4j import LocalNeo4j  # noqa: E402
from bot.localneo4j.server import free_port  # noqa: E402
from bot.settings import Settings  # noqa: E402
from knowledge.graph import backup as graph_backup  # noqa: E402
from knowledge.graph.neo4j_store import Neo4jGraphStore  # noqa: E402
from knowledge.models import Company, Person, Signal, SignalType  # noqa: E402

INDUSTRIES = ["fintech", "saas", "retail", "healthcare", "logistics", "manufacturing"]


async def populate(store: Neo4jGraphStore, n: int) -> None:
    now = datetime.now(UTC)
    for start in range(0, n, 10_000):
        ids = range(start, min(n, start + 10_000))
        await store.upsert_companies(
            Company(domain=f"co{i}.io", name=f"Company {i}", hq_country=["DE", "US", "FR", "GB"][i % 4],
                    employee_count=20 + i % 5000, industries=[INDUSTRIES[i % len(INDUSTRIES)]])
            for i in ids
        )  # fmt: skip
        await store.upsert_people(
            Person(full_name=f"Person {i}-{k}", email=f"p{k}@co{i}.io", title="VP Marketing" if k else "CTO",
                   company_domain=f"co{i}.io")
            for i in ids
            for k in range(2)
        )  # fmt: skip
        await store.upsert_signals(
            [
                Signal(type=SignalType.FUNDING, company_domain=f"co{i}.io",
                       evidence=f"Company {i} raised a Series A.", source_url=f"https://co{i}.io/news/a",
                       occurred_at=now - timedelta(days=i % 300), confidence=0.9,
                       attributes={"round": "Series A", "amount": 1_000_000 + i})
                for i in ids
            ]
        )  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    home = Path(tempfile.mkdtemp(prefix="amia-bench-backup-"))
    server = LocalNeo4j(ROOT / ".neo4j", home=home / "neo4j")
    info = server.start(port=free_port(), heap=args.heap, pagecache=args.pagecache, preallocate_logs=False)
    store = Neo4jGraphStore.connect(info.uri, None)
    settings = Settings.model_validate(
        {"storage": {"data_dir": str(home / "var")}, "memory": {"path": str(home / "var" / "memory")}}
    )
    try:
        await store.ensure_schema()
        t0 = time.perf_counter()
        await populate(store, args.companies)
        nodes = await graph_backup.count_nodes(store)
        rels = (await store.read("MATCH ()-[r]->() RETURN count(r) AS n"))[0]["n"]
        print(f"graph: {nodes:,} nodes, {rels:,} relationships (built in {time.perf_counter() - t0:.1f}s)")

        archive = home / "backups" / "amia.tar.gz"
        archive.parent.mkdir()
        t0 = time.perf_counter()
        result = await create_backup(settings, store, archive)
        b_s = time.perf_counter() - t0
        size = archive.stat().st_size
        print(
            f"backup : {b_s:6.1f}s  {nodes / b_s:9.0f} nodes/s  {rels / b_s:9.0f} rels/s  archive "
            f"{size / 2**20:.1f} MB ({size / nodes:.0f} bytes/node)"
        )

        t0 = time.perf_counter()
        await graph_backup.wipe(store)
        print(f"wipe   : {time.perf_counter() - t0:6.1f}s")

        t0 = time.perf_counter()
        summary = await restore_backup(settings, store, archive, force=True)
        r_s = time.perf_counter() - t0
        ok = summary == result.manifest["graph"]
        print(f"restore: {r_s:6.1f}s  {nodes / r_s:9.0f} nodes/s  {rels / r_s:9.0f} rels/s  (verify included)")
        print(f"restored counts and checksums match the manifest: {'OK' if ok else 'MISMATCH'}")
        print(f"at this rate a 1M-node graph backs up in ~{1e6 / (nodes / b_s) / 60:.1f} min, restores in "
              f"~{1e6 / (nodes / r_s) / 60:.1f} min")  # fmt: skip
    finally:
        await store.close()
        server.stop(grace=30)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--companies", type=int, default=50_000)
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--pagecache", default="512m")
    asyncio.run(main(ap.parse_args()))
