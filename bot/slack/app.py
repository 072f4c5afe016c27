"""The Slack app: an AsyncApp with every listener registered, a Web API client with retries, the send queue,
and the two transports (Socket Mode with SLACK_APP_TOKEN, signed HTTP requests otherwise).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.assistant import Assistant, build_assistant, on_user_settings
from bot.errors import ServiceError
from bot.scheduler import Scheduler
from bot.services import Services
from bot.settings import Settings
from bot.slack import approvals, commands, conversation, dedupe, home, resume
from bot.slack.ack_timing import TimedApp
from bot.slack.digest import CHART_NAME, Digest
from bot.slack.digest_chart import chart_in_thread
from bot.slack.queue import CommandQueue
from bot.slack.resume import Resumer, ResumeReport
from bot.slack.runtime import SlackRuntime, build_client
from bot.slack.sender import ClientFor, SendQueue
from bot.slack.workspaces import Workspaces
from bot.workflows import Workflows

log = logging.getLogger(__name__)


class HttpConnection:
    """Readiness for HTTP mode: connected when auth.test last succeeded (re-checked at most once a minute)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._ok: tuple[float, bool] | None = None

    async def is_connected(self) -> bool:
        if self._ok is None or time.monotonic() - self._ok[0] > 60:
            try:
                await self.client.auth_test()
                self._ok = (time.monotonic(), True)
            except SlackApiError:
                self._ok = (time.monotonic(), False)
        return self._ok[1]


@dataclass
class SlackBot:
    app: AsyncApp
    rt: SlackRuntime
    assistant: Assistant
    resumer: Resumer
    socket: AsyncSocketModeHandler | None = None

    _watch: asyncio.Task[None] | None = None
    _snoozes: asyncio.Task[None] | None = None
    snooze_check_seconds: float = 300.0

    async def resume(self) -> ResumeReport:
        """Pick up the commands a previous process accepted but did not finish (call once the bot is up), then
        keep looking for orphans of other processes that share the state file, and for snoozes that ran out."""
        report = await self.resumer.resume_all()
        loop = asyncio.get_running_loop()
        if self._watch is None:
            self._watch = loop.create_task(self.resumer.watch(), name="command-resume")
        if self._snoozes is None:
            self._snoozes = loop.create_task(self._wake_snoozed(), name="snooze-wake")
        return report

    async def _wake_snoozed(self) -> None:
        """Snoozes live in the state file, so polling survives restarts; waking is atomic, so two bots never
        remind twice."""
        while True:
            try:
                await approvals.wake_snoozed(self.assistant.state, self.rt.workspaces)
            except Exception as exc:  # Slack or the state file hiccuped: the next round tries again
                log.warning("waking snoozed drafts failed: %s", type(exc).__name__)
            await asyncio.sleep(self.snooze_check_seconds)

    async def connect_socket_mode(self, app_token: str) -> None:
        self.socket = AsyncSocketModeHandler(self.app, app_token=app_token)
        await self.socket.connect_async()  # type: ignore[no-untyped-call]
        self.assistant.services.extras["slack_connection"] = self.socket.client

    async def close(self) -> None:
        if self.socket:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
        for task in (self._watch, self._snoozes):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.rt.drain(timeout=10)
        self.resumer.queue.close()
        self.resumer.memory.close()
        self.assistant.close()


