"""The bot's state file: one approval per queued command (a re-run after a restart must not open a second draft
for review), and state files written before approvals were tied to their command keep working."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.state import BotState
from bot.workflows import DraftResult


def make_draft(**overrides: Any) -> DraftResult:
    fields: dict[str, Any] = {
        "domain": "acme.io",
        "contact": "jane@acme.io",
        "subject": "Your Series B",
        "body": "Hi Jane, congratulations on the round.",
        "risk_tier": "medium",
        "verdict": "pass",
    }
    return DraftResult(**(fields | overrides))


async def test_a_command_run_again_gets_the_approval_it_already_made(tmp_path: Path) -> None:
    state = BotState(tmp_path / "bot.sqlite3")
    try:
        first = await state.create_approval(make_draft(), "U1", command="T1:Ev1")
        again = await state.create_approval(make_draft(subject="Redrafted"), "U1", command="T1:Ev1")
        assert again == first
        assert [a.id for a in await state.open_approvals()] == [first]  # App Home and the digest show one
        assert (await state.approval_for_command("T1:Ev1")).draft.subject == "Your Series B"  # type: ignore[union-attr]
        assert await state.approval_for_command("T1:Ev2") is None

        other = await state.create_approval(make_draft(), "U1", command="T1:Ev2")  # another command: its own
        console = [await state.create_approval(make_draft(), "U1") for _ in range(2)]  # no queue, no key
        assert len({first, other, *console}) == 4
        assert (await state.count_by_state())["pending"] == 4
    finally:
        state.close()


async def test_the_card_in_flight_is_remembered_until_slack_answers(tmp_path: Path) -> None:
    state = BotState(tmp_path / "bot.sqlite3")
    try:
        approval_id = await state.create_approval(make_draft(), "U1", command="T1:Ev1")
        await state.card_posting(approval_id, "C1")
        posting = await state.approval(approval_id)
        assert posting is not None and (posting.channel, posting.ts) == ("C1", None)
        await state.set_message(approval_id, "C1", "1700000000.000100")
        await state.card_posting(approval_id, "C2")  # too late: the card is posted, its place is kept
        posted = await state.approval(approval_id)
        assert posted is not None and (posted.channel, posted.ts) == ("C1", "1700000000.000100")
    finally:
        state.close()


async def test_a_state_file_from_before_command_keys_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db, db:  # as an older AMIA left it, one draft waiting
        db.execute(
            "CREATE TABLE approvals (id TEXT PRIMARY KEY, created REAL NOT NULL, state TEXT NOT NULL, draft TEXT NOT "
            "NULL, risk_tier TEXT NOT NULL, channel TEXT, ts TEXT, actor TEXT, acted_at REAL, note TEXT, "
            "snooze_until REAL, send_ref TEXT, requester TEXT)"
        )
        db.execute(
            "INSERT INTO approvals (id, created, state, draft, risk_tier) VALUES (?, 1.0, 'pending', ?, 'medium')",
            ("ap_old", json.dumps(asdict(make_draft()))),
        )

    for _ in range(2):  # upgraded once; opening it again changes nothing
        state = BotState(path)
        try:
            assert [a.id for a in await state.open_approvals()][-1] == "ap_old"
            first = await state.create_approval(make_draft(), "U1", command="T1:Ev1")
            assert await state.create_approval(make_draft(), "U1", command="T1:Ev1") == first
        finally:
            state.close()
    state = BotState(path)
    try:
        assert (await state.count_by_state())["pending"] == 2  # the old draft and one for the command
    finally:
        state.close()
