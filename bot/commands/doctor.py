"""`amia doctor`: check config and every connection, say what is wrong and how to fix it."""

from __future__ import annotations

import argparse
from typing import Any

from bot.commands.base import print_json
from bot.doctor import run_checks
from bot.settings import Settings

MARKS = {"ok": "✓", "fail": "✗", "warn": "!", "skip": "-"}


def register(sub: Any) -> None:
    p = sub.add_parser("doctor", help="check config and every connection")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    results = await run_checks(settings)
    if args.json:
        print_json([r.__dict__ for r in results])
    else:
        for r in results:
            line = f"{MARKS[r.status]} {r.name:<8} {r.detail}"
            print(line + (f"\n           fix: {r.fix}" if r.fix and r.status in ("fail", "warn") else ""))
    return 1 if any(r.status == "fail" for r in results) else 0
