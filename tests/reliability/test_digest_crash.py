"""`amia run` (Slack mode, a real process) killed -9 while posting a scheduled digest, then restarted: the digest
is posted exactly once, whether Slack never got the post or got it and the bot never heard back. The digest was
due while the bot was down, so this also checks that a missed digest is caught up on start. And, in process, the
same digest run fired twice posts once. Killed between the digest and its chart, the restart puts the chart in the
digest's thread once (or finds Slack already shared it)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.scheduler import Scheduler
from bot.settings import load_settings
from bot.slack.digest import CHART_NAME
from tests.bot.slack.conftest import BOT_TOKEN, SECRET, Harness
from tests.fakes.fake_slack import Call, FakeSlack
from tests.neo4j_server import TestNeo4j as Neo4jHandle
from tests.reliability.bot_process import BotProcess, write_config
from tests.reliability.crash_slack import CrashSlack

CHANNEL = "C0DIGEST01"
TITLE = "AMIA daily digest"
READY = r"HTTP on 127\.0\.0\.1:\d+"


def digest_calls(fake: FakeSlack) -> list[Call]:
    return [
        c for c in fake.ok_calls("chat.postMessage") if c.args.get("channel") == CHANNEL and c.args.get("text") == TITLE
    ]


async def make_due(config: Path) -> None:
    """The daily digest was due a minute ago, while the bot was down."""
    sched = Scheduler(load_settings(config, environ={}))
    sched.start(paused=True)
    try:
        sched.sync_config()
        sched._sched.modify_job(f"digest:{CHANNEL}:daily", next_run_time=datetime.now(UTC) - timedelta(minutes=1))
    finally:
        sched.shutdown()


async def digest_due_bot(tmp_path: Path, fake: FakeSlack, neo4j_uri: str) -> BotProcess:
    """An `amia run` (not started yet) whose daily digest to CHANNEL is due the moment it starts."""
    config = write_config(
        tmp_path,
        {
            "slack": {"api_base_url": fake.api_base, "digest_channel": CHANNEL, "channel_send_interval_seconds": 0.2},
            "schedules": {"timezone": "UTC", "daily_digest": "08:30", "weekly_digest": None},
        },
    )
    await make_due(config)
    return BotProcess(config, neo4j_uri, tmp_path / "bot.log", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET)


@pytest.mark.slow
@pytest.mark.parametrize("slack_got_it", [False, True], ids=["killed-before-slack-stored", "killed-after"])
async def test_kill_9_mid_digest_posts_it_exactly_once(
    neo4j_server_handle: Neo4jHandle, tmp_path: Path, slack_got_it: bool
) -> None:
    fake = await FakeSlack(post_interval=0.2).start()
    bot = await digest_due_bot(tmp_path, fake, neo4j_server_handle.uri)
    try:
        fake.stall(TITLE, after_store=slack_got_it)
        await asyncio.to_thread(bot.start, READY)
        await asyncio.wait_for(fake.stalled.wait(), 60)  # the digest post is in flight
        await asyncio.to_thread(bot.kill9)
        assert len(digest_calls(fake)) == (1 if slack_got_it else 0)

        await asyncio.to_thread(bot.start, READY)
        await fake.wait_for(lambda: len(digest_calls(fake)) >= 1, timeout=60)
        if not slack_got_it:  # re-posted after the restart: its chart follows in the thread
            await fake.wait_calls("files.completeUploadExternal", 1, timeout=30)
        else:  # the restart looked in the channel, found it, and added its chart to its thread
            await fake.wait_for(lambda: fake.ok_calls("conversations.history"), timeout=30)
            await fake.wait_calls("files.completeUploadExternal", 1, timeout=30)
        await asyncio.sleep(1.5)  # a later duplicate would show up here
        assert len(digest_calls(fake)) == 1, [c.args.get("text") for c in fake.ok_calls("chat.postMessage")]
        charts = fake.ok_calls("files.completeUploadExternal")
        assert len(charts) == 1 and charts[0].args["thread_ts"] == digest_calls(fake)[0].response["ts"]
        assert "Traceback" not in bot.text()
    finally:
        await asyncio.to_thread(bot.stop)
        await fake.stop()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stalled", "slack_got_it"),
    [("files.getUploadURLExternal", False), ("files.completeUploadExternal", True)],
    ids=["killed-before-the-upload", "killed-after-slack-shared-it"],
)
async def test_kill_9_between_digest_and_chart_puts_the_chart_in_its_thread_once(
    neo4j_server_handle: Neo4jHandle, tmp_path: Path, stalled: str, slack_got_it: bool
) -> None:
    fake = await CrashSlack(post_interval=0.2).start()
    bot = await digest_due_bot(tmp_path, fake, neo4j_server_handle.uri)

    def charts() -> list[Call]:
        return [c for c in fake.ok_calls("files.completeUploadExternal") if c.args.get("channel_id") == CHANNEL]

    try:
        fake.stall_call(stalled, after_store=slack_got_it)
        await asyncio.to_thread(bot.start, READY)
        await asyncio.wait_for(fake.stalled.wait(), 60)  # the digest is posted; its chart upload is in flight
        await asyncio.to_thread(bot.kill9)
        (digest,) = digest_calls(fake)
        assert len(charts()) == (1 if slack_got_it else 0)

        restarted = time.perf_counter()
        await asyncio.to_thread(bot.start, READY)
        if not slack_got_it:  # the chart follows into the digest's thread
            await fake.wait_for(charts, timeout=60)
        else:  # the restart looked in the thread and found it
            await fake.wait_for(lambda: fake.ok_calls("conversations.replies"), timeout=60)
        settled = time.perf_counter() - restarted
        await asyncio.sleep(1.5)  # a later duplicate would show up here
        assert "Traceback" not in bot.text()
    finally:
        await asyncio.to_thread(bot.stop)
        await fake.stop()

    assert len(digest_calls(fake)) == 1, [c.args.get("text") for c in fake.ok_calls("chat.postMessage")]
    (chart,) = charts()
    assert chart.args.get("thread_ts") == digest.response["ts"]
    in_thread = [
        m for (ch, _), m in fake.messages.items() if ch == CHANNEL and m.get("thread_ts") == digest.response["ts"]
    ]
    assert [f["name"] for m in in_thread for f in m.get("files", [])] == [CHART_NAME]
    print(f"\nkill -9 with {stalled} in flight → restart: chart settled after {settled:.2f}s")


async def test_a_digest_run_twice_or_late_posts_once_per_period(harness: Harness) -> None:
    """The ledger keys a digest by the run it serves: the same run fired twice posts once, and a run that starts
    after midnight still belongs to its own day, so the next day's digest is not taken for a duplicate."""
    fake, sched = harness.fake, harness.bot.assistant.scheduler
    assert sched is not None
    sched.add_daily("digest:C0LATE0001:daily", "digest", "C0LATE0001:daily", "23:50")
    first = dict(sched.jobs())["digest:C0LATE0001:daily"]

    def posts() -> int:
        return sum(1 for c in fake.ok_calls("chat.postMessage") if c.args.get("channel") == "C0LATE0001")

    assert "digest:C0LATE0001:daily" in await sched.run_due(first + timedelta(minutes=20))  # ran at 00:10
    await fake.wait_for(lambda: posts() == 1)
    sched.planned["digest:C0LATE0001:daily"] = first  # the same run fired again (e.g. a second scheduler)
    await sched.execute("digest", "C0LATE0001:daily")
    second = first + timedelta(days=1)
    assert "digest:C0LATE0001:daily" in await sched.run_due(second + timedelta(seconds=5))
    await fake.wait_for(lambda: posts() == 2)
    await asyncio.sleep(0.5)
    assert posts() == 2
