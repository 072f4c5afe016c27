"""Factories for test data: make_company(**overrides) and friends, never giant shared fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from knowledge.models import Company, Person, Signal, SignalType

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_company(**overrides: Any) -> Company:
    data: dict[str, Any] = {
        "domain": "acme.io",
        "name": "Acme Analytics",
        "hq_country": "DE",
        "employee_count": 240,
        "industries": ["fintech"],
    }
    data.update(overrides)
    return Company(**data)


def make_person(**overrides: Any) -> Person:
    data: dict[str, Any] = {
        "full_name": "Jane Doe",
        "email": "jane@acme.io",
        "title": "VP Marketing",
        "company_domain": "acme.io",
    }
    data.update(overrides)
    return Person(**data)


def make_signal(**overrides: Any) -> Signal:
    data: dict[str, Any] = {
        "type": SignalType.FUNDING,
        "company_domain": "acme.io",
        "evidence": "Acme Analytics raised a $30 million Series B led by Example Ventures.",
        "source_url": "https://acme.io/news/series-b",
        "occurred_at": NOW,
        "confidence": 0.9,
        "attributes": {"amount": 30_000_000, "currency": "USD", "round": "Series B"},
    }
    data.update(overrides)
    return Signal(**data)
