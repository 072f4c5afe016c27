"""Email sequences under failure, with `amia run` as a real process and a real SMTP server (aiosmtpd) on 127.0.0.1:
the SMTP server goes down while a step is due (retried later, never marked sent, exactly one message once it is
back, and the user is told why), and the bot is killed -9 in the middle of an SMTP conversation (every step sent
exactly once; the one in doubt waits for a human instead of going out twice)."""

from __future__ import annotations

import asyncio
import email
import threading
import time
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest

from bot.outreach.runtime import build_outreach
from bot.settings import load_settings
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.outreach import OutreachStore
from tests.bot.outreach.conftest import SECRET, seed_message
from tests.fakes.smtp import SmtpServer, smtp_server
from tests.neo4j_server import TestNeo4j as Neo4jHandle
from tests.reliability.bot_process import BotProcess, amia, write_config

ENV = {"AMIA_SECRET_KEY": SECRET}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def outreach_config(tmp_path: Path, smtp: SmtpServer, *, max_attempts: int = 8) -> Path:
    return write_config(
        tmp_path,
        {
            "outreach": {
                "transport": "smtp",
                "from_address": "alex@example.com",
                "smtp": {
                    "host": smtp.host,
                    "port": smtp.port,
                    "tls": "none",
                    "timeout_seconds": 3,
                    "max_attempts": max_attempts,
                    "retry_base_seconds": 0.5,
                },
                "sending": {
                    "business_hours_start": 0,
                    "business_hours_end": 24,
                    "business_days": [0, 1, 2, 3, 4, 5, 6],
                    "min_gap_per_mailbox_seconds": 0,
                    "stagger_seconds": 0,
                    "lease_seconds": 30,
                    "poll_seconds": 0.3,
                },
            }
        },
    )


async def schedule(graph: Neo4jGraphStore, config: Path, n: int) -> list[dict[str, Any]]:
    """``n`` approved messages to ``n`` leads, scheduled as they would be on Approve; all due now."""
    out = build_outreach(load_settings(config, environ=ENV), graph)
    steps = []
    for i in range(n):
        seeded = await seed_message(graph, email=f"jane{i}@acme{i}.io", domain=f"acme{i}.io")
        steps.append(await out.sender.schedule_approved_message(seeded["message_id"]))
    return steps


async def wait_until(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.1)


def message_ids(smtp: SmtpServer) -> list[str]:
    return [
        str(email.message_from_bytes(m.content, policy=policy.default)["Message-ID"]) for m in smtp.handler.messages
    ]


async def test_smtp_down_while_a_step_is_due(
    graph: Neo4jGraphStore, neo4j_server_handle: Neo4jHandle, smtp: SmtpServer, tmp_path: Path
) -> None:
    config = outreach_config(tmp_path, smtp)
    [step] = await schedule(graph, config, 1)
    store = OutreachStore(graph)
    smtp.down()
    bot = BotProcess(config, neo4j_server_handle.uri, tmp_path / "bot.log", **ENV)
    bot.start(r"background loops|amia> ")
    try:
        bot.wait_log(r"not sent \(cannot reach the SMTP server", timeout=30)

        async def retrying() -> dict[str, Any] | None:
            s = await store.step(step["step_id"])
            return s if s and s["status"] == "scheduled" and int(s.get("attempts") or 0) >= 2 else None

        during = await wait_until(retrying, 30, "a second failed attempt")
        assert "cannot reach the SMTP server" in during["last_error"] and not during.get("sent_at")
        status = amia(config, neo4j_server_handle.uri, "outreach", "status", **ENV)
        assert status.returncode == 0, status.stderr
        assert f"not sent yet, will retry: step {step['step_id']}" in status.stdout, status.stdout
        assert f"cannot reach the SMTP server {smtp.host}:{smtp.port}" in status.stdout
        assert smtp.handler.messages == []

        smtp.up()
        t_up = time.monotonic()

        async def sent() -> dict[str, Any] | None:
            s = await store.step(step["step_id"])
            return s if s and s["status"] == "sent" else None

        done = await wait_until(sent, 30, "the step to be sent once the server is back")
        recovered = time.monotonic() - t_up
        attempts = int(done.get("attempts") or 0)
        await asyncio.sleep(1.0)  # several more worker polls: nothing more may go out
        assert len(smtp.handler.messages) == 1
        assert message_ids(smtp) == [f"<{done['rfc_message_id'].strip('<>')}>"]
        assert "Traceback" not in bot.text()
    finally:
        bot.stop()
    print(f"\nSMTP down: {attempts} attempts, 1 message delivered {recovered:.1f}s after the server came back")


@pytest.mark.slow
async def test_kill_9_mid_send_sends_every_step_exactly_once(
    graph: Neo4jGraphStore, neo4j_server_handle: Neo4jHandle, smtp: SmtpServer, tmp_path: Path
) -> None:
    config = outreach_config(tmp_path, smtp)
    steps = await schedule(graph, config, 4)
    store = OutreachStore(graph)
    smtp.handler.hold, smtp.handler.hold_from = threading.Event(), 2  # the 3rd message stops inside DATA
    bot = BotProcess(config, neo4j_server_handle.uri, tmp_path / "bot.log", **ENV)
    bot.start(r"background loops|amia> ")
    try:
        await wait_until(lambda: asyncio.sleep(0, smtp.handler.held.is_set()), 30, "the 3rd message in DATA")
        bot.kill9()
        t_kill = time.monotonic()
        smtp.handler.hold.set()  # the client is gone mid-DATA: the server drops the message (as real servers do)
        await asyncio.sleep(0.3)
        assert len(smtp.handler.messages) == 2
        by_status = {s["step_id"]: s["status"] for s in await store.steps()}
        assert sorted(by_status.values()) == ["scheduled", "sending", "sent", "sent"], by_status
        in_doubt = next(k for k, v in by_status.items() if v == "sending")

        bot.start(r"background loops|amia> ")

        async def settled() -> bool:
            got = {s["step_id"]: s["status"] for s in await store.steps()}
            return got[in_doubt] == "unknown" and sorted(got.values()) == ["sent", "sent", "sent", "unknown"]

        await wait_until(settled, 60, "the last step sent and the in-doubt one set aside for a human")
        recovered = time.monotonic() - t_kill
        assert len(smtp.handler.messages) == 3, "the message in flight at the kill is never sent again on its own"
        status = amia(config, neo4j_server_handle.uri, "outreach", "status", **ENV)
        assert f"needs a human: step {in_doubt} may or may not have been sent" in status.stdout, status.stdout

        # The operator checks the Sent folder / server log, finds nothing, and has it sent again.
        resolved = amia(
            config, neo4j_server_handle.uri, "outreach", "resolve", in_doubt, "--resend", "--by", "U1", **ENV
        )
        assert resolved.returncode == 0 and "queued to send again" in resolved.stdout, resolved.stderr
        await wait_until(lambda: asyncio.sleep(0, len(smtp.handler.messages) == 4), 20, "the resend")
        await asyncio.sleep(1.0)  # more worker polls: nothing else goes out
        final = {s["step_id"]: s for s in await store.steps()}
        assert all(s["status"] == "sent" for s in final.values())
        ids = message_ids(smtp)
        assert len(ids) == len(set(ids)) == 4
        assert sorted(ids) == sorted(f"<{s['rfc_message_id'].strip('<>')}>" for s in final.values())
        assert {s["step_id"] for s in steps} == set(final)
    finally:
        bot.stop()
    print(f"\nkill -9 mid-send: 4 steps, 4 messages, 1 in doubt set aside {recovered:.1f}s after the kill, resent")
