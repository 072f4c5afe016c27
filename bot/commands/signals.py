"""`amia signals`: detect business events (funding, hiring, leadership changes…) in text, with evidence sentences."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.errors import UsageError
from bot.settings import Settings
from knowledge.signals.detector import detect_signals


def register(sub: Any) -> None:
    p = sub.add_parser(
        "signals",
        help="detect business signals in text (funding, acquisition, leadership change, hiring, …)",
        description="Reads text from FILE or stdin ('-') and prints the business signals it states, each with the "
        'sentence that evidences it. --jsonl: lines {"id","text"} in, lines {"id","signals":[…]} out.',
    )
    p.add_argument("file", nargs="?", default="-", help="text file to read, or - for stdin (default)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help='print {"signals": […]} for the whole input')
    mode.add_argument("--jsonl", action="store_true", help='JSON lines {"id","text"} → {"id","signals"}')
    p.set_defaults(handler=handle)


def answer_line(line: str) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not valid JSON: {exc.msg} at column {exc.colno}", "signals": []}
    if not isinstance(item, dict) or not isinstance(item.get("text", ""), str):
        return {
            "id": item.get("id") if isinstance(item, dict) else None,
            "error": 'expected {"id", "text"}',
            "signals": [],
        }
    return {"id": item.get("id"), "signals": [s.as_dict() for s in detect_signals(item.get("text") or "")]}


def _open(name: str) -> Any:
    if name == "-":
        return sys.stdin
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"no such file: {name}")
    return path.open(encoding="utf-8", errors="replace")


def handle(args: argparse.Namespace, settings: Settings) -> int:
    stream = _open(args.file)
    if args.jsonl:
        for line in stream:
            if not line.strip():
                continue
            sys.stdout.write(json.dumps(answer_line(line), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return 0
    signals = detect_signals(stream.read())
    if args.json:
        json.dump({"signals": [s.as_dict() for s in signals]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not signals:
        print("no signals found")
    for s in signals:
        attrs = ", ".join(f"{k}={v}" for k, v in s.attributes.items())
        print(f"{s.type:<20} {s.confidence:.2f}  {s.date or '':<10}  {attrs}\n    “{s.evidence}”")
    return 0
