"""Scheduled step runner: picks due steps, applies the sequencing policy, and hands sendable ones to the Sender.

Restart-safe: a step is claimed with a lease before anything happens. If the worker dies
- before the hand-over, the lease runs out and the step is claimed again (nothing lost);
- after the hand-over, the transport is asked whether the message went out (the outbox knows; SMTP cannot
  tell), and the step is recorded as sent, sent again, or set to 'unknown' for a human (nothing sent twice).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from agents.policies.sequencing import Defer, MailboxState, Send, Stop, decide
from bot.outreach.sender import Sender, mailboxes_from

log = logging.getLogger(__name__)


class OutreachWorker:
    def __init__(
        self,
        sender: Sender,
        *,
        owner: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        batch: int = 500,
    ) -> None:
        self.sender = sender
        self.store = sender.store
        self.rules = sender.rules
        self.mailboxes = mailboxes_from(sender.config)
        self.owner = owner or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.batch = batch
        self.lease = timedelta(seconds=sender.config.sending.lease_seconds)

    async def _boxes(self, now: datetime) -> list[MailboxState]:
        usage = await self.store.mailbox_usage(self.mailboxes, now)
        return [
            MailboxState(
                address=box,
                day=now.astimezone(UTC).date(),
                sent_today=usage[box]["sent_today"],
                last_sent_at=usage[box]["last_sent_at"],
            )
            for box in self.mailboxes
        ]

    async def _recover(self, step: dict[str, Any], now: datetime) -> str:
        """A step whose worker died. Before the hand-over: claim it again. After: ask the transport."""
        if step.get("phase") != "handing_over":
            return "reclaim"
        delivered = await self.sender.transport.delivered(str(step.get("rfc_message_id")))
        if delivered:
            record = self.store.send_record(
                step, sent_at=now, transport=self.sender.transport.name, response="recovered"
            )
            await self.sender.record_sent(step, record)
            return "recovered_sent"
        if delivered is None:
            await self.store.finish(
                str(step["step_id"]),
                "unknown",
                "the worker stopped while handing this message to the mail server; check the Sent folder and run "
                "'amia outreach resolve STEP --sent' or '--resend'",
            )
            return "unknown"
        await self.store.reschedule(str(step["step_id"]), now, "recovered")
        return "reclaim"

    async def run_once(self, now: datetime | None = None) -> Counter[str]:
        """One pass over the due steps. Returns how many were sent, deferred, stopped, retried, failed..."""
        now = now or self.clock()
        report: Counter[str] = Counter()
        due = await self.store.due_steps(now, self.batch)
        if not due:
            return report
        boxes = await self._boxes(now)
        for step in due:
            if step["status"] == "sending":
                outcome = await self._recover(step, now)
                report[outcome] += 1
                if outcome != "reclaim":
                    continue
            state = await self.store.lead_state(str(step["lead_id"]))
            decision = decide(
                now,
                str(step.get("timezone") or "UTC"),
                self.rules,
                boxes,
                lead_last_sent_at=state["last_sent_at"],
                events=[state["stop"]] if state["stop"] else (),
            )
            if isinstance(decision, Stop):
                await self.store.finish(str(step["step_id"]), "cancelled", f"sequence stopped: {decision.reason}")
                report["stopped"] += 1
            elif isinstance(decision, Defer):
                await self.store.reschedule(str(step["step_id"]), decision.until, decision.reason)
                report["deferred"] += 1
            elif isinstance(decision, Send):
                claimed = await self.store.claim(str(step["step_id"]), self.owner, now, self.lease)
                if claimed is None:
                    report["skipped"] += 1
                    continue
                result = await self.sender.deliver(claimed, decision.mailbox, self.owner, now)
                report[result.status] += 1
                if result.status == "sent":
                    next(b for b in boxes if b.address == decision.mailbox).record(now)
        return report

    async def run_forever(self, stop: asyncio.Event, *, idle_seconds: float = 30.0) -> None:
        """Poll until ``stop`` is set; errors are logged and the loop goes on."""
        while not stop.is_set():
            try:
                report = await self.run_once()
                if report:
                    log.info("outreach tick: %s", dict(report))
            except Exception:
                log.exception("outreach tick failed; retrying after a pause")
            try:
                await asyncio.wait_for(stop.wait(), timeout=idle_seconds)
            except TimeoutError:
                pass
