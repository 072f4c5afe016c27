"""The durable command queue: every accepted `/amia` command, mention and DM is written to the bot's SQLite file
before Slack gets its ack, marked running / done / failed as it moves, and found again after a restart.

A row is keyed by a stable id (the slash command's trigger_id, the event's event_id), so a redelivered request
is recognised and run once. The progress and result message timestamps are stored as soon as Slack returns them,
so a resumed command edits the message it already posted instead of posting another one.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
  id TEXT PRIMARY KEY, surface TEXT NOT NULL, user TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT,
  response_url TEXT, text TEXT NOT NULL, received REAL NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, progress_ts TEXT, result_ts TEXT, note TEXT, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS commands_state ON commands (state);
"""
UNFINISHED = ("queued", "running")  # what a restart picks up again
KEEP_FINISHED_DAYS = 7.0  # finished rows are pruned after this long (they only serve dedupe and debugging)
MAX_ATTEMPTS = 3  # runs a restart may start; a command that keeps dying with the bot is given up, not looped
EXPIRE_AFTER_HOURS = 24.0  # an interrupted command older than this is dropped with a message instead of re-run
_COLUMNS = (
    "id, surface, user, channel, thread, response_url, text, received, state, attempts, progress_ts, result_ts, note"
)


@dataclass
class QueuedCommand:
    id: str
    surface: str  # slash | mention | dm
    user: str
    channel: str
    thread: str | None  # the thread a mention/DM answers in; slash commands start their own
    response_url: str | None
    text: str
    received: float
    state: str  # queued | running | done | failed | asked | expired | dropped
    attempts: int = 0
    progress_ts: str | None = None
    result_ts: str | None = None
    note: str | None = None


def resumed_text(attempt: int) -> str:
    """What the user reads in the thread when a restart picked their command up again."""
    return (
        f":arrows_counterclockwise: Resumed after a restart: I was interrupted while working on this and picked it "
        f"up again (attempt {attempt} of {MAX_ATTEMPTS})."
    )


class CommandQueue:
    """Commands persisted in the bot's SQLite file (its own connection; WAL lets it share the file).

    ``synchronous=NORMAL`` makes a commit one write to the WAL without fsync: it survives the process being
    killed (the OS has the page), which is the failure this queue is for, and keeps the ack path fast.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    async def _q(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await asyncio.to_thread(lambda: self._run(sql, params).fetchall())

    async def _x(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await asyncio.to_thread(lambda: self._run(sql, params).rowcount)

    async def accept(self, job: QueuedCommand) -> bool:
        """Persist a new command; False when its id is already known (a Slack retry or redelivery)."""
        now = time.time()
        added = await self._x(
            f"INSERT OR IGNORE INTO commands ({_COLUMNS}, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                job.id,
                job.surface,
                job.user,
                job.channel,
                job.thread,
                job.response_url,
                job.text,
                job.received,
                "queued",
                0,
                None,
                None,
                None,
                now,
            ),
        )
        return added == 1

    async def get(self, command_id: str) -> QueuedCommand | None:
        rows = await self._q(f"SELECT {_COLUMNS} FROM commands WHERE id=?", (command_id,))
        return QueuedCommand(*rows[0]) if rows else None

    async def start(self, command_id: str) -> int | None:
        """Claim a queued or interrupted command for a run; returns the attempt number, None if it is finished."""
        placeholders = ",".join("?" for _ in UNFINISHED)
        changed = await self._x(
            f"UPDATE commands SET state='running', attempts=attempts+1, updated=? "
            f"WHERE id=? AND state IN ({placeholders})",
            (time.time(), command_id, *UNFINISHED),
        )
        if changed != 1:
            return None
        job = await self.get(command_id)
        return job.attempts if job else None

    async def set_progress(self, command_id: str, ts: str) -> None:
        await self._x("UPDATE commands SET progress_ts=?, updated=? WHERE id=?", (ts, time.time(), command_id))

    async def delivered(self, command_id: str, ts: str | None) -> None:
        """The result is in Slack: a restart from here on only finishes the progress message."""
        await self._x("UPDATE commands SET result_ts=?, updated=? WHERE id=?", (ts or "-", time.time(), command_id))

    async def finish(self, command_id: str, state: str, note: str | None = None) -> None:
        await self._x(
            "UPDATE commands SET state=?, note=COALESCE(?, note), updated=? WHERE id=?",
            (state, note, time.time(), command_id),
        )

    async def move(self, command_id: str, from_state: str, to_state: str) -> bool:
        """Atomic state change (a double click on "Run it again" re-queues once)."""
        changed = await self._x(
            "UPDATE commands SET state=?, updated=? WHERE id=? AND state=?",
            (to_state, time.time(), command_id, from_state),
        )
        return changed == 1

    async def unfinished(self) -> list[QueuedCommand]:
        placeholders = ",".join("?" for _ in UNFINISHED)
        rows = await self._q(
            f"SELECT {_COLUMNS} FROM commands WHERE state IN ({placeholders}) ORDER BY received", UNFINISHED
        )
        return [QueuedCommand(*r) for r in rows]

    async def prune(self, now: float | None = None) -> int:
        """Forget finished commands older than KEEP_FINISHED_DAYS."""
        cutoff = (time.time() if now is None else now) - KEEP_FINISHED_DAYS * 86400
        placeholders = ",".join("?" for _ in UNFINISHED)
        return await self._x(
            f"DELETE FROM commands WHERE updated < ? AND state NOT IN ({placeholders}) AND state != 'asked'",
            (cutoff, *UNFINISHED),
        )

    async def count_by_state(self) -> dict[str, int]:
        return {s: n for s, n in await self._q("SELECT state, COUNT(*) FROM commands GROUP BY state")}
