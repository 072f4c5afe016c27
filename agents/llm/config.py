"""LLM engine settings (the `llm:` section of config.yaml). The API key comes from OPENAI_API_KEY."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LlmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field("gpt-4o-mini", description="chat model id")
    base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint (Gemini, Ollama, vLLM); unset = api.openai.com"
    )
    timeout_seconds: float = Field(60.0, gt=0, description="per-request timeout")
    max_retries: int = Field(3, ge=0, le=10, description="retries on 429/5xx with backoff")
