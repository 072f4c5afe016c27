"""Model-client factory (OpenAI or any OpenAI-compatible endpoint) and the guard every agent's calls go through.

The guard enforces the budget before each call, records usage per agent, and turns openai/httpx failures into
:mod:`agents.llm.errors` with messages a user can act on. One of the two modules that import autogen.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Literal

import openai
from autogen_core import CancellationToken
from autogen_core.models import (
    ChatCompletionClient,
    CreateResult,
    LLMMessage,
    ModelCapabilities,  # type: ignore[attr-defined]
    ModelInfo,
    RequestUsage,
)
from autogen_core.tools import Tool, ToolSchema
from autogen_ext.models.openai import OpenAIChatCompletionClient
from pydantic import BaseModel

from agents.llm.budget import RunBudget
from agents.llm.config import LlmConfig
from agents.llm.errors import (
    LlmAuthError,
    LlmBadOutput,
    LlmConfigError,
    LlmError,
    LlmModelNotFound,
    LlmUnavailable,
)

log = logging.getLogger(__name__)


def model_info_for(cfg: LlmConfig) -> ModelInfo | None:
    if cfg.model_info is None:
        return None
    mi = cfg.model_info
    return ModelInfo(
        vision=mi.vision,
        function_calling=mi.function_calling,
        json_output=mi.json_output,
        family=mi.family,
        structured_output=mi.structured_output,
        multiple_system_messages=mi.multiple_system_messages,
    )


def build_model_client(cfg: LlmConfig, api_key: str | None) -> ChatCompletionClient:
    """An OpenAIChatCompletionClient for api.openai.com or ``cfg.base_url``; raises LlmConfigError when it can't."""
    kwargs: dict[str, Any] = {
        "model": cfg.model,
        # Local servers (Ollama, vLLM) ignore the key, but the SDK refuses an empty one.
        "api_key": api_key or "not-needed",
        "timeout": cfg.timeout_seconds,
        "max_retries": cfg.max_retries,
        "temperature": cfg.temperature,
        "include_name_in_message": cfg.include_name_in_message,
    }
    if cfg.base_url:
        kwargs["base_url"] = cfg.base_url
    info = model_info_for(cfg)
    if info is not None:
        kwargs["model_info"] = info
    if not api_key and not cfg.base_url:
        raise LlmConfigError("no LLM configured: set OPENAI_API_KEY (or llm.base_url for a local endpoint)")
    try:
        return OpenAIChatCompletionClient(**kwargs)
    except ValueError as exc:
        if "model_info" in str(exc):
            raise LlmConfigError(
                f"llm.model '{cfg.model}' is not in autogen's model table: add an llm.model_info block "
                "(family, function_calling, json_output, …) to config.yaml; see docs/llm-and-memory.md"
            ) from exc
        raise LlmConfigError(f"the llm settings are not usable: {exc}") from exc


def translate(exc: BaseException, cfg: LlmConfig) -> LlmError:
    """Map an openai/httpx failure to a typed error with a fix. Never includes the key."""
    where = cfg.base_url or "api.openai.com"
    if isinstance(exc, LlmError):
        return exc
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LlmAuthError(
            f"the LLM endpoint {where} rejected the API key (HTTP {exc.status_code}): check OPENAI_API_KEY"
        )
    if isinstance(exc, openai.NotFoundError):
        return LlmModelNotFound(
            f"the LLM endpoint {where} does not serve model '{cfg.model}' (HTTP 404): check llm.model and "
            "llm.base_url (it usually ends in /v1)"
        )
    if isinstance(exc, openai.BadRequestError) and "model" in str(exc.message).lower():
        return LlmModelNotFound(f"the LLM endpoint {where} refused model '{cfg.model}': {exc.message[:200]}")
    if isinstance(exc, openai.APITimeoutError):
        return LlmUnavailable(
            f"the LLM endpoint {where} did not answer within {cfg.timeout_seconds:g}s "
            f"({cfg.max_retries} retries): raise llm.timeout_seconds or check the server"
        )
    if isinstance(exc, openai.APIConnectionError):
        return LlmUnavailable(f"cannot reach the LLM endpoint {where}: is it running? check llm.base_url")
    if isinstance(exc, openai.RateLimitError):
        return LlmUnavailable(
            f"the LLM endpoint {where} kept rate-limiting (HTTP 429) after {cfg.max_retries} retries; try later"
        )
    if isinstance(exc, openai.APIStatusError):
        return LlmUnavailable(
            f"the LLM endpoint {where} failed with HTTP {exc.status_code} after {cfg.max_retries} retries"
        )
    if isinstance(exc, json.JSONDecodeError | openai.APIResponseValidationError):
        return LlmBadOutput(f"the LLM endpoint {where} returned a response that is not valid JSON")
    return LlmBadOutput(f"the LLM call failed: {type(exc).__name__}")


