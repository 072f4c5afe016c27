"""Runs the real console with the scripted workflows (for pty tests of cards and numbered actions)."""

from __future__ import annotations

import asyncio
import sys

from bot.console import run_console
from bot.services import build_services
from bot.settings import load_settings
from tests.bot.slack.doubles import ScriptedWorkflows


async def main() -> int:
    settings = load_settings()
    async with build_services(settings, autostart_neo4j=False) as services:
        return await run_console(services, workflows=ScriptedWorkflows(services))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
