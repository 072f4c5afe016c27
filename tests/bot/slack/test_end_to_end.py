"""The real workflows behind Slack: score from the graph, a drafted and reviewed sequence on an approval card
(content from cards.py), and Approve scheduling the send through outreach exactly once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from bot.slack import blocks
from tests.agents.workflows.test_drafting import seed
from tests.bot.slack.conftest import Harness
from tests.fakes.fake_slack import app_mention, block_actions, event_callback, slash_command


async def test_score_draft_approve_schedules_one_send(real_harness: Harness, graph) -> None:
    h, fake = real_harness, real_harness.fake
    await seed(graph)
    await h.command(slash_command("score acme.io", response_url=fake.response_url()))
    scored = await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.postMessage") if c.args.get("thread_ts")], timeout=30
    )
    assert "/100" in scored[0].args["text"] and "acme.io" in scored[0].args["text"]

    await h.command(slash_command("draft acme.io", response_url=fake.response_url(), channel="C0DRAFTS01"))
    card = await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.postMessage") if blocks.APPROVE in json.dumps(c.args.get("blocks"))],
        timeout=60,
    )
    shown = json.dumps(card[0].args["blocks"])
    assert "Draft for" in shown and "https://acme.io" in shown and "risk" in shown
    approval_id = next(
        e["value"]
        for b in card[0].args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == blocks.APPROVE
    )
    assert approval_id.startswith("ap_")
    message = {"type": "message", "ts": card[0].response["ts"], "text": "card", "blocks": card[0].args["blocks"]}
    approval = await h.bot.assistant.state.approval(approval_id)
    approvers = h.bot.assistant.desk
    assert approval is not None and (await approvers.may_decide("U0ALEX0001", approval)).allowed, approval

    clicks = [
        block_actions(
            blocks.APPROVE, approval_id, message=message, channel="C0DRAFTS01", response_url=fake.response_url()
        )
        for _ in range(2)
    ]
    await asyncio.gather(*[h.interact(c) for c in clicks])
    updated = await fake.wait_for(
        lambda: [
            c
            for c in fake.ok_calls("chat.update")
            if c.args.get("ts") == message["ts"] and "Approved by" in json.dumps(c.args.get("blocks"))
        ],
        timeout=30,
    )
    assert blocks.APPROVE not in json.dumps(updated[-1].args["blocks"])
    steps = await graph.read("MATCH (s:OutreachStep) RETURN s.step_id AS id, s.approved_by AS who")
    assert len(steps) == 1 and steps[0]["who"] == "U0ALEX0001"
    state = await h.bot.assistant.state.approval(approval_id)
    assert state.state == "sent" and state.send_ref.startswith("due ")


async def test_research_command_crawls_and_reports_cited_facts(real_harness: Harness, graph, tmp_path) -> None:
    from knowledge.web.crawler import Crawler
    from tests.web_fixture.server import build_web, start

    h, fake = real_harness, real_harness.fake
    test_web = build_web()
    runner = await start(test_web)
    try:
        await _research(h, fake, graph, tmp_path, test_web, Crawler)
    finally:
        await runner.cleanup()


async def _research(h: Harness, fake, graph, tmp_path, test_web, Crawler) -> None:
    async with Crawler(test_web.config(), cache_dir=tmp_path / "cache", recorder=graph.record_fetch) as crawler:
        h.bot.assistant.services.extras["crawler"] = crawler
        status, _, seconds = await h.command(slash_command("research acme.test", response_url=fake.response_url()))
        assert status == 200 and seconds < 3.0
        result = await fake.wait_for(
            lambda: [c for c in fake.ok_calls("chat.postMessage") if c.args.get("thread_ts")], timeout=90
        )
    shown = json.dumps(result[0].args["blocks"])
    assert "Acme Analytics" in shown and "Jane Doe" in shown and "http://acme.test/news/series-b" in shown
    done = await fake.wait_for(lambda: [c for c in fake.ok_calls("chat.update") if "done" in c.args.get("text", "")])
    assert done[-1].args["ts"] == fake.ok_calls("chat.postMessage")[0].response["ts"]


async def test_edited_real_draft_is_reviewed_again_before_it_is_scheduled(real_harness: Harness, graph) -> None:
    from tests.fakes.fake_slack import view_submission

    h, fake = real_harness, real_harness.fake
    await seed(graph)
    await h.command(slash_command("draft acme.io", response_url=fake.response_url()))
    card = await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.postMessage") if blocks.APPROVE in json.dumps(c.args.get("blocks"))],
        timeout=60,
    )
    approval_id = next(
        e["value"]
        for b in card[0].args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == blocks.EDIT
    )
    approval = await h.bot.assistant.state.approval(approval_id)
    meta = json.dumps({"approval_id": approval_id, "channel": "C0SALES001", "ts": card[0].response["ts"]})
    body = approval.draft.body.replace("\n\n", "\n\nKurze Ergänzung: wir melden uns gern nächste Woche.\n\n", 1)
    values = {
        blocks.EDIT_SUBJECT: {"value": {"type": "plain_text_input", "value": "Kurze Frage zu Acme"}},
        blocks.EDIT_BODY: {"value": {"type": "plain_text_input", "value": body}},
    }
    status, text, _ = await h.interact(view_submission(blocks.EDIT_CALLBACK, values, private_metadata=meta))
    assert status == 200 and text == ""
    message = {"type": "message", "ts": card[0].response["ts"], "text": "card", "blocks": card[0].args["blocks"]}
    await h.interact(
        block_actions(
            blocks.APPROVE, approval_id, message=message, channel="C0SALES001", response_url=fake.response_url()
        )
    )
    await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.update") if "send scheduled" in json.dumps(c.args.get("blocks"))],
        timeout=30,
    )
    rows = await graph.read(
        "MATCH (m:Message) WHERE m.subject = 'Kurze Frage zu Acme' RETURN m.status AS s, m.compliance_verdict AS v"
    )
    assert rows and rows[0]["s"] == "scheduled" and rows[0]["v"] in ("pass", "flag")


async def test_digest_from_real_data_lists_replies_and_charts(real_harness: Harness, graph) -> None:
    from datetime import UTC, datetime

    from tests.factories import make_signal

    await seed(graph)
    fresh = make_signal(
        evidence="Acme Analytics opened a Berlin office.", type="expansion", occurred_at=datetime.now(UTC)
    )
    await graph.upsert_signals([fresh])
    outreach = real_harness.bot.assistant.services.extras["outreach"]
    await outreach.store.record_inbound(
        {
            "inbound_id": "in-1",
            "kind": "reply",
            "received_at": datetime.now(UTC),
            "detail": "interested: asks for a call",
        }
    )
    digest = await real_harness.bot.assistant.digest(1)
    text = digest.text()
    assert "interested: asks for a call" in text
    assert "Acme Analytics" in text and "opened a Berlin office" in text  # today's signal, from the graph
    assert digest.chart.startswith(b"\x89PNG") and not digest.unavailable


async def test_forget_a_company_from_slack_erases_it_and_keeps_only_a_hashed_block(
    real_harness: Harness, graph
) -> None:
    h, fake = real_harness, real_harness.fake
    await seed(graph)
    assert await graph.company_profile("acme.io") is not None
    # the bot's own state learns about acme.io too: a conversation turn (thread context) and a draft card
    await h.event(event_callback(app_mention("tell me about acme.io", channel="C0FORGET01")))
    await fake.wait_for(
        lambda: [
            c
            for c in fake.ok_calls("chat.update")
            if c.args.get("channel") == "C0FORGET01" and "Looking into it" not in c.args.get("text", "")
        ]
    )
    await h.command(slash_command("draft acme.io jane@acme.io", response_url=fake.response_url(), channel="C0FORGET01"))
    await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.postMessage") if blocks.APPROVE in json.dumps(c.args.get("blocks"))],
        timeout=30,
    )
    state_file = h.bot.assistant.services.settings.data_path("bot.sqlite3")
    assert bot_state_mentions(state_file, "acme.io")
    await h.command(slash_command("forget acme.io", response_url=fake.response_url(), channel="C0FORGET01"))
    reply = await fake.wait_for(
        lambda: [
            c
            for c in fake.ok_calls("chat.postMessage")
            if c.args.get("channel") == "C0FORGET01" and "do-not-contact" in c.args.get("text", "")
        ],
        timeout=30,
    )
    assert "Erased domain acme.io" in reply[0].args["text"]
    assert await graph.company_profile("acme.io") is None
    rows = await graph.read("MATCH (n) WHERE any(k IN keys(n) WHERE toString(n[k]) CONTAINS 'acme.io') RETURN n")
    assert rows == []
    await h.bot.rt.drain()
    assert bot_state_mentions(state_file, "acme.io") == [], "erasure reaches the bot's own SQLite state"


def bot_state_mentions(path: Path, needle: str) -> list[str]:
    """Every table of the bot's state file, every column: which rows still mention ``needle``."""
    db = sqlite3.connect(str(path))
    try:
        found = []
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
            for row in db.execute(f"SELECT * FROM {table}").fetchall():
                if needle in " ".join(str(v) for v in row).lower():
                    found.append(table)
        return found
    finally:
        db.close()
