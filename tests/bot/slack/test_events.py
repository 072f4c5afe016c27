"""Mentions and DMs: answered in the thread with the thread's context; redeliveries answered exactly once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from knowledge.graph.store import FactInput
from knowledge.models import company_id_for
from tests.bot.slack.conftest import Harness
from tests.factories import make_company, make_signal
from tests.fakes.fake_slack import BOT_ID, BOT_USER, app_mention, direct_message, event_callback


async def test_url_verification_echoes_the_challenge(harness: Harness) -> None:
    status, body, _ = await harness.event({"token": "t", "challenge": "abc123", "type": "url_verification"})
    assert status == 200 and json.loads(body)["challenge"] == "abc123"


async def test_mention_is_answered_in_its_thread_and_redeliveries_once(harness: Harness) -> None:
    fake = harness.fake
    payload = event_callback(app_mention("research acme.io"))
    status, _, seconds = await harness.event(payload)
    assert status == 200 and seconds < 3.0
    for retry in (1, 2):  # Slack retries when it thinks we timed out: same event_id, retry headers
        status, _, _ = await harness.event(
            payload, headers={"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert status == 200
    posts = await fake.wait_calls("chat.postMessage", 1)
    answer = await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.update") if "Acme" in json.dumps(c.args.get("blocks"))]
    )
    await harness.bot.rt.drain()
    assert len(fake.ok_calls("chat.postMessage")) == 1  # exactly one reply for three deliveries
    assert posts[0].args["thread_ts"] == payload["event"]["ts"]
    assert answer[-1].args["ts"] == posts[0].response["ts"]  # the "looking into it" message became the answer


async def test_thread_context_resolves_it_and_preferences_are_stored(harness: Harness) -> None:
    fake = harness.fake
    first = event_callback(app_mention("research acme.io"))
    await harness.event(first)
    await fake.wait_for(lambda: [c for c in fake.ok_calls("chat.update") if "Acme" in json.dumps(c.args.get("blocks"))])
    follow = event_callback(app_mention("why is it hot?", thread_ts=first["event"]["ts"]))
    await harness.event(follow)
    why = await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.update") if "82/100" in json.dumps(c.args.get("blocks"))], timeout=15
    )
    assert "Series B raised" in json.dumps(why[-1].args["blocks"])
    await harness.event(event_callback(direct_message("we don't target companies under 50 people")))
    await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.update") if "team preference" in c.args.get("text", "")], timeout=15
    )
    prefs = await harness.bot.assistant.state.preferences()
    assert prefs[-1]["rule"] == {"field": "employees", "min": 50}


async def test_signal_question_reads_the_graph(harness: Harness, graph) -> None:
    now = datetime.now(UTC)
    await graph.upsert_companies([make_company(), make_company(domain="other.io", name="Other", industries=["retail"])])
    await graph.ensure_objects("Industry", "code", [{"key": "fintech", "props": {"name": "Fintech"}}])
    fact = FactInput(
        predicate="IN_INDUSTRY",
        subject_key=company_id_for("acme.io"),
        object_key="fintech",
        source_url="https://acme.io/about",
        fetched_at=now,
        extractor="test",
    )
    await graph.assert_facts([fact])
    await graph.upsert_signals(
        [
            make_signal(occurred_at=now),
            make_signal(company_domain="other.io", evidence="Other raised a seed round.", occurred_at=now),
            make_signal(evidence="Acme raised a Series A.", occurred_at=now - timedelta(days=90)),
        ]
    )
    await harness.event(event_callback(app_mention("who raised money in fintech this month?")))
    got = await harness.fake.wait_for(
        lambda: [c for c in harness.fake.ok_calls("chat.update") if "Series B" in json.dumps(c.args.get("blocks"))],
        timeout=15,
    )
    shown = json.dumps(got[-1].args["blocks"])
    assert "https://acme.io/news/series-b" in shown
    assert "seed round" not in shown and "Series A" not in shown  # other industry, older than this month


async def test_own_messages_and_unknown_questions(harness: Harness) -> None:
    fake = harness.fake
    own = direct_message("I am the bot")
    own.update({"user": BOT_USER, "bot_id": BOT_ID})
    await harness.event(event_callback(own))
    await harness.event(event_callback(direct_message("compose a sonnet about our pipeline")))
    got = await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.update") if "LLM" in c.args.get("text", "")], timeout=15
    )
    assert "no LLM is configured" in got[-1].args["text"]
    await asyncio.sleep(0.2)
    await harness.bot.rt.drain()
    assert len(fake.ok_calls("chat.postMessage")) == 1  # nothing for the bot's own message
