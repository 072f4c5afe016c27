"""@amia mentions and direct messages: persisted in the durable command queue, then answered in the thread with
what was said earlier in that thread (resumed in the same message after a restart)."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.dispatch import Dispatcher
from bot.replies import Context
from bot.slack import blocks
from bot.slack.lookup import find_marked
from bot.slack.queue import CommandQueue, QueuedCommand, resumed_text
from bot.slack.runtime import SlackRuntime

log = logging.getLogger(__name__)
MAX_THREADS, MAX_TURNS, TTL_DAYS = 2000, 20, 7


class ThreadMemory:
    """The last turns of recent threads, kept in the bot's SQLite state file so a restart keeps the context
    ("why is it hot?" still means acme.com). Bounded: MAX_TURNS per thread, MAX_THREADS threads, TTL_DAYS old.
    Long-term memory lives in knowledge/memory; `forget` erases matching turns here too (:meth:`erase`)."""

    def __init__(self, path: Path | None = None) -> None:
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS thread_turns (channel TEXT NOT NULL, thread TEXT NOT NULL, "
            "seq INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL, at REAL NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS thread_turns_key ON thread_turns (channel, thread, seq)")
        self._db.commit()
        self._lock = threading.Lock()

    def history(self, channel: str, thread: str) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT line FROM thread_turns WHERE channel=? AND thread=? AND at > ? ORDER BY seq DESC LIMIT ?",
                (channel, thread, time.time() - TTL_DAYS * 86400, MAX_TURNS),
            ).fetchall()
        return [r[0] for r in reversed(rows)]

    def add(self, channel: str, thread: str, *lines: str) -> None:
        now = time.time()
        with self._lock, self._db:
            self._db.executemany(
                "INSERT INTO thread_turns (channel, thread, line, at) VALUES (?,?,?,?)",
                [(channel, thread, line, now) for line in lines],
            )
            self._db.execute(
                "DELETE FROM thread_turns WHERE channel=? AND thread=? AND seq NOT IN (SELECT seq FROM thread_turns "
                "WHERE channel=? AND thread=? ORDER BY seq DESC LIMIT ?)",
                (channel, thread, channel, thread, MAX_TURNS),
            )
            self._db.execute("DELETE FROM thread_turns WHERE at < ?", (now - TTL_DAYS * 86400,))
            self._db.execute(
                "DELETE FROM thread_turns WHERE (channel, thread) NOT IN (SELECT channel, thread FROM thread_turns "
                "GROUP BY channel, thread ORDER BY MAX(seq) DESC LIMIT ?)",
                (MAX_THREADS,),
            )

    def erase(self, needle: str) -> int:
        """Delete every turn that mentions ``needle`` (an email address or a domain), case-insensitively."""
        with self._lock, self._db:
            return self._db.execute(
                "DELETE FROM thread_turns WHERE instr(lower(line), ?) > 0", (needle.lower(),)
            ).rowcount

    def close(self) -> None:
        self._db.close()


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
    ctx = Context(user=user, channel=channel, thread=thread, history=memory.history(channel, key), command_id=job.id)
    if job.result_ts:  # the answer replaced the working message before the restart
        await queue.finish(job.id, "done")
        return
    title = "Looking into it…"
    marker = blocks.progress_block_id(job.id)
    found = None
    if job.progress_ts is None and attempt > 1:  # the last run may have died before hearing the ts
        found = await find_marked(rt, channel, marker, thread=thread, since=job.received - 1)
        if found is not None:
            await queue.set_progress(job.id, found)
    if job.progress_ts is None and found is None:
        working = await rt.queue.post(
            channel, text=title, blocks=blocks.build_progress(title, "working", marker=marker), thread_ts=thread
        )
        ts = str(working["ts"])
        await queue.set_progress(job.id, ts)
    else:
        ts = job.progress_ts or found or ""
        await rt.queue.update(
            channel,
            ts,
            text=title,
            blocks=blocks.build_progress(title, "resumed after a restart — working", marker=marker),
        )
    if resumed:
        await rt.queue.post(channel, text=resumed_text(attempt), thread_ts=thread or ts)

    async def progress(stage: str) -> None:
        await rt.queue.update(channel, ts, text=stage, blocks=blocks.build_progress(title, stage))

    reply = await dispatcher.converse(text, ctx, progress)
    await rt.queue.update(channel, ts, text=blocks.clip(reply.text, 3000), blocks=reply.blocks)
    if reply.approval_id:  # before `delivered`: a restart in between finds the card where Approve will edit it
        await dispatcher.state.set_message(reply.approval_id, channel, ts)
    await queue.delivered(job.id, ts)
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


def register(
    app: AsyncApp, rt: SlackRuntime, dispatcher: Dispatcher, queue: CommandQueue, memory: ThreadMemory
) -> ThreadMemory:

    async def accept_and_run(job: QueuedCommand, what: str) -> None:
        if await queue.accept(job):  # persisted before the listener returns (and Slack gets its 200)
            rt.spawn(answer(rt, dispatcher, memory, queue, job), what, heavy=True)
        else:  # the same event_id again: an Events API redelivery
            log.info("dropped redelivery of %s", job.id)

    async def handle_app_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        await accept_and_run(turn(body, event, surface="mention", in_thread=True), "mention")

    async def handle_direct_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return
        await accept_and_run(turn(body, event, surface="dm", in_thread=bool(event.get("thread_ts"))), "direct message")

    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_direct_message)
    return memory
