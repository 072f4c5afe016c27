"""`amia lead`: the whole pipeline for one lead from the CLI, deterministic without a model and as the agent team
with one (the real openai client and autogen against a fake OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.agents.workflows.test_drafting import seed
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario
from tests.neo4j_server import TestNeo4j as Neo4jHandle

ROOT = Path(__file__).resolve().parents[2]


async def amia_lead(config: Path, server: Neo4jHandle, **env: str) -> tuple[int, str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "OPENAI_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "--config", str(config), "lead", "acme.io", "--json",
        cwd=ROOT, env={**base, "NEO4J_URI": server.uri, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=240)
    return proc.returncode or 0, out.decode(), err.decode()


PERSONA = "persona:\n  value_props:\n    en: [cut the time your team spends on reporting]\n"


def write_config(tmp_path: Path, llm: str = "", persona: str = PERSONA) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"storage:\n  data_dir: {tmp_path / 'var'}\nmemory:\n  enabled: false\n"
        "scoring:\n  hot_threshold: 60\n  warm_threshold: 20\n" + persona + llm
    )
    return path


async def test_deterministic_mode_is_labelled(
    graph: Neo4jGraphStore, neo4j_server_handle: Neo4jHandle, tmp_path: Path
) -> None:
    await seed(graph)
    rc, out, err = await amia_lead(write_config(tmp_path), neo4j_server_handle)
    assert rc == 0, err
    data = json.loads(out)
    assert data["mode"] == "deterministic" and "no model configured" in data["mode_note"]
    assert data["score"]["score"] is not None and data["status"] in ("needs_approval", "blocked", "not_qualified")

    rc, out, err = await amia_lead(write_config(tmp_path, persona=""), neo4j_server_handle)
    assert rc == 1 and "persona.value_props is empty" in err and "Traceback" not in err


async def test_llm_mode_runs_the_agent_team(
    graph: Neo4jGraphStore, neo4j_server_handle: Neo4jHandle, tmp_path: Path
) -> None:
    await seed(graph)
    async with FakeOpenAI(LeadScenario()) as fake:
        llm = f"llm:\n  base_url: {fake.base_url}\n  model: gpt-4o-mini-2024-07-18\n  max_retries: 0\n"
        rc, out, err = await amia_lead(
            write_config(tmp_path, llm), neo4j_server_handle, OPENAI_API_KEY="sk-test-0000000000"
        )
        roles = {m["content"] for r in fake.requests for m in r["messages"][:1] if m.get("role") == "system"}
    assert rc == 0, err
    data = json.loads(out)
    assert data["mode"] == "llm", data["mode_note"]
    assert data["usage"] and len(fake.requests) >= 2
    assert any("ROLE=researcher" in r or "researcher" in r.lower() for r in roles)
    assert "sk-test-0000000000" not in err
