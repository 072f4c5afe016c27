"""One aiohttp server for everything HTTP: Slack events/commands/interactivity (HTTP mode), the operations
routes (/healthz, /readyz, /metrics) and routes other areas mount through ``extra_routes`` (unsubscribe, clicks).
Binds settings.http.host (127.0.0.1 by default), never 0.0.0.0 unless configured.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot import ops_http
from bot.services import Services

log = logging.getLogger(__name__)
RouteHook = Callable[[web.Application], None]
EXTRA_ROUTES_KEY = "http_routes"  # services.extras[...]: list[RouteHook] registered by other areas


def build_http_app(
    services: Services,
    *,
    slack: AsyncApp | None = None,
    slack_install: AsyncApp | None = None,
    extra_routes: Sequence[RouteHook] = (),
) -> web.Application:
    """``slack`` serves events/commands/interactivity over HTTP; ``slack_install`` (default: ``slack``) serves
    the OAuth install and redirect pages when the app installs into several workspaces (also in Socket Mode)."""
    app = web.Application(client_max_size=1024 * 1024)
    if slack is not None:

        async def slack_events(request: web.Request) -> web.Response:
            bolt_response = await slack.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        app.router.add_post(services.settings.slack.events_path, slack_events)
    installer = slack_install or slack
    flow = installer.oauth_flow if installer is not None else None
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

        async def oauth_redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

        app.router.add_get(flow.install_path, install)
        app.router.add_get(flow.redirect_uri_path, oauth_redirect)
    ops_http.add_routes(app, services)
    for hook in [*extra_routes, *services.extras.get(EXTRA_ROUTES_KEY, [])]:
        hook(app)
    return app


async def serve(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner (call cleanup() to stop) and the bound port (useful with port 0)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server: Any = site._server
    bound = server.sockets[0].getsockname()[1] if server is not None and server.sockets else port
    log.info("HTTP server on %s:%s", host, bound)
    return runner, int(bound)
