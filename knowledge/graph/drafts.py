"""Draft lifecycle in the graph with an audit trail, and suppression lookups for the reviewer.

drafted → in_review → approved | edited | rejected;  edited → in_review | approved;  approved → scheduled → sent.
Every transition is an (:Interaction:DraftEvent) hung off the lead (so erasure removes it) with who and when.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from knowledge.errors import GraphQueryError
from knowledge.graph.neo4j_store import Neo4jGraphStore, _native
from knowledge.models import Suppression, SuppressionReason, normalise_email

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "in_review": ("drafted", "edited"),
    "approved": ("in_review", "edited"),
    "edited": ("in_review", "edited"),
    "rejected": ("drafted", "in_review", "edited"),
    "scheduled": ("approved",),
    "sent": ("scheduled",),
    "cancelled": ("drafted", "in_review", "edited", "approved", "scheduled"),
}


class InvalidTransition(GraphQueryError):
    """The draft is not in a state that allows this step (e.g. sending an unapproved draft)."""


SAVE = """
MERGE (l:Lead {lead_id: $lead.lead_id})
  ON CREATE SET l.person_id = $lead.person_id, l.company_id = $lead.company_id, l.campaign_id = $lead.campaign_id,
                l.status = 'drafted', l.updated_at = $now
WITH l
UNWIND $messages AS m
MERGE (msg:Message {message_id: m.message_id})
SET msg += m, msg.lead_id = l.lead_id, msg.status = 'drafted', msg.status_at = $now
MERGE (l)-[:HAS_MESSAGE]->(msg)
CREATE (e:Interaction:DraftEvent {interaction_id: randomUUID(), type: 'drafted', occurred_at: $now,
                                  actor: $actor, detail: m.compliance_verdict, to_status: 'drafted'})
MERGE (l)-[:HAD]->(e)
MERGE (e)-[:ON_MESSAGE]->(msg)
RETURN count(msg) AS n
"""

TRANSITION = """
MATCH (l:Lead)-[:HAS_MESSAGE]->(m:Message {message_id: $mid})
WHERE m.status IN $allowed
  AND ($to <> 'approved' OR m.compliance_verdict IN ['pass', 'flag'])
WITH l, m, m.status AS before
SET m.status = $to, m.status_at = $now, m += $changes
FOREACH (_ IN CASE WHEN $to = 'approved' THEN [1] ELSE [] END |
  SET m.approved_by = $actor, m.approved_at = $now)
CREATE (e:Interaction:DraftEvent {interaction_id: randomUUID(), type: $to, occurred_at: $now, actor: $actor,
                                  detail: $detail, from_status: before, to_status: $to})
