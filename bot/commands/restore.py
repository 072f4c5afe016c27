"""`amia restore FILE [--force]`: restore a backup onto an empty database and verify counts and checksums."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.backup import restore_backup
from bot.commands.base import print_json
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("restore", help="restore a backup archive onto an empty database, then verify it")
    p.add_argument("file", metavar="FILE", help="archive written by 'amia backup'")
    p.add_argument("--force", action="store_true", help="replace existing graph data, memory and stores")
    p.add_argument("--json", action="store_true", help="print the verified summary as JSON")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        summary = await restore_backup(settings, services.graph, Path(args.file), force=args.force)
    if args.json:
        print_json(summary)
    else:
        print(
            f"restored and verified: {summary['nodes']} nodes, {summary['relationships']} relationships "
            f"(content sha256 {summary['content_sha256'][:12]}… matches the backup)"
        )
    return 0
