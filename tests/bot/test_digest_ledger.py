"""The digest ledger: one post per job and period, in-doubt posts looked up before re-posting, stale crashes
abandoned instead of posted days late."""

from __future__ import annotations

import contextlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.digest_ledger import DigestLedger, Posted, deliver_once, period_of


@dataclass
class D:
    title: str = "AMIA daily digest"


class Channel:
    """Messages and the charts in their threads; ``die_before_chart`` is the bot killed between the two."""

    def __init__(self) -> None:
        self.posts: list[str] = []
        self.charts: list[str] = []  # the thread each chart went into
        self.die_before_chart = False

    async def post(
        self, destination: str, digest: D, *, thread: str | None = None, posted: Posted | None = None
    ) -> None:
        if thread is None:
            self.posts.append(destination)
            thread = f"{len(self.posts)}.000100"
            if posted is not None:
                await posted(thread)
        if self.die_before_chart:
            raise ProcessKilled
        self.charts.append(thread)

    async def build(self) -> D:
        return D()


class ProcessKilled(BaseException):
    pass


async def test_one_post_per_period_and_in_doubt_posts_are_looked_up(tmp_path: Path) -> None:
    ledger, ch = DigestLedger(tmp_path / "d.sqlite3"), Channel()
    run = {"job": "digest:C1:daily", "destination": "C1", "build": ch.build, "post": ch.post}
    assert await deliver_once(ledger, period="2026-11-24", **run) == "posted"  # type: ignore[arg-type]
    assert await deliver_once(ledger, period="2026-11-24", **run) == "duplicate"  # type: ignore[arg-type]
    assert await deliver_once(ledger, period="2026-11-25", **run) == "posted"  # type: ignore[arg-type]
    assert ch.posts == ["C1", "C1"] and ch.charts == ["1.000100", "2.000100"]  # each chart in its digest's thread

    # A crash after handing the post to Slack leaves 'posting': ask Slack first.
    await ledger.begin("digest:C1:daily@2026-11-26", "digest:C1:daily", "2026-11-26", "C1")
    await ledger.mark("digest:C1:daily@2026-11-26", "posting", "AMIA daily digest")

    async def there(dest: str, title: str, since: float) -> str | None:
        return "9.000100"

    result = await deliver_once(ledger, period="2026-11-26", seen=there, **run)  # type: ignore[arg-type]
    assert result == "found" and len(ch.posts) == 2  # not posted again,
    assert ch.charts[-1] == "9.000100"  # but its chart went into the thread found
    assert await deliver_once(ledger, period="2026-11-26", seen=there, **run) == "duplicate"  # type: ignore[arg-type]
    assert ch.charts.count("9.000100") == 1

    await ledger.begin("digest:C1:daily@2026-11-27", "digest:C1:daily", "2026-11-27", "C1")
    await ledger.mark("digest:C1:daily@2026-11-27", "posting", "AMIA daily digest")

    async def cannot_tell(dest: str, title: str, since: float) -> str | None:
        raise RuntimeError("channel_not_found")

    result = await deliver_once(ledger, period="2026-11-27", seen=cannot_tell, **run)  # type: ignore[arg-type]
    assert result == "posted" and len(ch.posts) == 3  # a rare duplicate beats a lost digest


async def test_unfinished_digests_are_resumed_unless_stale(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    ledger = DigestLedger(path)
    await ledger.begin("digest:C1:daily@2026-11-24", "digest:C1:daily", "2026-11-24", "C1")
    await ledger.begin("digest:C2:daily@2026-11-20", "digest:C2:daily", "2026-11-20", "C2")
    with sqlite3.connect(path) as db:  # the second crashed four days ago
        db.execute("UPDATE digests SET started = started - 4 * 86400 WHERE destination = 'C2'")
    assert [e.destination for e in DigestLedger(path).unfinished()] == ["C1"]
    assert (await ledger.get("digest:C2:daily@2026-11-20")).status == "abandoned"  # type: ignore[union-attr]


async def test_a_chart_the_bot_died_before_uploading_goes_into_its_digest_thread_once(tmp_path: Path) -> None:
    path, ch = tmp_path / "d.sqlite3", Channel()
    run = {"job": "digest:C1:daily", "period": "2026-11-24", "destination": "C1", "build": ch.build, "post": ch.post}
    ch.die_before_chart = True
    with pytest.raises(ProcessKilled):
        await deliver_once(DigestLedger(path), **run)  # type: ignore[arg-type]
    assert ch.posts == ["C1"] and ch.charts == []
    (entry,) = DigestLedger(path).unfinished()  # the restart finds it
    assert (entry.status, entry.ts) == ("uploading", "1.000100")

    ch.die_before_chart = False
    ledger = DigestLedger(path)
    assert await deliver_once(ledger, **run) == "chart"  # type: ignore[arg-type]
    assert await deliver_once(ledger, **run) == "duplicate"  # type: ignore[arg-type]
    assert ch.posts == ["C1"] and ch.charts == ["1.000100"]  # the message once, its chart once, in its thread
    assert ledger.unfinished() == []


async def test_a_ledger_from_before_chart_steps_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "d.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "CREATE TABLE digests (key TEXT PRIMARY KEY, job TEXT NOT NULL, period TEXT NOT NULL, destination TEXT NOT "
            "NULL, status TEXT NOT NULL, title TEXT, started REAL NOT NULL, updated REAL NOT NULL)"
        )
        db.execute(
            "INSERT INTO digests VALUES ('digest:C1:daily@2026-11-24', 'digest:C1:daily', '2026-11-24', 'C1', "
            "'posted', 'AMIA daily digest', 1.0, 1.0)"
        )
    ch = Channel()
    ledger = DigestLedger(path)
    run = {"job": "digest:C1:daily", "destination": "C1", "build": ch.build, "post": ch.post}
    assert await deliver_once(ledger, period="2026-11-24", **run) == "duplicate"  # type: ignore[arg-type]
    assert await deliver_once(DigestLedger(path), period="2026-11-25", **run) == "posted"  # type: ignore[arg-type]
    assert ch.posts == ["C1"] and ch.charts == ["1.000100"]


def test_periods() -> None:
    assert period_of("daily", datetime(2026, 11, 24, 23, 50)) == "2026-11-24"
    assert period_of("weekly", datetime(2026, 11, 24)) == "2026-W48"