MERGE (l)-[:HAD]->(e)
MERGE (e)-[:ON_MESSAGE]->(m)
RETURN before
"""


class DraftStore:
    """Persist draft packages and move drafts through their lifecycle."""

    def __init__(self, graph: Neo4jGraphStore) -> None:
        self.graph = graph

    async def save(
        self, lead: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], *, actor: str = "system"
    ) -> int:
        """Store (or re-store) a lead's drafted messages; each gets a 'drafted' audit event."""
        rows = await self.graph.write(
            SAVE, lead=dict(lead), messages=[dict(m) for m in messages], actor=actor, now=datetime.now(UTC)
        )
        return int(rows[0]["n"]) if rows else 0

    async def transition(
        self,
        message_id: str,
        to: str,
        *,
        actor: str,
        detail: str | None = None,
        subject: str | None = None,
        body: str | None = None,
        verdict: str | None = None,
    ) -> str:
        """Move a draft to ``to``; returns the previous status. Raises InvalidTransition when not allowed."""
        if to not in TRANSITIONS:
            raise InvalidTransition(f"unknown draft status {to!r}")
        changes: dict[str, Any] = {}
        if to == "edited":
            if subject is None and body is None:
                raise InvalidTransition("an edit needs a new subject or body")
            changes = {k: v for k, v in {"subject": subject, "body": body}.items() if v is not None}
            changes["compliance_verdict"] = verdict or "unreviewed"  # an edit must be reviewed again
            detail = detail or json.dumps({"fields": sorted(k for k in changes if k != "compliance_verdict")})
        rows = await self.graph.write(
            TRANSITION,
            mid=message_id,
            to=to,
            allowed=list(TRANSITIONS[to]),
            actor=actor,
            detail=detail,
            changes=changes,
            now=datetime.now(UTC),
        )
        if not rows:
            current = await self.graph.read(
                "MATCH (m:Message {message_id: $mid}) RETURN m.status AS s, m.compliance_verdict AS v", mid=message_id
            )
            if not current:
                raise InvalidTransition(f"no draft {message_id}")
            state = current[0]
            if to == "approved" and state["v"] not in ("pass", "flag"):
                raise InvalidTransition(
                    f"draft {message_id} has compliance verdict {state['v']!r}; it cannot be approved"
                )
            raise InvalidTransition(f"draft {message_id} is {state['s']!r}; it cannot become {to!r}")
        return str(rows[0]["before"])

    async def message(self, message_id: str) -> dict[str, Any] | None:
        rows = await self.graph.read("MATCH (m:Message {message_id: $mid}) RETURN m {.*} AS m", mid=message_id)
        return {k: _native(v) for k, v in rows[0]["m"].items()} if rows else None

    async def history(self, message_id: str) -> list[dict[str, Any]]:
        """The audit trail of one draft: who did what and when, oldest first."""
        rows = await self.graph.read(
            """
            MATCH (e:DraftEvent)-[:ON_MESSAGE]->(:Message {message_id: $mid})
            RETURN e.type AS type, e.actor AS actor, e.occurred_at AS at, e.from_status AS from_status,
                   e.to_status AS to_status, e.detail AS detail
            ORDER BY e.occurred_at, e.interaction_id
            """,
            mid=message_id,
        )
        return [{k: _native(v) for k, v in r.items()} for r in rows]

    async def suppressions_for(self, email: str) -> list[Suppression]:
        """Suppression entries that cover this address: by email, by domain, or by their sha256 (erased)."""
        address = normalise_email(email)
        domain = address.split("@", 1)[1]
        values = [address, domain, *(hashlib.sha256(v.encode()).hexdigest() for v in (address, domain))]
        rows = await self.graph.read("MATCH (s:Suppression) WHERE s.value IN $values RETURN s {.*} AS s", values=values)
        out = []
        for r in rows:
            s = r["s"]
            try:
                reason = SuppressionReason(s.get("reason", "do_not_contact"))
            except ValueError:
                reason = SuppressionReason.DO_NOT_CONTACT
            out.append(
                Suppression(
                    value=s["value"], kind=s.get("kind", "email"), reason=reason, hashed=bool(s.get("hashed", False))
                )
            )
        return out


def message_rows(package: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Lead and message rows for :meth:`DraftStore.save` from a DraftPackage (duck-typed: knowledge ↛ agents)."""
    from knowledge.models import company_id_for, person_id_for

    lead = {
        "lead_id": package.lead_id,
        "person_id": person_id_for(package.contact),
        "company_id": company_id_for(package.domain),
        "campaign_id": "default",
    }
    messages = [
        {
            "message_id": s.message_id,
            "step": s.step,
            "angle": s.angle,
            "subject": s.subject,
            "body": s.body,
            "language": s.language,
            "variant": s.variants[0].tag if s.variants else None,
            "variants_json": json.dumps([v.model_dump() for v in s.variants]),
            "cited_fact_ids": [c.fact_id for c in s.citations],
            "citations_json": json.dumps([c.model_dump() for c in s.citations]),
            "compliance_verdict": s.verdict.value,
            "findings_json": json.dumps([f.model_dump() for f in s.findings]),
            "spam_score": s.spam_score,
            "mode": s.mode,
        }
        for s in package.steps
    ]
    for m in messages:
        if m["spam_score"] is None:
            del m["spam_score"]
        if m["variant"] is None:
            del m["variant"]
    return lead, messages
