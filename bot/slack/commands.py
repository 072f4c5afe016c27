"""The `/amia` slash command: ack in milliseconds, then run the work and report in one thread.

The ack is an ephemeral "working on it" (or the usage help for bad input), sent only after the command is persisted
in the durable queue (bot/slack/queue.py). The work posts one progress message in the channel, edits it as stages
complete, and posts the result as a reply in that message's thread; after a restart it resumes in that thread.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.dispatch import Dispatcher, parse_command
from bot.errors import UsageError, new_error_id
from bot.replies import Context, Reply
from bot.slack import approval_card, blocks
from bot.slack.lookup import find_marked
from bot.slack.queue import CommandQueue, QueuedCommand, resumed_text
from bot.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)
QUICK = ("help", "watch", "unwatch", "status")  # answered straight away, no progress thread
UPDATE_EVERY = 1.0  # seconds between progress edits of one message
Respond = Callable[..., Awaitable[None]]
NOT_ACCEPTED = "I couldn't accept that command: the bot's state file is not writable"


class ProgressMessage:
    """One message in the channel, edited in place as the work moves on (never a flood of new posts)."""

    def __init__(
        self, rt: SlackRuntime, channel: str, title: str, *, ts: str | None = None, marker: str | None = None
    ) -> None:
        self.rt, self.channel, self.title, self.marker = rt, channel, title, marker
        self.ts: str | None = ts  # set when resuming: edit the message already posted, never post a second one
        self._last = 0.0

    async def start(self, requester: str, *, resumed: bool = False) -> None:
        note = " · resumed after a restart" if resumed else ""
        resp = await self.rt.queue.post(
            self.channel,
            text=f"{self.title} (asked by <@{requester}>)",
            blocks=blocks.build_progress(
                f"{self.title}", f"asked by <@{requester}>{note} · starting…", marker=self.marker
            ),
        )
        self.ts = resp["ts"]

    async def stage(self, stage: str, *, done: bool = False, failed: bool = False, force: bool = False) -> None:
        now = time.monotonic()
        if self.ts is None or (not (done or failed or force) and now - self._last < UPDATE_EVERY):
            return
        self._last = now
        try:
            await self.rt.queue.update(
                self.channel,
                self.ts,
                text=f"{self.title}: {stage}",
                blocks=blocks.build_progress(self.title, stage, done=done, failed=failed, marker=self.marker),
            )
        except SlackApiError as exc:
            log.warning("progress update failed: %s", exc.response.get("error"))


async def deliver(
    rt: SlackRuntime,
    reply: Reply,
    channel: str,
    thread_ts: str | None,
    posted: Callable[[str], Awaitable[None]] | None = None,
) -> str | None:
    """Post a reply (and its files) in a thread; returns the reply's ts. ``posted`` hears the ts before the
    uploads start, so a restart during an upload does not post the reply again."""
    resp = await rt.queue.post(channel, text=blocks.clip(reply.text, 3000), blocks=reply.blocks, thread_ts=thread_ts)
    if posted is not None:
        await posted(str(resp["ts"]))
    for name, content in reply.files:
        await rt.queue.upload(channel, thread_ts=thread_ts or resp["ts"], content=content, filename=name, title=name)
    return str(resp["ts"])


def responder(response_url: str | None) -> Respond:
    """Answer through the command's response_url (valid 30 minutes, 5 uses), also after a restart."""

    async def respond(**kwargs: Any) -> None:
        if not response_url:
            log.info("no response_url to answer through")
            return
        resp = await AsyncWebhookClient(response_url).send(**kwargs)
        if resp.status_code != 200:
            log.warning("response_url refused the answer (HTTP %s)", resp.status_code)

    return respond