def build_slack(
    services: Services,
    *,
    token: str | None = None,
    signing_secret: str | None = None,
    workflows: Workflows | None = None,
    scheduler: Scheduler | None = None,
) -> SlackBot:
    """Everything Slack needs; tokens default to the environment (via Settings.secrets). One workspace with
    SLACK_BOT_TOKEN, or several (each installs AMIA over OAuth) with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET."""
    settings = services.settings
    secrets = settings.secrets
    if signing_secret is None and secrets.SLACK_SIGNING_SECRET:
        signing_secret = secrets.SLACK_SIGNING_SECRET.get_secret_value()
    oauth: AsyncOAuthSettings | None = None
    if token is None and settings.slack_oauth:
        assert secrets.SLACK_CLIENT_ID is not None and secrets.SLACK_CLIENT_SECRET is not None
        client = build_client(settings, None)
        workspaces = Workspaces.oauth(settings, secrets.SLACK_CLIENT_ID)
        oauth = oauth_settings(settings, workspaces)
        queue_client: AsyncWebClient | ClientFor = workspaces.client_for
    else:
        bot_token = token or (secrets.SLACK_BOT_TOKEN.get_secret_value() if secrets.SLACK_BOT_TOKEN else None)
        if not bot_token:
            raise ServiceError(
                "SLACK_BOT_TOKEN is not set: export it (xoxb-…), or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to "
                "install AMIA into several workspaces, or use 'amia chat' for the console"
            )
        client = build_client(settings, bot_token)
        workspaces = Workspaces.single(settings, client)
        queue_client = client
    rt = SlackRuntime(
        settings, client, SendQueue(queue_client, settings.slack.channel_send_interval_seconds), workspaces
    )

    async def deliver_alert(destination: str, text: str, blocks: list[dict[str, Any]]) -> None:
        await rt.queue.post(destination, text=text, blocks=blocks)

    dms: dict[str, str] = {}

    async def conversation_of(destination: str) -> str:
        """A user id (a personal digest) becomes the id of the DM with them, so the digest, its chart and the
        after-crash lookups (conversations.history/replies, which refuse user ids) all use one conversation."""
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", destination):
            return destination
        if destination not in dms:
            opened = await (await workspaces.client_for(destination)).conversations_open(users=destination)
            dms[destination] = str(opened["channel"]["id"])
            await workspaces.alias(dms[destination], destination)
        return dms[destination]

    async def post_digest(destination: str, digest: Digest, *, thread: str | None = None, posted: Any = None) -> None:
        """The message, then its chart in its thread; ``posted`` (the digest ledger) hears the message's ts in
        between. With ``thread`` (a restart found the message there) only the chart, unless the thread has it."""
        destination = await conversation_of(destination)
        if thread is None:
            resp = await rt.queue.post(destination, text=digest.title, blocks=digest.blocks())
            thread = str(resp["ts"])
            if posted is not None:
                await posted(thread)
        elif await chart_in_thread(await workspaces.client_for(destination), destination, thread):
            return
        await rt.queue.upload(
            destination,
            thread_ts=thread,
            content=digest.chart,
            filename=CHART_NAME,
            title="Funnel and score distribution",
        )

    async def digest_seen(destination: str, title: str, since: float) -> str | None:
        """The ts of a digest with this title that reached the channel after ``since`` (after a crash mid-post)."""
        destination = await conversation_of(destination)
        history = await workspaces.client_for(destination)
        resp = await history.conversations_history(channel=destination, oldest=f"{since:.6f}", limit=100)
        messages: list[dict[str, Any]] = resp.get("messages") or []
        found = [m for m in messages if m.get("bot_id") and m.get("text") == title]
        return str(found[-1]["ts"]) if found else None  # newest first: the last is the first one posted

    assistant = build_assistant(
        services,
        surface="slack",
        deliver_alert=deliver_alert,
        post_digest=post_digest,
        digest_seen=digest_seen,
        workflows=workflows,
        scheduler=scheduler,
    )
    app = TimedApp(  # an AsyncApp that times each ack for /metrics
        services.metrics,
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=True,
        raise_error_for_unhandled_request=False,
        # listeners ack and spawn their work, so answering after the listener returns skips Bolt's 10 ms ack poll
        process_before_response=True,
        oauth_settings=oauth,
        user_facing_authorize_error_message=None
        if oauth is None
        else (
            ":warning: AMIA is not installed in this workspace (or was removed). "
            f"Ask an admin to install it: {workspaces.install_url()}"
        ),
        # several workspaces: the token comes from the store each time (so an uninstall takes effect at once),
        # but its auth.test answer is cached, so acks don't wait on a Slack round trip
        authorize=None
        if oauth is None
        else AsyncInstallationStoreAuthorize(
            logger=logging.getLogger("slack_bolt.authorize"),
            installation_store=oauth.installation_store,
            client_id=oauth.client_id,
            client_secret=oauth.client_secret,
            bot_only=True,
            cache_enabled=True,
            client=client,
        ),
    )
    if oauth is not None:
        register_workspaces(app, workspaces)
    dedupe.register(app, assistant.state, settings.slack.event_dedupe_hours * 3600)
    queue = CommandQueue(settings.data_path("bot.sqlite3"))  # same file as the bot state, its own table
    commands.register(app, rt, assistant.dispatcher, queue)
    # thread context survives restarts: same file again, its own table
    memory = conversation.register(
        app, rt, assistant.dispatcher, queue, conversation.ThreadMemory(settings.data_path("bot.sqlite3"))
    )
    resumer = Resumer(rt, assistant.dispatcher, queue, memory)
    resume.register(app, resumer)
    approvals.register(app, assistant.desk, rt.spawn)
    home.register(app, assistant.workflows, assistant.state, rt.spawn, lambda s: on_user_settings(scheduler, s))
    services.extras["slack_connection"] = InstalledConnection(workspaces) if oauth else HttpConnection(client)
    return SlackBot(app, rt, assistant, resumer)


