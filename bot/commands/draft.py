"""`amia draft DOMAIN [--contact EMAIL] [--language xx] [--json]`: a cited, reviewed outreach sequence."""

from __future__ import annotations

import argparse
from typing import Any

from agents.copywriting.sequence import DraftPackage
from agents.workflows.drafting import Sender, UnknownCompany, draft_sequence
from bot.commands.base import print_json
from bot.errors import UsageError
from bot.services import build_services, build_spam_scorer
from bot.settings import Settings
from knowledge.graph.drafts import DraftStore, message_rows
from knowledge.models import InvalidDomain, normalise_domain, normalise_email

MARKS = {"block": "✗", "flag": "!", "info": "·", "pass": "✓"}


def register(sub: Any) -> None:
    p = sub.add_parser("draft", help="draft a cited outreach sequence for a researched company")
    p.add_argument("domain", metavar="DOMAIN", help="company domain, e.g. acme.io (research it first)")
    p.add_argument("--contact", metavar="EMAIL", help="which stored contact to write to (default: first with email)")
    p.add_argument("--language", metavar="xx", help="en, de, fr or es (default: the company's site language)")
    p.add_argument("--json", action="store_true", help="print the draft package as JSON")
    p.set_defaults(handler=handle)


def print_human(package: DraftPackage) -> None:
    mode = "deterministic templates" if package.mode == "template" else "model-written"
    print(f"{package.company} ({package.domain}) → {package.contact or 'no contact'} · {package.language} · {mode}")
    print(f"verdict: {package.verdict.value.upper()}")
    for f in package.findings:
        print(f"  {MARKS[f.severity]} {f.rule}: {f.text}\n      fix: {f.fix}")
    for s in package.steps:
        score = "not scored" if s.spam_score is None else f"{s.spam_score:.1f}"
        print(f"\n── step {s.step} · {s.angle} · {s.verdict.value} · spam {score}")
        for v in s.variants:
            print(f"   subject [{v.tag}]: {v.subject}")
        print("\n" + s.body)
        for i, c in enumerate(s.citations, 1):
            print(f"   [{i}] {c.text[:90]} — {c.source_url} (fact {c.fact_id})")
        for f in s.findings:
            if f.severity != "info":
                print(f"   {MARKS[f.severity]} {f.rule}: {f.text}\n       fix: {f.fix}")


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    try:
        domain = normalise_domain(args.domain)
        contact = normalise_email(args.contact) if args.contact else None
    except (InvalidDomain, ValueError) as exc:
        raise UsageError(f"{exc} (usage: amia draft DOMAIN [--contact EMAIL] [--language xx])") from exc
    language = args.language.lower() if args.language else None
    spam = build_spam_scorer(settings, one_shot=False)
    try:
        async with build_services(settings) as services:
            store = DraftStore(services.graph)
            profile = await services.graph.company_profile(domain)
            suppressions = await store.suppressions_for(contact) if contact else []
            if profile and not contact:
                first = next((p.email for p in profile.people if p.email), None)
                suppressions = await store.suppressions_for(first) if first else []
            sender = Sender(address=settings.outreach.from_address, public_url=settings.http.public_url)
            try:
                package = await draft_sequence(
                    profile,
                    domain=domain,
                    persona=settings.persona,
                    languages=settings.languages,
                    compliance=settings.compliance,
                    sender=sender,
                    contact_email=contact,
                    language=language,
                    spam=spam,
                    suppressions=suppressions,
                )
            except UnknownCompany as exc:
                raise UsageError(str(exc)) from exc
            if package.steps:
                lead, rows = message_rows(package)
                await store.save(lead, rows, actor="cli")
    finally:
        if spam:
            spam.close()
    if args.json:
        print_json(package.as_json())
    else:
        print_human(package)
    return 0
