"""CRM hand-off: HubSpot/Salesforce CSV exports, signed outcome webhooks with retries, suppression CSV import."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.outreach.crm import (
    deliver_outcome_webhooks,
    export_csv,
    import_suppressions,
    verify_webhook,
)
from bot.outreach.errors import CsvImportError
from bot.outreach.inbound import InboundProcessor
from bot.outreach.runtime import Outreach, build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.graph.outreach import OutreachStore
from tests.bot.outreach.conftest import SECRET, Clock, make_settings, seed_message


@pytest.fixture
async def replied(graph: Neo4jGraphStore, clock: Clock, tmp_path: Path) -> Outreach:
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    seeded = await seed_message(graph, variant="question")
    await out.sender.schedule_approved_message(seeded["message_id"])
    await out.worker.run_once()
    [send] = await out.store.export_sends()
    raw = (
        f"From: jane@acme.io\r\nSubject: Re: x\r\nMessage-ID: <re1@acme.io>\r\nIn-Reply-To: {send['rfc_message_id']}"
        "\r\n\r\nInteresting - let's set up a call.\r\n"
    ).encode()
    await InboundProcessor(out.store).process(raw, clock.at)
    return out


async def test_hubspot_and_salesforce_exports(replied: Outreach) -> None:
    hub = list(csv.DictReader(io.StringIO(await export_csv(replied.store, "leads", "hubspot"))))
    assert hub[0]["Email"] == "jane@acme.io" and hub[0]["First Name"] == "Jane" and hub[0]["Last Name"] == "Doe"
    assert hub[0]["Lead Status"] == "CONNECTED" and hub[0]["AMIA Last Outcome"] == "positive_reply"
    sf = list(csv.DictReader(io.StringIO(await export_csv(replied.store, "leads", "salesforce"))))
    assert sf[0]["Email"] == "jane@acme.io" and sf[0]["Website"] == "https://acme.io" and sf[0]["LeadSource"] == "AMIA"
    emails = list(csv.DictReader(io.StringIO(await export_csv(replied.store, "emails"))))
    assert emails[0]["Subject"] == "Your Series B" and emails[0]["Approved By"] == "U123APPROVER"
    outcomes = list(csv.DictReader(io.StringIO(await export_csv(replied.store, "outcomes"))))
    assert [(o["Outcome"], o["Variant"]) for o in outcomes] == [("positive_reply", "question")]


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    got: list[dict[str, object]] = []
    calls = {"n": 0}

    async def hook(request: web.Request) -> web.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return web.Response(status=503)  # the CRM hiccups once
        body = await request.read()
        ok = verify_webhook(SECRET.encode(), request.headers["X-AMIA-Timestamp"], body,
                            request.headers["X-AMIA-Signature"])  # fmt: skip
        got.append({"ok": ok, "delivery": request.headers["X-AMIA-Delivery"], "body": await request.json()})
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/hook", got
    finally:
        await runner.cleanup()


async def test_outcome_webhook_is_signed_retried_and_sent_once(
    replied: Outreach, receiver: tuple[str, list[dict[str, object]]]
) -> None:
    url, got = receiver
    report = await deliver_outcome_webhooks(replied.store, url, SECRET.encode(), backoff=0.01)
    assert report.delivered == 1 and report.pending == 0
    assert len(got) == 1 and got[0]["ok"] is True
    assert got[0]["body"]["outcome"]["type"] == "positive_reply"  # type: ignore[index]
    again = await deliver_outcome_webhooks(replied.store, url, SECRET.encode(), backoff=0.01)
    assert again.delivered == 0 and len(got) == 1


async def test_unreachable_webhook_keeps_outcomes_pending(replied: Outreach) -> None:
    from tests.fakes.smtp import free_port

    report = await deliver_outcome_webhooks(
        replied.store, f"http://127.0.0.1:{free_port()}/hook", SECRET.encode(), attempts=2, backoff=0.01
    )
    assert report.delivered == 0 and report.pending == 1 and "ClientConnectorError" in report.errors[0]
    assert len(await replied.store.pending_outcomes()) == 1


async def test_suppression_import_and_broken_files(graph: Neo4jGraphStore) -> None:
    store = OutreachStore(graph)
    good = b"\xef\xbb\xbfEmail;Reason\nJane@Acme.io;unsubscribed\nglobex.com;\n\n"
    report = await import_suppressions(store, good, source="hubspot-export.csv")
    assert (report.added, report.already) == (2, 0)
    assert (await store.suppression_for("jane@acme.io"))["reason"] == "unsubscribed"  # type: ignore[index]
    assert (await store.suppression_for("anyone@globex.com"))["kind"] == "domain"  # type: ignore[index]
    assert (await import_suppressions(store, good, source="again")).already == 2

    cases = [
        (b"", "the file is empty"),
        (b"name,phone\nJane,123\n", "no email, domain or value column"),
        (b"email\nok@x.com\nnot an address\nfoo@\n", "2 invalid rows, nothing imported: line 3"),
        (b"email,reason\na@x.com,annoyed\n", "reason must be one of"),
        (b"email\n\xff\xfe\n", "not UTF-8"),
    ]
    for data, message in cases:
        with pytest.raises(CsvImportError, match=message):
            await import_suppressions(store, data, source="bad.csv")
    assert await store.suppression_for("ok@x.com") is None  # a broken file imports nothing
    partial = await import_suppressions(store, cases[2][0], source="bad.csv", skip_invalid=True)
    assert partial.added == 1 and partial.skipped