def oauth_settings(settings: Settings, workspaces: Workspaces) -> AsyncOAuthSettings:
    """Bolt's install flow: ``slack.install_path`` sends the visitor straight to Slack's authorize page with a
    one-time state (stored next to the installations, 10 minutes, also bound to a browser cookie); Slack returns
    to ``slack.oauth_redirect_path`` where the code becomes a bot token in the installation store."""
    secrets = settings.secrets
    assert secrets.SLACK_CLIENT_ID is not None and secrets.SLACK_CLIENT_SECRET is not None
    assert workspaces.store is not None
    s = settings.slack
    return AsyncOAuthSettings(
        client_id=secrets.SLACK_CLIENT_ID,
        client_secret=secrets.SLACK_CLIENT_SECRET.get_secret_value(),
        scopes=s.oauth_scopes,
        install_path=s.install_path,
        install_page_rendering_enabled=False,
        redirect_uri_path=s.oauth_redirect_path,
        redirect_uri=settings.http.public_url.rstrip("/") + s.oauth_redirect_path,
        authorization_url=s.oauth_authorize_url,
        installation_store=workspaces.store,
        installation_store_bot_only=True,
        state_store=SQLite3OAuthStateStore(database=workspaces.store.database, expiration_seconds=600),
    )


def register_workspaces(app: AsyncApp, workspaces: Workspaces) -> None:
    """Learn which workspace each channel and user belongs to, and forget a workspace that uninstalls AMIA."""
    assert workspaces.store is not None
    revocation = AsyncTokenRevocationListeners(workspaces.store)

    @app.middleware
    async def remember_workspace(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        try:  # after Bolt's authorization, so only installed workspaces are recorded
            await workspaces.remember(
                [context.channel_id, context.user_id],
                context.enterprise_id,
                context.team_id,
                bool(context.is_enterprise_install),
            )
        except Exception as exc:  # a busy state file must not cost the ack; the next request records it
            log.warning("could not record the workspace of a request: %s", type(exc).__name__)
        await next()

    @app.event("app_uninstalled")
    async def uninstalled(context: AsyncBoltContext) -> None:
        await revocation.handle_app_uninstalled_events(context)
        workspaces.uninstalled()
        log.info("workspace %s uninstalled AMIA; its tokens are deleted", context.team_id or context.enterprise_id)

    @app.event("tokens_revoked")
    async def revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        await revocation.handle_tokens_revoked_events(event, context)
        workspaces.uninstalled()


class InstalledConnection:
    """Readiness with several workspaces: the installation store answers, and with workspaces installed, Slack
    accepts the oldest one's token. None installed yet is ready: the web process must serve the install page."""

    def __init__(self, workspaces: Workspaces, ttl: float = 60.0) -> None:
        self.workspaces, self.ttl = workspaces, ttl
        self._ok: tuple[float, bool] | None = None

    async def is_connected(self) -> bool:
        if self._ok is not None and time.monotonic() - self._ok[0] < self.ttl:
            return self._ok[1]  # probes come every few seconds; Slack is asked at most once a minute
        installed = await self.workspaces.installed()
        ok = True
        if installed:
            client = await self.workspaces.client_for_workspace(installed[0])
            try:
                await client.auth_test()
            except SlackApiError:
                ok = False
        self._ok = (time.monotonic(), ok)
        return ok
