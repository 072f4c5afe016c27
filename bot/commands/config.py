"""`amia config show|docs|check`: print the effective settings or regenerate docs/configuration.md."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.commands.base import print_json
from bot.config_docs import render
from bot.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="show the effective settings or regenerate the config reference")
    p.add_argument("action", choices=["show", "docs", "check"])
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "show":
        print_json(settings.model_dump(mode="json"))
        return 0
    if args.action == "docs":
        DOCS.parent.mkdir(exist_ok=True)
        DOCS.write_text(render(), encoding="utf-8")
        print(f"wrote {DOCS}")
        return 0
    print("config is valid")
    return 0
