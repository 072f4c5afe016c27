"""Domain models: what AMIA knows about companies, people, leads and outreach (pure, no I/O)."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

OPEN_END = datetime(9999, 12, 31, tzinfo=UTC)
"""Sentinel for 'still valid': range indexes skip NULLs, so open facts use a far-future date instead."""

_NAMESPACE = uuid.UUID("6f1c1d2e-6a7b-4b8c-9d0e-a1b2c3d4e5f6")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z][a-z0-9-]{0,62}(?<!-)$")


def utcnow() -> datetime:
    return datetime.now(UTC)


class InvalidDomain(ValueError):
    """Text that is not a registrable domain name or a URL with one."""


def normalise_domain(value: str) -> str:
    """Turn 'https://www.Acme.io/about' or 'ACME.io.' into 'acme.io'; raise InvalidDomain otherwise."""
    raw = value.strip().lower()
    if "://" in raw:
        raw = raw.split("://", 1)[1]
    raw = raw.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    raw = raw.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    if raw.startswith("www."):
        raw = raw[4:]
    try:
        raw = raw.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidDomain(f"'{value}' is not a valid domain name") from exc
    if not _DOMAIN_RE.match(raw):
        raise InvalidDomain(f"'{value}' is not a domain name (expected something like example.com)")
    return raw


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if email.count("@") != 1 or not email.split("@")[0]:
        raise ValueError(f"'{value}' is not an email address")
    local, domain = email.split("@")
    return f"{local}@{normalise_domain(domain)}"


def company_id_for(domain: str) -> str:
    """Stable company key: uuid5 of the canonical primary domain."""
    return str(uuid.uuid5(_NAMESPACE, "company:" + normalise_domain(domain)))


def person_id_for(email: str | None = None, *, name: str | None = None, company_id: str | None = None) -> str:
    """Stable person key from a normalised email, or from name + company when no email is known."""
    if email:
        return str(uuid.uuid5(_NAMESPACE, "person:" + normalise_email(email)))
    if name and company_id:
        return str(uuid.uuid5(_NAMESPACE, f"person:{company_id}:{' '.join(name.lower().split())}"))
    raise ValueError("a person needs an email, or a name and a company")


def source_id_for(url: str) -> str:
    return hashlib.sha256(url.strip().encode()).hexdigest()[:32]


def fact_id_for(*parts: object) -> str:
    """Deterministic fact key: hash(subject, predicate, object, valid_from...)."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def content_hash(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=True)


Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class Provenance(Model):
    """Where a fact came from and how sure we are: carried by every fact edge in the graph."""

    source_url: str
    fetched_at: datetime
    extractor: str = Field(description="e.g. 'rules:signals@1', 'trafilatura@2.3', 'llm:gpt-4o@prompt-v1'")
    confidence: Confidence = 0.8
    evidence: str | None = Field(default=None, description="the sentence in the source that states the fact")


class Validity(Model):
    """World time (valid_from/valid_to) and system time (recorded_at/superseded_at) of a fact."""

    valid_from: datetime = Field(default_factory=utcnow)
    valid_to: datetime = OPEN_END
    recorded_at: datetime = Field(default_factory=utcnow)
    superseded_at: datetime = OPEN_END


class Source(Model):
    url: str
    fetched_at: datetime
    status: int | None = None
    title: str | None = None
    published_at: datetime | None = None
    content_sha256: str | None = None
    language: str | None = None
    robots_allowed: bool | None = None
    kind: str | None = Field(default=None, description="home, about, team, careers, pricing, customers, news…")

    @property
    def source_id(self) -> str:
        return source_id_for(self.url)


class Industry(Model):
    code: str
    name: str


class Technology(Model):
    tech_id: str
    name: str
    category: str


class Company(Model):
    domain: str
    name: str | None = None
    description: str | None = None
    hq_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    locations: list[str] = Field(default_factory=list)
    employee_count: int | None = None
    founded_year: int | None = None
    industries: list[str] = Field(default_factory=list)
    language: str | None = None
    business_model: str | None = None

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str) -> str:
        return normalise_domain(v)

    @property
    def company_id(self) -> str:
        return company_id_for(self.domain)


