"""Outreach test helpers: a controllable clock, settings pointing at local servers, approved messages."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from bot.outreach.config import DkimConfig, OutreachConfig, SendingConfig, SmtpConfig
from bot.settings import HttpConfig, Secrets, Settings, StorageConfig
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.outreach import OutreachStore
from knowledge.models import Lead, company_id_for, person_id_for
from tests.factories import make_company, make_person
from tests.fakes.smtp import SmtpServer, smtp_server

# Tuesday 2026-11-24 10:00 in Berlin (09:00 UTC): inside business hours for a German company.
TUESDAY_10_BERLIN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key-0123456789abcdef"


class Clock:
    """Time the test controls."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> datetime:
        self.at += timedelta(**kwargs)
        return self.at


@dataclass
class DkimKey:
    path: Path
    dns_record: bytes

    def dnsfunc(self, name: bytes, timeout: int = 5) -> bytes | None:
        return self.dns_record if name == b"amia._domainkey.example.com." else None


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_10_BERLIN)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="session")
def dkim_key(tmp_path_factory: pytest.TempPathFactory) -> DkimKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("dkim") / "amia.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return DkimKey(path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der))


def make_settings(tmp_path: Path, **outreach: Any) -> Settings:
    cfg: dict[str, Any] = {
        "transport": "outbox",
        "outbox_dir": str(tmp_path / "outbox"),
        "from_address": "alex@example.com",
        "sending": SendingConfig(stagger_seconds=0, min_gap_per_mailbox_seconds=0),
    }
    cfg.update(outreach)
    return Settings(
        storage=StorageConfig(data_dir=str(tmp_path / "var")),
        http=HttpConfig(public_url="https://amia.example.com"),
        outreach=OutreachConfig(**cfg),
        secrets=Secrets(AMIA_SECRET_KEY=SecretStr(SECRET)),
    )


def smtp_settings(tmp_path: Path, server: SmtpServer, dkim: DkimKey | None = None, **extra: Any) -> Settings:
    opts: dict[str, Any] = {
        "transport": "smtp",
        "smtp": SmtpConfig(host=server.host, port=server.port, tls="none", timeout_seconds=5, max_attempts=3),
    }
    if dkim:
        opts["dkim"] = DkimConfig(enabled=True, domain="example.com", selector="amia", key_path=str(dkim.path))
    opts.update(extra)
    return make_settings(tmp_path, **opts)


async def seed_message(
    graph: Neo4jGraphStore,
    *,
    email: str = "jane@acme.io",
    domain: str = "acme.io",
    country: str = "DE",
    step: int = 1,
    status: str = "approved",
    verdict: str | None = "pass",
    approved_by: str | None = "U123APPROVER",
    variant: str | None = None,
    body: str = "Hi Jane,\n\nCongratulations on the Series B. See https://example.com/case-study for how "
    "Globex cut reporting time in half.\n\nBest,\nAlex",
    message_id: str | None = None,
) -> dict[str, str]:
    """An approved message as the draft lifecycle (knowledge/graph/drafts.py) leaves it in the graph."""
    await graph.upsert_companies([make_company(domain=domain, hq_country=country)])
    await graph.upsert_people([make_person(email=email, company_domain=domain)])
    lead = Lead(person_id=person_id_for(email), company_id=company_id_for(domain), campaign_id="camp-1")
    mid = message_id or f"msg-{lead.lead_id[:8]}-{step}"
    await graph.write(
        """
        MERGE (l:Lead {lead_id: $lead_id})
          SET l.person_id = $pid, l.company_id = $cid, l.campaign_id = 'camp-1', l.status = 'approved'
        MERGE (m:Message {message_id: $mid})
          SET m.lead_id = $lead_id, m.step = $step, m.subject = 'Your Series B', m.body = $body,
              m.language = 'en', m.status = $status, m.compliance_verdict = $verdict, m.approved_by = $by,
              m.variant = $variant
        MERGE (l)-[:HAS_MESSAGE]->(m)
        """,
        lead_id=lead.lead_id,
        pid=lead.person_id,
        cid=lead.company_id,
        mid=mid,
        step=step,
        body=body,
        status=status,
        verdict=verdict,
        by=approved_by,
        variant=variant,
    )
    await OutreachStore(graph).ensure_schema()
    return {"message_id": mid, "lead_id": lead.lead_id, "email": email}
