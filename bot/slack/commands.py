"""The `/amia` slash command: ack in milliseconds, then run the work and report in one thread.

The ack is an ephemeral "working on it" (or the usage help for bad input). The work posts one progress message in
the channel, edits it as stages complete, and posts the result as a reply in that message's thread.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError

from bot.dispatch import Command, Dispatcher, parse_command
from bot.errors import UsageError
from bot.replies import Context, Reply
from bot.slack import blocks
from bot.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)
QUICK = ("help", "watch", "unwatch", "status")  # answered straight away, no progress thread
UPDATE_EVERY = 1.0  # seconds between progress edits of one message


class ProgressMessage:
    """One message in the channel, edited in place as the work moves on (never a flood of new posts)."""

    def __init__(self, rt: SlackRuntime, channel: str, title: str) -> None:
        self.rt, self.channel, self.title = rt, channel, title
        self.ts: str | None = None
        self._last = 0.0

    async def start(self, requester: str) -> None:
        resp = await self.rt.queue.post(
            self.channel,
            text=f"{self.title} (asked by <@{requester}>)",
            blocks=blocks.build_progress(f"{self.title}", f"asked by <@{requester}> · starting…"),
        )
        self.ts = resp["ts"]

    async def stage(self, stage: str, *, done: bool = False, failed: bool = False) -> None:
        now = time.monotonic()
        if self.ts is None or (not done and not failed and now - self._last < UPDATE_EVERY):
            return
        self._last = now
        try:
            await self.rt.queue.update(
                self.channel,
                self.ts,
                text=f"{self.title}: {stage}",
                blocks=blocks.build_progress(self.title, stage, done=done, failed=failed),
            )
        except SlackApiError as exc:
            log.warning("progress update failed: %s", exc.response.get("error"))


async def deliver(rt: SlackRuntime, reply: Reply, channel: str, thread_ts: str | None) -> str | None:
    """Post a reply (and its files) in a thread; returns the reply's ts."""
    resp = await rt.queue.post(channel, text=blocks.clip(reply.text, 3000), blocks=reply.blocks, thread_ts=thread_ts)
    for name, content in reply.files:
        await rt.queue.upload(channel, thread_ts=thread_ts or resp["ts"], content=content, filename=name, title=name)
    return str(resp["ts"])


async def run_command(
    rt: SlackRuntime, dispatcher: Dispatcher, cmd: Command, command: dict[str, Any], respond: Any
) -> None:
    channel, user = command["channel_id"], command["user_id"]
    ctx = Context(user=user, channel=channel, surface="slack")
    if cmd.name in QUICK:
        reply = await dispatcher.run(cmd, ctx, _ignore)
        await respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        return
    title = f"{cmd.name} {' '.join(a for a in cmd.args if a)}".strip()
    progress = ProgressMessage(rt, channel, title.strip())
    try:
        await progress.start(user)
    except SlackApiError as exc:  # not in the channel, or a DM the bot can't post to: answer through response_url
        log.info("can't post in %s (%s); answering via response_url", channel, exc.response.get("error"))
        reply = await dispatcher.run(cmd, ctx, _ignore)
        await respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        return
    ctx.thread = progress.ts
    reply = await dispatcher.run(cmd, ctx, progress.stage)
    failed = reply.text.startswith(("I can't", "Something went wrong"))
    ts = await deliver(rt, reply, channel, progress.ts)
    if reply.approval_id and ts:
        await dispatcher.state.set_message(reply.approval_id, channel, ts)
    await progress.stage(
        "failed — see the thread" if failed else "done — see the thread", done=not failed, failed=failed
    )


async def _ignore(stage: str) -> None:
    return None


def register(app: AsyncApp, rt: SlackRuntime, dispatcher: Dispatcher) -> None:
    async def handle_amia(ack: AsyncAck, command: dict[str, Any], respond: Any) -> None:
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
        await ack(response_type="ephemeral", text=f"Working on it: `{cmd.name} {' '.join(a for a in cmd.args if a)}`…")
        rt.spawn(run_command(rt, dispatcher, cmd, command, respond), f"command {cmd.name}", heavy=True)

    app.command(rt.settings.slack.command)(handle_amia)
