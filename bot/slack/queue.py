"""The durable command queue: every accepted `/amia` command, mention and DM is written to the bot's SQLite file
before Slack gets its ack, marked running / done / failed as it moves, and found again after a restart.

A row is keyed by a stable id (the slash command's trigger_id, the event's event_id), so a redelivered request
is recognised and run once. The progress and result message timestamps are stored as soon as Slack returns them,
so a resumed command edits the message it already posted instead of posting another one.

Every row names the process (runner) that owns it. A command is only picked up again when its runner is gone:
on this host, a runner holds an flock on ``runners/<id>.lock`` next to the SQLite file for as long as it lives
(the kernel drops it on kill -9); a runner on another host sharing the file proves it is alive with a heartbeat.
So restarting one of several processes that share the state file never re-runs another's work in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS commands (
  id TEXT PRIMARY KEY, surface TEXT NOT NULL, user TEXT NOT NULL, channel TEXT NOT NULL, thread TEXT,
  response_url TEXT, text TEXT NOT NULL, received REAL NOT NULL, state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, progress_ts TEXT, result_ts TEXT, note TEXT, updated REAL NOT NULL,
  owner TEXT);
CREATE INDEX IF NOT EXISTS commands_state ON commands (state);
CREATE TABLE IF NOT EXISTS runners (runner TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
  beat REAL NOT NULL);
"""
UNFINISHED = ("queued", "running")  # what a restart picks up again
KEEP_FINISHED_DAYS = 7.0  # finished rows are pruned after this long (they only serve dedupe and debugging)
MAX_ATTEMPTS = 3  # runs a restart may start; a command that keeps dying with the bot is given up, not looped
EXPIRE_AFTER_HOURS = 24.0  # an interrupted command older than this is dropped with a message instead of re-run
BUSY_SECONDS = 1.5  # how long a write waits for the file's write lock before the ack reports a failure
HEARTBEAT_SECONDS = 30.0  # how often a runner proves it is alive (and looks for orphaned commands)
STALE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS  # a runner on another host silent this long is taken for dead
_COLUMNS = (
    "id, surface, user, channel, thread, response_url, text, received, state, attempts, progress_ts, result_ts, "
    "note, owner"
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
    owner: str | None = None  # the runner (process) working on it


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
        # a short busy timeout: the ack waits on this write, and Slack gives up after 3 s
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self.runner, self.host = uuid.uuid4().hex[:16], socket.gethostname()
        self._lock_dir = path.parent / "runners"
        self._lock_dir.mkdir(exist_ok=True)
        self._lock_fd = os.open(self._lock_dir / f"{self.runner}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._run(
            "INSERT OR REPLACE INTO runners (runner, host, pid, beat) VALUES (?,?,?,?)",
            (self.runner, self.host, os.getpid(), time.time()),
        )

    def close(self) -> None:
        """Leave cleanly: unfinished commands of this runner become orphans the next runner picks up."""
        with contextlib.suppress(sqlite3.Error):
            self._run("DELETE FROM runners WHERE runner=?", (self.runner,))
        self._db.close()
        (self._lock_dir / f"{self.runner}.lock").unlink(missing_ok=True)
        os.close(self._lock_fd)  # releases the flock

    async def beat(self) -> None:
        await self._x("UPDATE runners SET beat=? WHERE runner=?", (time.time(), self.runner))

    def _alive(self, runner: str | None, host: str | None, beat: float | None, now: float) -> bool:
        if runner is None or host is None:  # no owner, or its runner closed: nobody is working on it
            return False
        if runner == self.runner:
            return True
        if host != self.host:
            return beat is not None and now - beat < STALE_AFTER_SECONDS
        try:
            fd = os.open(self._lock_dir / f"{runner}.lock", os.O_RDWR)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True  # its process holds the lock: alive
        finally:
            os.close(fd)  # also releases the lock if we got it
        return False

    def _run(self, sql: str, params: tuple[Any, ...]) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    async def _q(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await asyncio.to_thread(lambda: self._run(sql, params).fetchall())

    async def _x(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await asyncio.to_thread(lambda: self._run(sql, params).rowcount)

    async def accept(self, job: QueuedCommand) -> bool:
        """Persist a new command owned by this runner; False when its id is already known (a Slack retry)."""
        now = time.time()
        job.owner = self.runner
        added = await self._x(
            f"INSERT OR IGNORE INTO commands ({_COLUMNS}, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                self.runner,
                now,
            ),
        )
        return added == 1

    async def get(self, command_id: str) -> QueuedCommand | None:
        rows = await self._q(f"SELECT {_COLUMNS} FROM commands WHERE id=?", (command_id,))
        return QueuedCommand(*rows[0]) if rows else None

    async def start(self, command_id: str) -> int | None:
        """Start a run of a command this runner owns; returns the attempt number, None if it is not ours to run."""
        placeholders = ",".join("?" for _ in UNFINISHED)
        changed = await self._x(
            f"UPDATE commands SET state='running', attempts=attempts+1, updated=? "
            f"WHERE id=? AND owner=? AND state IN ({placeholders})",
            (time.time(), command_id, self.runner, *UNFINISHED),
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
        """Atomic state change, taking ownership (a double click on "Run it again" re-queues once)."""
        changed = await self._x(
            "UPDATE commands SET state=?, owner=?, updated=? WHERE id=? AND state=?",
            (to_state, self.runner, time.time(), command_id, from_state),
        )
        return changed == 1

    async def orphans(self, now: float | None = None) -> list[QueuedCommand]:
        """Unfinished commands whose runner is gone (killed, or stopped before they were done)."""
        at = time.time() if now is None else now
        placeholders = ",".join("?" for _ in UNFINISHED)
        rows = await self._q(
            f"SELECT {', '.join('c.' + c for c in _COLUMNS.split(', '))}, r.host, r.beat FROM commands c "
            f"LEFT JOIN runners r ON r.runner = c.owner WHERE c.state IN ({placeholders}) ORDER BY c.received",
            UNFINISHED,
        )
        return [QueuedCommand(*r[:-2]) for r in rows if not self._alive(r[-3], r[-2], r[-1], at)]

    async def adopt(self, job: QueuedCommand) -> bool:
        """Take an orphan over (one runner wins when several look at once); ``job.owner`` becomes this runner."""
        placeholders = ",".join("?" for _ in UNFINISHED)
        changed = await self._x(
            f"UPDATE commands SET owner=?, updated=? WHERE id=? AND owner IS ? AND state IN ({placeholders})",
            (self.runner, time.time(), job.id, job.owner, *UNFINISHED),
        )
        if changed == 1:
            job.owner = self.runner
        return changed == 1

    async def reap(self, now: float | None = None) -> None:
        """Forget runners that are gone (their lock files too); their commands were adopted or will be."""
        at = time.time() if now is None else now
        for runner, host, beat in await self._q("SELECT runner, host, beat FROM runners"):
            if not self._alive(runner, host, beat, at):
                await self._x("DELETE FROM runners WHERE runner=?", (runner,))
                if host == self.host:
                    (self._lock_dir / f"{runner}.lock").unlink(missing_ok=True)

    async def prune(self, now: float | None = None) -> int:
        """Forget finished commands (and questions nobody answered) older than KEEP_FINISHED_DAYS."""
        cutoff = (time.time() if now is None else now) - KEEP_FINISHED_DAYS * 86400
        placeholders = ",".join("?" for _ in UNFINISHED)
        return await self._x(
            f"DELETE FROM commands WHERE updated < ? AND state NOT IN ({placeholders})",
            (cutoff, *UNFINISHED),
        )

    async def count_by_state(self) -> dict[str, int]:
        return {s: n for s, n in await self._q("SELECT state, COUNT(*) FROM commands GROUP BY state")}
