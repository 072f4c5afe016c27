"""The team's brand persona and languages (the `persona:` and `languages:` sections of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PersonaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_name: str = Field("Example Co", description="our company name, used in signatures and footers")
    sender_name: str = Field("Alex from Example Co", description="display name of the sender")
    voice: str = Field("clear, friendly, concise; no hype", description="tone the copywriter writes in")


class LanguagesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: str = Field("en", description="language used when a lead's language is unknown")
    supported: list[str] = Field(
        default_factory=lambda: ["en", "de", "fr", "es"], description="languages drafts may be written in"
    )
