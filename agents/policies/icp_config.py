"""Ideal customer profile and scoring weights (the `icp:` and `scoring:` sections of config.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class IcpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    industries: list[str] = Field(default_factory=list, description="industries that fit (keywords or codes)")
    min_employees: int | None = Field(None, ge=0, description="smallest company headcount that fits")
    max_employees: int | None = Field(None, ge=0, description="largest company headcount that fits")
    countries: list[str] = Field(default_factory=list, description="ISO country codes that fit")


class ScoringConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hot_threshold: float = Field(70, ge=0, le=100, description="score at or above which a lead is hot")
    warm_threshold: float = Field(45, ge=0, le=100, description="score at or above which a lead is warm")
