"""Slack's rules as FakeSlack enforces them, and how the bot's client copes: 429 + Retry-After is waited out,
5xx retried, block limits refused, response_url good for five uses."""

from __future__ import annotations

import time
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.runtime import build_client
from tests.bot.slack.conftest import BOT_TOKEN, make_settings
from tests.fakes.fake_slack import FakeSlack


async def test_rate_limit_is_retried_after_retry_after(fake: FakeSlack, tmp_path: Path) -> None:
    client = build_client(make_settings(tmp_path, fake), BOT_TOKEN)
    t0 = time.monotonic()
    await client.chat_postMessage(channel="C0SALES001", text="one")
    await client.chat_postMessage(channel="C0SALES001", text="two")  # inside the same second
    assert time.monotonic() - t0 >= 1.0
    assert [c.status for c in fake.calls if c.method == "chat.postMessage"] == [200, 429, 200]
    await client.chat_postMessage(channel="C0OTHER001", text="other channel is independent")


async def test_server_errors_are_retried(fake: FakeSlack, tmp_path: Path) -> None:
    client = build_client(make_settings(tmp_path, fake), BOT_TOKEN)
    fake.fail_next["chat.update"] = 2
    posted = await client.chat_postMessage(channel="C0SALES001", text="x")
    await client.chat_update(channel="C0SALES001", ts=posted["ts"], text="y")
    assert [c.status for c in fake.calls if c.method == "chat.update"] == [500, 500, 200]


async def test_block_limits_and_tokens(fake: FakeSlack, tmp_path: Path) -> None:
    client = build_client(make_settings(tmp_path, fake), BOT_TOKEN)
    many = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C0A", text="x", blocks=many)
    assert err.value.response["error"] == "invalid_blocks"
    long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C0B", text="x", blocks=long)
    with pytest.raises(SlackApiError) as err:
        await client.apps_connections_open(app_token=BOT_TOKEN)
    assert err.value.response["error"] == "not_allowed_token_type"


async def test_response_url_allows_five_uses(fake: FakeSlack) -> None:
    url = fake.response_url("five")
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(6):
            async with session.post(url, json={"text": str(i)}) as resp:
                statuses.append(resp.status)
    assert statuses == [200, 200, 200, 200, 200, 404]


async def test_doctor_checks_slack_through_the_configured_api(fake: FakeSlack, tmp_path: Path) -> None:
    from bot.doctor import check_slack

    result = await check_slack(make_settings(tmp_path, fake))
    assert result.status == "ok" and "AMIA Test" in result.detail
    assert fake.ok_calls("auth.test")  # it asked the configured endpoint (an Enterprise proxy or the fake)
