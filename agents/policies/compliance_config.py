"""Compliance rules the team controls (the `compliance:` section of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ComplianceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spam_block_threshold: float = Field(5.0, description="SpamAssassin score at or above which a draft is blocked")
    spam_flag_threshold: float = Field(2.0, description="SpamAssassin score at or above which a draft is flagged")
