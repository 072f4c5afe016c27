"""Scheduled digests posted exactly once per period, across crashes.

The scheduler moves a job to its next run before the job starts, so a bot killed while building or posting a digest
would lose it; and a digest job run twice for one period would post it twice. The ledger (one SQLite file in the
data folder) records each (job, period) before anything happens: pending → posting → uploading → posted, where
'uploading' holds the message's ts while its chart goes into the message's thread. On start the bot re-runs what is
unfinished; a run finding 'posted' does nothing; one finding 'posting' (killed after Slack may have accepted the
post) first asks Slack whether the message is there; one finding 'uploading' only adds the chart to that thread
(unless Slack shows it there already), never the message again.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar, cast

SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (key TEXT PRIMARY KEY, job TEXT NOT NULL, period TEXT NOT NULL,
  destination TEXT NOT NULL, status TEXT NOT NULL, title TEXT, started REAL NOT NULL, updated REAL NOT NULL,
  ts TEXT);
"""
UNFINISHED = ("pending", "posting", "uploading")
_COLUMNS = "key, job, period, destination, status, title, started, ts"


class Postable(Protocol):
    title: str


D = TypeVar("D", bound=Postable)
D_contra = TypeVar("D_contra", bound=Postable, contravariant=True)
Posted = Callable[[str], Awaitable[None]]  # hears the digest message's ts before its chart is uploaded


class Post(Protocol[D_contra]):
    async def __call__(
        self, destination: str, digest: D_contra, *, thread: str | None = None, posted: Posted | None = None
    ) -> None:
        """Post the digest, then its chart in the message's thread, telling ``posted`` the message's ts in between.
        With ``thread`` (a restart found the message there already) only the chart, unless the thread has it."""


@dataclass(frozen=True)
class Entry:
    key: str
    job: str
    period: str
    destination: str
    status: str  # pending | posting | uploading | posted | abandoned
    title: str | None
    started: float
    ts: str | None = None  # the message, once Slack has it: the chart goes in its thread


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def period_of(cadence: str, now: datetime) -> str:
    """The period one digest covers: the local date (daily) or ISO week (weekly) it is due in."""
    if cadence == "weekly":
        year, week, _ = now.isocalendar()
        return f"{year}-W{week:02d}"
    return now.date().isoformat()


class DigestLedger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with contextlib.closing(sqlite3.connect(path)) as db, db:
            db.executescript(SCHEMA)
            if "ts" not in {row[1] for row in db.execute("PRAGMA table_info(digests)")}:  # a ledger from before charts
                with contextlib.suppress(sqlite3.OperationalError):  # were a step (or another process added it)
                    db.execute("ALTER TABLE digests ADD COLUMN ts TEXT")

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.path, timeout=10) as db:
            return db.execute(sql, args).fetchall()

    async def _q(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        return await asyncio.to_thread(self._run, sql, args)

    @staticmethod
    def _entry(row: tuple[object, ...]) -> Entry:
        key, job, period, dest, status, title, started, ts = row
        return Entry(
            str(key), str(job), str(period), str(dest), str(status), _text(title), cast(float, started), _text(ts)
        )

    async def get(self, key: str) -> Entry | None:
        rows = await self._q(f"SELECT {_COLUMNS} FROM digests WHERE key=?", (key,))
        return self._entry(rows[0]) if rows else None

    async def begin(self, key: str, job: str, period: str, destination: str) -> None:
        now = time.time()
        await self._q(
            "INSERT INTO digests (key, job, period, destination, status, started, updated) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT(key) DO UPDATE SET status='pending', ts=NULL, updated=excluded.updated",
            (key, job, period, destination, "pending", now, now),
        )

    async def mark(self, key: str, status: str, title: str | None = None, ts: str | None = None) -> None:
        await self._q(
            "UPDATE digests SET status=?, title=coalesce(?, title), ts=coalesce(?, ts), updated=? WHERE key=?",
            (status, title, ts, time.time(), key),
        )

    def unfinished(self, max_age: float = 86400.0) -> list[Entry]:
        """Digests a crash interrupted in the last ``max_age`` seconds (read once at start, before the loop runs).
        Older ones are marked 'abandoned': a digest days late would only confuse."""
        cutoff = time.time() - max_age
        states = ",".join("?" for _ in UNFINISHED)
        self._run(
            f"UPDATE digests SET status='abandoned' WHERE status IN ({states}) AND started < ?", (*UNFINISHED, cutoff)
        )
        rows = self._run(f"SELECT {_COLUMNS} FROM digests WHERE status IN ({states}) ORDER BY started", UNFINISHED)
        return [self._entry(r) for r in rows]


# (destination, title, since) -> the ts of that digest if it is already in the channel, else None
Seen = Callable[[str, str, float], Awaitable[str | None]]


async def deliver_once(
    ledger: DigestLedger,
    *,
    job: str,
    period: str,
    destination: str,
    build: Callable[[], Awaitable[D]],
    post: Post[D],
    seen: Seen | None = None,
) -> str:
    """Post the digest of ``job`` for ``period`` unless it already went out. Returns posted, duplicate, found, or
    chart (the message was there, only its chart was missing)."""
    key = f"{job}@{period}"
    entry = await ledger.get(key)
    if entry is not None and entry.status == "posted":
        return "duplicate"
    if entry is not None and entry.status == "posting" and entry.title and seen is not None:
        try:
            found = await seen(destination, entry.title, entry.started - 1)
        except Exception:  # cannot tell: posting again is the lesser harm than losing the digest
            found = None
        if found:  # the message is there (the bot never heard its ts): add the chart to its thread, once
            await ledger.mark(key, "uploading", ts=found)
            await post(destination, await build(), thread=found)
            await ledger.mark(key, "posted")
            return "found"
    if entry is not None and entry.status == "uploading" and entry.ts:  # the message is there; its chart may not be
        await post(destination, await build(), thread=entry.ts)
        await ledger.mark(key, "posted")
        return "chart"
    await ledger.begin(key, job, period, destination)
    digest = await build()
    await ledger.mark(key, "posting", digest.title)

    async def posted(ts: str) -> None:
        await ledger.mark(key, "uploading", ts=ts)

    await post(destination, digest, posted=posted)
    await ledger.mark(key, "posted")
    return "posted"
