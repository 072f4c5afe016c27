"""Unsubscribe and click endpoints over real HTTP: one-click POST, the human page, forged and reused tokens."""

from __future__ import annotations

import email
import re
from collections.abc import AsyncIterator
from email import policy
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.outreach.config import TrackingConfig
from bot.outreach.http import add_outreach_routes
from bot.outreach.runtime import Outreach, build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.bot.outreach.conftest import Clock, make_settings, seed_message


@pytest.fixture
async def outreach(graph: Neo4jGraphStore, clock: Clock, tmp_path: Path) -> Outreach:
    settings = make_settings(tmp_path, tracking=TrackingConfig(clicks=True))
    return build_outreach(settings, graph, clock=clock)


@pytest.fixture
async def base_url(outreach: Outreach) -> AsyncIterator[str]:
    app = web.Application()
    add_outreach_routes(app, outreach)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def _sent_mail(outreach: Outreach, graph: Neo4jGraphStore, tmp_path: Path) -> email.message.EmailMessage:
    seeded = await seed_message(graph)
    await outreach.sender.schedule_approved_message(seeded["message_id"])
    await outreach.worker.run_once()
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def _local(url: str, base: str) -> str:
    return base + url[len("https://amia.example.com") :]


async def test_one_click_post_unsubscribes_at_once_and_is_idempotent(
    outreach: Outreach, graph: Neo4jGraphStore, tmp_path: Path, base_url: str, clock: Clock
) -> None:
    msg = await _sent_mail(outreach, graph, tmp_path)
    https = re.search(r"<(https://[^>]+)>", str(msg["List-Unsubscribe"]))
    assert https
    second = await seed_message(graph, step=2)
    await outreach.sender.schedule_approved_message(second["message_id"], not_before=clock.advance(days=4))

    async with aiohttp.ClientSession() as http:
        for _ in range(2):  # a mail client may retry; the second POST must change nothing
            async with http.post(_local(https.group(1), base_url), data={"List-Unsubscribe": "One-Click"}) as r:
                assert r.status == 200 and (await r.text()) == "unsubscribed\n"

    assert (await outreach.store.suppression_for("jane@acme.io")) is not None
    assert len(await outreach.store.suppressions()) == 1
    statuses = sorted(s["status"] for s in await outreach.store.steps())
    assert statuses == ["cancelled", "sent"]
    rows = await graph.read("MATCH (x:Interaction {type: 'unsubscribe'}) RETURN count(x) AS n")
    assert rows[0]["n"] == 1
    assert [o["type"] for o in await outreach.store.outcomes()] == ["unsubscribed"]


async def test_get_shows_a_confirm_page_and_does_not_unsubscribe(
    outreach: Outreach, graph: Neo4jGraphStore, tmp_path: Path, base_url: str
) -> None:
    msg = await _sent_mail(outreach, graph, tmp_path)
    url = _local(re.search(r"<(https://[^>]+)>", str(msg["List-Unsubscribe"])).group(1), base_url)  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as http:
        async with http.get(url) as r:
            page = await r.text()
            assert r.status == 200 and "Stop all emails to <b>jane@acme.io</b>" in page and "<form" in page
        assert await outreach.store.suppression_for("jane@acme.io") is None
        async with http.post(url, data={"confirm": "yes"}) as r:
            assert r.status == 200 and "You are unsubscribed" in await r.text()
        async with http.get(url) as r:
            assert "will not get more emails" in await r.text()


async def test_forged_or_truncated_tokens_are_rejected(
    outreach: Outreach, graph: Neo4jGraphStore, tmp_path: Path, base_url: str
) -> None:
    msg = await _sent_mail(outreach, graph, tmp_path)
    url = _local(re.search(r"<(https://[^>]+)>", str(msg["List-Unsubscribe"])).group(1), base_url)  # type: ignore[union-attr]
    token = url.rsplit("/", 1)[1]
    body, mac = token.split(".")
    forged_payload = outreach.tokens.sign("unsubscribe", {"e": "ceo@acme.io"}).split(".")[0]
    click_token = outreach.tokens.sign("click", {"e": "jane@acme.io", "u": "https://evil.test"})
    async with aiohttp.ClientSession() as http:
        for bad in [f"{forged_payload}.{mac}", body, f"{body}.AAAA", click_token]:
            async with http.post(f"{base_url}/u/{bad}", data={"List-Unsubscribe": "One-Click"}) as r:
                assert r.status == 400 and "not valid" in await r.text()
    assert await outreach.store.suppressions() == []


async def test_click_redirect_records_the_click_and_refuses_unsigned_targets(
    outreach: Outreach, graph: Neo4jGraphStore, tmp_path: Path, base_url: str
) -> None:
    msg = await _sent_mail(outreach, graph, tmp_path)
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    click = re.search(r"https://amia\.example\.com/c/\S+", text)
    assert click
    async with aiohttp.ClientSession() as http:
        async with http.get(_local(click.group(0), base_url), allow_redirects=False) as r:
            assert r.status == 302
            assert r.headers["Location"].startswith("https://example.com/case-study?utm_source=amia")
        async with http.get(f"{base_url}/c/eyJ1IjoiaHR0cHM6Ly9ldmlsLnRlc3QifQ.x", allow_redirects=False) as r:
            assert r.status == 400
    stats = await outreach.store.variant_stats()
    rows = await graph.read("MATCH (x:Interaction {type: 'click'}) RETURN x.lead_id AS lead")
    assert len(rows) == 1 and rows[0]["lead"]
    assert stats == []  # no variant on this message: nothing to attribute
