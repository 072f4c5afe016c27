"""Shared plumbing for CLI commands: loading settings, running async work, printing JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bot.logging_setup import configure_logging
from bot.settings import Settings, load_settings

Handler = Callable[[argparse.Namespace, Settings], Awaitable[int] | int]


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_settings(getattr(args, "config", None))
    secrets = [v.get_secret_value() for v in settings.secrets.model_dump().values() if hasattr(v, "get_secret_value")]
    configure_logging(
        "DEBUG" if getattr(args, "verbose", False) else settings.logging.level,
        settings.logging.format,
        secrets,
    )
    return settings


def run_handler(handler: Handler, args: argparse.Namespace) -> int:
    settings = settings_from(args)
    result = handler(args, settings)
    if asyncio.iscoroutine(result):
        return int(asyncio.run(result))
    return int(result)  # type: ignore[arg-type]


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, default=str, indent=2)
    sys.stdout.write("\n")
