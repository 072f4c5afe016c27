"""`amia backup FILE`: write the graph, memory store and local SQLite stores to one verified archive."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.backup import create_backup
from bot.commands.base import print_json
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("backup", help="export the graph, memory and local stores to a .tar.gz archive")
    p.add_argument("file", metavar="FILE", help="archive to write (e.g. amia-2025-01-31.tar.gz); replaced atomically")
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        result = await create_backup(settings, services.graph, Path(args.file))
    if args.json:
        print_json(result.manifest)
    else:
        g = result.manifest["graph"]
        print(
            f"backup written to {result.path}: {g['nodes']} nodes, {g['relationships']} relationships, "
            f"{len(result.manifest['files'])} files (content sha256 {g['content_sha256'][:12]}…)"
        )
    return 0
