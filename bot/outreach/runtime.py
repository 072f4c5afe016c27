"""Builds the outreach objects (store, transport, DKIM signer, token signer, sender, worker) from settings.
Called by the composition root (bot/services.py); tests call it with their own clock and transport."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.errors import ServiceError
from bot.metrics import Metrics
from bot.outreach.dkim import DkimSigner
from bot.outreach.errors import DkimKeyError
from bot.outreach.outbox import OutboxTransport
from bot.outreach.sender import Sender
from bot.outreach.smtp import SmtpTransport
from bot.outreach.tokens import TokenSigner
from bot.outreach.transport import Transport
from bot.outreach.worker import OutreachWorker
from bot.settings import Settings
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.outreach import OutreachStore


@dataclass
class Outreach:
    store: OutreachStore
    sender: Sender
    worker: OutreachWorker
    tokens: TokenSigner
    transport: Transport
    metrics: Metrics | None = None  # sends, bounces and replies are counted here when set


def _path(settings: Settings, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else settings.data_path().parent / p


def secret_key(settings: Settings) -> bytes:
    """AMIA_SECRET_KEY; in dry-run (outbox) mode a random key kept in the data folder is used instead."""
    if settings.secrets.AMIA_SECRET_KEY is not None:
        return settings.secrets.AMIA_SECRET_KEY.get_secret_value().encode()
    if settings.outreach.transport == "smtp":
        raise ServiceError(
            "AMIA_SECRET_KEY is not set: it signs unsubscribe links and is required for real email. "
            "Set it in the environment (e.g. `export AMIA_SECRET_KEY=$(openssl rand -hex 32)`)"
        )
    path = settings.data_path("outreach-secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def build_transport(settings: Settings) -> Transport:
    cfg = settings.outreach
    if cfg.transport == "outbox":
        return OutboxTransport(_path(settings, cfg.outbox_dir))
    password = settings.secrets.SMTP_PASSWORD
    return SmtpTransport(
        cfg.smtp.host,
        cfg.smtp.port,
        tls=cfg.smtp.tls,
        username=settings.secrets.SMTP_USERNAME,
        password=password.get_secret_value() if password else None,
        timeout=cfg.smtp.timeout_seconds,
        ca_file=str(_path(settings, cfg.smtp.ca_file)) if cfg.smtp.ca_file else None,
    )


def build_outreach(
    settings: Settings,
    graph: Neo4jGraphStore,
    *,
    transport: Transport | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    owner: str | None = None,
    metrics: Metrics | None = None,
) -> Outreach:
    """Everything outreach needs. Raises ServiceError when the DKIM key or the secret key is unusable."""
    cfg = settings.outreach
    signer = None
    if cfg.dkim.enabled:
        try:
            signer = DkimSigner.from_file(cfg.dkim.domain, cfg.dkim.selector, cfg.dkim.key_path)
        except DkimKeyError as exc:
            raise ServiceError(f"DKIM: {exc}") from exc
    tokens = TokenSigner(secret_key(settings))
    store = OutreachStore(graph)
    transport = transport or build_transport(settings)
    sender = Sender(
        store,
        transport,
        cfg,
        tokens,
        public_url=settings.http.public_url,
        sender_name=settings.persona.sender_name,
        signer=signer,
        clock=clock,
        metrics=metrics,
    )
    worker = OutreachWorker(sender, owner=owner, clock=clock)
    return Outreach(store=store, sender=sender, worker=worker, tokens=tokens, transport=transport, metrics=metrics)


async def install_outreach(services: Any) -> Outreach:
    """Composition-root hook: build outreach, make sure its schema exists, mount its HTTP routes."""
    from bot.outreach.http import OUTREACH_KEY, add_outreach_routes

    outreach = build_outreach(services.settings, services.graph, metrics=services.metrics)
    await outreach.store.ensure_schema()
    services.extras[OUTREACH_KEY] = outreach
    services.extras.setdefault("http_routes", []).append(lambda app: add_outreach_routes(app, outreach))
    return outreach


def build_poller(settings: Settings, outreach: Outreach, notify: Any = None) -> Any:
    """The IMAP poller for replies and bounces, or None when IMAP is off. ``notify`` (async, optional) is
    called with each InboundResult that needs a human (interested, referral, objection, unmatched)."""
    from bot.outreach.imap import ImapPoller
    from bot.outreach.inbound import InboundProcessor
    from bot.outreach.sender import mailboxes_from

    imap = settings.outreach.imap
    password = settings.secrets.IMAP_PASSWORD
    if not imap.enabled:
        return None
    if not imap.user or password is None:
        raise ServiceError("outreach.imap.enabled needs outreach.imap.user in config.yaml and IMAP_PASSWORD in the env")
    processor = InboundProcessor(
        outreach.store, own_addresses=frozenset(mailboxes_from(settings.outreach)), metrics=outreach.metrics
    )
    return ImapPoller(
        outreach.store,
        processor,
        host=imap.host,
        port=imap.port,
        user=imap.user,
        password=password.get_secret_value(),
        folder=imap.folder,
        ssl=imap.ssl,
        notify=notify,
    )
