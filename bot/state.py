"""The bot's own durable state in one SQLite file: approvals, seen events, cool-downs, user settings,
team preferences and the watchlist. Atomic state transitions make double clicks and redeliveries harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.workflows import DraftResult, Finding, LeadSummary

SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY, created REAL NOT NULL, state TEXT NOT NULL, draft TEXT NOT NULL, risk_tier TEXT NOT NULL,
  channel TEXT, ts TEXT, actor TEXT, acted_at REAL, note TEXT, snooze_until REAL, send_ref TEXT, requester TEXT,
  command TEXT);
CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS cooldowns (key TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS user_settings (user TEXT PRIMARY KEY, digest_time TEXT, alerts_to TEXT);
CREATE TABLE IF NOT EXISTS preferences (id INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT NOT NULL,
  rule TEXT NOT NULL, author TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS watches (target TEXT PRIMARY KEY, kind TEXT NOT NULL, user TEXT NOT NULL,
  channel TEXT, since REAL NOT NULL);
"""

OPEN_STATES = ("pending", "snoozed")
# after the column exists (files from before it get it in BotState.__init__): one approval per queued command
COMMAND_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS approvals_command ON approvals (command)"


@dataclass
class Approval:
    id: str
    state: str  # pending | snoozed | approved | rejected | sent | failed
    draft: DraftResult
    risk_tier: str
    channel: str | None
    ts: str | None
    actor: str | None
    acted_at: float | None
    note: str | None
    requester: str | None
    send_ref: str | None


@dataclass
class UserSettings:
    user: str
    digest_time: str = "08:30"
    alerts_to: str = "dm"  # dm | channel


@dataclass
class Watch:
    target: str
    kind: str  # domain | feed
    user: str
    channel: str | None
    since: float


def _draft_to_json(draft: DraftResult) -> str:
    return json.dumps(asdict(draft), default=str)


def _draft_from_json(text: str) -> DraftResult:
    raw: dict[str, Any] = json.loads(text)
    raw["citations"] = [Finding(**c) for c in raw.get("citations", [])]
    if raw.get("score"):
        raw["score"] = LeadSummary(**raw["score"])
    return DraftResult(**raw)


