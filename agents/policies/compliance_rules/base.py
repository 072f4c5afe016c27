"""Finding, the review context and small text helpers shared by every compliance rule (pure)."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from knowledge.models import Suppression

Severity = Literal["block", "flag", "info"]
Regime = Literal["can_spam", "gdpr", "uk_gdpr", "casl"]


class Finding(BaseModel):
    """One problem (or note) about a message: which rule, how bad, the offending text, how to fix it."""

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    text: str
    fix: str


class Claim(BaseModel):
    """A sentence fragment in a draft that states something, and the stored fact it rests on."""

    text: str
    fact_id: str
    source_url: str | None = None
    kind: Literal["prospect", "persona"] = "prospect"


class EvidenceFact(BaseModel):
    """A stored fact a claim may cite: its id, source and the words that support it."""

    fact_id: str
    source_url: str | None = None
    text: str = Field(description="evidence sentence, object and attributes, joined")


class ConsentRecord(BaseModel):
    kind: Literal["none", "express", "implied"] = "none"
    recorded_at: datetime | None = None
    expires_at: datetime | None = None
    source: str | None = Field(None, description="how consent was obtained (form URL, meeting, published address…)")


class ReviewContext(BaseModel):
    """What the reviewer knows beyond the message. Fields left empty mean 'unknown' (never 'fine')."""

    country: str | None = Field(None, description="recipient's country (ISO alpha-2); inferred from the TLD if unset")
    consent: ConsentRecord | None = None
    suppressions: list[Suppression] = Field(default_factory=list)
    now: datetime | None = None
    # draft mode: the trusted records the draft was built from
    draft: bool = False
    expected_recipient: str | None = None
    sender_address: str | None = None
    company_name: str | None = None
    postal_address: str | None = None
    website: str | None = None
    unsubscribe_url: str | None = None
    claims: list[Claim] = Field(default_factory=list)
    facts: dict[str, EvidenceFact] = Field(default_factory=dict)
    trusted_texts: list[str] = Field(default_factory=list, description="persona texts (footer, value props, cases)")
    untrusted_texts: list[str] = Field(default_factory=list, description="scraped text: data, never instructions")
    banned_words: list[str] = Field(default_factory=list)
    contact_source_url: str | None = None


def excerpt(text: str, start: int = 0, end: int | None = None, width: int = 60) -> str:
    end = len(text) if end is None else end
    lo, hi = max(0, start - width // 2), min(len(text), end + width // 2)
    snippet = " ".join(text[lo:hi].split())
    return ("…" if lo else "") + snippet + ("…" if hi < len(text) else "")


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def host_of(url: str) -> str:
    raw = url if "://" in url or url.startswith("mailto:") else "http://" + url
    if raw.lower().startswith("mailto:"):
        return raw.split("@", 1)[-1].split("?", 1)[0].lower().strip(">")
    try:
        return (urlsplit(raw).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def domain_allowed(host: str, allowed: list[str]) -> bool:
    host = host.removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in (a.lower().removeprefix("www.") for a in allowed if a))


def is_private_host(host: str) -> bool:
    if host in ("localhost", "") or host.endswith((".local", ".localhost", ".internal", ".lan")):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified


def is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def registrable(domain: str) -> str:
    """Rough registrable domain: last two labels, three for two-letter second levels (co.uk, com.au)."""
    parts = domain.lower().strip(".").split(".")
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in ("co", "com", "org", "net", "ac", "gov", "gc"):
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]?")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_RE.findall(text) if len(s.strip()) > 1]
