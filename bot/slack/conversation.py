"""@amia mentions and direct messages: answered in the thread, with what was said earlier in that thread."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.dispatch import Dispatcher
from bot.replies import Context
from bot.slack import blocks
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
    rt: SlackRuntime, dispatcher: Dispatcher, memory: ThreadMemory, event: dict[str, Any], *, in_thread: bool
) -> None:
    channel, user, text = event["channel"], event.get("user", ""), event.get("text", "")
    thread = event.get("thread_ts") or (event["ts"] if in_thread else None)
    key = thread or channel
    ctx = Context(user=user, channel=channel, thread=thread, history=memory.history(channel, key))
    working = await rt.queue.post(
        channel, text="Looking into it…", blocks=blocks.build_progress("Looking into it…", "working"), thread_ts=thread
    )
    ts = working["ts"]

    async def progress(stage: str) -> None:
        await rt.queue.update(channel, ts, text=stage, blocks=blocks.build_progress("Looking into it…", stage))

    reply = await dispatcher.converse(text, ctx, progress)
    await rt.queue.update(channel, ts, text=blocks.clip(reply.text, 3000), blocks=reply.blocks)
    if reply.approval_id:
        await dispatcher.state.set_message(reply.approval_id, channel, ts)
    for name, content in reply.files:
        await rt.queue.upload(channel, thread_ts=thread or ts, content=content, filename=name, title=name)
    memory.add(channel, key, f"user: {text}", f"amia: {reply.text[:500]}")


def register(app: AsyncApp, rt: SlackRuntime, dispatcher: Dispatcher) -> ThreadMemory:
    memory = ThreadMemory()

    async def handle_app_mention(event: dict[str, Any]) -> None:
        rt.spawn(answer(rt, dispatcher, memory, event, in_thread=True), "mention", heavy=True)

    async def handle_direct_message(event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        rt.spawn(
            answer(rt, dispatcher, memory, event, in_thread=bool(event.get("thread_ts"))), "direct message", heavy=True
        )

    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_direct_message)
    return memory