class BotState:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(approvals)")}
        if "command" not in columns:  # a state file from before approvals were tied to their command
            with contextlib.suppress(sqlite3.OperationalError):  # another process sharing the file added it first
                self._db.execute("ALTER TABLE approvals ADD COLUMN command TEXT")
        self._db.execute(COMMAND_INDEX)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    async def _q(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return await asyncio.to_thread(lambda: self._run(sql, params).fetchall())

    async def _x(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        return await asyncio.to_thread(lambda: self._run(sql, params).rowcount)

    # ---- approvals -----------------------------------------------------------------------------------------
    async def create_approval(self, draft: DraftResult, requester: str | None, *, command: str | None = None) -> str:
        """A pending approval for ``draft``. With ``command`` (the durable id of the command that drafted it) there
        is one per command: a re-run after a restart gets the id of the approval the first run made."""
        approval_id = "ap_" + uuid.uuid4().hex[:12]
        await self._x(
            "INSERT INTO approvals (id, created, state, draft, risk_tier, requester, command) VALUES (?,?,?,?,?,?,?) "
            "ON CONFLICT(command) DO NOTHING",
            (approval_id, time.time(), "pending", _draft_to_json(draft), draft.risk_tier, requester, command),
        )
        if command is None:
            return approval_id
        rows = await self._q("SELECT id FROM approvals WHERE command=?", (command,))
        return str(rows[0][0])

    async def approval_for_command(self, command: str) -> Approval | None:
        """The approval a command already made (before a restart interrupted it), if any."""
        rows = await self._q("SELECT id FROM approvals WHERE command=?", (command,))
        return await self.approval(rows[0][0]) if rows else None

    async def withdraw_uncarded(self, command: str, why: str) -> int:
        """A command that made an approval but never posted its card is given up or dropped: withdraw that
        approval, so App Home and digests don't list a draft nobody can see or act on. Returns how many."""
        placeholders = ",".join("?" for _ in OPEN_STATES)
        return await self._x(
            f"UPDATE approvals SET state='withdrawn', actor='amia', acted_at=?, note=? "
            f"WHERE command=? AND ts IS NULL AND state IN ({placeholders})",
            (time.time(), why, command, *OPEN_STATES),
        )

    async def card_posting(self, approval_id: str, channel: str) -> None:
        """The card is about to be posted to ``channel``: a restart that finds a channel but no ts knows the post
        was in flight, and looks for the card before posting it again."""
        await self._x("UPDATE approvals SET channel=? WHERE id=? AND ts IS NULL", (channel, approval_id))

    async def set_message(self, approval_id: str, channel: str, ts: str) -> None:
        await self._x("UPDATE approvals SET channel=?, ts=? WHERE id=?", (channel, ts, approval_id))

    async def approval(self, approval_id: str) -> Approval | None:
        rows = await self._q(
            "SELECT id, state, draft, risk_tier, channel, ts, actor, acted_at, note, requester, send_ref "
            "FROM approvals WHERE id=?",
            (approval_id,),
        )
        if not rows:
            return None
        r = rows[0]
        return Approval(r[0], r[1], _draft_from_json(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10])

    async def transition(
        self, approval_id: str, to_state: str, actor: str, *, note: str | None = None, snooze_until: float | None = None
    ) -> bool:
        """Move an open approval to ``to_state``; False when someone else already decided (double clicks)."""
        placeholders = ",".join("?" for _ in OPEN_STATES)
        changed = await self._x(
            f"UPDATE approvals SET state=?, actor=?, acted_at=?, note=?, snooze_until=? "
            f"WHERE id=? AND state IN ({placeholders})",
            (to_state, actor, time.time(), note, snooze_until, approval_id, *OPEN_STATES),
        )
        return changed == 1

    async def mark_sent(self, approval_id: str, state: str, send_ref: str, note: str | None = None) -> None:
        """Record the outcome of scheduling the send of an approved draft (sent | failed)."""
        await self._x(
            "UPDATE approvals SET state=?, send_ref=?, note=COALESCE(?, note) WHERE id=? AND state='approved'",
            (state, send_ref, note, approval_id),
        )

    async def update_draft(self, approval_id: str, draft: DraftResult) -> bool:
        placeholders = ",".join("?" for _ in OPEN_STATES)
        changed = await self._x(
            f"UPDATE approvals SET draft=? WHERE id=? AND state IN ({placeholders})",
            (_draft_to_json(draft), approval_id, *OPEN_STATES),
        )
        return changed == 1

    async def due_snoozed(self, now: float | None = None) -> list[Approval]:
        """Snoozed approvals whose snooze has run out, oldest first."""
        rows = await self._q(
            "SELECT id FROM approvals WHERE state='snoozed' AND snooze_until <= ? ORDER BY snooze_until",
            (time.time() if now is None else now,),
        )
        found = [await self.approval(r[0]) for r in rows]
        return [a for a in found if a is not None]

    async def wake(self, approval_id: str, now: float | None = None) -> bool:
        """Snoozed → pending once the snooze ran out; False if someone decided meanwhile or another worker woke it.

        The actor stays the person who snoozed it, so the reminder can mention them.
        """
        changed = await self._x(
            "UPDATE approvals SET state='pending', snooze_until=NULL WHERE id=? AND state='snoozed' "
            "AND snooze_until <= ?",
            (approval_id, time.time() if now is None else now),
        )
        return changed == 1

    async def open_approvals(self, limit: int = 20) -> list[Approval]:
        rows = await self._q(
            "SELECT id FROM approvals WHERE state IN ('pending','snoozed') ORDER BY created DESC LIMIT ?", (limit,)
        )
        found = [await self.approval(r[0]) for r in rows]
        return [a for a in found if a is not None]

    async def count_by_state(self) -> dict[str, int]:
        return {s: n for s, n in await self._q("SELECT state, COUNT(*) FROM approvals GROUP BY state")}

    # ---- idempotency and cool-downs ------------------------------------------------------------------------
    async def first_time(self, event_id: str, ttl_seconds: float) -> bool:
        """True the first time an event id is seen within the TTL (Events API redeliveries return False)."""
        now = time.time()
        await self._x("DELETE FROM events WHERE seen < ?", (now - ttl_seconds,))
        return await self._x("INSERT OR IGNORE INTO events (event_id, seen) VALUES (?, ?)", (event_id, now)) == 1

    async def take_cooldown(self, key: str, seconds: float, now: float | None = None) -> bool:
        """True (and start the cool-down) if ``key`` is not cooling down at ``now``."""
        at = time.time() if now is None else now
        changed = await self._x(
            "INSERT INTO cooldowns (key, until) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET until=excluded.until "
            "WHERE cooldowns.until <= ?",
            (key, at + seconds, at),
        )
        return changed == 1

    # ---- user settings, preferences, watches ---------------------------------------------------------------
    async def user_settings(self, user: str) -> UserSettings:
        rows = await self._q("SELECT digest_time, alerts_to FROM user_settings WHERE user=?", (user,))
        if not rows:
            return UserSettings(user)
        return UserSettings(user, rows[0][0] or "08:30", rows[0][1] or "dm")

    async def save_user_settings(self, settings: UserSettings) -> None:
        await self._x(
            "INSERT INTO user_settings (user, digest_time, alerts_to) VALUES (?,?,?) ON CONFLICT(user) DO UPDATE "
            "SET digest_time=excluded.digest_time, alerts_to=excluded.alerts_to",
            (settings.user, settings.digest_time, settings.alerts_to),
        )

    async def add_preference(self, text: str, rule: dict[str, Any], author: str) -> None:
        await self._x(
            "INSERT INTO preferences (text, rule, author, at) VALUES (?,?,?,?)",
            (text, json.dumps(rule), author, time.time()),
        )

    async def preferences(self) -> list[dict[str, Any]]:
        rows = await self._q("SELECT text, rule, author, at FROM preferences ORDER BY id")
        return [{"text": t, "rule": json.loads(r), "author": a, "at": at} for t, r, a, at in rows]

    async def add_watch(self, watch: Watch) -> bool:
        return (
            await self._x(
                "INSERT OR IGNORE INTO watches (target, kind, user, channel, since) VALUES (?,?,?,?,?)",
                (watch.target, watch.kind, watch.user, watch.channel, watch.since),
            )
            == 1
        )

    async def remove_watch(self, target: str) -> bool:
        return await self._x("DELETE FROM watches WHERE target=?", (target,)) == 1

    async def watches(self) -> list[Watch]:
        return [Watch(*r) for r in await self._q("SELECT target, kind, user, channel, since FROM watches")]

    async def watch(self, target: str) -> Watch | None:
        rows = await self._q("SELECT target, kind, user, channel, since FROM watches WHERE target=?", (target,))
        return Watch(*rows[0]) if rows else None
