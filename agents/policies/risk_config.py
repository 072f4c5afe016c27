"""Risk tiers, escalation triggers and autonomy levels (the `risk:` section of config.yaml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class RiskTier(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


TIER_ORDER: tuple[RiskTier, ...] = (RiskTier.LOW, RiskTier.MEDIUM, RiskTier.HIGH, RiskTier.CRITICAL)


class Autonomy(StrEnum):
    """How much AMIA may do without a person. Sending is always done by the sender service, never an agent."""

    APPROVE_ALL = "approve_all"
    """A human approves every send (default)."""
    AUTO_LOW = "auto_low"
    """Low-risk sends go out without approval; everything else is approved as routed."""
    AUTO_MEDIUM = "auto_medium"
    """Low- and medium-risk sends go out without approval."""


class ApprovalRoute(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approvers: str = Field(description="group whose member must approve (a Slack user group handle or role name)")
    human_must_write: bool = Field(False, description="true = no AI draft; a person writes the message")


def _default_routes() -> dict[RiskTier, ApprovalRoute]:
    return {
        RiskTier.LOW: ApprovalRoute(approvers="owner"),
        RiskTier.MEDIUM: ApprovalRoute(approvers="owner"),
        RiskTier.HIGH: ApprovalRoute(approvers="sales-leads"),
        RiskTier.CRITICAL: ApprovalRoute(approvers="compliance", human_must_write=True),
    }


class JurisdictionRisk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    gdpr: RiskTier = Field(RiskTier.MEDIUM, description="tier for contacts in the EU/EEA (GDPR, ePrivacy)")
    uk_gdpr: RiskTier = Field(RiskTier.MEDIUM, description="tier for contacts in the UK (UK GDPR, PECR)")
    casl: RiskTier = Field(RiskTier.HIGH, description="tier for contacts in Canada (CASL: consent needed)")
    can_spam: RiskTier = Field(RiskTier.LOW, description="tier for contacts in the US (CAN-SPAM)")
    other: RiskTier = Field(RiskTier.MEDIUM, description="tier for contacts in other known countries")
    unknown: RiskTier = Field(RiskTier.HIGH, description="tier when the contact's country is not known")


class RiskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    autonomy: Autonomy = Field(
        Autonomy.APPROVE_ALL,
        description="approve_all (a human approves every send), auto_low, or auto_medium",
    )
    routes: dict[RiskTier, ApprovalRoute] = Field(
        default_factory=_default_routes,
        description="per risk tier (low/medium/high/critical): {approvers, human_must_write}",
    )
    jurisdictions: JurisdictionRisk = Field(
        default_factory=JurisdictionRisk, description="risk tier by the contact's privacy jurisdiction"
    )
    sensitive_industries: list[str] = Field(
        default_factory=lambda: [
            "healthcare",
            "pharma",
            "government",
            "defense",
            "education",
            "gambling",
            "financial services",
            "children",
        ],
        description="industries where a mistake costs more: raise the tier to high",
    )
    low_confidence: float = Field(
        0.6, ge=0, le=1, description="a cited fact or signal below this confidence raises the tier to medium"
    )
    large_account_employees: int = Field(
        1000, ge=1, description="first contact with a company at least this big is escalated to high"
    )
    conflict_window_days: int = Field(
        120, ge=1, description="opposing signals (funding vs layoffs) within this many days count as conflicting"
    )

    @field_validator("sensitive_industries")
    @classmethod
    def _lower(cls, v: list[str]) -> list[str]:
        return [" ".join(s.lower().split()) for s in v if s.strip()]

    @model_validator(mode="after")
    def _all_routes(self) -> Self:
        missing = [t.value for t in TIER_ORDER if t not in self.routes]
        if missing:
            raise ValueError(f"routes: missing a route for tier {missing}")
        return self
