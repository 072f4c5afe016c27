"""Inbound mail: thread replies to the send they answer (In-Reply-To / References / our id in the subject),
parse DSN bounces (RFC 3464), recognise auto-replies, classify replies and record what happened.

Every message is kept as an Inbound node, matched or not, so nothing is lost; processing the same message
twice changes nothing (the inbound id is its Message-ID, or a hash of the bytes when it has none).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import parseaddr
from typing import Any

from agents.policies.replies import ReplyLabel, classify_reply
from bot.metrics import Metrics
from bot.outreach.unsubscribe import unsubscribe
from knowledge.graph.outreach import OutreachStore
from knowledge.models import fact_id_for

log = logging.getLogger(__name__)
OUR_ID = re.compile(r"<?(amia\.[0-9a-f]{16,64}@[A-Za-z0-9.-]+)>?")
RAW_LIMIT = 256_000
AUTO_SUBJECT = re.compile(
    r"^(auto(matic)?[- ]?(reply|response)|out of (the )?office|abwesenheit|absence|réponse auto)", re.I
)
BOUNCE_FROM = re.compile(r"^(mailer-daemon|postmaster)@", re.I)


@dataclass
class Bounce:
    recipient: str | None
    status: str | None
    action: str | None
    diagnostic: str | None

    @property
    def hard(self) -> bool:
        return (self.action or "").lower() == "failed" or (self.status or "").startswith("5")


@dataclass
class InboundResult:
    inbound_id: str
    kind: str  # reply | auto_reply | bounce | unmatched | duplicate
    lead_id: str | None = None
    send_id: str | None = None
    label: str | None = None
    needs_human: bool = False
    detail: str = ""
    referrals: list[dict[str, Any]] = field(default_factory=list)
    owner: str | None = None


def _text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AssertionError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload or "")
    text = str(content)
    if body.get_content_subtype() == "html":
        text = re.sub(r"<(br|/p|/div)[^>]*>", "\n", text, flags=re.I)
        text = re.sub(r"<[^>]+>", "", text)
    return text


def _ids(msg: Message) -> list[str]:
    refs = f"{msg.get('In-Reply-To', '')} {msg.get('References', '')} {msg.get('Subject', '')}"
    ids = [f"<{m}>" for m in OUR_ID.findall(refs)]
    return list(dict.fromkeys(reversed(ids)))  # the nearest ancestor first


def auto_submitted(msg: Message) -> bool:
    value = str(msg.get("Auto-Submitted", "no")).lower()
    return (
        value not in ("", "no")
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or str(msg.get("Precedence", "")).lower() in ("auto_reply", "bulk", "junk")
        or bool(AUTO_SUBJECT.search(str(msg.get("Subject", ""))))
    )


def parse_bounce(msg: EmailMessage) -> tuple[list[Bounce], list[str]] | None:
    """For a DSN (multipart/report; report-type=delivery-status): per-recipient results and our ids found."""
    is_report = msg.get_content_type() == "multipart/report"
    from_daemon = bool(BOUNCE_FROM.match(parseaddr(str(msg.get("From", "")))[1]))
    if not is_report and not from_daemon:
        return None
    bounces: list[Bounce] = []
    found: list[str] = []
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            payload = part.get_payload()
            for block in payload if isinstance(payload, list) else []:
                if not isinstance(block, Message):
                    continue
                recipient = str(block.get("Final-Recipient", "") or block.get("Original-Recipient", ""))
                if not recipient:
                    continue
                bounces.append(
                    Bounce(
                        recipient=recipient.split(";", 1)[-1].strip().lower() or None,
                        status=str(block.get("Status", "")).strip() or None,
                        action=str(block.get("Action", "")).strip() or None,
                        diagnostic=str(block.get("Diagnostic-Code", "")).strip()[:300] or None,
                    )
                )
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            found += [f"<{m}>" for m in OUR_ID.findall(part.as_string())]
    if not found:
        found = [f"<{m}>" for m in OUR_ID.findall(msg.as_string())]
    if not bounces and not is_report:
        text = _text_of(msg)
        code = re.search(r"\b([45]\.\d{1,3}\.\d{1,3})\b", text)
        addr = re.search(r"<?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>?:?\s", text)
        bounces.append(
            Bounce(addr.group(1).lower() if addr else None, code.group(1) if code else None, "failed", text[:300])
        )
    return bounces, list(dict.fromkeys(found))


def count(metrics: Metrics, result: InboundResult) -> None:
    """A new bounce by kind (hard, soft); a new reply by its classification, ``unmatched`` when no send matches.
    Duplicates (the same message seen again) are not counted."""
    if result.kind == "bounce":
        metrics.record_bounce(result.label or "hard")
    elif result.kind in ("reply", "auto_reply"):
        metrics.record_reply(result.label or "unknown")
    elif result.kind == "unmatched" and result.detail != "bounce without a send":
        metrics.record_reply("unmatched")


class InboundProcessor:
    def __init__(
        self, store: OutreachStore, *, own_addresses: frozenset[str] = frozenset(), metrics: Metrics | None = None
    ) -> None:
        self.store = store
        self.own_addresses = frozenset(a.lower() for a in own_addresses)
        self.metrics = metrics  # amia_bounces_total, amia_replies_total

    async def process(self, raw: bytes, now: datetime) -> InboundResult:
        """Record one inbound message and act on it (stop, suppress, outcome). Never raises on bad mail."""
        result = await self._process_safely(raw, now)
        if self.metrics is not None:
            count(self.metrics, result)
        return result

    async def _process_safely(self, raw: bytes, now: datetime) -> InboundResult:
        msg: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
        try:
            message_id = str(msg.get("Message-ID") or "").strip()
        except (ValueError, IndexError):  # a header the parser cannot even read
            message_id = ""
        inbound_id = fact_id_for("inbound", message_id or hashlib.sha256(raw).hexdigest())
        try:
            return await self._process(msg, raw, inbound_id, now)
        except (ValueError, LookupError, TypeError, AttributeError) as exc:
            log.warning("inbound %s could not be parsed: %s", inbound_id, type(exc).__name__)
            await self.store.record_inbound(self._row(inbound_id, raw, now, "unmatched", f"unparseable: {exc}"))
            return InboundResult(inbound_id, "unmatched", needs_human=True, detail=f"could not parse: {exc}")

    @staticmethod
    def _row(inbound_id: str, raw: bytes, now: datetime, kind: str, detail: str, **extra: Any) -> dict[str, Any]:
        return {
            "inbound_id": inbound_id,
            "kind": kind,
            "received_at": now,
            "detail": detail[:500],
            "raw": raw[:RAW_LIMIT].decode("utf-8", "replace"),
        } | {k: v for k, v in extra.items() if v is not None}

    async def _process(self, msg: EmailMessage, raw: bytes, inbound_id: str, now: datetime) -> InboundResult:
        subject = str(msg.get("Subject", ""))
        sender = parseaddr(str(msg.get("From", "")))[1].lower()
        bounce = parse_bounce(msg)
        if bounce is not None:
            return await self._bounce(bounce, raw, inbound_id, now, sender)
        send = await self.store.send_by_rfc_ids(_ids(msg))
        matched_by = "message-id"
        if send is None and sender:
            recent = await self.store.sends_to(sender) if "@" in sender else []
            send, matched_by = (recent[0], "sender-address") if recent else (None, "")
        if send is None:
            created = await self.store.record_inbound(
                self._row(inbound_id, raw, now, "unmatched", "no known Message-ID in In-Reply-To/References",
                          from_address=sender or None, subject=subject[:200])
            )  # fmt: skip
            kind = "unmatched" if created else "duplicate"
            return InboundResult(inbound_id, kind, needs_human=created, detail="no matching send")
        auto = auto_submitted(msg)
        verdict = classify_reply(
            subject, _text_of(msg), auto_submitted=auto, today=now.date(), own_addresses=self.own_addresses
        )
        kind = "auto_reply" if verdict.label is ReplyLabel.OUT_OF_OFFICE else "reply"
        referrals = [{"email": r.email, "name": r.name} for r in verdict.referrals]
        lead_id = str(send["lead_id"])
        created = await self.store.record_inbound(
            self._row(
                inbound_id, raw, now, kind, f"{verdict.label}: {verdict.rule}", send_id=send["send_id"],
                lead_id=lead_id, label=str(verdict.label), objection=verdict.objection, from_address=sender,
                subject=subject[:200], matched_by=matched_by, referrals_json=json.dumps(referrals),
                return_date=verdict.return_date.isoformat() if verdict.return_date else None,
            )
        )  # fmt: skip
        result = InboundResult(
            inbound_id, kind, lead_id=lead_id, send_id=str(send["send_id"]), label=str(verdict.label),
            needs_human=verdict.needs_human, detail=verdict.evidence or verdict.rule, referrals=referrals,
        )  # fmt: skip
        if not created:
            result.kind, result.needs_human = "duplicate", False
            return result
        if kind == "auto_reply":
            await self._postpone(lead_id, verdict.return_date, now)
            return result
        await self.store.record_interaction(
            {"interaction_id": fact_id_for("reply", inbound_id), "lead_id": lead_id, "type": "reply",
             "occurred_at": now, "message_id": send.get("message_id"), "actor": "recipient",
             "detail": str(verdict.label)}
        )  # fmt: skip
        await self.store.cancel_lead(lead_id, "reply")
        outcome = "positive_reply" if verdict.label is ReplyLabel.INTERESTED else "replied"
        await self.store.record_outcome(
            {"outcome_id": fact_id_for("outcome", lead_id, outcome, inbound_id), "lead_id": lead_id,
             "type": outcome, "occurred_at": now, "variant": send.get("variant"), "label": str(verdict.label)},
            lead_status="replied",
        )  # fmt: skip
        if verdict.label is ReplyLabel.UNSUBSCRIBE:
            await unsubscribe(
                self.store, str(send["recipient"]), lead_id=lead_id, source="reply", now=now,
                message_id=send.get("message_id"),
            )  # fmt: skip
        return result

    async def _postpone(self, lead_id: str, back: Any, now: datetime) -> None:
        """Out of office: move the lead's next steps to after the return date (or a week out)."""
        until = (
            datetime(back.year, back.month, back.day, tzinfo=now.tzinfo) + timedelta(days=1)
            if back
            else now + timedelta(days=7)
        )
        for step in await self.store.steps(lead_id=lead_id, status="scheduled"):
            if step["due_at"] < until:
                await self.store.reschedule(str(step["step_id"]), until, "out_of_office")

    async def _bounce(
        self, parsed: tuple[list[Bounce], list[str]], raw: bytes, inbound_id: str, now: datetime, sender: str
    ) -> InboundResult:
        bounces, ids = parsed
        send = await self.store.send_by_rfc_ids(ids) if ids else None
        if send is None:
            for b in bounces:
                if b.recipient and (recent := await self.store.sends_to(b.recipient)):
                    send = recent[0]
                    break
        if send is None:
            created = await self.store.record_inbound(
                self._row(inbound_id, raw, now, "unmatched", "bounce for a message we did not send",
                          from_address=sender or None)
            )  # fmt: skip
            return InboundResult(inbound_id, "unmatched" if created else "duplicate", detail="bounce without a send")
        hard = any(b.hard for b in bounces) if bounces else True
        first = bounces[0] if bounces else Bounce(None, None, None, None)
        lead_id = str(send["lead_id"])
        created = await self.store.record_inbound(
            self._row(inbound_id, raw, now, "bounce", f"{first.status} {first.diagnostic or ''}".strip(),
                      send_id=send["send_id"], lead_id=lead_id, label="hard" if hard else "soft",
                      from_address=sender or None)
        )  # fmt: skip
        result = InboundResult(
            inbound_id, "bounce" if created else "duplicate", lead_id=lead_id, send_id=str(send["send_id"]),
            label="hard" if hard else "soft", detail=f"{first.status or '?'} {first.diagnostic or ''}".strip(),
        )  # fmt: skip
        if not created:
            return result
        await self.store.record_interaction(
            {"interaction_id": fact_id_for("bounce", inbound_id), "lead_id": lead_id, "type": "bounce",
             "occurred_at": now, "message_id": send.get("message_id"), "actor": "system", "detail": result.detail}
        )  # fmt: skip
        if hard:
            await self.store.suppress(str(send["recipient"]), "email", "bounced", source=f"dsn:{inbound_id}")
            await self.store.cancel_lead(lead_id, "bounce")
            await self.store.record_outcome(
                {"outcome_id": fact_id_for("outcome", lead_id, "bounced"), "lead_id": lead_id, "type": "bounced",
                 "occurred_at": now, "variant": send.get("variant")},
                lead_status="stopped",
            )  # fmt: skip
        return result
