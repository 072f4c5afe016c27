"""CLI subcommands: one module per command, each with ``register(subparsers)``.

Add a module name to COMMANDS to expose it in ``amia``; the order is the order in ``amia --help``.
"""

from __future__ import annotations

COMMANDS: list[str] = [
    "run",
    "chat",
    "digest",
    "neo4j",
    "doctor",
    "config",
    "robots",
    "extract",
    "signals",
    "research",
    "draft",
    "review",
    "lead",
    "score",
    "scoring",
    "outreach",
    "forget",
    "memory",
    "backup",
    "restore",
]
