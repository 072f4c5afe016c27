"""Budgets: per run, per lead, per day and cost caps; accounting by agent."""

from __future__ import annotations

import pytest

from agents.llm.budget import BudgetLedger
from agents.llm.config import BudgetConfig, PriceConfig
from agents.llm.errors import BudgetExceeded

PRICES = PriceConfig(prompt_per_1k=0.5, completion_per_1k=1.5)


def test_cost_is_priced_per_thousand_tokens_and_split_by_agent() -> None:
    run = BudgetLedger(BudgetConfig(), PRICES).run("r", "acme.io")
    run.record("researcher", 1000, 0)
    run.record("copywriter", 2000, 1000)
    s = run.summary()
    assert s["total_tokens"] == 4000 and s["cost"] == pytest.approx(0.5 + 1.0 + 1.5)
    assert s["by_agent"]["copywriter"]["cost"] == pytest.approx(2.5)  # type: ignore[index]


@pytest.mark.parametrize(
    ("budget", "scope"),
    [
        (BudgetConfig(tokens_per_run=1000, tokens_per_lead=0, tokens_per_day=0, cost_per_day=0), "run"),
        (BudgetConfig(tokens_per_run=0, tokens_per_lead=1000, tokens_per_day=0, cost_per_day=0), "lead"),
        (BudgetConfig(tokens_per_run=0, tokens_per_lead=0, tokens_per_day=1000, cost_per_day=0), "day"),
        (BudgetConfig(tokens_per_run=0, tokens_per_lead=0, tokens_per_day=0, cost_per_day=0.4), "day_cost"),
    ],
)
def test_each_cap_stops_before_the_call_that_would_cross_it(budget: BudgetConfig, scope: str) -> None:
    run = BudgetLedger(budget, PRICES).run("r", "acme.io")
    run.check("scorer", 500)
    run.record("scorer", 700, 100)
    with pytest.raises(BudgetExceeded) as exc:
        run.check("copywriter", 300)
    assert exc.value.scope == scope
    assert "stopped cleanly" in str(exc.value) and "llm.budget." in str(exc.value)


def test_lead_cap_spans_runs_of_the_same_lead_but_not_other_leads() -> None:
    ledger = BudgetLedger(BudgetConfig(tokens_per_lead=1000, tokens_per_run=0), PRICES)
    ledger.run("r1", "acme.io").record("copywriter", 900, 0)
    with pytest.raises(BudgetExceeded, match="lead cap"):
        ledger.run("r2", "acme.io").check("copywriter", 200)
    ledger.run("r3", "other.io").check("copywriter", 200)


def test_zero_means_no_cap() -> None:
    run = BudgetLedger(BudgetConfig(tokens_per_run=0, tokens_per_lead=0, tokens_per_day=0, cost_per_day=0), PRICES).run(
        "r", "x"
    )
    run.record("a", 10**7, 10**7)
    run.check("a", 10**7)


def test_daily_spend_warns_once_at_the_configured_share(caplog) -> None:  # type: ignore[no-untyped-def]
    from agents.llm.budget import BudgetLedger
    from agents.llm.config import BudgetConfig, PriceConfig

    seen: list[str] = []
    ledger = BudgetLedger(
        BudgetConfig(tokens_per_run=0, tokens_per_lead=0, tokens_per_day=1000, cost_per_day=0, warn_at=0.8),
        PriceConfig(),
        on_warning=seen.append,
    )
    run = ledger.run("r1", "acme.io")
    run.record("copywriter", 500, 200)
    assert seen == [] and ledger.warnings == []
    run.record("compliance", 90, 20)  # 810 of 1000 tokens
    run.record("compliance", 10, 10)  # still above: no second warning
    assert len(seen) == 1 and "81%" in seen[0] and "llm.budget.tokens_per_day" in seen[0]
    assert ledger.warnings == seen and "LLM budget" in caplog.text
