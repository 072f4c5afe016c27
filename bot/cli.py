"""The `amia` command line: parses arguments, dispatches to bot.commands.*, turns errors into messages."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from bot.commands import COMMANDS
from bot.errors import BotError, new_error_id
from bot.localneo4j import Neo4jRuntimeError
from bot.settings import SettingsError
from knowledge.errors import KnowledgeError

log = logging.getLogger("amia")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amia",
        description="AMIA - Autonomous Marketing Intelligence Agent: research, score, draft and send B2B outreach "
        "from Slack, with every claim cited and every message checked.",
    )
    parser.add_argument("--config", help="path to config.yaml (default: ./config.yaml or $AMIA_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"bot.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    from bot.commands.base import run_handler

    try:
        return run_handler(args.handler, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `amia signals --jsonl … | head`: the reader left; that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not raise again
        return 0
    except (SettingsError, BotError, KnowledgeError, Neo4jRuntimeError) as exc:
        print(f"amia: {exc}", file=sys.stderr)
        return 1
    except Exception:  # the edge: log the details, show an id
        error_id = new_error_id()
        log.exception("unexpected error %s", error_id)
        print(f"amia: unexpected error ({error_id}); details are in the log", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
