"""CRM hand-off: HubSpot- and Salesforce-style CSV exports, a signed webhook per outcome, suppression CSV import.

Webhook: POST JSON to outreach.crm.webhook_url with headers
  X-AMIA-Event: outcome
  X-AMIA-Delivery: <outcome id>          (the same on retries: use it to de-duplicate)
  X-AMIA-Timestamp: <unix seconds>
  X-AMIA-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with AMIA_SECRET_KEY>
An outcome counts as delivered only on a 2xx answer; others stay pending and are sent again on the next run.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from bot.outreach.errors import CsvImportError
from knowledge.graph.outreach import OutreachStore
from knowledge.models import InvalidDomain, SuppressionReason, normalise_domain, normalise_email

log = logging.getLogger(__name__)

HUBSPOT_CONTACTS = [
    "Email", "First Name", "Last Name", "Job Title", "Company Name", "Company Domain Name", "Country/Region",
    "Lead Status", "Lifecycle Stage", "Contact owner", "AMIA Score", "AMIA Tier", "AMIA Last Outcome",
    "AMIA Lead ID",
]  # fmt: skip
SALESFORCE_LEADS = [
    "FirstName", "LastName", "Email", "Title", "Company", "Website", "Country", "LeadSource", "Status", "Rating",
    "Description", "AMIA_Lead_ID__c",
]  # fmt: skip
EMAILS = ["Activity Date", "Contact Email", "Subject", "Body", "Direction", "Message-ID", "Step", "Variant",
          "Approved By", "Sender"]  # fmt: skip
OUTCOMES = ["Date", "Lead ID", "Outcome", "Variant", "Label"]

_HUBSPOT_STATUS = {
    "new": "NEW", "researched": "NEW", "qualified": "OPEN", "drafted": "OPEN", "approved": "OPEN",
    "scheduled": "OPEN", "contacted": "ATTEMPTED_TO_CONTACT", "replied": "CONNECTED", "meeting": "CONNECTED",
    "won": "CONNECTED", "lost": "UNQUALIFIED", "disqualified": "UNQUALIFIED", "stopped": "UNQUALIFIED",
}  # fmt: skip
_SALESFORCE_STATUS = {
    "contacted": "Working - Contacted", "replied": "Working - Contacted", "meeting": "Working - Contacted",
    "won": "Closed - Converted", "lost": "Closed - Not Converted", "disqualified": "Closed - Not Converted",
    "stopped": "Closed - Not Converted",
}  # fmt: skip
_RATING = {"hot": "Hot", "warm": "Warm", "cold": "Cold"}


def _split(name: str | None) -> tuple[str, str]:
    parts = (name or "").split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", parts[0] if parts else "")


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, datetime) else v) for v in row])
    return buf.getvalue()


async def export_csv(store: OutreachStore, kind: str, style: str = "hubspot") -> str:
    """kind: leads | emails | outcomes; style: hubspot | salesforce (leads only differ)."""
    if kind == "leads":
        leads = await store.export_leads()
        if style == "salesforce":
            return _csv(SALESFORCE_LEADS, (
                [*_split(r["full_name"]), r["email"], r["title"], r["company"] or r["domain"],
                 f"https://{r['domain']}" if r["domain"] else None, r["country"], "AMIA",
                 _SALESFORCE_STATUS.get(r["status"] or "", "Open - Not Contacted"), _RATING.get(r["tier"] or ""),
                 f"score {r['score']}; last outcome {r['last_outcome']}" if r["score"] is not None else None,
                 r["lead_id"]]
                for r in leads
            ))  # fmt: skip
        return _csv(HUBSPOT_CONTACTS, (
            [r["email"], *_split(r["full_name"]), r["title"], r["company"], r["domain"], r["country"],
             _HUBSPOT_STATUS.get(r["status"] or "", "NEW"), "lead", r["owner"], r["score"], r["tier"],
             r["last_outcome"], r["lead_id"]]
            for r in leads
        ))  # fmt: skip
    if kind == "emails":
        sends = await store.export_sends()
        return _csv(EMAILS, (
            [s["sent_at"], s["recipient"], s["subject"], s["body"], "OUTGOING", s["rfc_message_id"], s["step"],
             s["variant"], s["approved_by"], s["mailbox"]]
            for s in sends
        ))  # fmt: skip
    if kind == "outcomes":
        return _csv(OUTCOMES, (
            [o.get("occurred_at"), o.get("lead_id"), o.get("type"), o.get("variant"), o.get("label")]
            for o in await store.outcomes()
        ))  # fmt: skip
    raise ValueError(f"unknown export '{kind}': use leads, emails or outcomes")


# ---- webhooks -----------------------------------------------------------------------------------


def sign_webhook(key: bytes, timestamp: int, body: bytes) -> str:
    return "sha256=" + hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def verify_webhook(key: bytes, timestamp: str, body: bytes, signature: str, *, tolerance: int = 300) -> bool:
    """For receivers (and tests): signature matches and the timestamp is recent."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return hmac.compare_digest(sign_webhook(key, ts, body), signature)


