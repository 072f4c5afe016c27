"""Token and cost accounting per run, per lead and per UTC day, with hard caps checked before every model call."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from agents.llm.config import BudgetConfig, PriceConfig
from agents.llm.errors import BudgetExceeded, LlmError

log = logging.getLogger(__name__)


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, prompt: int, completion: int) -> None:
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.calls += 1

    def cost(self, prices: PriceConfig) -> float:
        return (
            self.prompt_tokens / 1000 * prices.prompt_per_1k + self.completion_tokens / 1000 * prices.completion_per_1k
        )

    def as_dict(self, prices: PriceConfig | None = None) -> dict[str, float | int]:
        out: dict[str, float | int] = {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total,
            "calls": self.calls,
        }
        if prices is not None:
            out["cost"] = round(self.cost(prices), 6)
        return out


def _today() -> date:
    return datetime.now(UTC).date()


class LlmObserver(Protocol):
    """Where token use and finished runs are reported (bot.metrics.Metrics in a running bot)."""

    def record_llm_usage(
        self, model: str, *, prompt_tokens: int = 0, completion_tokens: int = 0, cost_usd: float = 0.0
    ) -> None: ...

    def record_agent_run(self, workflow: str, outcome: str, seconds: float | None = None) -> None: ...


def run_outcome(error: LlmError | None) -> str:
    """ok, budget_stopped (a cap stopped the run cleanly) or error (the model failed; code finished the work)."""
    if error is None:
        return "ok"
    return "budget_stopped" if isinstance(error, BudgetExceeded) else "error"


class BudgetLedger:
    """Process-wide ledger: per-lead and per-day totals. Seed the day from the graph with :meth:`seed_day`."""

    def __init__(
        self,
        budget: BudgetConfig,
        prices: PriceConfig,
        *,
        on_warning: Callable[[str], None] | None = None,
        observer: LlmObserver | None = None,
    ) -> None:
        self.budget, self.prices = budget, prices
        self.observer = observer
        self.day = _today()
        self.day_usage = Usage()
        self.lead_usage: dict[str, Usage] = defaultdict(Usage)
        self.on_warning = on_warning
        self.warnings: list[str] = []  # today's budget warnings, for the digest
        self._warned: set[str] = set()

    def check_warnings(self) -> None:
        """Warn once per day per cap when today's spend crosses ``budget.warn_at`` of the daily cap."""
        b, share = self.budget, self.budget.warn_at
        spent = (
            ("tokens_per_day", float(self.day_usage.total), float(b.tokens_per_day), "tokens"),
            ("cost_per_day", self.day_usage.cost(self.prices), b.cost_per_day, self.prices.currency),
        )
        for name, used, cap, unit in spent:
            if cap and used >= share * cap and name not in self._warned:
                self._warned.add(name)
                text = (
                    f"LLM budget: {used:,.2f} of {cap:,.2f} {unit} used today ({used / cap:.0%}); "
                    f"runs stop at the cap (llm.budget.{name})"
                )
                self.warnings.append(text)
                log.warning("%s", text)
                if self.on_warning is not None:
                    self.on_warning(text)

    def seed_day(self, prompt_tokens: int, completion_tokens: int) -> None:
        """Start from what the graph says was already spent today (another process, an earlier start)."""
        self._roll()
        self.day_usage = Usage(prompt_tokens, completion_tokens, 0)

    def _roll(self) -> None:
        today = _today()
        if today != self.day:
            self.day, self.day_usage = today, Usage()
            self.warnings, self._warned = [], set()

    def run(self, run_id: str, lead_key: str) -> RunBudget:
        return RunBudget(self, run_id, lead_key)


@dataclass
class RunBudget:
    """The accounting of one team run; every model call goes through :meth:`check` then :meth:`record`."""

    ledger: BudgetLedger
    run_id: str
    lead_key: str
    usage: Usage = field(default_factory=Usage)
    by_agent: dict[str, Usage] = field(default_factory=lambda: defaultdict(Usage))
    model_seconds: float = 0.0  # time spent waiting for the model (HTTP included)
    started: float = field(default_factory=time.monotonic)

    def check(self, agent: str, estimated_prompt_tokens: int) -> None:
        """Raise BudgetExceeded if this call would cross a cap (0 = no cap)."""
        led, b = self.ledger, self.ledger.budget
        led._roll()
        est = max(0, estimated_prompt_tokens)
        lead = led.lead_usage[self.lead_key]
        for scope, used, cap in (
            ("run", self.usage.total, b.tokens_per_run),
            ("lead", lead.total, b.tokens_per_lead),
            ("day", led.day_usage.total, b.tokens_per_day),
        ):
            if cap and used + est > cap:
                raise BudgetExceeded(scope, used + est, cap)
        if b.cost_per_day:
            cost = led.day_usage.cost(led.prices) + est / 1000 * led.prices.prompt_per_1k
            if cost > b.cost_per_day:
                raise BudgetExceeded("day_cost", cost, b.cost_per_day, led.prices.currency)

    def record(self, agent: str, prompt_tokens: int, completion_tokens: int, *, model: str = "") -> None:
        self.ledger._roll()
        for u in (self.usage, self.by_agent[agent], self.ledger.lead_usage[self.lead_key], self.ledger.day_usage):
            u.add(prompt_tokens, completion_tokens)
        self.ledger.check_warnings()
        observer = self.ledger.observer
        if observer is not None:
            p = self.ledger.prices
            cost = prompt_tokens / 1000 * p.prompt_per_1k + completion_tokens / 1000 * p.completion_per_1k
            try:
                observer.record_llm_usage(
                    model or "unknown", prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost_usd=cost
                )
            except Exception:  # metrics must never stop a run
                log.debug("usage observer failed", exc_info=True)

    def finish(self, workflow: str, error: LlmError | None) -> str:
        """Report the finished run (workflow: lead, revise, question) to the observer; returns its outcome."""
        outcome = run_outcome(error)
        observer = self.ledger.observer
        if observer is not None:
            try:
                observer.record_agent_run(workflow, outcome, time.monotonic() - self.started)
            except Exception:
                log.debug("run observer failed", exc_info=True)
        return outcome

    def summary(self) -> dict[str, object]:
        p = self.ledger.prices
        return {
            "run_id": self.run_id,
            "lead": self.lead_key,
            **self.usage.as_dict(p),
            "currency": p.currency,
            "model_seconds": round(self.model_seconds, 4),
            "by_agent": {a: u.as_dict(p) for a, u in sorted(self.by_agent.items())},
        }
