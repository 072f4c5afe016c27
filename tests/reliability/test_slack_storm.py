"""Slack answers 429 to everything for a while (a rate-limit storm): a burst of progress and result posts to several
channels, sent the way the bot sends them (the retrying Web API client and the per-channel send queue), all arrive
exactly once, in order per channel, and no retry comes sooner than Slack's Retry-After allowed."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from pathlib import Path

import pytest

from bot.settings import Secrets, Settings, StorageConfig
from bot.slack.config import SlackConfig
from bot.slack.runtime import build_client
from bot.slack.sender import SendQueue
from tests.fakes.fake_slack import FakeSlack

CHANNELS = ("C0RESULTS1", "C0RESULTS2", "D0USERDM01")
PER_CHANNEL = 6
INTERVAL = 0.2


def settings(tmp_path: Path, fake: FakeSlack, retries: int) -> Settings:
    return Settings(
        storage=StorageConfig(data_dir=str(tmp_path)),
        slack=SlackConfig(
            api_base_url=fake.api_base, channel_send_interval_seconds=INTERVAL, rate_limit_retries=retries
        ),
        secrets=Secrets(),
    )


async def burst(queue: SendQueue) -> None:
    """Every channel gets its posts queued at once, interleaved across channels, like concurrent runs report."""
    posts = [
        queue.post(ch, text=f"{ch} progress {i}", thread_ts=None if i == 0 else "1.000001")
        for i in range(PER_CHANNEL)
        for ch in CHANNELS
    ]
    await asyncio.gather(*posts)


@pytest.mark.parametrize(
    ("storm", "retries"),
    [(2.5, 3), (6.0, 1)],
    ids=["storm-within-client-retries", "storm-outlasting-client-retries"],
)
async def test_burst_through_a_429_storm_arrives_once_in_order(tmp_path: Path, storm: float, retries: int) -> None:
    fake = await FakeSlack(post_interval=INTERVAL).start()
    try:
        client = build_client(settings(tmp_path, fake, retries=retries), "xoxb-test-token")
        queue = SendQueue(client, INTERVAL)
        fake.storm(storm, retry_after=1)
        t0 = time.monotonic()
        await asyncio.wait_for(burst(queue), timeout=60)
        elapsed = time.monotonic() - t0
    finally:
        await fake.stop()

    posts = [c for c in fake.calls if c.method == "chat.postMessage"]
    limited = [c for c in posts if c.status == 429]
    delivered: dict[str, list[str]] = defaultdict(list)
    for c in fake.ok_calls("chat.postMessage"):
        delivered[c.args["channel"]].append(c.args["text"])

    assert limited, "the storm must have refused posts"
    for ch in CHANNELS:  # exactly once, in the order they were queued
        assert delivered[ch] == [f"{ch} progress {i}" for i in range(PER_CHANNEL)], delivered[ch]
    # Retry-After honoured: after a 429 on a channel, that channel's next request waited at least Retry-After.
    by_channel: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for c in posts:
        by_channel[c.args["channel"]].append((c.at, c.status))
    for ch, seq in by_channel.items():
        for (t, status), (t_next, _) in itertools.pairwise(seq):
            if status == 429:
                assert t_next - t >= 0.95, f"{ch}: retried {t_next - t:.2f}s after a 429 asking for 1 s"
    print(
        f"\nSlack storm {storm:g}s, client retries {retries}: {len(CHANNELS) * PER_CHANNEL} posts, "
        f"{len(limited)} answered 429, all delivered once in order in {elapsed:.1f}s"
    )
