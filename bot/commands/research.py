"""`amia research DOMAIN|URL [--json]`: research a company and print its profile, signals and sources."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agents.workflows.research import ResearchReport, research_company
from bot.commands.base import print_json
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("research", help="research a company's website into the knowledge graph")
    p.add_argument("target", help="domain (acme.io) or URL (https://acme.io/about)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument(
        "--max-pages", type=int, default=None, help="pages to fetch (default: crawler.max_pages_per_company)"
    )
    p.set_defaults(handler=handle)


def progress_bar(message: str, done: int, total: int) -> None:
    total = max(total, 1)
    filled = min(20, int(20 * done / total))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (20 - filled)}] {done}/{total} {message[:60]:<60}")
    sys.stderr.flush()


def render(report: ResearchReport) -> str:
    c = report.company
    lines = [f"{c.get('name') or report.domain} ({report.domain})  [{report.mode} mode]"]
    for key in ("description", "founded_year", "employee_count", "locations", "industries", "language"):
        if c.get(key):
            value = ", ".join(c[key]) if isinstance(c[key], list) else c[key]
            lines.append(f"  {key.replace('_', ' ')}: {value}")
    if report.people:
        lines.append("people:")
        lines += [f"  {p.full_name} — {p.title}" for p in report.people]
    if report.technologies:
        lines.append("technologies: " + ", ".join(f"{t.name} ({t.category})" for t in report.technologies))
    if report.customers:
        lines.append("customers named: " + ", ".join(str(x["name"]) for x in report.customers))
    if report.signals:
        lines.append("signals:")
        for s in report.signals:
            lines.append(f"  {s.type} {s.date or ''} ({s.confidence:.2f}): “{s.evidence}”\n      {s.source_url}")
    if report.closed_people:
        lines.append("no longer listed (facts ended): " + ", ".join(report.closed_people))
    lines.append("sources:")
    lines += [f"  [{s.kind}] {s.url}" for s in report.sources]
    skipped = [f for f in report.fetch_log if not f.ok]
    if skipped:
        lines.append("not fetched:")
        lines += [f"  {f.url}: {f.reason} — {f.detail}" for f in skipped]
    lines += [f"error: {e}" for e in report.errors]
    return "\n".join(lines)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        crawler = services.extras["crawler"]
        report = await research_company(
            args.target, crawler=crawler, graph=services.graph, on_progress=progress_bar, max_pages=args.max_pages
        )
    sys.stderr.write("\n")
    if args.json:
        print_json(report.model_dump(mode="json"))
    else:
        print(render(report))
    return 0 if report.ok else 1
