"""Every slash command is counted in /metrics by command and outcome, with its duration."""

from __future__ import annotations

import asyncio

from tests.bot.slack.conftest import Harness
from tests.fakes.fake_slack import slash_command


async def test_commands_are_counted_by_outcome(harness: Harness) -> None:
    fake = harness.fake
    await harness.command(slash_command("leads hot", response_url=fake.response_url()))
    await harness.command(slash_command("score not_a_domain", response_url=fake.response_url()))
    metrics = harness.bot.assistant.services.metrics
    text = ""
    for _ in range(100):  # the work runs after the ack: poll until both are recorded
        text = metrics.render().decode()
        if 'command="leads",outcome="ok"' in text and 'command="score",outcome="usage_error"' in text:
            break
        await asyncio.sleep(0.1)
    assert 'amia_commands_total{command="leads",outcome="ok"} 1.0' in text
    assert 'command="score",outcome="usage_error"' in text
    assert 'amia_command_seconds_count{command="leads"} 1.0' in text
