"""`amia chat`: console chat with the same commands and conversation as Slack."""

from __future__ import annotations

import argparse
from typing import Any

from bot.console import run_console
from bot.services import build_services
from bot.settings import Settings


def register(sub: Any) -> None:
    p = sub.add_parser("chat", help="console chat with the same commands as Slack")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        return await run_console(services)
