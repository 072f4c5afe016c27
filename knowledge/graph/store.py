"""The GraphStore interface and the typed rows it returns (no database code here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from knowledge.models import Company, Person, Signal, Source


class FactRow(BaseModel):
    """One fact edge ``(subject)-[predicate]->(object)`` with its provenance and validity."""

    fact_id: str
    predicate: str
    subject: str
    object: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    source_url: str | None = None
    fetched_at: datetime | None = None
    extractor: str | None = None
    confidence: float | None = None
    evidence: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    recorded_at: datetime | None = None
    superseded_at: datetime | None = None


class SignalRow(BaseModel):
    signal_id: str
    type: str
    company_domain: str
    company_name: str | None = None
    evidence: str
    source_url: str
    occurred_at: datetime | None = None
    recorded_at: datetime | None = None
    confidence: float
    attributes: dict[str, Any] = Field(default_factory=dict)


class PersonRow(BaseModel):
    person_id: str
    full_name: str
    email: str | None = None
    title: str | None = None
    seniority: str | None = None
    function: str | None = None
    fact_id: str | None = None
    source_url: str | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None


class CompanyProfile(BaseModel):
    """Everything currently believed about a company, each fact with its evidence."""

    company_id: str
    domain: str
    name: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    facts: list[FactRow] = Field(default_factory=list)
    people: list[PersonRow] = Field(default_factory=list)
    signals: list[SignalRow] = Field(default_factory=list)
    sources: list[dict[str, Any]] = Field(default_factory=list)


class SimilarCompany(BaseModel):
    domain: str
    name: str | None = None
    shared_industries: list[str] = Field(default_factory=list)
    shared_technologies: list[str] = Field(default_factory=list)
    similarity: float


class FactInput(BaseModel):
    """A fact to assert. ``identity`` lists the attribute names that make two facts the same fact."""

    predicate: str
    subject_key: str = Field(description="company_id or person_id of the subject node")
    object_key: str = Field(description="key of the object node (company_id, tech_id, industry code…)")
    attributes: dict[str, Any] = Field(default_factory=dict)
    identity: tuple[str, ...] = ()
    source_url: str
    fetched_at: datetime
    extractor: str
    confidence: float = 0.8
    evidence: str | None = None
    valid_from: datetime | None = None


@runtime_checkable
class GraphStore(Protocol):
    """What the rest of AMIA may ask of the knowledge graph."""

    async def ensure_schema(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> float: ...

    async def upsert_companies(self, companies: Iterable[Company], *, batch_size: int = 5000) -> int: ...

    async def upsert_people(self, people: Iterable[Person], *, batch_size: int = 5000) -> int: ...

    async def upsert_sources(self, sources: Iterable[Source]) -> int: ...

    async def upsert_signals(self, signals: Iterable[Signal]) -> int: ...

    async def assert_facts(self, facts: Sequence[FactInput], *, batch_size: int = 5000) -> int: ...

    async def close_facts(
        self, predicate: str, subject_key: str, keep_fact_ids: Iterable[str], *, at: datetime | None = None
    ) -> int: ...

    async def record_fetch(self, fetch: Mapping[str, Any]) -> None: ...

    async def company_profile(self, domain: str, *, as_of: datetime | None = None) -> CompanyProfile | None: ...

    async def people_at(self, domain: str) -> list[PersonRow]: ...

    async def signals_in_window(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        types: Sequence[str] | None = None,
        industry: str | None = None,
        limit: int = 200,
    ) -> list[SignalRow]: ...

    async def competitor_customers(self, competitor_domains: Sequence[str]) -> list[dict[str, Any]]: ...

    async def similar_companies(self, domain: str, *, limit: int = 10) -> list[SimilarCompany]: ...

    async def lead_interactions(self, lead_id: str) -> list[dict[str, Any]]: ...

    async def funnel_counts(self, campaign_id: str | None = None) -> dict[str, int]: ...

    async def person_facts(self, email: str) -> dict[str, Any]: ...
