"""`amia forget`: a person or company disappears from the graph and the outbox; only a hashed block remains."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.outreach.errors import NotSendable
from bot.outreach.forget import forget
from bot.outreach.inbound import InboundProcessor
from bot.outreach.outbox import OutboxTransport
from bot.outreach.runtime import build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests import neo4j_server
from tests.bot.outreach.conftest import SECRET, Clock, make_settings, seed_message

ROOT = Path(__file__).resolve().parents[3]


async def _mentions(graph: Neo4jGraphStore, needle: str) -> list[str]:
    rows = await graph.read(
        """
        MATCH (n) WHERE any(k IN keys(n) WHERE
            CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN any(x IN n[k] WHERE toStringOrNull(x) CONTAINS $needle)
                 ELSE toStringOrNull(n[k]) CONTAINS $needle END)
        RETURN labels(n)[0] AS label
        """,
        needle=needle,
    )
    return [r["label"] for r in rows]


async def test_forget_email_erases_everything_but_a_hashed_block(
    graph: Neo4jGraphStore, clock: Clock, tmp_path: Path
) -> None:
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    jane = await seed_message(graph)
    bob = await seed_message(graph, email="bob@acme.io")
    for s in (jane, bob):
        await out.sender.schedule_approved_message(s["message_id"])
    await out.worker.run_once()
    [send] = await out.store.sends_to("jane@acme.io")
    reply = f"From: jane@acme.io\r\nMessage-ID: <r@a>\r\nIn-Reply-To: {send['rfc_message_id']}\r\n\r\nNot now.\r\n"
    await InboundProcessor(out.store).process(reply.encode(), clock.at)
    await out.store.suppress("jane@acme.io", "email", "unsubscribed", source="test")
    assert await _mentions(graph, "jane@acme.io")

    report = await forget(out.store, "Jane@Acme.io", outbox=OutboxTransport(tmp_path / "outbox"))

    assert await _mentions(graph, "jane@acme.io") == []
    assert report.outbox_files == 1 and report.graph_nodes > 3
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1  # bob's stays
    assert await _mentions(graph, "bob@acme.io")
    block = await out.store.suppression_for("jane@acme.io")
    assert block is not None and block["hashed"] and block["reason"] == "erased"
    again = await seed_message(graph, step=2)  # the person is re-discovered later...
    with pytest.raises(NotSendable, match="suppression list"):  # ...and still never contacted
        await out.sender.schedule_approved_message(again["message_id"])


async def test_forget_domain_erases_company_and_its_people(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    out = build_outreach(make_settings(tmp_path), graph)
    await seed_message(graph)
    await seed_message(graph, email="bob@acme.io")
    await seed_message(graph, email="amy@globex.com", domain="globex.com")

    report = await forget(out.store, "https://www.acme.io/about")

    assert report.kind == "domain" and sorted(report.people) == ["bob@acme.io", "jane@acme.io"]
    assert await _mentions(graph, "acme.io") == []
    assert await _mentions(graph, "globex.com")
    assert (await out.store.suppression_for("new.person@acme.io"))["reason"] == "erased"  # type: ignore[index]


def test_cli_forget_reports_and_refuses_nonsense(
    neo4j_server_handle: neo4j_server.TestNeo4j, graph: Neo4jGraphStore, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"storage:\n  data_dir: {tmp_path}/var\nmemory:\n  enabled: false\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "AMIA_"))}
    env |= {"AMIA_CONFIG": str(config), "NEO4J_URI": neo4j_server_handle.uri, "AMIA_SECRET_KEY": SECRET}
    if neo4j_server_handle.auth:
        env |= {"NEO4J_USER": neo4j_server_handle.auth[0], "NEO4J_PASSWORD": neo4j_server_handle.auth[1]}
    amia = [sys.executable, "-m", "bot.cli"]
    ok = subprocess.run([*amia, "forget", "jane@acme.io"], env=env, cwd=ROOT, capture_output=True, text=True,
                        timeout=120)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "erased email jane@acme.io" in ok.stdout and "never contacted again" in ok.stdout
    bad = subprocess.run([*amia, "forget", "not a thing"], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert bad.returncode != 0 and "neither an email address nor a domain" in (bad.stdout + bad.stderr)
