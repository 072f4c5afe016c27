"""`amia forget EMAIL|DOMAIN`: erase a person or a company everywhere, keep a hashed suppression entry."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.base import print_json
from bot.errors import UsageError
from bot.outreach.forget import forget, parse_target
from bot.outreach.http import OUTREACH_KEY
from bot.outreach.outbox import OutboxTransport
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
        outreach = services.extras[OUTREACH_KEY]
        # The handle (not the opened store): when the running bot holds the store, the erasure is queued and
        # applied by the holder instead of being silently skipped.
        memory = services.extras.get("memory") if settings.memory.enabled else None
        outbox = outreach.transport if isinstance(outreach.transport, OutboxTransport) else None
        if outbox is None:
            outbox = OutboxTransport(settings.data_path().parent / settings.outreach.outbox_dir)
        report = await forget(outreach.store, args.target, memory=memory, outbox=outbox)
    if args.json:
        print_json(report.as_dict())
    else:
        d = report.as_dict()
        print(
            f"erased {report.kind} {args.target.strip()}: {d['people_erased']} people, {d['graph_nodes_deleted']} "
            f"graph records, {d['memories_deleted']} memories, {d['outbox_files_deleted']} outbox files; "
            f"kept suppression {d['suppression']} so they are never contacted again"
        )
    return 0
