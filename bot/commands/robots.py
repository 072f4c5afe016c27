"""`amia robots --jsonl`: answer robots.txt questions line by line (stdin JSON lines → stdout JSON lines)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.settings import Settings
from knowledge.web.robots import RobotsTxt


def register(sub: Any) -> None:
    p = sub.add_parser(
        "robots",
        help="check URLs against robots.txt (RFC 9309, Google's matching)",
        description='Reads lines {"robots_txt": "...", "user_agent": "...", "url": "..."} and prints '
        '{"allowed": true|false} for each, in order; a bad line prints {"error": "..."} and the rest go on.',
    )
    p.add_argument("--jsonl", action="store_true", required=True, help="JSON lines in on stdin, JSON lines out")
    p.set_defaults(handler=handle)


def answer(line: str) -> dict[str, Any]:
    """One input line → one output object (never raises)."""
    if not line.strip():
        return {"error": "empty line: expected a JSON object with robots_txt, user_agent and url"}
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"not valid JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(item, dict):
        return {"error": "expected a JSON object with robots_txt, user_agent and url"}
    missing = [k for k in ("robots_txt", "user_agent", "url") if not isinstance(item.get(k), str)]
    if missing:
        return {"error": f"missing or non-string field(s): {', '.join(missing)}"}
    return {"allowed": RobotsTxt.parse(item["robots_txt"]).allowed(item["user_agent"], item["url"])}


def handle(args: argparse.Namespace, settings: Settings) -> int:
    for line in sys.stdin:
        sys.stdout.write(json.dumps(answer(line)) + "\n")
        sys.stdout.flush()
    return 0
