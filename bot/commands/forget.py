"""`amia forget EMAIL|DOMAIN`: erase a person or a company everywhere, keep a hashed suppression entry."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.base import print_json
from bot.errors import UsageError
from bot.outreach.forget import forget_everywhere, parse_target
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("forget", help="erase a person (EMAIL) or company (DOMAIN) everywhere; keep a hashed block")
    p.add_argument("target", metavar="EMAIL|DOMAIN", help="e.g. jane@acme.io or acme.io")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    try:
        parse_target(args.target)
    except ValueError as exc:
        raise UsageError(f"{exc}. Usage: amia forget EMAIL|DOMAIN") from exc
    async with build_services(settings) as services:
        report = await forget_everywhere(services, args.target)
    if args.json:
        print_json(report.as_dict())
    else:
        d = report.as_dict()
        print(
            f"erased {report.kind} {args.target.strip()}: {d['people_erased']} people, {d['graph_nodes_deleted']} "
            f"graph records, {d['memories_deleted']} memories, {d['outbox_files_deleted']} outbox files, "
            f"{d['bot_state_rows_deleted']} bot state rows; "
            f"kept suppression {d['suppression']} so they are never contacted again"
        )
    return 0
