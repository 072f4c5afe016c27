"""Every acknowledged Slack request is timed in /metrics; refused ones (forged signatures) are not acks."""

from __future__ import annotations

from bot.metrics import Metrics
from tests.bot.slack.conftest import SECRET, Harness
from tests.fakes.fake_slack import slash_command


def acks(metrics: Metrics) -> tuple[float, float, float]:
    """(acks in time, ack histogram count, ack histogram sum) from the rendered exposition."""
    from prometheus_client.parser import text_string_to_metric_families

    got: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for s in family.samples:
            if s.name == "amia_slack_acks_total" and s.labels.get("outcome") == "in_time":
                got["in_time"] = s.value
            elif s.name in ("amia_slack_ack_seconds_count", "amia_slack_ack_seconds_sum"):
                got[s.name] = s.value
    return got.get("in_time", 0.0), got["amia_slack_ack_seconds_count"], got["amia_slack_ack_seconds_sum"]


async def test_slash_command_ack_is_timed_and_forged_requests_are_not_counted(harness: Harness) -> None:
    metrics = harness.bot.assistant.services.metrics
    assert acks(metrics) == (0.0, 0.0, 0.0)

    status, body, elapsed = await harness.command(slash_command("leads hot", response_url=harness.fake.response_url()))
    assert status == 200 and "Working on it" in body
    in_time, count, seconds = acks(metrics)
    assert (in_time, count) == (1.0, 1.0)
    assert 0 < seconds <= elapsed  # measured inside the process: never more than the round trip the client saw

    forged, _, _ = await harness.command(
        slash_command("leads hot", response_url=harness.fake.response_url()), secret=SECRET[::-1]
    )
    assert forged == 401
    assert acks(metrics)[:2] == (1.0, 1.0)
