"""The LLM endpoint misbehaves under `amia lead` (a real process, the real openai client and autogen team, against
a fake OpenAI-compatible server on 127.0.0.1): transient 429 (with Retry-After), 500 and a hang are retried with
backoff and the run completes once, with tokens counted once; a permanently broken endpoint gives a clear message
naming the endpoint, no traceback, and no half-written run."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.agents.workflows.test_drafting import seed
from tests.bot.test_lead_command import amia_lead, write_config
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario, fault_script
from tests.neo4j_server import TestNeo4j as Neo4jHandle

KEY = "sk-test-reliability-0000"
MODEL = "gpt-4o-mini-2024-07-18"


def llm_block(base_url: str, *, retries: int, timeout: float) -> str:
    return f"llm:\n  base_url: {base_url}\n  model: {MODEL}\n  max_retries: {retries}\n  timeout_seconds: {timeout}\n"


async def graph_counts(graph: Neo4jGraphStore) -> dict[str, int]:
    rows = await graph.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")
    return {str(r["label"]): int(r["n"]) for r in rows}


def added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}


async def usage_rows(graph: Neo4jGraphStore) -> list[dict[str, Any]]:
    return await graph.read(
        "MATCH (u:LlmUsage) RETURN u.run_id AS run_id, u.agent AS agent, "
        "u.prompt_tokens AS prompt, u.completion_tokens AS completion"
    )


async def test_transient_429_500_and_hang_are_retried_and_the_run_completes_once(
    graph: Neo4jGraphStore, neo4j_server_handle: Neo4jHandle, tmp_path: Path
) -> None:
    await seed(graph)
    before = await graph_counts(graph)
    async with FakeOpenAI(LeadScenario()) as fake:
        # The first model call meets a 429 asking for 1 s, then a 500, then a hang past the 1.5 s timeout.
        fake.failures = fault_script("429", retry_after=1) + fault_script("500") + fault_script("hang")
        t0 = time.monotonic()
        rc, out, err = await amia_lead(
            write_config(tmp_path, llm_block(fake.base_url, retries=3, timeout=1.5)), neo4j_server_handle,
            OPENAI_API_KEY=KEY,
        )  # fmt: skip
        elapsed = time.monotonic() - t0
        arrivals, served = list(fake.arrivals), list(fake.served)
    assert rc == 0, err
    data = json.loads(out)
    assert data["mode"] == "llm" and data["mode_note"] == "agent team", data["mode_note"]
    assert data["status"] in ("needs_approval", "blocked", "not_qualified")
    assert all(not v.startswith("deterministic") for v in data["steps"].values()), data["steps"]
    assert not data["notes"], data["notes"]

    # 3 faults on the first call, then every call answered: requests = answers + 3.
    assert len(arrivals) == len(served) + 3
    # Retry-After was honoured: the retry after the 429 came at least 1 s later (SDK backoff alone is ~0.5 s).
    assert arrivals[1] - arrivals[0] >= 0.95, arrivals[:4]
    # The hang was cut by the client's timeout and retried: the 4th attempt came after >= 1.5 s.
    assert arrivals[3] - arrivals[2] >= 1.45, arrivals[:4]

    # Tokens are counted once: only answered calls count, in the JSON and in the graph's usage records.
    want_prompt = sum(u["prompt_tokens"] for u in served)
    want_completion = sum(u["completion_tokens"] for u in served)
    rows = await usage_rows(graph)
    assert len({r["run_id"] for r in rows}) == 1, "one run, recorded once"
    assert sum(r["prompt"] for r in rows) == want_prompt
    assert sum(r["completion"] for r in rows) == want_completion
    usage = data["usage"]
    assert usage["calls"] == len(served)
    assert usage["prompt_tokens"] == want_prompt and usage["completion_tokens"] == want_completion

    # Nothing duplicated: the only new graph nodes are one score snapshot and one LlmUsage per agent that spoke.
    new = added(before, await graph_counts(graph))
    assert new == {"ScoreSnapshot": 1, "LlmUsage": len(rows)}, new
    saved = list((tmp_path / "var" / "runs").glob("*")) if (tmp_path / "var" / "runs").exists() else []
    assert len(saved) == (1 if data["status"] == "needs_approval" else 0)
    print(f"\nLLM transient faults: {len(arrivals)} requests, 3 retried, completed in {elapsed:.1f}s")


@pytest.mark.parametrize(
    ("name", "spec", "phrase"),
    [
        ("500", {"status": 500}, "failed with HTTP 500 after 1 retries"),
        pytest.param("hang", {"hang": True}, "did not answer within 1s", marks=pytest.mark.slow),
    ],
)
async def test_permanent_failure_stops_cleanly_with_the_endpoint_named(
    graph: Neo4jGraphStore,
    neo4j_server_handle: Neo4jHandle,
    tmp_path: Path,
    name: str,
    spec: dict[str, Any],
    phrase: str,
) -> None:
    await seed(graph)
    before = await graph_counts(graph)
    async with FakeOpenAI(lambda _b: dict(spec)) as fake:
        t0 = time.monotonic()
        rc, out, err = await amia_lead(
            write_config(tmp_path, llm_block(fake.base_url, retries=1, timeout=1.0)), neo4j_server_handle,
            OPENAI_API_KEY=KEY,
        )  # fmt: skip
        elapsed = time.monotonic() - t0
        attempts = len(fake.arrivals)
    assert rc == 0 and "Traceback" not in err, err
    data = json.loads(out)
    # The user is told which endpoint failed and how; the lead is still finished by the deterministic path.
    assert data["mode"] == "deterministic", data
    assert phrase in data["mode_note"] and fake.base_url in data["mode_note"], data["mode_note"]
    assert any(fake.base_url in n for n in data["notes"]), data["notes"]
    assert all(v.startswith("deterministic (LLM failed: ") for v in data["steps"].values() if v != "code")
    assert attempts == 2, f"{name}: one call, one retry, then stop (got {attempts})"
    assert KEY not in err and KEY not in out
    # Nothing half-written: no LLM usage recorded, no saved team state to resume from, nothing new but the score.
    assert await usage_rows(graph) == []
    assert not (tmp_path / "var" / "runs").exists() or not any((tmp_path / "var" / "runs").iterdir())
    new = added(before, await graph_counts(graph))
    assert set(new) <= {"ScoreSnapshot"} and new.get("ScoreSnapshot", 0) <= 1, new
    print(f"\nLLM permanent {name}: stopped after {attempts} attempts in {elapsed:.1f}s")
