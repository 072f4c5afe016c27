"""Sending approved steps through a real SMTP server: DKIM, RFC 8058 headers, refusals, retries, idempotency."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import dkim
import pytest

from bot.errors import ServiceError
from bot.outreach.config import DkimConfig
from bot.outreach.errors import NotSendable
from bot.outreach.runtime import build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.bot.outreach.conftest import Clock, DkimKey, make_settings, seed_message, smtp_settings
from tests.fakes.smtp import SmtpServer


async def test_approved_message_arrives_signed_with_one_click_unsubscribe(
    graph: Neo4jGraphStore, smtp: SmtpServer, dkim_key: DkimKey, clock: Clock, tmp_path: Path
) -> None:
    seeded = await seed_message(graph)
    out = build_outreach(smtp_settings(tmp_path, smtp, dkim_key), graph, clock=clock)
    step = await out.sender.schedule_approved_message(seeded["message_id"])
    assert step["due_at"] == clock.at  # Tuesday 10:00 in Berlin is a business hour

    report = await out.worker.run_once()

    assert report["sent"] == 1
    assert len(smtp.handler.messages) == 1
    got = smtp.handler.messages[0]
    assert got.rcpt_tos == ["jane@acme.io"] and got.mail_from == "alex@example.com"
    assert dkim.verify(got.content, dnsfunc=dkim_key.dnsfunc)
    msg = email.message_from_bytes(got.content, policy=policy.default)
    unsubscribe = str(msg["List-Unsubscribe"])
    assert "<mailto:alex@example.com?subject=unsubscribe" in unsubscribe
    assert "<https://amia.example.com/u/" in unsubscribe
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Message-ID"].startswith("<amia.") and msg["Message-ID"].endswith("@example.com>")
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "https://example.com/case-study?utm_source=amia&utm_medium=email" in text
    assert "utm_content=step1" in text and "unsubscribe here: https://amia.example.com/u/" in text
    assert '<a href="https://example.com/case-study?utm_source=amia' in html

    sends = await out.store.export_sends()
    assert len(sends) == 1 and sends[0]["approved_by"] == "U123APPROVER"
    raw = await graph.read("MATCH (x:Send) RETURN x.raw AS raw, x.rfc_message_id AS id")
    assert raw[0]["raw"].encode() == got.content  # exactly what went out is on record
    assert raw[0]["id"] == msg["Message-ID"]
    status = await graph.read("MATCH (m:Message {message_id: $m}) RETURN m.status AS s", m=seeded["message_id"])
    assert status[0]["s"] == "sent"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"status": "in_review"}, "not_approved"),
        ({"status": "rejected"}, "not_approved"),
        ({"approved_by": None}, "not_approved"),
        ({"verdict": "block"}, "compliance"),
        ({"verdict": None}, "compliance"),
    ],
)
async def test_unapproved_or_blocked_messages_are_refused(
    graph: Neo4jGraphStore, clock: Clock, tmp_path: Path, overrides: dict[str, object], reason: str
) -> None:
    seeded = await seed_message(graph, **overrides)  # type: ignore[arg-type]
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    with pytest.raises(NotSendable) as info:
        await out.sender.schedule_approved_message(seeded["message_id"])
    assert info.value.reason == reason
    assert await out.store.steps() == []


async def test_suppressed_domain_is_refused_even_after_scheduling(
    graph: Neo4jGraphStore, clock: Clock, tmp_path: Path
) -> None:
    seeded = await seed_message(graph)
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    await out.sender.schedule_approved_message(seeded["message_id"])
    await out.store.suppress("acme.io", "domain", "do_not_contact", source="test")

    report = await out.worker.run_once()

    assert report["refused"] == 1 and report["sent"] == 0
    assert not (tmp_path / "outbox").exists() or list((tmp_path / "outbox").iterdir()) == []
    with pytest.raises(NotSendable, match="suppression list"):
        await out.sender.schedule_approved_message((await seed_message(graph, step=2))["message_id"])


async def test_double_approval_schedules_and_sends_once(graph: Neo4jGraphStore, clock: Clock, tmp_path: Path) -> None:
    seeded = await seed_message(graph)
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    first = await out.sender.schedule_approved_message(seeded["message_id"])
    second = await out.sender.schedule_approved_message(seeded["message_id"])
    assert first["step_id"] == second["step_id"]
    await out.worker.run_once()
    await out.worker.run_once(clock.advance(minutes=5))
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


async def test_weekend_approval_waits_for_monday_morning_local_time(
    graph: Neo4jGraphStore, clock: Clock, tmp_path: Path
) -> None:
    clock.at = clock.at.replace(day=28, hour=15)  # Saturday 16:00 in Berlin
    seeded = await seed_message(graph)
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    step = await out.sender.schedule_approved_message(seeded["message_id"])
    assert step["due_at"].isoformat() == "2026-11-30T08:00:00+00:00"  # Monday 09:00 Europe/Berlin
    assert await out.worker.run_once() == {}
    assert (await out.worker.run_once(step["due_at"]))["sent"] == 1


async def test_smtp_down_retries_later_and_sends_once(
    graph: Neo4jGraphStore, smtp: SmtpServer, clock: Clock, tmp_path: Path
) -> None:
    seeded = await seed_message(graph)
    settings = smtp_settings(tmp_path, smtp)
    settings.outreach.smtp.port = smtp.port + 1 if smtp.port < 65535 else smtp.port - 1  # nothing listens
    out = build_outreach(settings, graph, clock=clock)
    await out.sender.schedule_approved_message(seeded["message_id"])

    report = await out.worker.run_once()
    assert report["retry"] == 1
    step = (await out.store.steps())[0]
    assert step["status"] == "scheduled" and "cannot reach the SMTP server" in step["last_error"]
    assert step["due_at"] == clock.at + (step["due_at"] - clock.at)  # moved into the future
    assert step["due_at"] > clock.at

    up = build_outreach(smtp_settings(tmp_path, smtp), graph, clock=clock)
    report = await up.worker.run_once(clock.advance(hours=1))
    assert report["sent"] == 1 and len(smtp.handler.messages) == 1


@pytest.mark.parametrize(("answer", "status"), [("550 5.1.1 no such user", "failed"), ("450 4.2.0 busy", "scheduled")])
async def test_rejecting_server_fails_or_retries(
    graph: Neo4jGraphStore, smtp: SmtpServer, clock: Clock, tmp_path: Path, answer: str, status: str
) -> None:
    smtp.handler.reject_with = answer
    seeded = await seed_message(graph)
    out = build_outreach(smtp_settings(tmp_path, smtp), graph, clock=clock)
    await out.sender.schedule_approved_message(seeded["message_id"])
    await out.worker.run_once()
    step = (await out.store.steps())[0]
    assert step["status"] == status
    assert answer.split()[0] in step["last_error"]
    assert smtp.handler.messages == []


def test_bad_dkim_key_is_reported_at_start(graph: Neo4jGraphStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    for path, message in [(bad, "not an unencrypted PEM private key"), (tmp_path / "missing.pem", "cannot read")]:
        settings = make_settings(tmp_path, dkim=DkimConfig(enabled=True, domain="example.com", key_path=str(path)))
        with pytest.raises(ServiceError, match=message):
            build_outreach(settings, graph)


async def test_doctor_checks_the_smtp_server_and_dkim_key(smtp: SmtpServer, dkim_key: DkimKey, tmp_path: Path) -> None:
    from bot.doctor import check_smtp
    from tests.fakes.smtp import free_port

    ok = await check_smtp(smtp_settings(tmp_path, smtp, dkim_key))
    assert ok.status == "ok" and "DKIM amia._domainkey.example.com" in ok.detail
    down = smtp_settings(tmp_path, smtp)
    down.outreach.smtp.port = free_port()
    failed = await check_smtp(down)
    assert failed.status == "fail" and "cannot talk to" in failed.detail and failed.fix
    assert (await check_smtp(make_settings(tmp_path))).status == "skip"
