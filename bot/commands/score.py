"""`amia score DOMAIN [--json]`: score a company with per-criterion contributions, evidence and history."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agents.workflows.scoring import active_learned_points, score_company
from bot.commands.base import print_json
from bot.errors import UsageError
from bot.services import build_services
from bot.settings import Settings
from knowledge.models import InvalidDomain, normalise_domain


def register(sub: Any) -> None:
    p = sub.add_parser("score", help="score a company with per-criterion contributions")
    p.add_argument("domain", metavar="DOMAIN", help="company domain, e.g. acme.io")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    try:
        domain = normalise_domain(args.domain)
    except InvalidDomain as exc:
        raise UsageError(f"{exc}. usage: amia score DOMAIN [--json]") from exc
    async with build_services(settings) as services:
        learned = await active_learned_points(services.graph)
        from agents.workflows.pipeline import team_rules_from

        rules, note = await team_rules_from(services.extras.get("memory"))
        if note:
            print(note, file=sys.stderr)
        scored = await score_company(
            services.graph, domain, settings.icp, settings.scoring, learned=learned, team_rules=rules
        )
    if scored is None:
        raise UsageError(f"{domain} is not in the graph yet; research it first: amia research {domain}")
    r = scored.result
    if args.json:
        print_json(r.model_dump(mode="json") | {"change": scored.change, "previous": scored.previous})
        return 0
    print(f"{r.name or r.domain} ({r.domain}): {r.score:.0f}/100, {r.tier} ({scored.change})")
    print(f"  fit {r.fit:.1f} + intent {r.intent:.1f} + engagement {r.engagement:.1f}   weights: {r.weights}")
    for c in r.contributions:
        cite = next((e for e in c.evidence if e.source_url or e.fact_id), None)
        where = f"  [{cite.source_url or cite.fact_id}]" if cite else ""
        print(f"  {c.points:+6.1f}  {c.name:<26} {c.detail}{where}")
    for reason in r.excluded_reasons:
        print(f"  excluded: {reason}")
    print(f"next: {r.next_action}")
    return 0
