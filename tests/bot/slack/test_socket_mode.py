"""Socket Mode: the same app over FakeSlack's WebSocket; acks carry payloads, redeliveries are dropped,
a disconnect frame makes the client reconnect."""

from __future__ import annotations

import json

from tests.bot.slack.conftest import APP_TOKEN, Harness
from tests.fakes.fake_slack import app_mention, event_callback, slash_command


async def test_socket_mode_commands_events_and_reconnect(harness: Harness) -> None:
    fake = harness.fake
    await harness.bot.connect_socket_mode(APP_TOKEN)
    await fake.wait_for(lambda: fake.socket_connected)
    opened = fake.ok_calls("apps.connections.open")
    assert opened and opened[0].headers["Authorization"] == f"Bearer {APP_TOKEN}"

    env = await fake.send_envelope("slash_commands", slash_command("score acme.io", response_url=fake.response_url()))
    await fake.wait_for(lambda: env.ack is not None)
    assert env.acked_at - env.sent_at < 3.0
    assert "Working on it" in env.ack["payload"]["text"]
    await fake.wait_for(
        lambda: [c for c in fake.ok_calls("chat.postMessage") if "82/100" in json.dumps(c.args.get("blocks"))]
    )

    mention = event_callback(app_mention("leads hot", channel="C0OTHER001"))
    first = await fake.send_envelope("events_api", mention, retry_attempt=0, retry_reason="")
    again = await fake.send_envelope("events_api", mention, retry_attempt=1, retry_reason="timeout")
    await fake.wait_for(lambda: first.ack is not None and again.ack is not None)
    await fake.wait_for(
        lambda: [
            c
            for c in fake.ok_calls("chat.update")
            if c.args.get("channel") == "C0OTHER001" and "Acme" in json.dumps(c.args.get("blocks"))
        ]
    )
    await harness.bot.rt.drain()
    assert len([c for c in fake.ok_calls("chat.postMessage") if c.args["channel"] == "C0OTHER001"]) == 1

    await fake.disconnect()
    await fake.wait_for(lambda: fake.connections_opened >= 2, timeout=15)
    await fake.wait_for(lambda: fake.socket_connected)
    env = await fake.send_envelope("slash_commands", slash_command("help", response_url=fake.response_url()))
    await fake.wait_for(lambda: env.ack is not None, timeout=15)
    assert "AMIA commands" in env.ack["payload"]["text"]
