"""A run saved at approval is revised by a different process (fresh interpreter, client, agents and server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agents.llm.runstore import RunStore
from agents.llm.team import LeadTask
from agents.workflows.pipeline import process_lead
from tests.agents.llm.conftest import TeamFactory

ROOT = Path(__file__).resolve().parents[3]
CHILD = """
import asyncio, json, sys
from pathlib import Path
from agents.llm.budget import BudgetLedger
from agents.llm.client import build_model_client
from agents.llm.config import LlmConfig
from agents.llm.runstore import RunStore
from agents.llm.team import LeadTeam
from agents.persona import PersonaConfig
from agents.workflows.pipeline import revise_lead
from tests.agents.llm.conftest import COMPANIES
from tests.agents.llm.toolbox_double import FixedToolbox
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario

async def main(folder, run_id):
    async with FakeOpenAI(LeadScenario()) as srv:
        cfg = LlmConfig(base_url=srv.base_url, model="gpt-4o-mini-2024-07-18", max_retries=0)
        client = build_model_client(cfg, "sk-test")
        tb = FixedToolbox(COMPANIES)
        team = LeadTeam(client, cfg, PersonaConfig(), tb, BudgetLedger(cfg.budget, cfg.prices))
        out = await revise_lead(run_id, "Say hello in one line", toolbox=tb, team=team, runs=RunStore(Path(folder)))
        first = srv.requests[0]["messages"]
        print(json.dumps({"out": out.to_dict(), "roles": sorted({m["role"] for m in first}),
                          "context": json.dumps(first)}))
        await client.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_revision_resumes_in_a_new_process(make_team: TeamFactory, tmp_path: Path) -> None:
    runs = RunStore(tmp_path / "runs")
    team, toolbox = make_team()
    first = await process_lead(LeadTask("acme.io", contact="jane@acme.io"), toolbox=toolbox, team=team, runs=runs)
    assert first.status == "needs_approval" and first.run_id is not None
    assert (tmp_path / "runs" / f"{first.run_id}.json").exists()

    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "runs"), first.run_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    out = child["out"]
    assert out["mode"] == "llm" and out["revisions"] == 1 and out["run_id"] == first.run_id
    assert out["draft"]["mode"] == "llm" and out["review"]["verdict"] == "pass"
    # the copywriter resumed with its memory of the original run: the brief and its first draft
    assert "[F1]" in child["context"] and "submit_draft" in child["context"]
    assert "Say hello in one line" in child["context"]
