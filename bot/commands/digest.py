"""`amia digest [--post]`: build the digest now; print it, or post it to slack.digest_channel with its chart."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.assistant import build_assistant
from bot.errors import ServiceError
from bot.services import build_services
from bot.settings import Settings
from bot.slack.app import build_slack
from bot.slack.digest import CHART_NAME, Digest


def register(sub: Any) -> None:
    p = sub.add_parser("digest", help="build the digest now (print it, or --post it to Slack)")
    p.add_argument("--post", action="store_true", help="post to slack.digest_channel (needs Slack tokens)")
    p.add_argument("--days", type=int, default=1, help="how many days back (default 1; 7 for a weekly view)")
    p.add_argument("--chart", metavar="FILE", help="also write the chart PNG to FILE")
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    if args.post and not settings.slack_enabled:
        raise ServiceError(
            "--post needs SLACK_BOT_TOKEN (or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET with AMIA installed); "
            "without it, run 'amia digest' to print the digest"
        )
    if args.post and not settings.slack.digest_channel:
        raise ServiceError("--post needs slack.digest_channel in config.yaml (a channel id like C0123456789)")
    if not 1 <= args.days <= 90:
        raise ServiceError("--days must be between 1 and 90")
    digest: Digest
    async with build_services(settings) as services:
        if args.post:
            bot = build_slack(services)
            try:
                digest = await bot.assistant.digest(args.days)
                channel = settings.slack.digest_channel or ""
                resp = await bot.rt.queue.post(channel, text=digest.title, blocks=digest.blocks())
                await bot.rt.queue.upload(
                    channel,
                    thread_ts=resp["ts"],
                    content=digest.chart,
                    filename=CHART_NAME,
                    title="Funnel and score distribution",
                )
                print(f"posted the digest to {channel} (message {resp['ts']})")
            finally:
                await bot.close()
        else:

            async def nowhere(*_: Any, **__: Any) -> None:
                return None

            assistant = build_assistant(services, surface="cli", deliver_alert=nowhere, post_digest=nowhere)
            try:
                digest = await assistant.digest(args.days)
            finally:
                assistant.close()
            print(digest.text())
        if args.chart:
            Path(args.chart).write_bytes(digest.chart)  # noqa: ASYNC240 (one small file at exit)
            print(f"chart written to {args.chart} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    return 0