async def run_command(
    rt: SlackRuntime, dispatcher: Dispatcher, queue: CommandQueue, job: QueuedCommand, *, resumed: bool = False
) -> None:
    """Run one persisted command to its end; a resumed one edits the progress message it already posted."""
    attempt = await queue.start(job.id)
    if attempt is None:  # finished, or another runner claimed it
        return
    cmd = parse_command(job.text)
    respond = responder(job.response_url)
    ctx = Context(user=job.user, channel=job.channel, surface="slack", command_id=job.id)
    prefix = "(resumed after a restart) " if resumed else ""
    if cmd.name in QUICK:
        reply = await dispatcher.run(cmd, ctx, _ignore)
        await respond(text=prefix + reply.text, blocks=reply.blocks, response_type="ephemeral")
        await queue.finish(job.id, "done")
        return
    title = f"{cmd.name} {' '.join(a for a in cmd.args if a)}".strip()
    marker = blocks.progress_block_id(job.id)
    progress = ProgressMessage(rt, job.channel, title, ts=job.progress_ts, marker=marker)
    if progress.ts is None and attempt > 1:  # the last run may have died before hearing its message's ts
        progress.ts = await find_marked(rt, job.channel, marker, since=job.received - 1)
        if progress.ts is not None:
            log.info("command %s: its progress message was already posted; editing it", job.id)
            await queue.set_progress(job.id, progress.ts)
    if job.result_ts:  # the result was posted before the restart; only the last edit is missing
        await progress.stage("done — see the thread", done=True)
        await queue.finish(job.id, "done")
        return
    try:
        if progress.ts is None:
            await progress.start(job.user, resumed=resumed)
            assert progress.ts is not None
            await queue.set_progress(job.id, progress.ts)
        else:
            await progress.stage("resumed after a restart — working…", force=True)
    except SlackApiError as exc:  # not in the channel, or a DM the bot can't post to: answer through response_url
        log.info("can't post in %s (%s); answering via response_url", job.channel, exc.response.get("error"))
        reply = await dispatcher.run(cmd, ctx, _ignore)
        await respond(text=prefix + reply.text, blocks=reply.blocks, response_type="ephemeral")
        await queue.finish(job.id, "done")
        return
    if resumed:
        await rt.queue.post(job.channel, text=resumed_text(attempt), thread_ts=progress.ts)
    ctx.thread = progress.ts
    reply = await dispatcher.run(cmd, ctx, progress.stage)
    failed = reply.text.startswith(("I can't", "Something went wrong"))
    if reply.approval_id:  # once per approval, also when this is a re-run after the card went out
        card_ts = await approval_card.post_card(rt, dispatcher.state, reply, job.channel, progress.ts)
        await queue.delivered(job.id, card_ts)
    else:
        await deliver(rt, reply, job.channel, progress.ts, lambda posted: queue.delivered(job.id, posted))
    await progress.stage(
        "failed — see the thread" if failed else "done — see the thread", done=not failed, failed=failed
    )
    await queue.finish(job.id, "failed" if failed else "done")


async def _ignore(stage: str) -> None:
    return None


def register(app: AsyncApp, rt: SlackRuntime, dispatcher: Dispatcher, queue: CommandQueue) -> None:
    async def handle_amia(ack: AsyncAck, command: dict[str, Any]) -> None:
        try:
            cmd = parse_command(command.get("text", ""))
        except UsageError as exc:
            await ack(response_type="ephemeral", text=str(exc))
            dispatcher.count_malformed(command.get("text", ""))
            return
        if cmd.name == "help":
            reply = await dispatcher.run(cmd, Context(user=command["user_id"]), _ignore)
            await ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
            return
        job = QueuedCommand(
            id=command.get("trigger_id") or "cmd_" + uuid.uuid4().hex,
            surface="slash",
            user=command["user_id"],
            channel=command["channel_id"],
            thread=None,
            response_url=command.get("response_url"),
            text=command.get("text", ""),
            received=time.time(),
            state="queued",
        )
        shown = "`" + f"{cmd.name} {' '.join(a for a in cmd.args if a)}".strip() + "`"
        try:
            new = await queue.accept(job)  # persisted before the ack; a known id is Slack delivering it again
        except sqlite3.Error:
            error_id = new_error_id()
            log.exception("could not persist a command (%s)", error_id)
            await ack(response_type="ephemeral", text=f"{NOT_ACCEPTED} (error id {error_id}). Please try again.")
            return
        if not new:
            await ack(response_type="ephemeral", text=f"Already working on {shown}: the answer comes in its thread.")
            return
        await ack(response_type="ephemeral", text=f"Working on it: {shown}…")
        rt.spawn(run_command(rt, dispatcher, queue, job), f"command {cmd.name}", heavy=True)

    app.command(rt.settings.slack.command)(handle_amia)
