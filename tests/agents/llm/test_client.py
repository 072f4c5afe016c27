"""The model-client factory and error mapping, with the real openai SDK against the fake server."""

from __future__ import annotations

import socket
import time

import pytest
from autogen_core.models import UserMessage

from agents.llm.budget import BudgetLedger
from agents.llm.client import GuardedClient, build_model_client
from agents.llm.config import LlmConfig, ModelInfoConfig
from agents.llm.errors import LlmAuthError, LlmBadOutput, LlmConfigError, LlmModelNotFound, LlmUnavailable
from tests.fakes.fake_openai import FakeOpenAI

MODEL = "gpt-4o-mini-2024-07-18"


def ok(_body: dict) -> dict:
    return {"content": "pong"}


def guarded(cfg: LlmConfig, key: str = "sk-right") -> GuardedClient:
    ledger = BudgetLedger(cfg.budget, cfg.prices)
    return GuardedClient(build_model_client(cfg, key), cfg, ledger.run("r1", "lead"), "researcher")


async def ask(client: GuardedClient) -> str:
    res = await client.create([UserMessage(content="ping", source="user")])
    return str(res.content)


async def test_answer_and_usage_are_recorded() -> None:
    async with FakeOpenAI(ok) as srv:
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL))
        assert await ask(c) == "pong"
        assert c._budget.by_agent["researcher"].calls == 1 and c._budget.usage.prompt_tokens > 0
        assert srv.requests[0]["temperature"] == 0.2


async def test_wrong_api_key_is_a_clear_error_naming_the_variable() -> None:
    async with FakeOpenAI(ok, api_key="sk-right") as srv:
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL), key="sk-wrong")
        with pytest.raises(LlmAuthError, match="rejected the API key \\(HTTP 401\\): check OPENAI_API_KEY") as exc:
            await ask(c)
        assert "sk-wrong" not in str(exc.value)


async def test_unknown_model_is_named() -> None:
    async with FakeOpenAI(ok, models=("llama3",)) as srv:
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL))
        with pytest.raises(LlmModelNotFound, match=f"does not serve model '{MODEL}'"):
            await ask(c)


async def test_endpoint_down_says_where() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = guarded(LlmConfig(base_url=f"http://127.0.0.1:{port}/v1", model=MODEL, max_retries=0))
    with pytest.raises(LlmUnavailable, match=f"cannot reach the LLM endpoint http://127.0.0.1:{port}/v1"):
        await ask(c)


async def test_429_then_success_is_retried_with_backoff() -> None:
    async with FakeOpenAI(ok) as srv:
        srv.failures = [{"status": 429}, {"status": 503}]
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL, max_retries=2))
        assert await ask(c) == "pong"
        assert len(srv.requests) == 3


async def test_persistent_429_gives_up_after_bounded_retries() -> None:
    async with FakeOpenAI(lambda _b: {"status": 429}) as srv:
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL, max_retries=1))
        with pytest.raises(LlmUnavailable, match="kept rate-limiting \\(HTTP 429\\) after 1 retries"):
            await ask(c)
        assert len(srv.requests) == 2


async def test_malformed_json_is_bad_output() -> None:
    async with FakeOpenAI(lambda _b: {"malformed": True}) as srv:
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL, max_retries=0))
        with pytest.raises(LlmBadOutput, match="not valid JSON"):
            await ask(c)


async def test_slow_endpoint_times_out_within_the_configured_bound() -> None:
    async with FakeOpenAI(lambda _b: {"delay": 1.2, "content": "late"}) as srv:
        c = guarded(LlmConfig(base_url=srv.base_url, model=MODEL, max_retries=0, timeout_seconds=0.3))
        start = time.monotonic()
        with pytest.raises(LlmUnavailable, match=r"did not answer within 0\.3s"):
            await ask(c)
        assert time.monotonic() - start < 1.0


def test_unknown_model_without_model_info_explains_the_fix() -> None:
    cfg = LlmConfig(base_url="http://127.0.0.1:11434/v1", model="qwen2.5:7b")
    with pytest.raises(LlmConfigError, match=r"add an llm\.model_info block"):
        build_model_client(cfg, None)


async def test_model_info_makes_a_local_model_usable() -> None:
    async with FakeOpenAI(ok) as srv:
        cfg = LlmConfig(base_url=srv.base_url, model="qwen2.5:7b", model_info=ModelInfoConfig(family="unknown"))
        c = guarded(cfg, key="")
        assert await ask(c) == "pong"
        assert c.model_info["function_calling"] is True
        assert srv.requests[0]["model"] == "qwen2.5:7b"


def test_no_key_and_no_base_url_is_deterministic_mode_not_a_crash() -> None:
    with pytest.raises(LlmConfigError, match="set OPENAI_API_KEY"):
        build_model_client(LlmConfig(), None)
