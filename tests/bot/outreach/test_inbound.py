"""Replies, bounces and auto-replies read from a real Dovecot IMAP server and threaded to the right lead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.outreach.imap import ImapPoller
from bot.outreach.inbound import InboundProcessor
from bot.outreach.runtime import Outreach, build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.bot.outreach.conftest import Clock, make_settings, seed_message
from tests.fakes.dovecot import Dovecot, dovecot_server


@pytest.fixture(scope="module")
def imap() -> Iterator[Dovecot]:
    with dovecot_server() as server:
        yield server


def reply(to_id: str, sender: str, body: str, *, subject: str = "Re: Your Series B", extra: str = "") -> bytes:
    return (
        f"From: {sender}\r\nTo: alex@example.com\r\nSubject: {subject}\r\n"
        f"Message-ID: <r{abs(hash((to_id, body)))}@mail.test>\r\nIn-Reply-To: {to_id}\r\nReferences: {to_id}\r\n"
        f"{extra}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\n"
        f"On Tue, 24 Nov 2026 Alex wrote:\r\n> Hi, would a call make sense?\r\n"
    ).encode()


def dsn(original_id: str, recipient: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.acme.io\r\nTo: alex@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.acme.io>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver your message.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.acme.io\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {original_id}\r\nTo: {recipient}\r\n\r\n--B--\r\n"
    ).encode()


async def _sent(out: Outreach, graph: Neo4jGraphStore, clock: Clock, email: str, step: int = 1) -> dict[str, str]:
    seeded = await seed_message(graph, email=email, step=step)
    await out.sender.schedule_approved_message(seeded["message_id"])
    await out.worker.run_once(clock.advance(seconds=1))
    sends = await out.store.sends_to(email)
    return seeded | {"rfc_id": str(sends[0]["rfc_message_id"])}


async def test_replies_bounces_and_auto_replies_are_threaded_and_acted_on(
    graph: Neo4jGraphStore, imap: Dovecot, clock: Clock, tmp_path: Path
) -> None:
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    keen = await _sent(out, graph, clock, "keen@acme.io")
    gone = await _sent(out, graph, clock, "gone@acme.io")
    away = await _sent(out, graph, clock, "away@acme.io")
    stop = await _sent(out, graph, clock, "stop@acme.io")
    later = await seed_message(graph, email="away@acme.io", step=2)
    await out.sender.schedule_approved_message(later["message_id"], not_before=clock.at)

    imap.append(reply(keen["rfc_id"], "keen@acme.io", "Sounds interesting, can we book a call next week?"))
    imap.append(dsn(gone["rfc_id"], "gone@acme.io"))
    imap.append(
        reply(away["rfc_id"], "away@acme.io", "I am out of the office until 2026-12-07 with limited access to email.",
              subject="Automatic reply: Your Series B", extra="Auto-Submitted: auto-replied\r\n")
    )  # fmt: skip
    imap.append(reply(stop["rfc_id"], "stop@acme.io", "Please remove me from your list."))
    imap.append(reply("<nobody@else.test>", "stranger@other.test", "Who are you?"))
    imap.append(b"\x00\xff garbage without headers \xfe")

    notified = []

    async def notify(result: object) -> None:
        notified.append(result)

    poller = ImapPoller(
        out.store, InboundProcessor(out.store), host=imap.host, port=imap.port, user=imap.user,
        password=imap.password, ssl=False, notify=notify, clock=clock,
    )  # fmt: skip
    results = await poller.poll_once()

    kinds = [(r.kind, r.label) for r in results]
    assert kinds[:4] == [("reply", "interested"), ("bounce", "hard"), ("auto_reply", "out_of_office"),
                         ("reply", "unsubscribe")]  # fmt: skip
    assert [r.kind for r in results[4:]] == ["unmatched", "unmatched"]  # kept for a human, not dropped
    assert {r.inbound_id for r in notified} >= {results[0].inbound_id, results[4].inbound_id}

    outcomes = {(o["lead_id"], o["type"]) for o in await out.store.outcomes()}
    assert (keen["lead_id"], "positive_reply") in outcomes
    assert (gone["lead_id"], "bounced") in outcomes
    assert (stop["lead_id"], "unsubscribed") in outcomes
    assert not any(lead == away["lead_id"] for lead, _ in outcomes)  # out of office is not a reply
    assert (await out.store.suppression_for("gone@acme.io"))["reason"] == "bounced"  # type: ignore[index]
    assert (await out.store.suppression_for("stop@acme.io"))["reason"] == "unsubscribed"  # type: ignore[index]
    assert await out.store.suppression_for("keen@acme.io") is None
    [next_step] = await out.store.steps(lead_id=away["lead_id"], status="scheduled")
    assert next_step["due_at"].date().isoformat() == "2026-12-08"  # after the return date

    assert await poller.poll_once() == []  # the cursor moved on
    await out.store.set_imap_cursor(poller.key, int((await out.store.imap_cursor(poller.key))["uidvalidity"]), 0)  # type: ignore[index]
    again = await poller.poll_once()  # a crash before the cursor moved: everything is read again...
    assert {r.kind for r in again} == {"duplicate"}
    assert len(await out.store.outcomes()) == len(outcomes)  # ...and nothing is counted twice


async def test_imap_login_failure_is_clear(graph: Neo4jGraphStore, imap: Dovecot, tmp_path: Path) -> None:
    from bot.errors import ServiceError

    out = build_outreach(make_settings(tmp_path), graph)
    poller = ImapPoller(out.store, InboundProcessor(out.store), host=imap.host, port=imap.port, user="amia",
                        password="wrong", ssl=False)  # fmt: skip
    with pytest.raises(ServiceError, match="refused the login"):
        await poller.poll_once()
