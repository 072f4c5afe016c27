"""A/B variants end to end: allocation by Thompson sampling from recorded replies, and the digest's summary."""

from __future__ import annotations

import random
from pathlib import Path

from bot.outreach.inbound import InboundProcessor
from bot.outreach.runtime import build_outreach
from knowledge.graph.neo4j_store import Neo4jGraphStore
from tests.bot.outreach.conftest import Clock, make_settings, seed_message


async def _variants(graph: Neo4jGraphStore, i: int) -> list[str]:
    ids = []
    for v in ("question", "statement"):
        seeded = await seed_message(graph, email=f"p{i}@acme.io", variant=v, message_id=f"m{i}-{v}")
        ids.append(seeded["message_id"])
    return ids


async def test_variants_are_explored_then_the_replying_one_is_favoured(
    graph: Neo4jGraphStore, clock: Clock, tmp_path: Path
) -> None:
    out = build_outreach(make_settings(tmp_path), graph, clock=clock)
    inbound = InboundProcessor(out.store)
    rng = random.Random(5)
    chosen = []
    for i in range(4):
        step = await out.sender.schedule_best_variant(await _variants(graph, i), rng=rng, min_sends=2)
        chosen.append(step["variant"])
        await out.worker.run_once(clock.advance(seconds=1))
    assert sorted(chosen) == ["question", "question", "statement", "statement"]  # minimum exploration first

    for send in await out.store.export_sends():
        if send["variant"] == "question":
            raw = (
                f"From: {send['recipient']}\r\nSubject: Re: hi\r\nMessage-ID: <re-{send['send_id']}@x.test>\r\n"
                f"In-Reply-To: {send['rfc_message_id']}\r\n\r\nSounds interesting, let's talk.\r\n"
            ).encode()
            assert (await inbound.process(raw, clock.at)).label == "interested"

    report = await out.sender.experiment(1)
    rates = {v.variant: (v.sends, v.successes) for v in report.variants}
    assert rates == {"question": (2, 2), "statement": (2, 0)}
    assert report.winner is None and "collecting data" in report.reason  # 2 sends each is not evidence
    question = next(v for v in report.variants if v.variant == "question")
    assert 0.0 < question.low < question.high <= 1.0

    later = []
    for i in range(4, 14):
        step = await out.sender.schedule_best_variant(await _variants(graph, i), rng=rng, min_sends=2, explore=0.0)
        later.append(step["variant"])
    assert later.count("question") >= 7
