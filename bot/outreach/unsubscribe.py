"""Unsubscribing a recipient: suppression at once, the sequence stopped, the event recorded — idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from knowledge.graph.outreach import OutreachStore
from knowledge.models import fact_id_for, normalise_email


@dataclass(frozen=True)
class Unsubscribed:
    email: str
    already: bool
    steps_cancelled: int


async def unsubscribe(
    store: OutreachStore,
    email: str,
    *,
    lead_id: str | None,
    source: str,
    now: datetime,
    message_id: str | None = None,
) -> Unsubscribed:
    """Suppress ``email``, cancel its lead's pending steps and record the interaction and outcome once."""
    address = normalise_email(email)
    created = await store.suppress(address, "email", "unsubscribed", source=source)
    cancelled = 0
    leads = {lead_id} if lead_id else set()
    leads |= {str(s["lead_id"]) for s in await store.sends_to(address) if s.get("lead_id")}
    for lead in sorted(leads):
        cancelled += await store.cancel_lead(lead, "unsubscribe")
        await store.record_interaction(
            {
                "interaction_id": fact_id_for("unsubscribe", lead),
                "lead_id": lead,
                "type": "unsubscribe",
                "occurred_at": now,
                "message_id": message_id,
                "actor": "recipient",
                "detail": source,
            }
        )
        await store.record_outcome(
            {
                "outcome_id": fact_id_for("outcome", lead, "unsubscribed"),
                "lead_id": lead,
                "type": "unsubscribed",
                "occurred_at": now,
            },
            lead_status="stopped",
        )
    return Unsubscribed(address, already=not created, steps_cancelled=cancelled)
