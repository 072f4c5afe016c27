"""Fixtures: a fake OpenAI server per test (in the test's loop) and a team factory over the real openai client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from agents.llm.budget import BudgetLedger
from agents.llm.client import build_model_client
from agents.llm.config import BudgetConfig, LlmConfig
from agents.llm.team import LeadTeam
from agents.persona import PersonaConfig
from knowledge.memory.rules import TeamRules
from tests.agents.llm.toolbox_double import FixedToolbox
from tests.fakes.fake_openai import FakeOpenAI, LeadScenario

COMPANIES: dict[str, dict[str, Any]] = {
    "acme.io": {
        "name": "Acme",
        "employees": 250,
        "industries": ["saas"],
        "country": "DE",
        "facts": ["Acme raised a $20M Series B in May 2026", "Acme is hiring five SDRs in Berlin"],
        "score": 82,
    },
    "tiny.io": {
        "name": "Tiny",
        "employees": 30,
        "industries": ["saas"],
        "country": "DE",
        "facts": ["Tiny launched a new API"],
        "score": 75,
    },
    "cold.io": {"name": "Cold", "employees": 400, "industries": ["mining"], "facts": ["Cold digs"], "score": 20},
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(LeadScenario()) as srv:
        yield srv


TeamFactory = Callable[..., tuple[LeadTeam, FixedToolbox]]


@pytest.fixture
def make_team(fake: FakeOpenAI) -> TeamFactory:
    made: list[Any] = []

    def build(
        *, budget: BudgetConfig | None = None, rules: TeamRules | None = None, blocked: tuple[str, ...] = (), **cfg: Any
    ) -> tuple[LeadTeam, FixedToolbox]:
        config = LlmConfig(base_url=fake.base_url, model="gpt-4o-mini-2024-07-18", max_retries=0, **cfg)
        if budget is not None:
            config.budget = budget
        client = build_model_client(config, "sk-test")
        made.append(client)
        toolbox = FixedToolbox(COMPANIES, blocked_words=blocked)
        ledger = BudgetLedger(config.budget, config.prices)
        persona = PersonaConfig(company_name="Example Co", sender_name="Alex", voice="warm and brief")
        return LeadTeam(client, config, persona, toolbox, ledger, rules), toolbox

    return build


def requests_for(fake: FakeOpenAI, role: str) -> list[dict[str, Any]]:
    from tests.fakes.fake_openai import role_of

    return [r for r in fake.requests if role_of(r) == role]
