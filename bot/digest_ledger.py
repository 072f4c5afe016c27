"""Scheduled digests posted exactly once per period, across crashes.

The scheduler moves a job to its next run before the job starts, so a bot killed while building or posting a digest
would lose it; and a digest job run twice for one period would post it twice. The ledger (one SQLite file in the
data folder) records each (job, period) before anything happens: pending → posting → posted. On start the bot
re-runs what is unfinished; a run finding 'posted' does nothing; a run finding 'posting' (killed after Slack may
have accepted the post) first asks Slack whether the message is there.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (key TEXT PRIMARY KEY, job TEXT NOT NULL, period TEXT NOT NULL,
  destination TEXT NOT NULL, status TEXT NOT NULL, title TEXT, started REAL NOT NULL, updated REAL NOT NULL);
"""


class Postable(Protocol):
    title: str


@dataclass(frozen=True)
class Entry:
    key: str
    job: str
    period: str
    destination: str
    status: str  # pending | posting | posted | abandoned
    title: str | None
    started: float


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
        with sqlite3.connect(path) as db:
            db.executescript(SCHEMA)

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.path, timeout=10) as db:
            return db.execute(sql, args).fetchall()

    async def _q(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        return await asyncio.to_thread(self._run, sql, args)

    @staticmethod
    def _entry(row: tuple[object, ...]) -> Entry:
        key, job, period, dest, status, title, started = row
        return Entry(str(key), str(job), str(period), str(dest), str(status), title and str(title), float(started))  # type: ignore[arg-type]

    async def get(self, key: str) -> Entry | None:
        rows = await self._q(
            "SELECT key, job, period, destination, status, title, started FROM digests WHERE key=?", (key,)
        )
        return self._entry(rows[0]) if rows else None

    async def begin(self, key: str, job: str, period: str, destination: str) -> None:
        now = time.time()
        await self._q(
            "INSERT INTO digests (key, job, period, destination, status, started, updated) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT(key) DO UPDATE SET status='pending', updated=excluded.updated",
            (key, job, period, destination, "pending", now, now),
        )

    async def mark(self, key: str, status: str, title: str | None = None) -> None:
        await self._q(
            "UPDATE digests SET status=?, title=coalesce(?, title), updated=? WHERE key=?",
            (status, title, time.time(), key),
        )

    def unfinished(self, max_age: float = 86400.0) -> list[Entry]:
        """Digests a crash interrupted in the last ``max_age`` seconds (read once at start, before the loop runs).
        Older ones are marked 'abandoned': a digest days late would only confuse."""
        cutoff = time.time() - max_age
        self._run(
            "UPDATE digests SET status='abandoned' WHERE status IN ('pending','posting') AND started < ?", (cutoff,)
        )
        rows = self._run(
            "SELECT key, job, period, destination, status, title, started FROM digests "
            "WHERE status IN ('pending','posting') ORDER BY started"
        )
        return [self._entry(r) for r in rows]


Seen = Callable[[str, str, float], Awaitable[bool]]  # (destination, title, since) -> is it already there?
D = TypeVar("D", bound=Postable)


async def deliver_once(
    ledger: DigestLedger,
    *,
    job: str,
    period: str,
    destination: str,
    build: Callable[[], Awaitable[D]],
    post: Callable[[str, D], Awaitable[None]],
    seen: Seen | None = None,
) -> str:
    """Post the digest of ``job`` for ``period`` unless it already went out. Returns posted, duplicate or found."""
    key = f"{job}@{period}"
    entry = await ledger.get(key)
    if entry is not None and entry.status == "posted":
        return "duplicate"
    if entry is not None and entry.status == "posting" and entry.title and seen is not None:
        try:
            found = await seen(destination, entry.title, entry.started - 1)
        except Exception:  # cannot tell: posting again is the lesser harm than losing the digest
            found = False
        if found:
            await ledger.mark(key, "posted")
            return "found"
    await ledger.begin(key, job, period, destination)
    digest = await build()
    await ledger.mark(key, "posting", digest.title)
    await post(destination, digest)
    await ledger.mark(key, "posted")
    return "posted"
