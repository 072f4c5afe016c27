"""Ads audiences and web analytics.

Exports: customer-match upload files for LinkedIn, Google Ads and Meta with normalised, SHA-256-hashed emails,
only for people whose recorded lawful basis allows ad matching, and never for suppressed addresses.
Ingest: website visits by company domain and page from Plausible- or GA4-style CSV/JSON exports, stored as
WebVisit nodes and read back as engagement for scoring; `utm_campaign` is kept so campaign results can be joined.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.outreach.errors import CsvImportError
from knowledge.graph.outreach import OutreachStore
from knowledge.models import InvalidDomain, fact_id_for, normalise_domain

PLATFORMS = ("linkedin", "google", "meta")
# Bases that allow uploading a person to an ad platform. Legitimate interest for cold B2B email does not
# stretch to ad matching in the EU/UK, so only recorded consent (or an explicit ads_consent flag) counts.
ALLOWED_BASES = frozenset({"consent"})
GMAIL = frozenset({"gmail.com", "googlemail.com"})


def normalise_for_matching(email: str, platform: str) -> str:
    """Trim and lowercase; Google also wants dots removed from the local part of gmail addresses."""
    address = email.strip().lower()
    local, _, domain = address.partition("@")
    if platform == "google" and domain in GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
    return f"{local}@{domain}"


def hashed(email: str, platform: str) -> str:
    return hashlib.sha256(normalise_for_matching(email, platform).encode()).hexdigest()


@dataclass(frozen=True)
class AudienceExport:
    platform: str
    csv: str
    included: int
    excluded_no_basis: int
    excluded_suppressed: int


async def export_audience(store: OutreachStore, platform: str) -> AudienceExport:
    """The upload file for ``platform`` (linkedin | google | meta)."""
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform '{platform}': use {', '.join(PLATFORMS)}")
    included: list[Mapping[str, Any]] = []
    no_basis = suppressed = 0
    for row in await store.audience_rows():
        if not (row.get("ads_consent") or (row.get("lawful_basis") or "") in ALLOWED_BASES):
            no_basis += 1
            continue
        if await store.suppression_for(str(row["email"])):
            suppressed += 1
            continue
        included.append(row)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if platform == "google":  # Customer Match: hashed columns keep their plain names
        writer.writerow(["Email", "Country"])
        writer.writerows([hashed(r["email"], platform), r.get("country") or r.get("company_country") or ""]
                         for r in included)  # fmt: skip
    elif platform == "meta":
        writer.writerow(["email", "country"])
        writer.writerows([hashed(r["email"], platform), (r.get("country") or r.get("company_country") or "").lower()]
                         for r in included)  # fmt: skip
    else:  # LinkedIn Matched Audiences (contact list): SHA-256 emails are accepted in the email column
        writer.writerow(["email", "employeecompany", "country"])
        writer.writerows([hashed(r["email"], platform), r.get("domain") or "", r.get("country") or ""]
                         for r in included)  # fmt: skip
    return AudienceExport(platform, buf.getvalue(), len(included), no_basis, suppressed)


# ---- web analytics ----------------------------------------------------------------------------------

_DOMAIN_KEYS = ("company_domain", "domain", "organization_domain", "visitor_domain", "company")
_PAGE_KEYS = ("page", "page_path", "page_location", "url", "pathname", "name")
_VISIT_KEYS = ("visits", "visitors", "sessions", "count")
_VIEWS_KEYS = ("pageviews", "views", "event_count")
_DATE_KEYS = ("date", "event_date", "day", "timestamp", "event_timestamp")


def _first(row: Mapping[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        if row.get(key) not in (None, ""):
            return row[key]
    return None


def _date(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if text.isdigit() and len(text) == 8:  # GA4 event_date 20261124
            return datetime(int(text[:4]), int(text[4:6]), int(text[6:]), tzinfo=UTC)
        if text.isdigit() and len(text) >= 13:  # GA4 event_timestamp in microseconds
            return datetime.fromtimestamp(int(text) / 1_000_000, tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _int(value: Any, default: int) -> int:
    try:
        return int(float(str(value)))
    except (TypeError, ValueError):
        return default


@dataclass(frozen=True)
class VisitIngest:
    stored: int
    skipped: list[str]


def parse_visits(data: bytes, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows from CSV, a JSON list, or JSON lines. Each needs a company domain; other fields are optional."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError("the analytics export is not UTF-8 text") from exc
    stripped = text.lstrip()
    if not stripped:
        raise CsvImportError("the analytics export is empty")
    records: list[dict[str, Any]]
    try:
        if stripped.startswith("["):
            records = [dict(r) for r in json.loads(stripped)]
        elif stripped.startswith("{"):
            records = [dict(json.loads(line)) for line in stripped.splitlines() if line.strip()]
        else:
            records = [dict(r) for r in csv.DictReader(io.StringIO(text))]
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise CsvImportError(f"the analytics export is not valid JSON: {exc}") from exc
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for n, rec in enumerate(records, start=1):
        rec = {str(k).strip().lower(): v for k, v in rec.items()}
        params = rec.get("event_params")
        if isinstance(params, dict):
            rec = {**{str(k).lower(): v for k, v in params.items()}, **rec}
        try:
            domain = normalise_domain(str(_first(rec, _DOMAIN_KEYS) or ""))
        except InvalidDomain:
            skipped.append(f"record {n}: no company domain")
            continue
        page = str(_first(rec, _PAGE_KEYS) or "/")
        when = _date(_first(rec, _DATE_KEYS)) or datetime.combine(date.today(), datetime.min.time(), UTC)
        query = parse_qs(urlsplit(page).query)
        campaign = rec.get("utm_campaign") or next(iter(query.get("utm_campaign", [])), None)
        path = urlsplit(page).path or page
        rows.append(
            {
                "visit_id": fact_id_for("visit", domain, path, when.date(), source),
                "domain": domain,
                "props": {
                    "domain": domain,
                    "page": path,
                    "visits": _int(_first(rec, _VISIT_KEYS), 1),
                    "pageviews": _int(_first(rec, _VIEWS_KEYS), 1),
                    "visited_at": when,
                    "utm_campaign": str(campaign) if campaign else None,
                    "source": source,
                },
            }
        )
    for row in rows:
        row["props"] = {k: v for k, v in row["props"].items() if v is not None}
    return rows, skipped


async def ingest_visits(store: OutreachStore, data: bytes, *, source: str) -> VisitIngest:
    rows, skipped = parse_visits(data, source)
    if not rows:
        raise CsvImportError("no usable rows: each needs a company domain (column domain or company_domain)")
    await store.record_visits(rows)
    return VisitIngest(len(rows), skipped)
