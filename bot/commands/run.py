"""`amia run`: start the bot. With SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET (OAuth
install into several workspaces, served at slack.install_path): Slack (Socket Mode when SLACK_APP_TOKEN is set,
else HTTP events on settings.http) plus the scheduler; without tokens: the console.

``--role web`` serves HTTP only (Slack HTTP mode, unsubscribe, health) and runs no scheduler, so it can be scaled
out behind a load balancer; ``--role worker`` runs Socket Mode (if configured) and the one scheduler.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from typing import Any

from bot.background import background_loops, inbound_text
from bot.console import run_console
from bot.errors import ServiceError
from bot.http_server import build_http_app, serve
from bot.scheduler import Scheduler
from bot.services import Services, build_services
from bot.settings import Settings
from bot.slack.app import build_slack

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="start the bot (Slack if tokens are set, else console)")
    p.add_argument(
        "--role",
        choices=("all", "web", "worker"),
        default="all",
        help="all (default): everything in one process; web: HTTP only; worker: Socket Mode + scheduler",
    )
    p.set_defaults(handler=handle)


async def handle(args: argparse.Namespace, settings: Settings) -> int:
    async with build_services(settings) as services:
        if not settings.slack_enabled:
            if args.role != "all":
                raise ServiceError(
                    "--role needs Slack: set SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
                    "several workspaces (and SLACK_APP_TOKEN for Socket Mode)"
                )
            log.info("no SLACK_BOT_TOKEN (or SLACK_CLIENT_ID + SLACK_CLIENT_SECRET): starting the console")

            async def to_log(result: Any) -> None:
                log.info("%s", inbound_text(result))

            async with background_loops(services, notify=to_log):
                return await run_console(services)
        return await run_slack(services, args.role)


async def run_slack(services: Services, role: str) -> int:
    settings = services.settings
    secrets = settings.secrets
    socket_mode = secrets.SLACK_APP_TOKEN is not None
    if not socket_mode and secrets.SLACK_SIGNING_SECRET is None and role != "worker":
        raise ServiceError(
            "HTTP mode needs SLACK_SIGNING_SECRET (Basic Information → App Credentials), "
            "or set SLACK_APP_TOKEN (xapp-…) to use Socket Mode"
        )
    scheduler: Scheduler | None = None
    if role in ("all", "worker"):
        scheduler = Scheduler(settings, metrics=services.metrics)
        scheduler.start()
        scheduler.sync_config()
        services.extras["scheduler"] = scheduler
    bot = build_slack(services, scheduler=scheduler)
    if scheduler:
        for watch in await bot.assistant.state.watches():
            scheduler.watch(watch.target, on=True)
    runner = None
    loops = contextlib.AsyncExitStack()
    try:
        if role in ("all", "worker"):
            channel = settings.slack.alerts_channel or settings.slack.digest_channel

            async def to_slack(result: Any) -> None:
                target = channel or getattr(result, "owner", None)
                if target:
                    await bot.rt.queue.post(target, text=inbound_text(result))  # paced, right workspace
                else:
                    log.info("%s", inbound_text(result))

            started = await loops.enter_async_context(background_loops(services, notify=to_slack))
            log.info("background loops: %s", ", ".join(started) or "none")
        if role in ("all", "web"):
            http_slack = None if (socket_mode and role == "all") else bot.app
            app = build_http_app(services, slack=http_slack, slack_install=bot.app)
            runner, port = await serve(app, settings.http.host, settings.http.port)
            log.info(
                "HTTP on %s:%s%s",
                settings.http.host,
                port,
                "" if http_slack is None else f" (Slack events at {settings.slack.events_path})",
            )
        if socket_mode and role in ("all", "worker") and secrets.SLACK_APP_TOKEN:
            await bot.connect_socket_mode(secrets.SLACK_APP_TOKEN.get_secret_value())
            log.info("connected to Slack over Socket Mode")
        await bot.resume()  # commands accepted by the previous process but never answered
        await _wait_for_stop()
    finally:
        await loops.aclose()
        await bot.close()
        if runner is not None:
            await runner.cleanup()
    return 0


async def _wait_for_stop() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    await stop.wait()
