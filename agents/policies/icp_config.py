"""Ideal customer profile and scoring weights (the `icp:` and `scoring:` sections of config.yaml)."""

from __future__ import annotations

import re
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agents.policies.regions import REGIONS

SIGNAL_TYPES: tuple[str, ...] = (
    "funding",
    "acquisition",
    "leadership_change",
    "hiring",
    "product_launch",
    "partnership",
    "expansion",
    "layoffs",
    "event_participation",
)
"""Signal types the scorer knows (mirrors knowledge.models.SignalType, which agents may not import here)."""

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*$")


def _lower_all(values: list[str]) -> list[str]:
    return [" ".join(v.lower().split()) for v in values if v and v.strip()]


def _countries(values: list[str], key: str) -> list[str]:
    out = [v.strip().upper() for v in values]
    bad = [v for v in out if not _COUNTRY.match(v)]
    if bad:
        raise ValueError(f"{key}: {bad} are not ISO 3166-1 alpha-2 country codes (e.g. DE, US, GB)")
    return out


def _domains(values: list[str]) -> list[str]:
    out = []
    for raw in values:
        d = raw.strip().lower().removeprefix("https://").removeprefix("http://").removeprefix("www.").rstrip("/")
        if not _DOMAIN.match(d):
            raise ValueError(f"'{raw}' is not a domain name (expected something like example.com)")
        out.append(d)
    return out


class HeadcountBand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: int = Field(ge=0, description="smallest headcount in the band (inclusive)")
    max: int | None = Field(None, ge=0, description="largest headcount in the band (inclusive); unset = no limit")
    fit: float = Field(ge=0, le=1, description="share of the headcount weight a company in this band gets (0-1)")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"headcount band max ({self.max}) is below its min ({self.min})")
        return self


class PersonaFitConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_families: list[str] = Field(
        default_factory=lambda: ["marketing", "growth", "revenue", "sales"],
        description="job functions we sell to; matched against a person's function or title words",
    )
    seniorities: list[str] = Field(
        default_factory=lambda: ["c_level", "vp", "head", "director"],
        description="seniority levels that can buy: c_level, vp, head, director, manager, senior, entry",
    )
    excluded_titles: list[str] = Field(
        default_factory=lambda: ["intern", "student", "assistant", "freelance"],
        description="title words that rule a person out as a contact",
    )

    _norm = field_validator("role_families", "seniorities", "excluded_titles")(_lower_all)

    @field_validator("seniorities")
    @classmethod
    def _known_seniority(cls, v: list[str]) -> list[str]:
        known = {"c_level", "vp", "head", "director", "manager", "senior", "entry"}
        bad = [s for s in v if s not in known]
        if bad:
            raise ValueError(f"unknown seniority {bad}; use some of {sorted(known)}")
        return v


class ExclusionsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    competitor_domains: list[str] = Field(default_factory=list, description="competitors: never contacted")
    customer_domains: list[str] = Field(
        default_factory=list, description="existing customers: excluded from prospecting (account team owns them)"
    )
    suppressed_domains: list[str] = Field(
        default_factory=list, description="domains nobody may contact (on top of the graph's suppression list)"
    )
    industries: list[str] = Field(default_factory=list, description="industries we never sell to")
    countries: list[str] = Field(default_factory=list, description="ISO country codes we never sell into")

    _doms = field_validator("competitor_domains", "customer_domains", "suppressed_domains")(_domains)
    _inds = field_validator("industries")(_lower_all)

    @field_validator("countries")
    @classmethod
    def _iso(cls, v: list[str]) -> list[str]:
        return _countries(v, "exclusions.countries")


class IcpConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    industries: list[str] = Field(default_factory=list, description="industries that fit (keywords or codes)")
    negative_industries: list[str] = Field(
        default_factory=list, description="industries that fit badly: they cost points but are not excluded"
    )
    min_employees: int | None = Field(None, ge=0, description="smallest company headcount that fits")
    max_employees: int | None = Field(None, ge=0, description="largest company headcount that fits")
    headcount_bands: list[HeadcountBand] = Field(
        default_factory=list,
        description="finer size fit inside min/max: [{min, max, fit}]; empty = every size in range fits fully",
    )
    countries: list[str] = Field(default_factory=list, description="ISO country codes that fit")
    regions: list[str] = Field(
        default_factory=list, description=f"regions that fit, expanded to countries: {', '.join(sorted(REGIONS))}"
    )
    technologies_used: list[str] = Field(
        default_factory=list, description="technologies whose use signals fit (e.g. hubspot, segment)"
    )
    technologies_not_used: list[str] = Field(
        default_factory=list, description="technologies whose use signals poor fit (e.g. a competitor's product)"
    )
    business_models: list[str] = Field(
        default_factory=list, description="business models that fit: b2b, b2c, saas, marketplace, services…"
    )
    persona: PersonaFitConfig = Field(default_factory=PersonaFitConfig, description="who at a company we contact")
    exclusions: ExclusionsConfig = Field(
        default_factory=ExclusionsConfig, description="hard exclusions: a match makes the lead 'excluded'"
    )

    _norm = field_validator(
        "industries", "negative_industries", "technologies_used", "technologies_not_used", "business_models"
    )(_lower_all)

    @field_validator("countries")
    @classmethod
    def _iso(cls, v: list[str]) -> list[str]:
        return _countries(v, "countries")

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        out = [r.strip().upper() for r in v]
        bad = [r for r in out if r not in REGIONS]
        if bad:
            raise ValueError(f"unknown region {bad}; known regions: {', '.join(sorted(REGIONS))}")
        return out

    @model_validator(mode="after")
    def _range(self) -> Self:
        if (
            self.min_employees is not None
            and self.max_employees is not None
            and self.min_employees > self.max_employees
        ):
            raise ValueError(f"min_employees ({self.min_employees}) is above max_employees ({self.max_employees})")
        return self

    def fit_countries(self) -> frozenset[str]:
        """Countries listed directly plus every country of the listed regions."""
        out = set(self.countries)
        for region in self.regions:
            out |= REGIONS[region]
        return frozenset(out)


class FitWeights(BaseModel):
    model_config = ConfigDict(extra="forbid")

    industry: float = Field(14, ge=0, description="points for an industry in icp.industries")
    headcount: float = Field(10, ge=0, description="points for a headcount in range (times the band's fit)")
    geography: float = Field(8, ge=0, description="points for a headquarters country in icp.countries/regions")
    technology: float = Field(6, ge=0, description="points when the company uses a technology in technologies_used")
    business_model: float = Field(4, ge=0, description="points for a business model in icp.business_models")
    persona: float = Field(8, ge=0, description="points when a contact matches the persona (role and seniority)")
    negative_industry: float = Field(8, ge=0, description="points taken for an industry in negative_industries")
    unwanted_technology: float = Field(6, ge=0, description="points taken for using a technologies_not_used item")