def _estimate_tokens(messages: Sequence[LLMMessage], tools: Sequence[Tool | ToolSchema]) -> int:
    """Characters/4: a tokenizer would need a download (see notes), and the cap only needs an estimate."""
    size = sum(len(str(getattr(m, "content", ""))) for m in messages)
    size += sum(len(json.dumps(t.schema if isinstance(t, Tool) else t, default=str)) for t in tools)
    return size // 4


class GuardedClient(ChatCompletionClient):
    """Wraps the shared model client for one agent of one run: budget check, usage recording, error mapping."""

    def __init__(self, inner: ChatCompletionClient, cfg: LlmConfig, budget: RunBudget, agent: str) -> None:
        self._inner, self._cfg, self._budget, self._agent = inner, cfg, budget, agent
        self._usage = RequestUsage(prompt_tokens=0, completion_tokens=0)
        self.last_error: LlmError | None = None

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        started = time.perf_counter()
        try:
            self._budget.check(self._agent, _estimate_tokens(messages, tools))
            result = await self._inner.create(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
            )
        except Exception as exc:
            err = translate(exc, self._cfg)
            self.last_error = err
            log.warning("llm call failed: agent=%s run=%s: %s", self._agent, self._budget.run_id, err)
            raise err from exc
        finally:
            self._budget.model_seconds += time.perf_counter() - started
        u = result.usage
        self._budget.record(self._agent, u.prompt_tokens, u.completion_tokens, model=self._cfg.model)
        self._usage = RequestUsage(
            prompt_tokens=self._usage.prompt_tokens + u.prompt_tokens,
            completion_tokens=self._usage.completion_tokens + u.completion_tokens,
        )
        return result

    def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[Tool | ToolSchema] = [],
        tool_choice: Tool | Literal["auto", "required", "none"] = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        async def one() -> AsyncGenerator[str | CreateResult, None]:
            # Agents here never stream tokens (progress is per message); serve the stream API from create().
            yield await self.create(
                messages,
                tools=tools,
                tool_choice=tool_choice,
                json_output=json_output,
                extra_create_args=extra_create_args,
                cancellation_token=cancellation_token,
            )

        return one()

    async def close(self) -> None:  # the shared inner client is closed by its owner
        return None

    def actual_usage(self) -> RequestUsage:
        return self._usage

    def total_usage(self) -> RequestUsage:
        return self._usage

    def count_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        return _estimate_tokens(messages, tools)

    def remaining_tokens(self, messages: Sequence[LLMMessage], *, tools: Sequence[Tool | ToolSchema] = []) -> int:
        cap = self._budget.ledger.budget.tokens_per_run
        return max(0, cap - self._budget.usage.total) if cap else 1_000_000

    @property
    def capabilities(self) -> ModelCapabilities:
        return self._inner.capabilities  # type: ignore[no-any-return]

    @property
    def model_info(self) -> ModelInfo:
        return self._inner.model_info
