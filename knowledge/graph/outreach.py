"""Outreach in the graph: sequence steps (idempotency keys, leases), sends, inbound mail, interactions,
outcomes, suppressions, variant and timing statistics, CRM export rows and erasure. All the Cypher for outreach.

Step lifecycle: scheduled -> sending (phase claimed -> handing_over) -> sent | failed | unknown;
scheduled -> cancelled (sequence stopped). A step in `handing_over` whose lease ran out may or may not have
reached the mail server; it becomes `unknown` and waits for a human instead of being sent twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from knowledge.graph.neo4j_store import Neo4jGraphStore
from knowledge.models import fact_id_for, normalise_domain, normalise_email

SCHEMA = [
    "CREATE CONSTRAINT outreach_step_id IF NOT EXISTS FOR (s:OutreachStep) REQUIRE s.step_id IS UNIQUE",
    "CREATE CONSTRAINT send_id IF NOT EXISTS FOR (s:Send) REQUIRE s.send_id IS UNIQUE",
    "CREATE CONSTRAINT inbound_id IF NOT EXISTS FOR (i:Inbound) REQUIRE i.inbound_id IS UNIQUE",
    "CREATE CONSTRAINT imap_cursor IF NOT EXISTS FOR (c:ImapCursor) REQUIRE c.key IS UNIQUE",
    "CREATE CONSTRAINT visit_id IF NOT EXISTS FOR (v:WebVisit) REQUIRE v.visit_id IS UNIQUE",
    "CREATE INDEX outreach_step_due IF NOT EXISTS FOR (s:OutreachStep) ON (s.status, s.due_at)",
    "CREATE INDEX send_rfc_id IF NOT EXISTS FOR (s:Send) ON (s.rfc_message_id)",
    "CREATE INDEX send_mailbox IF NOT EXISTS FOR (s:Send) ON (s.mailbox, s.sent_at)",
]

ACTIVE = ("scheduled", "sending")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def step_key(lead_id: str, step: int) -> str:
    """The idempotency key of a sequence step: one per lead and step number, however often it is approved."""
    return fact_id_for("outreach-step", lead_id, step)


def _native(value: Any) -> Any:
    if hasattr(value, "to_native"):
        native = value.to_native()
        if isinstance(native, datetime) and native.tzinfo is None:
            return native.replace(tzinfo=UTC)
        return native
    return value


def _row(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _native(v) for k, v in record.items()}


class OutreachStore:
    """Persistence of outreach state on the Neo4jGraphStore."""

    def __init__(self, graph: Neo4jGraphStore) -> None:
        self.graph = graph

    async def ensure_schema(self) -> None:
        for statement in SCHEMA:
            await self.graph.write(statement)

    # ---- approved messages (draft lifecycle is owned by knowledge/graph/drafts.py) ----------------

    async def message_for_sending(self, message_id: str) -> dict[str, Any] | None:
        """The message with its approval, compliance verdict, lead, recipient and company location."""
        rows = await self.graph.read(
            """
            MATCH (m:Message {message_id: $mid})
            OPTIONAL MATCH (l:Lead {lead_id: m.lead_id})
            OPTIONAL MATCH (p:Person {person_id: l.person_id})
            OPTIONAL MATCH (c:Company {company_id: l.company_id})
            RETURN m.message_id AS message_id, m.lead_id AS lead_id, coalesce(m.step, 1) AS step,
                   m.subject AS subject, m.body AS body, m.body_html AS body_html, m.variant AS variant,
                   coalesce(m.language, 'en') AS language, m.status AS status,
                   m.compliance_verdict AS compliance_verdict, m.approved_by AS approved_by,
                   m.approved_at AS approved_at, p.email AS recipient, p.full_name AS recipient_name,
                   c.domain AS company_domain, c.hq_country AS country, c.locations AS locations,
                   c.industries AS industries, l.outreach_stop AS lead_stop, l.owner AS owner
            """,
            mid=message_id,
        )
        return _row(rows[0]) if rows else None

    # ---- steps ----------------------------------------------------------------------------------

    async def schedule_step(self, row: Mapping[str, Any]) -> tuple[bool, dict[str, Any]]:
        """Create the step unless its key exists. Returns (created, the stored step)."""
        rows = await self.graph.write(
            """
            MERGE (s:OutreachStep {step_id: $row.step_id})
              ON CREATE SET s += $row, s.status = 'scheduled', s.attempts = 0, s.created_at = $now,
                            s.updated_at = $now, s._new = true
            WITH s, coalesce(s._new, false) AS created
            REMOVE s._new
            WITH s, created
            OPTIONAL MATCH (l:Lead {lead_id: s.lead_id})
            OPTIONAL MATCH (m:Message {message_id: s.message_id})
            FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | MERGE (l)-[:HAS_STEP]->(s))
            FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (s)-[:SENDS]->(m))
            RETURN created, s {.*} AS step
            """,
            row=dict(row),
            now=datetime.now(UTC),
        )
        return bool(rows[0]["created"]), _row(rows[0]["step"])

    async def step(self, step_id: str) -> dict[str, Any] | None:
        rows = await self.graph.read("MATCH (s:OutreachStep {step_id: $id}) RETURN s {.*} AS s", id=step_id)
        return _row(rows[0]["s"]) if rows else None

    async def steps(self, *, lead_id: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            """
            MATCH (s:OutreachStep)
            WHERE ($lead IS NULL OR s.lead_id = $lead) AND ($status IS NULL OR s.status = $status)
            RETURN s {.*} AS s ORDER BY s.due_at, s.step_id
            """,
            lead=lead_id,
            status=status,
        )
        return [_row(r["s"]) for r in rows]

    async def due_steps(self, now: datetime, limit: int = 500) -> list[dict[str, Any]]:
        """Scheduled steps that are due, and sending steps whose lease ran out (a worker died)."""
        rows = await self.graph.read(
            """
            MATCH (s:OutreachStep)
            WHERE (s.status = 'scheduled' AND s.due_at <= $now)
               OR (s.status = 'sending' AND s.lease_until <= $now)
            RETURN s {.*} AS s ORDER BY s.due_at, s.step_id LIMIT $limit
            """,
            now=now,
            limit=limit,
        )
        return [_row(r["s"]) for r in rows]

    async def next_due_at(self) -> datetime | None:
        rows = await self.graph.read("MATCH (s:OutreachStep {status: 'scheduled'}) RETURN min(s.due_at) AS due")
        return _native(rows[0]["due"]) if rows and rows[0]["due"] is not None else None

    async def claim(self, step_id: str, owner: str, now: datetime, lease: timedelta) -> dict[str, Any] | None:
        """Atomically take a due step (status scheduled, or an expired lease still in phase 'claimed')."""
        rows = await self.graph.write(
            """
            MATCH (s:OutreachStep {step_id: $id})
            WHERE (s.status = 'scheduled' AND s.due_at <= $now)
               OR (s.status = 'sending' AND s.lease_until <= $now AND s.phase = 'claimed')
            SET s.status = 'sending', s.phase = 'claimed', s.lease_owner = $owner,
                s.lease_until = $until, s.attempts = coalesce(s.attempts, 0) + 1, s.updated_at = $now
            RETURN s {.*} AS s
            """,
            id=step_id,
            owner=owner,
            now=now,
            until=now + lease,
        )
        return _row(rows[0]["s"]) if rows else None

    async def hand_over(self, step_id: str, owner: str, record: Mapping[str, Any]) -> bool:
        """Store exactly what is about to go out, then mark the step as handed to the transport."""
        rows = await self.graph.write(
            """
            MATCH (s:OutreachStep {step_id: $id, status: 'sending', lease_owner: $owner})
            SET s.phase = 'handing_over', s.rfc_message_id = $rec.rfc_message_id, s.mailbox = $rec.mailbox,
                s.raw = $rec.raw, s.raw_sha256 = $rec.raw_sha256
            RETURN s.step_id AS id
            """,
            id=step_id,
            owner=owner,
            rec=dict(record),
        )
        return bool(rows)

    async def mark_sent(self, step_id: str, record: Mapping[str, Any]) -> None:
        """The step went out: a Send node keeps who approved it, what exactly was sent, when and how."""
        await self.graph.write(
            """
            MATCH (s:OutreachStep {step_id: $id})
            SET s.status = 'sent', s.phase = null, s.lease_owner = null, s.lease_until = null,
                s.sent_at = $rec.sent_at, s.updated_at = $rec.sent_at, s.last_error = null
            MERGE (x:Send {send_id: $id})
              ON CREATE SET x += $rec
            WITH s, x
            MERGE (s)-[:SENT_AS]->(x)
            WITH s, x
            OPTIONAL MATCH (m:Message {message_id: s.message_id})
            FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END |
                MERGE (x)-[:OF]->(m) SET m.sent_at = $rec.sent_at)
            WITH s, x
            OPTIONAL MATCH (l:Lead {lead_id: s.lead_id})
            FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END |
                SET l.status = CASE WHEN l.status IN ['replied','meeting','won','lost','stopped']
                                    THEN l.status ELSE 'contacted' END, l.last_sent_at = $rec.sent_at)
            """,
            id=step_id,
            rec=dict(record),
        )

    async def reschedule(self, step_id: str, until: datetime, reason: str, *, error: str | None = None) -> None:
        await self.graph.write(
            """
            MATCH (s:OutreachStep {step_id: $id}) WHERE s.status IN ['scheduled', 'sending']
            SET s.status = 'scheduled', s.phase = null, s.lease_owner = null, s.lease_until = null,
                s.due_at = $until, s.defer_reason = $reason, s.last_error = coalesce($error, s.last_error),
                s.updated_at = $now
            """,
            id=step_id,
            until=until,
            reason=reason,
            error=error,
            now=datetime.now(UTC),
        )

    async def finish(self, step_id: str, status: str, reason: str) -> None:
        """End a step without sending: failed, cancelled or unknown (with the reason shown to humans)."""
        await self.graph.write(
            """
            MATCH (s:OutreachStep {step_id: $id}) WHERE s.status IN ['scheduled', 'sending']
            SET s.status = $status, s.phase = CASE WHEN $status = 'unknown' THEN s.phase ELSE null END,
                s.lease_owner = null, s.lease_until = null, s.last_error = $reason, s.updated_at = $now
            """,
            id=step_id,
            status=status,
            reason=reason,
            now=datetime.now(UTC),
        )

    async def resolve_unknown(self, step_id: str, *, delivered: bool, actor: str, now: datetime) -> bool:
        """Put an in-doubt step back in the queue (a human checked: it did not go out)."""
        if delivered:
            raise ValueError("record a delivered step with Sender.resolve, which also writes the Send")
        rows = await self.graph.write(
            """
            MATCH (s:OutreachStep {step_id: $id, status: 'unknown'})
            SET s.status = 'scheduled', s.phase = null, s.due_at = $now, s.resolved_by = $actor
            RETURN s.step_id AS id
            """,
            id=step_id,
            now=now,
            actor=actor,
        )
        return bool(rows)

    @staticmethod
    def send_record(step: Mapping[str, Any], *, sent_at: datetime, transport: str, response: str) -> dict[str, Any]:
        return {
            "send_id": step["step_id"],
            "rfc_message_id": step.get("rfc_message_id"),
            "lead_id": step.get("lead_id"),
            "message_id": step.get("message_id"),
            "step": step.get("step"),
            "variant": step.get("variant"),
            "recipient": step.get("recipient"),
            "mailbox": step.get("mailbox"),
            "approved_by": step.get("approved_by"),
            "raw": step.get("raw"),
            "raw_sha256": step.get("raw_sha256"),
            "segment": step.get("segment"),
            "local_hour": step.get("local_hour"),
            "sent_at": sent_at,
            "transport": transport,
            "response": response,
        }

    async def cancel_lead(self, lead_id: str, reason: str) -> int:
        """Stop a sequence: cancel every step not yet handed over, and remember why."""
        rows = await self.graph.write(
            """
            OPTIONAL MATCH (l:Lead {lead_id: $lead}) SET l.outreach_stop = $reason
            WITH 1 AS _
            MATCH (s:OutreachStep {lead_id: $lead})
            WHERE s.status = 'scheduled' OR (s.status = 'sending' AND s.phase = 'claimed')
            SET s.status = 'cancelled', s.last_error = $reason, s.lease_owner = null, s.updated_at = $now
            RETURN count(s) AS n
            """,
            lead=lead_id,
            reason=reason,
            now=datetime.now(UTC),
        )
        return int(rows[0]["n"]) if rows else 0

    async def resume_lead(self, lead_id: str) -> None:
        await self.graph.write("MATCH (l:Lead {lead_id: $lead}) REMOVE l.outreach_stop", lead=lead_id)

    async def lead_state(self, lead_id: str) -> dict[str, Any]:
        rows = await self.graph.read(
            """
            OPTIONAL MATCH (l:Lead {lead_id: $lead})
            OPTIONAL MATCH (x:Send {lead_id: $lead})
            RETURN l.outreach_stop AS stop, max(x.sent_at) AS last_sent_at
            """,
            lead=lead_id,
        )
        return _row(rows[0]) if rows else {"stop": None, "last_sent_at": None}

    async def mailbox_usage(self, mailboxes: Sequence[str], now: datetime) -> dict[str, dict[str, Any]]:
        """Per mailbox: sends today (UTC, including ones being handed over) and the last send time."""
        day = datetime(now.year, now.month, now.day, tzinfo=UTC)
        rows = await self.graph.read(
            """
            UNWIND $boxes AS box
            OPTIONAL MATCH (x:Send {mailbox: box}) WHERE x.sent_at >= $day AND x.sent_at < $next
            WITH box, count(x) AS sent, max(x.sent_at) AS last
            OPTIONAL MATCH (s:OutreachStep {mailbox: box, status: 'sending', phase: 'handing_over'})
            WITH box, sent, last, count(s) AS in_flight
            RETURN box, sent + in_flight AS sent_today, last
            """,
            boxes=list(mailboxes),
            day=day,
            next=day + timedelta(days=1),
        )
        return {r["box"]: {"sent_today": int(r["sent_today"]), "last_sent_at": _native(r["last"])} for r in rows}

    # ---- suppressions ---------------------------------------------------------------------------

    async def suppress(self, value: str, kind: str, reason: str, *, source: str, hashed: bool = False) -> bool:
        """Add a do-not-contact entry (email or domain). Returns False if it was already there."""
        if not hashed:
            value = normalise_email(value) if kind == "email" else normalise_domain(value)
        rows = await self.graph.write(
            """
            MERGE (s:Suppression {value: $value})
              ON CREATE SET s.kind = $kind, s.reason = $reason, s.hashed = $hashed, s.source = $source,
                            s.created_at = $now, s._new = true
            WITH s, coalesce(s._new, false) AS created REMOVE s._new
            RETURN created
            """,
            value=value,
            kind=kind,
            reason=reason,
            hashed=hashed,
            source=source,
            now=datetime.now(UTC),
        )
        return bool(rows[0]["created"])

    async def suppression_for(self, email: str) -> dict[str, Any] | None:
        """The entry that blocks this address (its email, its domain, or their hashes), if any."""
        address = normalise_email(email)
        domain = address.split("@", 1)[1]
        rows = await self.graph.read(
            """
            MATCH (s:Suppression) WHERE s.value IN $values
            RETURN s {.*} AS s ORDER BY s.created_at LIMIT 1
            """,
            values=[address, domain, sha256_hex(address), sha256_hex(domain)],
        )
        return _row(rows[0]["s"]) if rows else None

    async def drop_plain_suppression(self, value: str) -> int:
        """Remove a readable suppression entry (erasure keeps only the hashed one)."""
        rows = await self.graph.write(
            "MATCH (s:Suppression {value: $v}) WHERE NOT coalesce(s.hashed, false) "
            "DETACH DELETE s RETURN count(*) AS n",
            v=value,
        )
        return int(rows[0]["n"]) if rows else 0

    async def suppressions(self) -> list[dict[str, Any]]:
        rows = await self.graph.read("MATCH (s:Suppression) RETURN s {.*} AS s ORDER BY s.created_at")
        return [_row(r["s"]) for r in rows]

    # ---- inbound, interactions, outcomes --------------------------------------------------------

    async def send_by_rfc_ids(self, rfc_ids: Sequence[str]) -> dict[str, Any] | None:
        rows = await self.graph.read(
            """
            UNWIND range(0, size($ids) - 1) AS i
            MATCH (x:Send {rfc_message_id: $ids[i]})
            RETURN x {.*, raw: null} AS x ORDER BY i DESC LIMIT 1
            """,
            ids=list(rfc_ids),
        )
        return _row(rows[0]["x"]) if rows else None

    async def sends_to(self, recipient: str) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            "MATCH (x:Send {recipient: $r}) RETURN x {.*, raw: null} AS x ORDER BY x.sent_at DESC",
            r=normalise_email(recipient),
        )
        return [_row(r["x"]) for r in rows]

    async def record_inbound(self, row: Mapping[str, Any]) -> bool:
        """Keep every inbound message we processed (matched or not). False if seen before."""
        rows = await self.graph.write(
            """
            MERGE (i:Inbound {inbound_id: $row.inbound_id})
              ON CREATE SET i += $row, i._new = true
            WITH i, coalesce(i._new, false) AS created REMOVE i._new
            WITH i, created
            OPTIONAL MATCH (x:Send {send_id: i.send_id})
            FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | MERGE (i)-[:ANSWERS]->(x))
            RETURN created
            """,
            row=dict(row),
        )
        return bool(rows[0]["created"])

    async def inbound(self, *, kind: str | None = None) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            "MATCH (i:Inbound) WHERE $kind IS NULL OR i.kind = $kind RETURN i {.*} AS i ORDER BY i.received_at",
            kind=kind,
        )
        return [_row(r["i"]) for r in rows]

    async def record_interaction(self, row: Mapping[str, Any]) -> bool:
        """An Interaction on a lead (and its message); idempotent by interaction_id."""
        rows = await self.graph.write(
            """
            MERGE (x:Interaction {interaction_id: $row.interaction_id})
              ON CREATE SET x += $row, x._new = true
            WITH x, coalesce(x._new, false) AS created REMOVE x._new
            WITH x, created
            OPTIONAL MATCH (l:Lead {lead_id: x.lead_id})
            OPTIONAL MATCH (m:Message {message_id: x.message_id})
            FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END | MERGE (l)-[:HAD]->(x))
            FOREACH (_ IN CASE WHEN m IS NULL THEN [] ELSE [1] END | MERGE (x)-[:ON_MESSAGE]->(m))
            RETURN created
            """,
            row=dict(row),
        )
        return bool(rows[0]["created"])

    async def record_outcome(self, row: Mapping[str, Any], *, lead_status: str | None = None) -> bool:
        rows = await self.graph.write(
            """
            MERGE (o:Outcome {outcome_id: $row.outcome_id})
              ON CREATE SET o += $row, o._new = true
            WITH o, coalesce(o._new, false) AS created REMOVE o._new
            WITH o, created
            OPTIONAL MATCH (l:Lead {lead_id: o.lead_id})
            FOREACH (_ IN CASE WHEN l IS NULL THEN [] ELSE [1] END |
                MERGE (l)-[:RESULTED_IN]->(o) SET l.status = coalesce($status, l.status))
            RETURN created
            """,
            row=dict(row),
            status=lead_status,
        )
        return bool(rows[0]["created"])

    async def outcomes(self) -> list[dict[str, Any]]:
        rows = await self.graph.read("MATCH (o:Outcome) RETURN o {.*} AS o ORDER BY o.occurred_at, o.outcome_id")
        return [_row(r["o"]) for r in rows]

    async def pending_outcomes(self, limit: int = 500) -> list[dict[str, Any]]:
        """Outcomes whose CRM webhook has not been delivered yet, with the lead's contact details."""
        rows = await self.graph.read(
            """
            MATCH (o:Outcome) WHERE o.webhook_delivered_at IS NULL
            OPTIONAL MATCH (l:Lead {lead_id: o.lead_id})
            OPTIONAL MATCH (p:Person {person_id: l.person_id})
            OPTIONAL MATCH (c:Company {company_id: l.company_id})
            RETURN o {.*} AS outcome, p.email AS email, p.full_name AS full_name, c.domain AS domain,
                   l.campaign_id AS campaign_id, l.owner AS owner
            ORDER BY o.occurred_at, o.outcome_id LIMIT $limit
            """,
            limit=limit,
        )
        return [_row(r) | {"outcome": _row(r["outcome"])} for r in rows]

    async def mark_outcome_delivered(self, outcome_id: str, at: datetime) -> None:
        await self.graph.write(
            "MATCH (o:Outcome {outcome_id: $id}) SET o.webhook_delivered_at = $at", id=outcome_id, at=at
        )

    async def imap_cursor(self, key: str) -> dict[str, Any] | None:
        rows = await self.graph.read("MATCH (c:ImapCursor {key: $key}) RETURN c {.*} AS c", key=key)
        return _row(rows[0]["c"]) if rows else None

    async def set_imap_cursor(self, key: str, uidvalidity: int, last_uid: int) -> None:
        await self.graph.write(
            "MERGE (c:ImapCursor {key: $key}) SET c.uidvalidity = $v, c.last_uid = $u, c.updated_at = $now",
            key=key,
            v=uidvalidity,
            u=last_uid,
            now=datetime.now(UTC),
        )

    # ---- learning -------------------------------------------------------------------------------

    async def variant_stats(self, step: int | None = None) -> list[dict[str, Any]]:
        """Per variant (and step): sends, replies, positive replies and clicks."""
        rows = await self.graph.read(
            """
            MATCH (x:Send) WHERE x.variant IS NOT NULL AND ($step IS NULL OR x.step = $step)
            OPTIONAL MATCH (i:Inbound {send_id: x.send_id, kind: 'reply'})
            WITH x, count(i) > 0 AS replied, any(lbl IN collect(i.label) WHERE lbl = 'interested') AS positive
            OPTIONAL MATCH (c:Interaction {message_id: x.message_id, type: 'click'})
            WITH x, replied, positive, count(c) > 0 AS clicked
            RETURN x.step AS step, x.variant AS variant, count(x) AS sends,
                   sum(CASE WHEN replied THEN 1 ELSE 0 END) AS replies,
                   sum(CASE WHEN positive THEN 1 ELSE 0 END) AS positive,
                   sum(CASE WHEN clicked THEN 1 ELSE 0 END) AS clicks
            ORDER BY step, variant
            """,
            step=step,
        )
        return [_row(r) for r in rows]

    async def timing_rows(self) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            """
            MATCH (x:Send) WHERE x.local_hour IS NOT NULL
            OPTIONAL MATCH (i:Inbound {send_id: x.send_id, kind: 'reply'})
            WITH x, count(i) > 0 AS replied
            RETURN coalesce(x.segment, 'all') AS segment, x.local_hour AS local_hour, replied
            """
        )
        return [_row(r) for r in rows]

    # ---- CRM export -----------------------------------------------------------------------------

    async def export_leads(self) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            """
            MATCH (l:Lead)
            OPTIONAL MATCH (p:Person {person_id: l.person_id})
            OPTIONAL MATCH (c:Company {company_id: l.company_id})
            OPTIONAL MATCH (l)-[:RESULTED_IN]->(o:Outcome)
            WITH l, p, c, o ORDER BY o.occurred_at
            RETURN l.lead_id AS lead_id, p.email AS email, p.full_name AS full_name, p.title AS title,
                   c.name AS company, c.domain AS domain, c.hq_country AS country, l.status AS status,
                   l.score AS score, l.tier AS tier, l.owner AS owner, l.campaign_id AS campaign_id,
                   l.last_sent_at AS last_sent_at, last(collect(o.type)) AS last_outcome
            ORDER BY l.lead_id
            """
        )
        return [_row(r) for r in rows]

    async def export_sends(self) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            """
            MATCH (x:Send)
            OPTIONAL MATCH (x)-[:OF]->(m:Message)
            RETURN x.send_id AS send_id, x.lead_id AS lead_id, x.recipient AS recipient, x.mailbox AS mailbox,
                   x.rfc_message_id AS rfc_message_id, x.step AS step, x.variant AS variant, x.sent_at AS sent_at,
                   x.approved_by AS approved_by, m.subject AS subject, m.body AS body
            ORDER BY x.sent_at, x.send_id
            """
        )
        return [_row(r) for r in rows]

    # ---- web analytics --------------------------------------------------------------------------

    async def record_visits(self, rows: Iterable[Mapping[str, Any]]) -> int:
        return await self.graph.upsert_batched(
            """
            UNWIND $rows AS row
            MERGE (v:WebVisit {visit_id: row.visit_id})
              ON CREATE SET v += row.props
            WITH v, row
            OPTIONAL MATCH (c:Company {domain: row.domain})
            FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (c)-[:VISITED]->(v))
            """,
            [dict(r) for r in rows],
        )

    async def engagement(self, domain: str) -> dict[str, Any]:
        rows = await self.graph.read(
            """
            OPTIONAL MATCH (v:WebVisit {domain: $domain})
            RETURN count(v) AS visits, sum(coalesce(v.pageviews, 1)) AS pageviews, collect(DISTINCT v.page)[..20]
                   AS pages, max(v.visited_at) AS last_visit
            """,
            domain=normalise_domain(domain),
        )
        return _row(rows[0])

    async def audience_rows(self) -> list[dict[str, Any]]:
        rows = await self.graph.read(
            """
            MATCH (p:Person) WHERE p.email IS NOT NULL
            OPTIONAL MATCH (p)-[w:WORKS_AT]->(c:Company)
            RETURN p.email AS email, p.full_name AS full_name, p.country AS country,
                   coalesce(p.lawful_basis, null) AS lawful_basis, coalesce(p.ads_consent, false) AS ads_consent,
                   coalesce(c.domain, p.company_domain) AS domain, c.hq_country AS company_country
            ORDER BY p.email
            """
        )
        return [_row(r) for r in rows]

    # ---- erasure --------------------------------------------------------------------------------

    async def erase_outreach_for_email(self, email: str) -> int:
        """Delete steps, sends, inbound mail and visits about one address (before the person is erased)."""
        address = normalise_email(email)
        rows = await self.graph.write(
            """
            OPTIONAL MATCH (s:OutreachStep {recipient: $a})
            WITH collect(DISTINCT s) AS steps
            OPTIONAL MATCH (x:Send {recipient: $a})
            WITH steps, collect(DISTINCT x) AS sends
            OPTIONAL MATCH (i:Inbound) WHERE i.from_address = $a OR i.send_id IN [y IN sends | y.send_id]
            WITH steps, sends, collect(DISTINCT i) AS inbound
            WITH steps + sends + inbound AS doomed
            FOREACH (n IN doomed | DETACH DELETE n)
            RETURN size(doomed) AS n
            """,
            a=address,
        )
        return int(rows[0]["n"]) if rows else 0

    async def emails_at_domain(self, domain: str) -> list[str]:
        d = normalise_domain(domain)
        rows = await self.graph.read(
            """
            MATCH (p:Person) WHERE p.email ENDS WITH $suffix RETURN p.email AS email
            UNION
            MATCH (s:OutreachStep) WHERE s.recipient ENDS WITH $suffix RETURN s.recipient AS email
            """,
            suffix="@" + d,
        )
        return sorted({r["email"] for r in rows if r["email"]})

    async def erase_company(self, domain: str) -> int:
        d = normalise_domain(domain)
        rows = await self.graph.write(
            """
            OPTIONAL MATCH (c:Company {domain: $d})
            OPTIONAL MATCH (c)-[:HAS_SIGNAL]->(g:Signal)
            OPTIONAL MATCH (v:WebVisit {domain: $d})
            OPTIONAL MATCH (l:Lead {company_id: c.company_id})
            WITH collect(DISTINCT c) AS cs, collect(DISTINCT g) AS gs, collect(DISTINCT v) AS vs,
                 collect(DISTINCT l) AS ls
            // pages we fetched from the company's own site, and their audit records, go too
            CALL () {
                MATCH (a) WHERE (a:Source OR a:Fetch) AND a.url IS NOT NULL
                  AND (a.url IN $exact OR any(p IN $prefixes WHERE a.url STARTS WITH p))
                RETURN collect(a) AS pages
            }
            WITH cs + gs + vs + ls + pages AS doomed
            FOREACH (n IN doomed | DETACH DELETE n)
            RETURN size(doomed) AS n
            """,
            d=d,
            prefixes=[
                f"{scheme}://{host}{end}"
                for scheme in ("http", "https")
                for host in (d, "www." + d)
                for end in ("/", "?", "#", ":")
            ],
            exact=[f"{scheme}://{host}" for scheme in ("http", "https") for host in (d, "www." + d)],
        )
        return int(rows[0]["n"]) if rows else 0
