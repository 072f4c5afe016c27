"""`amia lead DOMAIN [--contact EMAIL] [--language xx] [--json]`: the whole pipeline for one lead.

Research (only when the company is not in the graph yet) → score → (if qualified) draft → compliance review.
With a model configured the four agents run as a team (GraphFlow); without one the same tools run in order.
The output says which mode ran. Nothing is sent: approval happens in Slack or the console.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agents.llm.lead import LeadTask
from agents.llm.runstore import RunStore
from agents.llm.team import LeadTeam
from agents.workflows.pipeline import UnknownLead, process_lead, team_rules_from
from agents.workflows.research import research_company
from bot.commands.base import print_json
from bot.errors import UsageError
from bot.services import build_services, build_spam_scorer
from bot.settings import Settings
from bot.workflows import lead_toolbox
from knowledge.models import InvalidDomain, normalise_domain


def register(sub: Any) -> None:
    p = sub.add_parser("lead", help="research, score, draft and review one lead (the agent team when an LLM is set)")
    p.add_argument("domain", help="company domain or URL")
    p.add_argument("--contact", help="email of the person to write to (default: the best contact found)")
    p.add_argument("--language", help="draft language (default: the company's site language)")
    p.add_argument("--json", action="store_true", help="machine-readable outcome")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    try:
        domain = normalise_domain(args.domain)
    except InvalidDomain as exc:
        raise UsageError(f"{exc}. Usage: amia lead DOMAIN [--contact EMAIL]") from exc
    async with build_services(settings) as services:
        crawler = services.extras.get("crawler")

        async def research(target: str) -> object:
            if crawler is None:
                raise UsageError(f"{target} is not in the graph and web research is unavailable")
            return await research_company(target, crawler=crawler, graph=services.graph)

        spam = build_spam_scorer(settings, one_shot=True)
        try:
            toolbox = lead_toolbox(services, spam, research)
            rules, note = await team_rules_from(services.extras.get("memory"))
            client = services.extras.get("llm")
            team = (
                LeadTeam(client, settings.llm, settings.persona, toolbox, services.extras["budget"], rules)
                if client is not None
                else None
            )
            try:
                outcome = await process_lead(
                    LeadTask(domain, contact=args.contact, language=args.language),
                    toolbox=toolbox,
                    team=team,
                    rules=rules,
                    runs=RunStore(settings.data_path("runs")),
                    graph=services.graph,
                )
            except UnknownLead as exc:
                raise UsageError(f"{exc} (see docs/drafting-and-compliance.md)") from exc
        finally:
            if spam:
                spam.close()
    if note:
        outcome.notes.append(note)
    if args.json:
        print_json(outcome.to_dict())
        return 0
    data = outcome.to_dict()
    print(f"{domain}: {data['status']} ({data['mode_note']})")
    for step, how in data["steps"].items():
        print(f"  {step}: {how}")
    if data["score"]:
        print(f"  score: {data['score'].get('score')} qualified={data['score'].get('qualified')}")
    if data["review"]:
        print(f"  compliance: {data['review'].get('verdict')}")
    for n in data["notes"]:
        print(f"  note: {n}", file=sys.stderr)
    return 0
