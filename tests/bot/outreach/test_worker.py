"""Restart safety: a worker that dies at any point neither loses a step nor sends it twice."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path

from bot.outreach.runtime import build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.bot.outreach.conftest import Clock, make_settings, seed_message, smtp_settings
from tests.fakes.smtp import SmtpServer


async def test_worker_dies_after_claiming_step_is_sent_once_after_lease(
    graph: Neo4jGraphStore, smtp: SmtpServer, clock: Clock, tmp_path: Path
) -> None:
    seeded = await seed_message(graph)
    settings = smtp_settings(tmp_path, smtp)
    dead = build_outreach(settings, graph, clock=clock, owner="dead-worker")
    step = await dead.sender.schedule_approved_message(seeded["message_id"])
    # The first thing a worker does is claim the step; this one crashes right after.
    assert await dead.store.claim(step["step_id"], "dead-worker", clock.at, timedelta(seconds=300))

    alive = build_outreach(settings, graph, clock=clock, owner="new-worker")
    assert await alive.worker.run_once() == {}  # the lease still holds: nobody touches it
    report = await alive.worker.run_once(clock.advance(seconds=301))

    assert report["reclaim"] == 1 and report["sent"] == 1
    assert len(smtp.handler.messages) == 1
    assert (await alive.store.step(step["step_id"]))["status"] == "sent"  # type: ignore[index]
    await alive.worker.run_once(clock.advance(days=1))
    assert len(smtp.handler.messages) == 1


async def test_worker_killed_during_smtp_data_is_not_resent(
    graph: Neo4jGraphStore, smtp: SmtpServer, clock: Clock, tmp_path: Path
) -> None:
    seeded = await seed_message(graph)
    settings = smtp_settings(tmp_path, smtp)
    first = build_outreach(settings, graph, clock=clock, owner="worker-1")
    step = await first.sender.schedule_approved_message(seeded["message_id"])
    smtp.handler.hold = threading.Event()

    task = asyncio.create_task(first.worker.run_once())
    for _ in range(500):  # poll until the server is inside DATA
        if smtp.handler.entered_data.is_set():
            break
        await asyncio.sleep(0.01)
    assert smtp.handler.entered_data.is_set()
    task.cancel()  # the process dies mid-conversation...
    smtp.handler.hold.set()  # ...but the server had the whole message and delivers it
    for _ in range(500):
        if smtp.handler.messages:
            break
        await asyncio.sleep(0.01)
    assert len(smtp.handler.messages) == 1

    second = build_outreach(settings, graph, clock=clock, owner="worker-2")
    report = await second.worker.run_once(clock.advance(seconds=301))

    assert report["unknown"] == 1
    stored = await second.store.step(step["step_id"])
    assert stored is not None and stored["status"] == "unknown" and "resolve" in stored["last_error"]
    await second.worker.run_once(clock.advance(days=1))
    assert len(smtp.handler.messages) == 1  # in doubt, a human decides: never a silent second send

    assert await second.sender.resolve(step["step_id"], delivered=True, actor="U1")
    assert (await second.store.step(step["step_id"]))["status"] == "sent"  # type: ignore[index]
    assert len(await second.store.export_sends()) == 1


async def test_outbox_crash_after_write_is_recorded_not_rewritten(
    graph: Neo4jGraphStore, clock: Clock, tmp_path: Path
) -> None:
    seeded = await seed_message(graph)
    settings = make_settings(tmp_path)
    dead = build_outreach(settings, graph, clock=clock, owner="dead")
    step = await dead.sender.schedule_approved_message(seeded["message_id"])
    # The dead worker got as far as writing the file, then crashed before recording the send.
    claimed = await dead.store.claim(step["step_id"], "dead", clock.at, timedelta(seconds=300))
    assert claimed is not None
    raw = b"Message-ID: <amia.x@example.com>\r\n\r\nbody\r\n"
    await dead.store.hand_over(
        step["step_id"],
        "dead",
        {
            "rfc_message_id": "<amia.x@example.com>",
            "mailbox": "alex@example.com",
            "raw": raw.decode(),
            "raw_sha256": "x",
        },
    )
    await dead.transport.send(
        raw, sender="alex@example.com", recipients=[seeded["email"]], rfc_message_id="<amia.x@example.com>"
    )

    alive = build_outreach(settings, graph, clock=clock, owner="alive")
    report = await alive.worker.run_once(clock.advance(seconds=301))

    assert report["recovered_sent"] == 1
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert (await alive.store.step(step["step_id"]))["status"] == "sent"  # type: ignore[index]


async def test_caps_gaps_and_stops_hold_across_many_steps(graph: Neo4jGraphStore, clock: Clock, tmp_path: Path) -> None:
    from bot.outreach.config import SendingConfig

    settings = make_settings(
        tmp_path,
        sending=SendingConfig(daily_cap_per_mailbox=2, stagger_seconds=0, min_gap_per_mailbox_seconds=60),
    )
    out = build_outreach(settings, graph, clock=clock)
    seeded = [await seed_message(graph, email=f"p{i}@acme.io") for i in range(4)]
    for s in seeded:
        await out.sender.schedule_approved_message(s["message_id"])
    await out.store.cancel_lead(seeded[3]["lead_id"], "paused")

    first = await out.worker.run_once()
    assert first["sent"] == 1 and first["deferred"] == 2 and first["stopped"] == 0  # 60 s mailbox gap
    assert (await out.worker.run_once(clock.advance(seconds=61)))["sent"] == 1
    third = await out.worker.run_once(clock.advance(seconds=61))
    assert third.get("sent", 0) == 0  # daily cap of 2 reached
    assert (await out.worker.run_once(clock.advance(days=1)))["sent"] == 1  # Wednesday: cap resets
    steps = {s["lead_id"]: s["status"] for s in await out.store.steps()}
    assert steps[seeded[3]["lead_id"]] == "cancelled"


async def test_learned_send_window_moves_the_slot(graph: Neo4jGraphStore, clock: Clock, tmp_path: Path) -> None:
    # History for German fintech: afternoon sends (14-16 local) got replies, mornings did not.
    await graph.write(
        """
        UNWIND range(9, 16) AS h
        UNWIND range(1, 10) AS i
        CREATE (x:Send {send_id: 'hist-' + h + '-' + i, segment: 'DE:fintech', local_hour: h})
        WITH x, h WHERE h >= 14
        CREATE (:Inbound {inbound_id: 'r-' + x.send_id, send_id: x.send_id, kind: 'reply'})
        """
    )
    seeded = await seed_message(graph)  # acme.io: DE, fintech
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    step = await out.sender.schedule_approved_message(seeded["message_id"])
    assert step["due_at"].isoformat() == "2026-11-24T13:00:00+00:00"  # 14:00 in Berlin, not 10:00 now
