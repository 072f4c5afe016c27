"""Background loops of a running bot: the outreach step worker and the IMAP reply/bounce poller."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from bot.errors import ServiceError
from bot.services import Services

log = logging.getLogger(__name__)

Notify = Callable[[Any], Awaitable[None]]


def inbound_text(result: Any) -> str:
    """One line a human can act on for an inbound message that needs them (no addresses, no body)."""
    label = result.label or result.kind
    who = f"<@{result.owner}> " if getattr(result, "owner", None) else ""
    lead = f" for lead {result.lead_id[:8]}" if result.lead_id else ""
    extra = f" ({len(result.referrals)} referral(s))" if result.referrals else ""
    return f"{who}:incoming_envelope: A reply needs a human{lead}: {label}{extra}. {result.detail}".strip()


@contextlib.asynccontextmanager
async def background_loops(services: Services, *, notify: Notify | None = None) -> AsyncIterator[list[str]]:
    """Run the outreach worker (and the IMAP poller when configured) until the block exits.

    Yields the names of the loops started. Each loop survives its own errors (it logs and retries); the block
    stops them cleanly, so a step in flight is either finished or left leased for the next run, never doubled.
    """
    from bot.outreach.http import OUTREACH_KEY
    from bot.outreach.runtime import build_poller

    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    names: list[str] = []
    outreach = services.extras.get(OUTREACH_KEY)
    if outreach is not None:
        idle = services.settings.outreach.sending.poll_seconds
        worker = outreach.worker.run_forever(stop, idle_seconds=idle)
        tasks.append(asyncio.create_task(worker, name="outreach-worker"))
        names.append("outreach-worker")
        try:
            poller = build_poller(services.settings, outreach, notify=notify)
        except ServiceError as exc:
            log.warning("reply tracking is off: %s", exc)
            poller = None
        if poller is not None:
            interval = float(services.settings.outreach.imap.poll_seconds)
            tasks.append(asyncio.create_task(poller.run_forever(stop, interval), name="imap-poller"))
            names.append("imap-poller")
    try:
        yield names
    finally:
        stop.set()
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=30)
            for task in pending:
                task.cancel()