class SignalWeight(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight: float = Field(description="points for a fresh, certain signal of this type (negative = a bad sign)")
    half_life_days: float = Field(gt=0, description="days after which the signal counts half as much")


def _default_signals() -> dict[str, SignalWeight]:
    table = {
        "funding": (18, 60),
        "acquisition": (8, 90),
        "leadership_change": (12, 45),
        "hiring": (10, 30),
        "product_launch": (7, 45),
        "partnership": (5, 60),
        "expansion": (10, 60),
        "layoffs": (-12, 60),
        "event_participation": (4, 21),
    }
    return {k: SignalWeight(weight=w, half_life_days=h) for k, (w, h) in table.items()}


class EngagementWeights(BaseModel):
    model_config = ConfigDict(extra="forbid")

    open: float = Field(1, description="points per email open")
    click: float = Field(3, description="points per link click")
    reply: float = Field(8, description="points per reply")
    meeting: float = Field(12, description="points per meeting booked")
    bounce: float = Field(-5, description="points per bounce (negative)")
    unsubscribe: float = Field(-15, description="points per unsubscribe (negative)")
    half_life_days: float = Field(30, gt=0, description="days after which an interaction counts half as much")


class QueueConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_per_company: int = Field(2, ge=1, description="at most this many people from one company in a queue")
    owner_capacity: int = Field(25, ge=1, description="default number of leads one owner works per queue")
    owner_capacities: dict[str, int] = Field(
        default_factory=dict, description="per-owner capacity overrides: {slack_user_id: leads}"
    )
    unassigned_capacity: int = Field(50, ge=0, description="leads without an owner that may enter a queue")
    cooldown_days: int = Field(14, ge=0, description="days after a contact before a company is queued again")
    min_tier: str = Field("warm", pattern="^(hot|warm|cold)$", description="lowest tier that enters the queue")


class LearningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    half_life_days: float = Field(
        180, gt=0, description="outcome age at which it weighs half as much when refitting (market drift)"
    )
    min_outcomes: int = Field(40, ge=10, description="labelled leads needed before a model is fitted")
    positive_outcomes: list[str] = Field(
        default_factory=lambda: ["positive_reply", "meeting", "opportunity", "won"],
        description="outcomes that count as success when learning",
    )
    min_auc_gain: float = Field(
        0.02, ge=0, description="held-out AUC a learned model must beat the hand-set weights by to replace them"
    )

    @field_validator("positive_outcomes")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        known = {"replied", "positive_reply", "meeting", "opportunity", "won", "lost", "unsubscribed", "bounced"}
        bad = [o for o in v if o not in known]
        if bad:
            raise ValueError(f"unknown outcome {bad}; use some of {sorted(known)}")
        return v


class ScoringConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hot_threshold: float = Field(70, ge=0, le=100, description="score at or above which a lead is hot")
    warm_threshold: float = Field(45, ge=0, le=100, description="score at or above which a lead is warm")
    fit_max: float = Field(50, gt=0, le=100, description="cap on the fit part of the score")
    intent_max: float = Field(35, ge=0, le=100, description="cap on the intent (buying signals) part")
    engagement_max: float = Field(15, ge=0, le=100, description="cap on the engagement part")
    fit: FitWeights = Field(default_factory=FitWeights, description="points per firmographic/persona criterion")
    signals: dict[str, SignalWeight] = Field(
        default_factory=_default_signals,
        description="per signal type: {weight, half_life_days}; a signal's points halve every half-life",
    )
    engagement: EngagementWeights = Field(default_factory=EngagementWeights, description="points per interaction")
    min_fact_confidence: float = Field(
        0.5, ge=0, le=1, description="facts and signals below this confidence are shown but earn no points"
    )
    queue: QueueConfig = Field(default_factory=QueueConfig, description="ranked queue: diversity, capacity")
    learning: LearningConfig = Field(default_factory=LearningConfig, description="learning from outcomes")

    @field_validator("signals")
    @classmethod
    def _known_signals(cls, v: dict[str, SignalWeight]) -> dict[str, SignalWeight]:
        bad = sorted(set(v) - set(SIGNAL_TYPES))
        if bad:
            raise ValueError(f"unknown signal type {bad}; known: {', '.join(SIGNAL_TYPES)}")
        return v

    @model_validator(mode="after")
    def _thresholds(self) -> Self:
        if self.warm_threshold > self.hot_threshold:
            raise ValueError(
                f"warm_threshold ({self.warm_threshold}) must not be above hot_threshold ({self.hot_threshold})"
            )
        total = self.fit_max + self.intent_max + self.engagement_max
        if abs(total - 100) > 1e-6:
            raise ValueError(f"fit_max + intent_max + engagement_max must add up to 100 (got {total:g})")
        return self
