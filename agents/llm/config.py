"""LLM engine settings (the `llm:` section of config.yaml). The API key comes from OPENAI_API_KEY."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelInfoConfig(BaseModel):
    """What a model not in autogen's built-in table can do (Gemini 2.5 Pro, Ollama, vLLM, LM Studio)."""

    model_config = ConfigDict(extra="forbid")

    family: str = Field(
        "unknown", description="model family: unknown, gpt-4o, gemini-2.5-pro, gemini-2.5-flash, claude-4-sonnet, …"
    )
    function_calling: bool = Field(True, description="the endpoint supports tool calls (required for the team)")
    json_output: bool = Field(True, description="the endpoint supports JSON mode")
    structured_output: bool = Field(False, description="the endpoint supports JSON-schema structured output")
    vision: bool = Field(False, description="the model accepts images")
    multiple_system_messages: bool = Field(False, description="the endpoint accepts several system messages")


class BudgetConfig(BaseModel):
    """Hard token and cost caps. 0 means no cap. A capped run stops cleanly and says which cap was hit."""

    model_config = ConfigDict(extra="forbid")

    tokens_per_run: int = Field(20000, ge=0, description="max prompt+completion tokens for one team run")
    tokens_per_lead: int = Field(8000, ge=0, description="max tokens spent on one lead (all agents, all retries)")
    tokens_per_day: int = Field(500000, ge=0, description="max tokens per UTC day across all runs")
    cost_per_day: float = Field(5.0, ge=0, description="max cost per UTC day in the price currency")
    warn_at: float = Field(
        0.8, gt=0, le=1, description="warn (log, digest, alert hook) once a day when spend crosses this share of a cap"
    )


class PriceConfig(BaseModel):
    """Prices per 1,000 tokens, used for cost accounting in the digest."""

    model_config = ConfigDict(extra="forbid")

    currency: str = Field("USD", description="currency the prices are in")
    prompt_per_1k: float = Field(0.00015, ge=0, description="price of 1,000 prompt (input) tokens")
    completion_per_1k: float = Field(0.0006, ge=0, description="price of 1,000 completion (output) tokens")


class LlmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field("gpt-4o-mini", description="chat model id")
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint (Gemini, Ollama, vLLM); unset = api.openai.com"
    )
    model_info: ModelInfoConfig | None = Field(
        None,
        description="capabilities of a model autogen does not know (needed for Ollama, vLLM, gemini-2.5-pro); "
        "keys: family, function_calling, json_output, structured_output, vision, multiple_system_messages",
    )
    timeout_seconds: float = Field(60.0, gt=0, description="per-request timeout")
    max_retries: int = Field(3, ge=0, le=10, description="retries on 429/5xx with backoff")
    temperature: float = Field(0.2, ge=0, le=2, description="sampling temperature for every agent")
    include_name_in_message: bool = Field(
        True, description="send the agent name with each message (set false for Gemini, which rejects it)"
    )
    history_messages: int = Field(8, ge=2, le=100, description="messages each agent keeps in its model context")
    max_tool_iterations: int = Field(3, ge=1, le=10, description="tool calls an agent may make in one turn")
    citation_retries: int = Field(2, ge=0, le=5, description="redrafts when a draft cites facts that do not exist")
    max_revisions: int = Field(3, ge=0, le=10, description="human rejections with feedback a run may be revised for")
    budget: BudgetConfig = Field(default_factory=BudgetConfig, description="token and cost caps")
    prices: PriceConfig = Field(default_factory=PriceConfig, description="prices for cost accounting")
