"""Neo4j killed mid-run: the next call fails fast with a clear message, and after a restart the same store
reconnects on its own and nothing committed is lost."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from bot.localneo4j import LocalNeo4j
from bot.localneo4j.server import free_port
from knowledge.errors import GraphUnavailable
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.factories import make_company, make_signal

ROOT = Path(__file__).resolve().parents[2]


async def test_kill_9_then_restart(tmp_path: Path) -> None:
    server = LocalNeo4j(ROOT / ".neo4j", home=tmp_path / "home")
    port = free_port()
    info = server.start(port=port, heap="512m", pagecache="64m", exit_with_pid=os.getpid(), preallocate_logs=False)
    store = Neo4jGraphStore.connect(info.uri, None, timeout=2.0, retry_time=2.0)
    try:
        await store.ensure_schema()
        await store.upsert_companies([make_company()])
        await store.upsert_signals([make_signal()])
        logs = list((tmp_path / "home").rglob("neostore.transaction.db.*"))
        assert logs and max(f.stat().st_size for f in logs) < 16 * 2**20, "throwaway servers must not preallocate"

        os.kill(info.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while server.status() is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.status() is None, "a killed server must not be reported as running"

        t0 = time.monotonic()
        with pytest.raises(GraphUnavailable, match="amia neo4j start"):
            await store.company_profile("acme.io")
        assert time.monotonic() - t0 < 20, "a down database must be reported quickly, not hang"

        again = server.start(port=port, heap="512m", pagecache="64m", exit_with_pid=os.getpid(), preallocate_logs=False)
        assert again.uri == info.uri
        profile = await store.company_profile("acme.io")  # same driver object, no restart of our process
        assert profile is not None and profile.name == "Acme Analytics"
        assert [s.attributes["round"] for s in profile.signals] == ["Series B"]
    finally:
        await store.close()
        server.stop(grace=30)
