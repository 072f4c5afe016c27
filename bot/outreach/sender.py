"""The only code that sends email. It schedules approved messages as sequence steps and delivers a claimed
step: re-checks approval, compliance, suppression and stops; renders, signs, records exactly what goes out
(and who approved it) before handing it to the transport; retries temporary failures; never sends a step twice.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agents.policies.ab_testing import Experiment, VariantStats, choose_variant, stats_from, summarise
from agents.policies.sequencing import SendRules, first_slot, timezone_for, timing_model_from
from bot.metrics import Metrics
from bot.outreach.config import OutreachConfig
from bot.outreach.dkim import DkimSigner
from bot.outreach.errors import NotSendable, PermanentFailure, TemporaryFailure
from bot.outreach.mime import OutgoingEmail, build_message, message_id_for
from bot.outreach.tokens import TokenSigner
from bot.outreach.transport import Transport
from knowledge.graph.drafts import DraftStore, InvalidTransition
from knowledge.graph.outreach import OutreachStore, step_key

log = logging.getLogger(__name__)

SCHEDULABLE = frozenset({"approved", "scheduled"})
SENDABLE = frozenset({"approved", "scheduled"})
PASSING = frozenset({"pass", "flag"})  # 'flag' needs the human approval every message has anyway


def rules_from(config: OutreachConfig) -> SendRules:
    s = config.sending
    return SendRules(
        start_hour=s.business_hours_start,
        end_hour=s.business_hours_end,
        business_days=frozenset(s.business_days),
        min_gap=timedelta(days=s.min_gap_days),
        mailbox_gap=timedelta(seconds=s.min_gap_per_mailbox_seconds),
        daily_cap=s.daily_cap_per_mailbox,
        stagger=timedelta(seconds=s.stagger_seconds),
    )


def mailboxes_from(config: OutreachConfig) -> list[str]:
    return list(config.sending.mailboxes) or [config.from_address]


def segment_of(message: Mapping[str, Any]) -> str:
    industries = message.get("industries") or []
    return f"{(message.get('country') or 'xx').upper()}:{industries[0] if industries else 'any'}"


def _local_tz(message: Mapping[str, Any], default: str) -> str:
    locations = message.get("locations") or []
    return timezone_for(message.get("country"), " ".join(locations), default)


@dataclass(frozen=True)
class DeliveryResult:
    step_id: str
    status: str  # sent | retry | failed | refused
    detail: str
    reason: str = ""  # why a step was refused: NotSendable's code (suppressed, not_approved, ...)


class Sender:
    """Schedules approved messages and delivers claimed steps. Build it in the composition root."""

    def __init__(
        self,
        store: OutreachStore,
        transport: Transport,
        config: OutreachConfig,
        tokens: TokenSigner,
        *,
        public_url: str,
        sender_name: str | None = None,
        signer: DkimSigner | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        metrics: Metrics | None = None,
    ) -> None:
        self.metrics = metrics  # amia_emails_sent_total by outcome
        self.store = store
        self.transport = transport
        self.config = config
        self.tokens = tokens
        self.public_url = public_url.rstrip("/")
        self.sender_name = config.from_name or sender_name
        self.signer = signer
        self.clock = clock
        self.rules = rules_from(config)

    # ---- checks ---------------------------------------------------------------------------------

    async def _check(self, message: Mapping[str, Any] | None, message_id: str, allowed: frozenset[str]) -> None:
        if message is None:
            raise NotSendable(f"message {message_id} does not exist", reason="not_found")
        if message.get("status") not in allowed:
            raise NotSendable(
                f"message {message_id} is '{message.get('status')}', not approved: only approved messages are sent",
                reason="not_approved",
            )
        if not message.get("approved_by"):
            raise NotSendable(f"message {message_id} has no recorded approver", reason="not_approved")
        verdict = message.get("compliance_verdict")
        if verdict not in PASSING:
            shown = verdict or "missing"
            raise NotSendable(f"message {message_id}: compliance verdict is {shown}", reason="compliance")
        if not message.get("recipient"):
            raise NotSendable(f"message {message_id}: the lead has no email address", reason="no_recipient")
        if message.get("lead_stop"):
            raise NotSendable(f"the sequence for this lead is stopped ({message['lead_stop']})", reason="stopped")
        blocked = await self.store.suppression_for(str(message["recipient"]))
        if blocked:
            raise NotSendable(f"the recipient is on the suppression list ({blocked['reason']})", reason="suppressed")

    # ---- scheduling -----------------------------------------------------------------------------

    async def schedule_approved_message(
        self,
        message_id: str,
        *,
        approved_by: str | None = None,
        not_before: datetime | None = None,
        hours: list[int] | None = None,
    ) -> dict[str, Any]:
        """Schedule an approved, compliant message as its lead's sequence step. Safe to call twice (a double
        click on Approve): the step's idempotency key is (lead, step), so the second call returns the first step.
        Raises NotSendable with the reason when the message may not go out."""
        message = await self.store.message_for_sending(message_id)
        await self._check(message, message_id, SCHEDULABLE)
        assert message is not None
        step_id = step_key(str(message["lead_id"]), int(message["step"]))
        existing = await self.store.step(step_id)
        if existing is not None:
            return existing
        now = self.clock()
        tz = _local_tz(message, self.config.sending.default_timezone)
        state = await self.store.lead_state(str(message["lead_id"]))
        if hours is None:  # learned send windows for this segment, once there is enough data
            hours = timing_model_from(await self.store.timing_rows()).best_hours(segment_of(message), self.rules)
        due = first_slot(step_id, not_before or now, tz, self.rules, last_sent_at=state["last_sent_at"], hours=hours)
        created, step = await self.store.schedule_step(
            {
                "step_id": step_id,
                "lead_id": message["lead_id"],
                "message_id": message_id,
                "step": int(message["step"]),
                "variant": message.get("variant"),
                "recipient": str(message["recipient"]).lower(),
                "timezone": tz,
                "segment": segment_of(message),
                "due_at": due,
                "approved_by": approved_by or message["approved_by"],
                "scheduled_at": now,
            }
        )
        if created:
            await self._move(message_id, "scheduled", str(approved_by or message["approved_by"]))
            log.info("scheduled step %s for %s", step_id, due.isoformat())
        return step

    async def schedule_best_variant(
        self,
        message_ids: list[str],
        *,
        approved_by: str | None = None,
        not_before: datetime | None = None,
        rng: random.Random | None = None,
        min_sends: int = 20,
        explore: float = 0.1,
    ) -> dict[str, Any]:
        """Several approved variants of one lead's step: pick one by Thompson sampling on the replies each
        variant earned so far (every variant first gets ``min_sends``), schedule it, return the step."""
        if not message_ids:
            raise NotSendable("no variants given", reason="not_found")
        messages = {mid: await self.store.message_for_sending(mid) for mid in message_ids}
        for mid, message in messages.items():
            await self._check(message, mid, SCHEDULABLE)
        keys = {(m["lead_id"], m["step"]) for m in messages.values() if m}
        if len(keys) != 1:
            raise NotSendable("variants must belong to the same lead and step", reason="not_approved")
        step = int(next(iter(keys))[1])
        by_variant = {str(m.get("variant") or mid): mid for mid, m in messages.items() if m}
        history = {str(r["variant"]): r for r in await self.store.variant_stats(step)}
        stats = [
            VariantStats(v, int(history.get(v, {}).get("sends", 0)), int(history.get(v, {}).get("replies", 0)))
            for v in sorted(by_variant)
        ]
        chosen = choose_variant(stats, rng or random.Random(), min_sends=min_sends, explore=explore)
        return await self.schedule_approved_message(by_variant[chosen], approved_by=approved_by, not_before=not_before)

    async def experiment(self, step: int, *, metric: str = "replies") -> Experiment:
        """Each variant's rate (replies, positive or clicks) with a 95% credible interval, and a winner if clear."""
        rows = await self.store.variant_stats(step)
        return summarise(
            stats_from([{"variant": r["variant"], "sends": r["sends"], "successes": r[metric]} for r in rows])
        )

    async def _move(self, message_id: str, to: str, actor: str) -> None:
        """Advance the draft lifecycle (with its audit event); a message already past ``to`` is left alone."""
        try:
            await DraftStore(self.store.graph).transition(message_id, to, actor=actor)
        except InvalidTransition as exc:
            log.info("message %s not moved to %s: %s", message_id, to, exc)

    async def record_sent(self, step: Mapping[str, Any], record: Mapping[str, Any]) -> None:
        """Record a send (also used when a crashed worker's send is recovered or resolved)."""
        await self.store.mark_sent(str(step["step_id"]), record)
        await self._move(str(step["message_id"]), "sent", "system")

    async def resolve(self, step_id: str, *, delivered: bool, actor: str) -> bool:
        """A human decides an in-doubt step: it went out (record it) or it did not (send it again)."""
        step = await self.store.step(step_id)
        if step is None or step["status"] != "unknown":
            return False
        if delivered:
            await self.record_sent(
                step, self.store.send_record(step, sent_at=self.clock(), transport="resolved", response=actor)
            )
            return True
        return await self.store.resolve_unknown(step_id, delivered=False, actor=actor, now=self.clock())

    # ---- delivery -------------------------------------------------------------------------------

    def _render(self, step: Mapping[str, Any], message: Mapping[str, Any], mailbox: str, now: datetime) -> bytes:
        domain = mailbox.rsplit("@", 1)[1]
        rfc_id = message_id_for(str(step["step_id"]), domain)
        token = self.tokens.sign("unsubscribe", {"e": step["recipient"], "l": step["lead_id"], "s": step["step_id"]})
        tracking = self.config.tracking
        utm = {
            "utm_source": tracking.utm_source,
            "utm_medium": tracking.utm_medium,
            "utm_campaign": str(message.get("campaign_id") or step["lead_id"])[:40],
            "utm_content": f"step{step['step']}" + (f"-{step['variant']}" if step.get("variant") else ""),
        }

        def wrap(url: str) -> str:
            signed = self.tokens.sign(
                "click", {"u": url, "s": step["step_id"], "m": step["message_id"], "l": step["lead_id"]}
            )
            return f"{self.public_url}/c/{signed}"

        mail = OutgoingEmail(
            from_address=mailbox,
            from_name=self.sender_name,
            to_address=str(step["recipient"]),
            to_name=message.get("recipient_name"),
            subject=str(message["subject"]),
            text=str(message["body"]),
            html_body=message.get("body_html"),
            language=str(message.get("language") or "en"),
            rfc_message_id=rfc_id,
            date=now,
            reply_to=self.config.reply_to,
            unsubscribe_url=f"{self.public_url}/u/{token}",
            unsubscribe_mailto=self.config.unsubscribe_mailto or self.config.from_address,
            utm=utm,
        )
        raw = build_message(mail, wrap_link=wrap if tracking.clicks else None).as_bytes()
        return self.signer.sign(raw) if self.signer else raw

    async def deliver(self, step: Mapping[str, Any], mailbox: str, owner: str, now: datetime) -> DeliveryResult:
        """Send a step this worker has claimed. Records before and after the hand-over to the transport."""
        result = await self._deliver(step, mailbox, owner, now)
        if self.metrics is not None:  # sent, retry, failed, suppressed or refused (not approved, stopped, lease lost)
            self.metrics.record_send("suppressed" if result.reason == "suppressed" else result.status)
        return result

    async def _deliver(self, step: Mapping[str, Any], mailbox: str, owner: str, now: datetime) -> DeliveryResult:
        step_id = str(step["step_id"])
        message = await self.store.message_for_sending(str(step["message_id"]))
        try:
            await self._check(message, str(step["message_id"]), SENDABLE)
        except NotSendable as exc:
            await self.store.finish(step_id, "cancelled", str(exc))
            return DeliveryResult(step_id, "refused", str(exc), exc.reason)
        assert message is not None
        raw = self._render(step, message, mailbox, now)
        rfc_id = message_id_for(step_id, mailbox.rsplit("@", 1)[1])
        local_hour = now.astimezone(ZoneInfo(str(step.get("timezone") or "UTC"))).hour
        record = {
            "rfc_message_id": rfc_id,
            "mailbox": mailbox,
            "raw": raw.decode("utf-8", "replace"),
            "raw_sha256": hashlib.sha256(raw).hexdigest(),
        }
        if not await self.store.hand_over(step_id, owner, record):
            return DeliveryResult(step_id, "refused", "the step is no longer ours (lease lost)")
        try:
            response = await self.transport.send(
                raw, sender=mailbox, recipients=[str(step["recipient"])], rfc_message_id=rfc_id
            )
        except TemporaryFailure as exc:
            attempts = int(step.get("attempts") or 1)
            if attempts >= self.config.smtp.max_attempts:
                await self.store.finish(step_id, "failed", f"gave up after {attempts} attempts: {exc}")
                return DeliveryResult(step_id, "failed", str(exc))
            delay = timedelta(seconds=self.config.smtp.retry_base_seconds * 2 ** (attempts - 1))
            await self.store.reschedule(step_id, now + delay, "retry", error=str(exc))
            log.warning("step %s not sent (%s); retry %d in %s", step_id, exc, attempts + 1, delay)
            return DeliveryResult(step_id, "retry", str(exc))
        except PermanentFailure as exc:
            await self.store.finish(step_id, "failed", str(exc))
            return DeliveryResult(step_id, "failed", str(exc))
        full = dict(step) | record | {"local_hour": local_hour}
        await self.record_sent(
            full, self.store.send_record(full, sent_at=now, transport=self.transport.name, response=response)
        )
        log.info("step %s sent via %s", step_id, self.transport.name)
        return DeliveryResult(step_id, "sent", response)
