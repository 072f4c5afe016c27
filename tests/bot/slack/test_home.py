"""App Home: the queue and the user's settings; changing a setting saves it and republishes."""

from __future__ import annotations

import json

from bot.slack import blocks
from tests.bot.slack.conftest import Harness
from tests.fakes.fake_slack import APP_ID, TEAM, event_callback


async def test_home_shows_queue_and_saves_settings(harness: Harness) -> None:
    fake = harness.fake
    await harness.event(
        event_callback(
            {
                "type": "app_home_opened",
                "user": "U0ALEX0001",
                "channel": "D0ALEXDM01",
                "tab": "home",
                "event_ts": "1712345678.000100",
            }
        )
    )
    published = await fake.wait_calls("views.publish")
    view = published[0].args["view"]
    text = json.dumps(view)
    assert published[0].args["user_id"] == "U0ALEX0001" and view["type"] == "home"
    for part in (
        "Hot leads",
        "Acme",
        "Waiting for approval",
        "Recent replies",
        "Daily digest time",
        "Send my alerts to",
    ):
        assert part in text
    payload = {
        "type": "block_actions",
        "user": {"id": "U0ALEX0001", "username": "alex", "team_id": TEAM},
        "api_app_id": APP_ID,
        "team": {"id": TEAM, "domain": "amia-test"},
        "container": {"type": "view", "view_id": "V0HOME0001"},
        "trigger_id": "1.2.3",
        "view": {"id": "V0HOME0001", "type": "home"},
        "actions": [
            {
                "action_id": blocks.HOME_ALERTS_TO,
                "block_id": "home_alerts_to",
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "channel"},
                "action_ts": "1.2",
            }
        ],
    }
    status, _, _ = await harness.interact(payload)
    assert status == 200
    await fake.wait_calls("views.publish", 2)
    assert (await harness.bot.assistant.state.user_settings("U0ALEX0001")).alerts_to == "channel"
    payload["actions"][0] |= {
        "action_id": blocks.HOME_DIGEST_TIME,
        "selected_option": {"text": {"type": "plain_text", "text": "07:30"}, "value": "07:30"},
    }
    await harness.interact(payload)
    await fake.wait_calls("views.publish", 3)
    assert (await harness.bot.assistant.state.user_settings("U0ALEX0001")).digest_time == "07:30"
    assert "userdigest:U0ALEX0001" in dict(harness.bot.assistant.scheduler.jobs())
