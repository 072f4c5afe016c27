"""Console chat: the same commands as Slack, typed at a terminal (used when no Slack tokens are set)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.services import Services

HELP = """AMIA commands (the same as /amia in Slack):
  research <domain>          research a company and store cited facts
  score <domain>             score a company against the ideal customer profile
  draft <domain> [email]     draft outreach with citations and a compliance verdict
  leads [hot|warm] [n]       the ranked lead queue
  watch <domain|feed>        research on a schedule; unwatch to stop
  digest [now]               the digest of hot leads, signals and replies
  forget <email|domain>      erase a person or company everywhere
  status                     what AMIA is connected to
  help                       this list
  quit                       leave the console"""

Dispatcher = Callable[[str], Awaitable[str]]


async def default_dispatch(services: Services, line: str) -> str:
    words = line.split()
    if not words or words[0] in ("help", "?"):
        return HELP
    if words[0] == "status":
        latency = await services.graph.ping()
        mode = "LLM" if services.settings.llm_enabled else "deterministic (no LLM configured)"
        return f"graph: connected ({latency * 1000:.0f} ms)\nagents: {mode}\nslack: console mode"
    return f"Unknown command '{words[0]}'. Type 'help' for the list."


async def run_console(
    services: Services,
    *,
    dispatch: Dispatcher | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Read commands line by line until EOF or 'quit'; errors are shown, never fatal."""
    inp, out = stdin or sys.stdin, stdout or sys.stdout
    handler: Dispatcher = dispatch or (lambda line: default_dispatch(services, line))
    out.write("AMIA console. Type 'help' for commands, 'quit' to leave.\n")
    loop = asyncio.get_running_loop()
    while True:
        out.write("amia> ")
        out.flush()
        line = await loop.run_in_executor(None, inp.readline)
        if not line:
            out.write("\n")
            return 0
        line = line.strip()
        if line in ("quit", "exit"):
            return 0
        if not line:
            continue
        out.write(await handler(line) + "\n")
        out.flush()
