"""`amia review FILE.eml|- [--country CC] [--consent express|implied] [--json]`: the verdict for any email."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agents.policies.compliance import ReviewContext
from agents.policies.compliance_rules.base import ConsentRecord
from agents.workflows.review import ReviewResult, review_raw
from bot.commands.base import print_json
from bot.errors import UsageError
from bot.services import build_spam_scorer
from bot.settings import Settings

MARKS = {"block": "✗", "flag": "!", "info": "·"}


def register(sub: Any) -> None:
    p = sub.add_parser("review", help="compliance verdict for an email (.eml file or - for stdin)")
    p.add_argument("file", metavar="FILE.eml|-", help="RFC 5322 message to review; '-' reads stdin")
    p.add_argument("--country", help="recipient's country (ISO 3166 alpha-2, e.g. DE, GB, CA, US)")
    p.add_argument(
        "--consent",
        choices=["express", "implied"],
        help="consent on record for this recipient (CASL for CA; consent-based GDPR)",
    )
    p.add_argument(
        "--consent-date",
        metavar="YYYY-MM-DD",
        help="when the consent was recorded; implied consent lapses two years later (CASL)",
    )
    p.add_argument("--consent-source", metavar="TEXT", help="how it was obtained (form URL, meeting, business card…)")
    p.add_argument("--json", action="store_true", help='print {"verdict","findings","spam_score"}')
    p.set_defaults(handler=handle)


IMPLIED_CONSENT_DAYS = 2 * 365  # CASL s.10(10): an existing business relationship implies consent for two years


def consent_record(kind: str | None, date: str | None, source: str | None) -> ConsentRecord | None:
    """The consent the user vouches for on the command line; the options without --consent are an error."""
    if kind is None:
        if date or source:
            raise UsageError("--consent-date and --consent-source describe a consent: add --consent express|implied")
        return None
    recorded = None
    if date:
        try:
            recorded = datetime.strptime(date, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise UsageError(f"--consent-date expects YYYY-MM-DD (got {date!r})") from None
        if recorded > datetime.now(UTC):
            raise UsageError(f"--consent-date {date} is in the future")
    expires = recorded + timedelta(days=IMPLIED_CONSENT_DAYS) if kind == "implied" and recorded else None
    return ConsentRecord(kind=kind, recorded_at=recorded, expires_at=expires, source=source)  # type: ignore[arg-type]


def read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"cannot read {name}: no such file (usage: amia review FILE.eml|- [--country CC])")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror}") from exc


def country_code(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise UsageError(f"--country expects a two-letter ISO code like DE, GB, CA or US (got {value!r})")
    return code


def print_human(result: ReviewResult) -> None:
    score = "not scored" if result.spam_score is None else f"{result.spam_score:.1f}"
    print(f"verdict: {result.verdict.value.upper()}   spam score: {score}")
    for f in sorted(result.findings, key=lambda f: ("block", "flag", "info").index(f.severity)):
        print(f"  {MARKS[f.severity]} {f.rule}: {f.text}")
        if f.severity != "info":
            print(f"      fix: {f.fix}")


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    country = country_code(args.country)
    consent = consent_record(args.consent, args.consent_date, args.consent_source)
    raw = read_input(args.file)
    spam = build_spam_scorer(settings, one_shot=True)
    try:
        result = await review_raw(
            raw, settings.compliance, ctx=ReviewContext(country=country, consent=consent), spam=spam
        )
    finally:
        if spam:
            spam.close()
    if args.json:
        print_json(result.as_json())
    else:
        print_human(result)
    return 0
