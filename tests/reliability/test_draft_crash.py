"""`amia run` (Slack HTTP mode, a real process) killed -9 after a `/amia draft` made its approval and while the
approval card was on its way to Slack, then restarted: the re-run ends with exactly one approval and one card,
whether Slack never got the card or got it and the bot never heard back. (A second pending approval would show on
App Home and in the digest as two drafts waiting.)"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.slack import blocks
from tests.agents.workflows.test_drafting import seed
from tests.bot.slack.conftest import BOT_TOKEN, SECRET
from tests.fakes.fake_slack import Call, form_body, sign, slash_command
from tests.neo4j_server import TestNeo4j as Neo4jHandle
from tests.reliability.bot_process import BotProcess, write_config
from tests.reliability.crash_slack import CrashSlack

CHANNEL = "C0DRAFTS01"
CARD = "Draft to "  # how an approval card's text starts (blocks.approval_text)
READY = r"HTTP on 127\.0\.0\.1:(\d+)"


def cards(fake: CrashSlack) -> list[Call]:
    posts = fake.ok_calls("chat.postMessage")
    return [c for c in posts if c.args.get("channel") == CHANNEL and str(c.args.get("text", "")).startswith(CARD)]


def approvals(data_dir: Path) -> list[tuple[str, str, str | None]]:
    """(id, state, card ts) of every approval in the bot's state file, as App Home and the digest count them."""
    with contextlib.closing(sqlite3.connect(data_dir / "bot.sqlite3")) as db:
        return db.execute("SELECT id, state, ts FROM approvals").fetchall()


async def slash(port: int, fake: CrashSlack, text: str) -> dict[str, Any]:
    body = form_body(slash_command(text, response_url=fake.response_url(), channel=CHANNEL))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers) as resp,
    ):
        assert resp.status == 200
        return json.loads(await resp.text())  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.parametrize("slack_got_it", [False, True], ids=["killed-before-slack-stored", "killed-after"])
async def test_kill_9_between_approval_and_card_leaves_one_of_each(
    graph: Any, neo4j_server_handle: Neo4jHandle, tmp_path: Path, slack_got_it: bool
) -> None:
    await seed(graph)  # acme.io with a contact, a signal and a technology: enough to draft for
    fake = await CrashSlack(post_interval=0.2).start()
    config = write_config(tmp_path, {"slack": {"api_base_url": fake.api_base, "channel_send_interval_seconds": 0.2}})
    data = tmp_path / "var"
    bot = BotProcess(
        config, neo4j_server_handle.uri, tmp_path / "bot.log", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET
    )
    try:
        await asyncio.to_thread(bot.start, READY)
        port = int(bot.wait_log(READY).group(1))
        fake.stall(CARD, after_store=slack_got_it)
        assert "Working on it" in (await slash(port, fake, "draft acme.io"))["text"]
        await asyncio.wait_for(fake.stalled.wait(), 90)  # the approval exists; its card is in flight
        await asyncio.to_thread(bot.kill9)
        assert [state for _, state, _ in approvals(data)] == ["pending"]
        assert len(cards(fake)) == (1 if slack_got_it else 0)
        progress = next(c for c in fake.ok_calls("chat.postMessage") if not c.args.get("thread_ts"))
        progress_ts = progress.response["ts"]

        mark, restarted = len(bot.text()), time.perf_counter()
        await asyncio.to_thread(bot.start, READY)
        bot.wait_log(r"resumed commands after a restart: 1 re-run", 30, after=mark)
        await fake.wait_for(lambda: "done" in fake.messages[(CHANNEL, progress_ts)]["text"], timeout=90)
        settled = time.perf_counter() - restarted
        await asyncio.sleep(1.5)  # a late second card would show up here
    finally:
        await asyncio.to_thread(bot.stop)
        await fake.stop()

    posted = cards(fake)
    assert len(posted) == 1, [c.args.get("text", "")[:60] for c in fake.ok_calls("chat.postMessage")]
    thread = [c for c in fake.ok_calls("chat.postMessage") if c.args.get("thread_ts") == progress_ts]
    assert any("Resumed after a restart" in c.args["text"] for c in thread)  # the command really ran again
    assert posted[0].args["thread_ts"] == progress_ts
    rows = approvals(data)
    assert len(rows) == 1, rows  # App Home and the digest show one draft waiting, not two
    ((approval_id, state, card_ts),) = rows
    assert state == "pending"
    assert blocks.card_block_id(approval_id) in [b.get("block_id") for b in posted[0].args["blocks"]]
    assert card_ts == posted[0].response["ts"]  # Approve / Reject edit this card
    if slack_got_it:
        assert fake.ok_calls("conversations.replies")  # the in-flight card was looked for, and found
    assert "Traceback" not in bot.text()
    print(f"\nkill -9 with the card in flight → restart: draft done, one card, after {settled:.2f}s")
