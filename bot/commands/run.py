"""`amia run`: start the bot (Slack when tokens are set, otherwise the console)."""

from __future__ import annotations

import argparse
from typing import Any

from bot.console import run_console
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="start the bot (Slack if tokens are set, else console)")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        return await run_console(services)
