"""The Slack test harness (a bot with a paused scheduler behind FakeSlack) for the in-process digest checks."""

from tests.bot.slack.conftest import fake, harness  # noqa: F401 (fixtures)