class Person(Model):
    full_name: str
    email: str | None = None
    title: str | None = None
    seniority: str | None = None
    function: str | None = None
    country: str | None = None
    company_domain: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return normalise_email(v) if v else None

    @property
    def person_id(self) -> str:
        cid = company_id_for(self.company_domain) if self.company_domain else None
        return person_id_for(self.email, name=self.full_name, company_id=cid)


class SignalType(StrEnum):
    FUNDING = "funding"
    ACQUISITION = "acquisition"
    LEADERSHIP_CHANGE = "leadership_change"
    HIRING = "hiring"
    PRODUCT_LAUNCH = "product_launch"
    PARTNERSHIP = "partnership"
    EXPANSION = "expansion"
    LAYOFFS = "layoffs"
    EVENT_PARTICIPATION = "event_participation"


class Signal(Model):
    """A business event about a company, with the sentence that evidences it."""

    type: SignalType
    company_domain: str
    evidence: str
    source_url: str
    occurred_at: datetime | None = None
    confidence: Confidence = 0.7
    attributes: dict[str, Any] = Field(default_factory=dict, description="amount, currency, round, who, role…")
    extractor: str = "rules"

    @property
    def signal_id(self) -> str:
        return fact_id_for(self.type, company_id_for(self.company_domain), self.source_url, self.evidence)


class LeadStatus(StrEnum):
    NEW = "new"
    RESEARCHED = "researched"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    DRAFTED = "drafted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    CONTACTED = "contacted"
    REPLIED = "replied"
    MEETING = "meeting"
    WON = "won"
    LOST = "lost"
    STOPPED = "stopped"


class Lead(Model):
    """A person at a company in a campaign, with where they stand."""

    person_id: str
    company_id: str
    campaign_id: str
    status: LeadStatus = LeadStatus.NEW
    owner: str | None = Field(default=None, description="Slack user id of the owning rep")
    score: float | None = None
    tier: str | None = None
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def lead_id(self) -> str:
        return fact_id_for("lead", self.person_id, self.company_id, self.campaign_id)


class Campaign(Model):
    campaign_id: str
    name: str
    channel: str = "email"
    objective: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None


class Sequence(Model):
    sequence_id: str
    campaign_id: str
    steps: int = Field(ge=1, le=10)
    min_gap_days: int = 3


class MessageStatus(StrEnum):
    DRAFTED = "drafted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    EDITED = "edited"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Message(Model):
    message_id: str
    lead_id: str
    step: int = 1
    subject: str
    body: str
    language: str = "en"
    variant: str | None = None
    status: MessageStatus = MessageStatus.DRAFTED
    cited_fact_ids: list[str] = Field(default_factory=list)


class InteractionType(StrEnum):
    SENT = "sent"
    OPEN = "open"
    CLICK = "click"
    REPLY = "reply"
    BOUNCE = "bounce"
    UNSUBSCRIBE = "unsubscribe"
    MEETING = "meeting"
    APPROVAL = "approval"
    EDIT = "edit"
    REJECTION = "rejection"


class Interaction(Model):
    interaction_id: str
    lead_id: str
    type: InteractionType
    occurred_at: datetime = Field(default_factory=utcnow)
    message_id: str | None = None
    actor: str | None = Field(default=None, description="Slack user id or 'system'")
    detail: str | None = None


class OutcomeType(StrEnum):
    REPLIED = "replied"
    POSITIVE_REPLY = "positive_reply"
    MEETING = "meeting"
    OPPORTUNITY = "opportunity"
    WON = "won"
    LOST = "lost"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"


class Outcome(Model):
    outcome_id: str
    lead_id: str
    type: OutcomeType
    occurred_at: datetime = Field(default_factory=utcnow)
    amount: float | None = None
    variant: str | None = None


class SuppressionReason(StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    DO_NOT_CONTACT = "do_not_contact"
    ERASED = "erased"
    COMPLAINT = "complaint"


class Suppression(Model):
    """A do-not-contact entry by email or whole domain; erasure keeps only a hash of the address."""

    value: str = Field(description="normalised email or domain, or sha256 of it for erased entries")
    kind: str = Field(pattern="^(email|domain)$")
    reason: SuppressionReason
    created_at: datetime = Field(default_factory=utcnow)
    hashed: bool = False
