"""The background loops `amia run` starts: outreach worker always, IMAP poller only when configured."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.background import background_loops, inbound_text
from bot.outreach.config import ImapConfig
from bot.outreach.inbound import InboundResult
from bot.outreach.runtime import install_outreach
from bot.services import Services
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.bot.outreach.conftest import make_settings


async def test_worker_runs_and_misconfigured_imap_is_reported_not_fatal(
    graph: Neo4jGraphStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, imap=ImapConfig(enabled=True, user=None))
    services = Services(settings=settings, graph=graph)
    await install_outreach(services)
    with caplog.at_level(logging.WARNING):
        async with background_loops(services) as started:
            assert started == ["outreach-worker"]
            await asyncio.sleep(0.2)
            names = {t.get_name() for t in asyncio.all_tasks()}
            assert "outreach-worker" in names
        t0 = time.monotonic()
    assert time.monotonic() - t0 < 5
    assert "outreach-worker" not in {t.get_name() for t in asyncio.all_tasks() if not t.done()}
    assert "reply tracking is off" in caplog.text and "IMAP_PASSWORD" in caplog.text


def test_inbound_alert_names_the_owner_and_no_address() -> None:
    text = inbound_text(
        InboundResult(
            inbound_id="i1",
            kind="reply",
            lead_id="abcdef123456",
            label="interested",
            needs_human=True,
            detail="asks for a demo next week",
            owner="U0OWNER01",
        )
    )
    assert text.startswith("<@U0OWNER01>") and "interested" in text and "abcdef12" in text and "@" not in text[12:]
