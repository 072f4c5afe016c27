"""@amia mentions and direct messages: persisted in the durable command queue, then answered in the thread with
what was said earlier in that thread (resumed in the same message after a restart)."""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.dispatch import Dispatcher
from bot.replies import Context
from bot.slack import blocks
from bot.slack.queue import CommandQueue, QueuedCommand, resumed_text
from bot.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)
MAX_THREADS, MAX_TURNS = 2000, 20


class ThreadMemory:
    """The last turns of recent threads (bounded); long-term memory lives in knowledge/memory."""

    def __init__(self) -> None:
        self._threads: OrderedDict[tuple[str, str], list[str]] = OrderedDict()

    def history(self, channel: str, thread: str) -> list[str]:
        return list(self._threads.get((channel, thread), []))

    def add(self, channel: str, thread: str, *lines: str) -> None:
        turns = self._threads.setdefault((channel, thread), [])
        turns.extend(lines)
        del turns[:-MAX_TURNS]
        self._threads.move_to_end((channel, thread))
        while len(self._threads) > MAX_THREADS:
            self._threads.popitem(last=False)


async def answer(
    rt: SlackRuntime,
    dispatcher: Dispatcher,
    memory: ThreadMemory,
    queue: CommandQueue,
    job: QueuedCommand,
    *,
    resumed: bool = False,
) -> None:
    """Answer one persisted mention or DM; a resumed one edits its "Looking into it…" message in place."""
    attempt = await queue.start(job.id)
    if attempt is None:  # finished, or another runner claimed it
        return
    channel, user, text, thread = job.channel, job.user, job.text, job.thread
    key = thread or channel
    ctx = Context(user=user, channel=channel, thread=thread, history=memory.history(channel, key))
    if job.result_ts:  # the answer replaced the working message before the restart
        await queue.finish(job.id, "done")
        return
    title = "Looking into it…"
    if job.progress_ts is None:
        working = await rt.queue.post(
            channel, text=title, blocks=blocks.build_progress(title, "working"), thread_ts=thread
        )
        ts = str(working["ts"])
        await queue.set_progress(job.id, ts)
    else:
        ts = job.progress_ts
        await rt.queue.update(
            channel, ts, text=title, blocks=blocks.build_progress(title, "resumed after a restart — working")
        )
    if resumed:
        await rt.queue.post(channel, text=resumed_text(attempt), thread_ts=thread or ts)

    async def progress(stage: str) -> None:
        await rt.queue.update(channel, ts, text=stage, blocks=blocks.build_progress(title, stage))

    reply = await dispatcher.converse(text, ctx, progress)
    await rt.queue.update(channel, ts, text=blocks.clip(reply.text, 3000), blocks=reply.blocks)
    await queue.delivered(job.id, ts)
    if reply.approval_id:
        await dispatcher.state.set_message(reply.approval_id, channel, ts)
    for name, content in reply.files:
        await rt.queue.upload(channel, thread_ts=thread or ts, content=content, filename=name, title=name)
    memory.add(channel, key, f"user: {text}", f"amia: {reply.text[:500]}")
    await queue.finish(job.id, "done")


def turn(body: dict[str, Any], event: dict[str, Any], *, surface: str, in_thread: bool) -> QueuedCommand:
    """The queue row for a mention or DM, keyed by the Events API event_id (redeliveries share it)."""
    event_id = body.get("event_id") or "ev_" + uuid.uuid4().hex
    return QueuedCommand(
        id=f"{body.get('team_id', '')}:{event_id}",
        surface=surface,
        user=event.get("user", ""),
        channel=event["channel"],
        thread=event.get("thread_ts") or (event["ts"] if in_thread else None),
        response_url=None,
        text=event.get("text", ""),
        received=time.time(),
        state="queued",
    )


def register(app: AsyncApp, rt: SlackRuntime, dispatcher: Dispatcher, queue: CommandQueue) -> ThreadMemory:
    memory = ThreadMemory()

    async def accept_and_run(job: QueuedCommand, what: str) -> None:
        if await queue.accept(job):  # persisted before the listener returns (and Slack gets its 200)
            rt.spawn(answer(rt, dispatcher, memory, queue, job), what, heavy=True)

    async def handle_app_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        await accept_and_run(turn(body, event, surface="mention", in_thread=True), "mention")

    async def handle_direct_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await accept_and_run(turn(body, event, surface="dm", in_thread=bool(event.get("thread_ts"))), "direct message")

    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_direct_message)
    return memory
