"""`amia neo4j start|stop|status`: manage the project's local Neo4j server."""

from __future__ import annotations

import argparse
import time
from typing import Any

from bot.services import local_neo4j
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("neo4j", help="start, stop or show the local Neo4j server")
    p.add_argument("action", choices=["start", "stop", "status"])
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if settings.secrets.NEO4J_URI and args.action != "status":
        print(f"NEO4J_URI is set ({settings.secrets.NEO4J_URI}); AMIA uses that server and does not manage it.")
        return 0
    server = local_neo4j(settings)
    if args.action == "start":
        running = server.status()
        if running:
            print(f"Neo4j already running at {running.uri} (pid {running.pid})")
            return 0
        t0 = time.monotonic()
        info = server.start(
            port=settings.neo4j.local_port,
            heap=settings.neo4j.local_heap,
            pagecache=settings.neo4j.local_pagecache,
        )
        print(f"Neo4j started at {info.uri} (pid {info.pid}) in {time.monotonic() - t0:.1f}s; data in {info.home}")
        return 0
    if args.action == "stop":
        print("Neo4j stopped" if server.stop() else "Neo4j was not running")
        return 0
    if settings.secrets.NEO4J_URI:
        print(f"using external Neo4j at {settings.secrets.NEO4J_URI}")
        return 0
    status = server.status()
    if status is None:
        print("Neo4j is not running (start it with 'amia neo4j start')")
        return 3
    print(f"Neo4j running at {status.uri} (pid {status.pid}), data in {status.home}")
    return 0