@dataclass(frozen=True)
class WebhookReport:
    delivered: int
    pending: int
    errors: list[str]


async def deliver_outcome_webhooks(
    store: OutreachStore,
    url: str,
    key: bytes,
    *,
    request_timeout: float = 10.0,
    attempts: int = 3,
    backoff: float = 0.5,
) -> WebhookReport:
    """POST every undelivered outcome; retry 5xx/timeouts a few times; leave failures pending for next time."""
    delivered, errors = 0, []
    pending = await store.pending_outcomes()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=request_timeout)) as http:
        for row in pending:
            outcome = row["outcome"]
            body = json.dumps(
                {"event": "outcome", "outcome": outcome, "lead": {k: row.get(k) for k in
                 ("email", "full_name", "domain", "campaign_id", "owner")}},
                default=str, sort_keys=True,
            ).encode()  # fmt: skip
            last_error = ""
            for attempt in range(attempts):
                ts = int(time.time())
                headers = {
                    "Content-Type": "application/json",
                    "X-AMIA-Event": "outcome",
                    "X-AMIA-Delivery": str(outcome["outcome_id"]),
                    "X-AMIA-Timestamp": str(ts),
                    "X-AMIA-Signature": sign_webhook(key, ts, body),
                }
                try:
                    async with http.post(url, data=body, headers=headers) as resp:
                        if 200 <= resp.status < 300:
                            await store.mark_outcome_delivered(str(outcome["outcome_id"]), datetime.now(UTC))
                            delivered += 1
                            last_error = ""
                            break
                        last_error = f"HTTP {resp.status}"
                        if resp.status < 500 and resp.status != 429:
                            break  # the receiver refuses it: retrying now will not help
                except (aiohttp.ClientError, TimeoutError) as exc:
                    last_error = f"{type(exc).__name__}: {exc}"
                await asyncio.sleep(backoff * 2**attempt)
            if last_error:
                errors.append(f"outcome {outcome['outcome_id']}: {last_error}")
    return WebhookReport(delivered, len(pending) - delivered, errors)


# ---- suppression import -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    added: int
    already: int
    skipped: list[str]


def parse_suppression_csv(data: bytes, *, skip_invalid: bool = False) -> list[tuple[str, str, str]]:
    """Rows (value, kind, reason) from a CSV with a column email, domain, or value (+ kind); reason optional.
    Raises CsvImportError naming the lines that are wrong (nothing is imported from a broken file)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from exc
    if not text.strip():
        raise CsvImportError("the file is empty")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    column = next((fields[c] for c in ("email", "e-mail", "email address", "domain", "value") if c in fields), None)
    if column is None:
        raise CsvImportError(
            f"no email, domain or value column in the header (found: {', '.join(fields) or 'nothing'})"
        )
    kind_col, reason_col = fields.get("kind"), fields.get("reason")
    out: list[tuple[str, str, str]] = []
    bad: list[str] = []
    reasons = {r.value for r in SuppressionReason}
    for line_no, row in enumerate(reader, start=2):
        raw = (row.get(column) or "").strip()
        if not raw:
            continue
        kind = (row.get(kind_col) or "").strip().lower() if kind_col else ""
        kind = kind or ("email" if "@" in raw else "domain")
        reason = (row.get(reason_col) or "").strip().lower() if reason_col else ""
        reason = reason or "do_not_contact"
        try:
            if kind not in ("email", "domain"):
                raise ValueError(f"kind must be email or domain, not '{kind}'")
            if reason not in reasons:
                raise ValueError(f"reason must be one of {', '.join(sorted(reasons))}")
            value = normalise_email(raw) if kind == "email" else normalise_domain(raw)
        except (ValueError, InvalidDomain) as exc:
            bad.append(f"line {line_no}: {exc}")
            continue
        out.append((value, kind, reason))
    if bad and not skip_invalid:
        shown = "; ".join(bad[:10]) + (f"; and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise CsvImportError(f"{len(bad)} invalid rows, nothing imported: {shown}")
    if not out and not bad:
        raise CsvImportError(f"no rows with a value in column '{column}'")
    return out


async def import_suppressions(
    store: OutreachStore, data: bytes, *, source: str, skip_invalid: bool = False
) -> ImportReport:
    rows = parse_suppression_csv(data, skip_invalid=skip_invalid)
    added = already = 0
    for value, kind, reason in rows:
        if await store.suppress(value, kind, reason, source=source):
            added += 1
        else:
            already += 1
    skipped: list[str] = []
    if skip_invalid:
        try:
            parse_suppression_csv(data)
        except CsvImportError as exc:
            skipped = [str(exc)]
    return ImportReport(added, already, skipped)
