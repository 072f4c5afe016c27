"""process_lead over the real workflows (graph profile, scoring, drafting + compliance) with the team on the fake
model, and usage recorded in the real Neo4j."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.llm.budget import BudgetLedger
from agents.llm.client import build_model_client
from agents.llm.config import LlmConfig
from agents.llm.team import LeadTask, LeadTeam
from agents.persona import LanguagesConfig
from agents.policies.icp_config import IcpConfig, ScoringConfig
from agents.workflows.pipeline import WorkflowToolbox, process_lead
from knowledge.deliverability.spamassassin import SpamAssassin
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.usage import usage_by_lead, usage_on
from knowledge.memory.rules import parse_rules
from tests.agents.workflows.test_drafting import COMPLIANCE, PERSONA, SENDER, seed
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario


def toolbox(graph: Neo4jGraphStore, spam: SpamAssassin | None = None) -> WorkflowToolbox:
    return WorkflowToolbox(
        graph=graph,
        icp=IcpConfig(),
        scoring=ScoringConfig(hot_threshold=60, warm_threshold=20),  # the seeded company scores ~23
        persona=PERSONA,
        languages=LanguagesConfig(),
        compliance=COMPLIANCE,
        sender=SENDER,
        spam=spam,
    )


async def test_llm_and_deterministic_modes_over_the_real_workflows(
    graph: Neo4jGraphStore, spam_scorer: SpamAssassin
) -> None:
    await seed(graph, hq_country="US")
    tb = toolbox(graph, spam_scorer)
    det = await process_lead(LeadTask("acme.io", language="en"), toolbox=tb)
    assert det.mode == "deterministic" and det.state.score is not None
    assert det.state.brief is not None and det.state.brief.facts  # graph facts with their ids
    fact_ids = {f.fact_id for f in det.state.brief.facts}

    async with FakeOpenAI(LeadScenario()) as srv:
        cfg = LlmConfig(base_url=srv.base_url, model="gpt-4o-mini-2024-07-18", max_retries=0)
        client = build_model_client(cfg, "sk-test")
        team = LeadTeam(client, cfg, PERSONA, tb, BudgetLedger(cfg.budget, cfg.prices))
        out = await process_lead(LeadTask("acme.io", language="en"), toolbox=tb, team=team, graph=graph)
        await client.close()

    assert out.state.score is not None and out.state.score.score == det.state.score.score  # numbers from code
    assert out.state.score.qualified, out.state.score.reasons
    d = out.state.draft
    assert d is not None and d.mode == "llm" and d.cited_fact_ids and set(d.cited_fact_ids) <= fact_ids
    r = out.state.review
    assert r is not None and r.package is not None  # reviewed by the drafting workflow, footer and all
    step1 = r.package["steps"][0]  # type: ignore[index]
    assert step1["mode"] == "llm" and "/unsubscribe/" in step1["body"] and d.body in step1["body"]
    assert step1["verdict"] == r.verdict
    assert r.verdict != "block", r.findings  # a faithful, cited model draft passes the real compliance gate
    assert out.status == "needs_approval"
    day = await usage_on(graph, datetime.now(UTC).date())
    assert day["prompt_tokens"] == out.usage["prompt_tokens"] and day["runs"] == 1  # type: ignore[index]
    rows = await usage_by_lead(graph, datetime(2000, 1, 1, tzinfo=UTC))
    assert rows[0]["domain"] == "acme.io" and rows[0]["cost"] > 0


async def test_team_rule_applies_to_the_real_scoring_workflow(graph: Neo4jGraphStore) -> None:
    await seed(graph, hq_country="US", employee_count=20)
    out = await process_lead(
        LeadTask("acme.io"), toolbox=toolbox(graph), rules=parse_rules(["no companies under 50 people"])
    )
    assert out.status == "not_qualified"
    assert out.state.score is not None and "team rule: no companies under 50 people (has 20)" in out.state.score.reasons


async def test_open_question_is_answered_with_a_ranking_from_code(graph: Neo4jGraphStore) -> None:
    from agents.llm.team import QuestionDesk
    from agents.llm.toolbox import ScoreOutcome
    from knowledge.models import SignalType
    from tests.factories import make_company, make_signal

    companies = [
        make_company(domain="big.io", name="Big", employee_count=900),
        make_company(domain="small.io", name="Small", employee_count=20),
        make_company(domain="us.io", name="Yankee", hq_country="US"),
    ]
    await graph.upsert_companies(companies)
    await graph.upsert_signals(
        [
            make_signal(
                type=SignalType.HIRING,
                company_domain=c.domain,
                evidence=f"{c.name} is hiring SDRs",
                source_url=f"https://{c.domain}/jobs",
                attributes={},
            )
            for c in companies
        ]
    )
    tb = toolbox(graph)
    tb.scoring = ScoringConfig(hot_threshold=10, warm_threshold=5)  # a hiring signal alone scores ~8
    async with FakeOpenAI(LeadScenario()) as srv:
        cfg = LlmConfig(base_url=srv.base_url, model="gpt-4o-mini-2024-07-18", max_retries=0)
        client = build_model_client(cfg, "sk-test")
        desk = QuestionDesk(
            client, cfg, tb, tb, BudgetLedger(cfg.budget, cfg.prices), parse_rules(["no companies under 50 people"])
        )
        ans = await desk.ask("find fintechs hiring SDRs in Germany and tell me who to call first")
        await client.close()
    assert ans.error is None, ans.error
    assert [r["domain"] for r in ans.ranked] == ["big.io", "small.io"]  # us.io is not in Germany
    small = ScoreOutcome.model_validate({k: ans.ranked[1][k] for k in ("score", "tier", "qualified", "reasons")})
    assert not small.qualified and any("team rule" in r for r in small.reasons)
    assert ans.text.startswith("Call big.io first")
    assert ans.usage["by_agent"]["analyst"]["calls"] == 3  # type: ignore[index]
