"""Bench: the agent team on N leads against the fake OpenAI server with realistic response sizes.

Prints prompt/completion tokens per lead and per agent (goal: <= 6k tokens per lead in total) and our own wall time
per lead with model latency (time inside model calls, HTTP included) subtracted.

    .venv/bin/python bench/agents.py [--leads 20] [--latency 0.0]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.llm.budget import BudgetLedger
from agents.llm.client import build_model_client
from agents.llm.config import LlmConfig
from agents.llm.team import LeadTask, LeadTeam
from agents.persona import PersonaConfig
from agents.workflows.pipeline import process_lead
from tests.agents.llm.toolbox_double import FixedToolbox
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario, role_of

FACTS = [
    "{n} raised a ${m}M Series {r} led by Northzone to expand its payments platform across Europe",
    "{n} is hiring {k} sales development representatives in Berlin, London and Amsterdam this quarter",
    "{n} appointed a new Chief Revenue Officer who previously scaled revenue at a public SaaS company",
    "{n} launched an embedded finance API for marketplaces, announced on its product blog",
    "{n}'s careers page lists open roles in customer onboarding and revenue operations",
    "{n} partners with a major cloud provider to offer its product in the cloud marketplace",
    "{n} opened a new office in Madrid to serve customers in Spain and Latin America",
    "{n} was named in a 2026 list of the fastest-growing fintech companies in Germany",
]
INDUSTRIES = ["fintech", "saas", "e-commerce"]


def companies(n: int, rng: random.Random) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for i in range(n):
        name = f"Company{i:02d}"
        facts = [
            f.format(n=name, m=rng.randint(5, 80), r="ABC"[rng.randint(0, 2)], k=rng.randint(2, 12))
            for f in rng.sample(FACTS, 6)
        ]
        out[f"company{i:02d}.io"] = {
            "name": name,
            "employees": rng.randint(60, 1800),
            "industries": [rng.choice(INDUSTRIES)],
            "country": rng.choice(["DE", "GB", "FR", "US"]),
            "facts": facts,
            "score": rng.choice([82, 74, 66, 58, 30]),
        }
    return out


async def main(leads: int, latency: float) -> None:
    rng = random.Random(7)
    data = companies(leads, rng)
    scenario = LeadScenario(body_words=110)

    def responder(body: dict[str, object]) -> dict[str, object]:
        spec = scenario(body)  # type: ignore[arg-type]
        return {**spec, "delay": latency} if latency else spec

    async with FakeOpenAI(responder) as srv:
        cfg = LlmConfig(base_url=srv.base_url, model="gpt-4o-mini-2024-07-18", max_retries=0)
        client = build_model_client(cfg, "sk-bench")
        toolbox = FixedToolbox(data)
        ledger = BudgetLedger(cfg.budget, cfg.prices)
        persona = PersonaConfig(value_props={"en": ["Onboarding in days, not weeks", "SOC 2 Type II"]})
        team = LeadTeam(client, cfg, persona, toolbox, ledger)
        per_lead: list[tuple[str, int, int, float, float, str]] = []
        per_agent: dict[str, list[int]] = defaultdict(list)
        per_agent_calls: dict[str, int] = defaultdict(int)
        for domain in data:
            lang = {"DE": "de", "FR": "fr"}.get(str(data[domain]["country"]), "en")
            start = time.perf_counter()
            out = await process_lead(
                LeadTask(domain, contact=f"ceo@{domain}", language=lang), toolbox=toolbox, team=team
            )
            wall = time.perf_counter() - start
            u = out.usage or {}
            model_s = float(u.get("model_seconds", 0.0))
            per_lead.append(
                (domain, int(u["prompt_tokens"]), int(u["completion_tokens"]), wall, wall - model_s, out.status)
            )
            for agent, au in u["by_agent"].items():
                per_agent[agent].append(int(au["total_tokens"]))
                per_agent_calls[agent] += int(au["calls"])
        by_role: dict[str, int] = defaultdict(int)
        for r in srv.requests:
            by_role[role_of(r)] += 1
        await client.close()

    print(f"{'lead':<16}{'prompt':>8}{'compl.':>8}{'total':>8}{'wall ms':>10}{'ours ms':>10}  status")
    for d, p, c, w, o, st in per_lead:
        print(f"{d:<16}{p:>8}{c:>8}{p + c:>8}{w * 1000:>10.1f}{o * 1000:>10.1f}  {st}")
    totals = [p + c for _, p, c, *_ in per_lead]
    drafted = [p + c for _, p, c, _, _, st in per_lead if st != "not_qualified"]
    ours = [o * 1000 for *_, o, _ in per_lead]
    print()
    print(f"leads: {len(per_lead)}, drafted: {len(drafted)}, HTTP calls by role: {dict(by_role)}")
    print(
        f"tokens per lead: mean {statistics.mean(totals):.0f}, max {max(totals)}, "
        f"drafted leads mean {statistics.mean(drafted) if drafted else 0:.0f} (goal <= 6000) -> "
        f"{'OK' if max(totals) <= 6000 else 'OVER'}; max/goal = {max(totals) / 6000:.2f}"
    )
    for agent in ("researcher", "scorer", "copywriter", "compliance"):
        vals = per_agent.get(agent, [])
        if vals:
            print(
                f"  {agent:<11} mean {statistics.mean(vals):>6.0f} tokens/lead over {len(vals)} leads, "
                f"{per_agent_calls[agent] / len(vals):.1f} calls/lead"
            )
    ours_sorted = sorted(ours)
    print(
        f"our wall time per lead excluding model latency: median {statistics.median(ours):.1f} ms, "
        f"p95 {ours_sorted[int(0.95 * (len(ours_sorted) - 1))]:.1f} ms, max {max(ours):.1f} ms"
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leads", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.0, help="simulated model latency per call, seconds")
    args = ap.parse_args()
    asyncio.run(main(args.leads, args.latency))
